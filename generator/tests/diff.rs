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
    // A client gains a method (compatible), but the server trait gains one its implementors
    // must write: as cargo-semver-checks rules a new required trait method, that is major.
    let added: Vec<&str> = d
        .rust
        .iter()
        .filter(|r| r.kind == "added")
        .map(|r| r.item.as_str())
        .collect();
    assert!(
        added.contains(&"fn health") && added.contains(&"Api::health"),
        "{added:?}"
    );
    assert_eq!(d.semver, "major");
    // One more type, and nothing else, is a minor bump.
    let text = std::fs::read_to_string("tests/diff/old.yaml").unwrap().replace("  schemas:\n", "  schemas:\n    Owner:\n      type: object\n      properties:\n        name: {type: string}\n");
    let loaded = generator::load::load_str(Path::new("tests/diff/old-owner.yaml"), &text).unwrap();
    let owner = generator::ir::lower(&loaded.spec).0;
    let d = diff(&old, &owner);
    assert!(
        d.rust
            .iter()
            .any(|r| r.kind == "added" && r.item == "struct Owner"),
        "{:#?}",
        d.rust
    );
    assert_eq!(d.semver, "minor", "{:#?}", d.rust);
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

#[test]
fn the_rust_api_change_is_read_off_the_generated_code() {
    let spec = |tag: &str, limit_required: bool| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      parameters:\n        - {{name: limit, in: query, required: {limit_required}, schema: {{type: integer}}}}\n        - {{name: kind, in: query, required: true, schema: {{type: string}}}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Pet'}}\ncomponents:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        tag: {tag}\n        parent: {{$ref: '#/components/schemas/Pet'}}\n"
        )
    };
    let lower = |text: String| {
        let loaded = generator::load::load_str(Path::new("pets.yaml"), &text).unwrap();
        generator::ir::lower(&loaded.spec).0
    };
    let old = lower(spec("{type: string}", false));
    let new = lower(spec("{type: string, nullable: true}", true));
    let d = diff(&old, &new);
    let find = |item: &str| d.rust.iter().find(|r| r.item.starts_with(item));
    // Absent and null kept apart: the field's Rust type gains a second Option.
    let tag = find("Pet.tag").unwrap_or_else(|| panic!("{:#?}", d.rust));
    assert_eq!(tag.item, "Pet.tag Option<Option<String>>", "{:#?}", d.rust);
    assert_eq!(tag.was.as_deref(), Some("Pet.tag Option<String>"));
    // A parameter that becomes required moves before the optional ones and loses its Option.
    let list = find("fn list_pets ").unwrap_or_else(|| panic!("{:#?}", d.rust));
    assert!(
        list.item.contains("(limit: i64, kind: &str)"),
        "required query parameters in spec order: {list:?}"
    );
    assert!(
        list.was
            .as_deref()
            .unwrap()
            .contains("(kind: &str, limit: Option<i64>)"),
        "{list:?}"
    );
    // The recursive field is boxed, as the generated struct has it, and unchanged.
    assert!(find("Pet.parent").is_none(), "{:#?}", d.rust);
    assert_eq!(d.semver, "major");
}
