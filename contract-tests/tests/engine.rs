//! The contract engine against a small local pet server that commits one defect at a time:
//! each check must find its defect (kind, operation, a reproduction), and the conforming
//! server must give no finding at all.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use contract_tests::engine::{self, Settings, Target};
use contract_tests::spec::Model;
use contract_tests::{Baseline, Kind};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Defect {
    None,
    ServerError,
    UndocumentedStatus,
    UndocumentedContentType,
    SchemaViolation,
    SchemaValidRejected,
    InvalidInputAccepted,
    IgnoredAuth,
    UseAfterDelete,
    CreatedNotRetrievable,
    UnsupportedMethod,
    MissingHeader,
    Forbidden,
    Slow,
    /// A pet read back with a property the spec does not name and a `born` that is no date-time.
    Drift,
    /// A pet read back with a property the spec does not name, and nothing else wrong.
    Extra,
}

#[derive(Clone)]
struct Server {
    defect: Defect,
    pets: Arc<Mutex<BTreeMap<String, Value>>>,
    next: Arc<Mutex<u32>>,
}

fn empty(status: u16) -> Response {
    StatusCode::from_u16(status)
        .expect("a status")
        .into_response()
}

fn json_reply(status: u16, value: &Value) -> Response {
    (
        StatusCode::from_u16(status).expect("a status"),
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn valid_new_pet(v: &Value, defect: Defect) -> bool {
    if defect == Defect::InvalidInputAccepted {
        return true;
    }
    let Some(map) = v.as_object() else {
        return false;
    };
    let name_ok = match map.get("name") {
        Some(Value::String(n)) => (1..=20).contains(&n.chars().count()),
        None => defect == Defect::InvalidInputAccepted,
        _ => false,
    };
    let kind_ok = map.get("kind").is_none_or(|k| k == "cat" || k == "dog");
    name_ok && kind_ok && map.keys().all(|k| k == "name" || k == "kind")
}

async fn handle(
    server: axum::extract::State<Server>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let d = server.defect;
    let Some(path) = uri.path().strip_prefix("/api") else {
        return empty(404);
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let allowed = match segments.as_slice() {
        ["pets"] => "GET, POST",
        ["pets", _] => "GET, DELETE",
        _ => return empty(404),
    };
    let declared = allowed.split(", ").any(|m| m == method.as_str());
    if !declared {
        if d == Defect::UnsupportedMethod {
            return empty(404);
        }
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, allowed)]).into_response();
    }
    let authorized = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some("Bearer good");
    let open = d == Defect::IgnoredAuth && method == Method::GET && segments.len() == 1;
    if !authorized && !open {
        return empty(if d == Defect::Forbidden { 403 } else { 401 });
    }
    if d == Defect::Slow && method == Method::GET && segments.len() == 1 {
        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    }
    let mut pets = server.pets.lock().expect("not poisoned");
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["pets"]) => {
            let list: Vec<Value> = pets.values().cloned().collect();
            if d == Defect::UndocumentedContentType {
                return (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "text/plain")],
                    "pets",
                )
                    .into_response();
            }
            json_reply(200, &Value::Array(list))
        }
        ("POST", ["pets"]) => {
            if headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                != Some("application/json")
            {
                return empty(400);
            }
            let Ok(v) = serde_json::from_slice::<Value>(&body) else {
                return empty(400);
            };
            if !valid_new_pet(&v, d) {
                return empty(400);
            }
            if d == Defect::SchemaValidRejected && v["name"].as_str().is_some_and(|n| n.len() > 10)
            {
                return json_reply(
                    400,
                    &json!({"message": "names longer than 10 are not allowed"}),
                );
            }
            let mut next = server.next.lock().expect("not poisoned");
            *next += 1;
            let id = format!("pet{next}");
            let mut pet = v.clone();
            pet["id"] = json!(id);
            if d != Defect::CreatedNotRetrievable {
                pets.insert(id, pet.clone());
            }
            let status = if d == Defect::UndocumentedStatus {
                202
            } else {
                201
            };
            let mut response = json_reply(status, &pet);
            if d != Defect::MissingHeader {
                response
                    .headers_mut()
                    .insert("x-rate-limit", "100".parse().expect("a header value"));
            }
            response
        }
        ("GET", ["pets", id]) => {
            if d == Defect::ServerError {
                return empty(500);
            }
            match pets.get(*id) {
                Some(pet) if d == Defect::Drift => {
                    let mut pet = pet.clone();
                    pet["colour"] = json!("brown");
                    pet["born"] = json!("yesterday");
                    json_reply(200, &pet)
                }
                Some(pet) if d == Defect::Extra => {
                    let mut pet = pet.clone();
                    pet["colour"] = json!("brown");
                    json_reply(200, &pet)
                }
                Some(pet) if d == Defect::SchemaViolation => {
                    let mut pet = pet.clone();
                    pet["kind"] = json!("bird");
                    json_reply(200, &pet)
                }
                Some(pet) => json_reply(200, pet),
                None => empty(404),
            }
        }
        ("DELETE", ["pets", id]) => {
            let found = if d == Defect::UseAfterDelete {
                pets.contains_key(*id)
            } else {
                pets.remove(*id).is_some()
            };
            empty(if found { 204 } else { 404 })
        }
        _ => empty(404),
    }
}

fn spec() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/engine/pets.yaml")
}

/// Serves the pet server with `defect` and runs the engine against it.
fn run(defect: Defect, tweak: impl FnOnce(&mut Settings)) -> engine::Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = Server {
        defect,
        pets: Arc::default(),
        next: Arc::default(),
    };
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    let app = axum::Router::new().fallback(handle).with_state(server);
    runtime.spawn(async move { axum::serve(listener, app).await });
    let mut settings = Settings::new(Target::Url(format!("http://{addr}")));
    settings.credentials.bearer = Some("good".into());
    settings.max_cases = 6;
    tweak(&mut settings);
    let model = Model::load(&spec()).expect("the spec loads");
    let outcome = engine::run(&model, &settings, &Baseline::default()).expect("the run completes");
    drop(runtime);
    outcome
}

fn assert_finds(defect: Defect, kind: Kind, operation: &str) {
    let outcome = run(defect, |s| {
        s.max_response_time = Some(std::time::Duration::from_millis(40))
    });
    let report = &outcome.report;
    let found = report
        .findings
        .iter()
        .find(|f| f.kind == kind && f.operation == operation)
        .unwrap_or_else(|| {
            panic!(
                "{defect:?}: no {} in {operation}\n{}",
                kind.as_str(),
                report.to_text()
            )
        });
    assert!(
        !found.reproduce.is_empty() && found.curl.starts_with("curl -X"),
        "{defect:?}: {found:?}"
    );
    assert!(
        found.reproduce.len() <= 4,
        "{defect:?}: the reproduction was not shrunk: {:?}",
        found.reproduce
    );
    assert!(
        !found.curl.contains("Bearer good"),
        "the credential reached the report: {}",
        found.curl
    );
}

#[test]
fn a_conforming_server_gives_no_finding() {
    let outcome = run(Defect::None, |_| {});
    assert!(
        outcome.report.findings.is_empty(),
        "{}",
        outcome.report.to_text()
    );
    assert_eq!(outcome.covered, (4, 4));
    assert!(
        outcome.traffic.len() > 50,
        "only {} calls",
        outcome.traffic.len()
    );
}

#[test]
fn each_check_finds_its_defect() {
    assert_finds(Defect::ServerError, Kind::ServerError, "getPet");
    assert_finds(
        Defect::UndocumentedStatus,
        Kind::UndocumentedStatus,
        "createPet",
    );
    assert_finds(
        Defect::UndocumentedContentType,
        Kind::UndocumentedContentType,
        "listPets",
    );
    assert_finds(Defect::SchemaViolation, Kind::SchemaViolation, "getPet");
    assert_finds(
        Defect::SchemaValidRejected,
        Kind::SchemaValidRejected,
        "createPet",
    );
    assert_finds(
        Defect::InvalidInputAccepted,
        Kind::InvalidInputAccepted,
        "createPet",
    );
    assert_finds(Defect::IgnoredAuth, Kind::IgnoredAuth, "listPets");
    assert_finds(Defect::UseAfterDelete, Kind::UseAfterDelete, "getPet");
    assert_finds(
        Defect::CreatedNotRetrievable,
        Kind::CreatedNotRetrievable,
        "getPet",
    );
    assert_finds(
        Defect::UnsupportedMethod,
        Kind::UnsupportedMethodAccepted,
        "listPets",
    );
    assert_finds(
        Defect::MissingHeader,
        Kind::ResponseHeaderViolation,
        "createPet",
    );
}

/// A server that adds a property and breaks a format: the engine reports both (the property as a
/// note that does not fail the run, the format as a schema violation), and so does `verify` on
/// the recorded traffic — the same check, once.
#[test]
fn an_undocumented_property_and_a_broken_format_are_reported_live_and_recorded() {
    let dir = std::env::temp_dir().join(format!("specdrift-drift-{}", std::process::id()));
    let cassette = dir.join("pets.json");
    let outcome = run(Defect::Drift, |s| {
        s.record = Some(cassette.clone());
        s.shrink = false;
    });
    let check = |report: &contract_tests::Report, live: bool| {
        let extra = report
            .findings
            .iter()
            .find(|f| f.kind == Kind::UndocumentedProperty)
            .unwrap_or_else(|| {
                panic!(
                    "no undocumented-property (live: {live})\n{}",
                    report.to_text()
                )
            });
        assert_eq!(
            (extra.operation.as_str(), extra.pointer.as_str()),
            ("getPet", "/colour")
        );
        assert_eq!(extra.observed, "\"brown\"");
        assert_eq!(
            Kind::UndocumentedProperty.level(),
            contract_tests::Level::Note
        );
        let format = report
            .findings
            .iter()
            .find(|f| f.kind == Kind::SchemaViolation && f.pointer == "/born")
            .unwrap_or_else(|| panic!("no format violation (live: {live})\n{}", report.to_text()));
        assert_eq!(format.keyword, "format");
        assert_eq!(format.operation, "getPet");
        assert!(report.fails(), "a broken format is drift");
        // The recording holds the engine's deliberately invalid requests and undeclared methods
        // too, which `verify` reports as the client's (refused, so nothing else).
        let kinds: std::collections::BTreeSet<Kind> = report
            .findings
            .iter()
            .map(|f| f.kind)
            .filter(|k| live || !matches!(k, Kind::RequestViolation | Kind::UnknownOperation))
            .collect();
        assert_eq!(
            kinds,
            [Kind::SchemaViolation, Kind::UndocumentedProperty]
                .into_iter()
                .collect(),
            "{}",
            report.to_text()
        );
    };
    check(&outcome.report, true);
    let recorded = contract_tests::verify(&spec(), &cassette, &Baseline::default())
        .expect("the cassette verifies");
    check(&recorded, false);
    let _ = std::fs::remove_dir_all(dir);
}

/// `-x` stops at the first finding that fails a run; a note goes on the report and the run goes on.
#[test]
fn exit_first_does_not_stop_at_a_note() {
    let whole = run(Defect::Extra, |s| s.shrink = false);
    let first = run(Defect::Extra, |s| {
        s.shrink = false;
        s.exit_first = true;
    });
    assert!(
        first
            .report
            .findings
            .iter()
            .any(|f| f.kind == Kind::UndocumentedProperty),
        "{}",
        first.report.to_text()
    );
    assert!(!first.report.fails());
    assert_eq!(first.traffic.len(), whole.traffic.len());
}

#[test]
fn an_undocumented_property_alone_does_not_fail_a_run() {
    use contract_tests::traffic::Interaction;
    let model = Model::load(&spec()).expect("the spec loads");
    let interaction = Interaction {
        method: "GET".into(),
        url: "http://127.0.0.1/api/pets/pet1".into(),
        request_headers: vec![("Authorization".into(), "Bearer [redacted]".into())],
        request_body: String::new(),
        status: 200,
        response_headers: vec![("Content-Type".into(), "application/json".into())],
        response_body: r#"{"id":"pet1","name":"Rex","tags":[{"a":1}]}"#.into(),
        recorded_at: "Sun, 22 Nov 2026 00:00:00 GMT".into(),
    };
    let findings = contract_tests::check::check(&model, &[interaction]);
    assert_eq!(
        findings
            .iter()
            .map(|f| (f.kind, f.pointer.as_str()))
            .collect::<Vec<_>>(),
        [(Kind::UndocumentedProperty, "/tags")],
        "{findings:?}"
    );
    let report = contract_tests::Report::new(findings, &Baseline::default(), 1);
    assert!(!report.fails());
    assert!(
        report.to_text().contains("[note] undocumented-property"),
        "{}",
        report.to_text()
    );
    assert!(
        report.to_junit().contains("failures=\"0\""),
        "{}",
        report.to_junit()
    );
}

#[test]
fn the_inferred_graph_links_create_to_read_and_delete() {
    let model = Model::load(&spec()).expect("the spec loads");
    let graph = engine::graph_of(&model, None);
    assert!(
        graph.contains("createPet response /id -> getPet path petId"),
        "{graph}"
    );
    assert!(
        graph.contains("createPet response /id -> deletePet path petId"),
        "{graph}"
    );
}

#[test]
fn the_same_seed_makes_the_same_calls_and_a_recording_replays_offline() {
    let dir = std::env::temp_dir().join(format!("specdrift-engine-{}", std::process::id()));
    let cassette = dir.join("pets.json");
    let first = run(Defect::SchemaViolation, |s| {
        s.record = Some(cassette.clone());
        s.shrink = false;
    });
    let second = run(Defect::SchemaViolation, |s| s.shrink = false);
    let lines = |o: &engine::Outcome| {
        o.traffic
            .iter()
            .map(|i| {
                format!(
                    "{} {} {}",
                    i.method,
                    i.url.split_once("/api").map_or("", |(_, p)| p),
                    i.request_body
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&first), lines(&second));
    let text = std::fs::read_to_string(&cassette).expect("the cassette was written");
    assert!(
        !text.contains("Bearer good"),
        "the credential reached the cassette"
    );
    let model = Model::load(&spec()).expect("the spec loads");
    let mut settings = Settings::new(Target::Cassette(cassette));
    settings.credentials.bearer = Some("good".into());
    settings.max_cases = 6;
    settings.shrink = false;
    let replayed =
        engine::run(&model, &settings, &Baseline::default()).expect("the replay completes");
    let keys = |o: &engine::Outcome| {
        o.report
            .findings
            .iter()
            .map(|f| f.key())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&replayed), keys(&first));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_unreachable_target_is_an_error_not_a_finding() {
    let model = Model::load(&spec()).expect("the spec loads");
    let settings = Settings::new(Target::Url("http://127.0.0.1:9".into()));
    let err = engine::run(&model, &settings, &Baseline::default()).unwrap_err();
    assert!(err.to_string().contains("unreachable"), "{err}");
}

/// The sequence checks run on recorded traffic too (`verify`), the same code as in the engine.
#[test]
fn verify_reports_sequence_defects_in_recorded_traffic() {
    use contract_tests::redact::Redaction;
    use contract_tests::traffic::{Interaction, write_cassette};
    let call = |method: &str, path: &str, auth: bool, status: u16, body: &str| Interaction {
        method: method.into(),
        url: format!("http://127.0.0.1/api{path}"),
        request_headers: if auth {
            vec![("Authorization".into(), "Bearer [redacted]".into())]
        } else {
            Vec::new()
        },
        request_body: if method == "POST" {
            r#"{"name":"Rex"}"#.into()
        } else {
            String::new()
        },
        status,
        response_headers: if body.is_empty() {
            Vec::new()
        } else {
            vec![("Content-Type".into(), "application/json".into())]
        },
        response_body: body.into(),
        recorded_at: "Sun, 22 Nov 2026 00:00:00 GMT".into(),
    };
    let mut created = call("POST", "/pets", true, 201, r#"{"id":"pet1","name":"Rex"}"#);
    created
        .response_headers
        .push(("X-Rate-Limit".into(), "10".into()));
    let traffic = vec![
        created,
        call("GET", "/pets/pet1", true, 404, ""),
        call("DELETE", "/pets/pet2", true, 204, ""),
        call(
            "GET",
            "/pets/pet2",
            true,
            200,
            r#"{"id":"pet2","name":"Tom"}"#,
        ),
        call("GET", "/pets", false, 200, "[]"),
    ];
    let path = std::env::temp_dir().join(format!("specdrift-sequence-{}.json", std::process::id()));
    write_cassette(&path, &traffic, &Redaction::default()).unwrap();
    let report = contract_tests::verify(&spec(), &path, &Baseline::default()).unwrap();
    let kinds: Vec<(Kind, &str)> = report
        .findings
        .iter()
        .map(|f| (f.kind, f.operation.as_str()))
        .collect();
    assert!(
        kinds.contains(&(Kind::CreatedNotRetrievable, "getPet")),
        "{}",
        report.to_text()
    );
    assert!(
        kinds.contains(&(Kind::UseAfterDelete, "getPet")),
        "{}",
        report.to_text()
    );
    assert!(
        kinds.contains(&(Kind::IgnoredAuth, "listPets")),
        "{}",
        report.to_text()
    );
    assert_eq!(kinds.len(), 3, "{}", report.to_text());
    let _ = std::fs::remove_file(path);

    // The same events streamed from a line-delimited capture, thousands of unrelated reads
    // apart (so in different batches): the same three findings, each once.
    let filler = |n: usize| {
        let id = format!("other{n}");
        call(
            "GET",
            &format!("/pets/{id}"),
            true,
            200,
            &format!(r#"{{"id":"{id}","name":"Tom"}}"#),
        )
    };
    let mut spread = Vec::new();
    for (n, event) in traffic.into_iter().enumerate() {
        spread.push(event);
        spread.extend((0..5_000).map(|k| filler(n * 5_000 + k)));
    }
    let lines: Vec<String> = spread
        .iter()
        .map(|i| {
            let headers: serde_json::Map<String, Value> = i
                .request_headers
                .iter()
                .map(|(k, v)| (k.clone(), json!([v])))
                .collect();
            let response: serde_json::Map<String, Value> = i
                .response_headers
                .iter()
                .map(|(k, v)| (k.clone(), json!([v])))
                .collect();
            json!({
                "request": {"method": i.method, "uri": i.url, "headers": headers, "body": {"string": i.request_body}},
                "response": {"status": {"code": i.status}, "headers": response, "body": {"string": i.response_body}},
            })
            .to_string()
        })
        .collect();
    let path =
        std::env::temp_dir().join(format!("specdrift-sequence-{}.jsonl", std::process::id()));
    std::fs::write(&path, lines.join("\n")).unwrap();
    let streamed = contract_tests::verify(&spec(), &path, &Baseline::default()).unwrap();
    let found: Vec<(Kind, &str, usize)> = streamed
        .findings
        .iter()
        .map(|f| (f.kind, f.operation.as_str(), f.occurrences))
        .collect();
    assert_eq!(streamed.interactions, spread.len());
    for kind in [Kind::CreatedNotRetrievable, Kind::UseAfterDelete] {
        assert!(
            found.contains(&(kind, "getPet", 1)),
            "{}",
            streamed.to_text()
        );
    }
    assert!(
        found.contains(&(Kind::IgnoredAuth, "listPets", 1)),
        "{}",
        streamed.to_text()
    );
    assert_eq!(found.len(), 3, "{}", streamed.to_text());
    let _ = std::fs::remove_file(path);
}
