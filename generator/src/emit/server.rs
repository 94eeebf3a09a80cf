//! Emits `server.rs`: a trait with one async method per operation and an axum router that
//! decodes requests into typed inputs, calls the trait, and encodes its typed reply.
//!
//! The fixed part (context, rejections, parameter decoding, path matching) is the template
//! `templates/server_runtime.rs`, written beside it as `server/runtime.rs`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::client::{BodyKind, Decode, body_kind, decode_of, decode_type};
use super::models::shape_tokens_outside as shape_tokens;
use super::{docs, ident};
use crate::ir::names::{self, Scope};
use crate::ir::{Api, Media, Operation, ParamLocation, Parameter, Shape, TypeKind};

/// The runtime module every generated server carries.
pub const RUNTIME_RS: &str = concat!(
    include_str!("../../templates/server_runtime.rs"),
    include_str!("../../templates/paths.rs")
);

/// The owned Rust type a handler receives for a parameter.
fn param_type(api: &Api, p: &Parameter) -> TokenStream {
    let t = shape_tokens(api, &p.shape);
    if p.required || p.location == ParamLocation::Path {
        t
    } else {
        quote!(Option<#t>)
    }
}

/// A named struct type (behind aliases).
fn is_struct(api: &Api, shape: &Shape) -> bool {
    match shape {
        Shape::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct { .. } => true,
            TypeKind::Alias(inner) => is_struct(api, inner),
            _ => false,
        },
        _ => false,
    }
}

/// The request body the server decodes: the same media type the client prefers.
fn chosen_body(op: &Operation) -> Option<(BodyKind, String, Shape, bool)> {
    let body = op.body.as_ref()?;
    let Media {
        media_type: media,
        shape,
        ..
    } = body
        .content
        .iter()
        .min_by_key(|Media { media_type: m, .. }| body_kind(m) as u8)
        .cloned()?;
    Some((body_kind(&media), media, shape, body.required))
}

/// A reply variant name for a status key.
fn variant(status: &str) -> proc_macro2::Ident {
    if status == "default" {
        format_ident!("Default")
    } else {
        format_ident!("Status{}", status.to_ascii_lowercase())
    }
}

/// The names the server module claims before any operation's.
fn scope() -> Scope {
    Scope::with_reserved(&[
        "Api",
        "Context",
        "Rejection",
        "RawBody",
        "router",
        "error_body",
        "Call",
        "Inputs",
    ])
}

/// The `Api` trait, one method per operation.
fn api_trait(methods: &[TokenStream]) -> TokenStream {
    quote! {
        /// One method per operation. The router decodes and checks the inputs first, so a method
        /// only ever sees values the spec allows.
        pub trait Api: Send + Sync + 'static {
            /// Called before decoding for every operation that declares security; an `Err` is sent as is.
            /// The default lets every request through.
            fn authorize(&self, ctx: &Context) -> Result<(), Rejection> {
                let _ = ctx;
                Ok(())
            }

            /// Encodes a rejection; the default uses the spec's error shape ([`error_body`]).
            fn reject(&self, rejection: Rejection) -> ::axum::response::Response {
                runtime::json_response(rejection.status, "application/json", &error_body(&rejection))
            }

            #(#methods)*
        }

    }
}

/// What `diff` compares of the server: the trait and the reply enums, without the router.
pub(crate) fn surface(api: &Api) -> TokenStream {
    let mut scope = scope();
    let (methods, replies): (Vec<_>, Vec<_>) = api
        .operations
        .iter()
        .map(|op| {
            let (method, reply, _) = emit_operation(api, op, &mut scope);
            (method, reply)
        })
        .unzip();
    let api_trait = api_trait(&methods);
    quote!(#api_trait #(#replies)*)
}

/// The server module for `api`.
pub fn emit(api: &Api) -> TokenStream {
    let mut scope = scope();
    let mut methods = Vec::new();
    let mut replies = Vec::new();
    let mut handlers = Vec::new();
    for op in &api.operations {
        let (method, reply, handler) = emit_operation(api, op, &mut scope);
        methods.push(method);
        replies.push(reply);
        handlers.push(handler);
    }
    let api_trait = api_trait(&methods);
    let dispatch = dispatch(api);
    let error_body = error_body(api);
    let title = format!(
        " The server side of {} {}: implement [`Api`], then serve [`router`].",
        api.title, api.version
    );
    let body = quote! {

        pub use runtime::{Context, RawBody, Rejection};
        #[allow(unused_imports)]
        use runtime::{Call, Inputs, bytes_response, json_response, required};

        #api_trait

        #error_body

        /// An axum router serving `service`: unknown paths get 404, known paths with another
        /// method 405, undecodable input 400 (415 for a wrong media type), all in the spec's error shape.
        pub fn router<S: Api>(service: S) -> ::axum::Router {
            ::axum::Router::new().fallback(dispatch::<S>).with_state(::std::sync::Arc::new(service))
        }

        /// The largest request body read.
        pub const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

        #dispatch

        #(#replies)*

        #(#handlers)*
    };
    // Dropped again when nothing names `models` (see `drop_unused_import`).
    let models = quote!(
        use super::models;
    );
    quote! {
        #![doc = #title]

        #[path = "server/runtime.rs"]
        mod runtime;

        #models
        #body
    }
}

fn emit_operation(
    api: &Api,
    op: &Operation,
    scope: &mut Scope,
) -> (TokenStream, TokenStream, TokenStream) {
    let method_name = ident(&op.name.rust);
    let handler_name = format_ident!("handle_{}", op.name.rust.trim_start_matches("r#"));
    let reply_name = format_ident!(
        "{}",
        scope.claim(format!("{}Reply", names::pascal(&op.name.rust)))
    );
    let wire_id = &op.name.wire;

    // Inputs, in the client's order: path, required others, body, optional others.
    let mut params: Vec<&Parameter> = op.parameters.iter().collect();
    params.sort_by_key(|p| (p.location != ParamLocation::Path, !p.required));
    let body = chosen_body(op);
    let mut args = Vec::new();
    let mut decoders = Vec::new();
    let mut names_in_order = Vec::new();
    let body_position = params
        .iter()
        .position(|p| !(p.required || p.location == ParamLocation::Path))
        .unwrap_or(params.len());
    let push_body = |args: &mut Vec<TokenStream>,
                     decoders: &mut Vec<TokenStream>,
                     names_in_order: &mut Vec<proc_macro2::Ident>| {
        let Some((kind, _, shape, required)) = &body else {
            return;
        };
        let t = shape_tokens(api, shape);
        let (ty, decode) = match kind {
            // serde accepts a JSON array for a struct (as a sequence of its fields); the spec
            // does not, so a struct body must arrive as an object.
            BodyKind::Json if is_struct(api, shape) => {
                (t.clone(), quote!(runtime::json_object_body(&call)?))
            }
            BodyKind::Json => (t.clone(), quote!(runtime::json_body(&call)?)),
            BodyKind::Form => (t.clone(), quote!(runtime::form_body(&call)?)),
            BodyKind::Multipart | BodyKind::Bytes => {
                (quote!(RawBody), quote!(runtime::raw_body(&call)))
            }
        };
        let (ty, decode) = if *required {
            (ty, quote!(required("request body", #decode)?))
        } else {
            (quote!(Option<#ty>), decode)
        };
        args.push(quote!(body: #ty));
        // Its type is the trait method's parameter's, inferred from the call.
        decoders.push(quote!(let body = #decode;));
        names_in_order.push(format_ident!("body"));
    };
    for (i, p) in params.iter().enumerate() {
        if i == body_position {
            push_body(&mut args, &mut decoders, &mut names_in_order);
        }
        let name = ident(&p.name.rust);
        let ty = param_type(api, p);
        args.push(quote!(#name: #ty));
        let wire = &p.name.wire;
        let (is_array, inner) = match &p.shape {
            Shape::Array(inner) => (true, shape_tokens(api, inner)),
            other => (false, shape_tokens(api, other)),
        };
        let (explode, delimiter) = (p.explode, p.style.delimiter());
        let (decode, place) = match p.location {
            ParamLocation::Path => (
                quote!(call.inputs.path::<#inner>(#wire)?),
                format!("path parameter `{wire}`"),
            ),
            ParamLocation::Query if is_array => (
                quote!(call.inputs.query_array::<#inner>(#wire, #explode, #delimiter)?),
                format!("query parameter `{wire}`"),
            ),
            ParamLocation::Query if p.style == crate::ir::Style::DeepObject => (
                quote!(call.inputs.query_deep::<#inner>(#wire)?),
                format!("query parameter `{wire}`"),
            ),
            ParamLocation::Query => (
                quote!(call.inputs.query::<#inner>(#wire)?),
                format!("query parameter `{wire}`"),
            ),
            ParamLocation::Header if is_array => (
                quote!(call.inputs.header_array::<#inner>(#wire)?),
                format!("header `{wire}`"),
            ),
            ParamLocation::Header => (
                quote!(call.inputs.header::<#inner>(#wire)?),
                format!("header `{wire}`"),
            ),
            ParamLocation::Cookie => (
                quote!(call.inputs.cookie::<#inner>(#wire)?),
                format!("cookie `{wire}`"),
            ),
        };
        let decode = match p.location {
            ParamLocation::Path if is_array => quote!(vec![#decode]),
            ParamLocation::Path => decode,
            _ if p.required => quote!(required(#place, #decode)?),
            _ => decode,
        };
        decoders.push(quote!(let #name = #decode;));
        names_in_order.push(name);
    }
    if body_position == params.len() {
        push_body(&mut args, &mut decoders, &mut names_in_order);
    }

    // The reply: one variant per documented response.
    let mut variants = Vec::new();
    let mut encode_arms = Vec::new();
    for r in &op.responses {
        let v = variant(&r.status);
        let decode = decode_of(r);
        let t = decode_type(api, &decode);
        let doc = format!(" `{}`: {}", r.status, r.description.trim());
        let fixed = r.status.parse::<u16>().ok();
        let status = match fixed {
            Some(code) => {
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                quote!(#code)
            }
            None => quote!(status),
        };
        let encode = match &decode {
            Decode::Empty => quote!(bytes_response(#status, "", Vec::new())),
            Decode::Json(_, media) => quote!(json_response(#status, #media, &body)),
            Decode::Text(media) => quote!(bytes_response(#status, #media, body.into_bytes())),
            Decode::Bytes(media) => quote!(bytes_response(#status, #media, body)),
        };
        let (variant_def, pattern) = match (fixed, &decode) {
            (Some(_), Decode::Empty) => (quote!(#v), quote!(Self::#v)),
            (Some(_), _) => (quote!(#v(#t)), quote!(Self::#v(body))),
            (None, Decode::Empty) => (quote!(#v(u16)), quote!(Self::#v(status))),
            (None, _) => (quote!(#v(u16, #t)), quote!(Self::#v(status, body))),
        };
        variants.push(quote!(#[doc = #doc] #variant_def,));
        encode_arms.push(quote!(#pattern => Ok(#encode),));
    }
    let reply_doc = format!(
        " What `{wire_id}` answers: one variant per documented response (ranges and `default` carry their status)."
    );
    let reply = quote! {
        #[doc = #reply_doc]
        #[derive(Debug, Clone)]
        pub enum #reply_name {
            #(#variants)*
            /// A refusal, encoded in the spec's error shape by [`Api::reject`].
            Rejected(Rejection),
        }

        impl #reply_name {
            /// The reply as a response, or the refusal it carries.
            fn encode(self) -> runtime::Outcome {
                match self {
                    #(#encode_arms)*
                    Self::Rejected(rejection) => Err(rejection),
                }
            }
        }
    };

    let summary = op.summary.clone().unwrap_or_default();
    let description = op.description.clone().unwrap_or_default();
    let doc_text = format!(
        "{summary}\n\n{description}\n\n`{} {}` (`{wire_id}`)",
        op.method, op.path
    );
    let doc = docs(Some(doc_text.trim()));
    let method = quote! {
        #doc
        fn #method_name(&self, ctx: Context, #(#args),*) -> impl ::std::future::Future<Output = #reply_name> + Send;
    };

    let security: Vec<&String> = op.security.iter().collect();
    let handler = quote! {
        async fn #handler_name<S: Api>(call: Call<S>) -> runtime::Outcome {
            let call = call.enter(#wire_id, &[#(#security),*])?;
            #(#decoders)*
            call.service.#method_name(call.ctx, #(#names_in_order),*).await.encode()
        }
    };
    (method, reply, handler)
}

/// The fallback handler: matches the path against every template, most literal first.
fn dispatch(api: &Api) -> TokenStream {
    // Group operations by path template.
    let mut paths: Vec<(&str, Vec<&Operation>)> = Vec::new();
    for op in &api.operations {
        match paths.iter_mut().find(|(p, _)| *p == op.path) {
            Some((_, ops)) => ops.push(op),
            None => paths.push((&op.path, vec![op])),
        }
    }
    // Literal segments outrank parameters, segment by segment; ties keep spec order.
    paths.sort_by_key(|(p, _)| crate::paths::path_rank(p));
    let routes: Vec<TokenStream> = paths
        .iter()
        .flat_map(|(path, ops)| {
            ops.iter().map(move |op| {
                let m = op.method.as_str();
                let handler = format_ident!("handle_{}", op.name.rust.trim_start_matches("r#"));
                quote!((#path, #m, |c| Box::pin(#handler(c))))
            })
        })
        .collect();
    let count = routes.len();
    quote! {
        async fn dispatch<S: Api>(
            ::axum::extract::State(service): ::axum::extract::State<::std::sync::Arc<S>>,
            request: ::axum::extract::Request,
        ) -> ::axum::response::Response {
            let (parts, body) = request.into_parts();
            let body = match ::axum::body::to_bytes(body, MAX_REQUEST_BYTES).await {
                Ok(body) => body,
                Err(e) => return service.reject(Rejection::new(413, format!("the request body could not be read: {e}"))),
            };
            let query = parts.uri.query().map(str::to_string);
            let ctx = Context { operation: "", security: &[], method: parts.method, path: parts.uri.path().to_string(), headers: parts.headers };
            match route(service.clone(), ctx, query, body) {
                Ok(handler) => handler.await.unwrap_or_else(|rejection| service.reject(rejection)),
                Err(response) => response,
            }
        }

        /// A route's handler: decodes the inputs, calls the trait, encodes the reply.
        type Handler<S> = fn(Call<S>) -> Pending;

        /// A handler's future, boxed so a spec with hundreds of operations does not become one
        /// huge async state machine.
        type Pending = ::std::pin::Pin<Box<dyn ::std::future::Future<Output = runtime::Outcome> + Send>>;

        /// Picks the operation for a request: the first template (most literal first) that
        /// matches the path and the method; a path that matches without the method is a 405.
        fn route<S: Api>(
            service: ::std::sync::Arc<S>,
            ctx: Context,
            query: Option<String>,
            body: ::axum::body::Bytes,
        ) -> Result<Pending, ::axum::response::Response> {
            let routes: [(&'static str, &'static str, Handler<S>); #count] = [#(#routes),*];
            let path = ctx.path.clone();
            let mut allowed: Vec<&'static str> = Vec::new();
            for (template, method, handler) in routes {
                let Some(params) = runtime::match_path(template, &path) else {
                    continue;
                };
                if ctx.method.as_str() != method {
                    allowed.push(method);
                    continue;
                }
                return match Inputs::new(params, query.as_deref(), ctx.headers.clone()) {
                    Ok(inputs) => Ok(handler(Call { service, ctx, inputs, body })),
                    Err(rejection) => Err(service.reject(rejection)),
                };
            }
            if allowed.is_empty() {
                Err(service.reject(Rejection::new(404, format!("no operation serves {path}"))))
            } else {
                let message = format!("{} is not allowed on {path}", ctx.method);
                Err(runtime::not_allowed(service.reject(Rejection::new(405, message)), &allowed))
            }
        }
    }
}

/// `error_body`: a rejection in the shape of the spec's most common 4xx body.
///
/// The shape's message-like string property gets the message, a status-like integer the status,
/// and an array property the details (as strings, `{where: what}` maps, or objects whose
/// properties look like a place and a problem).
fn error_body(api: &Api) -> TokenStream {
    let mut counts: Vec<(crate::ir::TypeId, usize)> = Vec::new();
    for op in &api.operations {
        for r in &op.responses {
            if !(r.status.starts_with('4') || r.status == "default") {
                continue;
            }
            if let Decode::Json(Shape::Named(id), _) = decode_of(r) {
                match counts.iter_mut().find(|(t, _)| *t == id) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((id, 1)),
                }
            }
        }
    }
    let shape = counts.iter().max_by_key(|(_, n)| *n).map(|(id, _)| *id);
    let mut inserts = Vec::new();
    let mut described = String::from("`{\"message\": …}`");
    if let Some(id) = shape
        && let TypeKind::Struct { fields, .. } = &api.ty(id).kind
    {
        described = format!("`{}`", api.ty(id).name.wire);
        let mut has_message = false;
        for f in fields {
            let wire = &f.name.wire;
            let lower = wire.to_ascii_lowercase();
            let value = match resolve(api, &f.shape) {
                Shape::String
                    if !has_message
                        && [
                            "message",
                            "detail",
                            "error_description",
                            "error",
                            "title",
                            "description",
                            "msg",
                        ]
                        .contains(&lower.as_str()) =>
                {
                    has_message = true;
                    Some(quote!(::serde_json::Value::String(
                        rejection.message.clone()
                    )))
                }
                Shape::Integer(_)
                    if ["status", "code", "statuscode", "status_code"]
                        .contains(&lower.as_str()) =>
                {
                    Some(quote!(::serde_json::Value::from(rejection.status)))
                }
                Shape::String
                    if ["code", "errorcode", "error_code", "type"].contains(&lower.as_str()) =>
                {
                    Some(quote!(::serde_json::Value::String(format!(
                        "http_{}",
                        rejection.status
                    ))))
                }
                Shape::Array(item) => {
                    let item = match resolve(api, &item) {
                        Shape::String => {
                            quote!(::serde_json::Value::String(format!("{place}: {problem}")))
                        }
                        Shape::Map(_) => quote!(::serde_json::json!({ place: problem })),
                        Shape::Named(item_id) => match &api.ty(item_id).kind {
                            TypeKind::Struct { fields, .. } => {
                                let place_field = fields.iter().find(|f| {
                                    [
                                        "field",
                                        "path",
                                        "pointer",
                                        "location",
                                        "loc",
                                        "param",
                                        "parameter",
                                        "name",
                                        "property",
                                    ]
                                    .contains(&f.name.wire.to_ascii_lowercase().as_str())
                                });
                                let problem_field = fields.iter().find(|f| {
                                    ["message", "detail", "description", "msg", "error", "reason"]
                                        .contains(&f.name.wire.to_ascii_lowercase().as_str())
                                });
                                match (place_field, problem_field) {
                                    (Some(p), Some(q)) => {
                                        let (p, q) = (&p.name.wire, &q.name.wire);
                                        quote!(::serde_json::json!({ #p: place, #q: problem }))
                                    }
                                    _ => quote!(::serde_json::json!({ place: problem })),
                                }
                            }
                            _ => quote!(::serde_json::Value::String(format!("{place}: {problem}"))),
                        },
                        _ => quote!(::serde_json::Value::String(format!("{place}: {problem}"))),
                    };
                    let cond = if f.required {
                        quote!(true)
                    } else {
                        quote!(!rejection.details.is_empty())
                    };
                    inserts.push(quote! {
                        if #cond {
                            body.insert(#wire.to_string(), ::serde_json::Value::Array(rejection.details.iter().map(|(place, problem)| #item).collect()));
                        }
                    });
                    None
                }
                _ => None,
            };
            if let Some(value) = value {
                inserts.push(quote!(body.insert(#wire.to_string(), #value);));
            }
        }
        if !has_message {
            inserts.insert(0, quote!(body.insert("message".to_string(), ::serde_json::Value::String(rejection.message.clone()));));
        }
    } else {
        inserts.push(quote!(body.insert("message".to_string(), ::serde_json::Value::String(rejection.message.clone()));));
    }
    let doc = format!(" A rejection as the spec's error body ({described}).");
    quote! {
        #[doc = #doc]
        pub fn error_body(rejection: &Rejection) -> ::serde_json::Value {
            let mut body = ::serde_json::Map::new();
            #(#inserts)*
            ::serde_json::Value::Object(body)
        }
    }
}

/// Follows aliases to the shape underneath.
fn resolve(api: &Api, shape: &Shape) -> Shape {
    match shape {
        Shape::Named(id) => match &api.ty(*id).kind {
            TypeKind::Alias(inner) => resolve(api, inner),
            _ => shape.clone(),
        },
        Shape::Nullable(inner) => resolve(api, inner),
        other => other.clone(),
    }
}
