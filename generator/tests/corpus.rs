//! Every spec in `../shared/specs` is generated (models, client, server, webhooks) and the output type-checked, as modules of one crate per core.
//!
//! A spec that cannot pass yet is listed in `tests/corpus-failing.txt` with its reason; the list is
//! meant to be empty.

use std::path::{Path, PathBuf};


use super::check;

/// (name, entry file) for every corpus folder, the entry read from its SOURCE.md.
pub fn corpus() -> Vec<(String, PathBuf)> {
    let dir = check::shared().join("specs");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("the spec corpus is missing at {}: {e}", dir.display()));
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(source) = std::fs::read_to_string(path.join("SOURCE.md")) else { continue };
        let line = source.lines().find(|l| l.starts_with("- Entry file:")).expect("SOURCE.md names its entry file");
        let file = line.split('`').nth(1).expect("entry file in backticks");
        out.push((entry.file_name().to_string_lossy().into_owned(), path.join(file)));
    }
    out.sort();
    out
}

fn failing() -> Vec<(String, String)> {
    std::fs::read_to_string("tests/corpus-failing.txt")
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, reason) = l.split_once(':').unwrap_or((l, ""));
            (name.trim().to_string(), reason.trim().to_string())
        })
        .collect()
}

#[test]
fn every_corpus_spec_generates_and_type_checks() {
    let corpus = corpus();
    assert!(corpus.len() >= 20, "corpus went missing: {corpus:?}");
    let failing = failing();
    for (name, reason) in &failing {
        assert!(corpus.iter().any(|(n, _)| n == name), "corpus-failing.txt lists `{name}`, which is not in the corpus");
        assert!(!reason.is_empty(), "corpus-failing.txt must give a reason for `{name}`");
    }
    let out_dir = check::workspace().join("target/check-crates/corpus-out");
    // rustc type-checks one crate on one thread, so the corpus is split into as many crates as
    // there are cores, balanced by generated size, and checked side by side.
    let lanes = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    let mut crates: Vec<(usize, String)> = (0..lanes).map(|_| (0, String::from("#![allow(deprecated, clippy::all)]\n"))).collect();
    let mut generated = Vec::new();
    for (name, entry) in &corpus {
        if failing.iter().any(|(n, _)| n == name) {
            continue;
        }
        let output = generator::generate_file(entry, &generator::Settings::new(name.clone()))
            .unwrap_or_else(|fatal| panic!("{name} does not load:\n{fatal}"));
        let module = generator::ir::names::snake(name);
        let dir = out_dir.join(&module);
        output.write_to(&dir).unwrap();
        let models = dir.join("src/models.rs");
        let size = output.files.get(Path::new("src/models.rs")).map(String::len).unwrap_or_else(|| panic!("{name}: no models.rs was generated:\n{}", output.diagnostics));
        let client = dir.join("src/client.rs");
        assert!(output.files.contains_key(Path::new("src/client.rs")), "{name}: no client.rs was generated:\n{}", output.diagnostics);
        let webhooks = output.files.contains_key(Path::new("src/webhooks.rs")).then(|| dir.join("src/webhooks.rs"));
        assert!(output.files.contains_key(Path::new("src/server.rs")), "{name}: no server.rs was generated:\n{}", output.diagnostics);
        generated.push((size, module, models, dir.join("src/support.rs"), client, dir.join("src/server.rs"), webhooks));
    }
    generated.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (size, module, models, support, client, server, webhooks) in generated {
        let lane = crates.iter_mut().min_by_key(|(total, _)| *total).expect("at least one lane");
        lane.0 += size;
        let mut extras: Vec<(&str, &Path)> = vec![("client", &client), ("server", &server)];
        if let Some(webhooks) = &webhooks {
            extras.push(("webhooks", webhooks));
        }
        lane.1.push_str(&check::module_with(&module, &models, Some(&support), &extras));
    }
    let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = crates
            .iter()
            .enumerate()
            .map(|(i, (_, lib))| scope.spawn(move || check::check_crate_alone(&format!("corpus{i}"), lib)))
            .collect();
        handles.into_iter().map(|h| h.join().expect("checker thread")).collect()
    });
    for result in results {
        if let Err(errors) = result {
            panic!("generated corpus code does not type-check:\n{errors}");
        }
    }
}
