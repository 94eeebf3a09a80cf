//! The generated Vivamo client against a scripted, deliberately wrong server on loopback.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vivamo_api::client::{Client, Credentials, Error, Options, Secret};

/// One recorded request: the request line, headers (lowercased names) and body.
#[derive(Debug, Clone)]
struct Seen {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Serves the given raw responses in order (the last one repeats) and records every request.
async fn server(responses: Vec<String>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let head_end = loop {
                let read = socket.read(&mut chunk).await.unwrap_or(0);
                if read == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..read]);
                if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(at);
                }
            };
            let Some(head_end) = head_end else { continue };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let mut lines = head.split("\r\n");
            let line = lines.next().unwrap_or_default().to_string();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let length: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = buf[head_end + 4..].to_vec();
            while body.len() < length {
                let read = socket.read(&mut chunk).await.unwrap_or(0);
                if read == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..read]);
            }
            log.lock().unwrap().push(Seen {
                line,
                headers,
                body,
            });
            let response = responses[n.min(responses.len() - 1)].clone();
            n += 1;
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (format!("http://{addr}"), seen)
}

fn reply(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn client(base: &str) -> Client {
    let credentials = Credentials {
        bearer_auth: Some(Secret::new("sk_test_abc123")),
    };
    let options = Options {
        max_retries: 2,
        max_response_bytes: 4096,
        ..Options::default()
    };
    Client::with_options(base, credentials, options).unwrap()
}

const PROCEED_OK: &str =
    r#"{"disbursementId":"d1","amount":"50.00","status":"pending","externalDisbursementId":"x1"}"#;

#[tokio::test]
async fn a_documented_success_decodes_and_the_request_is_built_from_typed_inputs() {
    let (base, seen) = server(vec![reply("200 OK", "application/json", PROCEED_OK)]).await;
    let response = client(&base)
        .proceed_with_disbursement("intent 1/a", true)
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body.amount.as_deref(), Some("50.00"));
    assert_eq!(
        response.body.status,
        Some(vivamo_api::models::ProceedDisbursementResponseStatus::Pending)
    );
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].line,
        "POST /v1/disbursements/intent%201%2Fa/proceed/true HTTP/1.1"
    );
    assert_eq!(
        seen[0].header("authorization"),
        Some("Bearer sk_test_abc123")
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn query_parameters_and_json_bodies_are_sent() {
    let (base, seen) = server(vec![reply(
        "200 OK",
        "application/json",
        r#"{"customers":[]}"#,
    )])
    .await;
    client(&base)
        .list_customers(Some(2), Some(5))
        .await
        .unwrap();
    let body = vivamo_api::models::CreateCustomerRequest {
        external_customer_id: "user_123".into(),
        verify_after_creation: Some(false),
        data: serde_json::from_value(serde_json::json!({"email": "demo@vivamo.co"})).unwrap(),
        undocumented: Default::default(),
    };
    let _ = client(&base).create_customer(&body).await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].line, "GET /v1/customers?page=2&size=5 HTTP/1.1");
    assert_eq!(seen[1].header("content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"externalCustomerId": "user_123", "verifyAfterCreation": false, "data": {"email": "demo@vivamo.co"}})
    );
}

/// A server that goes beyond its spec (a property the spec does not name, a status it does not
/// list) still gives a value: the extra property kept, re-encoded unchanged, and reported.
#[tokio::test]
async fn an_undocumented_property_is_kept_and_reported_not_a_decode_error() {
    let body = r#"{"disbursementId":"d1","status":"on-hold","loyaltyTier":{"level":2}}"#;
    let (base, _) = server(vec![reply("200 OK", "application/json", body)]).await;
    let response = client(&base)
        .proceed_with_disbursement("i1", true)
        .await
        .unwrap();
    let value = response.body;
    assert_eq!(
        value.undocumented.get("loyaltyTier"),
        Some(&serde_json::json!({"level": 2}))
    );
    assert_eq!(
        serde_json::to_value(&value).unwrap(),
        serde_json::from_str::<serde_json::Value>(body).unwrap()
    );
    use vivamo_api::{Inspect, support::Unexpected};
    let surprises: Vec<(String, Unexpected)> = value
        .unknown_values()
        .into_iter()
        .map(|u| (u.path, u.kind))
        .collect();
    assert_eq!(
        surprises,
        [
            ("/status".to_string(), Unexpected::Value),
            ("/loyaltyTier".to_string(), Unexpected::Property)
        ]
    );
}

#[tokio::test]
async fn a_documented_error_status_is_a_typed_error() {
    let (base, _) = server(vec![reply(
        "400 Bad Request",
        "application/json",
        r#"{"message":"This customer already exists"}"#,
    )])
    .await;
    match client(&base).get_customer("user_1").await {
        Err(Error::Api(response)) => {
            assert_eq!(response.status, 400);
            let vivamo_api::client::GetCustomerError::Status400(body) = response.body else {
                panic!("wrong variant")
            };
            assert_eq!(body.message, "This customer already exists");
        }
        other => panic!("expected a typed api error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_undocumented_status_keeps_status_headers_and_body() {
    let (base, _) = server(vec![reply(
        "418 I'm a teapot",
        "text/plain",
        "short and stout",
    )])
    .await;
    match client(&base).get_customer("user_1").await {
        Err(Error::UnexpectedStatus {
            status,
            headers,
            body,
        }) => {
            assert_eq!(status, 418);
            assert_eq!(headers.get("content-type").unwrap(), "text/plain");
            assert_eq!(body, b"short and stout");
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_content_type_is_reported() {
    let (base, _) = server(vec![reply(
        "200 OK",
        "text/html",
        "<html>maintenance</html>",
    )])
    .await;
    match client(&base).get_customer("user_1").await {
        Err(Error::UnexpectedContentType {
            status: 200,
            content_type,
            body,
            ..
        }) => {
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert_eq!(body, b"<html>maintenance</html>");
        }
        other => panic!("expected UnexpectedContentType, got {other:?}"),
    }
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error_with_the_raw_body() {
    let (base, _) = server(vec![reply(
        "200 OK",
        "application/json",
        r#"{"externalCustomerId": 42"#,
    )])
    .await;
    match client(&base).get_customer("user_1").await {
        Err(Error::Decode {
            status: 200,
            body,
            message,
            ..
        }) => {
            assert_eq!(body, br#"{"externalCustomerId": 42"#);
            assert!(!message.is_empty());
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let big = format!(r#"{{"message":"{}"}}"#, "x".repeat(10_000));
    let (base, _) = server(vec![reply("200 OK", "application/json", &big)]).await;
    match client(&base).get_customer("user_1").await {
        Err(Error::BodyTooLarge {
            status: 200,
            limit: 4096,
        }) => {}
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn idempotent_calls_retry_and_honour_retry_after() {
    let busy = "HTTP/1.1 503 Service Unavailable\r\nretry-after: 0\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string();
    let ok = reply(
        "200 OK",
        "application/json",
        r#"{"externalCustomerId":"user_1"}"#,
    );
    let (base, seen) = server(vec![busy.clone(), ok]).await;
    let response = client(&base).get_customer("user_1").await.unwrap();
    assert_eq!(
        response.body.external_customer_id.as_deref(),
        Some("user_1")
    );
    assert_eq!(seen.lock().unwrap().len(), 2, "one retry after the 503");
}

#[tokio::test]
async fn non_idempotent_calls_are_never_retried() {
    let busy = "HTTP/1.1 503 Service Unavailable\r\nretry-after: 0\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string();
    let (base, seen) = server(vec![busy]).await;
    match client(&base)
        .proceed_with_disbursement("intent_1", false)
        .await
    {
        Err(Error::UnexpectedStatus { status: 503, .. }) => {}
        other => panic!("expected the 503 back, got {other:?}"),
    }
    assert_eq!(seen.lock().unwrap().len(), 1, "a POST must not be retried");
}

#[tokio::test]
async fn secrets_never_show_in_debug_output() {
    let client = client("http://127.0.0.1:9");
    let debug = format!("{client:?}");
    assert!(!debug.contains("sk_test_abc123"), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
}

#[tokio::test]
async fn servers_are_selectable_by_name() {
    assert!(Client::for_server("sandbox", Credentials::default()).is_ok());
    assert!(Client::for_server("Production", Credentials::default()).is_ok());
    let err = Client::for_server("staging", Credentials::default()).unwrap_err();
    assert!(err.to_string().contains("Sandbox"), "{err}");
    assert_eq!(
        vivamo_api::client::SERVERS[1],
        ("Sandbox", "https://api.test.vivamo.co")
    );
}

#[test]
fn secret_fields_of_models_are_redacted_in_debug_output() {
    let created = vivamo_api::models::DisbursementIntentCreated {
        client_secret_key: Some("cs_live_topsecret".into()),
        amount: Some("50.00".into()),
        ..Default::default()
    };
    let debug = format!("{created:?}");
    assert!(!debug.contains("cs_live_topsecret"), "{debug}");
    assert!(debug.contains("50.00"), "{debug}");
    let webhook = vivamo_api::models::WebhookCreated {
        secret_key: Some("whsec_123".into()),
        ..Default::default()
    };
    assert!(!format!("{webhook:?}").contains("whsec_123"));
}

#[test]
fn webhook_signatures_are_hmac_sha512_hex_and_checked() {
    use vivamo_api::webhooks;
    // RFC 4231, test case 2.
    assert_eq!(
        webhooks::sign(b"Jefe", b"what do ya want for nothing?"),
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
    );
    assert_eq!(webhooks::SIGNATURE_HEADER, "signature");
    let body = br#"{"amount":"9.99","status":"success"}"#;
    // Computed independently with Python's hmac module.
    let signature = "6adbf48d50a3ee08c18578533bbe2e2e8de72fb713eb76fd2f859e52add48363497994b26e9a5aa6223ec053d32ef6454c55713c1cccb6d42a158727fba866bc";
    assert!(webhooks::verify_signature(b"whsec_test", body, signature));
    assert!(
        webhooks::verify_signature(b"whsec_test", body, &signature.to_uppercase()),
        "hex case does not matter"
    );
    assert!(!webhooks::verify_signature(b"whsec_other", body, signature));
    assert!(!webhooks::verify_signature(
        b"whsec_test",
        br#"{"amount":"99.9","status":"success"}"#,
        signature
    ));
    assert!(!webhooks::verify_signature(b"whsec_test", body, "zz"));
    assert!(!webhooks::verify_signature(
        b"whsec_test",
        body,
        &signature[..64]
    ));
    let event = webhooks::verify_and_parse(
        b"whsec_test",
        body,
        signature,
        webhooks::parse_register_webhook_webhook_delivery,
    )
    .unwrap();
    assert_eq!(event.amount.as_deref(), Some("9.99"));
    assert_eq!(
        webhooks::verify_and_parse(
            b"whsec_test",
            body,
            "00",
            webhooks::parse_register_webhook_webhook_delivery
        ),
        Err(webhooks::WebhookError::BadSignature)
    );
}

#[tokio::test]
async fn page_size_pagination_walks_until_a_short_page() {
    let page = |ids: &[&str]| {
        let customers: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"externalCustomerId":"{id}"}}"#))
            .collect();
        reply(
            "200 OK",
            "application/json",
            &format!(r#"{{"customers":[{}]}}"#, customers.join(",")),
        )
    };
    let (base, seen) = server(vec![page(&["a", "b"]), page(&["c"])]).await;
    let all = client(&base).list_customers_all(2).await.unwrap();
    let ids: Vec<_> = all
        .iter()
        .map(|c| c.external_customer_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].line, "GET /v1/customers?page=1&size=2 HTTP/1.1");
    assert_eq!(seen[1].line, "GET /v1/customers?page=2&size=2 HTTP/1.1");
}
