//! A tiny, fixed IP-to-region table for the geolocation check: the documentation address
//! ranges (RFC 5737 and RFC 3849) stand for a few regions, so tests know what to expect.

use std::net::IpAddr;

/// (country, country code, state, state code) for an address the table knows.
pub type Region = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

/// The region of `ip`, when the table knows it.
pub fn lookup(ip: IpAddr) -> Option<Region> {
    match ip {
        IpAddr::V4(v4) => match v4.octets() {
            [192, 0, 2, _] => Some((
                Some("United States"),
                Some("US"),
                Some("New Jersey"),
                Some("NJ"),
            )),
            [198, 51, 100, _] => {
                Some((Some("United States"), Some("US"), Some("Utah"), Some("UT")))
            }
            [203, 0, 113, _] => Some((Some("United Kingdom"), Some("GB"), None, None)),
            _ => None,
        },
        IpAddr::V6(v6) if v6.segments()[0] == 0x2001 && v6.segments()[1] == 0x0db8 => Some((
            Some("United States"),
            Some("US"),
            Some("Pennsylvania"),
            Some("PA"),
        )),
        IpAddr::V6(_) => None,
    }
}
