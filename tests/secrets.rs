//! No secret reaches an artefact: a capture and a live server with a secret in every place a
//! credential travels (each kind of place the spec's `securitySchemes` names, the headers that
//! always carry one, secret-named fields, well-known shapes, a card number), and every output
//! format of `verify` and `test` (text, JSON, JUnit, HTML, `--verbose` lines on stderr, the
//! recorded cassette) scanned for them.

use std::process::Command;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SPEC: &str = r##"openapi: 3.0.3
info: {title: Charges, version: "1"}
servers: [{url: "http://charges.test"}]
security: [{bearer: [], vendorKey: [], appId: [], session: []}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    vendorKey: {type: apiKey, in: header, name: X-Vendor-Key}
    appId: {type: apiKey, in: query, name: appid}
    session: {type: apiKey, in: cookie, name: sid}
  schemas:
    NewCharge:
      type: object
      required: [card, amount]
      properties:
        card: {type: string, pattern: "^[0-9]{16}$"}
        amount: {type: integer}
        password: {type: string}
    Charge:
      type: object
      required: [id]
      properties:
        id: {type: integer}
        clientSecretKey: {type: string}
        note: {type: integer}
paths:
  /charges:
    post:
      operationId: createCharge
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewCharge"}
      responses:
        "200":
          description: made
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Charge"}
"##;

/// Each secret, as it travels.
const BEARER: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLWJ5dGVz";
const VENDOR_KEY: &str = "vk-9f8e7d6c5b4a3928";
const APP_ID: &str = "q1a2b3c4d5e6f";
const SESSION: &str = "sess-77aa88bb99cc";
const CARD: &str = "4111111111111111";
const PASSWORD: &str = "hunter2-correct-horse";
const CLIENT_SECRET: &str = "cs_live_0a1b2c3d4e5f";
const STRIPE_KEY: &str = "sk_live_51HxYzAbCdEfGh";

const ALL: [&str; 8] = [
    BEARER,
    VENDOR_KEY,
    APP_ID,
    SESSION,
    CARD,
    PASSWORD,
    CLIENT_SECRET,
    STRIPE_KEY,
];

/// A capture whose every interaction drifts, so each secret sits in a finding's text: the
/// request body (in the reproduction and the curl line), the URL, and observed values.
fn capture() -> String {
    let request_body = serde_json::json!({"card": CARD, "amount": "12", "password": PASSWORD});
    let response_body = serde_json::json!({
        "id": format!("Bearer {BEARER}"),
        "clientSecretKey": CLIENT_SECRET,
        "note": format!("your key {STRIPE_KEY}, card {CARD}, vendor {VENDOR_KEY}"),
    });
    serde_json::json!({
        "http_interactions": [{
            "request": {
                "method": "post",
                "uri": format!("http://charges.test/charges?appid={APP_ID}&mode=full"),
                "headers": {
                    "Authorization": [format!("Bearer {BEARER}")],
                    "X-Vendor-Key": [VENDOR_KEY],
                    "Cookie": [format!("sid={SESSION}; theme=dark")],
                    "Content-Type": ["application/json"]
                },
                "body": {"encoding": "UTF-8", "string": request_body.to_string()}
            },
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": {
                    "Content-Type": ["application/json"],
                    "Set-Cookie": [format!("sid={SESSION}; Path=/")]
                },
                "body": {"encoding": "UTF-8", "string": response_body.to_string()}
            },
            "recorded_at": "Tue, 01 Dec 2026 10:00:00 GMT"
        }],
        "recorded_with": "hand"
    })
    .to_string()
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_specdrift"))
        .args(args)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in ALL {
        assert!(
            !text.contains(secret),
            "{what} shows the secret `{secret}`:\n{text}"
        );
    }
}

fn dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("specdrift-secrets-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("spec.yaml"), SPEC).unwrap();
    dir
}

#[test]
fn verify_reports_show_no_secret_in_any_format() {
    let dir = dir("verify");
    let traffic = dir.join("capture.json");
    std::fs::write(&traffic, capture()).unwrap();
    let spec = dir.join("spec.yaml");
    let args = |format: &'static str| {
        vec![
            "verify".to_string(),
            "--spec".into(),
            spec.display().to_string(),
            "--traffic".into(),
            traffic.display().to_string(),
            "--format".into(),
            format.to_string(),
            // Every interaction on stderr too, which `run` scans with stdout.
            "--verbose".into(),
        ]
    };
    for format in ["text", "json", "junit", "html"] {
        let args = args(format);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out) = run(&args);
        assert_eq!(code, 1, "{format}: the capture drifts\n{out}");
        // The findings are there, with their evidence redacted, not dropped.
        assert!(out.contains("request-violation"), "{format}: {out}");
        assert!(out.contains("schema-violation"), "{format}: {out}");
        assert!(out.contains("[redacted]"), "{format}: {out}");
        assert!(out.contains("mode=full"), "{format}: {out}");
        assert_no_secret(&format!("verify --format {format}"), &out);
    }
}

/// Answers every request with a 200 whose body breaks the schema by echoing what the request
/// carried: its request line, its headers and its body.
async fn echo_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let read = socket.read(&mut chunk).await.unwrap_or(0);
                    if read == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..read]);
                    if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let length: usize = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse().ok())
                    .unwrap_or(0);
                let mut body = buf[head_end + 4..].to_vec();
                while body.len() < length {
                    let read = socket.read(&mut chunk).await.unwrap_or(0);
                    if read == 0 {
                        break;
                    }
                    body.extend_from_slice(&chunk[..read]);
                }
                let echo = serde_json::json!({
                    "id": head,
                    "clientSecretKey": CLIENT_SECRET,
                    "note": String::from_utf8_lossy(&body),
                })
                .to_string();
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nset-cookie: sid={SESSION}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{echo}",
                    echo.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_reports_and_its_cassette_show_no_secret() {
    let base = echo_server().await;
    let dir = dir("test");
    let spec = dir.join("spec.yaml").display().to_string();
    for format in ["text", "json", "junit", "html"] {
        let cassette = dir.join(format!("run-{format}.json"));
        let args: Vec<String> = [
            "test",
            "--spec",
            &spec,
            "--url",
            &base,
            "--bearer",
            BEARER,
            "--api-key",
            &format!("vendorKey={VENDOR_KEY}"),
            "--api-key",
            &format!("appId={APP_ID}"),
            "--api-key",
            &format!("session={SESSION}"),
            "-H",
            &format!("X-Debug-Token: {STRIPE_KEY}"),
            "--max-cases",
            "3",
            "--seed",
            "7",
            "--verbose",
            "--record",
            &cassette.display().to_string(),
            "--format",
            format,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (code, out) = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&args)
        })
        .await
        .unwrap();
        assert_eq!(code, 1, "{format}: the echo server drifts\n{out}");
        assert!(out.contains("schema-violation"), "{format}: {out}");
        assert_no_secret(&format!("test --format {format}"), &out);
        let recorded = std::fs::read_to_string(&cassette).unwrap();
        assert!(recorded.contains("[redacted]"), "{recorded}");
        assert!(recorded.contains("/charges"), "{recorded}");
        assert_no_secret("the recorded cassette", &recorded);
    }
    // The recording still replays offline, with other credentials: a replayed request is
    // matched in its redacted form.
    let cassette = dir.join("run-json.json").display().to_string();
    let (code, out) = tokio::task::spawn_blocking(move || {
        run(&[
            "test",
            "--spec",
            &spec,
            "--cassette",
            &cassette,
            "--bearer",
            "another-token-entirely",
            "--api-key",
            "vendorKey=other",
            "--api-key",
            "appId=other",
            "--api-key",
            "session=other",
            "-H",
            "X-Debug-Token: sk_live_another",
            "--max-cases",
            "3",
            "--seed",
            "7",
            "--quiet",
        ])
    })
    .await
    .unwrap();
    assert_eq!(code, 1, "the replay shows the same drift\n{out}");
    assert!(out.contains("schema-violation"), "{out}");
}
