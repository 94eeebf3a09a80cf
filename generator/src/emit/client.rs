//! Emits `client.rs`: an async reqwest client with one method per operation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::models::shape_tokens_outside as shape_tokens;
use super::{docs, ident};
use crate::ir::names::{self, Scope};
use crate::ir::{
    Api, Media, Operation, ParamLocation, Parameter, Response, SecurityScheme, Shape, TypeKind,
};

/// The request body encodings the client can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyKind {
    Json,
    Form,
    Multipart,
    Bytes,
}

pub(super) fn body_kind(media: &str) -> BodyKind {
    let media = media.to_ascii_lowercase();
    if media == "application/json" || media.ends_with("+json") || media == "*/*" {
        BodyKind::Json
    } else if media == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if media.starts_with("multipart/") {
        BodyKind::Multipart
    } else {
        BodyKind::Bytes
    }
}

/// How a response body is decoded.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Decode {
    Empty,
    Json(Shape, String),
    Text(String),
    Bytes(String),
}

pub(super) fn decode_of(response: &Response) -> Decode {
    let json = response
        .content
        .iter()
        .find(|Media { media_type: m, .. }| matches!(body_kind(m), BodyKind::Json));
    if let Some(Media {
        media_type: media,
        shape,
        ..
    }) = json
    {
        return Decode::Json(shape.clone(), media.clone());
    }
    match response.content.first() {
        None => Decode::Empty,
        Some(Media {
            media_type: media, ..
        }) if media.starts_with("text/") => Decode::Text(media.clone()),
        Some(Media {
            media_type: media, ..
        }) => Decode::Bytes(media.clone()),
    }
}

pub(super) fn decode_type(api: &Api, decode: &Decode) -> TokenStream {
    match decode {
        Decode::Empty => quote!(()),
        Decode::Json(shape, _) => shape_tokens(api, shape),
        Decode::Text(_) => quote!(String),
        Decode::Bytes(_) => quote!(Vec<u8>),
    }
}

fn decode_expr(api: &Api, decode: &Decode) -> TokenStream {
    match decode {
        Decode::Empty => quote!(()),
        Decode::Json(shape, _) => {
            let t = shape_tokens(api, shape);
            quote!(__raw.json::<#t, _>()?)
        }
        Decode::Text(_) => quote!(__raw.text()?),
        Decode::Bytes(_) => quote!(__raw.body.clone()),
    }
}

/// True when a value of this shape goes into a URL or header through `Display`.
fn displayable(api: &Api, shape: &Shape) -> bool {
    match shape {
        Shape::String
        | Shape::DateTime
        | Shape::Date
        | Shape::Decimal
        | Shape::Integer(_)
        | Shape::Number(_)
        | Shape::Boolean => true,
        Shape::Named(id) => match &api.ty(*id).kind {
            TypeKind::Enum { .. } => true,
            TypeKind::Alias(inner) => displayable(api, inner),
            _ => false,
        },
        _ => false,
    }
}

fn is_copy(shape: &Shape) -> bool {
    matches!(shape, Shape::Integer(_) | Shape::Number(_) | Shape::Boolean)
}

/// The argument type of a parameter.
fn param_type(api: &Api, p: &Parameter) -> TokenStream {
    let base = match &p.shape {
        Shape::String => quote!(&str),
        // A number in a URL is text either way; callers pass a plain float.
        Shape::Number(t) => {
            let t = proc_macro2::Ident::new(t, proc_macro2::Span::call_site());
            quote!(#t)
        }
        Shape::Array(inner) => {
            let t = shape_tokens(api, inner);
            quote!(&[#t])
        }
        s if is_copy(s) => shape_tokens(api, s),
        s => {
            let t = shape_tokens(api, s);
            quote!(&#t)
        }
    };
    if p.required {
        base
    } else {
        quote!(Option<#base>)
    }
}

/// Code for `v` (a parameter value) as something that is `AsRef<str>`: the `&str` itself for
/// strings, `to_string()` for other displayable values, JSON text for the rest.
fn value_expr(api: &Api, shape: &Shape, v: &TokenStream) -> TokenStream {
    match shape {
        Shape::String => quote!(#v),
        s if displayable(api, s) => quote!(#v.to_string()),
        _ => quote!(__json_text(&#v)),
    }
}

/// Code that turns `v` (the parameter value, unwrapped from any `Option`) into its text form.
fn to_text(api: &Api, shape: &Shape, v: &TokenStream) -> TokenStream {
    if displayable(api, shape) {
        quote!(#v.to_string())
    } else {
        quote!(__json_text(&#v))
    }
}

/// Client types and methods for every operation.
pub fn emit(api: &Api) -> TokenStream {
    let mut op_types = Scope::default();
    let mut extra_types = Vec::new();
    let mut methods = Vec::new();
    for op in &api.operations {
        let (method, types) = emit_operation(api, op, &mut op_types);
        methods.push(method);
        extra_types.push(types);
    }
    let servers = api.servers.iter().map(|s| {
        let mut url = s.url.clone();
        for (name, default, _) in &s.variables {
            url = url.replace(&format!("{{{name}}}"), default);
        }
        let description = s.description.clone().unwrap_or_else(|| url.clone());
        quote!((#description, #url))
    });
    let credential_fields = api.security_schemes.iter().map(|(name, scheme)| {
        let field = ident(&names::snake(name));
        let doc = match scheme {
            SecurityScheme::Bearer => {
                format!(" `{name}`: a bearer token, sent as `Authorization: Bearer …`.")
            }
            SecurityScheme::Basic => {
                format!(" `{name}`: a user name and password, sent as HTTP basic auth.")
            }
            SecurityScheme::ApiKey {
                name: key,
                location,
            } => format!(" `{name}`: an API key, sent in the `{key}` {location}."),
            SecurityScheme::OAuth2 => format!(
                " `{name}`: an OAuth2 / OpenID Connect access token, sent as a bearer token."
            ),
        };
        let ty = match scheme {
            SecurityScheme::Basic => quote!(Option<(String, Secret)>),
            _ => quote!(Option<Secret>),
        };
        quote! {
            #[doc = #doc]
            pub #field: #ty,
        }
    });
    quote! {
        #![allow(clippy::too_many_arguments, clippy::large_enum_variant, clippy::result_large_err)]

        /// The servers the spec lists, as (description, URL), server variables at their defaults.
        pub const SERVERS: &[(&str, &str)] = &[#(#servers),*];

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

        impl ::std::fmt::Debug for Secret {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str("Secret([redacted])")
            }
        }

        /// Credentials for the security schemes the spec declares; each operation uses the first
        /// of its schemes that is set.
        #[derive(Clone, Debug, Default)]
        pub struct Credentials {
            #(#credential_fields)*
        }

        /// Timeouts, retries and limits.
        #[derive(Clone, Debug)]
        pub struct Options {
            /// Per-attempt timeout.
            pub timeout: ::std::time::Duration,
            /// Retries after the first attempt, for idempotent methods only (GET, HEAD, PUT, DELETE, OPTIONS, TRACE).
            pub max_retries: u32,
            /// Largest response body read; a longer one is an error, not a truncation.
            pub max_response_bytes: usize,
        }

        impl Default for Options {
            fn default() -> Self {
                Options { timeout: ::std::time::Duration::from_secs(30), max_retries: 2, max_response_bytes: 16 * 1024 * 1024 }
            }
        }

        /// A decoded response with its status and headers.
        #[derive(Debug, Clone)]
        pub struct ResponseValue<T> {
            /// HTTP status code.
            pub status: u16,
            /// Response headers.
            pub headers: ::reqwest::header::HeaderMap,
            /// The typed body.
            pub body: T,
        }

        /// Why a call failed. Every variant that saw a response keeps its status, headers and raw body.
        #[derive(Debug)]
        pub enum Error<E> {
            /// A status the operation documents as an error, with its typed body.
            Api(ResponseValue<E>),
            /// A status the operation does not document.
            UnexpectedStatus { status: u16, headers: ::reqwest::header::HeaderMap, body: Vec<u8> },
            /// A documented status with a content type other than the documented one.
            UnexpectedContentType { status: u16, headers: ::reqwest::header::HeaderMap, content_type: Option<String>, body: Vec<u8> },
            /// A body that does not decode as the documented type.
            Decode { status: u16, headers: ::reqwest::header::HeaderMap, body: Vec<u8>, message: String },
            /// A body longer than `Options::max_response_bytes`.
            BodyTooLarge { status: u16, limit: usize },
            /// The request could not be built (a bad base URL or an unencodable value).
            InvalidRequest(String),
            /// Connecting, sending or reading failed.
            Transport(::reqwest::Error),
        }

        impl<E: ::std::fmt::Debug> ::std::fmt::Display for Error<E> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    Error::Api(r) => write!(f, "documented error status {}: {:?}", r.status, r.body),
                    Error::UnexpectedStatus { status, body, .. } => write!(f, "undocumented status {status} ({} body bytes)", body.len()),
                    Error::UnexpectedContentType { status, content_type, .. } => write!(f, "status {status} came with undocumented content type {content_type:?}"),
                    Error::Decode { status, message, .. } => write!(f, "status {status} body does not decode: {message}"),
                    Error::BodyTooLarge { status, limit } => write!(f, "status {status} body is longer than {limit} bytes"),
                    Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
                    Error::Transport(e) => write!(f, "transport error: {e}"),
                }
            }
        }

        impl<E: ::std::fmt::Debug> ::std::error::Error for Error<E> {}

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

        /// A response as received, before decoding.
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Raw {
            status: u16,
            headers: ::reqwest::header::HeaderMap,
            body: Vec<u8>,
        }

        #[allow(dead_code)]
        impl Raw {
            fn content_type(&self) -> Option<String> {
                self.headers.get(::reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            }

            fn json<T: ::serde::de::DeserializeOwned, E>(&self) -> Result<T, Error<E>> {
                match self.content_type() {
                    Some(ct) if ct == "application/json" || ct.ends_with("+json") => {}
                    // An empty body may legitimately come without a content type.
                    None if self.body.is_empty() => {}
                    other => {
                        return Err(Error::UnexpectedContentType { status: self.status, headers: self.headers.clone(), content_type: other, body: self.body.clone() });
                    }
                }
                ::serde_json::from_slice(&self.body).map_err(|e| Error::Decode { status: self.status, headers: self.headers.clone(), body: self.body.clone(), message: e.to_string() })
            }

            fn text<E>(&self) -> Result<String, Error<E>> {
                String::from_utf8(self.body.clone()).map_err(|e| Error::Decode { status: self.status, headers: self.headers.clone(), body: self.body.clone(), message: e.to_string() })
            }

            fn value<T>(&self, body: T) -> ResponseValue<T> {
                ResponseValue { status: self.status, headers: self.headers.clone(), body }
            }

            fn unexpected<E>(self) -> Error<E> {
                Error::UnexpectedStatus { status: self.status, headers: self.headers, body: self.body }
            }
        }

        /// A request body, encoded once so retries resend the same bytes.
        #[allow(dead_code)]
        enum Body {
            Empty,
            Bytes(Vec<u8>, &'static str),
            Multipart(::reqwest::multipart::Form),
        }

        /// Adds a header from a parameter value.
        #[allow(dead_code)]
        fn __header<E>(headers: &mut ::reqwest::header::HeaderMap, name: &str, value: impl AsRef<str>) -> Result<(), Error<E>> {
            let name = ::reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|e| Error::InvalidRequest(format!("header {name}: {e}")))?;
            let value = ::reqwest::header::HeaderValue::from_str(value.as_ref()).map_err(|e| Error::InvalidRequest(format!("header {name}: {e}")))?;
            headers.insert(name, value);
            Ok(())
        }

        /// Appends one query pair.
        #[allow(dead_code)]
        fn __query(url: &mut ::reqwest::Url, name: &str, value: impl AsRef<str>) {
            url.query_pairs_mut().append_pair(name, value.as_ref());
        }

        /// Adds a credential header, marked sensitive so it is never logged.
        #[allow(dead_code)]
        fn __secret_header<E>(headers: &mut ::reqwest::header::HeaderMap, name: ::reqwest::header::HeaderName, value: &str) -> Result<(), Error<E>> {
            let mut value = ::reqwest::header::HeaderValue::from_str(value).map_err(|_| Error::InvalidRequest(format!("the credential for {name} is not a valid header value")))?;
            value.set_sensitive(true);
            headers.insert(name, value);
            Ok(())
        }

        /// Standard base64 with padding, for HTTP basic auth.
        #[allow(dead_code)]
        fn __base64(input: &[u8]) -> String {
            const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
            for chunk in input.chunks(3) {
                let n = (u32::from(chunk[0]) << 16) | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8) | u32::from(*chunk.get(2).unwrap_or(&0));
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

        #[allow(dead_code)]
        fn __json_text<T: ::serde::Serialize>(value: &T) -> String {
            match ::serde_json::to_value(value) {
                Ok(::serde_json::Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(_) => String::new(),
            }
        }

        /// The API client. Cheap to clone; clones share one connection pool.
        #[derive(Clone, Debug)]
        #[allow(dead_code)]
        pub struct Client {
            base: ::reqwest::Url,
            http: ::reqwest::Client,
            credentials: Credentials,
            options: Options,
        }

        impl Client {
            /// A client for `base_url` with default options.
            pub fn new(base_url: &str, credentials: Credentials) -> Result<Self, Error<()>> {
                Self::with_options(base_url, credentials, Options::default())
            }

            /// A client for the server whose description is `name` (case-insensitive), such as "Production" or "Sandbox".
            pub fn for_server(name: &str, credentials: Credentials) -> Result<Self, Error<()>> {
                let (_, url) = SERVERS
                    .iter()
                    .find(|(description, _)| description.eq_ignore_ascii_case(name))
                    .ok_or_else(|| Error::InvalidRequest(format!("no server is described as `{name}`; known: {:?}", SERVERS.iter().map(|s| s.0).collect::<Vec<_>>())))?;
                Self::new(url, credentials)
            }

            /// A client with explicit options.
            pub fn with_options(base_url: &str, credentials: Credentials, options: Options) -> Result<Self, Error<()>> {
                let base = ::reqwest::Url::parse(base_url).map_err(|e| Error::InvalidRequest(format!("base url `{base_url}`: {e}")))?;
                let http = ::reqwest::Client::builder().timeout(options.timeout).build().map_err(Error::Transport)?;
                Ok(Client { base, http, credentials, options })
            }

            /// The URL for a path made of already-expanded segments.
            #[allow(dead_code)]
            fn url(&self, segments: &[String]) -> ::reqwest::Url {
                let mut url = self.base.clone();
                if let Ok(mut path) = url.path_segments_mut() {
                    path.pop_if_empty();
                    for segment in segments {
                        path.push(segment);
                    }
                }
                url
            }

            /// Sends one request, retrying idempotent methods on connection failures, 429 and 502-504.
            #[allow(dead_code)]
            async fn send<E>(&self, operation: &'static str, method: ::reqwest::Method, url: ::reqwest::Url, headers: ::reqwest::header::HeaderMap, body: Body) -> Result<Raw, Error<E>> {
                use ::tracing::Instrument as _;
                let span = ::tracing::info_span!("http.call", operation, method = %method, path = %url.path());
                async move {
                    let idempotent = matches!(method.as_str(), "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE");
                    let retries = if idempotent && !matches!(body, Body::Multipart(_)) { self.options.max_retries } else { 0 };
                    let mut body = Some(body);
                    let mut attempt = 0;
                    loop {
                        let mut request = self.http.request(method.clone(), url.clone()).headers(headers.clone());
                        match if attempt < retries { body.as_ref().map(clone_body) } else { body.take() } {
                            Some(Body::Bytes(bytes, content_type)) => request = request.header(::reqwest::header::CONTENT_TYPE, content_type).body(bytes),
                            Some(Body::Multipart(form)) => request = request.multipart(form),
                            Some(Body::Empty) | None => {}
                        }
                        let outcome = request.send().await;
                        let retry_after = match &outcome {
                            Ok(r) if matches!(r.status().as_u16(), 429 | 502 | 503 | 504) => Some(retry_after(r.headers(), attempt)),
                            Err(e) if e.is_connect() || e.is_timeout() => Some(retry_after(&::reqwest::header::HeaderMap::new(), attempt)),
                            _ => None,
                        };
                        if let (Some(delay), true) = (retry_after, attempt < retries) {
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
                        return Ok(Raw { status, headers, body: bytes });
                    }
                }
                .instrument(span)
                .await
            }

            #(#methods)*
        }

        #[allow(dead_code)]
        fn clone_body(body: &Body) -> Body {
            match body {
                Body::Bytes(bytes, content_type) => Body::Bytes(bytes.clone(), content_type),
                Body::Empty | Body::Multipart(_) => Body::Empty,
            }
        }

        /// `Retry-After` in seconds (capped at 60), or exponential backoff from 200 ms.
        #[allow(dead_code)]
        fn retry_after(headers: &::reqwest::header::HeaderMap, attempt: u32) -> ::std::time::Duration {
            headers
                .get(::reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| ::std::time::Duration::from_secs(s.min(60)))
                .unwrap_or_else(|| ::std::time::Duration::from_millis(200 << attempt.min(6)))
        }

        #(#extra_types)*
    }
}

fn status_pattern(status: &str) -> Option<TokenStream> {
    if let Ok(code) = status.parse::<u16>() {
        return Some(quote!(#code));
    }
    let bytes = status.as_bytes();
    if bytes.len() == 3 && bytes[1] == b'X' && bytes[2] == b'X' {
        let hundred = u16::from(bytes[0] - b'0') * 100;
        let top = hundred + 99;
        return Some(quote!(#hundred..=#top));
    }
    None
}

fn emit_operation(api: &Api, op: &Operation, op_types: &mut Scope) -> (TokenStream, TokenStream) {
    let method_name = ident(&op.name.rust);
    let base = names::pascal(&op.name.rust);
    let success_name = format_ident!("{}", op_types.claim(format!("{base}Success")));
    let error_name = format_ident!("{}", op_types.claim(format!("{base}Error")));
    let wire_id = &op.name.wire;
    let http_method = format_ident!("{}", op.method);

    // Arguments: path, then required query/header/cookie, then the body, then optional ones.
    let mut params: Vec<&Parameter> = op.parameters.iter().collect();
    params.sort_by_key(|p| (p.location != ParamLocation::Path, !p.required));
    let mut args = Vec::new();
    for p in &params {
        let name = ident(&p.name.rust);
        let ty = param_type(api, p);
        args.push(quote!(#name: #ty));
    }

    // Path segments.
    let segments = op.path.split('/').filter(|s| !s.is_empty()).map(|segment| {
        if !segment.contains('{') {
            return quote!(#segment.to_string());
        }
        let mut format = String::new();
        let mut values = Vec::new();
        let mut rest = segment;
        while let Some(open) = rest.find('{') {
            format.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let wire = &rest[open + 1..open + close];
            format.push_str("{}");
            let param = op
                .parameters
                .iter()
                .find(|p| p.location == ParamLocation::Path && p.name.wire == wire);
            if segment == format!("{{{wire}}}") {
                // The whole segment is one parameter: its text, with no format! around it.
                return match param {
                    Some(p) => {
                        let arg = ident(&p.name.rust);
                        to_text(api, &p.shape, &quote!(#arg))
                    }
                    None => quote!(String::new()),
                };
            }
            let value = match param {
                Some(p) if displayable(api, &p.shape) => {
                    let arg = ident(&p.name.rust);
                    quote!(#arg)
                }
                Some(p) => {
                    let arg = ident(&p.name.rust);
                    quote!(__json_text(&#arg))
                }
                None => quote!(""),
            };
            values.push(value);
            rest = &rest[open + close + 1..];
        }
        format.push_str(&rest.replace('{', "{{").replace('}', "}}"));
        quote!(format!(#format, #(#values),*))
    });

    let mut query = Vec::new();
    let mut header_lines = Vec::new();
    let mut cookies = Vec::new();
    for p in &params {
        let arg = ident(&p.name.rust);
        let wire = &p.name.wire;
        let value = quote!(__v);
        let (inner_shape, is_array) = match &p.shape {
            Shape::Array(inner) => (&**inner, true),
            other => (other, false),
        };
        let item = value_expr(api, inner_shape, &value);
        let push = match (p.location, is_array) {
            (ParamLocation::Query, true) if p.explode => quote! {
                for __v in __value.iter() { __query(&mut __url, #wire, #item); }
            },
            (ParamLocation::Query, true) => quote! {
                let __joined: Vec<String> = __value.iter().map(|__v| ::std::string::ToString::to_string(&#item)).collect();
                __query(&mut __url, #wire, __joined.join(","));
            },
            (ParamLocation::Query, false) if p.style == "deepObject" => quote! {
                let __fields = ::serde_json::to_value(__value).ok().and_then(|__v| __v.as_object().cloned()).unwrap_or_default();
                for (__k, __field) in __fields {
                    __query(&mut __url, &format!("{}[{}]", #wire, __k), __json_text(&__field));
                }
            },
            (ParamLocation::Query, false) => {
                let text = value_expr(api, inner_shape, &quote!(__value));
                quote!(__query(&mut __url, #wire, #text);)
            }
            (ParamLocation::Header, _) => {
                let text = if is_array {
                    quote!(__value.iter().map(|__v| ::std::string::ToString::to_string(&#item)).collect::<Vec<_>>().join(","))
                } else {
                    value_expr(api, inner_shape, &quote!(__value))
                };
                quote!(__header(&mut __headers, #wire, #text)?;)
            }
            (ParamLocation::Cookie, _) => {
                let text = if displayable(api, inner_shape) {
                    quote!(__value)
                } else {
                    quote!(__json_text(&__value))
                };
                quote!(__cookies.push(format!("{}={}", #wire, #text));)
            }
            (ParamLocation::Path, _) => continue,
        };
        let wrapped = if p.required {
            quote! { { let __value = #arg; #push } }
        } else {
            quote! { if let Some(__value) = #arg { #push } }
        };
        match p.location {
            ParamLocation::Query => query.push(wrapped),
            ParamLocation::Header => header_lines.push(wrapped),
            ParamLocation::Cookie => cookies.push(wrapped),
            ParamLocation::Path => {}
        }
    }

    // Body.
    let mut body_arg = None;
    let body_expr = match &op.body {
        None => quote!(Body::Empty),
        Some(body) => {
            let chosen = body
                .content
                .iter()
                .min_by_key(|Media { media_type: m, .. }| match body_kind(m) {
                    BodyKind::Json => 0,
                    BodyKind::Form => 1,
                    BodyKind::Multipart => 2,
                    BodyKind::Bytes => 3,
                })
                .cloned();
            match chosen {
                None => quote!(Body::Empty),
                Some(Media {
                    media_type: media,
                    shape,
                    ..
                }) => {
                    let (ty, expr) = match body_kind(&media) {
                        BodyKind::Json => {
                            let t = shape_tokens(api, &shape);
                            (
                                quote!(&#t),
                                quote!(Body::Bytes(
                                    ::serde_json::to_vec(body)
                                        .map_err(|e| Error::InvalidRequest(e.to_string()))?,
                                    "application/json"
                                )),
                            )
                        }
                        BodyKind::Form => {
                            let t = shape_tokens(api, &shape);
                            (
                                quote!(&#t),
                                quote!(Body::Bytes(
                                    ::serde_urlencoded::to_string(body)
                                        .map_err(|e| Error::InvalidRequest(e.to_string()))?
                                        .into_bytes(),
                                    "application/x-www-form-urlencoded"
                                )),
                            )
                        }
                        BodyKind::Multipart => (
                            quote!(::reqwest::multipart::Form),
                            quote!(Body::Multipart(body)),
                        ),
                        BodyKind::Bytes => (quote!(Vec<u8>), quote!(Body::Bytes(body, #media))),
                    };
                    let ty = if body.required {
                        ty
                    } else {
                        quote!(Option<#ty>)
                    };
                    body_arg = Some(quote!(body: #ty));
                    if body.required {
                        expr
                    } else {
                        quote!(match body { Some(body) => #expr, None => Body::Empty })
                    }
                }
            }
        }
    };
    let body_args: Vec<TokenStream> = body_arg.into_iter().collect();
    let (required_args, optional_args): (Vec<_>, Vec<_>) = args
        .into_iter()
        .zip(&params)
        .partition(|(_, p)| p.required || p.location == ParamLocation::Path);
    let required_args = required_args.into_iter().map(|(a, _)| a);
    let optional_args = optional_args.into_iter().map(|(a, _)| a);

    // Auth: the first of the operation's schemes that has credentials.
    let mut auth_chain = Vec::new();
    for scheme_name in &op.security {
        let Some(scheme) = api.security_schemes.get(scheme_name) else {
            continue;
        };
        let field = ident(&names::snake(scheme_name));
        let apply = match scheme {
            SecurityScheme::Bearer | SecurityScheme::OAuth2 => quote! {
                __secret_header(&mut __headers, ::reqwest::header::AUTHORIZATION, &format!("Bearer {}", __s.expose()))?;
            },
            SecurityScheme::Basic => quote! {
                let (__user, __password) = __s;
                let __token = __base64(format!("{}:{}", __user, __password.expose()).as_bytes());
                __secret_header(&mut __headers, ::reqwest::header::AUTHORIZATION, &format!("Basic {__token}"))?;
            },
            SecurityScheme::ApiKey { name, location } if location == "query" => quote! {
                __url.query_pairs_mut().append_pair(#name, __s.expose());
            },
            SecurityScheme::ApiKey { name, location } if location == "cookie" => quote! {
                __cookies.push(format!("{}={}", #name, __s.expose()));
            },
            SecurityScheme::ApiKey { name, .. } => quote! {
                let __name = ::reqwest::header::HeaderName::from_bytes(#name.as_bytes()).map_err(|e| Error::InvalidRequest(format!("header {}: {e}", #name)))?;
                __secret_header(&mut __headers, __name, __s.expose())?;
            },
        };
        auth_chain.push(quote!(if let Some(__s) = &self.credentials.#field { #apply }));
    }
    let auth = if auth_chain.is_empty() {
        quote!()
    } else {
        let mut chain = auth_chain.into_iter();
        let first = chain.next().expect("non-empty");
        quote!(#first #(else #chain)*)
    };

    // Responses.
    let mut success: Vec<(&Response, Decode)> = Vec::new();
    let mut errors: Vec<(&Response, Decode)> = Vec::new();
    for r in &op.responses {
        let d = decode_of(r);
        if r.status.starts_with('2') {
            success.push((r, d));
        } else {
            errors.push((r, d));
        }
    }
    let single_success = success.len() <= 1 || success.windows(2).all(|w| w[0].1 == w[1].1);
    let (success_ty, success_def) = if single_success {
        let ty = success
            .first()
            .map(|(_, d)| decode_type(api, d))
            .unwrap_or(quote!(()));
        (ty, quote!())
    } else {
        let variants = success.iter().map(|(r, d)| {
            let v = format_ident!("Status{}", r.status);
            let t = decode_type(api, d);
            let doc = format!(" `{}`: {}", r.status, r.description.trim());
            quote!(#[doc = #doc] #v(#t),)
        });
        let doc = format!(" The documented success responses of `{wire_id}`.");
        (
            quote!(#success_name),
            quote! {
                #[doc = #doc]
                #[derive(Debug, Clone)]
                pub enum #success_name { #(#variants)* }
            },
        )
    };
    let error_variants = errors.iter().map(|(r, d)| {
        let v = if r.status == "default" {
            format_ident!("Default")
        } else {
            format_ident!("Status{}", r.status.to_ascii_lowercase())
        };
        let t = decode_type(api, d);
        let doc = format!(" `{}`: {}", r.status, r.description.trim());
        quote!(#[doc = #doc] #v(#t),)
    });
    let error_doc = format!(" The documented error responses of `{wire_id}`.");
    let error_def = quote! {
        #[doc = #error_doc]
        #[derive(Debug, Clone)]
        pub enum #error_name { #(#error_variants)* }
    };

    let mut arms = Vec::new();
    let mut ordered: Vec<(&Response, &Decode, bool)> = success
        .iter()
        .map(|(r, d)| (*r, d, true))
        .chain(errors.iter().map(|(r, d)| (*r, d, false)))
        .collect();
    // Exact codes before ranges before `default`.
    ordered.sort_by_key(|(r, _, _)| {
        if r.status == "default" {
            2
        } else if r.status.parse::<u16>().is_ok() {
            0
        } else {
            1
        }
    });
    let mut has_default = false;
    for (r, d, ok) in ordered {
        let decode = decode_expr(api, d);
        let pattern = if r.status == "default" {
            has_default = true;
            quote!(_)
        } else {
            match status_pattern(&r.status) {
                Some(p) => p,
                None => continue,
            }
        };
        let arm = if ok {
            if single_success {
                quote!(#pattern => Ok(__raw.value(#decode)),)
            } else {
                let v = format_ident!("Status{}", r.status);
                quote!(#pattern => Ok(__raw.value(#success_name::#v(#decode))),)
            }
        } else {
            let v = if r.status == "default" {
                format_ident!("Default")
            } else {
                format_ident!("Status{}", r.status.to_ascii_lowercase())
            };
            quote!(#pattern => Err(Error::Api(__raw.value(#error_name::#v(#decode)))),)
        };
        arms.push(arm);
    }
    let fallback = if has_default {
        quote!()
    } else {
        quote!(_ => Err(__raw.unexpected()),)
    };

    let summary = op.summary.clone().unwrap_or_default();
    let description = op.description.clone().unwrap_or_default();
    let doc_text = format!(
        "{summary}\n\n{description}\n\n`{} {}` (`{wire_id}`)",
        op.method, op.path
    );
    let doc = docs(Some(doc_text.trim()));
    let deprecated = if op.deprecated {
        quote!(#[deprecated])
    } else {
        quote!()
    };
    let method = quote! {
        #doc
        #deprecated
        #[allow(unused_mut)]
        pub async fn #method_name(&self, #(#required_args,)* #(#body_args,)* #(#optional_args,)*) -> Result<ResponseValue<#success_ty>, Error<#error_name>> {
            let mut __url = self.url(&[#(#segments),*]);
            let mut __headers = ::reqwest::header::HeaderMap::new();
            let mut __cookies: Vec<String> = Vec::new();
            #(#query)*
            #(#header_lines)*
            #(#cookies)*
            #auth
            if !__cookies.is_empty() {
                let __value = ::reqwest::header::HeaderValue::from_str(&__cookies.join("; ")).map_err(|e| Error::InvalidRequest(format!("cookie: {e}")))?;
                __headers.insert(::reqwest::header::COOKIE, __value);
            }
            let __body = #body_expr;
            let __raw = self.send(#wire_id, ::reqwest::Method::#http_method, __url, __headers, __body).await?;
            #[allow(clippy::match_single_binding, unreachable_patterns)]
            match __raw.status {
                #(#arms)*
                #fallback
            }
        }
    };
    let pager = pagination(api, op, &params, single_success, &error_name);
    (quote!(#method #pager), quote!(#success_def #error_def))
}

/// Page-number pagination: an operation with integer `page` and `size` (or `per_page`, `pageSize`,
/// `limit`) query parameters whose success body is an object holding one array gets an `_all`
/// method that walks the pages until one comes back short.
fn pagination(
    api: &Api,
    op: &Operation,
    params: &[&Parameter],
    single_success: bool,
    error_name: &proc_macro2::Ident,
) -> TokenStream {
    let is_int = |p: &&&Parameter| {
        matches!(p.shape, Shape::Integer(_)) && p.location == ParamLocation::Query && !p.required
    };
    let Some(page) = params.iter().filter(is_int).find(|p| p.name.wire == "page") else {
        return quote!();
    };
    let Some(size) = params.iter().filter(is_int).find(|p| {
        matches!(
            p.name.wire.as_str(),
            "size" | "per_page" | "pageSize" | "page_size" | "limit"
        )
    }) else {
        return quote!();
    };
    if !single_success
        || params
            .iter()
            .any(|p| p.required && p.location != ParamLocation::Path)
        || op.body.is_some()
    {
        return quote!();
    }
    let Some(Shape::Named(id)) = op
        .responses
        .iter()
        .find(|r| r.status.starts_with('2'))
        .and_then(|r| match decode_of(r) {
            Decode::Json(shape, _) => Some(shape),
            _ => None,
        })
    else {
        return quote!();
    };
    let TypeKind::Struct { fields, .. } = &api.ty(id).kind else {
        return quote!();
    };
    let arrays: Vec<_> = fields
        .iter()
        .filter(|f| matches!(f.shape, Shape::Array(_)))
        .collect();
    let [items] = arrays.as_slice() else {
        return quote!();
    };
    let Shape::Array(item_shape) = &items.shape else {
        return quote!();
    };
    let item_ty = shape_tokens(api, item_shape);
    let items_field = ident(&items.name.rust);
    let take_items = if items.required {
        quote!(__page.body.#items_field)
    } else {
        quote!(__page.body.#items_field.unwrap_or_default())
    };
    let method = ident(&op.name.rust);
    let all = format_ident!("{}_all", op.name.rust);
    let path_args: Vec<_> = params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| {
            let n = ident(&p.name.rust);
            let t = param_type(api, p);
            (quote!(#n: #t), quote!(#n))
        })
        .collect();
    let (path_params, path_values): (Vec<_>, Vec<_>) = path_args.into_iter().unzip();
    let call_args = params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .map(|p| {
            if p.name.wire == page.name.wire {
                quote!(Some(__page_number))
            } else if p.name.wire == size.name.wire {
                quote!(Some(page_size))
            } else {
                quote!(None)
            }
        });
    let size_ty = shape_tokens(api, &size.shape);
    let page_ty = shape_tokens(api, &page.shape);
    let doc = format!(
        " Every item of `{}`, fetched page by page (`{}` from 1, `{}` items a page) until a page comes back short; stops after 10,000 pages.",
        op.name.wire, page.name.wire, size.name.wire
    );
    quote! {
        #[doc = #doc]
        pub async fn #all(&self, #(#path_params,)* page_size: #size_ty) -> Result<Vec<#item_ty>, Error<#error_name>> {
            let mut __all = Vec::new();
            let mut __page_number: #page_ty = 1;
            loop {
                let __page = self.#method(#(#path_values,)* #(#call_args),*).await?;
                let __items = #take_items;
                let __short = (__items.len() as u64) < (page_size as u64) || __items.is_empty();
                __all.extend(__items);
                if __short || __page_number >= 10_000 {
                    return Ok(__all);
                }
                __page_number += 1;
            }
        }
    }
}
