//! The command-line tool's one integration binary.

mod cli;
mod client;
#[path = "../generator/tests/entries.rs"]
mod entries;
mod fresh;
mod hostile;
mod html;
mod mutants;
mod readme;
mod secrets;
mod spec;

use std::path::PathBuf;

/// The repository root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared`, where the reference pages and the spec corpus live (overridable with `SPECDRIFT_SHARED`).
fn shared() -> PathBuf {
    std::env::var_os("SPECDRIFT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"))
}

/// (name, entry file) for every spec of the corpus.
fn corpus_entries() -> Vec<(String, PathBuf)> {
    entries::corpus_in(&shared().join("specs"))
}
