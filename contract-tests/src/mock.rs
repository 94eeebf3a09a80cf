//! A mock server for any spec, made from the model alone: it routes with the router's matcher,
//! refuses what the spec forbids (missing credentials, parameters and bodies that break their
//! schemas, media types it does not take, undeclared methods) and answers with the documented
//! example or a value generated from the response schema. A path removed by a successful DELETE
//! answers 404 afterwards, so it is stateful where a client can tell.
//!
//! The contract engine runs against it in the tests, for specs with no server here.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use generator::ir::{JsonType, Operation, ParamLocation};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use crate::spec::Model;
use crate::traffic::Interaction;

struct Mock {
    model: Arc<Model>,
    deleted: Mutex<BTreeSet<String>>,
    runner: Mutex<TestRunner>,
}

/// A running mock; dropping it does not stop it (it lives on the runtime it was started on).
#[derive(Debug, Clone)]
pub struct Running {
    pub addr: SocketAddr,
}

impl Running {
    /// `http://addr`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Serves a mock of `model` on `addr` (port 0 picks one), on the current tokio runtime.
pub async fn serve(model: Arc<Model>, addr: SocketAddr) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let mock = Arc::new(Mock {
        model,
        deleted: Mutex::default(),
        runner: Mutex::new(runner),
    });
    let app = axum::Router::new().fallback(handle).with_state(mock);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Running { addr })
}

/// A mock served on a runtime of its own, on a free local port, for a caller that is not async
/// (the engine, a test); it stops when this is dropped.
pub struct Background {
    /// Where it listens.
    pub running: Running,
    _runtime: tokio::runtime::Runtime,
}

/// Serves a mock of `model` in the background (see [`Background`]).
pub fn background(model: Arc<Model>) -> std::io::Result<Background> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let running = runtime.block_on(serve(model, SocketAddr::from(([127, 0, 0, 1], 0))))?;
    Ok(Background {
        running,
        _runtime: runtime,
    })
}

/// Credentials for every security scheme of `model`, as the mock takes them: it checks that
/// they are there, not what they are.
pub fn credentials(model: &Model) -> crate::engine::Credentials {
    crate::engine::Credentials {
        bearer: Some("token".into()),
        basic: Some("user:password".into()),
        api_keys: model
            .api
            .security_schemes
            .iter()
            .filter(|(_, s)| matches!(s, generator::ir::SecurityScheme::ApiKey { .. }))
            .map(|(name, _)| (name.clone(), "key".into()))
            .collect(),
    }
}

/// The documented status nearest to `wanted`: itself, its range, `default`, else `wanted`.
fn documented_status(op: &Operation, wanted: u16) -> u16 {
    if op.response_for(wanted).is_some() {
        return wanted;
    }
    // An error the spec does not document: answer with a documented 4xx instead.
    op.responses
        .iter()
        .filter_map(|r| r.status.parse::<u16>().ok())
        .find(|s| (400..500).contains(s))
        .unwrap_or(wanted)
}

fn reply(mock: &Mock, op: &Operation, status: u16) -> Response {
    let api = &mock.model.api;
    let Some(response) = op.response_for(status) else {
        return empty(status);
    };
    let Some(media) = response
        .content
        .iter()
        .find(|m| m.media_type.contains("json"))
        .or(response.content.first())
    else {
        return empty(status);
    };
    let value = crate::examples::example_of(api, media)
        .filter(|v| media.schema.is_none_or(|s| valid(mock, s, v)))
        .or_else(|| {
            let schema = media.schema?;
            let mut runner = mock.runner.lock().unwrap_or_else(|p| p.into_inner());
            (0..16)
                .map(|_| crate::engine::values::valid(api, schema, &mut runner))
                .find(|v| valid(mock, schema, v))
        });
    let Some(value) = value else {
        return empty(status);
    };
    let body = match &value {
        Value::String(s) if !media.media_type.contains("json") => s.clone(),
        v => v.to_string(),
    };
    let mut out = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    if let Ok(v) = media.media_type.parse() {
        out.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    for h in response.headers.iter().filter(|h| h.required) {
        let text = h
            .schema
            .map(|s| {
                let mut runner = mock.runner.lock().unwrap_or_else(|p| p.into_inner());
                match crate::engine::values::valid(api, s, &mut runner) {
                    Value::String(s) => s,
                    other => other.to_string(),
                }
            })
            .unwrap_or_else(|| "1".into());
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(h.name.as_bytes()),
            text.parse(),
        ) {
            out.headers_mut().insert(name, value);
        }
    }
    out
}

fn empty(status: u16) -> Response {
    StatusCode::from_u16(status)
        .unwrap_or(StatusCode::BAD_REQUEST)
        .into_response()
}

fn valid(mock: &Mock, schema: generator::ir::SchemaId, value: &Value) -> bool {
    mock.model
        .validator_of(schema)
        .is_none_or(|v| v.is_valid(value))
}

/// A parameter's text as the JSON value its schema means (`7` an integer, `true` a boolean).
fn typed(mock: &Mock, schema: Option<generator::ir::SchemaId>, text: &str) -> Value {
    let Some(s) = schema.map(|s| mock.model.api.schema(s)) else {
        return Value::String(text.into());
    };
    match s.types.iter().find(|t| **t != JsonType::Null) {
        Some(JsonType::Integer) => text
            .parse::<i64>()
            .map_or_else(|_| Value::String(text.into()), Value::from),
        Some(JsonType::Number) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.into()), Value::Number),
        Some(JsonType::Boolean) => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.into()),
        },
        Some(JsonType::Array) => {
            Value::Array(text.split(',').map(|t| typed(mock, s.items, t)).collect())
        }
        _ => Value::String(text.into()),
    }
}

async fn handle(
    axum::extract::State(mock): axum::extract::State<Arc<Mock>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let model = mock.model.clone();
    let path = uri.path().to_string();
    let Some((op, path_params)) = model.find_with_params(method.as_str(), &path) else {
        let allowed: Vec<&str> = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"]
            .into_iter()
            .filter(|m| model.find(m, &path).is_some())
            .collect();
        if allowed.is_empty() {
            return empty(404);
        }
        let mut out = empty(405);
        if let Ok(v) = allowed.join(", ").parse() {
            out.headers_mut().insert(header::ALLOW, v);
        }
        return out;
    };
    let interaction = Interaction {
        method: method.to_string(),
        url: format!("http://mock{uri}"),
        request_headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        request_body: String::new(),
        status: 0,
        response_headers: Vec::new(),
        response_body: String::new(),
        recorded_at: String::new(),
    };
    if !op.requirements.is_empty() && !crate::sequence::has_credentials(&model, op, &interaction) {
        return reply(&mock, op, documented_status(op, 401));
    }
    let query: Vec<(String, String)> = uri.query().map(url_pairs).unwrap_or_default();
    for p in &op.parameters {
        let text: Option<String> = match p.location {
            ParamLocation::Path => path_params
                .iter()
                .find(|(n, _)| *n == p.name.wire)
                .map(|(_, v)| v.clone()),
            ParamLocation::Query => {
                let values: Vec<&str> = query
                    .iter()
                    .filter(|(k, _)| *k == p.name.wire)
                    .map(|(_, v)| v.as_str())
                    .collect();
                (!values.is_empty()).then(|| values.join(","))
            }
            ParamLocation::Header => headers
                .get(p.name.wire.as_str())
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            ParamLocation::Cookie => headers
                .get(header::COOKIE)
                .and_then(|v| v.to_str().ok())
                .and_then(|c| {
                    c.split(';').find_map(|kv| {
                        kv.trim()
                            .strip_prefix(&format!("{}=", p.name.wire))
                            .map(str::to_string)
                    })
                }),
        };
        match (text, p.schema) {
            (None, _) if p.required => return reply(&mock, op, documented_status(op, 400)),
            (Some(text), Some(schema))
                if !valid(&mock, schema, &typed(&mock, Some(schema), &text)) =>
            {
                return reply(&mock, op, documented_status(op, 400));
            }
            _ => {}
        }
    }
    if let Some(b) = &op.body {
        let content_type = crate::check::media(
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
        );
        match content_type {
            None if body.is_empty() => {
                if b.required {
                    return reply(&mock, op, documented_status(op, 400));
                }
            }
            Some(ct) => {
                let Some(media) = b
                    .content
                    .iter()
                    .find(|m| m.media_type.eq_ignore_ascii_case(&ct) || m.media_type == "*/*")
                else {
                    return reply(&mock, op, documented_status(op, 415));
                };
                let value = if ct.contains("json") {
                    let Ok(value) = serde_json::from_slice::<Value>(&body) else {
                        return reply(&mock, op, documented_status(op, 400));
                    };
                    Some(value)
                } else if ct == "application/x-www-form-urlencoded" {
                    // Fields as the types their properties declare.
                    let fields = url_pairs(&String::from_utf8_lossy(&body));
                    let properties = media
                        .schema
                        .map(|s| mock.model.api.schemas.all_properties(s))
                        .unwrap_or_default();
                    let object: serde_json::Map<String, Value> = fields
                        .into_iter()
                        .map(|(k, v)| {
                            let schema = properties.iter().find(|(n, _)| *n == k).map(|(_, s)| *s);
                            let typed = typed(&mock, schema, &v);
                            (k, typed)
                        })
                        .collect();
                    Some(Value::Object(object))
                } else if ct == "multipart/form-data" {
                    let raw = headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    let boundary = raw
                        .split(';')
                        .find_map(|p| p.trim().strip_prefix("boundary="))
                        .map(|b| b.trim_matches('"').to_string());
                    let Some(boundary) = boundary else {
                        return reply(&mock, op, documented_status(op, 400));
                    };
                    Some(Value::Object(multipart_fields(
                        &String::from_utf8_lossy(&body),
                        &boundary,
                    )))
                } else {
                    None
                };
                if let (Some(value), Some(schema)) = (value, media.schema)
                    && !valid(&mock, schema, &value)
                {
                    return reply(&mock, op, documented_status(op, 400));
                }
            }
            None => return reply(&mock, op, documented_status(op, 415)),
        }
    }
    {
        let mut deleted = mock.deleted.lock().unwrap_or_else(|p| p.into_inner());
        if deleted.contains(&path) {
            if method == Method::GET || method == Method::DELETE {
                return reply(&mock, op, documented_status(op, 404));
            }
            if method == Method::PUT || method == Method::POST {
                deleted.remove(&path);
            }
        }
        if method == Method::DELETE {
            deleted.insert(path.clone());
        }
    }
    let status = op
        .responses
        .iter()
        .find_map(|r| {
            r.status
                .parse::<u16>()
                .ok()
                .filter(|s| (200..300).contains(s))
        })
        .unwrap_or(200);
    reply(&mock, op, status)
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://mock/?{query}"))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The parts of a `multipart/form-data` body, by name, as text (binary formats are text too).
fn multipart_fields(body: &str, boundary: &str) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for part in body.split(&format!("--{boundary}")) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head
            .split(';')
            .find_map(|p| p.trim().strip_prefix("name="))
            .map(|n| n.trim_matches('"').to_string())
        else {
            continue;
        };
        out.insert(
            name,
            Value::String(content.trim_end_matches("\r\n").to_string()),
        );
    }
    out
}
