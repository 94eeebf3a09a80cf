//! Broken specs under `tests/ui/` and the diagnostics they must produce, as insta snapshots.

use std::path::Path;

fn render(path: &Path) -> String {
    match generator::load::load(path) {
        Err(fatal) => format!("fatal:\n{fatal}"),
        Ok(loaded) => {
            let mut all = loaded.diagnostics;
            all.0
                .extend(generator::load::validate::validate(&loaded.spec).0);
            all.normalize();
            format!("{} diagnostics:\n{all}", all.0.len())
        }
    }
}

#[test]
fn broken_specs_render_their_diagnostics() {
    // cargo runs integration tests from the package root, so these relative paths are stable in snapshots.
    let mut entries: Vec<_> = std::fs::read_dir("tests/ui")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert!(entries.len() >= 6, "fixtures went missing: {entries:?}");
    for path in entries {
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        insta::assert_snapshot!(name, render(&path));
    }
}

#[test]
fn a_missing_file_is_a_diagnostic_not_a_panic() {
    let out = render(Path::new("tests/ui/does-not-exist.yaml"));
    assert!(out.starts_with("fatal:\nerror[unreadable-file]"), "{out}");
    assert!(out.contains("tests/ui/does-not-exist.yaml"), "{out}");
}

#[test]
fn what_the_mutated_spec_harness_found_generates_a_crate_that_parses() {
    let output = generator::generate_file(
        Path::new("tests/ui/mutant-regressions.yaml"),
        &generator::Settings::new("mutants"),
    )
    .unwrap();
    let text = output.diagnostics.to_string();
    assert!(
        !output.diagnostics.0.iter().any(|d| d.code == "emit-failed"),
        "{text}"
    );
    assert!(text.contains("warning[schema-cycle]"), "{text}");
    for (path, file) in &output.files {
        if path.extension().is_some_and(|e| e == "rs") {
            syn::parse_file(file).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
    let client = &output.files[Path::new("src/client.rs")];
    // One variant for the range however often it is spelled, and none for the odd keys.
    assert_eq!(client.matches("Status4xx(()),").count(), 1, "{client}");
    assert!(
        !client.contains("Status4XX") && !client.contains("StatusA"),
        "{client}"
    );
}

#[test]
fn fenced_blocks_in_descriptions_open_as_text_and_close() {
    let spec = r#"{
      "openapi": "3.0.3", "info": {"title": "Docs", "version": "1"}, "paths": {},
      "components": {"schemas": {
        "Fenced": {"type": "object", "description": "Example:\n```\nlet x = 1;\n```\nAfter the block.\n```json\n{\"a\": 1}\n```\nEnd.",
                   "properties": {"open": {"type": "string", "description": "Left open:\n```rust\nfn f() {}"}}}
      }}
    }"#;
    let loaded = generator::load::load_str(Path::new("docs.json"), spec).unwrap();
    let output = generator::generate(&loaded.spec, &generator::Settings::new("docs"));
    let models = &output.files[Path::new("src/models.rs")];
    let docs: Vec<&str> = models
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("///"))
        .collect();
    let at = |line: &str| {
        docs.iter()
            .position(|l| *l == line)
            .unwrap_or_else(|| panic!("no `{line}` in:\n{}", docs.join("\n")))
    };
    // An opening fence without a language (or with Rust's) is text, so rustdoc runs nothing;
    // the closing fence stays bare, so the prose after it is prose again.
    assert!(at("/// ```text") < at("/// let x = 1;"));
    assert_eq!(docs[at("/// let x = 1;") + 1], "/// ```");
    assert_eq!(docs[at("/// After the block.") + 1], "/// ```json");
    assert_eq!(docs[at("/// {\"a\": 1}") + 1], "/// ```");
    // A block the description leaves open is closed.
    let open = at("/// fn f() {}");
    assert_eq!(docs[open - 1], "/// ```text");
    assert_eq!(docs[open + 1], "/// ```");
}
