//! Generated models at run time: the fixture outputs and the Vivamo crate's models compiled into
//! one crate (with the `schemars` feature), with the `operations` fixture's client, together with
//! `tests/runtime/*.rs`, whose tests run there.

use super::check;

#[test]
fn generated_models_behave_and_agree_with_their_specs() {
    let root = std::fs::canonicalize(".").unwrap();
    let workspace = std::fs::canonicalize("..").unwrap();
    let spec_dir = workspace.join("target/check-crates/runtime-specs");
    std::fs::create_dir_all(&spec_dir).unwrap();
    let mut lib = format!(
        "#![forbid(unsafe_code)]\n#[path = {:?}]\npub mod support;\n",
        root.join("templates/support.rs").display().to_string()
    );
    let mut tables = String::new();
    let mut modules: Vec<(String, std::path::PathBuf, std::path::PathBuf)> =
        // Every fixture but `multi-file`, whose `$ref`s span files: the registry the fidelity
        // and strategy checks validate against is built from one document.
        ["composition", "names", "openapi31", "operations", "recursion", "swagger2"]
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    root.join(format!("tests/output/{n}_models.rs")),
                    root.join(format!("tests/fixtures/{n}.yaml")),
                )
            })
            .collect();
    modules.push((
        "vivamo".into(),
        workspace.join("generated/src/models.rs"),
        workspace.join("openapi.yaml"),
    ));
    let mut strategy_tables = String::new();
    let mut operation_tables = String::new();
    for (name, models, spec) in &modules {
        // Strategies are not snapshotted: generate them now, beside the models they build.
        let output =
            generator::generate_file(spec, &generator::Settings::new(name.clone())).unwrap();
        let strategies = spec_dir.join(format!("{name}_strategies.rs"));
        // `strategies.rs` finds its runtime at `strategies/runtime.rs` beside it.
        std::fs::create_dir_all(spec_dir.join("strategies")).unwrap();
        std::fs::write(
            spec_dir.join("strategies/runtime.rs"),
            generator::emit::strategies::RUNTIME_RS,
        )
        .unwrap();
        std::fs::write(
            &strategies,
            &output.files[std::path::Path::new("src/strategies.rs")],
        )
        .unwrap();
        // The `operations` fixture's client and contract glue too, the client with its runtime
        // at `client/runtime.rs` beside it.
        let client = spec_dir.join(format!("{name}_client.rs"));
        let contract = spec_dir.join(format!("{name}_contract.rs"));
        let mut extra = vec![("strategies", strategies.as_path())];
        if name == "operations" {
            std::fs::write(
                &contract,
                &output.files[std::path::Path::new("src/contract.rs")],
            )
            .unwrap();
            extra.push(("contract", contract.as_path()));
            std::fs::create_dir_all(spec_dir.join("client")).unwrap();
            std::fs::write(
                spec_dir.join("client/runtime.rs"),
                generator::emit::client::RUNTIME_RS,
            )
            .unwrap();
            std::fs::copy(root.join("tests/output/operations_client.rs"), &client).unwrap();
            extra.push(("client", client.as_path()));
        }
        lib.push_str(&check::module_with(name, models, None, &extra));
        strategy_tables.push_str(&format!("        ({name:?}, {name}::strategies::ALL),\n"));
        operation_tables.push_str(&format!(
            "        ({name:?}, {:?}, {name}::strategies::OPERATIONS),\n",
            json_path_of(&spec_dir, name)
        ));
        // The test crate reads specs as JSON; our loader turns the YAML into it.
        let loaded = generator::load::load(spec).unwrap();
        let json_path = spec_dir.join(format!("{name}.json"));
        std::fs::write(&json_path, serde_json_text(&loaded.spec.root().value)).unwrap();
        // And as JSON Schema, by the translation the engine and `verify` validate with.
        let resources = generator::load::json_schema::resources(&loaded.spec);
        std::fs::write(
            spec_dir.join(format!("{name}.schema.json")),
            serde_json_text(&resources[0].1),
        )
        .unwrap();
        tables.push_str(&format!(
            "        ({name:?}, {:?}, {name}::models::fidelity()),\n",
            json_path.display().to_string()
        ));
    }
    lib.push_str(&format!(
        "#[cfg(test)]\npub fn fidelity_tables() -> Vec<(&'static str, &'static str, Vec<support::Fidelity>)> {{\n    vec![\n{tables}    ]\n}}\n"
    ));
    lib.push_str(&format!(
        "#[cfg(test)]\n#[allow(clippy::type_complexity)]\npub fn strategy_tables() -> Vec<(&'static str, &'static [(&'static str, fn(u32) -> ::proptest::strategy::BoxedStrategy<::serde_json::Value>, Option<fn() -> ::proptest::strategy::BoxedStrategy<::serde_json::Value>>)])> {{\n    vec![\n{strategy_tables}    ]\n}}\n"
    ));
    lib.push_str(&format!(
        "#[cfg(test)]\n#[allow(clippy::type_complexity)]\npub fn operation_tables() -> Vec<(&'static str, &'static str, &'static [(&'static str, &'static str, fn() -> ::proptest::strategy::BoxedStrategy<::serde_json::Value>)])> {{\n    vec![\n{operation_tables}    ]\n}}\n"
    ));
    for test in ["behaviour", "client", "contract", "fidelity", "strategies"] {
        lib.push_str(&format!(
            "#[cfg(test)]\n#[path = {:?}]\nmod {test};\n",
            root.join(format!("tests/runtime/{test}.rs"))
                .display()
                .to_string()
        ));
    }
    if let Err(failures) = check::test_crate("runtime", &lib) {
        panic!("generated models misbehave:\n{failures}");
    }
}

fn json_path_of(dir: &std::path::Path, name: &str) -> String {
    dir.join(format!("{name}.json")).display().to_string()
}

fn serde_json_text(value: &serde_json::Value) -> String {
    value.to_string()
}
