//! Generates the Vivamo bindings into `OUT_DIR` on every build; `src/lib.rs` includes them.

use std::path::{Path, PathBuf};

fn main() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.yaml");
    println!("cargo::rerun-if-changed={}", spec.display());
    let output = generator::generate_file(&spec, &generator::Settings::new("vivamo"))
        .unwrap_or_else(|diagnostics| panic!("{} does not load:\n{diagnostics}", spec.display()));
    let module = output
        .as_module()
        .unwrap_or_else(|e| panic!("the generated bindings do not form one module: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("vivamo.rs"), module).expect("OUT_DIR is writable");
}
