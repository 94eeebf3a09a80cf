//! `diff`: each rule on the fixture pair, the generated-API change and semver bump, identical
//! specs, and two real specs from the corpus.

use std::path::Path;

use generator::diff::{Diff, Level, diff};

fn api(path: &Path) -> generator::ir::Api {
    let loaded = generator::load::load(path).unwrap_or_else(|d| panic!("{d}"));
    generator::ir::lower(&loaded.spec).0
}

fn fixture_diff() -> Diff {
    diff(
        &api(Path::new("tests/diff/old.yaml")),
        &api(Path::new("tests/diff/new.yaml")),
    )
}

#[test]
fn every_rule_fires_on_the_fixture_pair_with_its_level() {
    let d = fixture_diff();
    let expected = [
        (Level::Breaking, "operation-removed", "DELETE /pets/{id}"),
        (Level::NonBreaking, "operation-added", "GET /owners"),
        (Level::NonBreaking, "operation-id-changed", "POST /pets"),
        (
            Level::Breaking,
            "request-parameter-became-required",
            "GET /pets",
        ),
        (
            Level::Breaking,
            "request-parameter-type-changed",
            "GET /pets",
        ),
        (Level::Warning, "request-parameter-removed", "GET /pets"),
        (
            Level::NonBreaking,
            "new-optional-request-parameter",
            "GET /pets",
        ),
        (
            Level::Breaking,
            "new-required-request-parameter",
            "GET /pets",
        ),
        (Level::Warning, "response-success-status-added", "GET /pets"),
        (
            Level::Breaking,
            "response-success-status-removed",
            "POST /pets",
        ),
        (
            Level::Breaking,
            "request-body-became-required",
            "POST /pets",
        ),
        (Level::Breaking, "security-changed", "GET /pets"),
        (Level::Warning, "enum-value-added", "schema Kind"),
        (Level::Breaking, "enum-value-removed", "schema RequestKind"),
        (
            Level::Breaking,
            "request-property-became-required",
            "schema NewPet",
        ),
        (Level::Warning, "request-property-removed", "schema NewPet"),
        (
            Level::Breaking,
            "new-required-request-property",
            "schema NewPet",
        ),
        (
            Level::Breaking,
            "response-property-became-optional",
            "schema Pet",
        ),
        (Level::Breaking, "property-type-changed", "schema Pet"),
        (Level::Breaking, "response-property-removed", "schema Pet"),
        (Level::NonBreaking, "property-added", "schema Pet"),
        (Level::Breaking, "server-removed", "servers"),
        (Level::NonBreaking, "server-added", "servers"),
    ];
    for (level, rule, at) in expected {
        assert!(
            d.changes
                .iter()
                .any(|c| c.level == level && c.rule == rule && c.at == at),
            "{rule} at {at} ({level:?}) missing:\n{}",
            d.to_text()
        );
    }
    assert_eq!(d.changes.len(), 26, "{}", d.to_text());
    assert!(d.breaking());
}

#[test]
fn the_generated_api_change_and_the_semver_bump_are_reported() {
    let d = fixture_diff();
    let has = |kind: &str, item: &str| {
        d.rust
            .iter()
            .any(|r| r.kind == kind && r.item.starts_with(item))
    };
    assert!(has("removed", "fn delete_pet"));
    assert!(
        has("removed", "fn create_pet") && has("added", "fn add_pet"),
        "a renamed operationId renames the method"
    );
    assert!(has("changed", "Pet.name Option<String>"), "{:#?}", d.rust);
    assert!(has("added", "Kind::Hamster"));
    assert_eq!(d.semver, "major");
    let md = d.to_markdown();
    assert!(
        md.contains("| **breaking** | `operation-removed` | `DELETE /pets/{id}` |"),
        "{md}"
    );
    assert!(md.contains("## Generated Rust API (major bump)"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&d.to_json()).unwrap();
    assert_eq!(json["breaking"], true);
    assert_eq!(json["changes"][0]["rule"], "operation-removed");
}

#[test]
fn additions_only_are_a_minor_bump_and_identical_specs_a_patch() {
    let old = api(Path::new("tests/diff/old.yaml"));
    let same = diff(&old, &old);
    assert!(same.changes.is_empty() && same.rust.is_empty());
    assert_eq!(same.semver, "patch");
    // old → old plus one operation: non-breaking, minor.
    let text = std::fs::read_to_string("tests/diff/old.yaml").unwrap().replace("components:", "  /health:\n    get:\n      operationId: health\n      responses:\n        '204': {description: Up.}\ncomponents:");
    let loaded = generator::load::load_str(Path::new("tests/diff/old-plus.yaml"), &text).unwrap();
    let plus = generator::ir::lower(&loaded.spec).0;
    let d = diff(&old, &plus);
    assert_eq!(
        d.changes.iter().map(|c| c.rule).collect::<Vec<_>>(),
        ["operation-added"]
    );
    assert!(!d.breaking());
    assert_eq!(d.semver, "minor");
}

#[test]
fn two_real_specs_diff_without_error() {
    let shared = crate::check::shared().join("specs");
    let d = diff(
        &api(&shared.join("oai-petstore/petstore.yaml")),
        &api(&shared.join("oai-petstore-expanded/petstore-expanded.json")),
    );
    assert!(
        d.changes
            .iter()
            .any(|c| c.rule == "operation-removed" && c.at == "GET /pets/{petId}"),
        "{}",
        d.to_text()
    );
    assert!(
        d.changes
            .iter()
            .any(|c| c.rule == "operation-added" && c.at == "DELETE /pets/{id}"),
        "{}",
        d.to_text()
    );
    // `Pets` (an alias of an array of Pet) and an inline array of Pet are the same wire shape.
    assert!(
        !d.changes
            .iter()
            .any(|c| c.rule == "response-body-type-changed" && c.at == "GET /pets"),
        "{}",
        d.to_text()
    );
    let big = api(&shared.join("stripe/spec3.yaml"));
    assert!(diff(&big, &big).changes.is_empty());
}
