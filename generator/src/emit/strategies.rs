//! Emits `strategies.rs` (crate feature `proptest`): for every named type, a proptest strategy
//! of JSON values valid by the spec (types, enums, formats, patterns, bounds, lengths, required
//! fields), the same decoded into the generated type, and for objects a strategy of values the
//! spec forbids (a required property dropped, a property of the wrong type, an unlisted enum
//! value); for every operation with a JSON body, the same for its body.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::models::shape_tokens_outside as shape_tokens;
use crate::ir::names::{self, Scope};
use crate::ir::{
    Additional, Api, Bound, EnumRepr, Media, Operation, Schema, Shape, Tagging, Type, TypeId,
    TypeKind,
};

/// The runtime module every generated `strategies.rs` carries, written beside it as
/// `strategies/runtime.rs`.
pub const RUNTIME_RS: &str = include_str!("../../templates/strategies_runtime.rs");

/// The functions `strategies/runtime.rs` brings in by a glob import: a type's strategy of the
/// same name would shadow one.
const RUNTIME_FNS: &[&str] = &[
    "lit",
    "recurse",
    "one_of",
    "pattern",
    "text",
    "integer",
    "number",
    "array",
    "map",
    "any_json",
    "nullable",
    "object",
    "tagged",
    "union",
    "decoded",
    "other_type",
    "broken",
    "wrong_type",
    "strings",
    "known",
    "required",
    "optional",
    "additional",
    "params",
];

fn fn_names(api: &Api) -> std::collections::BTreeMap<TypeId, String> {
    let mut scope = Scope::with_reserved(RUNTIME_FNS);
    api.types
        .iter()
        .map(|(id, t)| {
            (
                *id,
                scope.claim(
                    names::snake(&t.name.rust)
                        .trim_start_matches("r#")
                        .trim_end_matches('_')
                        .to_string(),
                ),
            )
        })
        .collect()
}

/// The names one operation's strategies take, claimed in operation order before any is
/// emitted, so they do not depend on which thread emits what.
struct OperationNames {
    params_fn: String,
    /// The valid and invalid body strategies, when the operation takes a JSON body.
    body: Option<(String, String)>,
}

/// The strategies module for `api`, formatted: its items emitted and pretty-printed in chunks
/// on every core ([`super::format::items_through_use`]).
pub fn emit_formatted(api: &Api, header: &str) -> Result<String, String> {
    let names = fn_names(api);
    let mut scope = Scope::default();
    let op_names: Vec<OperationNames> = api
        .operations
        .iter()
        .map(|op| {
            let params_fn = format!(
                "{}_params",
                scope
                    .claim(format!(
                        "{}_params",
                        names::snake(&op.name.rust).trim_start_matches("r#")
                    ))
                    .trim_end_matches("_params")
            );
            let body = json_body(op).map(|_| {
                let base = scope.claim(
                    names::snake(&op.name.rust)
                        .trim_start_matches("r#")
                        .to_string(),
                );
                (format!("{base}_body"), format!("{base}_body_invalid"))
            });
            OperationNames { params_fn, body }
        })
        .collect();
    let types: Vec<(&TypeId, &Type)> = api.types.iter().collect();
    let count = types.len() + api.operations.len() + 1;
    let items = super::format::items(count, |i| {
        let tokens = if let Some((id, ty)) = types.get(i) {
            emit_type(api, &names, **id, ty)
        } else if let Some(op) = api.operations.get(i - types.len()) {
            emit_operation(api, &names, op, &op_names[i - types.len()])
        } else {
            tables(api, &names, &op_names)
        };
        tokens.into()
    })?;
    let models = quote!(
        use super::models;
    );
    let head = quote! {
        //! Proptest strategies generated from the spec's schemas.

        #[path = "strategies/runtime.rs"]
        mod runtime;

        // Not every spec needs every helper (or `prop_map` and `Just` of the prelude).
        #[allow(unused_imports)]
        use ::proptest::prelude::*;
        use ::proptest::strategy::BoxedStrategy;
        use ::serde_json::Value;
        #[allow(unused_imports)]
        use runtime::*;
        #models

        /// How deep recursive types nest before optional recursion stops.
        pub const DEPTH: u32 = 5;
    };
    let mut out = super::format::file(header, head).map_err(|e| e.to_string())?;
    out.push_str(&items);
    Ok(out)
}

/// The JSON request body an operation's strategies generate, when it takes one.
fn json_body(op: &Operation) -> Option<&Shape> {
    let body = op.body.as_ref()?;
    body.content
        .iter()
        .find(|Media { media_type: m, .. }| m.contains("json"))
        .map(|Media { shape, .. }| shape)
}

/// One operation's parameter strategy, and its body strategies when it takes a JSON body.
fn emit_operation(
    api: &Api,
    names: &std::collections::BTreeMap<TypeId, String>,
    op: &Operation,
    op_names: &OperationNames,
) -> TokenStream {
    let params_fn = format_ident!("{}", op_names.params_fn);
    use crate::ir::ParamLocation::{Cookie, Header, Path, Query};
    let groups = [Path, Query, Header, Cookie].map(|location| {
        let parts = op
            .parameters
            .iter()
            .filter(|p| p.location == location)
            .map(|p| {
                let wire = &p.name.wire;
                let mut schema = p.schema.map(|s| api.schema(s)).cloned();
                if location == Path {
                    // Path segments cannot be empty.
                    let s = schema.get_or_insert_with(|| Schema::empty(p.origin.clone()));
                    s.min_length = Some(s.min_length.unwrap_or(0).max(1));
                }
                let strategy = shape_strategy(api, names, &p.shape, schema.as_ref());
                if p.required || location == Path {
                    quote!(required(#wire, #strategy))
                } else {
                    quote!(optional(depth, #wire, #strategy))
                }
            });
        quote!([#(#parts),*])
    });
    let doc = format!(
        " Parameters of `{}` the spec allows, as `{{\"path\": {{…}}, \"query\": {{…}}, \"header\": {{…}}, \"cookie\": {{…}}}}`.",
        op.name.wire
    );
    let [path, query, header, cookie] = groups;
    let call = quote!(params(#path, #query, #header, #cookie));
    let depth = top_bindings(&call);
    let params = quote! {
        #[doc = #doc]
        pub fn #params_fn() -> BoxedStrategy<Value> {
            #depth
            #call
        }
    };
    let (Some(shape), Some((valid, invalid))) = (json_body(op), &op_names.body) else {
        return params;
    };
    let (valid, invalid) = (format_ident!("{valid}"), format_ident!("{invalid}"));
    let strategy = shape_strategy(api, names, shape, None);
    let t = shape_tokens(api, shape);
    let doc = format!(
        " Request bodies of `{}` the spec allows, decoded.",
        op.name.wire
    );
    let doc_invalid = format!(
        " Request bodies of `{}` the spec forbids (as JSON).",
        op.name.wire
    );
    let breaker = match shape {
        Shape::Named(id) if matches!(api.ty(*id).kind, TypeKind::Struct { .. }) => {
            let f = format_ident!("{}_invalid", names[id]);
            quote!(#f())
        }
        _ => quote!(wrong_type(#strategy)),
    };
    let depth = top_bindings(&strategy);
    let depth_invalid = top_bindings(&breaker);
    quote! {
        #params
        #[doc = #doc]
        pub fn #valid() -> BoxedStrategy<#t> {
            #depth
            decoded(#strategy)
        }
        #[doc = #doc_invalid]
        pub fn #invalid() -> BoxedStrategy<Value> {
            #depth_invalid
            #breaker
        }
    }
}

/// The tables the runtime and the contract glue look strategies up in.
fn tables(
    api: &Api,
    names: &std::collections::BTreeMap<TypeId, String>,
    op_names: &[OperationNames],
) -> TokenStream {
    let table = api.types.iter().map(|(id, ty)| {
        let name = &ty.name.wire;
        let json_fn = format_ident!("{}_json", names[id]);
        let invalid = if matches!(ty.kind, TypeKind::Struct { .. }) {
            let f = format_ident!("{}_invalid", names[id]);
            quote!(Some(#f))
        } else {
            quote!(None)
        };
        quote!((#name, #json_fn, #invalid))
    });
    let params_table = api.operations.iter().zip(op_names).map(|(op, n)| {
        let wire_id = &op.name.wire;
        let pointer = &op.origin.pointer;
        let params_fn = format_ident!("{}", n.params_fn);
        quote!((#wire_id, #pointer, #params_fn))
    });
    quote! {
        /// Valid JSON values of a type, given how deep recursion may still go.
        pub type ByDepth = fn(u32) -> BoxedStrategy<Value>;

        /// JSON values: a type's invalid ones, or an operation's parameters.
        pub type Values = fn() -> BoxedStrategy<Value>;

        /// Every type's strategies: (schema name, valid JSON by depth, invalid JSON for objects).
        pub const ALL: &[(&str, ByDepth, Option<Values>)] = &[#(#table),*];

        /// Every operation's parameter strategy: (operationId, pointer of the operation, strategy).
        pub const OPERATIONS: &[(&str, &str, Values)] = &[#(#params_table),*];
    }
}

fn usize_lit(n: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(n)
}

/// Whether generated code reads the binding `name`: `depth` (how deep recursion may still go)
/// or `next` (the depth a named type one level down is built at).
fn reads(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => reads(&g.stream(), name),
        _ => false,
    })
}

/// `depth` and `next` for a strategy built from the top (a parameter or a request body), one
/// level above the generated `DEPTH`, where `tokens` read them.
fn top_bindings(tokens: &TokenStream) -> TokenStream {
    let depth = reads(tokens, "depth").then(|| quote!(let depth = DEPTH + 1;));
    let next = reads(tokens, "next").then(|| quote!(let next = DEPTH;));
    quote!(#depth #next)
}

/// The schema of a struct's property (declared on it or on one of its `allOf` members), for its
/// constraints.
fn property_schema<'a>(api: &'a Api, ty: &Type, wire: &str) -> Option<&'a Schema> {
    let own = api.schema(ty.schema?);
    let find = |s: &Schema| {
        s.properties
            .iter()
            .find(|(name, _)| name == wire)
            .map(|(_, id)| *id)
    };
    find(own)
        .or_else(|| own.all_of.iter().find_map(|m| find(api.schema(*m))))
        .map(|id| api.schema(id))
}

fn lit(v: &Value) -> TokenStream {
    let text = v.to_string();
    quote!(lit(#text))
}

/// One of `values`: `strings([…])` when all are strings, else literals.
fn one_of<'a>(values: impl IntoIterator<Item = &'a Value>) -> TokenStream {
    let values: Vec<&Value> = values.into_iter().collect();
    if values.iter().all(|v| v.is_string()) {
        let texts = values.iter().filter_map(|v| v.as_str());
        quote!(strings([#(#texts),*]))
    } else {
        let values = values.into_iter().map(lit);
        quote!(one_of([#(#values),*]))
    }
}

/// A strategy of JSON values for `shape`; `schema` carries constraints for inline shapes.
fn shape_strategy(
    api: &Api,
    names: &std::collections::BTreeMap<TypeId, String>,
    shape: &Shape,
    schema: Option<&Schema>,
) -> TokenStream {
    shape_in(api, names, shape, schema, None, true)
}

/// Whether a value of `shape`, held by `owner`, can hold a value of `owner` again: the shape
/// names `owner` or a type on the same cycle ([`Type::cycle`], decided in lowering).
fn loops_back(api: &Api, shape: &Shape, owner: TypeId) -> bool {
    match shape {
        Shape::Named(id) => {
            *id == owner
                || api
                    .ty(*id)
                    .cycle
                    .is_some_and(|c| api.ty(owner).cycle == Some(c))
        }
        Shape::Array(inner) | Shape::Map(inner) | Shape::Nullable(inner) => {
            loops_back(api, inner, owner)
        }
        _ => false,
    }
}

/// Whether every value of `shape` must contain a value of `target` (a cycle no value can end).
fn must_reach(
    api: &Api,
    shape: &Shape,
    target: TypeId,
    seen: &mut std::collections::BTreeSet<TypeId>,
) -> bool {
    match shape {
        Shape::Named(id) => {
            if *id == target {
                return true;
            }
            if !seen.insert(*id) {
                return false;
            }
            match &api.ty(*id).kind {
                TypeKind::Struct { fields, .. } => fields
                    .iter()
                    .any(|f| f.required && !f.nullable && must_reach(api, &f.shape, target, seen)),
                TypeKind::Union { variants, .. } => {
                    !variants.is_empty()
                        && variants.iter().all(|v| {
                            v.shape
                                .as_ref()
                                .is_some_and(|s| must_reach(api, s, target, seen))
                        })
                }
                TypeKind::Alias(inner) => must_reach(api, inner, target, seen),
                TypeKind::Enum { .. } => false,
            }
        }
        _ => false,
    }
}

/// [`shape_strategy`] inside the type `owner`; `required` when the value must be present (a
/// required property, an alias target, a union variant), so recursion through it cannot stop with null.
fn shape_in(
    api: &Api,
    names: &std::collections::BTreeMap<TypeId, String>,
    shape: &Shape,
    schema: Option<&Schema>,
    owner: Option<TypeId>,
    required: bool,
) -> TokenStream {
    if !matches!(shape, Shape::Named(_))
        && let Some(values) = schema
            .and_then(|s| s.enumeration.as_ref())
            .filter(|v| !v.is_empty())
    {
        return one_of(values);
    }
    match shape {
        Shape::Named(id) => {
            // Strategies are built eagerly, so a recursive reference must stop being built at
            // depth 0: with null where it may be absent (never sampled there: optional fields are
            // None and arrays empty at depth 0), by recursing at depth 0 where it is required and
            // some value ends the cycle (unions pick non-recursive variants at depth 0).
            let f = format_ident!("{}_json", names[id]);
            let recursive = owner.is_some_and(|o| loops_back(api, shape, o));
            let endless =
                || owner.is_some_and(|o| must_reach(api, shape, o, &mut Default::default()));
            if !recursive || (required && !endless()) {
                quote!(#f(next))
            } else {
                quote!(recurse(depth, #f))
            }
        }
        Shape::String => {
            let pattern = schema.and_then(|s| s.pattern.as_deref());
            let format = schema.and_then(|s| s.format.as_deref()).unwrap_or_default();
            let min = schema.and_then(|s| s.min_length).unwrap_or(0) as usize;
            let max = schema
                .and_then(|s| s.max_length)
                .map(|m| m as usize)
                .unwrap_or(min.max(12) + 8)
                .max(min);
            let (min, max) = (usize_lit(min), usize_lit(max));
            match pattern {
                Some(p) => quote!(pattern(#p, #min, #max)),
                None => quote!(text(#format, #min, #max)),
            }
        }
        Shape::DateTime => quote!(text("date-time", 0, 0)),
        Shape::Date => quote!(text("date", 0, 0)),
        Shape::Decimal => quote!(text("decimal", 0, 0)),
        Shape::Integer(_) => {
            // The smallest and largest whole numbers inside the bounds.
            let min = schema.and_then(|s| s.minimum).map_or(-1_000_000, |b| {
                if b.exclusive {
                    (b.value.floor() as i64).saturating_add(1)
                } else {
                    b.value.ceil() as i64
                }
            });
            let max = schema.and_then(|s| s.maximum).map_or(1_000_000, |b| {
                if b.exclusive {
                    (b.value.ceil() as i64).saturating_sub(1)
                } else {
                    b.value.floor() as i64
                }
            });
            let max = max.max(min);
            let (min, max) = (
                proc_macro2::Literal::i64_unsuffixed(min),
                proc_macro2::Literal::i64_unsuffixed(max),
            );
            quote!(integer(#min, #max))
        }
        Shape::Number(_) => {
            // An exclusive bound is moved inwards by a step the bound's magnitude can show.
            let inside = |b: Bound, toward: f64| {
                if b.exclusive {
                    b.value + toward * f64::EPSILON * b.value.abs().max(1.0)
                } else {
                    b.value
                }
            };
            let min = schema
                .and_then(|s| s.minimum)
                .map_or(-1.0e6, |b| inside(b, 1.0));
            let max = schema
                .and_then(|s| s.maximum)
                .map_or(1.0e6, |b| inside(b, -1.0))
                .max(min);
            let (min, max) = (
                proc_macro2::Literal::f64_unsuffixed(min),
                proc_macro2::Literal::f64_unsuffixed(max),
            );
            quote!(number(#min, #max))
        }
        Shape::Boolean => quote!(any::<bool>().prop_map(Value::Bool).boxed()),
        Shape::Array(inner) => {
            let items = schema.and_then(|s| s.items).map(|id| api.schema(id));
            let inner = shape_in(api, names, inner, items, owner, false);
            let min = schema.and_then(|s| s.min_items).unwrap_or(0) as usize;
            let max = schema
                .and_then(|s| s.max_items)
                .map(|m| m as usize)
                .unwrap_or(min + 3)
                .max(min);
            let fixed = min == max;
            let (min, max) = (usize_lit(min), usize_lit(max));
            if fixed {
                quote!(array(#inner, #min, #min))
            } else {
                quote!(array(#inner, #min, if depth == 0 { #min } else { #max }))
            }
        }
        Shape::Map(inner) => {
            let values = match schema.map(|s| s.additional) {
                Some(Additional::Schema(id)) => Some(api.schema(id)),
                _ => None,
            };
            let inner = shape_in(api, names, inner, values, owner, false);
            quote!(map(#inner, if depth == 0 { 0 } else { 3 }))
        }
        Shape::Any => quote!(any_json()),
        Shape::Null => quote!(Just(Value::Null).boxed()),
        Shape::Nullable(inner) => {
            let inner = shape_in(api, names, inner, schema, owner, false);
            quote!(nullable(#inner))
        }
    }
}

fn emit_type(
    api: &Api,
    names: &std::collections::BTreeMap<TypeId, String>,
    id: TypeId,
    ty: &Type,
) -> TokenStream {
    let base = &names[&id];
    let json_fn = format_ident!("{}_json", base);
    // `base` has no keyword escape (it is always suffixed); the bare name gets one again.
    let typed_fn = format_ident!("{}", names::snake(base));
    let invalid_fn = format_ident!("{}_invalid", base);
    let t = shape_tokens(api, &Shape::Named(id));
    let doc_json = format!(" JSON values of `{}` the spec allows.", ty.name.wire);
    let doc_typed = format!(
        " Values of `{}` the spec allows, decoded into the generated type.",
        ty.name.wire
    );
    let body = match &ty.kind {
        TypeKind::Struct {
            fields, additional, ..
        } => {
            let parts = fields.iter().map(|f| {
                let wire = &f.name.wire;
                let schema = property_schema(api, ty, wire);
                let mut strategy = shape_in(
                    api,
                    names,
                    &f.shape,
                    schema,
                    Some(id),
                    f.required && !f.nullable,
                );
                if f.nullable && !matches!(f.shape, Shape::Nullable(_)) {
                    strategy = quote!(nullable(#strategy));
                }
                if f.required {
                    quote!(required(#wire, #strategy))
                } else {
                    quote!(optional(depth, #wire, #strategy))
                }
            });
            let extra = additional.as_ref().map(|a| {
                let s = shape_in(api, names, a, None, Some(id), false);
                quote!(additional(depth, #s))
            });
            quote!(object([#(#parts,)* #extra]))
        }
        // The values the enum lists, from the enum itself where its `KNOWN` holds them all.
        TypeKind::Enum { variants, repr }
            if variants.iter().all(|v| match repr {
                EnumRepr::String => v.wire.is_string(),
                EnumRepr::Integer => v.wire.is_i64(),
            }) =>
        {
            quote!(known(#t::KNOWN))
        }
        TypeKind::Enum { variants, .. } => one_of(variants.iter().map(|v| &v.wire)),
        TypeKind::Union {
            variants,
            tag,
            tagging,
        } => {
            let option = |v: &crate::ir::UnionVariant| {
                let payload = v
                    .shape
                    .as_ref()
                    .map(|shape| shape_in(api, names, shape, None, Some(id), true));
                let (Some(tag), Some(value)) = (tag, v.tag_values.first()) else {
                    return payload.unwrap_or_else(|| quote!(object([])));
                };
                let tag_part = quote!(required(#tag, strings([#value])));
                match (tagging, payload) {
                    (Tagging::Inside | Tagging::Beside, Some(s)) => {
                        quote!(tagged(#s, #tag, #value))
                    }
                    (Tagging::Around(content), Some(s)) => {
                        quote!(object([#tag_part, required(#content, #s)]))
                    }
                    (_, None) => quote!(object([#tag_part])),
                }
            };
            let all: Vec<TokenStream> = variants.iter().map(option).collect();
            // At depth 0 only variants that do not contain this union again.
            let leaves: Vec<TokenStream> = variants
                .iter()
                .filter(|v| v.shape.as_ref().is_none_or(|s| !loops_back(api, s, id)))
                .map(option)
                .collect();
            if leaves.is_empty() || leaves.len() == all.len() {
                quote!(union([#(#all),*]))
            } else {
                quote!(if depth == 0 {
                    union([#(#leaves),*])
                } else {
                    union([#(#all),*])
                })
            }
        }
        TypeKind::Alias(inner) => {
            let schema = ty.schema.map(|s| api.schema(s));
            shape_in(api, names, inner, schema, Some(id), true)
        }
    };
    let invalid = match &ty.kind {
        TypeKind::Struct { fields, .. } => {
            let required = fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.name.wire.as_str());
            let typed = fields.iter().filter_map(|f| {
                let kind = match &f.shape {
                    Shape::String | Shape::DateTime | Shape::Date | Shape::Decimal => "string",
                    Shape::Integer(_) | Shape::Number(_) => "number",
                    Shape::Boolean => "boolean",
                    Shape::Array(_) => "array",
                    Shape::Named(n) => match &api.ty(*n).kind {
                        TypeKind::Enum { .. } => "enum",
                        TypeKind::Struct { .. } => "object",
                        _ => return None,
                    },
                    _ => return None,
                };
                let wire = f.name.wire.as_str();
                Some(quote!((#wire, #kind)))
            });
            let doc = format!(
                " JSON values of `{}` the spec forbids: one required property dropped, one property of the wrong type or outside its enum.",
                ty.name.wire
            );
            quote! {
                #[doc = #doc]
                pub fn #invalid_fn() -> BoxedStrategy<Value> {
                    broken(#json_fn(DEPTH), &[#(#required),*], &[#(#typed),*])
                }
            }
        }
        _ => quote!(),
    };
    let next = reads(&body, "next").then(|| quote!(let next = depth.saturating_sub(1);));
    let depth = if next.is_some() || reads(&body, "depth") {
        quote!(depth)
    } else {
        quote!(_depth)
    };
    quote! {
        #[doc = #doc_json]
        pub fn #json_fn(#depth: u32) -> BoxedStrategy<Value> {
            #next
            #body
        }
        #[doc = #doc_typed]
        pub fn #typed_fn() -> BoxedStrategy<#t> {
            decoded(#json_fn(DEPTH))
        }
        #invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_function_is_reserved() {
        let defined: Vec<&str> = RUNTIME_RS
            .lines()
            .filter_map(|l| l.strip_prefix("pub(super) fn "))
            .filter_map(|rest| rest.split(['(', '<']).next())
            .collect();
        assert!(defined.len() > 10, "{defined:?}");
        for name in &defined {
            assert!(RUNTIME_FNS.contains(name), "`{name}` is not in RUNTIME_FNS");
        }
        for name in RUNTIME_FNS {
            assert!(
                defined.contains(name),
                "`{name}` is no longer in the runtime"
            );
        }
    }
}
