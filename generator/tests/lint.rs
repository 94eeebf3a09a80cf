//! `lint` on fixtures that trip each rule once, on a clean spec, and on Vivamo's spec.

use std::path::Path;

fn lint(path: &Path) -> generator::Diagnostics {
    let loaded = generator::load::load(path).unwrap_or_else(|fatal| panic!("{fatal}"));
    generator::lint::lint(&loaded.spec)
}

fn codes_at(found: &generator::Diagnostics) -> Vec<(&'static str, String)> {
    found
        .0
        .iter()
        .map(|d| (d.code, d.location.pointer.clone()))
        .collect()
}

#[test]
fn each_lint_fires_on_its_fixture() {
    let found = lint(Path::new("tests/lint/findings.yaml"));
    let codes = codes_at(&found);
    let expect = [
        (
            "enum-drift",
            "/components/schemas/Order/properties/state/enum",
        ),
        (
            "id-holds-object",
            "/components/schemas/Order/properties/ownerId",
        ),
        (
            "id-naming-drift",
            "/components/schemas/Order/properties/orderId",
        ),
        (
            "type-conflict",
            "/components/schemas/Shipment/properties/state",
        ),
        ("unused-component", "/components/schemas/Leftover"),
        ("unused-component", "/components/schemas/Shipment"),
        ("missing-operation-id", "/paths/~1orders/get"),
    ];
    for (code, pointer) in expect {
        assert!(
            codes.contains(&(code, pointer.to_string())),
            "missing {code} at {pointer}:\n{found}"
        );
    }
    assert_eq!(codes.len(), expect.len(), "unexpected findings:\n{found}");
    let drift = found.0.iter().find(|d| d.code == "enum-drift").unwrap();
    assert!(drift.message.contains("`cancelled`"), "{drift}");
    assert_eq!(drift.location.line, Some(22));
    assert_eq!(
        drift.related[0].pointer,
        "/components/schemas/OrderStatusReport/properties/state/enum"
    );
}

#[test]
fn a_clean_spec_has_no_findings() {
    let found = lint(Path::new("tests/lint/clean.yaml"));
    assert!(found.0.is_empty(), "{found}");
}

#[test]
fn lint_finds_vivamos_inconsistencies() {
    let found = lint(Path::new("../openapi.yaml"));
    let codes = codes_at(&found);
    let s = "/components/schemas";
    for (code, pointer) in [
        (
            "enum-drift",
            format!("{s}/Disbursement/properties/status/enum"),
        ),
        (
            "type-conflict",
            format!("{s}/PendingDisbursement/properties/status"),
        ),
        (
            "id-holds-object",
            format!("{s}/PendingDisbursement/properties/customerId"),
        ),
        (
            "id-naming-drift",
            format!("{s}/PendingDisbursement/properties/externalDisbursementId"),
        ),
    ] {
        assert!(
            codes.contains(&(code, pointer.clone())),
            "missing {code} at {pointer}:\n{found}"
        );
    }
    let rejected = found
        .0
        .iter()
        .find(|d| d.code == "enum-drift" && d.location.pointer.contains("/Disbursement/"))
        .unwrap();
    assert!(rejected.message.contains("`rejected`"), "{rejected}");
    assert!(
        !found.has_errors(),
        "openapi.yaml has structural errors:\n{found}"
    );
}
