//! The generated proptest strategies against the spec itself: every value a type's strategy
//! produces validates against the spec's schema and decodes into the generated type; every value
//! its invalid strategy produces is rejected by the spec's schema.
//! Compiled into the throwaway runtime crate by `runtime.rs`.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::fidelity::{as_json_schema, fragment};

const CASES: usize = 24;

#[test]
fn strategies_generate_what_the_spec_allows_and_forbids() {
    let tables = crate::fidelity_tables();
    let strategies = crate::strategy_tables();
    let mut problems = Vec::new();
    let mut checked = 0;
    for ((spec_name, json_path, fidelity), (_, table)) in tables.into_iter().zip(strategies) {
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(json_path).unwrap()).unwrap();
        let registry = jsonschema::Registry::new().add("urn:spec", as_json_schema(&spec)).unwrap().prepare().unwrap();
        for entry in &fidelity {
            let Some((_, valid, invalid)) = table.iter().find(|(name, _, _)| *name == entry.name) else {
                problems.push(format!("{spec_name}: no strategy for {}", entry.name));
                continue;
            };
            // `oneOf` demands exactly one match; generated values of overlapping alternatives may match two.
            let one_of = spec.pointer(entry.pointer).is_some_and(|s| s.get("oneOf").is_some());
            let validator = jsonschema::options()
                .with_registry(&registry)
                .should_validate_formats(true)
                .build(&json!({"$ref": format!("urn:spec#{}", fragment(entry.pointer))}))
                .unwrap();
            let mut runner = TestRunner::deterministic();
            for _ in 0..CASES {
                let Ok(tree) = valid(5).new_tree(&mut runner) else { continue };
                let value = tree.current();
                checked += 1;
                if !one_of && let Some(e) = validator.iter_errors(&value).next() {
                    problems.push(format!("{spec_name}: {} generated {value}, which the spec rejects: {e}", entry.name));
                    break;
                }
                if let Err(e) = (entry.round_trip)(&value) {
                    problems.push(format!("{spec_name}: {} generated {value}, which does not decode: {e}", entry.name));
                    break;
                }
            }
            if let Some(invalid) = invalid {
                for _ in 0..CASES {
                    let Ok(tree) = invalid().new_tree(&mut runner) else { continue };
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
