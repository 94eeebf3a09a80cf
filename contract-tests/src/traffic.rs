//! Recorded HTTP traffic: one [`Interaction`] per request/response pair, read from a VCR
//! cassette (the format the `vcr-cassette` crate and Ruby's VCR read) or a HAR 1.2 file, and
//! written as a cassette with secrets redacted and, on request, personal data masked.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::redact::Redaction;

/// One request and the response it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    pub method: String,
    /// The full URL as sent.
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: String,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    /// When it was recorded (RFC 2822, as VCR writes it).
    pub recorded_at: String,
}

impl Interaction {
    /// A header's first value, by case-insensitive name.
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The URL's path, without query.
    pub fn path(&self) -> String {
        match reqwest::Url::parse(&self.url) {
            Ok(url) => url.path().to_string(),
            Err(_) => self.url.split('?').next().unwrap_or("").to_string(),
        }
    }
}

// The VCR cassette format. Headers are kept in a sorted map so written cassettes are deterministic.
#[derive(Debug, Serialize, Deserialize)]
struct Cassette {
    http_interactions: Vec<VcrInteraction>,
    recorded_with: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct VcrInteraction {
    request: VcrRequest,
    response: VcrResponse,
    recorded_at: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct VcrRequest {
    uri: String,
    body: VcrBody,
    method: String,
    headers: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct VcrResponse {
    body: VcrBody,
    http_version: Option<String>,
    status: VcrStatus,
    headers: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum VcrBody {
    Struct {
        encoding: Option<String>,
        string: String,
    },
    Text(String),
}

impl VcrBody {
    fn text(self) -> String {
        match self {
            VcrBody::Struct { string, .. } | VcrBody::Text(string) => string,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct VcrStatus {
    code: u16,
    message: String,
}

fn flatten(headers: BTreeMap<String, Vec<String>>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .flat_map(|(k, vs)| vs.into_iter().map(move |v| (k.clone(), v)))
        .collect()
}

fn group(headers: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in headers {
        out.entry(k.clone()).or_default().push(v.clone());
    }
    out
}

/// Why traffic could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is neither a VCR cassette nor a HAR 1.2 file: {message}")]
    Format { path: String, message: String },
}

/// Reads a cassette (JSON or YAML) or a HAR file, told apart by content.
pub fn read(path: &Path) -> Result<Vec<Interaction>, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let format_error = |message: String| ReadError::Format {
        path: path.display().to_string(),
        message,
    };
    // HAR files are large: parse them straight into their types, not through a `Value`.
    let head: String = text.trim_start().chars().take(64).collect();
    if head.starts_with('{')
        && head
            .replace(char::is_whitespace, "")
            .starts_with("{\"log\"")
    {
        return har_text(&text).map_err(format_error);
    }
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(json_err) => match generator::load::parse_text(&text) {
            Ok(v) => v,
            Err(_) => return Err(format_error(format!("not JSON ({json_err}) and not YAML"))),
        },
    };
    if value.get("log").is_some() {
        return har(value).map_err(format_error);
    }
    let cassette: Cassette =
        serde_json::from_value(value).map_err(|e| format_error(e.to_string()))?;
    Ok(cassette
        .http_interactions
        .into_iter()
        .map(|i| Interaction {
            method: i.request.method.to_ascii_uppercase(),
            url: i.request.uri,
            request_headers: flatten(i.request.headers),
            request_body: i.request.body.text(),
            status: i.response.status.code,
            response_headers: flatten(i.response.headers),
            response_body: i.response.body.text(),
            recorded_at: i.recorded_at,
        })
        .collect())
}

fn har(value: Value) -> Result<Vec<Interaction>, String> {
    har_text(&value.to_string())
}

fn har_text(text: &str) -> Result<Vec<Interaction>, String> {
    #[derive(Deserialize)]
    struct Har {
        log: Log,
    }
    #[derive(Deserialize)]
    struct Log {
        entries: Vec<Entry>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Entry {
        #[serde(default)]
        started_date_time: String,
        request: HarRequest,
        response: HarResponse,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct HarRequest {
        method: String,
        url: String,
        #[serde(default)]
        headers: Vec<NameValue>,
        post_data: Option<PostData>,
    }
    #[derive(Deserialize)]
    struct PostData {
        #[serde(default)]
        text: String,
    }
    #[derive(Deserialize)]
    struct HarResponse {
        status: u16,
        #[serde(default)]
        headers: Vec<NameValue>,
        content: Content,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Content {
        #[serde(default)]
        text: String,
        encoding: Option<String>,
        #[serde(default)]
        mime_type: String,
    }
    #[derive(Deserialize)]
    struct NameValue {
        name: String,
        value: String,
    }
    let har: Har = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(har
        .log
        .entries
        .into_iter()
        .map(|e| {
            let mut response_headers: Vec<(String, String)> = e
                .response
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect();
            if !response_headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                && !e.response.content.mime_type.is_empty()
            {
                response_headers
                    .push(("Content-Type".into(), e.response.content.mime_type.clone()));
            }
            let body = if e.response.content.encoding.as_deref() == Some("base64") {
                String::new()
            } else {
                e.response.content.text
            };
            Interaction {
                method: e.request.method.to_ascii_uppercase(),
                url: e.request.url,
                request_headers: e
                    .request
                    .headers
                    .into_iter()
                    .filter(|h| !h.name.starts_with(':'))
                    .map(|h| (h.name, h.value))
                    .collect(),
                request_body: e.request.post_data.map(|p| p.text).unwrap_or_default(),
                status: e.response.status,
                response_headers: response_headers
                    .into_iter()
                    .filter(|(k, _)| !k.starts_with(':'))
                    .collect(),
                response_body: body,
                recorded_at: e.started_date_time,
            }
        })
        .collect())
}

/// Writes `interactions` as a VCR cassette (JSON), after `redaction`.
pub fn write_cassette(
    path: &Path,
    interactions: &[Interaction],
    redaction: &Redaction,
) -> std::io::Result<()> {
    let cassette = Cassette {
        http_interactions: redaction
            .apply_all(interactions)
            .into_iter()
            .map(|i| VcrInteraction {
                request: VcrRequest {
                    uri: i.url,
                    body: VcrBody::Struct {
                        encoding: Some("UTF-8".into()),
                        string: i.request_body,
                    },
                    method: i.method.to_ascii_lowercase(),
                    headers: group(&i.request_headers),
                },
                response: VcrResponse {
                    body: VcrBody::Struct {
                        encoding: Some("UTF-8".into()),
                        string: i.response_body,
                    },
                    http_version: Some("1.1".into()),
                    status: VcrStatus {
                        code: i.status,
                        message: reason(i.status).into(),
                    },
                    headers: group(&i.response_headers),
                },
                recorded_at: i.recorded_at,
            })
            .collect(),
        recorded_with: format!("specdrift {}", env!("CARGO_PKG_VERSION")),
    };
    let text = serde_json::to_string_pretty(&cassette).map_err(std::io::Error::other)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text + "\n")
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// `Sun, 22 Nov 2026 18:53:00 GMT` for now: the date form VCR writes.
pub fn now_rfc2822() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}
