//! The contract suite through its public interface: `verify` on cassettes and HAR files with one
//! injected departure each, the Vivamo suite against the sandbox (the `rejected` gap), record and
//! replay, the baseline, a deliberately wrong server, redaction, and the report formats.

use std::path::{Path, PathBuf};

use contract_tests::redact::Redaction;
use contract_tests::report::{Baseline, BaselineEntry, Kind, Report};
use contract_tests::traffic::{self, Interaction};
use contract_tests::vivamo::{self, Settings, Target};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The reference material and spec corpus: `SPECDRIFT_SHARED`, else `../shared` beside the checkout.
fn shared() -> PathBuf {
    std::env::var_os("SPECDRIFT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"))
}

fn vivamo_spec() -> PathBuf {
    root().join("openapi.yaml")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/traffic")
        .join(name)
}

fn conformant() -> Vec<Interaction> {
    traffic::read(&fixture("vivamo-conformant.json")).unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir = root().join("target/contract-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Writes `interactions` as a cassette and verifies it.
fn verify(spec: &Path, name: &str, interactions: &[Interaction]) -> Report {
    let path = temp(name);
    traffic::write_cassette(&path, interactions, &Redaction::default()).unwrap();
    contract_tests::verify(spec, &path, &Baseline::default()).unwrap()
}

/// Writes `interactions` as a HAR 1.2 file.
fn write_har(path: &Path, interactions: &[Interaction]) {
    let entries: Vec<Value> = interactions
        .iter()
        .map(|i| {
            let headers = |h: &[(String, String)]| h.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>();
            json!({
                "startedDateTime": "2026-11-22T18:00:00.000Z",
                "time": 1,
                "request": {"method": i.method, "url": i.url, "httpVersion": "HTTP/1.1", "headers": headers(&i.request_headers), "queryString": [], "cookies": [], "headersSize": -1, "bodySize": i.request_body.len(),
                            "postData": {"mimeType": "application/json", "text": i.request_body}},
                "response": {"status": i.status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": headers(&i.response_headers), "cookies": [],
                             "content": {"size": i.response_body.len(), "mimeType": i.response_header("content-type").unwrap_or(""), "text": i.response_body}, "redirectURL": "", "headersSize": -1, "bodySize": -1},
                "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}
            })
        })
        .collect();
    let har = json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}});
    std::fs::write(path, serde_json::to_string_pretty(&har).unwrap()).unwrap();
}

fn kinds(report: &Report) -> Vec<(Kind, String, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.kind, f.operation.clone(), f.pointer.clone()))
        .collect()
}

fn set_body(i: &mut Interaction, body: Value) {
    i.response_body = body.to_string();
}

#[test]
fn conformant_traffic_has_no_findings_as_cassette_and_as_har() {
    let report = verify(&vivamo_spec(), "conformant.json", &conformant());
    assert!(report.findings.is_empty(), "{}", report.to_text());
    assert_eq!(report.interactions, 6);
    let har = temp("conformant.har");
    write_har(&har, &conformant());
    let report = contract_tests::verify(&vivamo_spec(), &har, &Baseline::default()).unwrap();
    assert!(report.findings.is_empty(), "{}", report.to_text());
    assert_eq!(report.interactions, 6);
}

/// One departure per case: (name, change to the conformant traffic, expected kind, operation, pointer).
type Injection = (
    &'static str,
    fn(&mut Vec<Interaction>),
    Kind,
    &'static str,
    &'static str,
);

fn injections() -> Vec<Injection> {
    vec![
        (
            "undocumented status",
            |t| t[0].status = 201,
            Kind::UndocumentedStatus,
            "createCustomer",
            "",
        ),
        (
            "wrong content type",
            |t| t[0].response_headers = vec![("Content-Type".into(), "text/html".into())],
            Kind::UndocumentedContentType,
            "createCustomer",
            "",
        ),
        (
            "missing required field",
            |t| set_body(&mut t[1], json!({"errors": []})),
            Kind::SchemaViolation,
            "createCustomer",
            "",
        ),
        (
            "wrong type",
            |t| {
                set_body(
                    &mut t[2],
                    json!({"disbursementIntentId": "x", "amount": 25.5}),
                )
            },
            Kind::SchemaViolation,
            "createDisbursementIntent",
            "/amount",
        ),
        (
            "enum value",
            |t| set_body(&mut t[3], json!({"status": "approved"})),
            Kind::SchemaViolation,
            "proceedWithDisbursement",
            "/status",
        ),
        (
            "nullability",
            |t| {
                set_body(
                    &mut t[0],
                    json!({"externalCustomerId": "user_1", "data": {"email": null}}),
                )
            },
            Kind::SchemaViolation,
            "createCustomer",
            "/data/email",
        ),
        (
            "request schema",
            |t| {
                t[2].request_body = json!({"customer": {}, "disbursementIntent": {"amount": "1", "currency": "USD", "externalDisbursementIntentId": "p"}}).to_string()
            },
            Kind::RequestViolation,
            "createDisbursementIntent",
            "/customer",
        ),
        (
            "invalid input accepted",
            |t| {
                t[0].request_body =
                    json!({"externalCustomerId": "user_1", "verifyAfterCreation": false})
                        .to_string()
            },
            Kind::InvalidInputAccepted,
            "createCustomer",
            "",
        ),
        (
            "operation not in the spec",
            |t| t[5].url = "https://api.test.vivamo.co/v1/customers/user_1/notes".into(),
            Kind::UnknownOperation,
            "GET /v1/customers/user_1/notes",
            "",
        ),
        (
            "server error",
            |t| t[5].status = 503,
            Kind::ServerError,
            "listCustomers",
            "",
        ),
        (
            "cross-operation inconsistency",
            |t| {
                set_body(&mut t[3], json!({"status": "rejected"}));
                set_body(
                    &mut t[4],
                    json!({"status": "rejected", "disbursement": {"_id": "d", "status": "rejected"}}),
                );
            },
            Kind::CrossOperationInconsistency,
            "getDisbursementIntentStatus",
            "/disbursement/status",
        ),
    ]
}

#[test]
fn each_injected_departure_is_reported_with_its_kind_and_pointer_in_cassettes_and_har() {
    for (name, inject, kind, operation, pointer) in injections() {
        let mut traffic = conformant();
        inject(&mut traffic);
        let file = name.replace(' ', "-");
        let report = verify(&vivamo_spec(), &format!("{file}.json"), &traffic);
        let found = kinds(&report);
        assert!(
            found.contains(&(kind, operation.to_string(), pointer.to_string())),
            "{name}: expected {kind:?} in {operation} at `{pointer}`, got {found:?}"
        );
        let finding = report.findings.iter().find(|f| f.kind == kind).unwrap();
        assert!(
            finding
                .spec_location
                .as_deref()
                .is_some_and(|l| l.contains("openapi.yaml:"))
                || kind == Kind::UnknownOperation
                || kind == Kind::ServerError,
            "{name}: {finding:?}"
        );
        assert!(
            finding.curl.starts_with("curl -X "),
            "{name}: {}",
            finding.curl
        );
        assert!(report.fails());
        // The same traffic as a HAR file gives the same findings.
        let har = temp(&format!("{file}.har"));
        write_har(&har, &traffic);
        let from_har = contract_tests::verify(&vivamo_spec(), &har, &Baseline::default()).unwrap();
        assert_eq!(kinds(&from_har), found, "{name}: HAR and cassette disagree");
    }
}

#[test]
fn the_enum_finding_names_the_spec_line_and_the_values() {
    let mut traffic = conformant();
    set_body(
        &mut traffic[4],
        json!({"status": "rejected", "disbursement": {"status": "rejected"}}),
    );
    let report = verify(&vivamo_spec(), "enum.json", &traffic);
    let f = report
        .findings
        .iter()
        .find(|f| f.kind == Kind::SchemaViolation)
        .unwrap();
    assert_eq!(f.pointer, "/disbursement/status");
    assert_eq!(f.observed, "\"rejected\"");
    assert!(f.expected.contains("pending-validation"), "{}", f.expected);
    let spec_text = std::fs::read_to_string(vivamo_spec()).unwrap();
    let line: usize = f
        .spec_location
        .as_deref()
        .unwrap()
        .split(':')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let lines: Vec<&str> = spec_text.lines().collect();
    assert!(
        lines[line - 1].trim_start().starts_with("status:"),
        "line {line} is `{}`",
        lines[line - 1]
    );
    assert!(
        lines[line..line + 6]
            .iter()
            .any(|l| l.contains("enum: [pending-validation, pending, success, failed]")),
        "{:?}",
        &lines[line..line + 6]
    );
}

#[test]
fn closed_objects_formats_and_declared_headers_are_checked() {
    let base = Interaction {
        method: "GET".into(),
        url: "https://strict.example/api/things/1".into(),
        request_headers: vec![],
        request_body: String::new(),
        status: 200,
        response_headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Rate-Limit".into(), "10".into()),
        ],
        response_body: json!({"id": "1", "email": "a@b.example", "seen": null}).to_string(),
        recorded_at: String::new(),
    };
    let spec = fixture("strict.yaml");
    assert!(
        verify(&spec, "strict-ok.json", std::slice::from_ref(&base))
            .findings
            .is_empty()
    );
    let mut extra = base.clone();
    extra.response_body = json!({"id": "1", "email": "a@b.example", "colour": "red"}).to_string();
    let mut format = base.clone();
    format.response_body = json!({"id": "1", "email": "not an email"}).to_string();
    let mut header = base.clone();
    header
        .response_headers
        .push(("X-Debug-Token".into(), "abc".into()));
    let report = verify(&spec, "strict-bad.json", &[extra, format, header]);
    let found = kinds(&report);
    assert!(
        found.contains(&(Kind::SchemaViolation, "getThing".into(), "".into())),
        "additional property: {found:?}"
    );
    assert!(
        found.contains(&(Kind::SchemaViolation, "getThing".into(), "/email".into())),
        "format: {found:?}"
    );
    assert!(
        found.contains(&(Kind::UndocumentedHeader, "getThing".into(), "".into())),
        "header: {found:?}"
    );
}

#[test]
fn unreadable_traffic_is_an_error_naming_the_file() {
    let path = temp("garbage.json");
    std::fs::write(&path, "{\"neither\": true}").unwrap();
    let err = contract_tests::verify(&vivamo_spec(), &path, &Baseline::default()).unwrap_err();
    assert!(
        err.contains("garbage.json") && err.contains("is not a capture specdrift reads"),
        "{err}"
    );
    let err = contract_tests::verify(&vivamo_spec(), &temp("missing.json"), &Baseline::default())
        .unwrap_err();
    assert!(err.contains("missing.json"), "{err}");
}

fn sandbox_settings(cases: u32) -> Settings {
    Settings {
        target: Target::Sandbox,
        cases,
        ..Settings::default()
    }
}

fn committed_baseline() -> Baseline {
    Baseline::read(&root().join("contract-tests/baseline.json")).unwrap()
}

#[test]
fn the_suite_finds_the_rejected_gap_against_the_sandbox_and_shrinks_it() {
    let cassette = temp("suite.json");
    let settings = Settings {
        record: Some(cassette.clone()),
        ..sandbox_settings(100)
    };
    let outcome = vivamo::run(&vivamo_spec(), &settings, &Baseline::default()).unwrap();
    let report = &outcome.report;
    let schema = report
        .findings
        .iter()
        .find(|f| f.kind == Kind::SchemaViolation && f.pointer == "/disbursement/status")
        .unwrap_or_else(|| panic!("{}", report.to_text()));
    assert_eq!(schema.operation, "getDisbursementIntentStatus");
    assert_eq!(schema.observed, "\"rejected\"");
    assert!(
        schema
            .spec_location
            .as_deref()
            .unwrap()
            .contains("#/components/schemas/Disbursement/properties/status")
    );
    let cross = report
        .findings
        .iter()
        .find(|f| f.kind == Kind::CrossOperationInconsistency)
        .unwrap_or_else(|| panic!("{}", report.to_text()));
    assert!(
        cross
            .related
            .as_deref()
            .unwrap()
            .contains("proceedWithDisbursement")
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.kind == Kind::UnknownEnumValue && f.pointer == "/disbursement/status")
    );
    // Short: the sequence that showed it, shrunk where a fresh sandbox still shows it, ending
    // with the read of an intent the approval queue listed.
    assert!(schema.reproduce.len() <= 10, "{:#?}", schema.reproduce);
    assert!(
        schema
            .reproduce
            .iter()
            .any(|c| c.contains("/proceed/") || c.contains("/pending-validation")),
        "{:#?}",
        schema.reproduce
    );
    assert!(schema.reproduce.last().unwrap().contains("/status"));
    // Everything else the sandbox shows is a known spec gap (business rules the spec does not
    // state, an undocumented 415): with the committed baseline the run does not fail.
    let judged = Report::new(
        report.findings.clone(),
        &committed_baseline(),
        report.interactions,
    );
    assert!(!judged.fails(), "{}", judged.to_text());

    // The cassette is redacted and readable by the vcr-cassette crate.
    let text = std::fs::read_to_string(&cassette).unwrap();
    assert!(
        !text.contains(vivamo_sandbox::DEFAULT_API_KEY),
        "the API key reached the cassette"
    );
    assert!(
        !text.contains("cs_di_") && !text.contains("cs_pi_"),
        "a client secret reached the cassette"
    );
    let parsed: vcr_cassette::Cassette =
        serde_json::from_str(&text).expect("vcr-cassette reads our cassettes");
    assert_eq!(parsed.http_interactions.len(), outcome.traffic.len());
}

#[test]
fn a_recorded_run_replays_offline_and_a_missing_request_says_to_re_record() {
    let cassette = temp("replay.json");
    let recorded = vivamo::run(
        &vivamo_spec(),
        &Settings {
            record: Some(cassette.clone()),
            shrink: false,
            ..sandbox_settings(6)
        },
        &Baseline::default(),
    )
    .unwrap();
    let replayed = vivamo::run(
        &vivamo_spec(),
        &Settings {
            target: Target::Cassette(cassette.clone()),
            shrink: false,
            ..sandbox_settings(6)
        },
        &Baseline::default(),
    )
    .unwrap();
    let keys = |r: &Report| r.findings.iter().map(|f| f.key()).collect::<Vec<_>>();
    assert_eq!(keys(&replayed.report), keys(&recorded.report));
    assert!(!keys(&replayed.report).is_empty());
    // More cases than were recorded: the cassette lacks requests.
    let err = vivamo::run(
        &vivamo_spec(),
        &Settings {
            target: Target::Cassette(cassette),
            shrink: false,
            ..sandbox_settings(12)
        },
        &Baseline::default(),
    )
    .unwrap_err();
    assert!(err.contains("re-record"), "{err}");
}

#[test]
fn the_baseline_keeps_known_findings_from_failing_and_reports_stale_ones() {
    let mut traffic = conformant();
    set_body(
        &mut traffic[4],
        json!({"status": "rejected", "disbursement": {"status": "rejected"}}),
    );
    let path = temp("baseline-traffic.json");
    traffic::write_cassette(&path, &traffic, &Redaction::default()).unwrap();
    let first = contract_tests::verify(&vivamo_spec(), &path, &Baseline::default()).unwrap();
    assert!(first.fails());
    let mut baseline = Baseline {
        known: first
            .findings
            .iter()
            .map(|f| BaselineEntry {
                key: f.key(),
                note: "known gap".into(),
            })
            .collect(),
    };
    baseline.known.push(BaselineEntry {
        key: "server-error|listCustomers|||502".into(),
        note: "fixed since".into(),
    });
    let second = contract_tests::verify(&vivamo_spec(), &path, &baseline).unwrap();
    assert!(!second.fails(), "{}", second.to_text());
    assert!(second.findings.iter().all(|f| f.known));
    assert_eq!(second.stale, ["server-error|listCustomers|||502"]);
    // A new departure still fails the run: a 503 listCustomers does not document.
    traffic[5].status = 503;
    set_body(&mut traffic[5], json!({"message": "boom"}));
    traffic::write_cassette(&path, &traffic, &Redaction::default()).unwrap();
    let third = contract_tests::verify(&vivamo_spec(), &path, &baseline).unwrap();
    assert!(third.fails());
    assert_eq!(
        third.new_findings().map(|f| f.kind).collect::<Vec<_>>(),
        [Kind::ServerError, Kind::UndocumentedStatus]
    );
}

#[test]
fn reports_render_as_text_json_and_junit() {
    let mut traffic = conformant();
    traffic[5].status = 500;
    set_body(&mut traffic[5], json!({"message": "boom"}));
    let mut report = verify(&vivamo_spec(), "render.json", &traffic);
    // A documented 500 fails `verify` only when asked (as `--fail-on drift,server-error` asks).
    assert!(!report.fails());
    report.fail_on = vec![
        contract_tests::Level::Drift,
        contract_tests::Level::ServerError,
    ];
    assert!(report.fails());
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["summary"]["new"], 1);
    assert_eq!(json["findings"][0]["kind"], "server-error");
    assert_eq!(json["findings"][0]["key"], report.findings[0].key());
    let junit = report.to_junit();
    assert!(
        junit.contains("<testsuite name=\"specdrift\" tests=\"1\" failures=\"1\">"),
        "{junit}"
    );
    assert!(junit.contains("<failure type=\"server-error\""), "{junit}");
    assert!(
        report
            .to_text()
            .contains("[NEW] server-error in listCustomers")
    );
}

#[test]
fn redaction_hides_secrets_and_can_mask_personal_data() {
    let mut i = conformant()[2].clone();
    i.request_headers = vec![("Authorization".into(), "Bearer sk_live_123".into())];
    let redacted = Redaction::default().apply(&i);
    assert_eq!(redacted.request_headers[0].1, "Bearer [redacted]");
    assert!(
        redacted
            .response_body
            .contains("\"clientSecretKey\":\"[redacted]\""),
        "{}",
        redacted.response_body
    );
    let customer = conformant()[0].clone();
    let masked = Redaction::default()
        .masking_personal_data(true)
        .apply(&customer);
    assert!(
        !masked.request_body.contains("ada@vivamo.test")
            && !masked.response_body.contains("ada@vivamo.test")
    );
    assert!(masked.response_body.contains("@example.invalid"));
    // Masking is stable, so replays still line up.
    assert_eq!(
        masked,
        Redaction::default()
            .masking_personal_data(true)
            .apply(&customer)
    );
}

/// A server that gets several things wrong: it accepts a customer without data, answers 201 for
/// payment intents, text instead of JSON for a customer, and 503 for geolocation.
async fn wrong_server() -> String {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let app = axum::Router::new().fallback(|request: axum::extract::Request| async move {
        let path = request.uri().path().to_string();
        let method = request.method().clone();
        let body = axum::body::to_bytes(request.into_body(), 1 << 20).await.unwrap_or_default();
        let json = |status: u16, v: Value| (StatusCode::from_u16(status).unwrap(), [("content-type", "application/json")], v.to_string()).into_response();
        match (method.as_str(), path.as_str()) {
            ("POST", "/v1/customers") => {
                let sent: Value = serde_json::from_slice(&body).unwrap_or_default();
                json(200, json!({"externalCustomerId": sent["externalCustomerId"], "createdAt": "2026-02-15T00:00:00.000Z"}))
            }
            ("POST", "/v1/payment-intents") => json(201, json!({"paymentIntentId": "p"})),
            ("POST", "/v1/operators/check-geolocation") => json(503, json!({"message": "geolocation provider down"})),
            (_, p) if p.starts_with("/v1/customers/") => (StatusCode::OK, [("content-type", "text/plain")], "ok").into_response(),
            _ => json(400, json!({"message": "nope"})),
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[test]
fn a_deliberately_wrong_server_is_caught() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(wrong_server());
    let settings = Settings {
        target: Target::Live {
            base_url: url,
            api_key: "k".into(),
        },
        shrink: false,
        ..sandbox_settings(40)
    };
    let outcome = vivamo::run(&vivamo_spec(), &settings, &Baseline::default()).unwrap();
    let found: Vec<Kind> = outcome.report.findings.iter().map(|f| f.kind).collect();
    for kind in [
        Kind::UndocumentedStatus,
        Kind::UndocumentedContentType,
        Kind::ServerError,
        Kind::InvalidInputAccepted,
    ] {
        assert!(found.contains(&kind), "{kind:?} missing from {found:?}");
    }
    drop(runtime);
}

fn committed_cassette() -> PathBuf {
    root().join("contract-tests/cassettes/vivamo-sandbox.json")
}

/// The committed cassette's run: the seed and case count it was recorded with.
fn committed_settings(target: Target) -> Settings {
    Settings {
        target,
        cases: 30,
        seed: 12,
        shrink: false,
        phases: vec![contract_tests::engine::Phase::Stateful],
        ..Settings::default()
    }
}

#[test]
fn the_committed_cassette_replays_offline_and_shows_the_known_gap() {
    if std::env::var_os("SPECDRIFT_RECORD").is_some() {
        let settings = Settings {
            record: Some(committed_cassette()),
            ..committed_settings(Target::from_env())
        };
        vivamo::run(&vivamo_spec(), &settings, &Baseline::default()).unwrap();
    }
    let baseline = Baseline::read(&root().join("contract-tests/baseline.json")).unwrap();
    let outcome = vivamo::run(
        &vivamo_spec(),
        &committed_settings(Target::Cassette(committed_cassette())),
        &baseline,
    )
    .unwrap();
    assert!(!outcome.report.fails(), "{}", outcome.report.to_text());
    assert!(
        outcome
            .report
            .findings
            .iter()
            .any(|f| f.kind == Kind::SchemaViolation && f.observed == "\"rejected\""),
        "{}",
        outcome.report.to_text()
    );
}

/// Offline by default; against the live sandbox when `VIVAMO_API_KEY` is set. `SPECDRIFT_CASES`
/// sets the number of sequences.
#[test]
fn the_target_the_environment_names_has_no_drift_beyond_the_baseline() {
    let baseline = Baseline::read(&root().join("contract-tests/baseline.json")).unwrap();
    let outcome = vivamo::run(
        &vivamo_spec(),
        &Settings {
            target: Target::from_env(),
            ..Settings::default()
        },
        &baseline,
    )
    .unwrap();
    assert!(!outcome.report.fails(), "{}", outcome.report.to_text());
    assert!(outcome.report.interactions > 0);
}

/// The two disbursement APIs our users compare against: a cassette from each spec's documented
/// examples that `verify` accepts, and one with an injected departure that it flags.
#[test]
fn the_other_disbursement_apis_verify_from_their_documented_examples() {
    let apis = [
        (
            "stellar-sdp",
            shared().join("specs/stellar-sdp/openapi.yaml"),
            "LogIn",
            "/token",
        ),
        (
            "wistfare",
            root().join("examples/wistfare/openapi.yaml"),
            "initiateDisbursement",
            "/disbursement_id",
        ),
    ];
    for (name, spec, operation, pointer) in apis {
        let dir = root().join("examples").join(name);
        let ok = contract_tests::verify(&spec, &dir.join("conformant.json"), &Baseline::default())
            .unwrap();
        assert!(
            ok.findings.is_empty() && ok.interactions > 0,
            "{name}: {}",
            ok.to_text()
        );
        let bad = contract_tests::verify(&spec, &dir.join("departure.json"), &Baseline::default())
            .unwrap();
        assert_eq!(
            kinds(&bad),
            [(
                Kind::SchemaViolation,
                operation.to_string(),
                pointer.to_string()
            )],
            "{name}: {}",
            bad.to_text()
        );
        // The committed cassette is what the examples give today.
        let model = contract_tests::spec::Model::load(&spec).unwrap();
        let documented = contract_tests::examples::interactions(&model, "https://example.invalid");
        let broken = contract_tests::check::check(&model, &documented)
            .iter()
            .filter_map(|f| f.interaction)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        assert_eq!(
            documented.len() - broken,
            ok.interactions,
            "{name}: examples/{name} is stale; run `cargo run -p contract-tests --example disbursement_apis`"
        );
    }
}

#[test]
fn documented_examples_that_break_their_own_schema_are_found() {
    let model = contract_tests::spec::Model::load(&shared().join("specs/stellar-sdp/openapi.yaml"))
        .unwrap();
    let findings = contract_tests::check::check(
        &model,
        &contract_tests::examples::interactions(&model, "https://sdp.example.org"),
    );
    // Stellar's CreateUser example is a list where the schema says one User.
    assert!(
        findings
            .iter()
            .any(|f| f.operation == "CreateUser" && f.expected == "type object"),
        "{findings:#?}"
    );
    assert!(
        findings.iter().any(|f| f.operation == "CreateTenant"
            && f.expected.contains("distribution_account_address")),
        "{findings:#?}"
    );
}

fn tool_capture(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/traffic/tools")
        .join(name)
}

#[test]
fn captures_written_by_schemathesis_vcrpy_and_ruby_vcr_are_read_and_judged() {
    // schemathesis: string status codes, base64 bodies, check results beside each interaction.
    let st = traffic::read(&tool_capture("schemathesis-vcr.yaml")).unwrap();
    assert_eq!(st.len(), 18);
    assert!(
        st.iter()
            .all(|i| i.url.starts_with("http://127.0.0.1:4031/v1/"))
    );
    assert!(
        st.iter()
            .any(|i| i.status == 400 && i.response_body.contains("\"message\""))
    );
    assert!(
        st.iter()
            .any(|i| i.method == "POST" && i.request_body.starts_with('{')),
        "base64 request bodies are decoded"
    );
    let har = traffic::read(&tool_capture("schemathesis.har")).unwrap();
    assert_eq!(har.len(), 21);
    assert!(
        har.iter()
            .all(|i| i.response_body.is_empty() || i.response_body.starts_with(['{', '['])),
        "base64 HAR content is decoded"
    );
    for name in ["schemathesis-vcr.yaml", "schemathesis.har"] {
        let report =
            contract_tests::verify(&vivamo_spec(), &tool_capture(name), &Baseline::default())
                .unwrap();
        assert!(
            report.interactions > 0,
            "{name}: the sandbox's host is judged"
        );
        assert!(!report.fails(), "{name}: {}", report.to_text());
    }

    // vcrpy: the `rejected` gap, on a local host the spec's servers do not name.
    let vcrpy = traffic::read(&tool_capture("vcrpy.yaml")).unwrap();
    assert_eq!(vcrpy.len(), 8);
    assert_eq!(vcrpy[1].request_body, "", "`body: null` is no body");
    let report = contract_tests::verify(
        &vivamo_spec(),
        &tool_capture("vcrpy.yaml"),
        &Baseline::default(),
    )
    .unwrap();
    let gap = report
        .findings
        .iter()
        .find(|f| f.kind == Kind::SchemaViolation)
        .unwrap_or_else(|| panic!("{}", report.to_text()));
    assert_eq!(gap.operation, "getDisbursementIntentStatus");
    assert_eq!(gap.pointer, "/disbursement/status");
    assert_eq!(gap.observed, "\"rejected\"");
    assert!(
        !report.findings.iter().any(|f| f.kind == Kind::IgnoredAuth),
        "a replaced key is still a key: {}",
        report.to_text()
    );

    // Ruby VCR: YAML, an ASCII-8BIT body as base64.
    let report = contract_tests::verify(
        &vivamo_spec(),
        &tool_capture("ruby-vcr.yml"),
        &Baseline::default(),
    )
    .unwrap();
    assert_eq!(report.interactions, 2);
    assert_eq!(report.findings.len(), 1, "{}", report.to_text());
    assert_eq!(report.findings[0].kind, Kind::SchemaViolation);
    assert_eq!(report.findings[0].operation, "getCustomerPrizes");
    assert_eq!(report.findings[0].pointer, "/prizes/0/reportableWinnings");
}

#[test]
fn other_hosts_and_cors_preflights_are_counted_not_judged() {
    let entry = |method: &str, url: &str, headers: Value, status: u16, content: Value| {
        json!({
            "startedDateTime": "2026-12-02T10:00:00.000Z", "time": 1,
            "request": {"method": method, "url": url, "httpVersion": "HTTP/2", "headers": headers,
                        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": status, "statusText": "", "httpVersion": "HTTP/2", "headers": [],
                         "cookies": [], "content": content, "redirectURL": "", "headersSize": -1, "bodySize": -1},
            "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}
        })
    };
    // The default port written out is the same host.
    let api = |path: &str| format!("https://api.test.vivamo.co:443{path}");
    let customers =
        json!({"size": 2, "mimeType": "application/json", "encoding": "base64", "text": "e30="});
    let har = json!({"log": {"version": "1.2", "creator": {"name": "Chromium", "version": "148"}, "entries": [
        entry("GET", &api("/v1/customers?page=1&size=10"),
              json!([{"name": ":authority", "value": "api.test.vivamo.co"}, {"name": "authorization", "value": "Bearer sk_live_abc123"}]),
              200, customers),
        entry("OPTIONS", &api("/v1/customers"),
              json!([{"name": "access-control-request-method", "value": "POST"}, {"name": "origin", "value": "https://app.example.com"}]),
              204, json!({"size": 0, "mimeType": "", "text": ""})),
        entry("GET", "https://api.test.vivamo.co/v1/customers?page=2&size=10",
              json!([{"name": "authorization", "value": "Bearer sk_live_abc123"}]),
              200, json!({"size": 2, "mimeType": "application/json", "text": "{}"})),
        entry("GET", "https://cdn.example.com/app.js", json!([]), 200, json!({"size": 9, "mimeType": "text/javascript", "text": "alert(1);"})),
        entry("POST", "https://analytics.example.com/collect", json!([]), 204, json!({"size": 0, "mimeType": "", "text": ""})),
        entry("GET", "https://fonts.example.com/inter.woff2", json!([]), 200, json!({"size": 4, "mimeType": "font/woff2", "encoding": "base64", "text": "d09GMg=="})),
    ]}});
    let path = temp("browser.har");
    std::fs::write(&path, har.to_string()).unwrap();
    let report = contract_tests::verify(&vivamo_spec(), &path, &Baseline::default()).unwrap();
    assert_eq!(report.interactions, 2, "{}", report.to_text());
    assert!(report.findings.is_empty(), "{}", report.to_text());
    let skipped: std::collections::BTreeMap<&str, usize> = report
        .skipped
        .iter()
        .map(|(r, n)| (r.as_str(), *n))
        .collect();
    assert_eq!(skipped["other host cdn.example.com"], 1);
    assert_eq!(skipped["other host analytics.example.com"], 1);
    assert_eq!(skipped["other host fonts.example.com"], 1);
    assert_eq!(skipped["CORS preflight"], 1);
    let text = report.to_text();
    assert!(
        text.contains("not judged: 1 CORS preflight, 1 other host analytics.example.com"),
        "{text}"
    );
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["summary"]["skipped"]["CORS preflight"], 1);
}

#[test]
fn line_delimited_captures_are_read_line_by_line() {
    let interactions = conformant();
    let path = temp("lines.json");
    traffic::write_cassette(&path, &interactions, &Redaction::default()).unwrap();
    let cassette: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let lines: Vec<String> = cassette["http_interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.to_string())
        .collect();
    let ndjson = temp("lines.ndjson");
    std::fs::write(&ndjson, lines.join("\n") + "\n").unwrap();
    let read = traffic::read(&ndjson).unwrap();
    assert_eq!(read.len(), interactions.len());
    assert_eq!(
        read[0].request_body,
        Redaction::default().apply(&interactions[0]).request_body
    );
    std::fs::write(&ndjson, format!("{}\n{{\"request\": 1}}\n", lines[0])).unwrap();
    let err = traffic::read(&ndjson).unwrap_err().to_string();
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn request_parameters_and_media_types_are_held_to_the_spec() {
    let mut traffic = conformant();
    // A boolean path parameter sent as `maybe`, refused.
    traffic[3].url = traffic[3].url.replace("/proceed/true", "/proceed/maybe");
    traffic[3].status = 400;
    set_body(
        &mut traffic[3],
        json!({"message": "allow must be a boolean"}),
    );
    // A page size that is no integer, answered 200 anyway.
    traffic[5].url = traffic[5].url.replace("size=10", "size=ten");
    // A JSON-only operation sent `text/plain`, refused.
    traffic[0].request_headers = vec![("Content-Type".into(), "text/plain".into())];
    traffic[0].status = 400;
    set_body(&mut traffic[0], json!({"message": "expected JSON"}));
    // A request without the bearer key, refused with the documented 403.
    let mut anonymous = traffic[5].clone();
    anonymous.url = anonymous.url.replace("size=ten", "size=10");
    anonymous.request_headers.clear();
    anonymous.status = 403;
    set_body(&mut anonymous, json!({"message": "Forbidden"}));
    traffic.push(anonymous);
    let report = verify(&vivamo_spec(), "parameters.json", &traffic);
    let found: Vec<(Kind, &str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.kind, f.operation.as_str(), f.pointer.as_str()))
        .collect();
    assert!(
        found.contains(&(
            Kind::RequestViolation,
            "proceedWithDisbursement",
            "path:allow"
        )),
        "{}",
        report.to_text()
    );
    assert!(
        found.contains(&(
            Kind::RequestViolation,
            "createCustomer",
            "header:content-type"
        )),
        "{}",
        report.to_text()
    );
    assert!(
        found.contains(&(Kind::RequestViolation, "listCustomers", "query:size")),
        "{}",
        report.to_text()
    );
    assert!(
        found.contains(&(Kind::RequestViolation, "listCustomers", "credentials")),
        "{}",
        report.to_text()
    );
    // Accepting the broken page size is the server's departure; the refusals are not.
    assert!(
        found.contains(&(Kind::InvalidInputAccepted, "listCustomers", "query:size")),
        "{}",
        report.to_text()
    );
    assert_eq!(
        found
            .iter()
            .filter(|(k, _, _)| *k == Kind::InvalidInputAccepted)
            .count(),
        1,
        "{}",
        report.to_text()
    );
    let size = report
        .findings
        .iter()
        .find(|f| f.pointer == "query:size")
        .unwrap();
    assert_eq!(size.observed, "ten");
    assert!(
        size.spec_location
            .as_deref()
            .is_some_and(|l| l.contains("openapi.yaml:"))
    );
    // The refused ones are client findings; the accepted one fails the run.
    assert!(report.fails());
}

/// A line-delimited capture of many batches is streamed: a finding whose evidence lies in a
/// later batch (a value one operation's schema refused, allowed by another operation that
/// returns it thousands of interactions later) is still found, the report is the one the same traffic gives as a single cassette, and a broken
/// line far into the file is named by its number.
#[test]
fn a_large_line_delimited_capture_is_streamed_with_the_findings_of_a_cassette() {
    let base = conformant();
    let mut traffic: Vec<Interaction> = (0..12_000)
        .map(|i| {
            let mut x = base[i % base.len()].clone();
            x.url = x
                .url
                .replace("671f4e90c0811b1056da1653", &format!("{i:024x}"));
            x
        })
        .collect();
    assert_eq!(
        traffic[4].url,
        base[4]
            .url
            .replace("671f4e90c0811b1056da1653", &format!("{:024x}", 4))
    );
    // Early: the disbursement inside the intent's status is `rejected`, which its schema refuses.
    set_body(
        &mut traffic[4],
        json!({"status": "rejected", "disbursement": {"_id": "d", "status": "rejected"}}),
    );
    // Far later, in another batch: proceeding answers `rejected`, which its schema allows.
    assert_eq!(11_997 % base.len(), 3);
    set_body(&mut traffic[11_997], json!({"status": "rejected"}));
    let cassette = temp("stream-cassette.json");
    traffic::write_cassette(&cassette, &traffic, &Redaction::default()).unwrap();
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&cassette).unwrap()).unwrap();
    let lines: Vec<String> = value["http_interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect();
    let ndjson = temp("stream.jsonl");
    std::fs::write(&ndjson, lines.join("\n") + "\n").unwrap();

    let mut batches = 0;
    let streamed = contract_tests::verify_with(
        &vivamo_spec(),
        &ndjson,
        &Baseline::default(),
        &Default::default(),
        &mut |p| {
            if matches!(p, contract_tests::Progress::Reading { .. }) {
                batches += 1;
            }
        },
    )
    .unwrap();
    assert!(batches > 1, "read in {batches} batch(es)");
    assert_eq!(streamed.interactions, 12_000);
    let cross = streamed
        .findings
        .iter()
        .find(|f| {
            f.kind == Kind::CrossOperationInconsistency
                && f.operation == "getDisbursementIntentStatus"
        })
        .unwrap_or_else(|| panic!("{}", streamed.to_text()));
    assert!(
        cross
            .related
            .as_deref()
            .unwrap()
            .contains("proceedWithDisbursement"),
        "{cross:?}"
    );
    assert!(
        cross.curl.contains(&format!("{:024x}", 4)),
        "{}",
        cross.curl
    );

    let whole = contract_tests::verify(&vivamo_spec(), &cassette, &Baseline::default()).unwrap();
    let summary = |r: &Report| {
        let mut out: Vec<(String, usize, String)> = r
            .findings
            .iter()
            .map(|f| (f.key(), f.occurrences, f.curl.clone()))
            .collect();
        out.sort();
        out
    };
    assert_eq!(summary(&streamed), summary(&whole));
    assert_eq!(streamed.interactions, whole.interactions);

    let mut broken = lines.clone();
    broken[11_998] = "{\"request\": {\"method\": \"GET\"}, \"response\": {}}".into();
    std::fs::write(&ndjson, broken.join("\n") + "\n").unwrap();
    let err = contract_tests::verify(&vivamo_spec(), &ndjson, &Baseline::default()).unwrap_err();
    assert!(err.contains("line 11999"), "{err}");
    let _ = std::fs::remove_file(ndjson);
}
