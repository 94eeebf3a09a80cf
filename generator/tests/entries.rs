//! The corpus's specs as (name, entry file), the entry read from each folder's SOURCE.md.
//! Shared with the command line's tests (`tests/mutants.rs`) through `#[path]`.

use std::path::{Path, PathBuf};

/// (name, entry file) for every folder of `dir` that has a SOURCE.md, sorted by name.
pub fn corpus_in(dir: &Path) -> Vec<(String, PathBuf)> {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("the spec corpus is missing at {}: {e}", dir.display()));
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(source) = std::fs::read_to_string(path.join("SOURCE.md")) else {
            continue;
        };
        let line = source
            .lines()
            .find(|l| l.starts_with("- Entry file:"))
            .expect("SOURCE.md names its entry file");
        let file = line.split('`').nth(1).expect("entry file in backticks");
        out.push((
            entry.file_name().to_string_lossy().into_owned(),
            path.join(file),
        ));
    }
    out.sort();
    out
}
