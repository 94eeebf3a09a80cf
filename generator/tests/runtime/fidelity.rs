//! Holds each generated type against the spec's schema for it: the same required fields, the
//! same enum values, and the spec's own examples accepted by both schemas and by a serde round trip.
//! Compiled into the throwaway runtime crate (with the `schemars` feature) by `runtime.rs`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::Fidelity;

/// The spec as JSON Schema: the generator's own translation (`load::json_schema`), which
/// `runtime.rs` writes beside the spec's JSON as `<name>.schema.json`.
pub(crate) fn translated(spec_path: &str) -> Value {
    let path = format!("{}.schema.json", spec_path.strip_suffix(".json").expect("a .json path"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A registry holding the translated spec as `urn:spec:0`, the resource its `$ref`s name.
pub(crate) fn registry(translated: Value) -> jsonschema::Registry<'static> {
    jsonschema::Registry::new().add("urn:spec:0", translated).expect("spec registers").prepare().expect("spec prepares")
}

/// The schema at `pointer` of the registered spec.
pub(crate) fn reference(pointer: &str) -> Value {
    json!({"$ref": format!("urn:spec:0#{}", fragment(pointer))})
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => spec.pointer(pointer).map(|s| resolve(spec, s)).unwrap_or(schema),
        None => schema,
    }
}

/// Required property names and properties, merged through `allOf`.
fn merged(spec: &Value, schema: &Value, required: &mut BTreeSet<String>, props: &mut serde_json::Map<String, Value>) {
    let schema = resolve(spec, schema);
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        merged(spec, member, required, props);
    }
    for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
        required.insert(name.as_str().unwrap_or_default().to_string());
    }
    for (k, v) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        props.insert(k.clone(), v.clone());
    }
}

/// The schema's own examples, plus one object built from its properties' examples when every
/// required property has one (that is how Vivamo documents most of its objects).
fn examples(spec: &Value, schema: &Value) -> Vec<Value> {
    let schema = resolve(spec, schema);
    let mut out: Vec<Value> = schema.get("example").cloned().into_iter().collect();
    out.extend(schema.get("examples").and_then(Value::as_array).into_iter().flatten().cloned());
    let (mut required, mut props) = (BTreeSet::new(), serde_json::Map::new());
    merged(spec, schema, &mut required, &mut props);
    let built: serde_json::Map<String, Value> =
        props.iter().filter_map(|(k, p)| resolve(spec, p).get("example").or_else(|| p.get("example")).map(|e| (k.clone(), e.clone()))).collect();
    if !built.is_empty() && required.iter().all(|r| built.contains_key(r)) {
        out.push(Value::Object(built));
    }
    out
}

/// Percent-encodes a JSON pointer for use as a URI fragment.
fn fragment(pointer: &str) -> String {
    pointer
        .chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '/' | '~' | '-' | '_' | '.' | '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '=' | ':' | '@' => c.to_string(),
            other => other.to_string().bytes().map(|b| format!("%{b:02X}")).collect(),
        })
        .collect()
}

fn contains(big: &Value, small: &Value) -> bool {
    match (big, small) {
        (Value::Object(b), Value::Object(s)) => s.iter().all(|(k, v)| b.get(k).is_some_and(|bv| contains(bv, v))),
        (Value::Array(b), Value::Array(s)) => b.len() == s.len() && b.iter().zip(s).all(|(x, y)| contains(x, y)),
        // JSON has one number type: `1500` and `1500.0` are the same value.
        (Value::Number(b), Value::Number(s)) => b.as_f64() == s.as_f64(),
        (b, s) => b == s,
    }
}

/// Every disagreement between the generated types of one spec and the spec; also returns how many
/// examples were checked.
pub fn check(spec: &Value, translated: Value, table: &[Fidelity]) -> (Vec<String>, usize) {
    let registry = registry(translated);
    let mut problems = Vec::new();
    let mut n_examples = 0;
    for entry in table {
        let at = format!("{} ({})", entry.name, entry.pointer);
        let Some(spec_schema) = spec.pointer(entry.pointer) else {
            problems.push(format!("{at}: pointer not in the spec"));
            continue;
        };
        let derived = entry.schema.as_value();
        let spec_schema = resolve(spec, spec_schema);
        if derived.get("properties").is_some() {
            let (mut required, mut props) = (BTreeSet::new(), serde_json::Map::new());
            merged(spec, spec_schema, &mut required, &mut props);
            let got: BTreeSet<String> = derived.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(String::from).collect();
            if got != required {
                problems.push(format!("{at}: required {got:?}, spec says {required:?}"));
            }
        }
        if let Some(values) = spec_schema.get("enum").and_then(Value::as_array) {
            let want: BTreeSet<String> = values.iter().filter(|v| !v.is_null()).map(|v| v.to_string()).collect();
            let got: BTreeSet<String> = derived.get("enum").and_then(Value::as_array).into_iter().flatten().map(|v| v.to_string()).collect();
            if got != want {
                problems.push(format!("{at}: enum {got:?}, spec says {want:?}"));
            }
        }
        let derived_validator = jsonschema::validator_for(derived).expect("derived schema compiles");
        let spec_validator = jsonschema::options()
            .with_registry(&registry)
            .build(&reference(entry.pointer))
            .expect("spec schema compiles");
        for example in examples(spec, spec_schema) {
            n_examples += 1;
            if let Some(err) = spec_validator.iter_errors(&example).next() {
                problems.push(format!("{at}: the spec's own schema rejects its example {example}: {err}"));
            }
            if let Some(err) = derived_validator.iter_errors(&example).next() {
                problems.push(format!("{at}: the derived schema rejects the spec's example {example}: {err}"));
            }
            match (entry.round_trip)(&example) {
                Ok(back) if contains(&back, &example) => {}
                Ok(back) => problems.push(format!("{at}: example {example} comes back as {back}")),
                Err(err) => problems.push(format!("{at}: example {example} does not decode: {err}")),
            }
        }
    }
    (problems, n_examples)
}

#[test]
fn generated_types_agree_with_their_specs() {
    let mut total_examples = 0;
    for (module, spec_path, table) in crate::fidelity_tables() {
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(spec_path).unwrap()).unwrap();
        assert!(!table.is_empty(), "{module}: no types listed");
        let (problems, n) = check(&spec, translated(spec_path), &table);
        total_examples += n;
        assert!(problems.is_empty(), "{module}:\n{}", problems.join("\n"));
    }
    assert!(total_examples >= 10, "too few examples were checked ({total_examples}) for this test to mean much");
}

#[test]
fn the_check_catches_a_disagreement() {
    let spec = json!({"components": {"schemas": {"T": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "example": "x"}}}}}});
    let table = [Fidelity {
        name: "T",
        pointer: "/components/schemas/T",
        schema: schemars::json_schema!({"type": "object", "properties": {"a": {"type": "integer"}}}),
        round_trip: |v| Ok(v.clone()),
    }];
    let (problems, _) = check(&spec, spec.clone(), &table);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("required"));
    assert!(problems[1].contains("derived schema rejects"));
}
