//! The contract engine against mocks of real specs (built from the model by `contract_tests::mock`):
//! corpus specs, the Stellar Disbursement Platform and Wistfare. No run may fail or panic, and
//! every finding must be one the mock really commits, as explained beside each allowance.

use std::path::PathBuf;
use std::sync::Arc;

use contract_tests::engine::{self, Settings, Target};
use contract_tests::spec::Model;
use contract_tests::{Baseline, Kind};

fn shared() -> PathBuf {
    std::env::var_os("SPECDRIFT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

fn run_against_mock(spec: &std::path::Path) -> engine::Outcome {
    let model = Arc::new(Model::load(spec).unwrap_or_else(|d| panic!("{}: {d}", spec.display())));
    let mock = contract_tests::mock::background(model.clone()).expect("the mock starts");
    let mut settings = Settings::new(Target::Url(mock.running.base_url()));
    settings.credentials = contract_tests::mock::credentials(&model);
    settings.max_cases = 3;
    settings.sequence_length = 8;
    let outcome = engine::run(&model, &settings, &Baseline::default())
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    drop(mock);
    outcome
}

#[test]
fn the_engine_runs_against_mocks_of_real_specs() {
    let specs = [
        shared().join("specs/oai-petstore/petstore.yaml"),
        shared().join("specs/oai-petstore-expanded/petstore-expanded.json"),
        shared().join("specs/oai-uspto/uspto.yaml"),
        shared().join("specs/stellar-sdp/openapi.yaml"),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/wistfare/openapi.yaml"),
    ];
    for spec in specs {
        let outcome = run_against_mock(&spec);
        assert!(
            outcome.traffic.len() > 10,
            "{}: only {} calls",
            spec.display(),
            outcome.traffic.len()
        );
        assert!(
            outcome.covered.0 * 2 >= outcome.covered.1,
            "{}: called {} of {} operations",
            spec.display(),
            outcome.covered.0,
            outcome.covered.1
        );
        for f in &outcome.report.findings {
            let explained = match f.kind {
                // The mock refuses with a documented 4xx where there is one; where an operation
                // documents none, its refusal (400, 401, 415) is a status the spec does not list.
                Kind::UndocumentedStatus => f.observed.starts_with('4'),
                // The mock checks that credentials are there, not that they are right.
                Kind::IgnoredAuth => f.observed.ends_with("with wrong credentials"),
                _ => false,
            };
            assert!(
                explained,
                "{}: unexplained finding {}: {}\n{:?}",
                spec.display(),
                f.kind.as_str(),
                f.message,
                f.reproduce
            );
        }
    }
}

/// The ready test a generated crate carries (`ready::run`), with no target named: the engine
/// against a mock of the spec, answers decoded through the generated types, and nothing fails.
#[test]
fn the_ready_test_runs_against_a_mock_when_no_target_is_named() {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let verdict =
        contract_tests::ready::run_in(&spec, contract_tests::vivamo::typed_decoder(), &|_| None)
            .expect("the ready test runs");
    assert_eq!(verdict.target, "a mock of the spec");
    assert!(verdict.calls > 20, "only {} calls", verdict.calls);
    assert!(!verdict.failed, "{}", verdict.text);
}

/// With `SPECDRIFT_URL` the ready test judges that server with every check, sends the
/// `SPECDRIFT_HEADERS`, keeps their values out of its report, and fails on what it finds;
/// a variable it cannot read is an error naming it.
#[test]
fn the_ready_test_judges_the_target_its_environment_names() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let (seen, heard) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = seen.send(String::from_utf8_lossy(&request).to_lowercase());
            // Every answer is a 200 with a body no schema of the spec describes.
            let body = r#"{"status": 7}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let vars = |name: &str| match name {
        "SPECDRIFT_URL" => Some(url.clone()),
        "SPECDRIFT_HEADERS" => {
            Some("Authorization: Bearer sk_live_ready0secret\nX-Trace: ready-1".into())
        }
        "SPECDRIFT_MAX_CASES" => Some("1".into()),
        _ => None,
    };
    let verdict =
        contract_tests::ready::run_in(&spec, contract_tests::vivamo::typed_decoder(), &vars)
            .expect("the ready test runs");
    assert_eq!(verdict.target, url);
    assert!(
        verdict.failed,
        "a server answering nonsense passes:\n{}",
        verdict.text
    );
    assert!(
        verdict.text.contains("schema-violation"),
        "{}",
        verdict.text
    );
    assert!(!verdict.text.contains("ready0secret"), "{}", verdict.text);
    let first = heard.recv().expect("a request reached the server");
    assert!(first.contains("x-trace: ready-1"), "{first}");

    let bad = |name: &'static str, value: &'static str| {
        move |n: &str| (n == name).then(|| value.to_string())
    };
    let err = contract_tests::ready::run_in(
        &spec,
        contract_tests::vivamo::typed_decoder(),
        &bad("SPECDRIFT_MAX_CASES", "lots"),
    )
    .unwrap_err();
    assert!(err.contains("SPECDRIFT_MAX_CASES"), "{err}");
    let err = contract_tests::ready::run_in(
        &spec,
        contract_tests::vivamo::typed_decoder(),
        &bad("SPECDRIFT_HEADERS", "no colon here"),
    )
    .unwrap_err();
    assert!(err.contains("SPECDRIFT_HEADERS"), "{err}");
}
