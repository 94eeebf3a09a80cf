//! The generated client's runtime (`client/runtime.rs`) on the wire: the `operations` fixture's
//! client against a loopback server that records each request and answers from a script.
//! Compiled into the throwaway fixtures crate by `runtime.rs`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use crate::operations::client::{self as c, Client, Credentials, Error, Secret};
use crate::operations::models as m;

/// A server answering each connection with the next `(status, content type, body)`; every
/// request it read (head and body, header names lowercase) comes back on the channel.
fn server(answers: Vec<(u16, &'static str, &'static str)>) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/api", listener.local_addr().unwrap());
    let (sent, seen) = mpsc::channel();
    std::thread::spawn(move || {
        for (status, content_type, body) in answers {
            let Ok((stream, _)) = listener.accept() else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let line = match line.split_once(':') {
                    Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
                    None => line,
                };
                if let Some(n) = line.strip_prefix("content-length:") {
                    length = n.trim().parse().unwrap_or(0);
                }
                request.push_str(&line);
            }
            let mut payload = vec![0; length];
            reader.read_exact(&mut payload).unwrap();
            request.push_str(&String::from_utf8_lossy(&payload));
            sent.send(request).unwrap();
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, seen)
}

fn client(base: &str, credentials: Credentials) -> Client {
    let options = c::Options {
        max_retries: 0,
        ..c::Options::default()
    };
    Client::with_options(base, credentials, options).unwrap()
}

#[tokio::test]
async fn parameters_cookies_and_the_api_key_reach_the_wire_and_statuses_decode() {
    let (base, seen) = server(vec![
        (200, "application/json", r#"{"id": 7}"#),
        (202, "text/plain", "building"),
        (404, "application/problem+json", r#"{"title": "gone"}"#),
    ]);
    let credentials = Credentials {
        api_key_header: Some(Secret::new("key-1")),
        basic: Some(("u".into(), Secret::new("p"))),
        ..Credentials::default()
    };
    let client = client(&base, credentials);
    assert_eq!(
        client.credentials().api_key_header.as_ref().map(Secret::expose),
        Some("key-1")
    );
    assert_eq!(client.options().max_retries, 0);
    let filter = m::GetPartFilter {
        color: Some("red".into()),
        undocumented: Default::default(),
    };
    let tags = ["a b".to_string(), "c".to_string()];
    let cursor: m::Cursor = "c9".into();
    let call = || {
        client.get_part(
            7,
            &m::PartKind::Door,
            "req-1",
            Some(&cursor),
            Some(&tags),
            Some(&[1, 2]),
            Some(&[3, 4]),
            Some(&filter),
            Some("s1"),
        )
    };

    let ok = call().await.unwrap();
    assert!(matches!(ok.body, c::GetPartSuccess::Status200(m::Part { id: 7, .. })));
    let request = seen.recv().unwrap();
    let first = request.lines().next().unwrap();
    assert_eq!(
        first,
        "GET /api/items/7/parts/door.json?cursor=c9&tags=a+b&tags=c&ids=1%2C2&sizes=3%7C4&filter%5Bcolor%5D=red HTTP/1.1"
    );
    assert!(request.contains("x-request-id: req-1\r\n"), "{request}");
    assert!(request.contains("cookie: session=s1\r\n"), "{request}");
    // The first of the operation's schemes that is set wins: the key, not basic auth.
    assert!(request.contains("x-api-key: key-1\r\n"), "{request}");
    assert!(!request.contains("authorization:"), "{request}");

    let accepted = call().await.unwrap();
    assert!(matches!(accepted.body, c::GetPartSuccess::Status202(ref text) if text == "building"));
    seen.recv().unwrap();

    match call().await {
        Err(Error::Api(r)) => {
            assert_eq!(r.status, 404);
            assert!(matches!(r.body, c::GetPartError::Status4xx(m::Problem { title: Some(ref t), .. }) if t == "gone"));
        }
        other => panic!("a documented 4XX is Error::Api: {other:?}"),
    }
}

#[tokio::test]
async fn basic_and_bearer_credentials_bodies_and_undocumented_statuses() {
    let (base, seen) = server(vec![
        (200, "application/json", ""),
        (201, "application/json", ""),
        (500, "text/plain", "boom"),
    ]);
    let credentials = Credentials {
        basic: Some(("u".into(), Secret::new("p"))),
        oauth: Some(Secret::new("tok-9")),
        ..Credentials::default()
    };
    let client = client(&base, credentials);

    client.get_health().await.unwrap();
    let request = seen.recv().unwrap();
    assert!(request.starts_with("GET /api/health HTTP/1.1"), "{request}");
    // base64("u:p")
    assert!(request.contains("authorization: Basic dTpw\r\n"), "{request}");

    let body = m::CreateItemBody {
        name: "wheel".into(),
        count: Some(2),
        undocumented: Default::default(),
    };
    client.create_item(&body).await.unwrap();
    let request = seen.recv().unwrap();
    assert!(request.contains("authorization: Bearer tok-9\r\n"), "{request}");
    assert!(
        request.contains("content-type: application/x-www-form-urlencoded\r\n"),
        "{request}"
    );
    assert!(request.ends_with("name=wheel&count=2"), "{request}");

    match client.get_health().await {
        Err(Error::UnexpectedStatus { status, body, .. }) => {
            assert_eq!(status, 500);
            assert_eq!(body, b"boom");
        }
        other => panic!("an undocumented status is UnexpectedStatus: {other:?}"),
    }
}
