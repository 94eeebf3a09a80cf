//! The fixed part of every generated server: the request context, rejections, and the decoding
//! of path, query, header and cookie parameters. `server.rs` holds what the spec decides.
// Not every spec uses every decoder (cookies, deepObject, forms…).
#![allow(dead_code)]

use ::std::fmt;

use ::axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use ::axum::response::{IntoResponse, Response};
use ::serde::de::DeserializeOwned;

use super::super::support::Inspect;

/// One request on its way to its operation: what a route's handler receives.
pub struct Call<S> {
    pub service: ::std::sync::Arc<S>,
    pub ctx: Context,
    pub inputs: Inputs,
    pub body: ::axum::body::Bytes,
}

/// What a handler gives back: the encoded reply, or a refusal for [`super::Api::reject`].
pub type Outcome = Result<Response, Rejection>;

impl<S: super::Api> Call<S> {
    /// Names the operation in the context and, when it declares security, asks
    /// [`super::Api::authorize`] before anything is decoded.
    pub fn enter(
        mut self,
        operation: &'static str,
        security: &'static [&'static str],
    ) -> Result<Self, Rejection> {
        self.ctx.operation = operation;
        self.ctx.security = security;
        if !security.is_empty() {
            self.service.authorize(&self.ctx)?;
        }
        Ok(self)
    }
}

/// What the router knows about a request besides its typed inputs.
#[derive(Debug, Clone)]
pub struct Context {
    /// The operation's `operationId`.
    pub operation: &'static str,
    /// The security schemes the operation accepts (empty: none needed).
    pub security: &'static [&'static str],
    /// The request method.
    pub method: Method,
    /// The request path, as sent.
    pub path: String,
    /// The request headers.
    pub headers: HeaderMap,
}

impl Context {
    /// A header's value, when present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The token of an `Authorization: Bearer …` header.
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
    }

    /// A cookie's value.
    pub fn cookie(&self, name: &str) -> Option<String> {
        cookies(&self.headers).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// Why a request was refused before it reached the service, or by the service itself.
///
/// The router encodes it in the spec's error shape (see `error_body` in `server.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// HTTP status.
    pub status: u16,
    /// A sentence for people.
    pub message: String,
    /// `(where, what)` pairs: a parameter or JSON pointer, and what is wrong with it.
    pub details: Vec<(String, String)>,
}

impl Rejection {
    /// A rejection with no details.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Rejection { status, message: message.into(), details: Vec::new() }
    }

    /// Adds one `(where, what)` detail.
    pub fn with_detail(mut self, place: impl Into<String>, problem: impl Into<String>) -> Self {
        self.details.push((place.into(), problem.into()));
        self
    }

    /// A 400 about one input.
    pub(crate) fn invalid(place: impl Into<String>, problem: impl Into<String>) -> Self {
        let place = place.into();
        let problem = problem.into();
        Rejection::new(400, format!("invalid {place}: {problem}")).with_detail(place, problem)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

/// A request body the server does not decode (multipart, or a non-JSON media type).
#[derive(Debug, Clone, Default)]
pub struct RawBody {
    /// The `Content-Type` header, when sent.
    pub content_type: Option<String>,
    /// The bytes as received.
    pub bytes: Vec<u8>,
}

/// The decoded parts of a request that parameters come from.
pub(crate) struct Inputs {
    pub(crate) path: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
}

impl Inputs {
    pub(crate) fn new(path: Vec<(&'static str, String)>, query: Option<&str>, headers: HeaderMap) -> Result<Self, Rejection> {
        let query = match query {
            Some(q) => ::serde_urlencoded::from_str::<Vec<(String, String)>>(q).map_err(|e| Rejection::invalid("query string", e.to_string()))?,
            None => Vec::new(),
        };
        Ok(Inputs { path, query, headers })
    }

    pub(crate) fn path<T: DeserializeOwned + Inspect>(&self, name: &str) -> Result<T, Rejection> {
        let text = self.path.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str()).unwrap_or("");
        text_value(&format!("path parameter `{name}`"), text)
    }

    fn query_texts(&self, name: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    pub(crate) fn query<T: DeserializeOwned + Inspect>(&self, name: &str) -> Result<Option<T>, Rejection> {
        match self.query_texts(name).first() {
            Some(text) => text_value(&format!("query parameter `{name}`"), text).map(Some),
            None => Ok(None),
        }
    }

    /// `?name=a&name=b` (exploded) or `?name=a,b` (`a b`, `a|b` by the style's delimiter).
    pub(crate) fn query_array<T: DeserializeOwned + Inspect>(&self, name: &str, explode: bool, delimiter: char) -> Result<Option<Vec<T>>, Rejection> {
        let texts = self.query_texts(name);
        if texts.is_empty() {
            return Ok(None);
        }
        let place = format!("query parameter `{name}`");
        let items: Vec<&str> = if explode { texts } else { texts.iter().flat_map(|t| t.split(delimiter)).collect() };
        items.into_iter().map(|t| text_value(&place, t)).collect::<Result<Vec<T>, _>>().map(Some)
    }

    /// `?name[key]=value…` as an object.
    pub(crate) fn query_deep<T: DeserializeOwned + Inspect>(&self, name: &str) -> Result<Option<T>, Rejection> {
        let prefix = format!("{name}[");
        let mut object = ::serde_json::Map::new();
        for (k, v) in &self.query {
            if let Some(key) = k.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(']')) {
                object.insert(key.to_string(), scalar(v));
            }
        }
        if object.is_empty() {
            return Ok(None);
        }
        typed(&format!("query parameter `{name}`"), ::serde_json::Value::Object(object)).map(Some)
    }

    pub(crate) fn header<T: DeserializeOwned + Inspect>(&self, name: &str) -> Result<Option<T>, Rejection> {
        match self.headers.get(name) {
            Some(v) => {
                let text = v.to_str().map_err(|_| Rejection::invalid(format!("header `{name}`"), "not visible ASCII"))?;
                text_value(&format!("header `{name}`"), text).map(Some)
            }
            None => Ok(None),
        }
    }

    pub(crate) fn header_array<T: DeserializeOwned + Inspect>(&self, name: &str) -> Result<Option<Vec<T>>, Rejection> {
        match self.headers.get(name) {
            Some(v) => {
                let place = format!("header `{name}`");
                let text = v.to_str().map_err(|_| Rejection::invalid(&place, "not visible ASCII"))?;
                text.split(',').map(|t| text_value(&place, t.trim())).collect::<Result<Vec<T>, _>>().map(Some)
            }
            None => Ok(None),
        }
    }

    pub(crate) fn cookie<T: DeserializeOwned + Inspect>(&self, name: &str) -> Result<Option<T>, Rejection> {
        match cookies(&self.headers).into_iter().find(|(k, _)| k == name) {
            Some((_, text)) => text_value(&format!("cookie `{name}`"), &text).map(Some),
            None => Ok(None),
        }
    }
}

/// Turns a missing required input into a 400.
pub(crate) fn required<T>(place: &str, value: Option<T>) -> Result<T, Rejection> {
    value.ok_or_else(|| Rejection::invalid(place, "required but missing"))
}

/// A parameter's text as `T`: first as a JSON string (strings, enums, dates), then as JSON text
/// (numbers, booleans); an enum value the spec does not list is refused.
fn text_value<T: DeserializeOwned + Inspect>(place: &str, text: &str) -> Result<T, Rejection> {
    let value = match ::serde_json::from_value::<T>(::serde_json::Value::String(text.to_string())) {
        Ok(v) => v,
        Err(first) => ::serde_json::from_str::<T>(text).map_err(|_| Rejection::invalid(place, format!("`{text}`: {first}")))?,
    };
    known(place, value)
}

fn typed<T: DeserializeOwned + Inspect>(place: &str, value: ::serde_json::Value) -> Result<T, Rejection> {
    let value = ::serde_json::from_value::<T>(value).map_err(|e| Rejection::invalid(place, e.to_string()))?;
    known(place, value)
}

/// Refuses values that decoded only because generated enums accept unknown values.
pub(crate) fn known<T: Inspect>(place: &str, value: T) -> Result<T, Rejection> {
    let unknown = value.unknown_values();
    if unknown.is_empty() {
        return Ok(value);
    }
    let mut rejection = Rejection::new(400, format!("invalid {place}: {}", unknown[0]));
    for u in unknown {
        let at = if u.path.is_empty() { place.to_string() } else { u.path.clone() };
        rejection = rejection.with_detail(at, u.to_string());
    }
    Err(rejection)
}

fn scalar(text: &str) -> ::serde_json::Value {
    match ::serde_json::from_str::<::serde_json::Value>(text) {
        Ok(v @ (::serde_json::Value::Number(_) | ::serde_json::Value::Bool(_))) => v,
        _ => ::serde_json::Value::String(text.to_string()),
    }
}

fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

/// A JSON request body as `T`: `None` when empty, 415 for another media type, 400 when it does not decode.
pub(crate) fn json_body<T: DeserializeOwned + Inspect, S>(call: &Call<S>) -> Result<Option<T>, Rejection> {
    if call.body.is_empty() {
        return Ok(None);
    }
    match content_type(&call.ctx.headers) {
        Some(ct) if ct == "application/json" || ct.ends_with("+json") => {}
        None => {}
        Some(other) => return Err(Rejection::new(415, format!("expected an application/json body, got {other}"))),
    }
    let value = ::serde_json::from_slice::<T>(&call.body).map_err(|e| Rejection::invalid("request body", e.to_string()))?;
    known("request body", value).map(Some)
}

/// A JSON request body that must be an object (a struct): a JSON array, which serde would read
/// as the struct's fields in order, is refused.
pub(crate) fn json_object_body<T: DeserializeOwned + Inspect, S>(call: &Call<S>) -> Result<Option<T>, Rejection> {
    match json_body::<::serde_json::Value, S>(call)? {
        None => Ok(None),
        Some(value) if !value.is_object() => Err(Rejection::invalid("request body", "expected a JSON object".to_string())),
        Some(value) => typed("request body", value).map(Some),
    }
}

/// A form request body as `T`.
pub(crate) fn form_body<T: DeserializeOwned + Inspect, S>(call: &Call<S>) -> Result<Option<T>, Rejection> {
    if call.body.is_empty() {
        return Ok(None);
    }
    match content_type(&call.ctx.headers) {
        Some(ct) if ct == "application/x-www-form-urlencoded" => {}
        None => {}
        Some(other) => return Err(Rejection::new(415, format!("expected an application/x-www-form-urlencoded body, got {other}"))),
    }
    let value = ::serde_urlencoded::from_bytes::<T>(&call.body).map_err(|e| Rejection::invalid("request body", e.to_string()))?;
    known("request body", value).map(Some)
}

/// A body kept as bytes.
pub(crate) fn raw_body<S>(call: &Call<S>) -> Option<RawBody> {
    (!call.body.is_empty()).then(|| RawBody { content_type: content_type(&call.ctx.headers), bytes: call.body.to_vec() })
}

/// A JSON response.
pub(crate) fn json_response<T: ::serde::Serialize>(status: u16, content_type: &'static str, body: &T) -> Response {
    match ::serde_json::to_vec(body) {
        Ok(bytes) => bytes_response(status, content_type, bytes),
        Err(e) => bytes_response(500, "text/plain", format!("the response did not encode: {e}").into_bytes()),
    }
}

/// A response with a body of the given media type (none when `content_type` is empty).
pub(crate) fn bytes_response(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if content_type.is_empty() {
        response.headers_mut().remove(header::CONTENT_TYPE);
    } else {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response
}

/// `405` with the allowed methods.
pub(crate) fn not_allowed(mut response: Response, allowed: &[&str]) -> Response {
    if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}
