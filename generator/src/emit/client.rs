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

fn decode_expr(decode: &Decode) -> TokenStream {
    match decode {
        Decode::Empty => quote!(raw.empty()),
        Decode::Json(..) => quote!(raw.json()),
        Decode::Text(_) => quote!(raw.text()),
        Decode::Bytes(_) => quote!(raw.bytes()),
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
        s if is_text(api, s, 0) => quote!(#v),
        s if displayable(api, s) => quote!(#v.to_string()),
        _ => quote!(json_text(&#v)),
    }
}

/// A string, or an alias that leads to one.
fn is_text(api: &Api, shape: &Shape, depth: usize) -> bool {
    match shape {
        Shape::String => true,
        Shape::Named(id) if depth < 16 => {
            matches!(&api.ty(*id).kind, TypeKind::Alias(inner) if is_text(api, inner, depth + 1))
        }
        _ => false,
    }
}

/// Code that turns `v` (the parameter value, unwrapped from any `Option`) into its text form.
fn to_text(api: &Api, shape: &Shape, v: &TokenStream) -> TokenStream {
    if displayable(api, shape) {
        quote!(#v.to_string())
    } else {
        quote!(json_text(&#v))
    }
}

/// The runtime module every generated client carries, written beside it as `client/runtime.rs`.
pub const RUNTIME_RS: &str = include_str!("../../templates/client_runtime.rs");

/// Client types and methods for every operation.
pub fn emit(api: &Api) -> TokenStream {
    let mut op_types = Scope::default();
    let mut errors = ErrorEnums::default();
    let mut extra_types = Vec::new();
    let mut methods = Vec::new();
    for op in &api.operations {
        let (method, types) = emit_operation(api, op, &mut op_types, &mut errors);
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
    let used: std::collections::BTreeSet<&str> = api
        .operations
        .iter()
        .flat_map(|op| op.security.iter().map(String::as_str))
        .collect();
    let mut credential_fields = Vec::new();
    let mut credential_methods = Vec::new();
    for (name, scheme) in &api.security_schemes {
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
        credential_fields.push(quote! {
            #[doc = #doc]
            pub #field: #ty,
        });
        if !used.contains(name.as_str()) {
            continue;
        }
        let wrap = match scheme {
            SecurityScheme::Bearer | SecurityScheme::OAuth2 => quote!(Auth::Bearer),
            SecurityScheme::Basic => quote!(Auth::Basic),
            SecurityScheme::ApiKey {
                name: key,
                location,
            } => match location.as_str() {
                "query" => quote!(|s| Auth::Query(#key, s)),
                "cookie" => quote!(|s| Auth::Cookie(#key, s)),
                _ => quote!(|s| Auth::Header(#key, s)),
            },
        };
        let doc = format!(" The `{name}` credential, when set.");
        credential_methods.push(quote! {
            #[doc = #doc]
            fn #field(&self) -> Option<Auth<'_>> {
                self.#field.as_ref().map(#wrap)
            }
        });
    }
    let credential_impl = if credential_methods.is_empty() {
        quote!()
    } else {
        quote!(impl Credentials { #(#credential_methods)* })
    };
    let method_import = (!api.operations.is_empty()).then(|| {
        quote!(
            use ::reqwest::Method;
        )
    });
    let body = quote! {
        /// The servers the spec lists, as (description, URL), server variables at their defaults.
        pub const SERVERS: &[(&str, &str)] = &[#(#servers),*];

        /// Credentials for the security schemes the spec declares; each operation uses the first
        /// of its schemes that is set.
        #[derive(Clone, Debug, Default)]
        pub struct Credentials {
            #(#credential_fields)*
        }

        #credential_impl

        /// The API client. Cheap to clone; clones share one connection pool.
        #[derive(Clone, Debug)]
        pub struct Client {
            base: ::reqwest::Url,
            http: ::reqwest::Client,
            credentials: Credentials,
            options: Options,
        }

        impl Client {
            #(#methods)*
        }

        #(#extra_types)*
    };
    // Dropped again when nothing names `models` (see `drop_unused_import`).
    let models_import = quote!(
        use super::models;
    );
    quote! {
        #[path = "client/runtime.rs"]
        mod runtime;

        pub use runtime::{Error, Options, ResponseValue, Secret};
        #[allow(unused_imports)]
        use runtime::{Auth, joined, json_text};
        #method_import
        #models_import

        #body
    }
}

/// Error enums by their variants: an operation whose documented errors match an earlier one's
/// names that enum with a type alias instead of declaring its own.
#[derive(Default)]
struct ErrorEnums {
    by_variants: std::collections::BTreeMap<String, proc_macro2::Ident>,
}

fn status_pattern(status: &str) -> Option<TokenStream> {
    if let Ok(code) = status.parse::<u16>() {
        let code = proc_macro2::Literal::u16_unsuffixed(code);
        return Some(quote!(#code));
    }
    let bytes = status.as_bytes();
    if bytes.len() == 3 && bytes[1] == b'X' && bytes[2] == b'X' {
        let hundred = u16::from(bytes[0] - b'0') * 100;
        let top = hundred + 99;
        let (hundred, top) = (
            proc_macro2::Literal::u16_unsuffixed(hundred),
            proc_macro2::Literal::u16_unsuffixed(top),
        );
        return Some(quote!(#hundred..=#top));
    }
    None
}

fn emit_operation(
    api: &Api,
    op: &Operation,
    op_types: &mut Scope,
    errors: &mut ErrorEnums,
) -> (TokenStream, TokenStream) {
    let method_name = ident(&op.name.rust);
    let base = names::pascal(&op.name.rust);
    let success_name = format_ident!("{}", op_types.claim(format!("{base}Success")));
    let error_name = format_ident!("{}", op_types.claim(format!("{base}Error")));
    let wire_id = &op.name.wire;
    let http_method = format_ident!("{}", op.method.as_str());

    // Arguments: path, then required query/header/cookie, then the body, then optional ones.
    let mut params: Vec<&Parameter> = op.parameters.iter().collect();
    params.sort_by_key(|p| (p.location != ParamLocation::Path, !p.required));
    let mut args = Vec::new();
    for p in &params {
        let name = ident(&p.name.rust);
        let ty = param_type(api, p);
        args.push(quote!(#name: #ty));
    }

    // Path segments, each `&str`.
    let segments = op.path.split('/').filter(|s| !s.is_empty()).map(|segment| {
        if !segment.contains('{') {
            return quote!(#segment);
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
                    Some(p) if p.shape == Shape::String => {
                        let arg = ident(&p.name.rust);
                        quote!(#arg)
                    }
                    Some(p) => {
                        let arg = ident(&p.name.rust);
                        let text = to_text(api, &p.shape, &quote!(#arg));
                        quote!(&#text)
                    }
                    None => quote!(""),
                };
            }
            let value = match param {
                Some(p) if displayable(api, &p.shape) => {
                    let arg = ident(&p.name.rust);
                    quote!(#arg)
                }
                Some(p) => {
                    let arg = ident(&p.name.rust);
                    quote!(json_text(&#arg))
                }
                None => quote!(""),
            };
            values.push(value);
            rest = &rest[open + close + 1..];
        }
        format.push_str(&rest.replace('{', "{{").replace('}', "}}"));
        quote!(&format!(#format, #(#values),*))
    });

    let mut building = Vec::new();
    for p in &params {
        let arg = ident(&p.name.rust);
        let wire = &p.name.wire;
        let (inner_shape, is_array) = match &p.shape {
            Shape::Array(inner) => (&**inner, true),
            other => (other, false),
        };
        let item = value_expr(api, inner_shape, &quote!(v));
        let text = value_expr(api, inner_shape, &quote!(value));
        // Headers always join with commas (`simple`); a query array as its style says.
        let delimiter = match p.location {
            ParamLocation::Query => p.style.delimiter(),
            _ => ',',
        };
        let joined = quote!(joined(value.iter().map(|v| #item), #delimiter));
        let push = match (p.location, is_array) {
            (ParamLocation::Query, true) if p.explode => quote! {
                for v in value { request.query(#wire, #item); }
            },
            (ParamLocation::Query, true) => quote!(request.query(#wire, #joined);),
            (ParamLocation::Query, false) if p.style == crate::ir::Style::DeepObject => {
                quote!(request.deep_object(#wire, value);)
            }
            (ParamLocation::Query, false) => quote!(request.query(#wire, #text);),
            (ParamLocation::Header, true) => quote!(request.header(#wire, #joined)?;),
            (ParamLocation::Header, false) => quote!(request.header(#wire, #text)?;),
            (ParamLocation::Cookie, _) => {
                let text = if displayable(api, inner_shape) {
                    quote!(value)
                } else {
                    quote!(json_text(&value))
                };
                quote!(request.cookie(#wire, #text);)
            }
            (ParamLocation::Path, _) => continue,
        };
        building.push(if p.required {
            quote! { { let value = #arg; #push } }
        } else {
            quote! { if let Some(value) = #arg { #push } }
        });
    }

    // Auth: the first of the operation's schemes that has credentials.
    let schemes: Vec<_> = op
        .security
        .iter()
        .filter(|name| api.security_schemes.contains_key(*name))
        .map(|name| ident(&names::snake(name)))
        .collect();
    if let Some((first, rest)) = schemes.split_first() {
        building.push(quote! {
            request.auth(self.credentials.#first()#(.or_else(|| self.credentials.#rest()))*)?;
        });
    }

    // Body.
    let mut body_arg = None;
    if let Some(body) = &op.body {
        let chosen =
            body.content
                .iter()
                .min_by_key(|Media { media_type: m, .. }| match body_kind(m) {
                    BodyKind::Json => 0,
                    BodyKind::Form => 1,
                    BodyKind::Multipart => 2,
                    BodyKind::Bytes => 3,
                });
        if let Some(Media {
            media_type: media,
            shape,
            ..
        }) = chosen
        {
            let (ty, set) = match body_kind(media) {
                BodyKind::Json => {
                    let t = shape_tokens(api, shape);
                    (quote!(&#t), quote!(request.json(body)?;))
                }
                BodyKind::Form => {
                    let t = shape_tokens(api, shape);
                    (quote!(&#t), quote!(request.form(body)?;))
                }
                BodyKind::Multipart => (
                    quote!(::reqwest::multipart::Form),
                    quote!(request.multipart(body);),
                ),
                BodyKind::Bytes => (quote!(Vec<u8>), quote!(request.bytes(body, #media);)),
            };
            if body.required {
                body_arg = Some(quote!(body: #ty));
                building.push(set);
            } else {
                body_arg = Some(quote!(body: Option<#ty>));
                building.push(quote!(if let Some(body) = body { #set }));
            }
        }
    }
    let body_args: Vec<TokenStream> = body_arg.into_iter().collect();
    let (required_args, optional_args): (Vec<_>, Vec<_>) = args
        .into_iter()
        .zip(&params)
        .partition(|(_, p)| p.required || p.location == ParamLocation::Path);
    let required_args = required_args.into_iter().map(|(a, _)| a);
    let optional_args = optional_args.into_iter().map(|(a, _)| a);

    // Responses.
    let mut success: Vec<(&Response, Decode)> = Vec::new();
    let mut failures: Vec<(&Response, Decode)> = Vec::new();
    for r in &op.responses {
        let d = decode_of(r);
        if r.status.starts_with('2') {
            success.push((r, d));
        } else {
            failures.push((r, d));
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
    let error_variant = |r: &Response| {
        if r.status == "default" {
            format_ident!("Default")
        } else {
            format_ident!("Status{}", r.status.to_ascii_lowercase())
        }
    };
    let shared_key: String = failures
        .iter()
        .map(|(r, d)| format!("{}({});", error_variant(r), decode_type(api, d)))
        .collect();
    let error_doc = format!(" The documented error responses of `{wire_id}`.");
    let error_def = match errors.by_variants.get(&shared_key) {
        Some(earlier) => quote! {
            #[doc = #error_doc]
            pub type #error_name = #earlier;
        },
        None => {
            errors.by_variants.insert(shared_key, error_name.clone());
            let variants = failures.iter().map(|(r, d)| {
                let v = error_variant(r);
                let t = decode_type(api, d);
                let doc = format!(" `{}`: {}", r.status, r.description.trim());
                quote!(#[doc = #doc] #v(#t),)
            });
            quote! {
                #[doc = #error_doc]
                #[derive(Debug, Clone)]
                pub enum #error_name { #(#variants)* }
            }
        }
    };

    let mut arms = Vec::new();
    let mut ordered: Vec<(&Response, &Decode, bool)> = success
        .iter()
        .map(|(r, d)| (*r, d, true))
        .chain(failures.iter().map(|(r, d)| (*r, d, false)))
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
        let decode = decode_expr(d);
        let pattern = if r.status == "default" {
            has_default = true;
            quote!(_)
        } else {
            match status_pattern(&r.status) {
                Some(p) => p,
                None => continue,
            }
        };
        let expr = if ok && single_success {
            quote!(raw.ok(#decode))
        } else if ok {
            let v = format_ident!("Status{}", r.status);
            quote!(raw.ok(#decode.map(#success_name::#v)))
        } else {
            let v = error_variant(r);
            quote!(raw.err(#decode.map(#error_name::#v)))
        };
        arms.push((pattern, expr));
    }
    if !has_default {
        arms.push((quote!(_), quote!(raw.unexpected())));
    }
    let decoding = match arms.as_slice() {
        // Only `default` (or nothing) is documented: no status to tell apart.
        [(_, expr)] => expr.clone(),
        arms => {
            let arms = arms
                .iter()
                .map(|(pattern, expr)| quote!(#pattern => #expr,));
            quote!(match raw.status { #(#arms)* })
        }
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
    let binding = if building.is_empty() {
        quote!(let request)
    } else {
        quote!(let mut request)
    };
    let method = quote! {
        #doc
        #deprecated
        pub async fn #method_name(&self, #(#required_args,)* #(#body_args,)* #(#optional_args,)*) -> Result<ResponseValue<#success_ty>, Error<#error_name>> {
            #binding = self.request(Method::#http_method, &[#(#segments),*]);
            #(#building)*
            let raw = self.send(#wire_id, request).await?;
            #decoding
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
        quote!(response.body.#items_field)
    } else {
        quote!(response.body.#items_field.unwrap_or_default())
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
                quote!(Some(page_number))
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
            let mut collected = Vec::new();
            let mut page_number: #page_ty = 1;
            loop {
                let response = self.#method(#(#path_values,)* #(#call_args),*).await?;
                let items = #take_items;
                let short = (items.len() as u64) < (page_size as u64) || items.is_empty();
                collected.extend(items);
                if short || page_number >= 10_000 {
                    return Ok(collected);
                }
                page_number += 1;
            }
        }
    }
}
