//! The mutated-spec harness: real specs (the corpus's single-file ones and `openapi.yaml`),
//! broken on purpose — keys deleted, types swapped, `$ref` cycles and dangling refs, `$ref`
//! where a map is expected, odd keys and names, huge and empty values, text cut short — and
//! run through everything a user can point at a spec: load, validate, lint (with the example
//! checks), generate (every emitted file parsed as Rust), the contract model (JSON Schema
//! validators), and diff against the original in both directions.
//!
//! Every result must be a diagnostic or output: a panic, an `emit-failed` (the generator's own
//! "this is a bug"), an unparsable emitted file or a run longer than the time bound fails the
//! test, naming the mutant and writing its spec under `target/mutants/` to reproduce it.
//!
//! CI runs `SPECDRIFT_MUTANTS` mutants (300 by default) from a fixed seed;
//! `SPECDRIFT_MUTANTS=10000 cargo test --release --test integration mutants -- --nocapture`
//! is the long run (`SPECDRIFT_MUTANTS_SEED` picks another seed, `SPECDRIFT_MUTANTS_ONLY=15,26`
//! re-runs the mutants a failure names).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::root;

/// A deterministic generator (splitmix64): the same seed makes the same mutants.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One base spec: its name, its text, and its parsed value.
struct Base {
    name: String,
    text: String,
    value: Value,
}

/// Single-file specs small enough that thousands of runs fit in minutes, plus Vivamo's.
fn bases() -> Vec<Base> {
    let mut paths = vec![("vivamo".to_string(), root().join("openapi.yaml"))];
    for (name, entry) in super::corpus_entries() {
        let size = std::fs::metadata(&entry)
            .map(|m| m.len())
            .unwrap_or(u64::MAX);
        let multi_file = name == "oai-petstore-separate-v2"
            || name == "stellar-horizon"
            || name == "digitalocean";
        if size <= 1_000_000 && !multi_file {
            paths.push((name, entry));
        }
    }
    paths
        .into_iter()
        .map(|(name, path)| {
            let text = std::fs::read_to_string(&path).unwrap();
            let value = generator::load::parse_text(&text).unwrap();
            Base { name, text, value }
        })
        .collect()
}

/// Every node's path from the root, as keys and indices.
fn places(value: &Value) -> Vec<Vec<Value>> {
    fn walk(value: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(at.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    at.push(Value::String(k.clone()));
                    walk(v, at, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    at.push(json!(i));
                    walk(v, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'a>(value: &'a mut Value, at: &[Value]) -> Option<&'a mut Value> {
    let mut node = value;
    for step in at {
        node = match step {
            Value::String(k) => node.get_mut(k.as_str())?,
            Value::Number(i) => node.get_mut(i.as_u64()? as usize)?,
            _ => return None,
        };
    }
    Some(node)
}

fn pointer_of(at: &[Value]) -> String {
    at.iter()
        .map(|s| match s {
            Value::String(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            other => format!("/{other}"),
        })
        .collect()
}

const ODD_NAMES: [&str; 14] = [
    "",
    "$ref",
    "Status$ref",
    "123",
    "type",
    "self",
    "a b/c~d",
    "🦀 crab",
    "__proto__",
    "null",
    "Self",
    "r#type",
    "x-",
    "ÄÖÜ-ß",
];

/// One mutation of `doc`, described for the report.
fn mutate(doc: &mut Value, rng: &mut Rng) -> String {
    let all = places(doc);
    let at = rng.pick(&all).clone();
    let pointer = pointer_of(&at);
    let schemas: Vec<String> = doc
        .pointer("/components/schemas")
        .or_else(|| doc.pointer("/definitions"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let swagger = doc.get("definitions").is_some();
    let schema_ref = |name: &str| {
        if swagger {
            format!("#/definitions/{name}")
        } else {
            format!("#/components/schemas/{name}")
        }
    };
    let kind = rng.below(12);
    let other_schema = (!schemas.is_empty()).then(|| rng.pick(&schemas).clone());
    let odd = rng.pick(&ODD_NAMES).to_string();
    let huge = "x".repeat(20_000 + rng.below(20_000));
    let Some(node) = node_mut(doc, &at) else {
        return "no-op".into();
    };
    match kind {
        0 => {
            // Delete a key (or an item) of this node.
            match node {
                Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
                    map.shift_remove(&key);
                    format!("delete {pointer}/{key}")
                }
                Value::Array(items) if !items.is_empty() => {
                    let i = rng.below(items.len());
                    items.remove(i);
                    format!("delete {pointer}/{i}")
                }
                _ => {
                    *node = Value::Null;
                    format!("null at {pointer}")
                }
            }
        }
        1 => {
            // Swap the type.
            *node = match node {
                Value::Object(_) => json!(["swapped"]),
                Value::Array(_) => json!("swapped"),
                Value::String(_) => json!(42),
                Value::Number(_) => json!(true),
                Value::Bool(_) => json!({"swapped": {}}),
                Value::Null => json!({}),
            };
            format!("swap type at {pointer}")
        }
        2 => {
            *node = json!({"$ref": schema_ref("DoesNotExist")});
            format!("dangling $ref at {pointer}")
        }
        3 => {
            // A $ref to itself, or a two-schema cycle through the components.
            match &other_schema {
                Some(name) if rng.below(2) == 0 => {
                    *node = json!({"$ref": schema_ref(name)});
                    let target = schema_ref(name);
                    let back = target.trim_start_matches('#').to_string();
                    if let Some(schema) = doc.pointer_mut(&back) {
                        *schema = json!({"allOf": [{"$ref": format!("#{pointer}")}]});
                    }
                    format!("$ref cycle {pointer} <-> {target}")
                }
                _ => {
                    *node = json!({"$ref": format!("#{pointer}")});
                    format!("self $ref at {pointer}")
                }
            }
        }
        4 => {
            // `$ref` as a key among a map's entries (responses, properties, paths…).
            if let Value::Object(map) = node {
                map.insert("$ref".into(), json!("#/components/responses/Nope"));
            } else {
                *node = json!({"$ref": 7});
            }
            format!("$ref key in {pointer}")
        }
        5 => {
            // An odd key added, or an existing key renamed to an odd name.
            match node {
                Value::Object(map) if !map.is_empty() && rng.below(2) == 0 => {
                    let key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
                    let v = map.shift_remove(&key).unwrap();
                    map.insert(odd.clone(), v);
                    format!("rename {pointer}/{key} to {odd:?}")
                }
                Value::Object(map) => {
                    map.insert(odd.clone(), json!({"type": "string"}));
                    format!("odd key {odd:?} in {pointer}")
                }
                _ => {
                    *node = json!(odd);
                    format!("odd value {odd:?} at {pointer}")
                }
            }
        }
        6 => {
            *node = json!(huge);
            format!("huge string at {pointer}")
        }
        7 => {
            *node = match rng.below(4) {
                0 => json!({}),
                1 => json!([]),
                2 => json!(""),
                _ => Value::Null,
            };
            format!("empty value at {pointer}")
        }
        8 => {
            *node = match rng.below(5) {
                0 => json!(1e308),
                1 => json!(u64::MAX),
                2 => json!(-0.0),
                3 => json!(i64::MIN),
                _ => json!(0.1),
            };
            format!("odd number at {pointer}")
        }
        9 => {
            // Deep nesting: allOf / items / properties 300 deep.
            let mut deep = json!({"type": "string"});
            for i in 0..300 {
                deep = match i % 3 {
                    0 => json!({"allOf": [deep]}),
                    1 => json!({"type": "array", "items": deep}),
                    _ => json!({"type": "object", "properties": {"p": deep}}),
                };
            }
            *node = deep;
            format!("300-deep schema at {pointer}")
        }
        10 => {
            // Many siblings: a map grown to thousands of entries.
            let mut map = serde_json::Map::new();
            for i in 0..3_000 {
                map.insert(format!("k{i}"), json!({"type": "integer"}));
            }
            *node = json!({"type": "object", "properties": map});
            format!("3000 properties at {pointer}")
        }
        _ => {
            // The same name twice over, differently cased, so identifiers collide.
            if let Value::Object(map) = node
                && let Some(key) = map.keys().next().cloned()
            {
                let v = map.get(&key).cloned().unwrap();
                map.insert(key.to_uppercase(), v.clone());
                map.insert(format!("{key}_"), v.clone());
                map.insert(format!("{key}-"), v);
                format!("colliding names beside {pointer}/{key}")
            } else {
                *node = json!({"oneOf": [{"type": "string"}, {"type": "string"}]});
                format!("duplicate oneOf at {pointer}")
            }
        }
    }
}

/// A mutant: the base it came from, what was done, and its text.
#[derive(Clone)]
struct Mutant {
    base: usize,
    what: Vec<String>,
    text: String,
}

fn make(bases: &[Base], index: usize, seed: u64) -> Mutant {
    let mut rng = Rng(seed ^ (index as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let base = rng.below(bases.len());
    let b = &bases[base];
    if rng.below(10) == 0 {
        // The text itself cut short or spliced: the parser's turn.
        let mut cut = rng.below(b.text.len());
        while !b.text.is_char_boundary(cut) {
            cut -= 1;
        }
        let text = if rng.below(2) == 0 {
            b.text[..cut].to_string()
        } else {
            format!("{}\u{0}\t{{[\"\n{}", &b.text[..cut], &b.text[cut..])
        };
        return Mutant {
            base,
            what: vec![format!("text cut at byte {cut}")],
            text,
        };
    }
    let mut doc = b.value.clone();
    let what = (0..1 + rng.below(3))
        .map(|_| mutate(&mut doc, &mut rng))
        .collect();
    Mutant {
        base,
        what,
        text: serde_json::to_string_pretty(&doc).unwrap(),
    }
}

/// Runs every front on `mutant`; `Err` names what went wrong (a panic is caught by the caller).
fn exercise(base: &Base, mutant: &Mutant) -> Result<&'static str, String> {
    let name = Path::new("mutant.json");
    let loaded = match generator::load::load_str(name, &mutant.text) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            // Refused: the refusal must say where.
            let text = diagnostics.to_string();
            if text.trim().is_empty() {
                return Err("refused with no diagnostic".into());
            }
            return Ok("refused");
        }
    };
    let _ = loaded.diagnostics.to_string();
    let _ = generator::load::validate::validate(&loaded.spec).to_string();
    let _ = generator::lint::lint(&loaded.spec).to_string();
    let output = generator::generate(&loaded.spec, &generator::Settings::new("mutant"));
    if let Some(bug) = output
        .diagnostics
        .0
        .iter()
        .find(|d| d.code == "emit-failed")
    {
        return Err(format!("generate: {}", bug.message));
    }
    for (path, text) in &output.files {
        if path.extension().is_some_and(|e| e == "rs")
            && let Err(e) = syn::parse_file(text)
        {
            return Err(format!("generate: {} does not parse: {e}", path.display()));
        }
    }
    let (new, _) = generator::ir::lower(&loaded.spec);
    if let Ok(original) = generator::load::load_str(Path::new(&base.name), &base.text) {
        let (old, _) = generator::ir::lower(&original.spec);
        for d in [
            generator::diff::diff(&old, &new),
            generator::diff::diff(&new, &old),
        ] {
            let _ = (d.to_text(), d.to_json(), d.to_markdown());
        }
    }
    let model = contract_tests::spec::Model::new(loaded.spec);
    let _ = contract_tests::examples::lint(&model).to_string();
    Ok("generated")
}

#[test]
fn mutated_specs_give_diagnostics_never_a_panic_or_a_hang() {
    let count: usize = std::env::var("SPECDRIFT_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let only: Vec<usize> = std::env::var("SPECDRIFT_MUTANTS_ONLY")
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_default();
    let indices: Arc<Vec<usize>> = Arc::new(if only.is_empty() {
        (0..count).collect()
    } else {
        only
    });
    let count = indices.len();
    let seed: u64 = std::env::var("SPECDRIFT_MUTANTS_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x5eed);
    // Debug builds are slower; the bound is for one mutant through every front.
    let bound = Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 30 });
    let bases = Arc::new(bases());
    assert!(bases.len() >= 8, "the corpus is missing: {}", bases.len());
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let outcomes = Arc::new(Mutex::new(std::collections::BTreeMap::<&str, usize>::new()));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let started = Instant::now();
    let out_dir = root().join("target/mutants");
    let _ = std::fs::remove_dir_all(&out_dir);
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (indices, bases, next, failures, outcomes) = (
                indices.clone(),
                bases.clone(),
                next.clone(),
                failures.clone(),
                outcomes.clone(),
            );
            let out_dir = out_dir.clone();
            std::thread::spawn(move || {
                loop {
                    let Some(&index) = indices.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        return;
                    };
                    let mutant = make(&bases, index, seed);
                    let (tx, rx) = mpsc::channel();
                    let job_bases = bases.clone();
                    let m = mutant.clone();
                    let _ = std::thread::Builder::new()
                        .name(format!("mutant-{index}"))
                        .stack_size(64 << 20)
                        .spawn(move || {
                            let result =
                                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    exercise(&job_bases[m.base], &m)
                                }));
                            let _ = tx.send(result);
                        });
                    let problem = match rx.recv_timeout(bound) {
                        Ok(Ok(Ok(outcome))) => {
                            *outcomes.lock().unwrap().entry(outcome).or_default() += 1;
                            None
                        }
                        Ok(Ok(Err(bug))) => Some(bug),
                        Ok(Err(panic)) => Some(format!(
                            "panic: {}",
                            panic
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default()
                        )),
                        Err(_) => Some(format!("no result within {} s (a hang)", bound.as_secs())),
                    };
                    if let Some(problem) = problem {
                        let _ = std::fs::create_dir_all(&out_dir);
                        let file: PathBuf = out_dir.join(format!("{index}.json"));
                        let _ = std::fs::write(&file, &mutant.text);
                        failures.lock().unwrap().push(format!(
                            "mutant {index} of {} ({}): {problem}\n  spec: {}",
                            bases[mutant.base].name,
                            mutant.what.join("; "),
                            file.display()
                        ));
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    let outcomes = outcomes.lock().unwrap();
    println!(
        "{count} mutants of {} specs in {:.1} s (seed {seed}): {:?}, {} failure(s)",
        bases.len(),
        started.elapsed().as_secs_f64(),
        *outcomes,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {count} mutants broke a front:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
