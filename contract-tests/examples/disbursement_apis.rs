//! Builds the cassettes under `examples/` for the two disbursement APIs our users compare Vivamo
//! with, from their specs' documented examples, and one departure each; then verifies both.
//!
//! ```text
//! cargo run -p contract-tests --example disbursement_apis
//! cargo run --release -- verify --spec ../shared/specs/stellar-sdp/openapi.yaml --traffic examples/stellar-sdp/conformant.json
//! ```

use std::path::{Path, PathBuf};

use contract_tests::redact::Redaction;
use contract_tests::traffic;
use contract_tests::{Baseline, examples, spec::Model};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let apis = [
        (
            "stellar-sdp",
            std::env::var_os("SPECDRIFT_SHARED")
                .map_or_else(|| root.join("../shared"), PathBuf::from)
                .join("specs/stellar-sdp/openapi.yaml"),
            "https://sdp.example.org",
        ),
        (
            "wistfare",
            root.join("examples/wistfare/openapi.yaml"),
            "https://api-production.wistfare.com",
        ),
    ];
    for (name, spec, base) in apis {
        let model = Model::load(&spec).unwrap_or_else(|d| panic!("{name}: {d}"));
        let documented = examples::interactions(&model, base);
        // Keep the examples that conform; list those that break their own spec.
        let findings = contract_tests::check::check(&model, &documented);
        let broken: std::collections::BTreeSet<usize> =
            findings.iter().filter_map(|f| f.interaction).collect();
        let conformant: Vec<_> = documented
            .iter()
            .enumerate()
            .filter(|(i, _)| !broken.contains(i))
            .map(|(_, x)| x.clone())
            .collect();
        let dir = root.join("examples").join(name);
        let mut defects = format!(
            "# {name}: documented examples that break the spec's own schemas\n\nFound by `examples::interactions` + `check`; left out of conformant.json.\n\n"
        );
        for f in &findings {
            let at = f
                .spec_location
                .as_deref()
                .unwrap_or("")
                .replace(&root.join("..").display().to_string(), "..");
            defects.push_str(&format!(
                "- {} in `{}` at `{}`: expected {} ({})\n",
                f.kind.as_str(),
                f.operation,
                f.pointer,
                f.expected,
                at
            ));
        }
        std::fs::create_dir_all(&dir).expect("writable examples/");
        std::fs::write(dir.join("example-defects.md"), defects).expect("writable examples/");
        std::fs::create_dir_all(&dir).expect("writable examples/");
        write(&dir.join("conformant.json"), &conformant);
        // One departure: the first response loses a field its schema requires, or gains a wrong type.
        let mut departure = conformant.clone();
        let first = &mut departure[0];
        let mut body: serde_json::Value =
            serde_json::from_str(&first.response_body).expect("examples are JSON");
        if let Some(object) = body.as_object_mut() {
            let key = object.keys().next().cloned().expect("a non-empty example");
            object.insert(key, serde_json::json!(12345));
        }
        first.response_body = body.to_string();
        write(&dir.join("departure.json"), &departure);
        for file in ["conformant.json", "departure.json"] {
            let report = contract_tests::verify(&spec, &dir.join(file), &Baseline::default())
                .expect("readable");
            println!("== {name}/{file}\n{}", report.to_text());
        }
    }
}

fn write(path: &Path, interactions: &[contract_tests::traffic::Interaction]) {
    traffic::write_cassette(path, interactions, &Redaction::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
