//! Checks `openapi.yaml` at build time, so a broken spec fails the build with every problem listed.

fn main() {
    println!("cargo::rerun-if-changed=openapi.yaml");
    let path = std::path::Path::new("openapi.yaml");
    let loaded = generator::load::load(path).unwrap_or_else(|fatal| panic!("openapi.yaml cannot be loaded:\n{fatal}"));
    let mut all = loaded.diagnostics;
    all.0.extend(generator::load::validate::validate(&loaded.spec).0);
    if all.has_errors() {
        panic!("openapi.yaml breaks the openapi rules:\n{all}");
    }
}
