//! Speed of the contract suite, printed (not asserted): `bench/contract.sh` runs it beside schemathesis.
//!
//! ```text
//! cargo run --release -p contract-tests --example bench -- verify 200000   # interactions verified per second, one core
//! cargo run --release -p contract-tests --example bench -- suite 500       # checked calls per second against the in-process sandbox
//! cargo run --release -p contract-tests --example bench -- capture 1024 F  # writes a line-delimited capture of at least 1024 MB to F
//! ```

use std::path::PathBuf;
use std::time::Instant;

use contract_tests::traffic::{self, Interaction};
use contract_tests::vivamo::{self, Settings, Target};
use contract_tests::{Baseline, check, spec::Model};
use serde_json::json;

/// The conformant Vivamo fixture every bench capture repeats.
fn conformant(root: &std::path::Path) -> Vec<Interaction> {
    traffic::read(&root.join("contract-tests/tests/traffic/vivamo-conformant.json"))
        .expect("fixture")
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec = root.join("openapi.yaml");
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "verify".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    match what.as_str() {
        "verify" => {
            let base = conformant(&root);
            let interactions: Vec<Interaction> = (0..n)
                .map(|i| {
                    let mut x = base[i % base.len()].clone();
                    x.url = x
                        .url
                        .replace("671f4e90c0811b1056da1653", &format!("{i:024x}"));
                    x
                })
                .collect();
            let har = root.join("target/bench/large.har");
            std::fs::create_dir_all(har.parent().unwrap()).unwrap();
            let entries: Vec<_> = interactions
                .iter()
                .map(|i| {
                    json!({"startedDateTime": "2026-11-22T18:00:00.000Z", "time": 1,
                        "request": {"method": i.method, "url": i.url, "httpVersion": "HTTP/1.1", "headers": i.request_headers.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(), "queryString": [], "cookies": [], "headersSize": -1, "bodySize": -1, "postData": {"mimeType": "application/json", "text": i.request_body}},
                        "response": {"status": i.status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": i.response_headers.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(), "cookies": [], "content": {"size": -1, "mimeType": "application/json", "text": i.response_body}, "redirectURL": "", "headersSize": -1, "bodySize": -1},
                        "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}})
                })
                .collect();
            std::fs::write(&har, serde_json::to_vec(&json!({"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "entries": entries}})).unwrap()).unwrap();
            let size = std::fs::metadata(&har).unwrap().len();
            let start = Instant::now();
            let model = Model::load(&spec).expect("spec");
            let read = traffic::read(&har).expect("har");
            let parsed = start.elapsed();
            let findings = check::check(&model, &read);
            let total = start.elapsed();
            assert!(findings.is_empty(), "the bench traffic conforms");
            println!(
                "verify: {n} interactions ({:.1} MB HAR) in {:.2} s ({:.2} s reading): {:.0} interactions/s on one core",
                size as f64 / 1e6,
                total.as_secs_f64(),
                parsed.as_secs_f64(),
                n as f64 / total.as_secs_f64()
            );
        }
        "capture" => {
            // A line-delimited capture of at least `n` MB: the conformant fixture repeated, each
            // copy with its own identifiers, one VCR interaction per line.
            let path = args
                .next()
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("target/bench/large.jsonl"));
            let base = conformant(&root);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            let headers = |list: &[(String, String)]| {
                let mut map = serde_json::Map::new();
                for (k, v) in list {
                    map.insert(k.clone(), json!([v]));
                }
                serde_json::Value::Object(map)
            };
            let (mut written, mut count) = (0u64, 0usize);
            while written < n as u64 * 1_000_000 {
                let x = &base[count % base.len()];
                let url = x
                    .url
                    .replace("671f4e90c0811b1056da1653", &format!("{count:024x}"));
                let line = json!({
                    "request": {"method": x.method, "uri": url, "headers": headers(&x.request_headers), "body": {"string": x.request_body}},
                    "response": {"status": {"code": x.status, "message": ""}, "headers": headers(&x.response_headers), "body": {"string": x.response_body}},
                    "recorded_at": x.recorded_at,
                })
                .to_string();
                use std::io::Write as _;
                writeln!(out, "{line}").unwrap();
                written += line.len() as u64 + 1;
                count += 1;
            }
            println!(
                "capture: {count} interactions, {:.1} MB, in {}",
                written as f64 / 1e6,
                path.display()
            );
        }
        "yaml" => {
            // A vcrpy-style YAML cassette of `n` interactions (block style, every scalar
            // single-quoted), the conformant fixture repeated with identifiers of their own.
            let path = args
                .next()
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("target/bench/large.yaml"));
            let base = conformant(&root);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            use std::io::Write as _;
            let quoted = |text: &str| format!("'{}'", text.replace('\'', "''"));
            let headers = |out: &mut dyn std::io::Write, list: &[(String, String)]| {
                writeln!(out, "    headers:").unwrap();
                for (k, v) in list {
                    writeln!(out, "      {}:\n      - {}", quoted(k), quoted(v)).unwrap();
                }
            };
            writeln!(out, "interactions:").unwrap();
            for i in 0..n {
                let x = &base[i % base.len()];
                let url = x
                    .url
                    .replace("671f4e90c0811b1056da1653", &format!("{i:024x}"));
                writeln!(
                    out,
                    "- request:\n    method: {}\n    uri: {}",
                    x.method,
                    quoted(&url)
                )
                .unwrap();
                headers(&mut out, &x.request_headers);
                writeln!(out, "    body: {}", quoted(&x.request_body)).unwrap();
                writeln!(
                    out,
                    "  response:\n    status:\n      code: {}\n      message: OK",
                    x.status
                )
                .unwrap();
                headers(&mut out, &x.response_headers);
                writeln!(out, "    body:\n      string: {}", quoted(&x.response_body)).unwrap();
            }
            writeln!(out, "version: 1").unwrap();
            out.flush().unwrap();
            println!("yaml: {n} interactions in {}", path.display());
        }
        "suite" => {
            let start = Instant::now();
            let outcome = vivamo::run(
                &spec,
                &Settings {
                    target: Target::Sandbox,
                    cases: n as u32,
                    shrink: false,
                    ..Settings::default()
                },
                &Baseline::default(),
            )
            .expect("suite");
            let secs = start.elapsed().as_secs_f64();
            println!(
                "suite: {n} sequences, {} checked calls in {secs:.2} s: {:.0} calls/s, {} finding(s)",
                outcome.traffic.len(),
                outcome.traffic.len() as f64 / secs,
                outcome.report.findings.len()
            );
        }
        other => eprintln!("unknown benchmark `{other}`: verify, capture or suite"),
    }
}
