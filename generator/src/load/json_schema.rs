//! OpenAPI's schema dialect as JSON Schema, for any validator: 3.0's `nullable` and boolean
//! exclusive bounds translated, and every `$ref` rewritten to the `urn:spec:<n>` resource of the
//! document it names. The contract engine's validators and the generator's fidelity tests read
//! schemas through this one translation.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::Spec;

/// Every document of the spec as a JSON Schema resource: `(urn:spec:<n>, translated document)`.
pub fn resources(spec: &Spec) -> Vec<(String, Value)> {
    let paths: Vec<PathBuf> = spec.documents().map(|(_, d)| d.path.clone()).collect();
    let openapi30 = spec
        .root()
        .value
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.0"))
        || spec.root().value.get("swagger").is_some();
    spec.documents()
        .map(|(id, doc)| {
            (
                format!("urn:spec:{}", id.0),
                as_json_schema(&doc.value, id.0, &doc.path, &paths, openapi30),
            )
        })
        .collect()
}

/// The reference a validator resolves for the schema at `pointer` in document `doc`.
pub fn reference(doc: usize, pointer: &str) -> Value {
    json!({"$ref": format!("urn:spec:{doc}#{}", fragment(pointer))})
}

/// A JSON pointer as a URI fragment.
pub fn fragment(pointer: &str) -> String {
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

/// OpenAPI schema dialect → JSON Schema: `nullable`, boolean exclusive bounds (3.0), and `$ref`s
/// rewritten to the `urn:spec:<n>` resources. Example data is left alone.
pub fn as_json_schema(
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

    #[test]
    fn a_nullable_reference_also_admits_null() {
        let schema = json!({"$ref": "#/components/schemas/A", "nullable": true});
        let out = as_json_schema(&schema, 0, Path::new("a.yaml"), &[], true);
        assert_eq!(
            out,
            json!({"anyOf": [{"type": "null"}, {"$ref": "urn:spec:0#/components/schemas/A"}]})
        );
    }
}
