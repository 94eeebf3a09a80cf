//! The generated Vivamo client and the contract engine against a hostile server on loopback:
//! truncated and endless bodies, a wrong `Content-Length`, invalid UTF-8, JSON nested 100,000
//! deep, thousands of headers, a header line of a megabyte, a server that accepts and never
//! answers, a reset connection, a status line that is not HTTP. Each ends in a typed error (or,
//! for the engine, a report or a run error) within a time bound, reading at most the body cap,
//! and nothing panics.

use std::time::{Duration, Instant};

use contract_tests::engine::{self, Phase, Settings, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use vivamo_api::client::{Client, Credentials, Error, Options, Secret};

use super::root;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Hostile {
    /// Promises 1,000 bytes, sends 20, closes.
    Truncated,
    /// A chunked body that never ends.
    Endless,
    /// `Content-Length: 5` on a longer JSON body.
    ShortLength,
    /// A JSON string holding bytes that are not UTF-8.
    InvalidUtf8,
    /// `[[[[…` 100,000 deep.
    DeepJson,
    /// 5,000 response headers.
    ManyHeaders,
    /// One header line of a megabyte.
    HugeHeader,
    /// Accepts, reads the request, never answers.
    Silent,
    /// Reads the request, then resets the connection.
    Reset,
    /// A status line that is not HTTP.
    Garbage,
}

const ALL: [Hostile; 10] = [
    Hostile::Truncated,
    Hostile::Endless,
    Hostile::ShortLength,
    Hostile::InvalidUtf8,
    Hostile::DeepJson,
    Hostile::ManyHeaders,
    Hostile::HugeHeader,
    Hostile::Silent,
    Hostile::Reset,
    Hostile::Garbage,
];

/// Reads one request head (and its body, by `Content-Length`).
async fn read_request(socket: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..at]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .filter_map(|l| l.strip_prefix("content-length:"))
                .find_map(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < at + 4 + length {
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => return false,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            return true;
        }
    }
}

async fn misbehave(mut socket: TcpStream, how: Hostile) {
    if !read_request(&mut socket).await {
        return;
    }
    let head = |extra: &str| {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{extra}connection: close\r\n\r\n"
        )
    };
    let _ = match how {
        Hostile::Truncated => {
            let mut out = head("content-length: 1000\r\n").into_bytes();
            out.extend_from_slice(br#"{"externalCustomer"#);
            socket.write_all(&out).await
        }
        Hostile::Endless => {
            if socket
                .write_all(head("transfer-encoding: chunked\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
            let chunk = format!("4000\r\n{}\r\n", "a".repeat(0x4000));
            // Until the reader gives up: at most a minute, so a broken test cannot hang CI.
            let until = Instant::now() + Duration::from_secs(60);
            while Instant::now() < until {
                if socket.write_all(chunk.as_bytes()).await.is_err() {
                    return;
                }
            }
            Ok(())
        }
        Hostile::ShortLength => {
            let body = r#"{"externalCustomerId":"user_1"}"#;
            socket
                .write_all(format!("{}{body}", head("content-length: 5\r\n")).as_bytes())
                .await
        }
        Hostile::InvalidUtf8 => {
            let mut body = br#"{"externalCustomerId":""#.to_vec();
            body.extend_from_slice(&[0xff, 0xfe, 0xc3]);
            body.extend_from_slice(br#""}"#);
            let mut out = head(&format!("content-length: {}\r\n", body.len())).into_bytes();
            out.extend_from_slice(&body);
            socket.write_all(&out).await
        }
        Hostile::DeepJson => {
            let body = "[".repeat(100_000);
            socket
                .write_all(
                    format!(
                        "{}{body}",
                        head(&format!("content-length: {}\r\n", body.len()))
                    )
                    .as_bytes(),
                )
                .await
        }
        Hostile::ManyHeaders => {
            let many: String = (0..5_000).map(|i| format!("x-h-{i}: v\r\n")).collect();
            socket
                .write_all(
                    format!("{}{{}}", head(&format!("{many}content-length: 2\r\n"))).as_bytes(),
                )
                .await
        }
        Hostile::HugeHeader => {
            let huge = format!("x-huge: {}\r\n", "h".repeat(1 << 20));
            socket
                .write_all(
                    format!("{}{{}}", head(&format!("{huge}content-length: 2\r\n"))).as_bytes(),
                )
                .await
        }
        Hostile::Silent => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        }
        Hostile::Reset => {
            #[allow(deprecated)]
            let _ = socket.set_linger(Some(Duration::ZERO));
            drop(socket);
            return;
        }
        Hostile::Garbage => socket.write_all(b"SMTP ready\r\n\r\n").await,
    };
    let _ = socket.shutdown().await;
}

async fn hostile(how: Hostile) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(misbehave(socket, how));
        }
    });
    format!("http://{addr}")
}

const BODY_CAP: usize = 256 * 1024;

fn client(base: &str) -> Client {
    let credentials = Credentials {
        bearer_auth: Some(Secret::new("sk_test_abc123")),
    };
    let options = Options {
        timeout: Duration::from_millis(800),
        max_retries: 0,
        max_response_bytes: BODY_CAP,
    };
    Client::with_options(base, credentials, options).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_client_ends_every_hostile_answer_in_a_typed_error() {
    let bound = Duration::from_secs(10);
    for how in ALL {
        let base = hostile(how).await;
        let started = Instant::now();
        let error = match tokio::time::timeout(bound, client(&base).get_customer("user_1")).await {
            Err(_) => panic!("{how:?}: no answer within {bound:?}"),
            Ok(Ok(v)) => panic!("{how:?}: decoded {v:?}"),
            Ok(Err(e)) => e,
        };
        // Display and Debug of every error are total, too.
        let _ = (error.to_string(), format!("{error:?}"));
        let fits = match how {
            Hostile::Endless => matches!(
                error,
                Error::BodyTooLarge {
                    limit: BODY_CAP,
                    ..
                }
            ),
            Hostile::ShortLength | Hostile::InvalidUtf8 | Hostile::DeepJson => {
                matches!(error, Error::Decode { status: 200, .. })
            }
            Hostile::Truncated
            | Hostile::ManyHeaders
            | Hostile::HugeHeader
            | Hostile::Silent
            | Hostile::Reset
            | Hostile::Garbage => matches!(error, Error::Transport(_)),
        };
        assert!(fits, "{how:?}: unexpected error {error:?}");
        if how == Hostile::Silent {
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "the 800 ms timeout held"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_ends_every_hostile_run_in_a_report_or_an_error() {
    let model = std::sync::Arc::new(
        contract_tests::spec::Model::load(&root().join("openapi.yaml")).unwrap(),
    );
    for how in ALL {
        let base = hostile(how).await;
        let model = model.clone();
        let started = Instant::now();
        let outcome = tokio::task::spawn_blocking(move || {
            let mut settings = Settings::new(Target::Url(base));
            settings.phases = vec![Phase::Examples];
            settings.max_cases = 1;
            settings.progress = false;
            settings.request_timeout = Duration::from_millis(800);
            settings.max_response_bytes = BODY_CAP;
            settings.max_time = Some(Duration::from_secs(20));
            settings.credentials.bearer = Some("sk_test_abc123".into());
            engine::run(&model, &settings, &contract_tests::Baseline::default())
        })
        .await
        .unwrap_or_else(|e| panic!("{how:?}: the engine panicked: {e}"));
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{how:?}: took {:?}",
            started.elapsed()
        );
        match outcome {
            Ok(outcome) => {
                // Whatever came back is judged: the hostile answers are findings.
                assert!(
                    !outcome.report.findings.is_empty(),
                    "{how:?}: a hostile server gave no finding"
                );
                let text = outcome.report.to_text();
                assert!(
                    text.len() < 4 * BODY_CAP,
                    "{how:?}: the report is {} bytes",
                    text.len()
                );
            }
            Err(e) => {
                // The first call failing is a run error naming the target, never a panic.
                let message = e.to_string();
                assert!(message.contains("127.0.0.1"), "{how:?}: {message}");
                if how == Hostile::Endless {
                    // Read up to the cap, not until the timeout.
                    assert!(message.contains("longer than 262144 bytes"), "{message}");
                }
                assert!(
                    matches!(
                        how,
                        Hostile::Truncated
                            | Hostile::Endless
                            | Hostile::ManyHeaders
                            | Hostile::HugeHeader
                            | Hostile::Silent
                            | Hostile::Reset
                            | Hostile::Garbage
                    ),
                    "{how:?}: a readable answer must be judged, not refused: {message}"
                );
            }
        }
    }
}
