//! Every spec in `../shared/specs` is generated (models, client, server, webhooks) and the output type-checked, as modules of one crate per core.
//!
//! A spec that cannot pass yet is listed in `tests/corpus-failing.txt` with its reason; the list is
//! meant to be empty.

use std::path::{Path, PathBuf};

use super::check;

/// (name, entry file) for every corpus folder, the entry read from its SOURCE.md.
pub fn corpus() -> Vec<(String, PathBuf)> {
    super::entries::corpus_in(&check::shared().join("specs"))
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
        assert!(
            corpus.iter().any(|(n, _)| n == name),
            "corpus-failing.txt lists `{name}`, which is not in the corpus"
        );
        assert!(
            !reason.is_empty(),
            "corpus-failing.txt must give a reason for `{name}`"
        );
    }
    let out_dir = check::workspace().join("target/check-crates/corpus-out");
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
        let size = output
            .files
            .get(Path::new("src/models.rs"))
            .map(String::len)
            .unwrap_or_else(|| {
                panic!(
                    "{name}: no models.rs was generated:\n{}",
                    output.diagnostics
                )
            })
            + output
                .files
                .iter()
                .filter(|(p, _)| p.starts_with("src/client.rs") || p.starts_with("src/server.rs"))
                .map(|(_, t)| t.len())
                .sum::<usize>();
        let client = dir.join("src/client.rs");
        assert!(
            output.files.contains_key(Path::new("src/client.rs")),
            "{name}: no client.rs was generated:\n{}",
            output.diagnostics
        );
        let webhooks = output
            .files
            .contains_key(Path::new("src/webhooks.rs"))
            .then(|| dir.join("src/webhooks.rs"));
        assert!(
            output.files.contains_key(Path::new("src/server.rs")),
            "{name}: no server.rs was generated:\n{}",
            output.diagnostics
        );
        generated.push((
            size,
            module,
            models,
            dir.join("src/support.rs"),
            client,
            dir.join("src/server.rs"),
            webhooks,
        ));
    }
    generated.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // rustc type-checks one crate on one thread and holds all of it in memory, so the corpus is
    // packed (largest first) into crates of bounded size, checked at most one per core: enough
    // to keep both cores busy without two giant crates exhausting memory side by side.
    let total: usize = generated.iter().map(|g| g.0).sum();
    let budget = generated.first().map_or(0, |g| g.0).max(total / 8);
    let mut crates: Vec<(usize, String)> = Vec::new();
    for (size, module, models, support, client, server, webhooks) in generated {
        // The contract glue sits beside the client and server (crate feature `contract`).
        let contract = server.with_file_name("contract.rs");
        let mut extras: Vec<(&str, &Path)> = vec![
            ("client", &client),
            ("server", &server),
            ("contract", &contract),
        ];
        if let Some(webhooks) = &webhooks {
            extras.push(("webhooks", webhooks));
        }
        let text = check::module_with(&module, &models, Some(&support), &extras);
        match crates.iter_mut().find(|(used, _)| used + size <= budget) {
            Some(krate) => {
                krate.0 += size;
                krate.1.push_str(&text);
            }
            // Generated code must build without a warning, its own deprecated items included.
            None => crates.push((size, format!("#![deny(warnings)]\n{text}"))),
        }
    }
    let lanes = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 2);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..lanes)
            .map(|lane| {
                let (crates, next) = (&crates, &next);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some((_, lib)) = crates.get(i) else {
                            return out;
                        };
                        // One target directory per lane: dependencies are built once per lane, not per crate.
                        out.push(check::check_crate_in(
                            &format!("corpus{i}"),
                            lib,
                            &format!("target-lane{lane}"),
                        ));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("checker thread"))
            .collect()
    });
    for result in results {
        if let Err(errors) = result {
            panic!("generated corpus code does not type-check:\n{errors}");
        }
    }
}
