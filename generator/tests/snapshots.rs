//! Generated code for the small fixture specs in `tests/fixtures/`, held against `tests/output/`,
//! and compiled with `-D warnings` under clippy.
//!
//! To accept a change in the output, run with `SPECDRIFT_ACCEPT=1` and review the diff.

use std::path::{Path, PathBuf};

use super::check;

fn fixtures() -> Vec<(String, PathBuf)> {
    let dir = Path::new("tests/fixtures");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().replace('-', "_"),
                p,
            )
        })
        .collect();
    out.push(("multi_file".into(), dir.join("multi-file/root.yaml")));
    out.sort();
    out
}

fn generate(path: &Path) -> generator::Output {
    generator::generate_file(path, &generator::Settings::new("fixture"))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_contents(path: &Path, actual: &str) {
    if std::env::var_os("SPECDRIFT_ACCEPT").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            // No line differs: one text is the other plus lines (or a final newline) at the end.
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} is stale (first difference at line {}); rerun with SPECDRIFT_ACCEPT=1 and review the diff\n  expected: {:?}\n  actual:   {:?}",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn models_match_the_checked_in_output() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 6, "{fixtures:?}");
    for (name, path) in fixtures {
        let output = generate(&path);
        assert!(
            !output.diagnostics.has_errors(),
            "{name}:\n{}",
            output.diagnostics
        );
        assert_contents(
            &PathBuf::from(format!("tests/output/{name}_models.rs")),
            &output.files[Path::new("src/models.rs")],
        );
        assert_contents(
            &PathBuf::from(format!("tests/output/{name}_client.rs")),
            &output.files[Path::new("src/client.rs")],
        );
        assert_contents(
            &PathBuf::from(format!("tests/output/{name}_server.rs")),
            &output.files[Path::new("src/server.rs")],
        );
        assert_contents(
            &PathBuf::from(format!("tests/output/{name}_strategies.rs")),
            &output.files[Path::new("src/strategies.rs")],
        );
        for (file, runtime) in [
            ("src/server/runtime.rs", generator::emit::server::RUNTIME_RS),
            ("src/client/runtime.rs", generator::emit::client::RUNTIME_RS),
            (
                "src/strategies/runtime.rs",
                generator::emit::strategies::RUNTIME_RS,
            ),
        ] {
            assert_eq!(
                output.files[Path::new(file)]
                    .split_once('\n')
                    .map(|(_, rest)| rest),
                Some(runtime),
                "{name}: {file}"
            );
        }
        let webhooks = PathBuf::from(format!("tests/output/{name}_webhooks.rs"));
        match output.files.get(Path::new("src/webhooks.rs")) {
            Some(text) => assert_contents(&webhooks, text),
            None => assert!(
                !webhooks.exists(),
                "{} is stale: the fixture no longer documents deliveries",
                webhooks.display()
            ),
        }
    }
}

#[test]
fn generation_is_byte_identical_across_runs() {
    for (name, path) in fixtures() {
        let a = generate(&path).files;
        let b = generate(&path).files;
        assert_eq!(a, b, "{name} differs between two runs");
    }
}

#[test]
fn checked_in_output_compiles_cleanly_under_clippy() {
    let root = std::fs::canonicalize(".").unwrap();
    let support = root.join("templates/support.rs");
    let mut lib = format!(
        "#![deny(warnings)]\n#![forbid(unsafe_code)]\n#[path = {:?}]\npub mod support;\n",
        support.display().to_string()
    );
    for (name, _) in fixtures() {
        let webhooks = root.join(format!("tests/output/{name}_webhooks.rs"));
        // `client.rs` and `server.rs` find their runtimes at `client/runtime.rs` and
        // `server/runtime.rs` beside them.
        let dir = root
            .join("../target/check-crates/fixture-crates")
            .join(&name);
        for (module, runtime) in [
            ("client", generator::emit::client::RUNTIME_RS),
            ("server", generator::emit::server::RUNTIME_RS),
            ("strategies", generator::emit::strategies::RUNTIME_RS),
        ] {
            std::fs::create_dir_all(dir.join(module)).unwrap();
            std::fs::copy(
                root.join(format!("tests/output/{name}_{module}.rs")),
                dir.join(format!("{module}.rs")),
            )
            .unwrap();
            std::fs::write(dir.join(module).join("runtime.rs"), runtime).unwrap();
        }
        let client = dir.join("client.rs");
        let server = dir.join("server.rs");
        let strategies = dir.join("strategies.rs");
        let mut extras: Vec<(&str, &Path)> = vec![
            ("client", &client),
            ("server", &server),
            ("strategies", &strategies),
        ];
        if webhooks.exists() {
            extras.push(("webhooks", &webhooks));
        }
        lib.push_str(&check::module_with(
            &name,
            &root.join(format!("tests/output/{name}_models.rs")),
            None,
            &extras,
        ));
    }
    if let Err(errors) = check::check_crate("fixtures", &lib, true) {
        panic!("generated fixture code does not pass clippy -D warnings:\n{errors}");
    }
}

#[test]
fn generation_goes_on_past_unresolvable_refs_and_names_them() {
    let output = generate(Path::new("tests/ui/broken-refs.yaml"));
    let models = &output.files[Path::new("src/models.rs")];
    assert!(models.contains("pub struct Pet"), "{models}");
    // The property whose `$ref` dangles is still there, typed as any json.
    assert!(
        models.contains("pub example: Option<::serde_json::Value>"),
        "{models}"
    );
    let rendered = output.diagnostics.to_string();
    assert!(rendered.contains("warning[unresolved-ref]"), "{rendered}");
    assert!(
        rendered.contains(
            "tests/ui/broken-refs.yaml:28 #/components/schemas/Pet/properties/example/$ref"
        ),
        "{rendered}"
    );
    assert!(rendered.contains("tests/ui/broken-refs.yaml:15 #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref"), "{rendered}");
    assert!(
        rendered.contains("https://example.com/errors.yaml"),
        "{rendered}"
    );
}
