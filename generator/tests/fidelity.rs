//! Corpus fidelity: for every spec in `../shared/specs`, every example the spec gives for a named
//! type (on the schema, built from its properties' examples, or on a media type whose schema is
//! that type) that the spec's own schema accepts — the verdict of an independent JSON Schema
//! implementation, `jsonschema`, not of the generated code — decodes into the generated type and
//! encodes back to an equal JSON value.
//!
//! The generated models are compiled and run, which costs far more than type-checking them, so
//! by default each spec contributes a fixed sample of types (the ones with examples, in name order,
//! up to [`SAMPLE`], each with the types it reaches); `SPECDRIFT_FIDELITY=full` takes every type:
//!
//! ```text
//! SPECDRIFT_FIDELITY=full cargo test -p specdrift-generator --test integration fidelity -- --nocapture
//! ```
//!
//! `SPECDRIFT_FIDELITY_SPECS=box,plaid` narrows either run to some specs.
//!
//! A case that cannot pass yet is listed in `tests/fidelity-exceptions.txt` with its reason; the
//! list is meant to be empty.

use std::collections::{BTreeMap, BTreeSet};

use generator::ir::{self, Api, Shape, TypeId, TypeKind};
use generator::load;
use serde_json::{Value, json};

use super::{check, corpus};

/// Types with examples taken from each spec by default.
const SAMPLE: usize = 12;
/// A sampled type that reaches more types than this is passed over by default (the full run takes it).
const SAMPLE_REACH: usize = 150;

/// One example to decode.
#[derive(Debug, Clone)]
struct Case {
    spec: String,
    /// Rust module of the spec in the test crate.
    module: String,
    /// The generated type's name.
    rust: String,
    /// Where the schema is.
    pointer: String,
    /// Where the example is (for the report).
    from: String,
    example: Value,
}

fn full() -> bool {
    std::env::var("SPECDRIFT_FIDELITY").is_ok_and(|v| v == "full")
}

fn exceptions() -> Vec<(String, String, String)> {
    std::fs::read_to_string("tests/fidelity-exceptions.txt")
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let spec = parts.next().unwrap_or_default().to_string();
            let pointer = parts.next().unwrap_or_default().to_string();
            (
                spec,
                pointer,
                parts.next().unwrap_or_default().trim().to_string(),
            )
        })
        .collect()
}

/// Named types a shape holds (directly or inside arrays, maps, options).
fn targets(shape: &Shape, out: &mut Vec<TypeId>) {
    match shape {
        Shape::Named(id) => out.push(*id),
        Shape::Array(inner) | Shape::Map(inner) | Shape::Nullable(inner) => targets(inner, out),
        _ => {}
    }
}

/// Every type `root` reaches, itself included.
fn reach(api: &Api, root: TypeId) -> BTreeSet<TypeId> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        let mut next = Vec::new();
        match &api.ty(id).kind {
            TypeKind::Struct {
                fields, additional, ..
            } => {
                for f in fields {
                    targets(&f.shape, &mut next);
                }
                if let Some(a) = additional {
                    targets(a, &mut next);
                }
            }
            TypeKind::Union { variants, .. } => {
                for shape in variants.iter().filter_map(|v| v.shape.as_ref()) {
                    targets(shape, &mut next);
                }
            }
            TypeKind::Alias(shape) => targets(shape, &mut next),
            TypeKind::Enum { .. } => {}
        }
        todo.extend(next.into_iter().filter(|t| !seen.contains(t)));
    }
    seen
}

/// The examples the spec gives for each named type: on the schema itself, one object built from
/// its properties' examples when every required property has one, and those of media types whose
/// schema is the type.
fn examples(api: &Api) -> BTreeMap<TypeId, Vec<(String, Value)>> {
    let mut out: BTreeMap<TypeId, Vec<(String, Value)>> = BTreeMap::new();
    for (id, ty) in &api.types {
        let at = &ty.origin.pointer;
        for e in &ty.examples {
            out.entry(*id)
                .or_default()
                .push((format!("{at}/example"), e.clone()));
        }
        if let (TypeKind::Struct { fields, .. }, Some(schema)) = (&ty.kind, ty.schema) {
            let props = &api.schema(schema).properties;
            let mut built = serde_json::Map::new();
            for f in fields {
                let Some((_, p)) = props.iter().find(|(name, _)| *name == f.name.wire) else {
                    continue;
                };
                // A property's examples, behind its `$ref` when it has one.
                if let Some(e) = api.schema(*p).examples.first() {
                    built.insert(f.name.wire.clone(), e.clone());
                }
            }
            if !built.is_empty()
                && fields
                    .iter()
                    .all(|f| !f.required || built.contains_key(&f.name.wire))
            {
                out.entry(*id)
                    .or_default()
                    .push((format!("{at}/properties/*/example"), Value::Object(built)));
            }
        }
    }
    for op in api.operations.iter().chain(&api.webhooks) {
        let media = op
            .body
            .iter()
            .flat_map(|b| b.content.iter().map(move |m| (&b.origin, m)))
            .chain(
                op.responses
                    .iter()
                    .flat_map(|r| r.content.iter().map(move |m| (&r.origin, m))),
            );
        for (origin, m) in media {
            if let Shape::Named(id) = m.shape {
                for e in &m.examples {
                    let at = format!(
                        "{}/content/{}/example",
                        origin.pointer,
                        load::escape(&m.media_type)
                    );
                    out.entry(id).or_default().push((at, e.clone()));
                }
            }
        }
    }
    for list in out.values_mut() {
        let mut seen = BTreeSet::new();
        list.retain(|(_, e)| seen.insert(e.to_string()));
    }
    out
}

/// The cases of one spec and its models, pruned to the types they reach.
fn cases_of(name: &str, entry: &std::path::Path, full: bool) -> (Vec<Case>, usize, Option<String>) {
    let loaded = load::load(entry)
        .unwrap_or_else(|d| panic!("{name} does not load:\n{d}"))
        .spec;
    let (api, _) = ir::lower(&loaded);
    let mut registry = jsonschema::Registry::new();
    for (urn, doc) in load::json_schema::resources(&loaded) {
        registry = registry
            .add(urn, doc)
            .expect("a translated document registers");
    }
    let registry = registry.prepare().expect("the registry prepares");
    let module = generator::ir::names::snake(name);
    let mut cases = Vec::new();
    let mut rejected = 0;
    let mut keep = BTreeSet::new();
    let mut sampled = 0;
    let mut by_name: Vec<(TypeId, Vec<(String, Value)>)> = examples(&api).into_iter().collect();
    by_name.sort_by(|a, b| api.ty(a.0).name.rust.cmp(&api.ty(b.0).name.rust));
    for (id, list) in by_name {
        let ty = api.ty(id);
        let Ok(validator) =
            jsonschema::options()
                .with_registry(&registry)
                .build(&load::json_schema::reference(
                    ty.origin.doc,
                    &ty.origin.pointer,
                ))
        else {
            continue;
        };
        let accepted: Vec<(String, Value)> = list
            .into_iter()
            .filter(|(_, e)| {
                let ok = validator.is_valid(e);
                rejected += usize::from(!ok);
                ok
            })
            .collect();
        if accepted.is_empty() {
            continue;
        }
        let reached = reach(&api, id);
        if !full && (sampled >= SAMPLE || reached.len() > SAMPLE_REACH) {
            continue;
        }
        sampled += 1;
        keep.extend(reached);
        for (from, example) in accepted {
            cases.push(Case {
                spec: name.to_string(),
                module: module.clone(),
                rust: ty.name.rust.clone(),
                pointer: ty.origin.pointer.clone(),
                from,
                example,
            });
        }
    }
    if cases.is_empty() {
        return (cases, rejected, None);
    }
    let mut pruned = api.clone();
    pruned.types.retain(|id, _| keep.contains(id));
    pruned.operations.clear();
    pruned.webhooks.clear();
    let models = generator::emit::models::emit_formatted(&pruned, "fidelity")
        .unwrap_or_else(|e| panic!("{name}: the pruned models do not emit: {e}"));
    (cases, rejected, Some(models))
}

/// The first place where `back` differs from `sent`, as a pointer and both values.
fn difference(sent: &Value, back: &Value, at: String) -> String {
    match (sent, back) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let here = format!("{at}/{}", load::escape(k));
                match b.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => return difference(v, w, here),
                    None => return format!("`{here}` ({v}) is dropped"),
                }
            }
            match b.keys().find(|k| !a.contains_key(*k)) {
                Some(k) => format!("`{at}/{}` ({}) is added", load::escape(k), b[k]),
                None => format!("`{at}` differs"),
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find(|(_, (x, y))| x != y)
            .map(|(i, (x, y))| difference(x, y, format!("{at}/{i}")))
            .unwrap_or_else(|| format!("`{at}` differs")),
        _ => format!("`{at}`: {sent} becomes {back}"),
    }
}

#[test]
fn every_accepted_corpus_example_decodes_and_round_trips() {
    let full = full();
    let exceptions = exceptions();
    let out_dir = check::workspace().join("target/check-crates/fidelity-out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut lib = format!(
        "#![allow(warnings, clippy::all)]\n#[path = {:?}]\npub mod support;\n",
        std::fs::canonicalize("templates/support.rs")
            .unwrap()
            .display()
            .to_string()
    );
    let mut cases: Vec<Case> = Vec::new();
    let mut rejected: BTreeMap<String, usize> = BTreeMap::new();
    // `SPECDRIFT_FIDELITY_SPECS=box,plaid` narrows a run to some specs (the counts then cover only those).
    let only: Option<Vec<String>> = std::env::var("SPECDRIFT_FIDELITY_SPECS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    for (name, entry) in corpus::corpus() {
        if only.as_ref().is_some_and(|o| !o.contains(&name)) {
            continue;
        }
        let (mut spec_cases, spec_rejected, models) = cases_of(&name, &entry, full);
        rejected.insert(name.clone(), spec_rejected);
        let Some(models) = models else { continue };
        let path = out_dir.join(format!("{}.rs", spec_cases[0].module));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(models.as_str()) {
            std::fs::write(&path, models).unwrap();
        }
        lib.push_str(&check::module_with(&spec_cases[0].module, &path, None, &[]));
        cases.append(&mut spec_cases);
    }
    let mut table = String::new();
    let mut seen = BTreeSet::new();
    for c in &cases {
        if seen.insert((c.module.clone(), c.rust.clone())) {
            table.push_str(&format!(
                "        ({:?}, {:?}, round_trip::<{}::models::{}>),\n",
                c.module, c.rust, c.module, c.rust
            ));
        }
    }
    let cases_path = out_dir.join("cases.json");
    let results_path = out_dir.join("results.json");
    let listed: Vec<Value> = cases
        .iter()
        .map(|c| json!({"module": c.module, "rust": c.rust, "example": c.example.to_string()}))
        .collect();
    std::fs::write(&cases_path, Value::Array(listed).to_string()).unwrap();
    let _ = std::fs::remove_file(&results_path);
    lib.push_str(&format!(
        r#"
type RoundTrip = fn(&str) -> Result<String, String>;

/// Decodes JSON text into `T` as a client would, and encodes it back.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> Result<String, String> {{
    let value: T = serde_json::from_str(text).map_err(|e| e.to_string())?;
    serde_json::to_string(&value).map_err(|e| e.to_string())
}}

pub fn table() -> Vec<(&'static str, &'static str, RoundTrip)> {{
    vec![
{table}    ]
}}

#[test]
fn run() {{
    let table = table();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string({cases:?}).unwrap()).unwrap();
    let results: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {{
            let (module, rust, text) = (c["module"].as_str().unwrap(), c["rust"].as_str().unwrap(), c["example"].as_str().unwrap());
            let f = table.iter().find(|(m, r, _)| *m == module && *r == rust).expect("listed").2;
            match f(text) {{
                Ok(back) => serde_json::json!({{"back": back}}),
                Err(e) => serde_json::json!({{"error": e}}),
            }}
        }})
        .collect();
    std::fs::write({results:?}, serde_json::Value::Array(results).to_string()).unwrap();
}}
"#,
        cases = cases_path.display().to_string(),
        results = results_path.display().to_string(),
    ));
    check::test_crate_with("fidelity", &lib, &[])
        .unwrap_or_else(|e| panic!("the fidelity crate does not build or run:\n{e}"));
    let results: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&results_path).unwrap()).unwrap();
    assert_eq!(results.len(), cases.len());
    // Per spec: (examples, decoded, equal after the round trip).
    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut excused = BTreeSet::new();
    for (case, result) in cases.iter().zip(&results) {
        let entry = counts.entry(&case.spec).or_default();
        entry.0 += 1;
        let problem = match (
            result.get("back").and_then(Value::as_str),
            result.get("error"),
        ) {
            (Some(back), _) => {
                entry.1 += 1;
                let back: Value = serde_json::from_str(back).unwrap();
                if back == case.example {
                    entry.2 += 1;
                    None
                } else {
                    Some(format!(
                        "comes back different: {}",
                        difference(&case.example, &back, String::new())
                    ))
                }
            }
            (None, error) => Some(format!(
                "does not decode: {}",
                error.and_then(Value::as_str).unwrap_or("?")
            )),
        };
        let Some(problem) = problem else { continue };
        if let Some(e) = exceptions
            .iter()
            .find(|(s, p, _)| *s == case.spec && *p == case.pointer)
        {
            excused.insert((e.0.clone(), e.1.clone()));
            continue;
        }
        let mut example = case.example.to_string();
        if example.len() > 300 {
            example = format!("{}…", &example[..example.floor_char_boundary(300)]);
        }
        failures.push(format!(
            "{} {} ({}, example at {}): {example} {problem}",
            case.spec, case.pointer, case.rust, case.from
        ));
    }
    eprintln!(
        "fidelity ({}): spec: examples accepted by the spec / decoded / equal after a round trip (rejected by the spec's own schema)",
        if full { "every type" } else { "sample" }
    );
    let mut total = (0, 0, 0);
    for (spec, (n, decoded, equal)) in &counts {
        eprintln!("  {spec}: {n} / {decoded} / {equal} ({})", rejected[*spec]);
        total = (total.0 + n, total.1 + decoded, total.2 + equal);
    }
    eprintln!("  all: {} / {} / {}", total.0, total.1, total.2);
    assert!(
        total.0 >= 100,
        "too few examples were checked ({}) for this test to mean much",
        total.0
    );
    if full && only.is_none() {
        for (spec, pointer, _) in &exceptions {
            assert!(
                excused.contains(&(spec.clone(), pointer.clone())),
                "fidelity-exceptions.txt lists `{spec} {pointer}`, which passes now or names nothing"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} examples the spec accepts do not survive the generated types:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
