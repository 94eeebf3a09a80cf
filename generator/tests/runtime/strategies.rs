//! The generated proptest strategies against the spec itself: every value a type's strategy
//! produces validates against the spec's schema and decodes into the generated type; every value
//! its invalid strategy produces is rejected by the spec's schema.
//! Compiled into the throwaway runtime crate by `runtime.rs`.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::Value;

use crate::fidelity::{reference, registry, translated};

const CASES: usize = 24;

#[test]
fn strategies_generate_what_the_spec_allows_and_forbids() {
    let tables = crate::fidelity_tables();
    let strategies = crate::strategy_tables();
    let mut problems = Vec::new();
    let mut checked = 0;
    for ((spec_name, json_path, fidelity), (_, table)) in tables.into_iter().zip(strategies) {
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(json_path).unwrap()).unwrap();
        let registry = registry(translated(json_path));
        for entry in &fidelity {
            let Some((_, valid, invalid)) = table.iter().find(|(name, _, _)| *name == entry.name) else {
                problems.push(format!("{spec_name}: no strategy for {}", entry.name));
                continue;
            };
            let validator_at = |pointer: &str| {
                jsonschema::options()
                    .with_registry(&registry)
                    .should_validate_formats(true)
                    .build(&reference(pointer))
                    .unwrap()
            };
            let validator = validator_at(entry.pointer);
            // `oneOf` demands exactly one match, and values of overlapping alternatives may match
            // two: such a value must match at least one alternative.
            let alternatives: Vec<_> = spec
                .pointer(entry.pointer)
                .and_then(|s| s.get("oneOf"))
                .and_then(Value::as_array)
                .map(|all| (0..all.len()).map(|i| validator_at(&format!("{}/oneOf/{i}", entry.pointer))).collect())
                .unwrap_or_default();
            let mut runner = TestRunner::deterministic();
            for _ in 0..CASES {
                let tree = match valid(5).new_tree(&mut runner) {
                    Ok(tree) => tree,
                    Err(e) => {
                        problems.push(format!("{spec_name}: {}'s strategy produced no value: {e}", entry.name));
                        break;
                    }
                };
                let value = tree.current();
                checked += 1;
                if alternatives.is_empty() {
                    if let Some(e) = validator.iter_errors(&value).next() {
                        problems.push(format!("{spec_name}: {} generated {value}, which the spec rejects: {e}", entry.name));
                        break;
                    }
                } else if !alternatives.iter().any(|v| v.is_valid(&value)) {
                    problems.push(format!("{spec_name}: {} generated {value}, which matches none of its oneOf alternatives", entry.name));
                    break;
                }
                if let Err(e) = (entry.round_trip)(&value) {
                    problems.push(format!("{spec_name}: {} generated {value}, which does not decode: {e}", entry.name));
                    break;
                }
            }
            if let Some(invalid) = invalid {
                for _ in 0..CASES {
                    let tree = match invalid().new_tree(&mut runner) {
                        Ok(tree) => tree,
                        Err(e) => {
                            problems.push(format!("{spec_name}: {}'s invalid strategy produced no value: {e}", entry.name));
                            break;
                        }
                    };
                    let value = tree.current();
                    checked += 1;
                    if validator.is_valid(&value) {
                        problems.push(format!("{spec_name}: {}'s invalid strategy generated {value}, which the spec accepts", entry.name));
                        break;
                    }
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} values checked");
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

/// The operation's parameters in the spec (path-level and operation-level, `$ref`s resolved),
/// as (location, name, required, pointer of the schema).
fn parameters(spec: &Value, op_pointer: &str) -> Vec<(String, String, bool, String)> {
    let item_pointer = op_pointer.rsplit_once('/').map_or("", |(p, _)| p).to_string();
    let mut out: Vec<(String, String, bool, String)> = Vec::new();
    for base in [item_pointer, op_pointer.to_string()] {
        for (i, p) in spec.pointer(&format!("{base}/parameters")).and_then(Value::as_array).into_iter().flatten().enumerate() {
            let (p, at) = match p.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
                Some(target) => (spec.pointer(target).unwrap_or(p), target.to_string()),
                None => (p, format!("{base}/parameters/{i}")),
            };
            let location = p.get("in").and_then(Value::as_str).unwrap_or("").to_string();
            // Swagger 2.0's `body` and `formData` "parameters" are the request body, which the
            // body strategies cover.
            if location == "body" || location == "formData" {
                continue;
            }
            let name = p.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            let required = location == "path" || p.get("required") == Some(&Value::Bool(true));
            out.retain(|(l, n, _, _)| !(l == &location && n == &name));
            out.push((location, name, required, format!("{at}/schema")));
        }
    }
    out
}

#[test]
fn parameter_strategies_give_every_required_parameter_a_value_the_spec_allows() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (spec_name, json_path, operations) in crate::operation_tables() {
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(json_path).unwrap()).unwrap();
        let registry = registry(translated(json_path));
        let mut runner = TestRunner::deterministic();
        for (operation, pointer, strategy) in operations {
            let params = parameters(&spec, pointer);
            for _ in 0..8 {
                let tree = match strategy().new_tree(&mut runner) {
                    Ok(tree) => tree,
                    Err(e) => {
                        problems.push(format!("{spec_name}: {operation}'s parameter strategy produced no value: {e}"));
                        break;
                    }
                };
                let value = tree.current();
                for (location, name, required, schema) in &params {
                    let got = value.get(location.as_str()).and_then(|g| g.get(name.as_str()));
                    match got {
                        None if *required => problems.push(format!("{spec_name} {operation}: required {location} parameter `{name}` missing from {value}")),
                        None => {}
                        Some(v) => {
                            checked += 1;
                            if spec.pointer(schema).is_none() {
                                continue;
                            }
                            let validator = jsonschema::options().with_registry(&registry).build(&reference(schema)).unwrap();
                            if let Some(e) = validator.iter_errors(v).next() {
                                problems.push(format!("{spec_name} {operation}: {location} parameter `{name}` = {v}, which the spec rejects: {e}"));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} parameter values checked");
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}
