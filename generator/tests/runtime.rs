//! Generated models at run time: the fixture outputs compiled into a crate together with
//! `tests/runtime/behaviour.rs`, whose tests run under `cargo test` there.

use super::check;

#[test]
fn generated_models_behave_as_specified() {
    let root = std::fs::canonicalize(".").unwrap();
    let mut lib = format!("#![forbid(unsafe_code)]\n#[path = {:?}]\npub mod support;\n", root.join("templates/support.rs").display().to_string());
    for name in ["composition", "names", "openapi31", "recursion"] {
        lib.push_str(&check::module(name, &root.join(format!("tests/output/{name}_models.rs")), None));
    }
    lib.push_str(&format!("#[cfg(test)]\n#[path = {:?}]\nmod behaviour;\n", root.join("tests/runtime/behaviour.rs").display().to_string()));
    if let Err(failures) = check::test_crate("runtime", &lib) {
        panic!("generated models misbehave:\n{failures}");
    }
}
