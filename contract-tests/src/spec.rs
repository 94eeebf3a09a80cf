//! The spec as the checks see it: operations with their path templates, documented responses
//! (status → media types → schema), declared headers, request bodies, and a JSON Schema
//! validator for any schema in it (OpenAPI 3.0's `nullable` and boolean exclusive bounds are
//! translated to JSON Schema first; 3.1 schemas are JSON Schema already).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use generator::load::{self, DocId, Spec, escape};
use generator::{Diagnostics, Location};
use serde_json::{Value, json};

/// One documented response.
#[derive(Debug, Clone)]
pub struct DocumentedResponse {
    /// `200`, `4XX` or `default`.
    pub status: String,
    /// Media type → (document, pointer of its schema), when it has one.
    pub content: Vec<(String, Option<(DocId, String)>)>,
    /// Declared header names, lower-case.
    pub headers: Vec<String>,
    /// Where the response is (after `$ref`).
    pub at: (DocId, String),
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId`, or `METHOD /path` when there is none.
    pub id: String,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Pointer of the operation object in the root document.
    pub pointer: String,
    /// The request body's media types and schemas.
    pub request: Vec<(String, Option<(DocId, String)>)>,
    /// Whether a request body is required.
    pub request_required: bool,
    pub responses: Vec<DocumentedResponse>,
}

/// A loaded spec ready for checking traffic.
pub struct Model {
    pub spec: Spec,
    pub operations: Vec<Operation>,
    /// Path prefixes of the servers (`/v1` for `https://host/v1`), longest first, always ending with "".
    pub base_paths: Vec<String>,
    registry: Option<jsonschema::Registry<'static>>,
    validators: Mutex<BTreeMap<(usize, String), Option<Validator>>>,
    /// Why schemas cannot be checked, when the registry could not be built.
    pub schema_problem: Option<String>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("operations", &self.operations.len()).finish_non_exhaustive()
    }
}

/// A compiled schema, shared by every check that needs it.
type Validator = std::sync::Arc<jsonschema::Validator>;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl Model {
    /// Loads and indexes `path`.
    pub fn load(path: &Path) -> Result<Model, Diagnostics> {
        let loaded = load::load(path)?;
        Ok(Model::new(loaded.spec))
    }

    /// Indexes a loaded spec.
    pub fn new(spec: Spec) -> Model {
        let root = &spec.root().value;
        let mut operations = Vec::new();
        let swagger2 = root.get("swagger").is_some();
        for (path, item) in root.get("paths").and_then(Value::as_object).into_iter().flatten() {
            let item_pointer = format!("/paths/{}", escape(path));
            let item_node = spec.deref(load::Node { doc: DocId(0), pointer: item_pointer.clone(), value: item }).ok();
            let item = item_node.as_ref().map_or(item, |n| n.value);
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let pointer = format!("{item_pointer}/{method}");
                let id = op.get("operationId").and_then(Value::as_str).map_or_else(|| format!("{} {path}", method.to_uppercase()), str::to_string);
                let (mut request, mut request_required) = (Vec::new(), false);
                if let Some(body) = op.get("requestBody")
                    && let Ok(body) = spec.deref(load::Node { doc: DocId(0), pointer: format!("{pointer}/requestBody"), value: body })
                {
                    request_required = body.value.get("required").and_then(Value::as_bool).unwrap_or(false);
                    request = content_of(&body);
                }
                if swagger2 {
                    for (i, p) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                        if p.get("in").and_then(Value::as_str) == Some("body") {
                            request_required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
                            request.push(("application/json".into(), Some((DocId(0), format!("{pointer}/parameters/{i}/schema")))));
                        }
                    }
                }
                let mut responses = Vec::new();
                for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                    let node = load::Node { doc: DocId(0), pointer: format!("{pointer}/responses/{}", escape(status)), value: response };
                    let Ok(node) = spec.deref(node) else { continue };
                    let mut content = content_of(&node);
                    if swagger2 && let Some(_schema) = node.value.get("schema") {
                        content.push(("application/json".into(), Some((node.doc, format!("{}/schema", node.pointer)))));
                    }
                    let headers = node.value.get("headers").and_then(Value::as_object).map(|h| h.keys().map(|k| k.to_ascii_lowercase()).collect()).unwrap_or_default();
                    responses.push(DocumentedResponse { status: status.clone(), content, headers, at: (node.doc, node.pointer.clone()) });
                }
                operations.push(Operation { id, method: method.to_uppercase(), path: path.clone(), pointer, request, request_required, responses });
            }
        }
        let mut base_paths: Vec<String> = root
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("url").and_then(Value::as_str))
            .map(|url| {
                let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
                let path = if url.contains("://") { without_scheme.find('/').map_or("", |i| &without_scheme[i..]) } else { without_scheme };
                path.trim_end_matches('/').to_string()
            })
            .collect();
        if let Some(base) = root.get("basePath").and_then(Value::as_str) {
            base_paths.push(base.trim_end_matches('/').to_string());
        }
        base_paths.push(String::new());
        base_paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
        base_paths.dedup();
        let (registry, schema_problem) = match registry(&spec) {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        Model { spec, operations, base_paths, registry, validators: Mutex::default(), schema_problem }
    }

    /// The operation serving `method` and `path` (a request path, without query), with the path parameters.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        let mut best: Option<(&Operation, usize)> = None;
        for base in &self.base_paths {
            let Some(rest) = path.strip_prefix(base.as_str()) else { continue };
            for op in self.operations.iter().filter(|o| o.method.eq_ignore_ascii_case(method)) {
                if let Some(literals) = match_template(&op.path, rest)
                    && best.is_none_or(|(_, l)| literals > l)
                {
                    best = Some((op, literals));
                }
            }
            if best.is_some() {
                break;
            }
        }
        best.map(|(op, _)| op)
    }

    /// A place in the spec, with its line.
    pub fn location(&self, at: &(DocId, String)) -> Location {
        self.spec.location(at.0, &at.1)
    }

    /// The schema at `at`.
    pub fn schema(&self, at: &(DocId, String)) -> Option<&Value> {
        self.spec.get(at.0, &at.1)
    }

    /// A validator for the schema at `at` (cached); `None` when it cannot be compiled.
    pub fn validator(&self, at: &(DocId, String)) -> Option<std::sync::Arc<jsonschema::Validator>> {
        let registry = self.registry.as_ref()?;
        let key = (at.0.0, at.1.clone());
        let mut cache = self.validators.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .entry(key)
            .or_insert_with(|| {
                let reference = json!({"$ref": format!("urn:spec:{}#{}", at.0.0, fragment(&at.1))});
                jsonschema::options().with_registry(registry).should_validate_formats(true).build(&reference).ok().map(std::sync::Arc::new)
            })
            .clone()
    }
}

fn content_of(node: &load::Node<'_>) -> Vec<(String, Option<(DocId, String)>)> {
    node.value
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(media, m)| {
            let schema = m.get("schema").map(|_| (node.doc, format!("{}/content/{}/schema", node.pointer, escape(media))));
            (media.to_ascii_lowercase(), schema)
        })
        .collect()
}

/// Matches a request path against a template; the number of literal characters matched ranks
/// candidates (`/users/me` beats `/users/{id}`).
pub fn match_template(template: &str, path: &str) -> Option<usize> {
    let t: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let p: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if t.len() != p.len() {
        return None;
    }
    let mut literals = 0;
    for (t, p) in t.iter().zip(&p) {
        match t.find('{') {
            None if t == p => literals += t.len(),
            None => return None,
            Some(open) => {
                let close = t.rfind('}')?;
                let (prefix, suffix) = (&t[..open], &t[close + 1..]);
                if p.len() < prefix.len() + suffix.len() + 1 || !p.starts_with(prefix) || !p.ends_with(suffix) {
                    return None;
                }
                literals += prefix.len() + suffix.len();
            }
        }
    }
    Some(literals)
}

/// A JSON pointer as a URI fragment.
fn fragment(pointer: &str) -> String {
    pointer.replace('%', "%25").replace('{', "%7B").replace('}', "%7D").replace(' ', "%20").replace('"', "%22").replace('<', "%3C").replace('>', "%3E").replace('^', "%5E").replace('`', "%60").replace('|', "%7C").replace('\\', "%5C")
}

/// Every document of the spec as a JSON Schema resource `urn:spec:<n>`.
fn registry(spec: &Spec) -> Result<jsonschema::Registry<'static>, String> {
    let paths: Vec<PathBuf> = spec.documents().map(|(_, d)| d.path.clone()).collect();
    let openapi30 = spec.root().value.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.0")) || spec.root().value.get("swagger").is_some();
    let mut builder = jsonschema::Registry::new();
    for (id, doc) in spec.documents() {
        let converted = as_json_schema(&doc.value, id.0, &doc.path, &paths, openapi30);
        builder = builder.add(format!("urn:spec:{}", id.0), converted).map_err(|e| e.to_string())?;
    }
    builder.prepare().map_err(|e| e.to_string())
}

/// OpenAPI schema dialect → JSON Schema: `nullable`, boolean exclusive bounds (3.0), and `$ref`s
/// rewritten to the `urn:spec:<n>` resources. Example data is left alone.
fn as_json_schema(value: &Value, doc: usize, path: &Path, paths: &[PathBuf], openapi30: bool) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                if matches!(k.as_str(), "example" | "examples" | "default" | "enum" | "const") || k.starts_with("x-") {
                    out.insert(k.clone(), v.clone());
                } else if k == "$ref" && let Some(r) = v.as_str() {
                    out.insert(k.clone(), Value::String(rewrite_ref(r, doc, path, paths)));
                } else {
                    out.insert(k.clone(), as_json_schema(v, doc, path, paths, openapi30));
                }
            }
            if openapi30 {
                if map.get("nullable") == Some(&Value::Bool(true)) {
                    match map.get("type") {
                        Some(Value::String(t)) => {
                            out.insert("type".into(), json!([t, "null"]));
                        }
                        None if map.contains_key("$ref") || map.contains_key("allOf") || map.contains_key("oneOf") || map.contains_key("anyOf") => {
                            let mut inner = out.clone();
                            inner.remove("nullable");
                            out = serde_json::Map::new();
                            out.insert("anyOf".into(), json!([{"type": "null"}, Value::Object(inner)]));
                        }
                        _ => {}
                    }
                    if let Some(Value::Array(values)) = out.get_mut("enum")
                        && !values.contains(&Value::Null)
                    {
                        values.push(Value::Null);
                    }
                }
                for (bound, flag) in [("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")] {
                    if let Some(Value::Bool(exclusive)) = map.get(flag) {
                        out.remove(flag);
                        if *exclusive && let Some(n) = map.get(bound).cloned() {
                            out.remove(bound);
                            out.insert(flag.into(), n);
                        }
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| as_json_schema(v, doc, path, paths, openapi30)).collect()),
        other => other.clone(),
    }
}

fn rewrite_ref(reference: &str, doc: usize, path: &Path, paths: &[PathBuf]) -> String {
    let (file, frag) = reference.split_once('#').unwrap_or((reference, ""));
    if file.is_empty() {
        return format!("urn:spec:{doc}#{frag}");
    }
    let target = path.parent().unwrap_or(Path::new("")).join(file);
    let target = normalize(&target);
    match paths.iter().position(|p| normalize(p) == target) {
        Some(i) => format!("urn:spec:{i}#{frag}"),
        None => reference.to_string(),
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_whole_segments_and_rank_literals() {
        assert_eq!(match_template("/users/{id}", "/users/42"), Some(5));
        assert_eq!(match_template("/users/me", "/users/me"), Some(7));
        assert_eq!(match_template("/calls/{Sid}.json", "/calls/CA1.json"), Some(10));
        assert_eq!(match_template("/calls/{Sid}.json", "/calls/CA1"), None);
        assert_eq!(match_template("/users/{id}", "/users/42/x"), None);
    }

    #[test]
    fn nullable_becomes_a_null_type_and_boolean_bounds_become_numbers() {
        let schema = json!({"type": "string", "nullable": true, "enum": ["a"], "x": {"type": "integer", "minimum": 1, "exclusiveMinimum": true}});
        let out = as_json_schema(&schema, 0, Path::new("a.yaml"), &[], true);
        assert_eq!(out["type"], json!(["string", "null"]));
        assert_eq!(out["enum"], json!(["a", null]));
        assert_eq!(out["x"]["exclusiveMinimum"], json!(1));
        assert!(out["x"].get("minimum").is_none());
    }
}
