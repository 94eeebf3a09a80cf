//! Regenerates the Vivamo bindings from `openapi.yaml` into `OUT_DIR` (Cargo's rule: build scripts
//! write nowhere else) and fails the build when the checked-in `generated/` crate differs, naming the
//! command that refreshes it. A broken spec fails the build with every diagnostic.

use std::path::{Path, PathBuf};

const REFRESH: &str = "cargo run -p specdrift-generator -- --spec openapi.yaml --out generated --crate-name vivamo-api";

fn main() {
    println!("cargo::rerun-if-changed=openapi.yaml");
    println!("cargo::rerun-if-changed=generated");
    let spec = Path::new("openapi.yaml");
    let loaded = generator::load::load(spec)
        .unwrap_or_else(|fatal| fail(&format!("openapi.yaml cannot be loaded:\n{fatal}")));
    let problems = generator::load::validate::validate(&loaded.spec);
    if problems.has_errors() {
        fail(&format!(
            "openapi.yaml breaks the openapi rules:\n{problems}"
        ));
    }
    let settings = generator::Settings::new("vivamo-api").with_spec_name("openapi.yaml");
    let output = generator::generate(&loaded.spec, &settings);
    let out_dir =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("vivamo-api");
    output
        .write_to(&out_dir)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out_dir.display())));
    let stale: Vec<String> = output
        .files
        .iter()
        .filter(|(path, text)| {
            std::fs::read_to_string(Path::new("generated").join(path))
                .ok()
                .as_deref()
                != Some(text.as_str())
        })
        .map(|(path, _)| format!("generated/{}", path.display()))
        .collect();
    if !stale.is_empty() {
        fail(&format!(
            "generated/ is stale against openapi.yaml ({}); refresh it with:\n    {REFRESH}",
            stale.join(", ")
        ));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
