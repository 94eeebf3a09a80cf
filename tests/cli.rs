//! The command line, driven as a user drives it.

use std::process::Command;

use super::root;

fn specdrift(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_specdrift"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn validate_passes_the_vivamo_spec() {
    let (code, stdout, _) = specdrift(&["validate", "--spec", "openapi.yaml"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("openapi.yaml: 0 error(s), 0 warning(s)"),
        "{stdout}"
    );
}

#[test]
fn validate_reports_broken_specs_with_place_and_exit_1() {
    let (code, stdout, _) =
        specdrift(&["validate", "--spec", "generator/tests/ui/path-params.yaml"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("error[undeclared-path-parameter]"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "generator/tests/ui/path-params.yaml:7 #/paths/~1pets~1{petId}~1toys~1{toyId}/get"
        ),
        "{stdout}"
    );
}

#[test]
fn validate_json_is_machine_readable() {
    let (code, stdout, _) = specdrift(&[
        "validate",
        "--spec",
        "generator/tests/ui/broken-refs.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let parsed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let first = &parsed[0];
    assert_eq!(first["code"], "unresolved-ref");
    assert_eq!(first["location"]["line"], 15);
    assert!(
        first["location"]["pointer"]
            .as_str()
            .unwrap()
            .ends_with("/schema/$ref")
    );
}

#[test]
fn unreadable_input_exits_2_with_the_file_named() {
    let (code, _, stderr) = specdrift(&["validate", "--spec", "no/such/spec.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such/spec.yaml"), "{stderr}");
    let (code, _, stderr) =
        specdrift(&["validate", "--spec", "generator/tests/ui/syntax-error.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("syntax-error.yaml:7"), "{stderr}");
}

#[test]
fn a_wrong_flag_is_a_usage_error_not_a_panic() {
    let (code, _, stderr) = specdrift(&["validate", "--spek", "openapi.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unexpected argument '--spek'"), "{stderr}");
}

#[test]
fn generate_writes_a_crate_and_rewrites_only_what_changed() {
    let out = std::env::temp_dir().join(format!("specdrift-cli-generate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let out_s = out.to_str().unwrap();
    let (code, stdout, stderr) = specdrift(&[
        "generate",
        "--spec",
        "openapi.yaml",
        "--out",
        out_s,
        "--crate-name",
        "vivamo-copy",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("13 file(s) written, 0 unchanged"),
        "{stdout}"
    );
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"vivamo-copy\""), "{manifest}");
    let models = std::fs::read_to_string(out.join("src/models.rs")).unwrap();
    assert!(models.contains("pub enum DisbursementStatus"));
    let (code, stdout, _) = specdrift(&[
        "generate",
        "--spec",
        "openapi.yaml",
        "--out",
        out_s,
        "--crate-name",
        "vivamo-copy",
    ]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("0 file(s) written, 13 unchanged"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn generate_writes_one_module_file_for_include_and_keeps_it_when_unchanged() {
    let dir = std::env::temp_dir().join(format!("specdrift-module-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join("vivamo.rs");
    let file_s = file.to_str().unwrap();
    let (code, stdout, stderr) =
        specdrift(&["generate", "--spec", "openapi.yaml", "--module", file_s]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("vivamo.rs: written"), "{stdout}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("pub mod client {") && text.contains("pub mod models {"),
        "{text}"
    );
    assert!(!text.contains("mod runtime;"), "every module is inline");
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("#![") || l.starts_with("//!")),
        "no inner attributes at the top level, where include! refuses them"
    );
    let (code, stdout, _) = specdrift(&["generate", "--spec", "openapi.yaml", "--module", file_s]);
    assert_eq!(code, 0);
    assert!(stdout.contains("vivamo.rs: unchanged"), "{stdout}");
    let (code, _, stderr) = specdrift(&[
        "generate",
        "--spec",
        "openapi.yaml",
        "--module",
        file_s,
        "--out",
        "/tmp/x",
    ]);
    assert_eq!(code, 2, "--out and --module together are refused");
    assert!(
        stderr.contains("--module") || stderr.contains("--out"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_refuses_a_bad_crate_name_and_a_missing_spec() {
    let (code, _, stderr) = specdrift(&[
        "generate",
        "--spec",
        "openapi.yaml",
        "--out",
        "/tmp/x",
        "--crate-name",
        "9 lives",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a valid crate name"), "{stderr}");
    let (code, _, stderr) = specdrift(&["generate", "--spec", "missing.yaml", "--out", "/tmp/x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.yaml"), "{stderr}");
}

#[test]
fn lint_reports_the_rejected_gap_and_fails_on_warnings_when_asked() {
    let (code, stdout, _) = specdrift(&["lint", "--spec", "openapi.yaml"]);
    assert_eq!(code, 0, "warnings alone do not fail by default:\n{stdout}");
    assert!(stdout.contains("warning[enum-drift]"), "{stdout}");
    assert!(stdout.contains("but not `rejected`"), "{stdout}");
    assert!(
        stdout.contains("openapi.yaml:")
            && stdout.contains("#/components/schemas/Disbursement/properties/status/enum"),
        "{stdout}"
    );
    let (code, _, _) = specdrift(&["lint", "--spec", "openapi.yaml", "--fail-on", "warning"]);
    assert_eq!(code, 1);
    let (code, stdout, _) = specdrift(&["lint", "--spec", "openapi.yaml", "--format", "json"]);
    assert_eq!(code, 0);
    let parsed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let drift = parsed
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "enum-drift" && d["message"].as_str().unwrap().contains("rejected"))
        .unwrap();
    assert_eq!(
        drift["related"][0]["pointer"],
        "/components/schemas/DisbursementIntentStatus/properties/status/enum"
    );
    let (code, _, _) = specdrift(&["lint", "--spec", "generator/tests/ui/path-params.yaml"]);
    assert_eq!(code, 1, "structural errors fail by default");
}

#[test]
fn verify_exits_0_on_conformant_traffic_1_on_drift_2_on_unreadable_input() {
    let (code, stdout, stderr) = specdrift(&[
        "verify",
        "--spec",
        "openapi.yaml",
        "--traffic",
        "contract-tests/tests/traffic/vivamo-conformant.json",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("0 finding(s) in 6 interaction(s)"),
        "{stdout}"
    );

    let (code, stdout, _) = specdrift(&[
        "verify",
        "--spec",
        "openapi.yaml",
        "--traffic",
        "contract-tests/tests/traffic/vivamo-rejected.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let kinds: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["schema-violation", "cross-operation-inconsistency"],
        "{stdout}"
    );
    assert_eq!(report["findings"][0]["pointer"], "/disbursement/status");

    let (code, stdout, _) = specdrift(&[
        "verify",
        "--spec",
        "openapi.yaml",
        "--traffic",
        "contract-tests/tests/traffic/vivamo-rejected.json",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("<failure type=\"schema-violation\""),
        "{stdout}"
    );

    let (code, _, stderr) = specdrift(&[
        "verify",
        "--spec",
        "openapi.yaml",
        "--traffic",
        "no/such/traffic.har",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such/traffic.har"), "{stderr}");
    let (code, _, stderr) = specdrift(&[
        "verify",
        "--spec",
        "no/such/spec.yaml",
        "--traffic",
        "contract-tests/tests/traffic/vivamo-conformant.json",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such/spec.yaml"), "{stderr}");
}

#[test]
fn the_main_job_runs_the_suite_against_the_sandbox_and_prints_the_rejected_drift() {
    let out = Command::new(env!("CARGO_BIN_EXE_specdrift"))
        .current_dir(root())
        .env_remove("VIVAMO_API_KEY")
        .env("SPECDRIFT_CASES", "100")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "known findings (the baseline) do not fail the main job:\n{stdout}"
    );
    assert!(stdout.contains("against the embedded sandbox"), "{stdout}");
    // The `rejected` gap is one cause shown once, its three facets named in its heading, with
    // one reproduction of at most six calls.
    let entries: Vec<&str> = stdout
        .split("\n\n")
        .filter(|e| e.contains("observed:  \"rejected\""))
        .collect();
    assert_eq!(entries.len(), 1, "{stdout}");
    let heading = entries[0].lines().next().unwrap_or_default();
    for facet in [
        "schema-violation",
        "cross-operation-inconsistency",
        "unknown-enum-value",
    ] {
        assert!(heading.contains(facet), "{heading}");
    }
    assert!(
        heading.contains("in getDisbursementIntentStatus"),
        "{heading}"
    );
    let calls: usize = entries[0]
        .lines()
        .find_map(|l| l.trim().strip_prefix("reproduce: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    assert!(calls <= 6, "{}", entries[0]);
}

#[test]
fn lint_reports_examples_their_own_schema_rejects() {
    let (code, stdout, _) = specdrift(&[
        "lint",
        "--spec",
        "generator/tests/lint/examples.yaml",
        "--format",
        "json",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(code, 1, "{stdout}");
    let parsed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let mut pointers: Vec<&str> = parsed
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "example-invalid")
        .map(|d| d["location"]["pointer"].as_str().unwrap())
        .collect();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "/components/schemas/Pet/example",
            "/paths/~1pets/get/parameters/0/example",
            "/paths/~1pets/get/responses/200/content/application~1json/examples/bad/value",
        ],
        "{stdout}"
    );
    let (_, stdout, _) = specdrift(&["lint", "--spec", "openapi.yaml", "--format", "json"]);
    assert!(
        !stdout.contains("example-invalid"),
        "Vivamo's examples all fit their schemas: {stdout}"
    );
}

#[test]
fn diff_classes_changes_and_fails_on_breaking_only_when_asked() {
    let args = [
        "diff",
        "--old",
        "generator/tests/diff/old.yaml",
        "--new",
        "generator/tests/diff/new.yaml",
    ];
    let (code, stdout, _) = specdrift(&args);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("[breaking] operation-removed DELETE /pets/{id}"),
        "{stdout}"
    );
    assert!(stdout.contains("needs a major version bump"), "{stdout}");
    let (code, stdout, _) =
        specdrift(&[&args[..], &["--fail-on-breaking", "--format", "markdown"]].concat());
    assert_eq!(code, 1);
    assert!(stdout.starts_with("## API changes"), "{stdout}");
    let (code, page, _) = specdrift(&[&args[..], &["--format", "html"]].concat());
    assert_eq!(code, 0);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(
        page.contains("<tr class=\"breaking\"><td>breaking</td><td><code>operation-removed</code>"),
        "{page}"
    );
    assert!(page.contains("a major bump"), "{page}");
    assert!(!page.contains("<script") && !page.contains("src=") && !page.contains("<link"));
    let (code, stdout, _) = specdrift(&[
        "diff",
        "--old",
        "openapi.yaml",
        "--new",
        "openapi.yaml",
        "--fail-on-breaking",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let parsed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(parsed["semver"], "patch");
    let (code, _, stderr) =
        specdrift(&["diff", "--old", "no/such/old.yaml", "--new", "openapi.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such/old.yaml"), "{stderr}");
}

#[test]
fn test_fuzzes_the_sandbox_and_exits_1_on_findings_0_when_all_are_known() {
    let common = [
        "test",
        "--spec",
        "openapi.yaml",
        "--sandbox",
        "--phases",
        "examples,fuzzing,negative",
        "--max-cases",
        "2",
        "--show-graph",
    ];
    let (code, stdout, stderr) = specdrift(&common);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("inferred links") && stderr.contains("createDisbursementIntent response /disbursementIntentId -> getDisbursementIntentStatus path disbursementIntentId"), "{stderr}");
    assert!(
        stdout.contains("[NEW] schema-valid-rejected in createPaymentIntent"),
        "{stdout}"
    );
    assert!(stdout.contains("operations called: 20 of 20"), "{stdout}");
    assert!(
        !stdout.contains("sk_test_vivamo_sandbox"),
        "the key reached the report"
    );
    let mut with_baseline = common.to_vec();
    with_baseline.extend([
        "--baseline",
        "contract-tests/baseline.json",
        "--format",
        "json",
    ]);
    let (code, stdout, stderr) = specdrift(&with_baseline);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("the JSON report parses");
    assert!(
        report["summary"]["known"].as_u64().is_some_and(|k| k > 0),
        "{stdout}"
    );
}

#[test]
fn test_names_what_is_wrong_with_its_input_and_exits_2() {
    let (code, _, stderr) = specdrift(&[
        "test",
        "--spec",
        "openapi.yaml",
        "--url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("unreachable") && stderr.contains("127.0.0.1:9"),
        "{stderr}"
    );
    let (code, _, stderr) = specdrift(&[
        "test",
        "--spec",
        "openapi.yaml",
        "--url",
        "http://127.0.0.1:9",
        "--phases",
        "everything",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown phase `everything`"), "{stderr}");
    let (code, _, stderr) = specdrift(&[
        "test",
        "--spec",
        "openapi.yaml",
        "--url",
        "http://127.0.0.1:9",
        "--checks",
        "vibes",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("unknown check `vibes`") && stderr.contains("ignored-auth"),
        "{stderr}"
    );
    let (code, _, stderr) = specdrift(&["test", "--spec", "openapi.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--url"), "{stderr}");
    let (code, _, stderr) = specdrift(&[
        "test",
        "--spec",
        "missing.yaml",
        "--url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("missing.yaml"), "{stderr}");
    let (code, _, stderr) = specdrift(&[
        "test",
        "--spec",
        "openapi.yaml",
        "--url",
        "ftp://x",
        "-H",
        "nocolon",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("ftp://x"), "{stderr}");
}

/// The calls `--verbose` printed, one a line (`  METHOD /path… -> status (time)`).
fn calls(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(" -> "))
        .collect()
}

#[test]
fn test_skips_operations_by_id_or_method_and_path_and_fixes_values_with_set() {
    let (code, stdout, stderr) = specdrift(&[
        "test",
        "--spec",
        "openapi.yaml",
        "--sandbox",
        "--phases",
        "examples",
        "--max-cases",
        "1",
        "--verbose",
        "--skip",
        "createCustomer",
        "--skip",
        "get /v1/operators/webhooks",
        "--set",
        "externalCustomerId=cust-fixed-42",
    ]);
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
    let calls = calls(&stderr);
    assert!(!calls.is_empty(), "{stderr}");
    assert!(
        !calls.iter().any(|c| c.starts_with("  POST /v1/customers ")),
        "skipped by operationId:\n{stderr}"
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("  GET /v1/operators/webhooks ")),
        "skipped by METHOD /path:\n{stderr}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("  POST /v1/operators/webhooks ")),
        "only that method is skipped:\n{stderr}"
    );
    let by_customer: Vec<_> = calls
        .iter()
        .filter(|c| c.contains("/v1/customers/"))
        .collect();
    assert!(!by_customer.is_empty(), "{stderr}");
    for call in by_customer {
        assert!(
            call.contains("/v1/customers/cust-fixed-42")
                || call.contains("/v1/customers/kyc-for-review"),
            "--set fixes the path parameter: {call}"
        );
    }
    assert!(
        stdout.contains("operations called: 18 of 18"),
        "the skipped are not counted as uncovered:\n{stdout}"
    );
    let (code, _, stderr) = specdrift(&[
        "test",
        "--spec",
        "openapi.yaml",
        "--sandbox",
        "--skip",
        "createCustomr",
    ]);
    assert_eq!(code, 2, "a --skip that names nothing is refused: {stderr}");
    assert!(stderr.contains("--skip createCustomr"), "{stderr}");
}

#[test]
fn test_keeps_to_the_request_rate_and_stops_at_the_time_limit() {
    // --rate: n calls at 25 a second take at least (n - 1) / 25 seconds, however fast the sandbox.
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = specdrift(&[
        "test",
        "--spec",
        "openapi.yaml",
        "--sandbox",
        "--phases",
        "examples",
        "--max-cases",
        "1",
        "--verbose",
        "--rate",
        "25",
    ]);
    let elapsed = started.elapsed().as_secs_f64();
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
    let n = calls(&stderr).len();
    assert!(n >= 15, "{stderr}");
    let floor = (n - 1) as f64 / 25.0;
    assert!(
        elapsed >= floor,
        "{n} calls in {elapsed:.2} s break --rate 25 (at least {floor:.2} s)"
    );
    // --max-time: a budget of a million cases stops starting calls after one second.
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = specdrift(&[
        "test",
        "--spec",
        "openapi.yaml",
        "--sandbox",
        "--phases",
        "fuzzing",
        "--max-cases",
        "1000000",
        "--max-time",
        "1",
        "--no-shrink",
        "--verbose",
    ]);
    let elapsed = started.elapsed().as_secs_f64();
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
    assert!(!calls(&stderr).is_empty(), "{stderr}");
    assert!(elapsed < 60.0, "--max-time 1 ran {elapsed:.1} s");
    assert!(
        stdout.contains("stopped by --max-time 1 s"),
        "the report says the time, not the budget, ended the run:\n{stdout}"
    );
    // Under a time limit the operations take turns, so a short run still reaches every one.
    assert!(stdout.contains("operations called: 20 of 20"), "{stdout}");
}

#[test]
fn verify_and_test_say_what_they_do_with_verbose_and_nothing_with_quiet() {
    let args = [
        "verify",
        "--spec",
        "openapi.yaml",
        "--traffic",
        "contract-tests/tests/traffic/vivamo-rejected.json",
    ];
    let (code, stdout, stderr) = specdrift(&[&args[..], &["--verbose"]].concat());
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("6 interaction(s)"), "{stderr}");
    assert!(
        stderr.contains("#5 GET /v1/disbursement-intents/671f4e90c0811b1056da1653/status -> 200: schema-violation"),
        "{stderr}"
    );
    assert!(
        stderr.contains("#6 GET /v1/customers?page=1&size=10 -> 200: conforms"),
        "{stderr}"
    );
    // The report on stdout is the same either way.
    let (_, quiet_stdout, quiet_stderr) = specdrift(&[&args[..], &["--quiet"]].concat());
    assert_eq!(quiet_stderr, "");
    assert_eq!(quiet_stdout, stdout);

    let (code, _, stderr) = specdrift(&[
        "test",
        "--spec",
        "openapi.yaml",
        "--sandbox",
        "--phases",
        "examples",
        "--max-cases",
        "1",
        "--verbose",
    ]);
    assert!(code == 0 || code == 1, "{stderr}");
    assert!(stderr.contains("  POST /v1/customers"), "{stderr}");
    assert!(stderr.contains(" -> 200 ("), "{stderr}");
    assert!(
        !stderr.contains("sk_test_vivamo_sandbox"),
        "calls are printed redacted"
    );
}

/// A capture with a documented 500 (conforming body) and a request that broke the spec and was
/// refused with a documented 400: neither is the server departing from the spec.
fn capture_with_levels() -> std::path::PathBuf {
    let interaction = |method: &str, path: &str, body: &str, status: u16, answer: &str| {
        serde_json::json!({
            "request": {
                "uri": format!("https://api.test.vivamo.co{path}"), "method": method,
                "headers": {"Authorization": ["Bearer [redacted]"], "Content-Type": ["application/json"]},
                "body": {"encoding": "UTF-8", "string": body}
            },
            "response": {
                "status": {"code": status, "message": ""},
                "headers": {"Content-Type": ["application/json"]},
                "body": {"encoding": "UTF-8", "string": answer}
            },
            "recorded_at": "Wed, 02 Dec 2026 10:00:00 GMT"
        })
    };
    let cassette = serde_json::json!({
        "http_interactions": [
            interaction("get", "/v1/customers?page=1&size=10", "", 500, r#"{"message":"database unavailable"}"#),
            interaction("post", "/v1/customers", r#"{"data":{"email":"ada@vivamo.test"}}"#, 400, r#"{"message":"externalCustomerId must not be empty"}"#),
        ],
        "recorded_with": "hand"
    });
    let path = std::env::temp_dir().join(format!("specdrift-levels-{}.json", std::process::id()));
    std::fs::write(&path, cassette.to_string()).unwrap();
    path
}

#[test]
fn verify_levels_keep_a_documented_5xx_and_a_refused_bad_request_from_failing_unless_asked() {
    let capture = capture_with_levels();
    let capture = capture.to_str().unwrap();
    let base = ["verify", "--spec", "openapi.yaml", "--traffic", capture];
    let (code, stdout, stderr) = specdrift(&base);
    assert_eq!(code, 0, "neither is drift:\n{stdout}{stderr}");
    assert!(
        stdout.contains("[server-error] server-error in listCustomers"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[client] request-violation in createCustomer"),
        "{stdout}"
    );
    assert!(!stdout.contains("[NEW]"), "{stdout}");

    let (code, stdout, _) = specdrift(&[&base[..], &["--fail-on", "drift,server-error"]].concat());
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("[NEW] server-error in listCustomers"),
        "{stdout}"
    );
    assert!(stdout.contains("[client] request-violation"), "{stdout}");

    let (code, stdout, _) =
        specdrift(&[&base[..], &["--fail-on", "client", "--format", "junit"]].concat());
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("failures=\"1\""), "{stdout}");
    assert!(
        stdout.contains("<failure type=\"request-violation\""),
        "{stdout}"
    );
    assert!(stdout.contains("<system-out>server-error: "), "{stdout}");

    let (code, _, stderr) = specdrift(&[&base[..], &["--fail-on", "everything"]].concat());
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown level `everything`"), "{stderr}");
}
