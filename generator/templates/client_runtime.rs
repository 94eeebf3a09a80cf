//! The fixed part of every generated client: credentials, options, errors, request building,
//! sending with retries, and decoding by status. `client.rs` holds what the spec decides.
// Not every spec uses every encoder (cookies, forms, multipart, basic auth…).
#![allow(dead_code, clippy::result_large_err)]

use ::std::fmt;
use ::std::time::Duration;

use ::reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use ::reqwest::{Method, Url};
use ::serde::Serialize;
use ::serde::de::DeserializeOwned;

use super::{Client, Credentials, SERVERS};

/// A credential. Its `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for sending it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Timeouts, retries and limits.
#[derive(Clone, Debug)]
pub struct Options {
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// Retries after the first attempt, for idempotent methods only (GET, HEAD, PUT, DELETE,
    /// OPTIONS, TRACE).
    pub max_retries: u32,
    /// Largest response body read; a longer one is an error, not a truncation.
    pub max_response_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(30),
            max_retries: 2,
            max_response_bytes: 16 * 1024 * 1024,
        }
    }
}

/// A decoded response with its status and headers.
#[derive(Debug, Clone)]
pub struct ResponseValue<T> {
    /// HTTP status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The typed body.
    pub body: T,
}

/// Why a call failed. Every variant that saw a response keeps its status, headers and raw body.
#[derive(Debug)]
pub enum Error<E> {
    /// A status the operation documents as an error, with its typed body.
    Api(ResponseValue<E>),
    /// A status the operation does not document.
    UnexpectedStatus {
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    },
    /// A documented status with a content type other than the documented one.
    UnexpectedContentType {
        status: u16,
        headers: HeaderMap,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// A body that does not decode as the documented type.
    Decode {
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
        message: String,
    },
    /// A body longer than `Options::max_response_bytes`.
    BodyTooLarge { status: u16, limit: usize },
    /// The request could not be built (a bad base URL or an unencodable value).
    InvalidRequest(String),
    /// Connecting, sending or reading failed.
    Transport(::reqwest::Error),
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(r) => write!(f, "documented error status {}: {:?}", r.status, r.body),
            Error::UnexpectedStatus { status, body, .. } => {
                write!(
                    f,
                    "undocumented status {status} ({} body bytes)",
                    body.len()
                )
            }
            Error::UnexpectedContentType {
                status,
                content_type,
                ..
            } => write!(
                f,
                "status {status} came with undocumented content type {content_type:?}"
            ),
            Error::Decode {
                status, message, ..
            } => write!(f, "status {status} body does not decode: {message}"),
            Error::BodyTooLarge { status, limit } => {
                write!(f, "status {status} body is longer than {limit} bytes")
            }
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
        }
    }
}

impl<E: fmt::Debug> ::std::error::Error for Error<E> {}

impl<E> Error<E> {
    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(r) => Some(r.status),
            Error::UnexpectedStatus { status, .. }
            | Error::UnexpectedContentType { status, .. }
            | Error::Decode { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            Error::InvalidRequest(_) => None,
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
        }
    }
}

/// A credential of one of the spec's security schemes, and where it goes.
pub(super) enum Auth<'a> {
    /// `Authorization: Bearer …` (bearer and OAuth2 / OpenID Connect schemes).
    Bearer(&'a Secret),
    /// `Authorization: Basic …` from a user name and password.
    Basic(&'a (String, Secret)),
    /// An API key in the named header.
    Header(&'static str, &'a Secret),
    /// An API key in the named query parameter.
    Query(&'static str, &'a Secret),
    /// An API key in the named cookie.
    Cookie(&'static str, &'a Secret),
}

/// A request body, encoded once so retries resend the same bytes.
enum Body {
    Empty,
    Bytes(Vec<u8>, &'static str),
    Multipart(::reqwest::multipart::Form),
}

impl Body {
    /// A copy for a retry (a multipart form is never retried).
    fn for_retry(&self) -> Body {
        match self {
            Body::Bytes(bytes, content_type) => Body::Bytes(bytes.clone(), content_type),
            Body::Empty | Body::Multipart(_) => Body::Empty,
        }
    }
}

/// A request being built: method, URL, headers, cookies and body.
pub(super) struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
    cookies: Vec<String>,
    body: Body,
}

impl Request {
    /// Appends one query pair.
    pub(super) fn query(&mut self, name: &str, value: impl AsRef<str>) {
        self.url.query_pairs_mut().append_pair(name, value.as_ref());
    }

    /// Appends a `deepObject` query parameter: one `name[field]` pair per field of `value`.
    pub(super) fn deep_object(&mut self, name: &str, value: &impl Serialize) {
        if let Ok(::serde_json::Value::Object(fields)) = ::serde_json::to_value(value) {
            for (field, value) in fields {
                self.query(&format!("{name}[{field}]"), json_text(&value));
            }
        }
    }

    /// Sets a header from a parameter value.
    pub(super) fn header<E>(&mut self, name: &str, value: impl AsRef<str>) -> Result<(), Error<E>> {
        let invalid = |e: &dyn fmt::Display| Error::InvalidRequest(format!("header {name}: {e}"));
        let key = HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(&e))?;
        let value = HeaderValue::from_str(value.as_ref()).map_err(|e| invalid(&e))?;
        self.headers.insert(key, value);
        Ok(())
    }

    /// Adds one cookie.
    pub(super) fn cookie(&mut self, name: &str, value: impl fmt::Display) {
        self.cookies.push(format!("{name}={value}"));
    }

    /// Adds the credential, when one of the operation's schemes is set.
    pub(super) fn auth<E>(&mut self, auth: Option<Auth<'_>>) -> Result<(), Error<E>> {
        match auth {
            None => Ok(()),
            Some(Auth::Bearer(s)) => {
                self.secret_header(header::AUTHORIZATION, &format!("Bearer {}", s.expose()))
            }
            Some(Auth::Basic((user, password))) => {
                let token = base64(format!("{user}:{}", password.expose()).as_bytes());
                self.secret_header(header::AUTHORIZATION, &format!("Basic {token}"))
            }
            Some(Auth::Header(name, s)) => {
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|e| Error::InvalidRequest(format!("header {name}: {e}")))?;
                self.secret_header(name, s.expose())
            }
            Some(Auth::Query(name, s)) => {
                self.query(name, s.expose());
                Ok(())
            }
            Some(Auth::Cookie(name, s)) => {
                self.cookie(name, s.expose());
                Ok(())
            }
        }
    }

    /// Sets a credential header, marked sensitive so it is never logged.
    fn secret_header<E>(&mut self, name: HeaderName, value: &str) -> Result<(), Error<E>> {
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            Error::InvalidRequest(format!(
                "the credential for {name} is not a valid header value"
            ))
        })?;
        value.set_sensitive(true);
        self.headers.insert(name, value);
        Ok(())
    }

    /// A JSON body.
    pub(super) fn json<E>(&mut self, body: &impl Serialize) -> Result<(), Error<E>> {
        let bytes = ::serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        self.body = Body::Bytes(bytes, "application/json");
        Ok(())
    }

    /// A form-encoded body.
    pub(super) fn form<E>(&mut self, body: &impl Serialize) -> Result<(), Error<E>> {
        let text = ::serde_urlencoded::to_string(body)
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        self.body = Body::Bytes(text.into_bytes(), "application/x-www-form-urlencoded");
        Ok(())
    }

    /// A body of raw bytes.
    pub(super) fn bytes(&mut self, body: Vec<u8>, content_type: &'static str) {
        self.body = Body::Bytes(body, content_type);
    }

    /// A multipart body (never retried).
    pub(super) fn multipart(&mut self, form: ::reqwest::multipart::Form) {
        self.body = Body::Multipart(form);
    }
}

/// A response as received, before decoding.
#[derive(Debug)]
pub(super) struct Raw {
    pub(super) status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Raw {
    fn content_type(&self) -> Option<String> {
        let value = self.headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
        Some(
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase(),
        )
    }

    fn decode_error<E>(&self, message: String) -> Error<E> {
        Error::Decode {
            status: self.status,
            headers: self.headers.clone(),
            body: self.body.clone(),
            message,
        }
    }

    /// The body as JSON of the documented type.
    pub(super) fn json<T: DeserializeOwned, E>(&self) -> Result<T, Error<E>> {
        match self.content_type() {
            Some(ct) if ct == "application/json" || ct.ends_with("+json") => {}
            // An empty body may legitimately come without a content type.
            None if self.body.is_empty() => {}
            content_type => {
                return Err(Error::UnexpectedContentType {
                    status: self.status,
                    headers: self.headers.clone(),
                    content_type,
                    body: self.body.clone(),
                });
            }
        }
        ::serde_json::from_slice(&self.body).map_err(|e| self.decode_error(e.to_string()))
    }

    /// The body as UTF-8 text.
    pub(super) fn text<E>(&self) -> Result<String, Error<E>> {
        String::from_utf8(self.body.clone()).map_err(|e| self.decode_error(e.to_string()))
    }

    /// The body's bytes.
    pub(super) fn bytes<E>(&self) -> Result<Vec<u8>, Error<E>> {
        Ok(self.body.clone())
    }

    /// No body.
    pub(super) fn empty<E>(&self) -> Result<(), Error<E>> {
        Ok(())
    }

    /// A documented success.
    pub(super) fn ok<T, E>(&self, body: Result<T, Error<E>>) -> Result<ResponseValue<T>, Error<E>> {
        Ok(self.value(body?))
    }

    /// A documented error.
    pub(super) fn err<T, E>(
        &self,
        body: Result<E, Error<E>>,
    ) -> Result<ResponseValue<T>, Error<E>> {
        Err(Error::Api(self.value(body?)))
    }

    /// A status the operation does not document.
    pub(super) fn unexpected<T, E>(self) -> Result<ResponseValue<T>, Error<E>> {
        Err(Error::UnexpectedStatus {
            status: self.status,
            headers: self.headers,
            body: self.body,
        })
    }

    fn value<T>(&self, body: T) -> ResponseValue<T> {
        ResponseValue {
            status: self.status,
            headers: self.headers.clone(),
            body,
        }
    }
}

impl Client {
    /// A client for `base_url` with default options.
    pub fn new(base_url: &str, credentials: Credentials) -> Result<Self, Error<()>> {
        Self::with_options(base_url, credentials, Options::default())
    }

    /// A client for the server whose description is `name` (case-insensitive), as listed in
    /// [`SERVERS`].
    pub fn for_server(name: &str, credentials: Credentials) -> Result<Self, Error<()>> {
        let (_, url) = SERVERS
            .iter()
            .find(|(description, _)| description.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<&str> = SERVERS.iter().map(|s| s.0).collect();
                Error::InvalidRequest(format!(
                    "no server is described as `{name}`; known: {known:?}"
                ))
            })?;
        Self::new(url, credentials)
    }

    /// A client with explicit options.
    pub fn with_options(
        base_url: &str,
        credentials: Credentials,
        options: Options,
    ) -> Result<Self, Error<()>> {
        let base = Url::parse(base_url)
            .map_err(|e| Error::InvalidRequest(format!("base url `{base_url}`: {e}")))?;
        let http = ::reqwest::Client::builder()
            .timeout(options.timeout)
            .build()
            .map_err(Error::Transport)?;
        Ok(Client {
            base,
            http,
            credentials,
            options,
        })
    }

    /// The credentials this client sends.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The options this client was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// A request to the path made of `segments` (each percent-encoded as one segment).
    pub(super) fn request(&self, method: Method, segments: &[&str]) -> Request {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            body: Body::Empty,
        }
    }

    /// Sends one request, retrying idempotent methods on connection failures, 429 and 502-504.
    pub(super) async fn send<E>(
        &self,
        operation: &'static str,
        mut request: Request,
    ) -> Result<Raw, Error<E>> {
        use ::tracing::Instrument as _;
        if !request.cookies.is_empty() {
            let value = HeaderValue::from_str(&request.cookies.join("; "))
                .map_err(|e| Error::InvalidRequest(format!("cookie: {e}")))?;
            request.headers.insert(header::COOKIE, value);
        }
        let Request {
            method,
            url,
            headers,
            body,
            ..
        } = request;
        let span =
            ::tracing::info_span!("http.call", operation, method = %method, path = %url.path());
        async move {
            let idempotent = matches!(
                method.as_str(),
                "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE"
            );
            let retries = if idempotent && !matches!(body, Body::Multipart(_)) {
                self.options.max_retries
            } else {
                0
            };
            let mut body = Some(body);
            let mut attempt = 0;
            loop {
                let mut builder = self
                    .http
                    .request(method.clone(), url.clone())
                    .headers(headers.clone());
                let this = if attempt < retries {
                    body.as_ref().map(Body::for_retry)
                } else {
                    body.take()
                };
                match this {
                    Some(Body::Bytes(bytes, content_type)) => {
                        builder = builder
                            .header(header::CONTENT_TYPE, content_type)
                            .body(bytes)
                    }
                    Some(Body::Multipart(form)) => builder = builder.multipart(form),
                    Some(Body::Empty) | None => {}
                }
                let outcome = builder.send().await;
                let delay = match &outcome {
                    Ok(r) if matches!(r.status().as_u16(), 429 | 502 | 503 | 504) => {
                        Some(retry_after(r.headers(), attempt))
                    }
                    Err(e) if e.is_connect() || e.is_timeout() => {
                        Some(retry_after(&HeaderMap::new(), attempt))
                    }
                    _ => None,
                };
                if let (Some(delay), true) = (delay, attempt < retries) {
                    ::tracing::debug!(attempt, ?delay, "retrying");
                    attempt += 1;
                    ::tokio::time::sleep(delay).await;
                    continue;
                }
                let mut response = outcome.map_err(Error::Transport)?;
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let limit = self.options.max_response_bytes;
                if response.content_length().is_some_and(|n| n > limit as u64) {
                    return Err(Error::BodyTooLarge { status, limit });
                }
                let mut bytes = Vec::new();
                while let Some(chunk) = response.chunk().await.map_err(Error::Transport)? {
                    if bytes.len() + chunk.len() > limit {
                        return Err(Error::BodyTooLarge { status, limit });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                ::tracing::debug!(status, bytes = bytes.len(), "response");
                return Ok(Raw {
                    status,
                    headers,
                    body: bytes,
                });
            }
        }
        .instrument(span)
        .await
    }
}

/// `Retry-After` in seconds (capped at 60), or exponential backoff from 200 ms.
fn retry_after(headers: &HeaderMap, attempt: u32) -> Duration {
    headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s.min(60)))
        .unwrap_or_else(|| Duration::from_millis(200 << attempt.min(6)))
}

/// Standard base64 with padding, for HTTP basic auth.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A value as parameter text: a JSON string's own text, any other value as JSON.
pub(super) fn json_text<T: Serialize + ?Sized>(value: &T) -> String {
    match ::serde_json::to_value(value) {
        Ok(::serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Items of an array that is not exploded, joined: commas (`form`, `simple`), spaces
/// (`spaceDelimited`) or pipes (`pipeDelimited`).
pub(super) fn joined<S: AsRef<str>>(items: impl IntoIterator<Item = S>, delimiter: char) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        out.push_str(item.as_ref());
    }
    out
}
