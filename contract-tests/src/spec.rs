//! The spec as the checks and the contract engine see it: the generator's own lowered model
//! ([`generator::ir::Api`]: operations, parameters, bodies, responses, security, typed schemas,
//! and the router's path matcher), plus a JSON Schema validator for any schema in it (OpenAPI
//! 3.0's `nullable` and boolean exclusive bounds are translated to JSON Schema first; 3.1
//! schemas are JSON Schema already).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use generator::ir::{self, Api, Origin};
use generator::load::{self, DocId, Spec};
use generator::{Diagnostics, Location};
use serde_json::{Value, json};

pub use generator::ir::{Operation, Response as DocumentedResponse};

/// A loaded spec ready for checking traffic and driving a target.
pub struct Model {
    pub spec: Spec,
    /// The lowered model: the one index of operations every part of specdrift reads.
    pub api: Api,
    /// Path prefixes of the servers (`/v1` for `https://host/v1`), longest first, always ending with "".
    pub base_paths: Vec<String>,
    registry: Option<jsonschema::Registry<'static>>,
    validators: Mutex<BTreeMap<(usize, String), Option<Validator>>>,
    /// Why schemas cannot be checked, when the registry could not be built.
    pub schema_problem: Option<String>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("operations", &self.api.operations.len())
            .finish_non_exhaustive()
    }
}

/// A compiled schema, shared by every check that needs it.
type Validator = std::sync::Arc<jsonschema::Validator>;

impl Model {
    /// Loads and indexes `path`.
    pub fn load(path: &Path) -> Result<Model, Diagnostics> {
        let loaded = load::load(path)?;
        Ok(Model::new(loaded.spec))
    }

    /// Loads and indexes a spec given as text (`name` stands for its file in diagnostics).
    pub fn load_str(name: &Path, text: &str) -> Result<Model, Diagnostics> {
        let loaded = load::load_str(name, text)?;
        Ok(Model::new(loaded.spec))
    }

    /// Lowers and indexes a loaded spec.
    pub fn new(spec: Spec) -> Model {
        let (api, _) = ir::lower(&spec);
        let mut base_paths: Vec<String> = api
            .servers
            .iter()
            .map(|s| {
                let url = s.url.as_str();
                let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
                let path = if url.contains("://") {
                    without_scheme
                        .find('/')
                        .map_or("", |i| &without_scheme[i..])
                } else {
                    without_scheme
                };
                path.trim_end_matches('/').to_string()
            })
            .collect();
        if let Some(base) = spec.root().value.get("basePath").and_then(Value::as_str) {
            base_paths.push(base.trim_end_matches('/').to_string());
        }
        base_paths.push(String::new());
        base_paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
        base_paths.dedup();
        let (registry, schema_problem) = match registry(&spec) {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        Model {
            spec,
            api,
            base_paths,
            registry,
            validators: Mutex::default(),
            schema_problem,
        }
    }

    /// The operations, in the model's order.
    pub fn operations(&self) -> &[Operation] {
        &self.api.operations
    }

    /// The operation serving `method` and `path` (a request path, without query): the servers'
    /// base path stripped, then the router's matcher.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        self.find_with_params(method, path).map(|(op, _)| op)
    }

    /// [`Model::find`], with the path parameters' values.
    pub fn find_with_params(
        &self,
        method: &str,
        path: &str,
    ) -> Option<(&Operation, Vec<(String, String)>)> {
        self.base_paths
            .iter()
            .filter_map(|base| path.strip_prefix(base.as_str()))
            .find_map(|rest| self.api.find(method, rest))
    }

    /// A place in the spec, with its line.
    pub fn location(&self, at: &(DocId, String)) -> Location {
        self.spec.location(at.0, &at.1)
    }

    /// The schema at `at`, as written.
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
                jsonschema::options()
                    .with_registry(registry)
                    .should_validate_formats(true)
                    .build(&reference)
                    .ok()
                    .map(std::sync::Arc::new)
            })
            .clone()
    }
}

/// A JSON pointer as a URI fragment.
fn fragment(pointer: &str) -> String {
    pointer
        .replace('%', "%25")
        .replace('{', "%7B")
        .replace('}', "%7D")
        .replace(' ', "%20")
        .replace('"', "%22")
        .replace('<', "%3C")
        .replace('>', "%3E")
        .replace('^', "%5E")
        .replace('`', "%60")
        .replace('|', "%7C")
        .replace('\\', "%5C")
}

/// Every document of the spec as a JSON Schema resource `urn:spec:<n>`.
fn registry(spec: &Spec) -> Result<jsonschema::Registry<'static>, String> {
    let paths: Vec<PathBuf> = spec.documents().map(|(_, d)| d.path.clone()).collect();
    let openapi30 = spec
        .root()
        .value
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.0"))
        || spec.root().value.get("swagger").is_some();
    let mut builder = jsonschema::Registry::new();
    for (id, doc) in spec.documents() {
        let converted = as_json_schema(&doc.value, id.0, &doc.path, &paths, openapi30);
        builder = builder
            .add(format!("urn:spec:{}", id.0), converted)
            .map_err(|e| e.to_string())?;
    }
    builder.prepare().map_err(|e| e.to_string())
}

/// OpenAPI schema dialect → JSON Schema: `nullable`, boolean exclusive bounds (3.0), and `$ref`s
/// rewritten to the `urn:spec:<n>` resources. Example data is left alone.
fn as_json_schema(
    value: &Value,
    doc: usize,
    path: &Path,
    paths: &[PathBuf],
    openapi30: bool,
) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                if matches!(
                    k.as_str(),
                    "example" | "examples" | "default" | "enum" | "const"
                ) || k.starts_with("x-")
                {
                    out.insert(k.clone(), v.clone());
                } else if k == "$ref"
                    && let Some(r) = v.as_str()
                {
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
                        None if map.contains_key("$ref")
                            || map.contains_key("allOf")
                            || map.contains_key("oneOf")
                            || map.contains_key("anyOf") =>
                        {
                            let mut inner = out.clone();
                            inner.remove("nullable");
                            out = serde_json::Map::new();
                            out.insert(
                                "anyOf".into(),
                                json!([{"type": "null"}, Value::Object(inner)]),
                            );
                        }
                        _ => {}
                    }
                    if let Some(Value::Array(values)) = out.get_mut("enum")
                        && !values.contains(&Value::Null)
                    {
                        values.push(Value::Null);
                    }
                }
                for (bound, flag) in [
                    ("minimum", "exclusiveMinimum"),
                    ("maximum", "exclusiveMaximum"),
                ] {
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
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| as_json_schema(v, doc, path, paths, openapi30))
                .collect(),
        ),
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

/// A model origin as the `(document, pointer)` pair the validators and locations take.
pub fn at(origin: &Origin) -> (DocId, String) {
    (DocId(origin.doc), origin.pointer.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

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
