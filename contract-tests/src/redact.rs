//! What a secret is, and hiding it everywhere traffic is written down: cassettes, reports
//! (text, JSON, JUnit), curl lines, reproductions and traces.
//!
//! Three sources, each enough on its own:
//! - **the spec**: every credential its `securitySchemes` name, wherever it travels (an
//!   `apiKey` header, query parameter or cookie; `Authorization` for `http` and OAuth2);
//! - **names**: headers that always carry credentials (`Authorization`, `Proxy-Authorization`,
//!   `Cookie`, `Set-Cookie`, …), secret-named query parameters and body fields
//!   (`clientSecretKey`, `api_key`, `password`, `token`, …);
//! - **shapes**: bearer and basic values, `sk_live_`/`sk_test_`-style keys, JWTs, other
//!   well-known token prefixes, and card numbers (Luhn-valid runs of 15 to 19 digits).
//!
//! [`Redaction::apply`] hides secrets in one interaction, which is what a cassette keeps.
//! Reports carry excerpts of traffic in free text (an observed value, a curl line), so
//! [`Redaction::secrets`] also returns the values it hid, and [`Secrets::scrub`] removes those
//! values and every secret shape from any text.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use generator::ir::{Api, SecurityScheme};
use regex::{Captures, Regex};
use serde_json::Value;

use crate::traffic::Interaction;

/// The placeholder written instead of a secret.
pub const REDACTED: &str = "[redacted]";

/// Headers that carry credentials whatever the spec says.
/// Headers whose values the protocol defines (media types, lengths, dates, encodings): never
/// a credential, so not scanned for secret shapes.
const PROTOCOL_HEADERS: [&str; 12] = [
    "accept",
    "accept-encoding",
    "cache-control",
    "connection",
    "content-encoding",
    "content-length",
    "content-type",
    "date",
    "etag",
    "host",
    "transfer-encoding",
    "vary",
];

const SECRET_HEADERS: [&str; 7] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "signature",
];

/// Body fields and query parameters whose names say they hold a secret, compared with case,
/// `_` and `-` ignored.
const SECRET_NAMES: [&str; 13] = [
    "clientsecretkey",
    "clientsecret",
    "secretkey",
    "secret",
    "password",
    "token",
    "apikey",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "privatekey",
    "webhooksecret",
    "signingsecret",
];

const PERSONAL_FIELDS: [&str; 6] = ["email", "phone", "firstname", "lastname", "name", "street"];

/// What to hide when writing traffic down.
#[derive(Debug, Clone, Default)]
pub struct Redaction {
    /// Also mask personal data (emails, phones, names) in bodies.
    pub mask_personal_data: bool,
    /// Header names (lower case) the spec's security schemes put credentials in.
    headers: BTreeSet<String>,
    /// Query parameter names (lower case) the spec's security schemes put credentials in.
    query: BTreeSet<String>,
    /// Cookie names (lower case) the spec's security schemes put credentials in.
    cookies: BTreeSet<String>,
}

impl Redaction {
    /// Redaction by name and shape, plus every credential `api`'s security schemes name.
    pub fn for_api(api: &Api) -> Redaction {
        let mut out = Redaction::default();
        for scheme in api.security_schemes.values() {
            if let SecurityScheme::ApiKey { name, location } = scheme {
                let name = name.to_ascii_lowercase();
                match location.as_str() {
                    "query" => out.query.insert(name),
                    "cookie" => out.cookies.insert(name),
                    _ => out.headers.insert(name),
                };
            }
        }
        out
    }

    /// The same, masking personal data too when `mask` is set.
    pub fn masking_personal_data(mut self, mask: bool) -> Redaction {
        self.mask_personal_data = mask;
        self
    }

    /// `interaction` with secrets replaced (and personal data masked when asked).
    pub fn apply(&self, interaction: &Interaction) -> Interaction {
        self.apply_collecting(interaction, &mut BTreeSet::new())
    }

    /// `traffic` as a recording keeps it: each interaction through [`Redaction::apply`], then
    /// every value hidden anywhere in `traffic` scrubbed from all of it (a server that echoes
    /// a request's key in its response body, a token copied into a later URL).
    pub fn apply_all(&self, traffic: &[Interaction]) -> Vec<Interaction> {
        let (applied, found) =
            self.on_cores_collecting(traffic, |i, found| self.apply_collecting(i, found));
        let secrets = Secrets::of(found);
        if secrets.is_empty() {
            return applied;
        }
        crate::cores::map(applied, |_, mut out| {
            out.url = secrets.scrub(&out.url);
            for (_, v) in out
                .request_headers
                .iter_mut()
                .chain(&mut out.response_headers)
            {
                *v = secrets.scrub(v);
            }
            out.request_body = secrets.scrub_body(&out.request_body);
            out.response_body = secrets.scrub_body(&out.response_body);
            out
        })
        .unwrap_or_else(|bug| panic!("{bug}"))
    }

    /// The values [`Redaction::apply`] hides in `traffic`, to scrub them from free text.
    pub fn secrets(&self, traffic: &[Interaction]) -> Secrets {
        Secrets::of(
            self.on_cores_collecting(traffic, |i, found| self.collect(i, found))
                .1,
        )
    }

    /// `f` over `traffic` on every core, results in order, with the secrets each call found.
    fn on_cores_collecting<R: Send>(
        &self,
        traffic: &[Interaction],
        f: impl Fn(&Interaction, &mut BTreeSet<String>) -> R + Sync,
    ) -> (Vec<R>, BTreeSet<String>) {
        let each = crate::cores::map(traffic.iter().collect(), |_, interaction| {
            let mut found = BTreeSet::new();
            (f(interaction, &mut found), found)
        })
        .unwrap_or_else(|bug| panic!("{bug}"));
        let mut all = BTreeSet::new();
        let out = each
            .into_iter()
            .map(|(r, found)| {
                all.extend(found);
                r
            })
            .collect();
        (out, all)
    }

    /// Adds the values [`Redaction::apply`] would hide in `interaction` to `found`, without
    /// writing the redacted copy: a body is parsed only when its text may hold a secret (a
    /// secret-sounding name, a secret shape, a digit run, an escape that could hide either).
    pub fn collect(&self, interaction: &Interaction, found: &mut BTreeSet<String>) {
        self.collect_parsed(interaction, [None, None], found);
    }

    /// [`Redaction::collect`], given the request and response bodies as the checks already
    /// parsed them (`None` where they did not): a parsed body is walked, not parsed again.
    pub fn collect_parsed(
        &self,
        interaction: &Interaction,
        parsed: [Option<&Value>; 2],
        found: &mut BTreeSet<String>,
    ) {
        for (k, v) in interaction
            .request_headers
            .iter()
            .chain(&interaction.response_headers)
        {
            let named = |list: &[&str]| list.iter().any(|h| k.eq_ignore_ascii_case(h));
            if named(&["cookie", "set-cookie"]) {
                self.cookie_header(v, found);
            } else if named(&SECRET_HEADERS)
                || self.headers.iter().any(|h| k.eq_ignore_ascii_case(h))
            {
                found.insert(credential_of(v).1.to_string());
            } else if !named(&PROTOCOL_HEADERS) {
                shapes_in(v, found);
            }
        }
        self.url_secrets(&interaction.url, found);
        for (body, parsed) in [&interaction.request_body, &interaction.response_body]
            .into_iter()
            .zip(parsed)
        {
            if !may_hold_secret(body) {
                continue;
            }
            // Only what is found counts here: a JSON body is walked, not written back.
            if let Some(value) = parsed {
                self.found_in(value, found);
                continue;
            }
            match serde_json::from_str::<Value>(body) {
                Ok(value) => self.found_in(&value, found),
                Err(_) => {
                    self.body(body, found);
                }
            }
        }
    }

    /// What [`Redaction::value`] would hide in `value`, added to `found`, `value` left as it is.
    fn found_in(&self, value: &Value, found: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    if (v.is_string() || v.is_number()) && secret_key(k) {
                        found.insert(scalar_text(v));
                    } else {
                        self.found_in(v, found);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.found_in(v, found)),
            Value::String(text) => {
                scrubbed(text, found);
            }
            Value::Number(n) => found.extend(card_number_in(n)),
            _ => {}
        }
    }

    fn apply_collecting(
        &self,
        interaction: &Interaction,
        found: &mut BTreeSet<String>,
    ) -> Interaction {
        let mut out = interaction.clone();
        for headers in [&mut out.request_headers, &mut out.response_headers] {
            for (k, v) in headers.iter_mut() {
                let name = k.to_ascii_lowercase();
                if name == "cookie" || name == "set-cookie" {
                    *v = self.cookie_header(v, found);
                } else if SECRET_HEADERS.contains(&name.as_str()) || self.headers.contains(&name) {
                    *v = hide_credential(v, found);
                } else if !PROTOCOL_HEADERS.contains(&name.as_str()) {
                    *v = scrub_shapes(v, found);
                }
            }
        }
        out.url = self.url(&out.url, found);
        out.request_body = self.body(&out.request_body, found);
        out.response_body = self.body(&out.response_body, found);
        out
    }

    /// Every cookie's value hidden: cookies are sessions more often than not.
    fn cookie_header(&self, value: &str, found: &mut BTreeSet<String>) -> String {
        value
            .split(';')
            .map(|part| match part.split_once('=') {
                Some((name, v)) => {
                    let attribute = matches!(
                        name.trim().to_ascii_lowercase().as_str(),
                        "path" | "domain" | "expires" | "max-age" | "samesite"
                    );
                    if attribute {
                        part.to_string()
                    } else {
                        found.insert(v.trim().to_string());
                        format!("{name}={REDACTED}")
                    }
                }
                None => part.to_string(),
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    fn url(&self, url: &str, found: &mut BTreeSet<String>) -> String {
        let Some((base, rest)) = url.split_once('?') else {
            return scrub_shapes(url, found);
        };
        let (query, fragment) = match rest.split_once('#') {
            Some((q, f)) => (q, Some(f)),
            None => (rest, None),
        };
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, value)) if self.secret_query(name) => {
                    found.insert(value.to_string());
                    found.insert(form_decoded(value));
                    format!("{name}={REDACTED}")
                }
                _ => scrub_shapes(pair, found),
            })
            .collect();
        let mut out = format!("{}?{}", scrub_shapes(base, found), query.join("&"));
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }

    /// What [`Redaction::url`] hides in `url`, added to `found`, without writing the copy.
    fn url_secrets(&self, url: &str, found: &mut BTreeSet<String>) {
        let Some((base, rest)) = url.split_once('?') else {
            return shapes_in(url, found);
        };
        shapes_in(base, found);
        let query = rest.split('#').next().unwrap_or_default();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some((name, value)) if self.secret_query(name) => {
                    found.insert(value.to_string());
                    found.insert(form_decoded(value));
                }
                _ => shapes_in(pair, found),
            }
        }
    }

    fn secret_query(&self, name: &str) -> bool {
        let lower = form_decoded(name).to_ascii_lowercase();
        self.query.contains(&lower) || self.cookies.contains(&lower) || secret_name(&lower)
    }

    fn body(&self, body: &str, found: &mut BTreeSet<String>) -> String {
        // What cannot hold a secret is kept as it came (the prefilter `collect` trusts too),
        // unless personal data is to be masked.
        if !self.mask_personal_data && !may_hold_secret(body) {
            return body.to_string();
        }
        if let Ok(mut value) = serde_json::from_str::<Value>(body) {
            self.value(&mut value, found);
            return serde_json::to_string(&value).unwrap_or_else(|_| body.to_string());
        }
        // A form body: `name=value&…` with secret names hidden, the rest scanned for shapes.
        let form = !body.is_empty()
            && !body.contains(char::is_whitespace)
            && body.split('&').all(|p| p.contains('='));
        if form {
            let parts: Vec<String> = body
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, value)) if self.secret_query(name) => {
                        found.insert(value.to_string());
                        format!("{name}={REDACTED}")
                    }
                    _ => scrub_shapes(pair, found),
                })
                .collect();
            return parts.join("&");
        }
        scrub_shapes(body, found)
    }

    fn value(&self, value: &mut Value, found: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    let key = folded_key(k);
                    if secret_name(&key) && (v.is_string() || v.is_number()) {
                        found.insert(scalar_text(v));
                        *v = Value::String(REDACTED.into());
                    } else if self.mask_personal_data
                        && PERSONAL_FIELDS.contains(&key.as_str())
                        && let Some(text) = v.as_str()
                    {
                        *v = Value::String(mask(&key, text));
                    } else {
                        self.value(v, found);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v, found)),
            Value::String(text) => {
                if let Some(scrubbed) = scrubbed(text, found) {
                    *text = scrubbed;
                }
            }
            Value::Number(n) => {
                if let Some(digits) = card_number_in(n) {
                    found.insert(digits);
                    *value = Value::String(REDACTED.into());
                }
            }
            _ => {}
        }
    }
}

/// A JSON number that is a card number, as its digits; one too small to be one (15 digits or
/// more) is not even written out.
fn card_number_in(n: &serde_json::Number) -> Option<String> {
    if n.as_i64().is_some_and(|i| i.unsigned_abs() < 10u64.pow(14)) {
        return None;
    }
    let digits = n.to_string();
    card_number(&digits).then_some(digits)
}

/// A JSON key as [`secret_name`] reads it: lowercase, without `_` and `-`.
fn folded_key(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// [`secret_name`] of a JSON key.
fn secret_key(key: &str) -> bool {
    secret_name(&folded_key(key))
}

/// Values shorter than this are hidden where they stand but not hunted through other text:
/// a 3-letter "password" a fuzzer chose would otherwise blank out every word it is part of.
const MIN_SECRET: usize = 8;

/// Secret values seen in traffic, to remove from free text (reports, traces).
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// Every value, and its JSON-escaped form, found in one pass over a text.
    matcher: Option<aho_corasick::AhoCorasick>,
}

impl Secrets {
    /// The secrets among `found` (values [`Redaction::collect`] gathered), ready to scrub.
    pub fn of(found: BTreeSet<String>) -> Secrets {
        let values: Vec<String> = found
            .into_iter()
            .filter(|v| v.chars().count() >= MIN_SECRET && v != REDACTED)
            .collect();
        let mut patterns: Vec<String> = values.clone();
        for v in &values {
            // A value quoted inside JSON text keeps its escapes.
            let escaped = serde_json::to_string(v).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if escaped != v {
                patterns.push(escaped.to_string());
            }
        }
        // Leftmost-longest, so a secret that contains another is replaced whole.
        let matcher = (!patterns.is_empty())
            .then(|| {
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        Secrets { matcher }
    }

    /// `text` with every known secret value and every secret shape replaced by [`REDACTED`].
    pub fn scrub(&self, text: &str) -> String {
        let out = match &self.matcher {
            Some(m) if m.is_match(text) => {
                let mut out = String::with_capacity(text.len());
                m.replace_all_with(text, &mut out, |_, _, dst| {
                    dst.push_str(REDACTED);
                    true
                });
                out
            }
            _ => text.to_string(),
        };
        scrub_shapes(&out, &mut BTreeSet::new())
    }

    /// A body with known secret values scrubbed from its strings: JSON stays JSON (keys,
    /// numbers and structure untouched); any other text is scrubbed as text.
    pub fn scrub_body(&self, body: &str) -> String {
        fn walk(secrets: &Secrets, value: &mut Value) {
            match value {
                Value::String(s) => *s = secrets.scrub(s),
                Value::Array(items) => items.iter_mut().for_each(|v| walk(secrets, v)),
                Value::Object(map) => map.values_mut().for_each(|v| walk(secrets, v)),
                _ => {}
            }
        }
        // Without an escape, every string's text stands in the body as it is: a body the known
        // values and the prefilter both miss has nothing to scrub.
        let known = self.matcher.as_ref().is_some_and(|m| m.is_match(body));
        if !known && !may_hold_secret(body) {
            return body.to_string();
        }
        match serde_json::from_str::<Value>(body) {
            Ok(mut value) if value.is_object() || value.is_array() => {
                walk(self, &mut value);
                serde_json::to_string(&value).unwrap_or_else(|_| body.to_string())
            }
            _ => self.scrub(body),
        }
    }

    /// Whether no value is known (shapes are still scrubbed).
    pub fn is_empty(&self) -> bool {
        self.matcher.is_none()
    }
}

fn secret_name(lower: &str) -> bool {
    let key = lower.replace(['_', '-'], "");
    SECRET_NAMES.contains(&key.as_str())
        || key.ends_with("secret")
        || key.ends_with("password")
        || key.ends_with("apikey")
        || key.ends_with("accesstoken")
        || key == "key"
        || key == "sig"
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A credential header's value: the scheme word kept (`Bearer [redacted]`), the rest hidden.
fn hide_credential(value: &str, found: &mut BTreeSet<String>) -> String {
    let (scheme, secret) = credential_of(value);
    found.insert(secret.to_string());
    match scheme {
        Some(scheme) => format!("{scheme} {REDACTED}"),
        None => REDACTED.to_string(),
    }
}

/// A credential header's value as its scheme word (`Bearer`, `Basic`, `Token`, `Digest`),
/// which is kept, and the secret after it; a value without one of those words is all secret.
fn credential_of(value: &str) -> (Option<&str>, &str) {
    match value.split_once(' ') {
        Some((scheme, rest))
            if ["bearer", "basic", "token", "digest"]
                .iter()
                .any(|word| scheme.eq_ignore_ascii_case(word)) =>
        {
            (Some(scheme), rest.trim())
        }
        _ => (None, value.trim()),
    }
}

/// Well-known credential shapes. Group 1, where present, is kept (the scheme word).
/// Word boundaries are ASCII ones (`(?-u)`): the shapes are ASCII, and a Unicode boundary
/// would send every scan to a slower engine.
static SHAPES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // `Bearer …`, `Basic …` anywhere in text (a header pasted into a message or a body).
        r"(?i-u)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}",
        // Stripe-style keys: sk_live_, sk_test_, pk_live_, rk_test_, whsec_ …
        r"(?-u)\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9_]{4,}",
        r"(?-u)\bwhsec_[A-Za-z0-9]{8,}",
        // JSON Web Tokens: three base64url segments, the first a JSON object.
        r"(?-u)\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",
        // GitHub, Slack, AWS access keys, Google API keys.
        r"(?-u)\bgh[pousr]_[A-Za-z0-9]{20,}",
        r"(?-u)\bxox[abprs]-[A-Za-z0-9-]{10,}",
        r"(?-u)\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
        r"(?-u)\bAIza[0-9A-Za-z_-]{35}",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("the secret shapes are valid patterns"))
    .collect()
});

/// All of [`SHAPES`] at once: one pass tells whether any shape is in a text at all, which it
/// almost never is, so the per-shape replacing runs only where something will be replaced.
/// The words every secret name ([`secret_name`]) contains.
const NAME_WORDS: [&str; 5] = ["secret", "password", "token", "key", "sig"];

/// The literal every one of [`SHAPES`] begins with (matched in any case).
const SHAPE_PREFIXES: [&str; 16] = [
    "bearer", "basic", "sk_", "pk_", "rk_", "whsec_", "eyj", "ghp_", "gho_", "ghu_", "ghs_",
    "ghr_", "xox", "akia", "asia", "aiza",
];

/// [`NAME_WORDS`] and [`SHAPE_PREFIXES`] in one pass, in any case: a prefilter, so what it
/// finds may be nothing, but what it misses holds no secret name or shape.
static SECRET_WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(NAME_WORDS.iter().chain(&SHAPE_PREFIXES))
        .expect("the secret words build")
});

/// Whether a body's text may hold what [`Redaction::apply`] hides: a secret-named field or
/// parameter, a secret shape, a card-length digit run, or an escape that could spell either.
fn may_hold_secret(body: &str) -> bool {
    !body.is_empty()
        && (body.contains('\\')
            || SECRET_WORDS.is_match(body)
            || (body.bytes().filter(u8::is_ascii_digit).count() >= 15 && DIGIT_RUN.is_match(body)))
}

static ANY_SHAPE: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSet::new(SHAPES.iter().map(|r| r.as_str()))
        .expect("the secret shapes are valid patterns")
});

/// Runs of 15 to 19 digits, optionally grouped by single spaces or dashes.
static DIGIT_RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9A-Za-z_])((?:[0-9][ -]?){14,18}[0-9])(?:$|[^0-9A-Za-z_])")
        .expect("the card pattern is valid")
});

/// What [`scrub_shapes`] would replace in `text`, added to `found`: the prefilter first, the
/// shapes only where it passes.
fn shapes_in(text: &str, found: &mut BTreeSet<String>) {
    if text.len() >= SHORTEST_SHAPE && may_hold_secret(text) {
        scrubbed(text, found);
    }
}

/// `text` with every secret shape replaced; what was replaced is added to `found`.
fn scrub_shapes(text: &str, found: &mut BTreeSet<String>) -> String {
    if text.len() < SHORTEST_SHAPE || !may_hold_secret(text) {
        return text.to_string();
    }
    scrubbed(text, found).unwrap_or_else(|| text.to_string())
}

/// The shortest text any of [`SHAPES`] or a card number matches (`basic` and six characters;
/// `sk_live_` and four): anything shorter is left unscanned.
const SHORTEST_SHAPE: usize = 12;

/// [`scrub_shapes`], `None` when nothing in `text` is replaced (the common case, which then
/// costs no copy).
fn scrubbed(text: &str, found: &mut BTreeSet<String>) -> Option<String> {
    if text.len() < SHORTEST_SHAPE {
        return None;
    }
    let mut out: Option<String> = None;
    let matched = ANY_SHAPE.matches(text);
    for (i, shape) in SHAPES.iter().enumerate() {
        if !matched.matched(i) {
            continue;
        }
        let replaced = shape
            .replace_all(out.as_deref().unwrap_or(text), |c: &Captures| {
                match c.get(1) {
                    Some(scheme) => {
                        found.insert(c[0][scheme.len()..].trim().to_string());
                        format!("{} {REDACTED}", scheme.as_str())
                    }
                    None => {
                        found.insert(c[0].to_string());
                        REDACTED.to_string()
                    }
                }
            })
            .into_owned();
        out = Some(replaced);
    }
    let current = out.as_deref().unwrap_or(text);
    if current.bytes().filter(u8::is_ascii_digit).count() >= 15 {
        // Matches overlap at their borders, so replace one at a time.
        let mut text = current.to_string();
        let mut changed = false;
        let mut start = 0;
        while let Some(c) = DIGIT_RUN.captures_at(&text, start) {
            let run = c.get(1).expect("group 1 always takes part");
            let (range, digits) = (run.range(), run.as_str().to_string());
            if card_number(&digits) {
                found.insert(digits);
                text.replace_range(range.clone(), REDACTED);
                start = range.start + REDACTED.len();
                changed = true;
            } else {
                start = range.end;
            }
        }
        if changed {
            out = Some(text);
        }
    }
    out
}

/// 15 to 19 digits (spaces and dashes between them allowed) that pass the Luhn check.
fn card_number(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(15..=19).contains(&digits.len())
        || text
            .chars()
            .any(|c| !(c.is_ascii_digit() || c == ' ' || c == '-'))
        || digits.iter().all(|d| *d == digits[0])
    {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A query or form value as sent: `+` is a space, `%XX` an escape.
fn form_decoded(text: &str) -> String {
    crate::check::percent_decode(&text.replace('+', " "))
}

/// A stable stand-in for a personal value: the same input always masks the same way, so
/// replays still line up, and the shape (an email stays an email) is kept.
fn mask(kind: &str, text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    match kind {
        "email" => format!("masked-{:08x}@example.invalid", h as u32),
        "phone" => format!("+1555{:07}", h % 10_000_000),
        _ => format!("masked-{:08x}", h as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shape's shortest match is at least [`SHORTEST_SHAPE`] long, and is found: the
    /// texts below it are skipped unscanned.
    #[test]
    fn no_shape_is_shorter_than_the_shortest() {
        let shortest = [
            "basic abcdef",
            "sk_live_abcd",
            "whsec_abcdefgh",
            "eyJabcd.efgh.",
            "ghp_abcdefghijklmnopqrst",
            "xoxb-abcdefghij",
            "AKIAABCDEFGHIJKLMNOP",
            "AIzaabcdefghijklmnopqrstuvwxyz012345678",
            "378282246310005",
        ];
        for text in shortest {
            let mut found = BTreeSet::new();
            assert_ne!(scrub_shapes(text, &mut found), text, "{text}");
            assert!(!found.is_empty(), "{text}");
            assert!(text.len() >= SHORTEST_SHAPE, "{text}");
            assert!(may_hold_secret(&format!("{{\"x\": \"{text}\"}}")), "{text}");
            let shorter = &text[..text.len() - 1];
            assert_eq!(scrub_shapes(shorter, &mut BTreeSet::new()), shorter);
        }
        // A protocol header is not scanned; any other header is.
        let mut found = BTreeSet::new();
        let interaction = Interaction {
            method: "GET".into(),
            url: "https://h/v1/x".into(),
            request_headers: vec![
                (
                    "Content-Type".into(),
                    "application/json; sk_live_abcd".into(),
                ),
                ("X-Debug".into(), "sk_live_efgh".into()),
            ],
            request_body: String::new(),
            status: 200,
            response_headers: Vec::new(),
            response_body: String::new(),
            recorded_at: String::new(),
        };
        Redaction::default().collect(&interaction, &mut found);
        assert_eq!(found, BTreeSet::from(["sk_live_efgh".to_string()]));
    }

    /// `collect` finds what `apply` hides, body parse or not.
    #[test]
    fn collecting_finds_what_applying_hides() {
        let redaction = Redaction::default();
        let bodies = [
            r#"{"clientSecretKey": "cs_live_abcdefgh1234"}"#,
            r#"{"note": "Bearer abcdefghijklmnop"}"#,
            r#"{"card": 4111111111111111, "id": "671f4e90c0811b1056da1653"}"#,
            r#"{"card": "4111 1111 1111 1111"}"#,
            // 15 digits, the fewest a card number has, as a JSON number
            r#"{"amex": 378282246310005, "small": -99999999999999}"#,
            r#"{"escaped": "sk_live_ABCDEFGHIJKLMNOPQRSTUVWX"}"#,
            r#"{"plain": "nothing here", "amount": 25}"#,
            "password=hunter2hunter2&user=ada",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "",
        ];
        for body in bodies {
            let interaction = Interaction {
                method: "POST".into(),
                url: "https://h/v1/x?api_key=k3y_value_123&page=2".into(),
                request_headers: vec![
                    ("Authorization".into(), "Bearer tok_abcdefghijkl".into()),
                    ("X-Note".into(), "sk_test_abcdefghijklmnopqrstuvwx".into()),
                ],
                request_body: body.into(),
                status: 200,
                response_headers: vec![("Set-Cookie".into(), "sid=s3ss10n_v4lue; Path=/".into())],
                response_body: body.into(),
                recorded_at: String::new(),
            };
            let (mut applied, mut collected) = (BTreeSet::new(), BTreeSet::new());
            redaction.apply_collecting(&interaction, &mut applied);
            redaction.collect(&interaction, &mut collected);
            assert_eq!(collected, applied, "{body}");
            // The bodies as the checks parsed them: walked, not parsed again, to the same end.
            let parsed: Option<Value> = serde_json::from_str(body).ok();
            let mut walked = BTreeSet::new();
            redaction.collect_parsed(
                &interaction,
                [parsed.as_ref(), parsed.as_ref()],
                &mut walked,
            );
            assert_eq!(walked, applied, "{body}");
        }
    }

    #[test]
    fn card_numbers_are_luhn_valid_runs() {
        assert!(card_number("4111111111111111"));
        assert!(card_number("4111 1111 1111 1111"));
        assert!(card_number("378282246310005"));
        assert!(!card_number("4111111111111112"));
        assert!(!card_number("1764648985123"), "a millisecond timestamp");
        assert!(!card_number("0000000000000000"));
    }

    #[test]
    fn shapes_are_found_in_free_text() {
        let mut found = BTreeSet::new();
        let text = "sent Bearer abcdef123456 and sk_live_51Habc and card 4111-1111-1111-1111 at 1764648985123";
        let out = scrub_shapes(text, &mut found);
        assert_eq!(
            out,
            "sent Bearer [redacted] and [redacted] and card [redacted] at 1764648985123"
        );
        assert!(found.contains("sk_live_51Habc"));
    }

    #[test]
    fn form_decoding_is_total() {
        assert_eq!(form_decoded("a%20b+c"), "a b c");
        assert_eq!(form_decoded("a%2"), "a%2");
        assert_eq!(form_decoded("%"), "%");
        assert_eq!(form_decoded("plain"), "plain");
    }

    /// The fast paths keep what holds no secret as it came, and miss none: a known value echoed
    /// under an innocent name, or spelled with a JSON escape, is still scrubbed.
    #[test]
    fn bodies_without_secrets_are_kept_and_echoed_secrets_are_not() {
        let secrets = Secrets::of(["zq8vRt4Lm2Xw9".to_string()].into_iter().collect());
        let plain = r#"{ "name" : "Ada",  "count": 2 }"#;
        assert_eq!(secrets.scrub_body(plain), plain, "kept byte for byte");
        let echoed = secrets.scrub_body(r#"{"note": "zq8vRt4Lm2Xw9"}"#);
        assert!(!echoed.contains("zq8vRt4Lm2Xw9"), "{echoed}");
        let escaped = secrets.scrub_body(r#"{"note": "\u007aq8vRt4Lm2Xw9"}"#);
        assert!(!escaped.contains("q8vRt4Lm2Xw9"), "{escaped}");
        let redaction = Redaction::default();
        let mut found = BTreeSet::new();
        assert_eq!(redaction.body(plain, &mut found), plain);
        assert!(found.is_empty());
        let hidden = redaction.body(r#"{"password": "hunter2-long"}"#, &mut found);
        assert!(
            !hidden.contains("hunter2-long") && found.contains("hunter2-long"),
            "{hidden}"
        );
    }
}
