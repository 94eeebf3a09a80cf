//! The sandbox's clock: wall time plus an offset that tests (and `/_sandbox/clock`) move forward,
//! so two-hour expiries and minute-long webhook retries happen without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// A clock that can be advanced. Clones share the same offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// A fixed starting instant instead of the wall clock (deterministic tests).
    start: Option<Millis>,
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// The wall clock.
    pub fn system() -> Self {
        Clock::default()
    }

    /// A clock standing still at `start` until advanced.
    pub fn fixed(start: Millis) -> Self {
        Clock {
            start: Some(start),
            offset: Arc::default(),
        }
    }

    /// Now, in milliseconds since the epoch.
    pub fn now(&self) -> Millis {
        let base = self.start.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as Millis)
        });
        base + self.offset.load(Ordering::SeqCst)
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.offset
            .fetch_add(by.as_millis() as Millis, Ordering::SeqCst);
    }
}

/// `2026-02-15T10:04:05.123Z` for a millisecond timestamp.
pub fn rfc3339(ms: Millis) -> String {
    let (date, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(date);
    let (h, min, s, milli) = (
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// The calendar year of a timestamp.
pub fn year(ms: Millis) -> i64 {
    civil_from_days(ms.div_euclid(86_400_000)).0
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_771_113_845_123), "2026-02-15T00:04:05.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(year(1_771_113_845_123), 2026);
    }

    #[test]
    fn a_fixed_clock_moves_only_when_advanced() {
        let clock = Clock::fixed(1000);
        let shared = clock.clone();
        assert_eq!(clock.now(), 1000);
        shared.advance(Duration::from_secs(2));
        assert_eq!(clock.now(), 3000);
    }
}
