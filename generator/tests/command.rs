//! `specdrift-generate` is the same command as `specdrift generate`: it takes the shared flags
//! and exits as `generator::command` says (the root CLI's tests hold the other front end).

use std::process::Command;

fn generate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_specdrift-generate"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_standalone_binary_writes_a_crate_or_a_module_and_refuses_bad_flags() {
    let dir = std::env::temp_dir().join(format!("specdrift-generate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let crate_dir = dir.join("pets-api");
    let (code, stdout, stderr) = generate(&[
        "--spec",
        "tests/fixtures/swagger2.yaml",
        "--out",
        crate_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("file(s) written, 0 unchanged"), "{stdout}");
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("name = \"pets-api\""),
        "the name defaults to the directory's:\n{manifest}"
    );
    let module = dir.join("pets.rs");
    let (code, _, stderr) = generate(&[
        "--spec",
        "tests/fixtures/swagger2.yaml",
        "--module",
        module.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::read_to_string(&module)
            .unwrap()
            .contains("pub mod models {")
    );
    for (args, expected) in [
        (&["--out", "x"][..], "--spec is required"),
        (
            &[
                "--spec",
                "tests/fixtures/swagger2.yaml",
                "--out",
                "x",
                "--bogus",
            ][..],
            "`--bogus`",
        ),
        (
            &["--spec", "missing.yaml", "--out", "x"][..],
            "missing.yaml",
        ),
        (
            &[
                "--spec",
                "tests/fixtures/swagger2.yaml",
                "--out",
                "x",
                "--crate-name",
                "9 lives",
            ][..],
            "not a valid crate name",
        ),
    ] {
        let (code, _, stderr) = generate(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--engine` gives the crate the ready test, naming the engine and the spec relative to the
/// crate; it needs a crate and an engine directory that is one.
#[test]
fn engine_adds_the_ready_test_with_paths_relative_to_the_crate() {
    let dir = std::env::temp_dir().join(format!("specdrift-engine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let crate_dir = dir.join("out/pets-api");
    let engine = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../contract-tests");
    let (code, _, stderr) = generate(&[
        "--spec",
        "tests/fixtures/swagger2.yaml",
        "--out",
        crate_dir.to_str().unwrap(),
        "--engine",
        engine.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    let test = std::fs::read_to_string(crate_dir.join("tests/contract.rs")).unwrap();
    // Both paths resolve, from the crate's directory, to what was given.
    let engine_path = manifest
        .split("path = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{manifest}"));
    assert_eq!(
        std::fs::canonicalize(crate_dir.join(engine_path)).unwrap(),
        std::fs::canonicalize(&engine).unwrap()
    );
    let spec_path = test
        .split(".join(\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{test}"));
    assert_eq!(
        std::fs::canonicalize(crate_dir.join(spec_path)).unwrap(),
        std::fs::canonicalize("tests/fixtures/swagger2.yaml").unwrap()
    );
    assert!(test.contains("pets_api::contract::decode"), "{test}");
    for (args, expected) in [
        (
            &[
                "--spec",
                "tests/fixtures/swagger2.yaml",
                "--module",
                "m.rs",
                "--engine",
                "../contract-tests",
            ][..],
            "--engine needs --out",
        ),
        (
            &[
                "--spec",
                "tests/fixtures/swagger2.yaml",
                "--out",
                crate_dir.to_str().unwrap(),
                "--engine",
                "tests",
            ][..],
            "no Cargo.toml there",
        ),
    ] {
        let (code, _, stderr) = generate(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
