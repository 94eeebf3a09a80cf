//! Type-checks generated code the way a user's build would: a throwaway crate checked by cargo.
//!
//! Like trybuild, the crate lives under the workspace's `target/` with its own target directory,
//! and borrows the workspace's `Cargo.lock` so it resolves the same serde versions offline.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `../shared` next to the workspace (or `SPECDRIFT_SHARED`).
pub fn shared() -> PathBuf {
    std::env::var_os("SPECDRIFT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared"))
}

/// Writes a crate at `target/check-crates/<name>` whose `lib.rs` is `lib_rs`, and runs
/// `cargo clippy` (with `-D warnings` when `strict`) or `cargo check` on it.
pub fn check_crate(name: &str, lib_rs: &str, clippy: bool) -> Result<(), String> {
    let args: &[&str] = if clippy {
        &[
            "clippy",
            "--offline",
            "--quiet",
            "--features",
            "proptest",
            "--",
            "-D",
            "warnings",
        ]
    } else {
        &["check", "--offline", "--quiet"]
    };
    run_in_crate(name, lib_rs, args, "target")
}

/// [`check_crate`] (without clippy) in the named target directory.
pub fn check_crate_in(name: &str, lib_rs: &str, target: &str) -> Result<(), String> {
    run_in_crate(name, lib_rs, &["check", "--offline", "--quiet"], target)
}

/// Like [`check_crate`], but runs the crate's own tests.
pub fn test_crate(name: &str, lib_rs: &str) -> Result<(), String> {
    run_in_crate(
        name,
        lib_rs,
        &[
            "test",
            "--offline",
            "--quiet",
            "--features",
            "schemars,proptest",
        ],
        "target",
    )
}

/// Runs the crate's own tests with the given features (none: the default ones), in the shared target directory.
pub fn test_crate_with(name: &str, lib_rs: &str, features: &[&str]) -> Result<(), String> {
    let features = features.join(",");
    let mut args = vec!["test", "--offline", "--quiet"];
    if !features.is_empty() {
        args.extend(["--features", features.as_str()]);
    }
    run_in_crate(name, lib_rs, &args, "target")
}

fn run_in_crate(name: &str, lib_rs: &str, args: &[&str], target: &str) -> Result<(), String> {
    let dir = workspace().join("target/check-crates").join(name);
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[lib]\ndoctest = false\n\n[dependencies]\n{}\n[dev-dependencies]\njsonschema = {{ version = \"0.61\", default-features = false }}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\n\n[features]\ndefault = [\"server\"]\nschemars = [\"dep:schemars\"]\nserver = [\"dep:axum\"]\nproptest = [\"dep:proptest\"]\n\n[workspace]\n",
            generator::dependencies(true, true, true)
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), lib_rs).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args);
    let out = cmd
        .current_dir(&dir)
        .env(
            "CARGO_TARGET_DIR",
            workspace().join("target/check-crates").join(target),
        )
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Err(text.lines().take(150).collect::<Vec<_>>().join("\n"))
    }
}

/// `#[path]` module declarations for one generated crate: its models, its `support` (or, with
/// none, a crate-level `support` module), and further generated modules (`client`, `server`,
/// `webhooks`, `strategies`), each `(module name, file)`.
pub fn module_with(
    name: &str,
    models: &Path,
    support: Option<&Path>,
    extras: &[(&str, &Path)],
) -> String {
    let support = match support {
        Some(path) => format!(
            "#[path = {:?}]\n    pub mod support;",
            path.display().to_string()
        ),
        None => "pub use crate::support;".to_string(),
    };
    let extras: String = extras
        .iter()
        .map(|(m, path)| {
            format!(
                "\n    #[path = {:?}]{}\n    pub mod {m};",
                path.display().to_string(),
                allows(m)
            )
        })
        .collect();
    format!(
        "pub mod {name} {{\n    {support}\n    #[path = {:?}]{}\n    pub mod models;{extras}\n}}\n",
        models.display().to_string(),
        allows("models")
    )
}

/// The lint allows the generated lib.rs puts on a module's declaration, as a line.
fn allows(module: &str) -> String {
    let lints = generator::emit::module_allows(module);
    if lints.is_empty() {
        String::new()
    } else {
        format!("\n    #[allow({})]", lints.join(", "))
    }
}
