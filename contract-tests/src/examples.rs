//! Traffic made from a spec's own documented examples: for every operation whose response
//! documents a JSON example, one interaction (request example included when there is one).
//! Verifying it is the cheapest conformance check there is: a spec whose examples break its
//! own schemas shows that here.

use serde_json::Value;

use generator::ir::{JsonType, Media, ParamLocation, SecurityScheme};

use crate::redact::REDACTED;
use crate::spec::Model;
use crate::traffic::Interaction;

/// One interaction per operation with a documented JSON response example, against `base_url`.
pub fn interactions(model: &Model, base_url: &str) -> Vec<Interaction> {
    let api = &model.api;
    let mut out = Vec::new();
    for op in model.operations() {
        let Some((status, media, body)) = op
            .responses
            .iter()
            .filter(|r| r.status.starts_with('2'))
            .find_map(|r| {
                let media = r.content.iter().find(|m| m.media_type.contains("json"))?;
                Some((
                    r.status.parse::<u16>().ok()?,
                    media.media_type.clone(),
                    example_of(api, media)?,
                ))
            })
        else {
            continue;
        };
        let mut path = op.path.clone();
        let mut query = Vec::new();
        for p in &op.parameters {
            let schema = p.schema.map(|s| api.schema(s));
            let example = p
                .examples
                .first()
                .or_else(|| schema.and_then(|s| s.examples.first()))
                .or_else(|| schema.and_then(|s| s.enumeration.as_ref()?.first()))
                .or_else(|| schema.and_then(|s| s.default.as_ref()));
            let text = match example {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None if schema.is_some_and(|s| s.types == [JsonType::Integer]) => "1".into(),
                None => "example".into(),
            };
            match p.location {
                ParamLocation::Path => path = path.replace(&format!("{{{}}}", p.name.wire), &text),
                ParamLocation::Query if p.required => query.push(format!("{}={text}", p.name.wire)),
                _ => {}
            }
        }
        let request_body = op
            .body
            .as_ref()
            .and_then(|b| b.content.iter().find(|m| m.media_type.contains("json")))
            .and_then(|m| example_of(api, m))
            .map(|v| v.to_string())
            .unwrap_or_default();
        if request_body.is_empty() && op.body.as_ref().is_some_and(|b| b.required) {
            // A body is required but none is documented as JSON: no faithful request can be made.
            continue;
        }
        // The credentials the operation asks for, as a recording would keep them: redacted.
        let mut auth_headers: Vec<(String, String)> = Vec::new();
        for scheme in op.requirements.first().into_iter().flatten() {
            match api.security_schemes.get(scheme) {
                Some(SecurityScheme::Basic) => {
                    auth_headers.push(("Authorization".into(), format!("Basic {REDACTED}")))
                }
                Some(SecurityScheme::Bearer | SecurityScheme::OAuth2) => {
                    auth_headers.push(("Authorization".into(), format!("Bearer {REDACTED}")))
                }
                Some(SecurityScheme::ApiKey { name, location }) => match location.as_str() {
                    "query" => query.push(format!("{name}={REDACTED}")),
                    "cookie" => auth_headers.push(("Cookie".into(), format!("{name}={REDACTED}"))),
                    _ => auth_headers.push((name.clone(), REDACTED.into())),
                },
                None => {}
            }
        }
        let url = format!(
            "{}{}{}",
            base_url.trim_end_matches('/'),
            path,
            if query.is_empty() {
                String::new()
            } else {
                format!("?{}", query.join("&"))
            }
        );
        let mut request_headers = vec![("Accept".to_string(), "application/json".to_string())];
        request_headers.extend(auth_headers);
        if !request_body.is_empty() {
            request_headers.push(("Content-Type".into(), "application/json".into()));
        }
        out.push(Interaction {
            method: op.method.to_string(),
            url,
            request_headers,
            request_body,
            status,
            response_headers: vec![("Content-Type".into(), media)],
            response_body: body.to_string(),
            recorded_at: "Sun, 22 Nov 2026 00:00:00 GMT".into(),
        });
    }
    out
}

/// A media type's example: its `example`, the first of its `examples`, or the schema's `example`.
pub fn example_of(api: &generator::ir::Api, media: &Media) -> Option<Value> {
    media
        .examples
        .first()
        .cloned()
        .or_else(|| api.schema(media.schema?).examples.first().cloned())
}

/// Lint: every `example` (and `examples[*].value`) in the spec that its own schema rejects.
/// Schema examples are checked against the schema they sit on, media-type and parameter
/// examples against their `schema`.
pub fn lint(model: &Model) -> generator::Diagnostics {
    let mut out = Vec::new();
    for (doc, document) in model.spec.documents() {
        walk(model, doc, &document.value, String::new(), false, &mut out);
    }
    generator::Diagnostics(out)
}

fn walk(
    model: &Model,
    doc: generator::load::DocId,
    value: &Value,
    pointer: String,
    in_names: bool,
    out: &mut Vec<generator::Diagnostic>,
) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, v) in items.iter().enumerate() {
                walk(model, doc, v, format!("{pointer}/{i}"), false, out);
            }
        }
        return;
    };
    if !in_names {
        // The schema an `example` here must satisfy: this node (a schema) or its `schema` (a media type or parameter).
        let schema_at = if map.contains_key("schema") {
            Some(format!("{pointer}/schema"))
        } else if [
            "type",
            "properties",
            "$ref",
            "allOf",
            "oneOf",
            "anyOf",
            "enum",
            "items",
        ]
        .iter()
        .any(|k| map.contains_key(*k))
        {
            Some(pointer.clone())
        } else {
            None
        };
        if let Some(schema_at) = schema_at {
            let mut examples: Vec<(String, &Value)> = map
                .get("example")
                .map(|e| (format!("{pointer}/example"), e))
                .into_iter()
                .collect();
            if map.contains_key("schema") {
                for (name, e) in map
                    .get("examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if let Some(v) = e.get("value") {
                        examples.push((
                            format!("{pointer}/examples/{}/value", generator::load::escape(name)),
                            v,
                        ));
                    }
                }
            }
            if !examples.is_empty()
                && let Some(validator) = model.validator(&(doc, schema_at.clone()))
            {
                for (at, example) in examples {
                    if let Some(error) = validator.iter_errors(example).next() {
                        let location = model.spec.location(doc, &at);
                        let related = model.spec.location(doc, &schema_at);
                        out.push(
                            generator::Diagnostic::warning("example-invalid", location, format!("this example does not validate against its own schema: {} at `{}`", error, error.instance_path().as_str()))
                                .with_related(related)
                                .with_help("fix the example or the schema: generated tests, mocks and docs all trust it"),
                        );
                    }
                }
            }
        }
    }
    for (k, v) in map {
        // Example data and extensions are data, not spec structure.
        if matches!(
            k.as_str(),
            "example" | "examples" | "default" | "enum" | "const"
        ) || k.starts_with("x-")
        {
            continue;
        }
        let names = matches!(
            k.as_str(),
            "properties"
                | "patternProperties"
                | "schemas"
                | "responses"
                | "parameters"
                | "paths"
                | "headers"
                | "content"
                | "securitySchemes"
                | "requestBodies"
                | "callbacks"
                | "links"
                | "definitions"
        );
        walk(
            model,
            doc,
            v,
            format!("{pointer}/{}", generator::load::escape(k)),
            names && !in_names,
            out,
        );
    }
}
