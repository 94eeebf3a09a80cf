//! Recorded HTTP traffic: one [`Interaction`] per request/response pair, read from a VCR
//! cassette (the format the `vcr-cassette` crate and Ruby's VCR read) or a HAR 1.2 file, and
//! written as a cassette with secrets redacted and, on request, personal data masked.

use std::borrow::Cow;
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

/// The bytes a URL's path may hold that a parser leaves as they are: unreserved and
/// sub-delimiter characters, `:`, `@` and `/` (no escape, no space).
static PLAIN_PATH: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'/' | b'-'
                    | b'_'
                    | b'.'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        b += 1;
    }
    table
};

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

    /// The URL's query parameters, decoded, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        // The fragment first: a `?` after `#` starts no query.
        let before_fragment = self.url.split('#').next().unwrap_or_default();
        let Some((_, query)) = before_fragment.split_once('?') else {
            return Vec::new();
        };
        // A URL parser would percent-encode what the query holds unescaped (a space, a
        // non-ASCII letter) and the pairs decode it again: plain queries skip that round trip.
        if query.bytes().all(|b| b.is_ascii_graphic()) {
            return form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        }
        reqwest::Url::parse(&self.url)
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The URL's path, without query, as a URL parser reads it (percent-encoded).
    pub fn path(&self) -> Cow<'_, str> {
        // Most recorded URLs need no parser: `http(s)://host/path?query` in plain characters,
        // which a parser would return as they are.
        let colon = self.url.find(':').unwrap_or(self.url.len());
        let (scheme, rest) = self.url.split_at(colon);
        if let Some(rest) = rest.strip_prefix("://")
            && (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http"))
        {
            let host_end = rest
                .bytes()
                .position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\'))
                .unwrap_or(rest.len());
            let tail = &rest[host_end..];
            let path = match tail.as_bytes().first() {
                Some(b'/') => {
                    &tail[..tail
                        .bytes()
                        .position(|b| b == b'?' || b == b'#')
                        .unwrap_or(tail.len())]
                }
                None | Some(b'?') | Some(b'#') => "/",
                Some(_) => "",
            };
            // No `.` or `..` segment either (nor any segment starting with a dot, to be short).
            let mut after_slash = false;
            let plain = !path.is_empty()
                && path.bytes().all(|b| {
                    let ok = PLAIN_PATH[b as usize] && !(after_slash && b == b'.');
                    after_slash = b == b'/';
                    ok
                })
                && !rest.as_bytes()[..host_end].contains(&b'%');
            if plain {
                return Cow::Borrowed(path);
            }
        }
        match reqwest::Url::parse(&self.url) {
            Ok(url) => Cow::Owned(url.path().to_string()),
            Err(_) => Cow::Owned(self.url.split('?').next().unwrap_or("").to_string()),
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

#[derive(Debug, Serialize, Deserialize)]
struct VcrStatus {
    code: u16,
    message: String,
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
    #[error(
        "{path} is not a capture specdrift reads (a VCR cassette: ours, Ruby VCR's, vcrpy's or schemathesis's; a HAR 1.2 file; line-delimited JSON): {message}"
    )]
    Format { path: String, message: String },
}

/// A part of a capture, as [`batches`] hands it over.
#[derive(Debug)]
pub enum Batch {
    /// Lines of a line-delimited capture, entries of a HAR document or interactions of a JSON
    /// cassette, each as its JSON text, not yet parsed (the caller parses them, on as many
    /// cores as it has, with [`parse_entry`]); `first` is the first one's line number or
    /// position in the document (from 1).
    Entries {
        format: EntryFormat,
        first: usize,
        entries: Vec<String>,
    },
    /// Interactions of a capture read whole (a YAML cassette with anchors or aliases, or a
    /// document of another shape).
    Interactions(Vec<Interaction>),
}

/// What the entries of a streamed capture are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryFormat {
    /// A line of a line-delimited capture (one VCR interaction; a blank line is none).
    Line,
    /// HAR 1.2 `log.entries`.
    Har,
    /// A cassette's `http_interactions` (VCR, schemathesis) or `interactions` (vcrpy).
    Vcr,
    /// The same in a YAML cassette: one list item as YAML text, dedented to a mapping.
    VcrYaml,
}

/// Reads a capture (a cassette in JSON or YAML, a HAR file, or line-delimited JSON), told
/// apart by content, whole.
pub fn read(path: &Path) -> Result<Vec<Interaction>, ReadError> {
    let mut out = Vec::new();
    batches(path, 4096, &mut |batch| {
        match batch {
            Batch::Interactions(list) => out.extend(list),
            Batch::Entries {
                format,
                first,
                entries,
            } => {
                for (n, entry) in entries.iter().enumerate() {
                    out.extend(parse_entry(format, entry, first + n)?);
                }
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// Reads the capture at `path` and hands it to `each` in batches of about `size`
/// interactions. A line-delimited capture (one VCR interaction, `{"request": …, "response":
/// …}`, per line), a HAR document (`{"log": {"entries": […]}}`), a JSON cassette that names
/// its list first (`{"http_interactions": […]}`) and a YAML cassette with a top-level block
/// list and no anchors are streamed: never more than one batch of them is in memory, whatever
/// their size. Other documents are read whole.
/// An error `each` returns stops the reading and is reported as the capture's.
pub fn batches(
    path: &Path,
    size: usize,
    each: &mut dyn FnMut(Batch) -> Result<(), String>,
) -> Result<(), ReadError> {
    use std::io::BufRead as _;
    let io = |source| ReadError::Io {
        path: path.display().to_string(),
        source,
    };
    let format_error = |message: String| ReadError::Format {
        path: path.display().to_string(),
        message,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    // A HAR document (`{"log": …`) or a JSON cassette (`{"http_interactions": …`), on one
    // line or pretty-printed, is streamed entry by entry, told from what the reader holds
    // before any line is read (its first line may be all of it).
    let document = {
        let buffered = reader.fill_buf().map_err(io)?;
        let start = &buffered[..buffered.len().min(4096)];
        let text: String = String::from_utf8_lossy(start).split_whitespace().collect();
        ["{\"log\"", "{\"http_interactions\"", "{\"interactions\""]
            .iter()
            .any(|start| text.starts_with(start))
    };
    if document {
        return document_batches(reader, size, each).map_err(format_error);
    }
    // The first non-blank line tells a line-delimited capture from a document.
    let mut head = String::new();
    let mut line_no = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(io)? == 0 {
            break;
        }
        line_no += 1;
        head.push_str(&line);
        if !line.trim().is_empty() {
            break;
        }
    }
    let first = head.trim();
    // (A document naming its list first was streamed above.)
    let streamed = first.starts_with('{')
        && serde_json::from_str::<Value>(first)
            .is_ok_and(|v| v.get("request").is_some() && v.get("response").is_some());
    if !streamed && let Some(list) = yaml_list(path).map_err(io)? {
        return yaml_batches(path, list, size, each).map_err(|e| match e {
            YamlError::Io(source) => io(source),
            YamlError::Each(message) => format_error(message),
        });
    }
    if !streamed {
        let mut text = head;
        std::io::Read::read_to_string(&mut reader, &mut text).map_err(io)?;
        let mut list = read_text(&text).map_err(format_error)?;
        drop(text);
        while !list.is_empty() {
            let rest = list.split_off(size.clamp(1, list.len()));
            each(Batch::Interactions(std::mem::replace(&mut list, rest))).map_err(format_error)?;
        }
        return Ok(());
    }
    let mut lines = vec![first.to_string()];
    let mut first_line = line_no;
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).map_err(io)?;
        if read > 0 {
            line.truncate(line.trim_end().len());
            lines.push(line);
        }
        if lines.len() >= size || (read == 0 && !lines.is_empty()) {
            let batch = std::mem::take(&mut lines);
            let count = batch.len();
            each(Batch::Entries {
                format: EntryFormat::Line,
                first: first_line,
                entries: batch,
            })
            .map_err(format_error)?;
            first_line += count;
        }
        if read == 0 {
            return Ok(());
        }
    }
}

/// Where a YAML cassette's interactions are: the 1-based line of its top-level
/// `http_interactions:` or `interactions:` key, and the indentation of the list's `- ` items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct YamlList {
    key_line: usize,
    indent: usize,
}

/// The list of a YAML cassette that can be read an item at a time, found by a first pass over
/// the file: a top-level `http_interactions:` or `interactions:` key with a block list under
/// it, and no anchor or alias anywhere (an item could name what another defines), no flow
/// list, no second document. `None` sends the file to the whole-document reader.
fn yaml_list(path: &Path) -> std::io::Result<Option<YamlList>> {
    use std::io::BufRead as _;
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
    let mut found: Option<YamlList> = None;
    let mut key_line = None;
    let mut documents = 0;
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        if line.starts_with("---") || line.starts_with("...") || line.starts_with('%') {
            documents += 1;
            if documents > 1 || line.starts_with("...") || line.starts_with('%') {
                return Ok(None);
            }
            continue;
        }
        if anchors_or_aliases(&line) {
            return Ok(None);
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if found.is_none() {
            match key_line {
                None if ["http_interactions:", "interactions:"]
                    .iter()
                    .any(|k| line.trim_end() == *k) =>
                {
                    key_line = Some(n + 1);
                }
                // The first thing under the key: the list's first item.
                Some(key) if trimmed == "-" || trimmed.starts_with("- ") => {
                    found = Some(YamlList {
                        key_line: key,
                        indent: line.len() - trimmed.len(),
                    });
                }
                Some(_) => return Ok(None),
                None => {}
            }
        }
    }
    Ok(found)
}

/// Whether a YAML line may hold an anchor (`&id001`) or an alias (`*id001`) outside quotes: a
/// `&` or `*` after a space, `-` or `:` and before a name. Text in quotes can look alike;
/// such a file is only read whole.
fn anchors_or_aliases(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.windows(3).any(|w| {
        matches!(w[0], b' ' | b'-' | b':' | b'[' | b',')
            && matches!(w[1], b'&' | b'*')
            && (w[2].is_ascii_alphanumeric() || w[2] == b'_')
    }) || bytes.first().is_some_and(|b| matches!(b, b'&' | b'*'))
}

enum YamlError {
    Io(std::io::Error),
    Each(String),
}

/// The items of a YAML cassette's list handed to `each` in batches of `size`, each as the YAML
/// text of its mapping: never more than one batch is in memory, and the items are parsed where
/// the batch goes.
fn yaml_batches(
    path: &Path,
    list: YamlList,
    size: usize,
    each: &mut dyn FnMut(Batch) -> Result<(), String>,
) -> Result<(), YamlError> {
    use std::io::BufRead as _;
    let file = std::fs::File::open(path).map_err(YamlError::Io)?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    let item_start = " ".repeat(list.indent) + "-";
    let dedent = list.indent + 2;
    let (mut entries, mut item, mut first, mut count) = (Vec::new(), String::new(), 1, 0);
    let mut flush = |entries: &mut Vec<String>, first: &mut usize| -> Result<(), YamlError> {
        let batch = std::mem::take(entries);
        let n = batch.len();
        each(Batch::Entries {
            format: EntryFormat::VcrYaml,
            first: *first,
            entries: batch,
        })
        .map_err(YamlError::Each)?;
        *first += n;
        Ok(())
    };
    for line in reader.lines().skip(list.key_line) {
        let line = line.map_err(YamlError::Io)?;
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let blank = trimmed.is_empty() || (trimmed.starts_with('#') && indent <= list.indent);
        let starts_item = line.starts_with(&item_start)
            && matches!(line.as_bytes().get(list.indent + 1), None | Some(b' '));
        if !blank && !starts_item && indent <= list.indent {
            break; // the list is over (`recorded_with:`, `version: 1`)
        }
        if starts_item {
            if count > 0 {
                entries.push(std::mem::take(&mut item));
                if entries.len() >= size.max(1) {
                    flush(&mut entries, &mut first)?;
                }
            }
            count += 1;
            item.push_str(line.get(dedent..).unwrap_or_default());
        } else if !blank || indent > list.indent {
            item.push_str(line.get(dedent.min(indent)..).unwrap_or_default());
        }
        item.push('\n');
    }
    if count > 0 {
        entries.push(item);
    }
    if !entries.is_empty() {
        flush(&mut entries, &mut first)?;
    }
    Ok(())
}

/// One line of a line-delimited capture (`number` names it in errors): `None` when blank.
pub fn parse_line(line: &str, number: usize) -> Result<Option<Interaction>, String> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    // The shape specdrift writes, read straight into its types; any other dialect through a
    // `Value` (a line of it fails the fast shape, which is cheap to find out).
    if let Ok(line) = serde_json::from_str::<fast::Line>(line) {
        return Ok(Some(line.into()));
    }
    let value: Value = serde_json::from_str(line).map_err(|e| format!("line {number}: {e}"))?;
    vcr_interaction(&value)
        .map(Some)
        .map_err(|e| format!("line {number}: {e}"))
}

/// The VCR interaction as specdrift writes it (status `{code}`, headers as lists, bodies as
/// `{string}` or `null`), for the lines of a large capture; anything else fails to match and is
/// read by [`vcr_interaction`], which knows every dialect. Both give the same [`Interaction`].
mod fast {
    use serde::Deserialize;
    use serde::de::{Deserializer, MapAccess, Visitor};

    use super::Interaction;

    #[derive(Deserialize)]
    pub(super) struct Line {
        request: Request,
        response: Response,
        #[serde(default)]
        recorded_at: String,
    }

    #[derive(Deserialize)]
    struct Request {
        method: String,
        uri: String,
        #[serde(default)]
        headers: Headers,
        body: Option<Body>,
    }

    #[derive(Deserialize)]
    struct Response {
        status: Status,
        #[serde(default)]
        headers: Headers,
        body: Option<Body>,
    }

    #[derive(Deserialize)]
    struct Status {
        code: u16,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        string: String,
        #[serde(default, rename = "encoding")]
        _encoding: Option<String>,
    }

    /// `{"Name": ["value", …]}` in order, HTTP/2 pseudo-headers dropped.
    #[derive(Default)]
    struct Headers(Vec<(String, String)>);

    impl<'de> Deserialize<'de> for Headers {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Lists;
            impl<'de> Visitor<'de> for Lists {
                type Value = Headers;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("headers as a map of name to a list of values")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Headers, A::Error> {
                    let mut out = Vec::new();
                    while let Some(name) = map.next_key::<String>()? {
                        map.next_value_seed(Values {
                            // An HTTP/2 pseudo-header is read past, not kept.
                            keep: !name.starts_with(':'),
                            name: &name,
                            out: &mut out,
                        })?;
                    }
                    Ok(Headers(out))
                }
            }
            deserializer.deserialize_map(Lists)
        }
    }

    /// One header's list of values, each pushed beside its name (no list of its own).
    struct Values<'a> {
        keep: bool,
        name: &'a str,
        out: &'a mut Vec<(String, String)>,
    }

    impl<'de> serde::de::DeserializeSeed<'de> for Values<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for Values<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of header values")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(value) = seq.next_element::<String>()? {
                if self.keep {
                    self.out.push((self.name.to_string(), value));
                }
            }
            Ok(())
        }
    }

    impl From<Line> for Interaction {
        fn from(line: Line) -> Interaction {
            let Line {
                request,
                response,
                recorded_at,
            } = line;
            let text = |b: Option<Body>| b.map(|b| b.string).unwrap_or_default();
            Interaction {
                method: request.method.to_ascii_uppercase(),
                url: request.uri,
                request_headers: request.headers.0,
                request_body: text(request.body),
                status: response.status.code,
                response_headers: response.headers.0,
                response_body: text(response.body),
                recorded_at,
            }
        }
    }
}

fn read_text(text: &str) -> Result<Vec<Interaction>, String> {
    // HAR files are large: parse them straight into their types, not through a `Value`.
    let head: String = text.trim_start().chars().take(64).collect();
    if head.starts_with('{')
        && head
            .replace(char::is_whitespace, "")
            .starts_with("{\"log\"")
    {
        return har_text(text);
    }
    if line_delimited(text) && serde_json::from_str::<Value>(text).is_err() {
        return lines(text);
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(json_err) => match generator::load::parse_text(text) {
            Ok(v) => v,
            Err(_) => return Err(format!("not JSON ({json_err}) and not YAML")),
        },
    };
    if value.get("log").is_some() {
        return har(value);
    }
    cassette(&value)
}

fn lines(text: &str) -> Result<Vec<Interaction>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        out.extend(parse_line(line, n + 1)?);
    }
    Ok(out)
}

/// Whether `text` looks like line-delimited JSON: several lines, each a JSON object.
fn line_delimited(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_default().trim();
    let second = lines.next().unwrap_or_default().trim();
    first.starts_with('{') && first.ends_with('}') && second.starts_with('{')
}

/// The cassette dialects people have, read from their common shape: ours and Ruby VCR's
/// (`http_interactions`, JSON or YAML), vcrpy's (`interactions`, bodies as text or
/// `{string}`, `body: null`), and schemathesis's (`http_interactions` with string status
/// codes, `base64_string` bodies and per-interaction check results).
fn cassette(value: &Value) -> Result<Vec<Interaction>, String> {
    let list = value
        .get("http_interactions")
        .or_else(|| value.get("interactions"))
        .and_then(Value::as_array)
        .ok_or("no `http_interactions` (VCR, schemathesis) or `interactions` (vcrpy) list")?;
    list.iter()
        .enumerate()
        .map(|(i, v)| vcr_interaction(v).map_err(|e| format!("interaction {}: {e}", i + 1)))
        .collect()
}

fn vcr_interaction(v: &Value) -> Result<Interaction, String> {
    let request = v.get("request").ok_or("no `request`")?;
    let response = v.get("response").ok_or("no `response`")?;
    let text = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let method = text(request.get("method")).ok_or("the request has no `method`")?;
    let url = text(request.get("uri").or_else(|| request.get("url")))
        .ok_or("the request has no `uri`")?;
    let status = match response.get("status") {
        Some(Value::Object(s)) => text(s.get("code")),
        other => text(other),
    }
    .and_then(|c| c.trim().parse::<u16>().ok())
    .ok_or("the response has no status code")?;
    let recorded_at = text(v.get("recorded_at")).unwrap_or_default();
    Ok(Interaction {
        method: method.to_ascii_uppercase(),
        url,
        request_headers: headers(request.get("headers")),
        request_body: body(request.get("body"))?,
        status,
        response_headers: headers(response.get("headers")),
        response_body: body(response.get("body"))?,
        recorded_at,
    })
}

/// Headers as a map of name to a list (or one value), or as a list of `[name, value]` pairs.
fn headers(v: Option<&Value>) -> Vec<(String, String)> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match v {
        Some(Value::Object(map)) => map
            .iter()
            .flat_map(|(k, v)| match v {
                Value::Array(items) => items
                    .iter()
                    .filter_map(scalar)
                    .map(|s| (k.clone(), s))
                    .collect(),
                other => scalar(other)
                    .map(|s| (k.clone(), s))
                    .into_iter()
                    .collect::<Vec<_>>(),
            })
            .filter(|(k, _)| !k.starts_with(':'))
            .collect(),
        Some(Value::Array(pairs)) => pairs
            .iter()
            .filter_map(|p| Some((scalar(p.get(0)?)?, scalar(p.get(1)?)?)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A body as text: a string, `{string}`, `{base64_string}` (decoded; bytes that are not
/// UTF-8 kept lossily), or absent / `null` for none.
fn body(v: Option<&Value>) -> Result<String, String> {
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Object(map)) => {
            if let Some(Value::String(s)) = map.get("string") {
                return Ok(s.clone());
            }
            if let Some(Value::String(b64)) = map.get("base64_string") {
                return decode_base64(b64).map_err(|e| format!("a body's base64_string: {e}"));
            }
            Ok(String::new())
        }
        Some(other) => Ok(other.to_string()),
    }
}

fn decode_base64(text: &str) -> Result<String, String> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|e| e.to_string())
}

fn har(value: Value) -> Result<Vec<Interaction>, String> {
    har_text(&value.to_string())
}

fn har_text(text: &str) -> Result<Vec<Interaction>, String> {
    let har: har_format::Har = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(har.log.entries.into_iter().map(Interaction::from).collect())
}

/// One entry of a streamed capture, as its JSON text (`number` names it in errors): `None`
/// for a blank line.
pub fn parse_entry(
    format: EntryFormat,
    text: &str,
    number: usize,
) -> Result<Option<Interaction>, String> {
    match format {
        EntryFormat::Line => parse_line(text, number),
        EntryFormat::Har => serde_json::from_str::<har_format::Entry>(text)
            .map(|e| Some(e.into()))
            .map_err(|e| format!("HAR entry {number}: {e}")),
        EntryFormat::Vcr => serde_json::from_str::<Value>(text)
            .map_err(|e| e.to_string())
            .and_then(|v| vcr_interaction(&v))
            .map(Some)
            .map_err(|e| format!("interaction {number}: {e}")),
        EntryFormat::VcrYaml => generator::load::parse_text(text)
            .map_err(|e| format!("interaction {number}: YAML {e} (lines counted from its `- `)"))
            .and_then(|v| vcr_interaction(&v).map_err(|e| format!("interaction {number}: {e}")))
            .map(Some),
    }
}

/// A HAR document or JSON cassette read from `reader` an entry at a time, handed to `each`
/// in batches of `size` entries as their JSON text: never more than one batch is in memory, whatever the
/// document's size, and the entries are parsed where the batch goes (on every core).
fn document_batches(
    reader: impl std::io::Read,
    size: usize,
    each: &mut dyn FnMut(Batch) -> Result<(), String>,
) -> Result<(), String> {
    let mut failed = None;
    let mut stream = har_format::Stream {
        size: size.max(1),
        read: 0,
        format: EntryFormat::Har,
        each,
        failed: &mut failed,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let read =
        serde::de::DeserializeSeed::deserialize(&mut stream, &mut de).and_then(|()| de.end());
    match (read, failed) {
        // What `each` refused is its own message, not a parse error at some place.
        (_, Some(message)) => Err(message),
        (Err(e), None) => Err(e.to_string()),
        (Ok(()), None) => Ok(()),
    }
}

/// HAR 1.2 as far as `verify` reads it, whole or streamed, and the streaming of documents
/// (HAR, JSON cassettes) entry by entry.
mod har_format {
    use std::fmt;

    use serde::Deserialize;
    use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};

    use serde_json::value::RawValue;

    use super::{Batch, EntryFormat, Interaction, decode_base64};

    #[derive(Deserialize)]
    pub(super) struct Har {
        pub(super) log: Log,
    }
    #[derive(Deserialize)]
    pub(super) struct Log {
        pub(super) entries: Vec<Entry>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(super) struct Entry {
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

    impl From<Entry> for Interaction {
        fn from(e: Entry) -> Interaction {
            let mut response_headers: Vec<(String, String)> = e
                .response
                .headers
                .into_iter()
                .filter(|h| !h.name.starts_with(':'))
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
                decode_base64(&e.response.content.text).unwrap_or_default()
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
                response_headers,
                response_body: body,
                recorded_at: e.started_date_time,
            }
        }
    }

    /// The document (`{"log": {"entries": […]}}`, `{"http_interactions": […]}`) visited in
    /// place: each entry's text joins the current batch, and a full batch goes to `each`
    /// before the next entry is read. What `each` refuses is kept in `failed` and stops the
    /// reading.
    pub(super) struct Stream<'a> {
        pub(super) size: usize,
        /// How many entries went to `each` so far.
        pub(super) read: usize,
        /// What the entries are, known once the document names its list.
        pub(super) format: EntryFormat,
        pub(super) each: &'a mut dyn FnMut(Batch) -> Result<(), String>,
        pub(super) failed: &'a mut Option<String>,
    }

    /// Which level of the document a [`Stream`] is reading.
    #[derive(Clone, Copy)]
    enum Level {
        Document,
        Log,
    }

    struct At<'s, 'a>(&'s mut Stream<'a>, Level);

    impl<'de> DeserializeSeed<'de> for &mut Stream<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_map(At(self, Level::Document))
        }
    }

    impl<'de> Visitor<'de> for At<'_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(match self.1 {
                Level::Document => "a HAR document (with `log`) or a cassette (with `http_interactions` or `interactions`)",
                Level::Log => "a HAR `log` object (with `entries`)",
            })
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let At(stream, level) = self;
            let mut seen = false;
            while let Some(key) = map.next_key::<String>()? {
                match (level, key.as_str()) {
                    _ if seen => {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    (Level::Document, "log") => map.next_value_seed(Nested(&mut *stream))?,
                    (Level::Document, "http_interactions" | "interactions") => {
                        stream.format = EntryFormat::Vcr;
                        map.next_value_seed(Entries(&mut *stream))?
                    }
                    (Level::Log, "entries") => map.next_value_seed(Entries(&mut *stream))?,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                }
                seen = true;
            }
            if !seen {
                return Err(A::Error::custom(match level {
                    Level::Document => {
                        "no `log` (HAR), `http_interactions` (VCR) or `interactions` (vcrpy)"
                    }
                    Level::Log => "missing field `entries`",
                }));
            }
            Ok(())
        }
    }

    struct Nested<'s, 'a>(&'s mut Stream<'a>);

    impl<'de> DeserializeSeed<'de> for Nested<'_, '_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_map(At(self.0, Level::Log))
        }
    }

    struct Entries<'s, 'a>(&'s mut Stream<'a>);

    impl<'de> DeserializeSeed<'de> for Entries<'_, '_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for Entries<'_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of HAR entries or cassette interactions")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let stream = self.0;
            let mut batch = Vec::with_capacity(stream.size);
            let flush = |batch: &mut Vec<String>, stream: &mut Stream| {
                if batch.is_empty() {
                    return Ok(());
                }
                let entries = std::mem::replace(batch, Vec::with_capacity(stream.size));
                let first = stream.read + 1;
                stream.read += entries.len();
                let format = stream.format;
                (stream.each)(Batch::Entries {
                    format,
                    first,
                    entries,
                })
                .map_err(|message| {
                    *stream.failed = Some(message);
                    A::Error::custom("stopped")
                })
            };
            while let Some(entry) = seq.next_element::<Box<RawValue>>()? {
                batch.push(Box::<str>::from(entry).into_string());
                if batch.len() >= stream.size {
                    flush(&mut batch, stream)?;
                }
            }
            flush(&mut batch, stream)
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn har(entries: usize, pretty: bool) -> String {
        let entry = |i: usize| {
            serde_json::json!({
                "startedDateTime": "2026-12-04T10:00:00Z",
                "request": {"method": "get", "url": format!("https://h/v1/x/{i}"), "headers": [{"name": ":authority", "value": "h"}]},
                "response": {"status": 200, "headers": [], "content": {"text": "e30=", "encoding": "base64", "mimeType": "application/json"}},
            })
        };
        let doc = serde_json::json!({
            "log": {"version": "1.2", "pages": [{"id": "p", "title": "{\"entries\": []}"}],
                    "entries": (0..entries).map(entry).collect::<Vec<_>>(), "comment": "after"},
        });
        if pretty {
            serde_json::to_string_pretty(&doc).unwrap()
        } else {
            doc.to_string()
        }
    }

    /// `path` read by [`batches`] two at a time, as entries of `format`: the batch sizes, each
    /// batch's first position, and the interactions parsed.
    fn streamed_entries(
        path: &Path,
        format: EntryFormat,
    ) -> (Vec<usize>, Vec<usize>, Vec<Interaction>) {
        let (mut sizes, mut firsts, mut streamed) = (Vec::new(), Vec::new(), Vec::new());
        batches(path, 2, &mut |batch| {
            let Batch::Entries {
                format: read,
                first,
                entries,
            } = batch
            else {
                return Err("not read as entries".into());
            };
            assert_eq!(read, format, "{}", path.display());
            sizes.push(entries.len());
            firsts.push(first);
            for (n, entry) in entries.iter().enumerate() {
                streamed.extend(parse_entry(format, entry, first + n)?);
            }
            Ok(())
        })
        .unwrap();
        (sizes, firsts, streamed)
    }

    /// A JSON cassette (ours, Ruby VCR's, vcrpy's) is streamed like a HAR document and reads
    /// as the whole-document reader reads it.
    #[test]
    fn json_cassettes_are_streamed_in_batches() {
        let dir = std::env::temp_dir().join(format!("specdrift-vcr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let interactions: Vec<Interaction> = (0..5)
            .map(|i| Interaction {
                method: "GET".into(),
                url: format!("https://h/v1/x/{i}"),
                request_headers: vec![("Accept".into(), "application/json".into())],
                request_body: String::new(),
                status: 200,
                response_headers: vec![("Content-Type".into(), "application/json".into())],
                response_body: format!("{{\"id\": {i}}}"),
                recorded_at: String::new(),
            })
            .collect();
        let path = dir.join("cassette.json");
        write_cassette(&path, &interactions, &Redaction::default()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let vcrpy = dir.join("vcrpy.json");
        std::fs::write(
            &vcrpy,
            text.replacen("http_interactions", "interactions", 1),
        )
        .unwrap();
        for file in [&path, &vcrpy] {
            let (sizes, _, streamed) = streamed_entries(file, EntryFormat::Vcr);
            assert_eq!(sizes, [2, 2, 1], "{}", file.display());
            assert_eq!(streamed, read_text(&text).unwrap());
            assert_eq!(streamed[3].url, "https://h/v1/x/3");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A YAML cassette written by a real tool (vcrpy, schemathesis, Ruby VCR) is streamed an
    /// item at a time and reads as the whole-document reader reads it.
    #[test]
    fn yaml_cassettes_by_real_tools_are_streamed_in_batches() {
        let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traffic/tools");
        for name in ["vcrpy.yaml", "schemathesis-vcr.yaml", "ruby-vcr.yml"] {
            let path = tools.join(name);
            let whole = read_text(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let (sizes, firsts, streamed) = streamed_entries(&path, EntryFormat::VcrYaml);
            assert!(whole.len() >= 2, "{name}: {} interactions", whole.len());
            assert_eq!(sizes.iter().sum::<usize>(), whole.len(), "{name}");
            assert!(sizes.iter().all(|n| *n <= 2), "{name}: {sizes:?}");
            let starts: Vec<usize> = (0..sizes.len()).map(|k| 1 + 2 * k).collect();
            assert_eq!(firsts, starts, "{name}");
            assert_eq!(streamed, whole, "{name}");
        }
    }

    /// The YAML shapes a splitter could get wrong: an indented list, block scalars with blank
    /// lines and a `- ` line inside, comments, and the keys after the list; and a cassette with
    /// an anchor (which an item could name from another) read whole, alike.
    #[test]
    fn yaml_cassettes_split_where_the_items_are() {
        let dir = std::env::temp_dir().join(format!("specdrift-yaml-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let item = |i: usize, indent: &str| {
            format!(
                "{indent}- request:\n{indent}    method: GET\n{indent}    uri: https://h/v1/x/{i}\n{indent}    body: null\n{indent}  # a comment in the item\n{indent}  response:\n{indent}    status: {{code: 200, message: OK}}\n{indent}    headers: {{Content-Type: [application/json]}}\n{indent}    body:\n{indent}      string: |\n{indent}        {{\"id\": {i},\n\n{indent}        - \"not an item\"}}\n"
            )
        };
        for indent in ["", "  "] {
            let text = format!(
                "# written by hand\ninteractions:\n{}\n{}{}version: 1\n",
                item(0, indent),
                item(1, indent),
                item(2, indent)
            );
            let path = dir.join(format!("c{}.yaml", indent.len()));
            std::fs::write(&path, &text).unwrap();
            let (sizes, _, streamed) = streamed_entries(&path, EntryFormat::VcrYaml);
            assert_eq!(sizes, [2, 1], "indent {}", indent.len());
            assert_eq!(streamed, read_text(&text).unwrap());
            assert_eq!(streamed[2].url, "https://h/v1/x/2");
            assert_eq!(
                streamed[1].response_body,
                "{\"id\": 1,\n\n- \"not an item\"}\n"
            );
        }
        let broken = dir.join("broken.yaml");
        std::fs::write(
            &broken,
            format!(
                "interactions:\n{}- request: {{method: GET\n  response: 1\n",
                item(0, "")
            ),
        )
        .unwrap();
        let err = read(&broken).unwrap_err().to_string();
        assert!(
            err.contains("broken.yaml") && err.contains("interaction 2: YAML line"),
            "{err}"
        );
        let anchored = "interactions:\n- request: &r\n    method: GET\n    uri: https://h/v1/x\n  response: {status: {code: 200}, body: {string: ''}}\n- request: *r\n  response: {status: {code: 404}, body: {string: ''}}\n";
        let path = dir.join("anchored.yaml");
        std::fs::write(&path, anchored).unwrap();
        let mut whole = Vec::new();
        batches(&path, 1, &mut |batch| match batch {
            Batch::Interactions(list) => {
                whole.extend(list);
                Ok(())
            }
            Batch::Entries { .. } => Err("an anchored cassette was split".into()),
        })
        .unwrap();
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[1].url, "https://h/v1/x");
        assert_eq!(whole[1].status, 404);
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A HAR document is handed over a batch at a time as it is read, pretty-printed or on
    /// one line, and reads as the whole-document reader reads it.
    #[test]
    fn har_documents_are_streamed_in_batches() {
        let dir = std::env::temp_dir().join(format!("specdrift-har-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for pretty in [false, true] {
            let path = dir.join(format!("capture-{pretty}.har"));
            let text = har(5, pretty);
            std::fs::write(&path, &text).unwrap();
            let (sizes, firsts, streamed) = streamed_entries(&path, EntryFormat::Har);
            assert_eq!(sizes, [2, 2, 1], "pretty: {pretty}");
            assert_eq!(firsts, [1, 3, 5]);
            assert_eq!(read(&path).unwrap(), streamed);
            assert_eq!(streamed, har_text(&text).unwrap());
            assert_eq!(streamed[4].url, "https://h/v1/x/4");
            assert_eq!(streamed[4].method, "GET");
            assert_eq!(streamed[4].response_body, "{}");
            assert!(
                streamed[0].request_headers.is_empty(),
                "pseudo-headers dropped"
            );
            // What the consumer refuses stops the reading, in its own words.
            let mut calls = 0;
            let refused = batches(&path, 2, &mut |_| {
                calls += 1;
                Err("enough".into())
            });
            assert_eq!(calls, 1);
            assert!(
                matches!(refused, Err(ReadError::Format { ref message, .. }) if message == "enough"),
                "{refused:?}"
            );
        }
        // An entry that is not one names its place.
        let err = parse_entry(EntryFormat::Har, r#"{"request": {}}"#, 7).unwrap_err();
        assert_eq!(parse_entry(EntryFormat::Line, "  ", 6), Ok(None));
        assert!(err.starts_with("HAR entry 7: "), "{err}");
        let err = parse_entry(EntryFormat::Vcr, r#"{"request": {}}"#, 8).unwrap_err();
        assert!(err.starts_with("interaction 8: "), "{err}");
        // A document without entries, and one cut short, name what is wrong.
        let path = dir.join("broken.har");
        std::fs::write(&path, r#"{"log": {"version": "1.2"}}"#).unwrap();
        let err = batches(&path, 2, &mut |_| Ok(())).unwrap_err().to_string();
        assert!(err.contains("entries"), "{err}");
        let cut = har(3, false);
        std::fs::write(&path, &cut[..cut.len() / 2]).unwrap();
        let err = batches(&path, 2, &mut |_| Ok(())).unwrap_err().to_string();
        assert!(err.contains("broken.har") && err.contains("EOF"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A line in specdrift's own shape is read by the fast path, any other through a `Value`,
    /// and both give what the `Value` reading gives.
    #[test]
    fn lines_read_fast_read_as_the_general_reader_reads_them() {
        let ours = [
            r#"{"request":{"method":"post","uri":"https://h/v1/x","headers":{"A":["1","2"],":authority":["h"]},"body":{"encoding":"UTF-8","string":"{}"}},"response":{"status":{"code":201,"message":"Created"},"headers":{"Content-Type":["application/json"]},"body":{"string":"{\"id\":1}"}},"recorded_at":"Sun, 22 Nov 2026 18:00:00 GMT"}"#,
            r#"{"request":{"method":"GET","uri":"https://h/v1/x","body":null},"response":{"status":{"code":204},"body":null}}"#,
        ];
        let others = [
            // vcrpy: body as text, status as a string, headers as scalars
            r#"{"request":{"method":"GET","uri":"https://h/v1/x","headers":{"A":"1"},"body":"q"},"response":{"status":{"code":"200"},"headers":{},"body":{"base64_string":"e30="}}}"#,
            r#"{"request":{"method":"GET","url":"https://h/v1/x"},"response":{"status":200,"body":{"string":"x"}},"recorded_at":5}"#,
        ];
        for (line, fast) in ours
            .iter()
            .map(|l| (l, true))
            .chain(others.iter().map(|l| (l, false)))
        {
            assert_eq!(
                serde_json::from_str::<fast::Line>(line).is_ok(),
                fast,
                "{line}"
            );
            let general = vcr_interaction(&serde_json::from_str(line).unwrap()).unwrap();
            assert_eq!(parse_line(line, 1).unwrap(), Some(general), "{line}");
        }
    }

    /// A GET of `url` with nothing else.
    fn get(url: &str) -> Interaction {
        Interaction {
            method: "GET".into(),
            url: url.into(),
            request_headers: Vec::new(),
            request_body: String::new(),
            status: 200,
            response_headers: Vec::new(),
            response_body: String::new(),
            recorded_at: String::new(),
        }
    }

    /// The path without a parser is the parser's path, for plain URLs and every kind of
    /// URL the shortcut must leave to the parser.
    #[test]
    fn paths_read_without_a_parser_are_the_parsers() {
        for url in [
            "https://api.test.vivamo.co/v1/customers?page=1&size=10",
            "https://h/v1/a.json#frag",
            "http://h:8080",
            "https://h?q=/a/b",
            "https://h#/x",
            "https://h/a/./b/../c",
            "https://h/a b",
            "https://h/caf\u{e9}",
            "https://h/a%2Fb",
            "https://user:pw@h/x",
            "HTTPS://H/X",
            "https://h\\x\\y",
            "https://h//double//slash",
            "https://h/a;b=c/@d:e",
        ] {
            let interaction = get(url);
            let parsed = reqwest::Url::parse(url).unwrap();
            assert_eq!(interaction.path(), parsed.path(), "{url}");
        }
    }

    /// The query read without a parser is the parser's, for plain queries and every kind of
    /// query the shortcut must leave to the parser.
    #[test]
    fn queries_read_without_a_parser_are_the_parsers() {
        for url in [
            "https://h/v1/x?page=1&size=10",
            "https://h/x?a=1&a=2&b",
            "https://h/x?q=a+b&r=%20c%2B",
            "https://h/x?q=1#frag=2",
            "https://h/x?q=caf\u{e9}&s=a b",
            "https://h/x?q=%zz&=v&k=",
            "https://h/x?",
            "https://h/x#only?frag",
        ] {
            let interaction = get(url);
            let parsed: Vec<(String, String)> = reqwest::Url::parse(url)
                .unwrap()
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            assert_eq!(interaction.query(), parsed, "{url}");
        }
    }
}
