//! `openapi.yaml` against the OpenAPI rules, against Vivamo's endpoint index, and against its own provenance notes.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{root, shared};

fn load() -> generator::load::Loaded {
    generator::load::load(&root().join("openapi.yaml"))
        .unwrap_or_else(|fatal| panic!("openapi.yaml does not load:\n{fatal}"))
}

fn spec_value() -> Value {
    load().spec.root().value.clone()
}

#[test]
fn openapi_yaml_meets_the_openapi_3_0_rules() {
    let loaded = load();
    assert_eq!(loaded.spec.version(), generator::load::Version::V3_0);
    assert!(loaded.diagnostics.0.is_empty(), "{}", loaded.diagnostics);
    let found = generator::load::validate::validate(&loaded.spec);
    assert!(
        found.0.is_empty(),
        "openapi.yaml breaks the rules:\n{found}"
    );
}

/// Reads `[METHOD /path - Name](url)` entries from the endpoint index.
fn indexed_endpoints() -> Vec<(String, String)> {
    let dir = shared().join("reference/seeds");
    let index = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("002_"))
        .expect("the endpoint index seeds/002_* is missing");
    let text = std::fs::read_to_string(index).unwrap();
    let mut out = Vec::new();
    for chunk in text.split("- [").skip(1) {
        let mut words = chunk.split_whitespace();
        let (Some(method), Some(path)) = (words.next(), words.next()) else {
            continue;
        };
        if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method) && path.starts_with('/') {
            out.push((method.to_lowercase(), path.to_string()));
        }
    }
    out
}

#[test]
fn every_endpoint_in_vivamos_index_is_in_the_spec() {
    let endpoints = indexed_endpoints();
    // The index lists 19 endpoints; fewer means the parsing above broke, not the spec.
    assert_eq!(endpoints.len(), 19, "{endpoints:#?}");
    let spec = spec_value();
    let missing: Vec<_> = endpoints
        .iter()
        .filter(|(method, path)| {
            spec["paths"]
                .get(path.as_str())
                .and_then(|item| item.get(method.as_str()))
                .is_none()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "endpoints in Vivamo's index but not in openapi.yaml: {missing:?}"
    );
}

#[test]
fn every_operation_is_secured_with_the_bearer_scheme() {
    let spec = spec_value();
    assert_eq!(spec["security"], serde_json::json!([{"bearerAuth": []}]));
    assert_eq!(
        spec["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(security) = op.get("security") {
                panic!("{method} {path} overrides security with {security}");
            }
        }
    }
    let servers: Vec<_> = spec["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        servers,
        ["https://api.vivamo.co", "https://api.test.vivamo.co"]
    );
}

fn enum_of(spec: &Value, pointer: &str) -> BTreeSet<String> {
    spec.pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} is missing"))
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// The spec is kept as Vivamo publishes it. If one of these fails, someone "fixed" Vivamo's spec.
#[test]
fn vivamos_inconsistencies_are_kept_as_published() {
    let spec = spec_value();
    let s = "/components/schemas";
    let record = enum_of(&spec, &format!("{s}/Disbursement/properties/status/enum"));
    assert_eq!(
        record,
        ["failed", "pending", "pending-validation", "success"]
            .map(String::from)
            .into()
    );
    let intent = enum_of(
        &spec,
        &format!("{s}/DisbursementIntentStatus/properties/status/enum"),
    );
    assert!(intent.contains("rejected") && !record.contains("rejected"));
    let proceed = enum_of(
        &spec,
        &format!("{s}/ProceedDisbursementResponse/properties/status/enum"),
    );
    assert_eq!(proceed, ["pending", "rejected"].map(String::from).into());

    let pending = &spec
        .pointer(&format!("{s}/PendingDisbursement/properties"))
        .unwrap();
    assert_eq!(pending["status"]["type"], "object");
    assert_eq!(pending["customerId"]["type"], "object");
    assert!(pending.get("externalDisbursementId").is_some());
    let created = spec
        .pointer(&format!("{s}/DisbursementIntentCreated/properties"))
        .unwrap();
    assert!(
        created.get("externalDisbursementIntentId").is_some()
            && created.get("externalDisbursementId").is_none()
    );

    let allow = &spec["paths"]["/v1/disbursements/{disbursementIntentId}/proceed/{allow}"]["post"]
        ["parameters"][1];
    assert_eq!(
        (
            allow["name"].as_str(),
            allow["in"].as_str(),
            allow["schema"]["type"].as_str()
        ),
        (Some("allow"), Some("path"), Some("boolean"))
    );
}

#[test]
fn amounts_are_strings_and_documented_examples_are_kept() {
    let spec = spec_value();
    for schema in [
        "PaymentIntentInput",
        "DisbursementIntentInput",
        "PaymentIntentCreated",
        "DisbursementIntentCreated",
        "PendingDisbursement",
    ] {
        let amount = spec
            .pointer(&format!(
                "/components/schemas/{schema}/properties/amount/type"
            ))
            .unwrap();
        assert_eq!(amount, "string", "{schema}.amount");
    }
    assert_eq!(
        spec.pointer("/components/schemas/CustomerData/properties/email/example")
            .unwrap(),
        "demo@vivamo.co"
    );
    assert_eq!(
        spec.pointer("/components/schemas/CustomerData/required")
            .unwrap(),
        &serde_json::json!(["email"])
    );
    assert_eq!(
        spec.pointer(
            "/components/schemas/DisbursementIntentInput/properties/sendStatusEmail/default"
        )
        .unwrap(),
        false
    );
    let tax_year = &spec["paths"]["/v1/customers/{externalCustomerId}/prizes"]["get"]["parameters"]
        [0]["schema"];
    assert_eq!(
        (tax_year["minimum"].as_i64(), tax_year["maximum"].as_i64()),
        (Some(2000), Some(2100))
    );
}

fn assumed_pointers(value: &Value, pointer: &mut String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "x-assumed" {
                    assert!(
                        child.as_str().is_some_and(|why| why.len() > 20),
                        "{pointer}: x-assumed must say why"
                    );
                    out.push(pointer.clone());
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&generator::load::escape(key));
                assumed_pointers(child, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                assumed_pointers(child, pointer, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

#[test]
fn every_assumption_is_listed_in_the_provenance_notes_and_back() {
    let mut pointers = Vec::new();
    assumed_pointers(&spec_value(), &mut String::new(), &mut pointers);
    assert!(pointers.len() >= 10, "{pointers:?}");
    let notes = std::fs::read_to_string(root().join("docs/spec-provenance.md")).unwrap();
    for pointer in &pointers {
        assert!(
            notes.contains(&format!("| `{pointer}` |")),
            "docs/spec-provenance.md does not list the assumption at {pointer}"
        );
    }
    let listed = notes.lines().filter(|l| l.starts_with("| `/")).count();
    assert_eq!(
        listed,
        pointers.len(),
        "docs/spec-provenance.md lists assumptions that openapi.yaml no longer marks"
    );
    let spec = spec_value();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for op in item
            .as_object()
            .unwrap()
            .values()
            .filter_map(|op| op.get("operationId"))
        {
            let id = op.as_str().unwrap();
            assert!(
                notes.contains(&format!("| {id} |")),
                "{id} ({path}) has no provenance row"
            );
        }
    }
}
