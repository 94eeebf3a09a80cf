//! Findings, their de-duplication, the baseline of known ones, and the three renderings:
//! a terminal summary, JSON (shape below) and JUnit XML.
//!
//! JSON shape: `{"summary": {"new", "known", "stale", "interactions"}, "findings": [Finding…],
//! "stale": [key…]}`, each finding with `key`, `kind`, `operation`, `pointer`, `specLocation`,
//! `expected`, `observed`, `message`, `related`, `reproduce` (the call sequence), `answers` (one per call), `curl`,
//! `occurrences`, `known` and `cause` ([`Finding::cause_key`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::redact::Redaction;
use crate::spec::Model;
use crate::traffic::Interaction;

/// What kind of departure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The status code is not among the operation's responses.
    UndocumentedStatus,
    /// The body's media type is not one the response documents (or a body came where none is documented).
    UndocumentedContentType,
    /// The body does not validate against the documented schema.
    SchemaViolation,
    /// A response header the response does not declare, where it declares headers.
    UndocumentedHeader,
    /// The request does not match the request schema.
    RequestViolation,
    /// No operation of the spec serves the request.
    UnknownOperation,
    /// A 5xx answer.
    ServerError,
    /// The server answered 2xx to input the spec forbids.
    InvalidInputAccepted,
    /// The typed client decoded a value into an enum's `Unknown` variant.
    UnknownEnumValue,
    /// One operation returns a value that another operation's schema rejects.
    CrossOperationInconsistency,
    /// The server refused (4xx) a request the spec allows; the refusal is shown.
    SchemaValidRejected,
    /// The server answered 2xx to a request without credentials, or with wrong ones.
    IgnoredAuth,
    /// A resource a successful delete removed was still served.
    UseAfterDelete,
    /// A resource a successful create returned could not be read back (404).
    CreatedNotRetrievable,
    /// A method the path does not declare was answered with something other than 405 and `Allow`.
    UnsupportedMethodAccepted,
    /// A declared required response header is missing, or its value breaks its schema.
    ResponseHeaderViolation,
    /// The response took longer than the threshold asked for.
    SlowResponse,
    /// The typed client could not decode an answer the spec allows.
    TypedDecodeFailure,
    /// A request without credentials answered 403, where RFC 9110 asks for 401.
    #[serde(rename = "unauthorized-not-401")]
    UnauthorizedNot401,
    /// A response carries a property its schema does not name, in an object the spec leaves
    /// open. Reported, but it does not fail a run by itself: servers adding fields is the most
    /// common drift, and JSON Schema allows it.
    UndocumentedProperty,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UndocumentedStatus => "undocumented-status",
            Kind::UndocumentedContentType => "undocumented-content-type",
            Kind::SchemaViolation => "schema-violation",
            Kind::UndocumentedHeader => "undocumented-header",
            Kind::RequestViolation => "request-violation",
            Kind::UnknownOperation => "unknown-operation",
            Kind::ServerError => "server-error",
            Kind::InvalidInputAccepted => "invalid-input-accepted",
            Kind::UnknownEnumValue => "unknown-enum-value",
            Kind::CrossOperationInconsistency => "cross-operation-inconsistency",
            Kind::SchemaValidRejected => "schema-valid-rejected",
            Kind::IgnoredAuth => "ignored-auth",
            Kind::UseAfterDelete => "use-after-delete",
            Kind::CreatedNotRetrievable => "created-not-retrievable",
            Kind::UnsupportedMethodAccepted => "unsupported-method-accepted",
            Kind::ResponseHeaderViolation => "response-header-violation",
            Kind::SlowResponse => "slow-response",
            Kind::TypedDecodeFailure => "typed-decode-failure",
            Kind::UnauthorizedNot401 => "unauthorized-not-401",
            Kind::UndocumentedProperty => "undocumented-property",
        }
    }

    /// How much a finding of this kind weighs ([`Level`]).
    pub fn level(self) -> Level {
        match self {
            Kind::UndocumentedProperty => Level::Note,
            Kind::RequestViolation => Level::Client,
            Kind::ServerError => Level::ServerError,
            _ => Level::Drift,
        }
    }

    /// Every kind, in report order.
    pub const ALL: [Kind; 20] = [
        Kind::UndocumentedStatus,
        Kind::UndocumentedContentType,
        Kind::SchemaViolation,
        Kind::UndocumentedHeader,
        Kind::RequestViolation,
        Kind::UnknownOperation,
        Kind::ServerError,
        Kind::InvalidInputAccepted,
        Kind::UnknownEnumValue,
        Kind::CrossOperationInconsistency,
        Kind::SchemaValidRejected,
        Kind::IgnoredAuth,
        Kind::UseAfterDelete,
        Kind::CreatedNotRetrievable,
        Kind::UnsupportedMethodAccepted,
        Kind::ResponseHeaderViolation,
        Kind::SlowResponse,
        Kind::TypedDecodeFailure,
        Kind::UnauthorizedNot401,
        Kind::UndocumentedProperty,
    ];

    /// The kind named `name` (as `as_str` writes it).
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// What a finding is a sign of, which decides whether it fails a run (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// The server departs from the spec: an undocumented status or content type, a schema
    /// violation, invalid input accepted, ignored credentials, … Fails a run by default.
    Drift,
    /// A 5xx answer. Where the status is not documented, the `undocumented-status` beside it
    /// is drift; the failure itself fails `test` by default (the server broke on input the spec
    /// allows) but not `verify` (a recorded outage is not the spec's concern) unless asked.
    ServerError,
    /// The client broke the spec (a request that does not match it); when the server refused
    /// it, that is the server doing its job. Reported apart; fails only when asked.
    Client,
    /// Worth knowing, never failing by itself (`undocumented-property`).
    Note,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Drift => "drift",
            Level::ServerError => "server-error",
            Level::Client => "client",
            Level::Note => "note",
        }
    }

    pub fn parse(name: &str) -> Option<Level> {
        [Level::Drift, Level::ServerError, Level::Client, Level::Note]
            .into_iter()
            .find(|l| l.as_str() == name)
    }

    /// What fails `specdrift test` unless `--fail-on` says otherwise.
    pub const TEST_DEFAULT: [Level; 2] = [Level::Drift, Level::ServerError];
    /// What fails `specdrift verify` unless `--fail-on` says otherwise.
    pub const VERIFY_DEFAULT: [Level; 1] = [Level::Drift];
}

/// One place where the traffic and the spec disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub kind: Kind,
    /// The operation's `operationId` (or `METHOD /path`).
    pub operation: String,
    /// JSON pointer of the offending value in the body ("" for the whole message).
    pub pointer: String,
    /// The spec node broken, as `file:line #/pointer`.
    pub spec_location: Option<String>,
    /// The failing JSON Schema keyword (`enum`, `required`, `type`…), for schema findings.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyword: String,
    pub expected: String,
    pub observed: String,
    pub message: String,
    /// The other side, for cross-operation findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<String>,
    /// The shortest call sequence seen to produce it (`METHOD path` lines), last call last.
    pub reproduce: Vec<String>,
    /// A curl command repeating the last call against the target.
    pub curl: String,
    /// The answer to each call of `reproduce` (status, content type and the body's start),
    /// the last being the answer that showed it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<String>,
    /// How many interactions showed it.
    pub occurrences: usize,
    /// Listed in the baseline.
    #[serde(default)]
    pub known: bool,
    /// Index of the interaction it came from, within the checked traffic.
    #[serde(skip)]
    pub interaction: Option<usize>,
}

impl Finding {
    pub fn new(kind: Kind, operation: &str) -> Self {
        Finding {
            kind,
            operation: operation.to_string(),
            pointer: String::new(),
            spec_location: None,
            keyword: String::new(),
            expected: String::new(),
            observed: String::new(),
            message: String::new(),
            related: None,
            reproduce: Vec::new(),
            curl: String::new(),
            answers: Vec::new(),
            occurrences: 1,
            known: false,
            interaction: None,
        }
    }

    pub fn with_interaction(mut self, index: usize, interaction: &Interaction) -> Self {
        self.interaction = Some(index);
        // Redacted once for both renderings (a run makes a finding of every departing call).
        let redacted = Redaction::default().apply(interaction);
        self.curl = curl_of_redacted(&redacted);
        self.reproduce = vec![call_line(interaction)];
        self.answers = vec![answer_of_redacted(&redacted)];
        self
    }

    pub fn pointer(mut self, pointer: &str) -> Self {
        self.pointer = pointer.to_string();
        self
    }

    pub fn at(mut self, model: &Model, at: Option<(generator::load::DocId, String)>) -> Self {
        self.spec_location = at.map(|a| location_text(&model.location(&a)));
        self
    }

    pub fn at_location(mut self, location: Option<String>) -> Self {
        self.spec_location = location;
        self
    }

    pub fn keyword(mut self, keyword: &str) -> Self {
        self.keyword = keyword.to_string();
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = expected.into();
        self
    }

    pub fn observed(mut self, observed: impl Into<String>) -> Self {
        self.observed = observed.into();
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn related(mut self, related: impl Into<String>) -> Self {
        self.related = Some(related.into());
        self
    }

    /// What makes two findings the same: kind, operation, the pointer with array indices
    /// generalized, the keyword, and for value-shaped findings the value.
    pub fn key(&self) -> String {
        let value = match self.kind {
            Kind::SchemaViolation | Kind::CrossOperationInconsistency | Kind::UnknownEnumValue
                if self.keyword == "enum" || self.kind == Kind::UnknownEnumValue =>
            {
                self.observed.as_str()
            }
            Kind::UndocumentedStatus
            | Kind::UndocumentedContentType
            | Kind::UndocumentedHeader
            | Kind::ServerError
            | Kind::ResponseHeaderViolation => self.observed.as_str(),
            _ => "",
        };
        format!(
            "{}|{}|{}|{}|{}",
            self.kind.as_str(),
            self.operation,
            self.generalized_pointer(),
            self.keyword,
            value
        )
    }

    /// The pointer with array indices generalized (`/items/3/status` is `/items/*/status`).
    fn generalized_pointer(&self) -> String {
        self.pointer
            .split('/')
            .map(|t| {
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                    "*"
                } else {
                    t
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// What makes findings one cause: the same operation, the same body place (array indices
    /// generalized) and the same observed value — a schema violation, the cross-operation
    /// inconsistency it makes and the typed client's `Unknown` for one value are one cause with
    /// three facets. A finding that names no place or value is a cause of its own.
    pub fn cause_key(&self) -> String {
        if self.pointer.is_empty() || self.observed.is_empty() {
            return self.key();
        }
        format!(
            "{}|{}|{}",
            self.operation,
            self.generalized_pointer(),
            self.observed
        )
    }
}

fn location_text(location: &generator::Location) -> String {
    match location.line {
        Some(line) => format!("{}:{line} #{}", location.file.display(), location.pointer),
        None => format!("{} #{}", location.file.display(), location.pointer),
    }
}

pub fn call_line(interaction: &Interaction) -> String {
    let path = reqwest::Url::parse(&interaction.url).map(|u| match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    });
    let body = if interaction.request_body.is_empty() {
        String::new()
    } else {
        format!(" {}", interaction.request_body)
    };
    format!(
        "{} {}{body}",
        interaction.method,
        path.unwrap_or_else(|_| interaction.url.clone())
    )
}

/// An answer as reports show it: status, content type and the body's first 2,000 characters
/// (secrets by name and shape hidden; the report's scrub hides the rest).
pub fn answer(interaction: &Interaction) -> String {
    answer_of_redacted(&Redaction::default().apply(interaction))
}

fn answer_of_redacted(redacted: &Interaction) -> String {
    format!(
        "{} {}\n\n{}",
        redacted.status,
        redacted
            .response_header("content-type")
            .unwrap_or("(no content type)"),
        crate::check::clip(&redacted.response_body, 2_000)
    )
}

/// A curl command for `interaction`, with credentials left to the environment.
pub fn curl(interaction: &Interaction) -> String {
    curl_of_redacted(&Redaction::default().apply(interaction))
}

fn curl_of_redacted(redacted: &Interaction) -> String {
    let mut out = format!(
        "curl -X {} '{}'",
        redacted.method,
        redacted.url.replace('\'', "'\\''")
    );
    for (k, v) in &redacted.request_headers {
        let lower = k.to_ascii_lowercase();
        if lower == "authorization" {
            // The credential comes from the environment, as `specdrift test --bearer` reads it.
            let scheme = v
                .split(' ')
                .next()
                .filter(|s| s.eq_ignore_ascii_case("basic"))
                .map_or("Bearer $SPECDRIFT_TOKEN", |_| "Basic $SPECDRIFT_BASIC");
            let _ = write!(out, " -H \"authorization: {scheme}\"");
        } else if matches!(lower.as_str(), "content-type" | "accept") || lower.starts_with("x-") {
            let _ = write!(out, " -H '{k}: {}'", v.replace('\'', "'\\''"));
        }
    }
    if !redacted.request_body.is_empty() {
        let _ = write!(
            out,
            " --data '{}'",
            redacted.request_body.replace('\'', "'\\''")
        );
    }
    out
}

/// Merges findings with the same key, keeping the shortest reproduction and counting occurrences.
pub fn dedupe(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged = Merged::default();
    for f in findings {
        merged.add(f);
    }
    merged.into_findings()
}

/// Findings merged as they come, by key, in order of first appearance: what [`dedupe`] does,
/// for a stream (its size is the number of distinct findings, whatever the traffic's).
#[derive(Debug, Default)]
pub struct Merged {
    by_key: std::collections::HashMap<String, usize>,
    findings: Vec<Finding>,
}

impl Merged {
    /// Adds `f`; returns whether it is the first of its key.
    pub fn add(&mut self, f: Finding) -> bool {
        let key = f.key();
        match self.by_key.get(&key) {
            Some(&at) => {
                let existing = &mut self.findings[at];
                existing.occurrences += f.occurrences;
                if f.reproduce.len() < existing.reproduce.len() {
                    existing.reproduce = f.reproduce;
                    existing.curl = f.curl;
                    existing.answers = f.answers;
                }
                false
            }
            None => {
                self.by_key.insert(key, self.findings.len());
                self.findings.push(f);
                true
            }
        }
    }

    /// The findings merged so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// Known findings: reported, but they do not fail a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub known: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub key: String,
    /// Why it is accepted for now.
    #[serde(default)]
    pub note: String,
}

impl Baseline {
    /// Reads a baseline; a missing file is an empty baseline.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Baseline::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

/// The outcome of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Baseline keys that did not reproduce.
    pub stale: Vec<String>,
    pub interactions: usize,
    /// The levels whose new findings fail the run.
    #[serde(skip, default = "test_default")]
    pub fail_on: Vec<Level>,
    /// Interactions not judged, by reason (`other host cdn.example.com`, `CORS preflight`).
    #[serde(default)]
    pub skipped: Vec<(String, usize)>,
}

fn test_default() -> Vec<Level> {
    Level::TEST_DEFAULT.to_vec()
}

impl Report {
    /// De-duplicates `findings` and marks those the baseline knows.
    pub fn new(findings: Vec<Finding>, baseline: &Baseline, interactions: usize) -> Report {
        let mut findings = dedupe(findings);
        for f in &mut findings {
            f.known = baseline.known.iter().any(|k| k.key == f.key());
        }
        let stale = baseline
            .known
            .iter()
            .filter(|k| !findings.iter().any(|f| f.key() == k.key))
            .map(|k| k.key.clone())
            .collect();
        Report {
            findings,
            stale,
            interactions,
            fail_on: test_default(),
            skipped: Vec::new(),
        }
    }

    /// The report with `secrets` (and every secret shape) scrubbed from each finding's text:
    /// what every rendering (text, JSON, JUnit) prints. Baseline matching is already done.
    pub fn redacted(mut self, secrets: &crate::redact::Secrets) -> Report {
        for f in &mut self.findings {
            for text in [
                &mut f.pointer,
                &mut f.expected,
                &mut f.observed,
                &mut f.message,
                &mut f.curl,
            ] {
                *text = secrets.scrub(text);
            }
            if let Some(related) = &mut f.related {
                *related = secrets.scrub(related);
            }
            for line in f.reproduce.iter_mut().chain(f.answers.iter_mut()) {
                *line = secrets.scrub(line);
            }
        }
        self
    }

    /// The HTML report ([`crate::html`]): one self-contained page.
    pub fn to_html(&self, context: &crate::html::Context) -> String {
        crate::html::render(self, context)
    }

    pub fn new_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.known)
    }

    /// Whether `f` fails the run: new, and of a level in [`Report::fail_on`].
    pub fn failing(&self, f: &Finding) -> bool {
        !f.known && self.fail_on.contains(&f.kind.level())
    }

    /// True when some finding fails the run ([`Report::failing`]).
    pub fn fails(&self) -> bool {
        self.findings.iter().any(|f| self.failing(f))
    }

    /// The tag a cause carries in text: `NEW` when it fails the run, `known` when the baseline
    /// has every facet, else the level of its weightiest facet (`server-error`, `client`, `note`).
    pub fn tag(&self, facets: &[&Finding]) -> &'static str {
        if facets.iter().any(|f| self.failing(f)) {
            "NEW"
        } else if facets.iter().all(|f| f.known) {
            "known"
        } else {
            facets
                .iter()
                .filter(|f| !f.known)
                .map(|f| f.kind.level())
                .min()
                .map_or("known", Level::as_str)
        }
    }

    /// The findings grouped by cause ([`Finding::cause_key`]), each group in report order and
    /// the groups in the order of their first facet.
    pub fn causes(&self) -> Vec<Vec<&Finding>> {
        let mut order: Vec<String> = Vec::new();
        let mut groups: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
        for f in &self.findings {
            let key = f.cause_key();
            if !groups.contains_key(&key) {
                order.push(key.clone());
            }
            groups.entry(key).or_default().push(f);
        }
        order
            .into_iter()
            .filter_map(|k| groups.remove(&k))
            .collect()
    }

    pub fn to_json(&self) -> String {
        let new = self.new_findings().count();
        let value = serde_json::json!({
            "summary": {"new": new, "known": self.findings.len() - new, "stale": self.stale.len(), "interactions": self.interactions, "causes": self.causes().len(),
                "skipped": self.skipped.iter().map(|(reason, n)| (reason.clone(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>()},
            "findings": self.findings.iter().map(|f| {
                let mut v = serde_json::to_value(f).unwrap_or_default();
                v["key"] = serde_json::Value::String(f.key());
                v["cause"] = serde_json::Value::String(f.cause_key());
                v
            }).collect::<Vec<_>>(),
            "stale": self.stale,
        });
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }

    /// The terminal summary: one entry per cause, its facets listed under it, with the
    /// shortest reproduction any facet has.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let new = self.new_findings().count();
        let causes = self.causes();
        let _ = writeln!(
            out,
            "drift report: {} finding(s) in {} interaction(s), {} cause(s): {new} new, {} known, {} stale baseline entr(y/ies)",
            self.findings.len(),
            self.interactions,
            causes.len(),
            self.findings.len() - new,
            self.stale.len()
        );
        if !self.skipped.is_empty() {
            let parts: Vec<String> = self
                .skipped
                .iter()
                .map(|(reason, n)| format!("{n} {reason}"))
                .collect();
            let _ = writeln!(out, "not judged: {}", parts.join(", "));
        }
        for facets in &causes {
            let first = facets[0];
            let tag = self.tag(facets);
            let kinds: Vec<&str> = facets.iter().map(|f| f.kind.as_str()).collect();
            let _ = writeln!(
                out,
                "\n[{tag}] {} in {}: {}",
                kinds.join(" + "),
                first.operation,
                first.message
            );
            if let Some(at) = facets.iter().find_map(|f| f.spec_location.as_ref()) {
                let _ = writeln!(out, "  spec:      {at}");
            }
            if !first.pointer.is_empty() {
                let _ = writeln!(out, "  pointer:   {}", first.pointer);
            }
            let _ = writeln!(out, "  expected:  {}", first.expected);
            let _ = writeln!(out, "  observed:  {}", first.observed);
            for f in &facets[1..] {
                let known = if f.known && !first.known {
                    " (known)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "  also:      {}{known}: {}",
                    f.kind.as_str(),
                    f.message
                );
            }
            for related in facets.iter().filter_map(|f| f.related.as_ref()) {
                let _ = writeln!(out, "  related:   {related}");
            }
            let seen = facets.iter().map(|f| f.occurrences).max().unwrap_or(1);
            if seen > 1 {
                let _ = writeln!(out, "  seen:      {seen} times");
            }
            let shortest = facets
                .iter()
                .filter(|f| !f.reproduce.is_empty())
                .min_by_key(|f| f.reproduce.len())
                .unwrap_or(&first);
            let _ = writeln!(out, "  reproduce: {} call(s)", shortest.reproduce.len());
            for (i, call) in shortest.reproduce.iter().enumerate() {
                let _ = writeln!(out, "    {}. {}", i + 1, call);
            }
            if !shortest.curl.is_empty() {
                let _ = writeln!(out, "  curl:      {}", shortest.curl);
            }
        }
        for key in &self.stale {
            let _ = writeln!(out, "\n[stale] baseline entry no longer reproduces: {key}");
        }
        out
    }

    /// JUnit XML: one test case per finding (new ones fail) and per stale baseline entry.
    pub fn to_junit(&self) -> String {
        let new = self.findings.iter().filter(|f| self.failing(f)).count();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites><testsuite name=\"specdrift\" tests=\"{}\" failures=\"{new}\">",
            self.findings.len() + self.stale.len()
        );
        for f in &self.findings {
            let _ = write!(
                out,
                "<testcase classname=\"{}\" name=\"{}\">",
                xml(&f.operation),
                xml(&f.key())
            );
            if f.known {
                let _ = write!(out, "<system-out>known: {}</system-out>", xml(&f.message));
            } else if !self.failing(f) {
                let _ = write!(
                    out,
                    "<system-out>{}: {}</system-out>",
                    f.kind.level().as_str(),
                    xml(&f.message)
                );
            } else {
                let _ = write!(
                    out,
                    "<failure type=\"{}\" message=\"{}\">{}\n{}</failure>",
                    f.kind.as_str(),
                    xml(&f.message),
                    xml(f.spec_location.as_deref().unwrap_or("")),
                    xml(&f.curl)
                );
            }
            out.push_str("</testcase>\n");
        }
        for key in &self.stale {
            let _ = writeln!(
                out,
                "<testcase classname=\"baseline\" name=\"{}\"><system-out>stale: no longer reproduces</system-out></testcase>",
                xml(key)
            );
        }
        out.push_str("</testsuite></testsuites>\n");
        out
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_of_one_value_at_one_place_are_one_cause_with_facets() {
        let facet = |kind: Kind, calls: usize| {
            let mut f = Finding::new(kind, "getStatus")
                .pointer("/items/3/status")
                .observed("\"rejected\"")
                .keyword("enum")
                .message(format!("{} message", kind.as_str()));
            f.reproduce = (0..calls).map(|i| format!("GET /call/{i}")).collect();
            f
        };
        let mut other = facet(Kind::SchemaViolation, 1);
        other.observed = "\"lost\"".into();
        let report = Report::new(
            vec![
                facet(Kind::SchemaViolation, 9),
                facet(Kind::CrossOperationInconsistency, 4),
                facet(Kind::UnknownEnumValue, 6),
                other,
            ],
            &Baseline::default(),
            10,
        );
        assert_eq!(report.causes().len(), 2);
        let text = report.to_text();
        assert!(text.contains("10 interaction(s), 2 cause(s)"), "{text}");
        assert_eq!(text.matches("observed:  \"rejected\"").count(), 1, "{text}");
        assert!(
            text.contains("[NEW] schema-violation + cross-operation-inconsistency + unknown-enum-value in getStatus"),
            "{text}"
        );
        assert!(
            text.contains("also:      unknown-enum-value: unknown-enum-value message"),
            "{text}"
        );
        // The shortest reproduction of any facet is the one shown.
        assert!(
            text.contains("reproduce: 4 call(s)") && !text.contains("reproduce: 9"),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["summary"]["causes"], 2);
        let findings = json["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 4, "JSON keeps every facet");
        assert_eq!(findings[0]["cause"], findings[2]["cause"]);
        assert_ne!(findings[0]["key"], findings[2]["key"]);
        assert_ne!(findings[0]["cause"], findings[3]["cause"]);
        assert_eq!(report.to_junit().matches("<testcase").count(), 4);
    }

    #[test]
    fn every_kind_is_written_and_read_by_one_name() {
        for kind in Kind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
    }
}
