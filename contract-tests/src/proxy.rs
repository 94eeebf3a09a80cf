//! A loopback proxy between the generated client and the target: it records every interaction
//! it forwards (live targets), or answers from a cassette (replay), so the same checks run on
//! live, local and recorded traffic.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::traffic::{Interaction, now_rfc2822};

/// Where the proxy sends requests.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// A server, by base URL (`http://127.0.0.1:4010`, `https://api.test.vivamo.co`).
    Live(String),
    /// Recorded interactions, served in order of first match.
    Replay(Vec<Interaction>),
}

#[derive(Debug)]
struct Shared {
    upstream: Upstream,
    http: reqwest::Client,
    log: Mutex<Vec<Interaction>>,
    /// Replay: which recorded interactions were used.
    used: Mutex<Vec<bool>>,
    /// Replay: requests the cassette lacked.
    misses: Mutex<Vec<String>>,
}

/// A running proxy. Dropping it stops it.
#[derive(Debug)]
pub struct Proxy {
    /// Where the client should send requests.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Header the suite puts on requests it sends invalid on purpose.
pub const NEGATIVE_HEADER: &str = "x-specdrift-negative";

impl Proxy {
    /// Starts a proxy on an ephemeral loopback port.
    pub async fn start(upstream: Upstream) -> std::io::Result<Proxy> {
        let used = match &upstream {
            Upstream::Replay(list) => vec![false; list.len()],
            Upstream::Live(_) => Vec::new(),
        };
        let shared = Arc::new(Shared {
            upstream,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .map_err(std::io::Error::other)?,
            log: Mutex::default(),
            used: Mutex::new(used),
            misses: Mutex::default(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Proxy { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything recorded so far (the real target's URLs, secrets not yet redacted).
    pub fn interactions(&self) -> Vec<Interaction> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The interactions recorded from index `start` on.
    pub fn interactions_from(&self, start: usize) -> Vec<Interaction> {
        let log = self.shared.log.lock().unwrap_or_else(|p| p.into_inner());
        log.get(start..)
            .map(<[Interaction]>::to_vec)
            .unwrap_or_default()
    }

    /// How many interactions were recorded so far.
    pub fn len(&self) -> usize {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Requests a replayed cassette could not answer.
    pub fn misses(&self) -> Vec<String> {
        self.shared
            .misses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn same_body(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, 64 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("proxy: cannot read the request body: {e}"),
            )
                .into_response();
        }
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let request_headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "host" | "content-length" | "connection" | "accept-encoding"
            )
        })
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let request_body = String::from_utf8_lossy(&body).into_owned();
    let method = parts.method.as_str().to_string();
    let (url, status, response_headers, response_body) = match &shared.upstream {
        Upstream::Live(base) => {
            let url = format!("{}{path_and_query}", base.trim_end_matches('/'));
            let mut outgoing = shared
                .http
                .request(parts.method.clone(), &url)
                .body(body.to_vec());
            for (k, v) in &request_headers {
                if k != NEGATIVE_HEADER {
                    outgoing = outgoing.header(k, v);
                }
            }
            match outgoing.send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let headers: Vec<(String, String)> = r
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect();
                    let text = r.text().await.unwrap_or_default();
                    (url, status, headers, text)
                }
                Err(e) => {
                    return (
                        StatusCode::BAD_GATEWAY,
                        format!("proxy: the target did not answer: {e}"),
                    )
                        .into_response();
                }
            }
        }
        Upstream::Replay(recorded) => {
            let found = {
                let mut used = shared.used.lock().unwrap_or_else(|p| p.into_inner());
                let hit = recorded.iter().enumerate().find(|(i, r)| {
                    !used[*i]
                        && r.method.eq_ignore_ascii_case(&method)
                        && url_path_and_query(&r.url) == path_and_query
                        && same_body(&r.request_body, &request_body)
                });
                hit.map(|(i, r)| {
                    used[i] = true;
                    r.clone()
                })
            };
            match found {
                Some(r) => (
                    r.url.clone(),
                    r.status,
                    r.response_headers.clone(),
                    r.response_body.clone(),
                ),
                None => {
                    let miss = format!("{method} {path_and_query}");
                    shared
                        .misses
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(miss.clone());
                    return (StatusCode::NOT_IMPLEMENTED, format!("the cassette has no recorded interaction for {miss}; re-record it against a live target")).into_response();
                }
            }
        }
    };
    shared
        .log
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Interaction {
            method,
            url,
            request_headers,
            request_body,
            status,
            response_headers: response_headers.clone(),
            response_body: response_body.clone(),
            recorded_at: now_rfc2822(),
        });
    let mut response = response_body.into_response();
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let headers = response.headers_mut();
    headers.clear();
    for (k, v) in response_headers {
        if matches!(
            k.to_ascii_lowercase().as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            headers.append(name, value);
        }
    }
    response
}

fn url_path_and_query(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        Err(_) => url.to_string(),
    }
}
