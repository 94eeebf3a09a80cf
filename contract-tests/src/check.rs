//! The checks: recorded interactions held against the spec. Each departure is a [`Finding`]
//! of a named [`Kind`], with the JSON pointer of the offending value and the spec line it breaks.

use std::borrow::Cow;

use serde_json::Value;

use crate::report::{Finding, Kind};
use crate::spec::{DocumentedResponse, Model, Operation, at};
use crate::traffic::Interaction;
use generator::ir::{Media, Style};
use generator::load::{DocId, escape};

/// Response headers every server sends whatever the spec says.
const TRANSPORT_HEADERS: [&str; 16] = [
    "content-type",
    "content-length",
    "date",
    "server",
    "connection",
    "transfer-encoding",
    "vary",
    "keep-alive",
    "cache-control",
    "etag",
    "access-control-allow-origin",
    "strict-transport-security",
    "x-request-id",
    "content-encoding",
    "allow",
    "via",
];

/// Every finding in `traffic`, in order, not yet de-duplicated: each interaction on its own
/// ([`check_one`]), the sequence checks ([`crate::sequence::Sequences`]), then the
/// cross-operation pass over all of it. `verify` runs the same pieces over a stream.
pub fn check(model: &Model, traffic: &[Interaction]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut sequence_findings = Vec::new();
    let mut sequences = crate::sequence::Sequences::default();
    // (interaction index, operation) for the cross-operation pass.
    let mut matched: Vec<(usize, &Operation)> = Vec::new();
    for (i, interaction) in traffic.iter().enumerate() {
        let Checked {
            op, response: body, ..
        } = check_one(model, interaction, i, &mut findings);
        if let Some(op) = op {
            matched.push((i, op));
        }
        sequences.observe(
            model,
            i,
            interaction,
            op,
            body.as_ref(),
            &mut sequence_findings,
        );
    }
    cross_operation(model, traffic, &matched, &mut findings);
    findings.extend(sequence_findings);
    findings
}

/// The checks of one interaction on its own (the operation it calls, its request, its
/// response), pushed to `findings`; returns the operation, when the spec has one for it, and
/// the response body when they parsed it as JSON (the sequence checks read it too).
pub fn check_one<'m>(
    model: &'m Model,
    interaction: &Interaction,
    index: usize,
    findings: &mut Vec<Finding>,
) -> Checked<'m> {
    let path = interaction.path();
    let Some((op, path_values)) = model.find_with_params(&interaction.method, &path) else {
        findings.push(
            finding(
                Kind::UnknownOperation,
                &format!("{} {path}", interaction.method),
                interaction,
                index,
            )
            .expected("an operation of the spec")
            .observed(format!("{} {path}", interaction.method))
            .message(format!(
                "the spec has no operation for {} {path}",
                interaction.method
            )),
        );
        return Checked::default();
    };
    let request = check_request(model, op, interaction, &path_values, index, findings);
    let response = check_response(model, op, interaction, index, findings);
    Checked {
        op: Some(op),
        request,
        response,
    }
}

/// What [`check_one`] learnt of an interaction besides its findings.
#[derive(Debug, Default)]
pub struct Checked<'m> {
    /// The operation the spec has for it.
    pub op: Option<&'m Operation>,
    /// The request body, when the checks parsed it as JSON.
    pub request: Option<Value>,
    /// The response body, when the checks parsed it as JSON (the sequence checks read it too).
    pub response: Option<Value>,
}

fn finding(kind: Kind, operation: &str, interaction: &Interaction, index: usize) -> Finding {
    Finding::new(kind, operation).with_interaction(index, interaction)
}

fn check_request(
    model: &Model,
    op: &Operation,
    interaction: &Interaction,
    path_values: &[(String, String)],
    index: usize,
    findings: &mut Vec<Finding>,
) -> Option<Value> {
    let body = interaction.request_body.trim();
    let mut invalid = None;
    let mut parsed = None;
    if body.is_empty() {
        if op.body.as_ref().is_some_and(|b| b.required) {
            invalid = Some((
                "".to_string(),
                "a request body".to_string(),
                "none".to_string(),
            ));
        }
    } else if let Some(schema) = op.body.as_ref().and_then(|b| {
        json_media_for(&b.content, interaction.request_header("content-type"))?.schema
    }) {
        match serde_json::from_str::<Value>(body) {
            Ok(value) => {
                if let Some(v) = model.validator_of(schema)
                    && let Some(e) = v.iter_errors(&value).next()
                {
                    invalid = Some((
                        e.instance_path().as_str().to_string(),
                        describe_expected(&e),
                        e.instance().to_string(),
                    ));
                }
                parsed = Some(value);
            }
            Err(e) => {
                invalid = Some((
                    "".into(),
                    "a JSON body".into(),
                    format!("unparsable JSON ({e})"),
                ))
            }
        }
    }
    let mut violations: Vec<Violation> = Vec::new();
    if let Some((pointer, expected, observed)) = invalid {
        violations.push(Violation {
            message: format!("the request does not match the request schema at `{pointer}`: expected {expected}, sent {observed}"),
            pointer,
            expected,
            observed,
            at: op_request_at(model, op),
        });
    }
    violations.extend(media_type_violation(op, interaction));
    violations.extend(parameter_violations(model, op, interaction, path_values));
    let accepted = (200..300).contains(&interaction.status);
    // No credentials the operation's security asks for: the client's mistake when refused
    // (answered 2xx it is the server's, `ignored-auth`, judged with the sequence checks).
    if !accepted
        && !op.requirements.is_empty()
        && !crate::sequence::has_credentials(model, op, interaction)
    {
        let needed = crate::sequence::requirement_text(op);
        violations.push(Violation {
            pointer: "credentials".into(),
            expected: format!("the credentials of {needed}"),
            observed: "none".into(),
            message: format!(
                "the request carries none of the credentials the operation requires ({needed})"
            ),
            at: Some(at(&op.origin)),
        });
    }
    for v in violations {
        findings.push(
            finding(Kind::RequestViolation, &op.label(), interaction, index)
                .pointer(&v.pointer)
                .at(model, v.at.clone())
                .expected(&v.expected)
                .observed(&v.observed)
                .message(v.message),
        );
        if accepted {
            findings.push(
                finding(Kind::InvalidInputAccepted, &op.label(), interaction, index)
                    .pointer(&v.pointer)
                    .at(model, v.at)
                    .expected("a 4xx refusal")
                    .observed(format!("{}", interaction.status))
                    .message(format!(
                        "the server accepted ({}) a request the spec forbids at `{}`",
                        interaction.status, v.pointer
                    )),
            );
        }
    }
    parsed
}

/// One way a request breaks the spec.
struct Violation {
    /// `/a/b` in the body, `query:name`, `path:name`, `header:name`, `cookie:name`.
    pointer: String,
    expected: String,
    observed: String,
    message: String,
    at: Option<(DocId, String)>,
}

/// A body sent with a media type the operation does not accept.
fn media_type_violation(op: &Operation, interaction: &Interaction) -> Option<Violation> {
    let body = op.body.as_ref()?;
    if interaction.request_body.trim().is_empty() || body.content.is_empty() {
        return None;
    }
    let sent = media(interaction.request_header("content-type"))?;
    let documented: Vec<String> = body
        .content
        .iter()
        .map(|m| m.media_type.to_ascii_lowercase())
        .collect();
    if documented.iter().any(|d| media_matches(d, &sent)) {
        return None;
    }
    Some(Violation {
        pointer: "header:content-type".into(),
        expected: documented.join(", "),
        observed: sent.to_string(),
        message: format!(
            "the request body is `{sent}`, which the operation does not accept ({})",
            documented.join(", ")
        ),
        at: Some(at(&body.origin)),
    })
}

/// Path, query, header and cookie parameters against their schemas, after decoding them the way
/// their `style` says (numbers and booleans from text, arrays split or repeated); a required
/// one missing is a violation too.
fn parameter_violations(
    model: &Model,
    op: &Operation,
    interaction: &Interaction,
    path_values: &[(String, String)],
) -> Vec<Violation> {
    use generator::ir::{JsonType, ParamLocation};
    if op.parameters.is_empty() {
        return Vec::new();
    }
    let query = interaction.query();
    let cookies: Vec<(String, String)> = interaction
        .request_header("cookie")
        .map(|c| {
            c.split(';')
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for p in &op.parameters {
        let name = p.name.wire.as_str();
        let (place, raw): (&str, Vec<String>) = match p.location {
            ParamLocation::Path => (
                "path",
                path_values
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| percent_decode(v))
                    .collect(),
            ),
            ParamLocation::Query => (
                "query",
                query
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .collect(),
            ),
            ParamLocation::Header => (
                "header",
                interaction
                    .request_headers
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
                    .collect(),
            ),
            ParamLocation::Cookie => (
                "cookie",
                cookies
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .collect(),
            ),
        };
        let pointer = format!("{place}:{name}");
        let at_param = Some(at(&p.origin));
        if raw.is_empty() {
            if p.required {
                out.push(Violation {
                    message: format!("the required {place} parameter `{name}` is missing"),
                    pointer,
                    expected: format!("a `{name}` {place} parameter"),
                    observed: "none".into(),
                    at: at_param,
                });
            }
            continue;
        }
        let Some(id) = p.schema else { continue };
        let schema = model.api.schema(id);
        // Text to the JSON value the schema describes.
        let scalar = |text: &str, types: &[JsonType]| -> Value {
            if types.contains(&JsonType::Integer) || types.contains(&JsonType::Number) {
                if let Ok(n) = text.parse::<i64>() {
                    return Value::from(n);
                }
                if let Some(n) = text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                {
                    return Value::Number(n);
                }
            }
            if types.contains(&JsonType::Boolean) && (text == "true" || text == "false") {
                return Value::Bool(text == "true");
            }
            Value::String(text.to_string())
        };
        let value = if schema.types.contains(&JsonType::Array) {
            let item_types = schema
                .items
                .map(|i| model.api.schema(i).types.clone())
                .unwrap_or_default();
            let parts: Vec<String> = if raw.len() > 1 || (p.explode && p.style == Style::Form) {
                raw.clone()
            } else {
                raw[0]
                    .split(p.style.delimiter())
                    .map(str::to_string)
                    .collect()
            };
            Value::Array(parts.iter().map(|t| scalar(t, &item_types)).collect())
        } else if schema.types.contains(&JsonType::Object) {
            continue;
        } else {
            scalar(&raw[0], &schema.types)
        };
        let Some(validator) = model.validator_of(id) else {
            continue;
        };
        if let Some(e) = validator.iter_errors(&value).next() {
            let expected = describe_expected(&e);
            let observed = clip(&raw.join(","), 200);
            out.push(Violation {
                message: format!(
                    "the {place} parameter `{name}` does not match its schema: expected {expected}, sent {observed}"
                ),
                pointer,
                expected,
                observed,
                at: Some(at(&schema.origin)),
            });
        }
    }
    out
}

/// `%XX` escapes decoded (bytes that are not UTF-8 kept lossily; a broken escape kept as is).
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Some(b) = std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn op_request_at(model: &Model, op: &Operation) -> Option<(DocId, String)> {
    let body = op.body.as_ref()?;
    body.content
        .iter()
        .find_map(|m| m.schema)
        .map(|s| at(&model.api.schema(s).origin))
        .or_else(|| Some(at(&body.origin)))
}

/// The documented response for a status: exact code, then `4XX`, then `default`.
pub fn documented(op: &Operation, status: u16) -> Option<&DocumentedResponse> {
    op.response_for(status)
}

/// The media type of a `Content-Type` value, lower-case, without parameters.
pub(crate) fn media(content_type: Option<&str>) -> Option<Cow<'_, str>> {
    content_type
        .map(|c| lower_case(c.split(';').next().unwrap_or("").trim()))
        .filter(|c| !c.is_empty())
}

/// `text` in lower case, copied only when it has an upper-case letter.
fn lower_case(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

fn media_matches(documented: &str, actual: &str) -> bool {
    documented == actual
        || documented == "*/*"
        || documented.strip_suffix("/*").is_some_and(|prefix| {
            actual
                .strip_prefix(prefix)
                .is_some_and(|r| r.starts_with('/'))
        })
        || (documented == "application/json" && actual.ends_with("+json"))
}

/// The documented media type `content_type` fits, when it is JSON and has a schema.
pub(crate) fn json_media_for<'a>(
    content: &'a [Media],
    content_type: Option<&str>,
) -> Option<&'a Media> {
    let actual = media(content_type).unwrap_or(Cow::Borrowed("application/json"));
    let lower = |m: &'a Media| lower_case(&m.media_type);
    content
        .iter()
        .find(|m| media_matches(&lower(m), &actual))
        .or_else(|| {
            content.iter().find(|m| {
                let t = lower(m);
                t == "application/json" || t.ends_with("+json")
            })
        })
        .filter(|m| (mentions_json(&lower(m)) || m.media_type == "*/*") && m.schema.is_some())
}

/// Whether a media type names JSON anywhere (`application/json`, `application/problem+json`,
/// `text/x-json`); a byte search, as the text is short.
fn mentions_json(media_type: &str) -> bool {
    media_type.as_bytes().windows(4).any(|w| w == b"json")
}

/// The schema (as a validator place) of the documented media type `content_type` fits, when it is JSON.
pub(crate) fn json_schema_for(
    model: &Model,
    content: &[Media],
    content_type: Option<&str>,
) -> Option<(DocId, String)> {
    let schema = json_media_for(content, content_type)?.schema?;
    Some(at(&model.api.schema(schema).origin))
}

/// Properties a body carries that its schema does not name, in objects the spec leaves open
/// without saying what else they hold (no `additionalProperties`): `(pointer, schema place)`.
/// Objects under `oneOf`/`anyOf` are not judged (which branch names a property is a guess).
pub(crate) fn undocumented_properties(
    model: &Model,
    schema: generator::ir::SchemaId,
    value: &Value,
    pointer: &str,
    out: &mut Vec<(String, generator::ir::Origin)>,
) {
    use generator::ir::{Additional, SchemaId};
    /// What an object schema (with its `allOf` members) says about properties.
    struct Said<'m> {
        declared: Vec<(&'m str, SchemaId)>,
        unstated: bool,
        extra: Option<SchemaId>,
        union: bool,
        items: Option<SchemaId>,
    }
    impl<'m> Said<'m> {
        fn gather(&mut self, model: &'m Model, id: SchemaId, depth: usize) {
            if depth > 16 {
                return;
            }
            let s = model.api.schema(id);
            self.declared
                .extend(s.properties.iter().map(|(name, id)| (name.as_str(), *id)));
            match s.additional {
                Additional::Unstated => {}
                Additional::Any | Additional::Forbidden => self.unstated = false,
                Additional::Schema(x) => {
                    self.unstated = false;
                    self.extra = Some(x);
                }
            }
            self.union |= !s.one_of.is_empty() || !s.any_of.is_empty() || s.not.is_some();
            self.items = self.items.or(s.items);
            for member in &s.all_of {
                self.gather(model, *member, depth + 1);
            }
        }
    }
    // Only objects hold properties, and only objects and arrays hold objects.
    let nested = |v: &Value| v.is_object() || v.is_array();
    if !nested(value) || out.len() >= 50 || pointer.matches('/').count() > 32 {
        return;
    }
    let mut said = Said {
        declared: Vec::new(),
        unstated: true,
        extra: None,
        union: false,
        items: None,
    };
    said.gather(model, schema, 0);
    let Said {
        declared,
        unstated,
        extra,
        union,
        items,
    } = said;
    match value {
        Value::Object(map) => {
            let owner = &model.api.schema(schema).origin;
            for (key, v) in map {
                let here = || format!("{pointer}/{}", escape(key));
                let named = declared.iter().find(|(name, _)| name == key).map(|d| d.1);
                match named.or(extra) {
                    Some(id) if nested(v) => undocumented_properties(model, id, v, &here(), out),
                    Some(_) => {}
                    None if unstated && !union && !declared.is_empty() => {
                        out.push((here(), owner.clone()))
                    }
                    None => {}
                }
            }
        }
        Value::Array(list) => {
            if let Some(item) = items {
                for (i, v) in list.iter().enumerate().filter(|(_, v)| nested(v)) {
                    undocumented_properties(model, item, v, &format!("{pointer}/{i}"), out);
                }
            }
        }
        _ => {}
    }
}

fn check_response(
    model: &Model,
    op: &Operation,
    interaction: &Interaction,
    index: usize,
    findings: &mut Vec<Finding>,
) -> Option<Value> {
    let status = interaction.status;
    if status >= 500 {
        findings.push(
            finding(Kind::ServerError, &op.label(), interaction, index)
                .expected("no server error")
                .observed(status.to_string())
                .message(format!("the server failed with {status}")),
        );
    }
    let Some(response) = documented(op, status) else {
        let listed: Vec<&str> = op.responses.iter().map(|r| r.status.as_str()).collect();
        findings.push(
            finding(Kind::UndocumentedStatus, &op.label(), interaction, index)
                .at(
                    model,
                    Some((
                        DocId(op.origin.doc),
                        format!("{}/responses", op.origin.pointer),
                    )),
                )
                .expected(listed.join(", "))
                .observed(status.to_string())
                .message(format!(
                    "status {status} is not documented (documented: {})",
                    listed.join(", ")
                )),
        );
        return None;
    };
    let body = interaction.response_body.trim();
    let content_type = media(interaction.response_header("content-type"));
    let lowered: Vec<Cow<'_, str>> = response
        .content
        .iter()
        .map(|m| lower_case(&m.media_type))
        .collect();
    let documented_types: Vec<&str> = lowered.iter().map(|t| t.as_ref()).collect();
    if !body.is_empty() || content_type.is_some() {
        let fits = match (&content_type, documented_types.is_empty()) {
            (_, true) => body.is_empty(),
            (Some(actual), false) => documented_types.iter().any(|d| media_matches(d, actual)),
            (None, false) => false,
        };
        if !fits {
            let observed = content_type
                .clone()
                .unwrap_or_else(|| "no content type".into());
            findings.push(
                finding(
                    Kind::UndocumentedContentType,
                    &op.label(),
                    interaction,
                    index,
                )
                .at(model, Some(at(&response.origin)))
                .expected(if documented_types.is_empty() {
                    "no body".to_string()
                } else {
                    documented_types.join(", ")
                })
                .observed(observed.as_ref())
                .message(format!(
                    "status {status} came as {observed}; the spec documents {}",
                    if documented_types.is_empty() {
                        "no body".to_string()
                    } else {
                        documented_types.join(", ")
                    }
                )),
            );
        }
    }
    if !response.headers.is_empty() {
        let declared: Vec<String> = response
            .headers
            .iter()
            .map(|h| h.name.to_ascii_lowercase())
            .collect();
        for (name, _) in &interaction.response_headers {
            let lower = name.to_ascii_lowercase();
            if !declared.contains(&lower) && !TRANSPORT_HEADERS.contains(&lower.as_str()) {
                findings.push(
                    finding(Kind::UndocumentedHeader, &op.label(), interaction, index)
                        .at(
                            model,
                            Some((
                                DocId(response.origin.doc),
                                format!("{}/headers", response.origin.pointer),
                            )),
                        )
                        .expected(declared.join(", "))
                        .observed(&lower)
                        .message(format!(
                            "response header `{lower}` is not among the declared ones"
                        )),
                );
            }
        }
    }
    if body.is_empty() {
        return None;
    }
    let schema = json_media_for(
        &response.content,
        interaction.response_header("content-type"),
    )?
    .schema?;
    // Where the schema is, for a finding's location (most bodies need none).
    let schema_at = || at(&model.api.schema(schema).origin);
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            findings.push(
                finding(Kind::SchemaViolation, &op.label(), interaction, index)
                    .at(model, Some(schema_at()))
                    .expected("a JSON document")
                    .observed(format!("unparsable JSON ({e})"))
                    .message(format!("status {status} body is not JSON: {e}")),
            );
            return None;
        }
    };
    {
        let mut extra = Vec::new();
        undocumented_properties(model, schema, &value, "", &mut extra);
        for (pointer, owner) in extra {
            let observed = value
                .pointer(&pointer)
                .map(Value::to_string)
                .unwrap_or_default();
            findings.push(
                finding(Kind::UndocumentedProperty, &op.label(), interaction, index)
                    .pointer(&pointer)
                    .at(model, Some(at(&owner)))
                    .expected("only the properties the schema names")
                    .observed(clip(&observed, 120))
                    .message(format!(
                        "status {status} body has `{pointer}`, a property its schema does not document"
                    )),
            );
        }
    }
    let Some(validator) = model.validator_of(schema) else {
        return Some(value);
    };
    for error in validator.iter_errors(&value) {
        let schema_at = schema_at();
        let pointer = error.instance_path().as_str().to_string();
        let node = schema_node(model, &schema_at, &pointer).unwrap_or_else(|| schema_at.clone());
        let keyword = keyword(&error);
        let expected = describe_expected(&error);
        let observed = error.instance().to_string();
        findings.push(
            finding(Kind::SchemaViolation, &op.label(), interaction, index)
                .pointer(&pointer)
                .at(model, Some(node))
                .keyword(&keyword)
                .expected(&expected)
                .observed(&observed)
                .message(format!(
                    "status {status} body at `{pointer}`: expected {expected}, got {observed}"
                )),
        );
    }
    Some(value)
}

/// `text` cut to `max` characters, `…` marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    let t: String = text.chars().take(max).collect();
    if t.len() < text.len() {
        format!("{t}…")
    } else {
        t
    }
}

fn keyword(error: &jsonschema::ValidationError<'_>) -> String {
    error
        .schema_path()
        .as_str()
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string()
}

fn describe_expected(error: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind as K;
    match error.kind() {
        K::Enum { options } => format!("one of {options}"),
        K::Required { property } => format!("required property {property}"),
        K::Type { kind } => format!("type {kind:?}")
            .to_lowercase()
            .replace("single(", "")
            .replace("multiple(", "")
            .replace(')', ""),
        K::AdditionalProperties { unexpected } => {
            format!("no additional properties (got {})", unexpected.join(", "))
        }
        K::Format { format } => format!("format {format}"),
        _ => {
            let text = error.to_string();
            text.chars().take(160).collect()
        }
    }
}

/// The spec node of the schema that governs `pointer` inside a value of the schema at `root`:
/// follows `$ref`, `properties`, `items`, `additionalProperties` and `allOf`/`anyOf`/`oneOf` members.
pub fn schema_node(
    model: &Model,
    root: &(DocId, String),
    pointer: &str,
) -> Option<(DocId, String)> {
    let mut at = resolve(model, root.clone())?;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        at = step(model, &at, &token, 0)?;
    }
    Some(at)
}

fn resolve(model: &Model, mut at: (DocId, String)) -> Option<(DocId, String)> {
    for _ in 0..32 {
        let value = model.spec.get(at.0, &at.1)?;
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let node = model.spec.resolve(at.0, r).ok()?;
                at = (node.doc, node.pointer);
            }
            None => return Some(at),
        }
    }
    None
}

fn step(model: &Model, at: &(DocId, String), token: &str, depth: usize) -> Option<(DocId, String)> {
    if depth > 8 {
        return None;
    }
    let value = model.spec.get(at.0, &at.1)?;
    if let Some(props) = value.get("properties").and_then(Value::as_object)
        && props.contains_key(token)
    {
        return resolve(
            model,
            (at.0, format!("{}/properties/{}", at.1, escape(token))),
        );
    }
    if value.get("items").is_some() && token.parse::<usize>().is_ok() {
        return resolve(model, (at.0, format!("{}/items", at.1)));
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        for (i, _) in value
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(member) = resolve(model, (at.0, format!("{}/{combinator}/{i}", at.1)))
                && let Some(found) = step(model, &member, token, depth + 1)
            {
                return Some(found);
            }
        }
    }
    if value
        .get("additionalProperties")
        .is_some_and(Value::is_object)
    {
        return resolve(model, (at.0, format!("{}/additionalProperties", at.1)));
    }
    None
}

/// A value one operation returns that another operation's schema rejects: for every enum
/// violation, look for the same value under the same property name in responses that conform.
fn cross_operation(
    model: &Model,
    traffic: &[Interaction],
    matched: &[(usize, &Operation)],
    findings: &mut Vec<Finding>,
) {
    let enum_violations: Vec<Finding> = findings
        .iter()
        .filter(|f| CrossSearch::wanted(f))
        .cloned()
        .collect();
    // Violations of one place with one value share their evidence: look it up once.
    let mut evidence: std::collections::HashMap<String, Option<Finding>> =
        std::collections::HashMap::new();
    for violation in enum_violations {
        let known = evidence.entry(violation.key()).or_insert_with(|| {
            let mut search = CrossSearch::new(model, &violation)?;
            for &(i, op) in matched {
                search.consider(model, op, &traffic[i]);
            }
            search.finish()
        });
        if let Some(template) = known {
            let index = violation.interaction.unwrap_or(0);
            findings.push(
                Finding {
                    reproduce: Vec::new(),
                    ..template.clone()
                }
                .with_interaction(index, &traffic[index]),
            );
        }
    }
}

/// The search for a cross-operation finding behind one enum violation: of the operations
/// whose responses return the same value under the same property name where their schema
/// lists it, the one most related to the violation (the same words in its path or pointer,
/// `disbursement`). Fed one interaction at a time, so `verify` can run it over a stream.
pub(crate) struct CrossSearch<'v> {
    violation: &'v Finding,
    property: String,
    value: Value,
    /// The value as it appears in raw text, to pass over bodies that cannot hold it.
    needle: String,
    wanted: Vec<String>,
    best: Option<(usize, Finding)>,
}

fn words(text: &str) -> Vec<String> {
    text.split(['/', '-', '_', '{', '}'])
        .filter(|w| w.len() > 2 && w.parse::<usize>().is_err())
        .map(|w| w.trim_end_matches('s').to_ascii_lowercase())
        .collect()
}

impl<'v> CrossSearch<'v> {
    /// Whether `finding` is a violation a search can explain.
    pub(crate) fn wanted(finding: &Finding) -> bool {
        finding.kind == Kind::SchemaViolation && finding.keyword == "enum"
    }

    pub(crate) fn new(model: &Model, violation: &'v Finding) -> Option<CrossSearch<'v>> {
        let property = violation
            .pointer
            .rsplit('/')
            .find(|t| t.parse::<usize>().is_err())
            .map(str::to_string)?;
        let value = serde_json::from_str::<Value>(&violation.observed).ok()?;
        let needle = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let violation_op = model
            .operations()
            .iter()
            .find(|o| o.label() == violation.operation)
            .map(|o| o.path.clone())
            .unwrap_or_default();
        let mut wanted = words(&violation.pointer);
        wanted.extend(words(&violation_op));
        wanted.retain(|w| *w != property.trim_end_matches('s').to_ascii_lowercase());
        Some(CrossSearch {
            violation,
            property,
            value,
            needle,
            wanted,
            best: None,
        })
    }

    /// Whether a body may hold the evidence: it contains the value.
    pub(crate) fn may_hold(&self, text: &str) -> bool {
        text.contains(&self.needle)
    }

    /// The value as any JSON text holding it contains it, however deeply quoted (`None` when
    /// quoting would change it: a quote, a backslash, a character JSON escapes).
    pub(crate) fn raw_needle(&self) -> Option<String> {
        self.needle
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_.:+".contains(c))
            .then(|| self.needle.clone())
    }

    /// Weighs one interaction of `op` as evidence.
    pub(crate) fn consider(&mut self, model: &Model, op: &Operation, interaction: &Interaction) {
        let violation = self.violation;
        if op.label() == violation.operation || !self.may_hold(&interaction.response_body) {
            return;
        }
        let Ok(body) = serde_json::from_str::<Value>(&interaction.response_body) else {
            return;
        };
        let Some(found) = find_property(&body, &self.property, &self.value, String::new()) else {
            return;
        };
        let Some(response) = documented(op, interaction.status) else {
            return;
        };
        let Some(schema_at) = json_schema_for(
            model,
            &response.content,
            interaction.response_header("content-type"),
        ) else {
            return;
        };
        // The other operation documents this value: its schema at that place lists it.
        let Some(node) = schema_node(model, &schema_at, &found) else {
            return;
        };
        let lists_it = model
            .schema(&node)
            .and_then(|s| s.get("enum"))
            .and_then(Value::as_array)
            .is_some_and(|e| e.contains(&self.value));
        if !lists_it {
            return;
        }
        let mut theirs = words(&found);
        theirs.extend(words(&op.path));
        let score = self.wanted.iter().filter(|w| theirs.contains(w)).count();
        if self.best.as_ref().is_some_and(|(s, _)| *s >= score) {
            return;
        }
        let other = model.location(&node);
        let finding = Finding {
            kind: Kind::CrossOperationInconsistency,
            keyword: "enum".into(),
            related: Some(format!(
                "{} returns {} at `{found}`, as its schema allows ({})",
                op.label(),
                violation.observed,
                other
            )),
            message: format!(
                "`{}` returns {} at `{found}` (allowed there), but `{}`'s schema rejects the same value at `{}`",
                op.label(),
                violation.observed,
                violation.operation,
                violation.pointer
            ),
            known: false,
            ..violation.clone()
        };
        self.best = Some((score, finding));
    }

    /// The finding, when some interaction was evidence.
    pub(crate) fn finish(self) -> Option<Finding> {
        self.best.map(|(_, finding)| finding)
    }
}

/// The pointer of a property named `name` holding `value`, anywhere in `body`.
fn find_property(body: &Value, name: &str, value: &Value, at: String) -> Option<String> {
    match body {
        Value::Object(map) => {
            if map.get(name) == Some(value) {
                return Some(format!("{at}/{}", escape(name)));
            }
            map.iter()
                .find_map(|(k, v)| find_property(v, name, value, format!("{at}/{}", escape(k))))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_property(v, name, value, format!("{at}/{i}"))),
        _ => None,
    }
}
