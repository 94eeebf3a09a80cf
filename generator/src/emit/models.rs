//! Emits `models.rs`: one Rust type per named type in the model, with serde and `Inspect` impls.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use super::format::Item;
use super::{docs, ident};
use crate::ir::{Api, EnumRepr, Field, Shape, Tagging, Type, TypeId, TypeKind};

/// `models.rs` as formatted text, its types emitted and pretty-printed in chunks on every core
/// ([`super::format::items`]).
pub fn emit_formatted(api: &Api, header: &str) -> Result<String, String> {
    let ids: Vec<(&TypeId, &Type)> = api.types.iter().collect();
    let body = super::format::items(ids.len(), |i| {
        let (id, ty) = ids[i];
        emit_type(api, *id, ty)
    })?;
    // The import only where a type uses it (a spec of aliases alone has no `Inspect` impls);
    // the fidelity table does not count, being behind a feature.
    let uses_support = super::names_module(&body, "support");
    let (import, support) = if uses_support {
        (
            quote!(
                use super::support;
            ),
            quote!(support),
        )
    } else {
        (quote!(), quote!(super::support))
    };
    let fidelity = fidelity_table(api, &support);
    let mut out = super::format::file(header, import).map_err(|e| e.to_string())?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&body);
    if api.types.values().any(carries_tag) {
        out.push_str(&super::format::file("", carried_union_helpers()).map_err(|e| e.to_string())?);
    }
    out.push_str(&super::format::file("", fidelity).map_err(|e| e.to_string())?);
    Ok(out)
}

/// A union whose payloads leave the tag to it ([`emit_carried_union`]).
fn carries_tag(ty: &Type) -> bool {
    matches!(
        ty.kind,
        TypeKind::Union {
            tag: Some(_),
            tagging: Tagging::Beside | Tagging::Around(_),
            ..
        }
    )
}

/// The decoding and schema helpers the unions of [`carries_tag`] share, emitted once where one exists.
fn carried_union_helpers() -> TokenStream {
    quote! {
        /// Decodes the payload a tagged union keeps under the `content` property.
        fn content_payload<T: ::serde::de::DeserializeOwned, E: ::serde::de::Error>(
            mut value: ::serde_json::Value,
            content: &str,
        ) -> ::std::result::Result<T, E> {
            let payload = value.get_mut(content).map(::serde_json::Value::take).unwrap_or_default();
            ::serde_json::from_value(payload).map_err(E::custom)
        }

        /// Decodes a payload that shares its object with the union's tag, the tag left out.
        fn beside_payload<T: ::serde::de::DeserializeOwned, E: ::serde::de::Error>(
            mut value: ::serde_json::Value,
            tag: &str,
        ) -> ::std::result::Result<T, E> {
            if let ::std::option::Option::Some(object) = value.as_object_mut() {
                object.remove(tag);
            }
            ::serde_json::from_value(value).map_err(E::custom)
        }

        /// One variant of a tagged union as JSON Schema: an object whose `tag` is `value`, with
        /// the payload under `content`, or beside the tag when there is no `content`.
        #[cfg(feature = "schemars")]
        fn variant_schema(
            tag: &str,
            value: &str,
            content: ::std::option::Option<&str>,
            payload: ::std::option::Option<::schemars::Schema>,
        ) -> ::schemars::Schema {
            let mut properties = ::serde_json::Map::new();
            properties.insert(tag.into(), ::serde_json::json!({ "const": value }));
            let mut required = vec![tag];
            let beside = match (content, payload) {
                (::std::option::Option::Some(content), ::std::option::Option::Some(payload)) => {
                    properties.insert(content.into(), payload.to_value());
                    required.push(content);
                    ::std::option::Option::None
                }
                (_, payload) => payload,
            };
            let object = ::schemars::json_schema!({ "type": "object", "required": required, "properties": properties });
            match beside {
                ::std::option::Option::Some(payload) => ::schemars::json_schema!({ "allOf": [payload, object] }),
                ::std::option::Option::None => object,
            }
        }
    }
}

/// The Rust type for a shape, as seen from inside `models`.
pub fn shape_tokens(api: &Api, shape: &Shape) -> TokenStream {
    shape_tokens_with(api, shape, true)
}

/// The Rust type for a shape, as seen from a sibling module of `models` (such as `client`).
pub fn shape_tokens_outside(api: &Api, shape: &Shape) -> TokenStream {
    shape_tokens_with(api, shape, false)
}

/// Paths as `models` writes them (`Pet`, `support::DateTime`) or as a sibling that imports
/// `models` does (`models::Pet`, `super::support::DateTime`).
fn shape_tokens_with(api: &Api, shape: &Shape, inside: bool) -> TokenStream {
    let support = |name: &str| {
        let name = Ident::new(name, Span::call_site());
        if inside {
            quote!(support::#name)
        } else {
            quote!(super::support::#name)
        }
    };
    match shape {
        Shape::Named(id) => {
            let name = ident(&api.ty(*id).name.rust);
            if inside {
                quote!(#name)
            } else {
                quote!(models::#name)
            }
        }
        Shape::String => quote!(String),
        Shape::DateTime => support("DateTime"),
        Shape::Date => support("Date"),
        Shape::Decimal => support("Decimal"),
        Shape::Integer(t) => {
            let t = Ident::new(t, Span::call_site());
            quote!(#t)
        }
        // JSON's number as received: `1` stays an integer and `1.5` a float on the way back.
        Shape::Number(_) => quote!(::serde_json::Number),
        Shape::Boolean => quote!(bool),
        Shape::Array(inner) => {
            let inner = shape_tokens_with(api, inner, inside);
            quote!(Vec<#inner>)
        }
        Shape::Map(inner) if **inner == Shape::Any => {
            quote!(::serde_json::Map<String, ::serde_json::Value>)
        }
        Shape::Map(inner) => {
            let inner = shape_tokens_with(api, inner, inside);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
        Shape::Any => quote!(::serde_json::Value),
        Shape::Null => quote!(()),
        Shape::Nullable(inner) => {
            let inner = shape_tokens_with(api, inner, inside);
            quote!(Option<#inner>)
        }
    }
}

/// A type as an [`Item`] of `models.rs`: a struct declared inside `support::object!` (with its
/// impls after it), an enum followed by its `support::open_enum!` text, a union or an alias.
pub(crate) fn emit_type(api: &Api, id: TypeId, ty: &Type) -> Item {
    let doc = docs(ty.docs.as_deref());
    let name = ident(&ty.name.rust);
    let deprecated = if ty.deprecated {
        quote!(#[deprecated])
    } else {
        quote!()
    };
    let tokens = match &ty.kind {
        TypeKind::Struct {
            fields,
            additional,
            open,
        } => {
            let constructor = api.request_types.contains(&id);
            let object = Object {
                fields,
                additional: additional.as_ref(),
                open: *open,
                constructor,
            };
            return emit_struct(api, ty, object, doc, deprecated);
        }
        TypeKind::Enum { variants, repr } => {
            let (tokens, after) = emit_enum(ty, variants, *repr, doc, deprecated);
            return Item {
                tokens,
                after,
                wrapped: None,
            };
        }
        TypeKind::Union {
            variants,
            tag: Some(tag),
            tagging: Tagging::Beside | Tagging::Around(_),
        } => emit_carried_union(api, id, ty, variants, tag, doc, deprecated),
        TypeKind::Union { variants, tag, .. } => {
            emit_union(api, id, ty, variants, tag.as_deref(), doc, deprecated)
        }
        TypeKind::Alias(shape) => {
            // An alias that leads back to itself cannot be a type alias; it becomes any json.
            let target = match crate::ir::lower_direct_target(shape) {
                Some(t) if api.holds_by_value(t, id) => quote!(::serde_json::Value),
                _ => shape_tokens(api, shape),
            };
            quote! {
                #doc
                #deprecated
                pub type #name = #target;
            }
        }
    };
    tokens.into()
}

/// A struct's parts, as [`TypeKind::Struct`] has them, and whether callers build it (a request
/// body reaches it): then it gets a constructor taking its required fields.
struct Object<'a> {
    fields: &'a [Field],
    additional: Option<&'a Shape>,
    open: bool,
    constructor: bool,
}

fn emit_struct(
    api: &Api,
    ty: &Type,
    object: Object<'_>,
    doc: TokenStream,
    deprecated: TokenStream,
) -> Item {
    let Object {
        fields,
        additional,
        open,
        constructor,
    } = object;
    let mut required_params = Vec::new();
    let mut required_names = Vec::new();
    let mut absent = Vec::new();
    let name = ident(&ty.name.rust);
    let wire_type = &ty.name.rust;
    let mut can_default = true;
    let mut field_tokens = Vec::new();
    let mut accessors = Vec::new();
    for field in fields {
        let fname = ident(&field.name.rust);
        let wire = &field.name.wire;
        let fdoc = docs(field.docs.as_deref());
        let fdeprecated = if field.deprecated {
            quote!(#[deprecated])
        } else {
            quote!()
        };
        let mut inner = shape_tokens(api, &field.shape);
        if field.boxed {
            inner = quote!(Box<#inner>);
        }
        // How `support::object!` reads and writes the field (see its docs): required (no flag),
        // `or_null`, `optional` or `nullable`.
        let mut read = quote!(, optional);
        let (ty_tokens, attrs) = match (field.required, field.nullable, &field.default) {
            (true, false, _) => {
                can_default = false;
                read = quote!();
                (inner, quote!())
            }
            (true, true, _) => {
                read = quote!(, or_null);
                (
                    quote!(Option<#inner>),
                    quote!(#[cfg_attr(feature = "schemars", schemars(required))]),
                )
            }
            (false, false, Some(default)) => {
                // Kept as received (absent stays absent on the way back); the spec's default is
                // what the accessor of the same name returns for an absent value.
                let value = default_value(&field.shape, default);
                let text = default.to_string();
                let accessor_doc = format!(
                    " `{}`, or the spec's default (`{}`) when it is absent.",
                    field.name.rust,
                    text.replace('`', "'")
                );
                // A literal is taken as it is; anything built, only when the field is absent.
                let read = match field.shape {
                    Shape::Boolean | Shape::Integer(_) => quote!(self.#fname.unwrap_or(#value)),
                    _ => quote!(self.#fname.clone().unwrap_or_else(|| #value)),
                };
                accessors.push(quote! {
                    #[doc = #accessor_doc]
                    #fdeprecated
                    #[allow(deprecated)]
                    pub fn #fname(&self) -> #inner {
                        #read
                    }
                });
                (quote!(Option<#inner>), quote!())
            }
            (false, false, None) if admits_null(api, &field.shape) => {
                // `null` is a value like any other here: kept apart from absent.
                read = quote!(, nullable);
                (quote!(Option<#inner>), quote!())
            }
            (false, false, None) => (quote!(Option<#inner>), quote!()),
            (false, true, _) => {
                read = quote!(, nullable);
                (quote!(Option<Option<#inner>>), quote!())
            }
        };
        let inspect = may_hold_unknowns(api, &field.shape).then(|| quote!(, inspect));
        if field.required {
            required_params.push(quote!(#fname: #ty_tokens));
            required_names.push(fname.clone());
        } else {
            absent.push(quote!(#fname: None));
        }
        field_tokens.push(quote! {
            #[wire(#wire #read #inspect)]
            #fdoc
            #fdeprecated
            #attrs
            pub #fname: #ty_tokens,
        });
    }
    if let Some(extra_shape) = additional {
        let extra = match extra_shape {
            Shape::Any => quote!(::serde_json::Map<String, ::serde_json::Value>),
            other => {
                let t = shape_tokens(api, other);
                quote!(::std::collections::BTreeMap<String, #t>)
            }
        };
        let inspect = may_hold_unknowns(api, extra_shape).then(|| quote!(, inspect));
        field_tokens.push(quote! {
            #[rest(flatten #inspect)]
            /// Properties beside the ones the spec names (`additionalProperties`).
            pub additional_properties: #extra,
        });
    }
    if open {
        // The spec leaves the object open without describing the rest: what it does not name is
        // kept, re-encoded unchanged, and reported by `Inspect`.
        field_tokens.push(quote! {
            #[rest(skip)]
            /// Properties the spec does not document, kept as received (the object is open).
            pub undocumented: ::serde_json::Map<String, ::serde_json::Value>,
        });
    }
    let derive_default = if can_default {
        quote!(Default,)
    } else {
        quote!()
    };
    // Secrets (Vivamo's clientSecretKey and webhook secretKey, passwords, api keys) never reach Debug output.
    let secret_fields: Vec<&Field> = fields.iter().filter(|f| is_secret(&f.name.wire)).collect();
    let (derive_debug, debug_impl) = if secret_fields.is_empty() {
        (quote!(Debug,), quote!())
    } else {
        let entries = fields.iter().map(|f| {
            let fname = ident(&f.name.rust);
            let label = &f.name.rust;
            if is_secret(&f.name.wire) {
                quote!(.field(#label, &"[redacted]"))
            } else {
                quote!(.field(#label, &self.#fname))
            }
        });
        let extra = if additional.is_some() {
            quote!(.field("additional_properties", &self.additional_properties))
        } else if open {
            quote!(.field("undocumented", &self.undocumented))
        } else {
            quote!()
        };
        (
            quote!(),
            quote! {
                impl ::std::fmt::Debug for #name {
                    #[allow(deprecated)]
                    fn fmt(&self, __f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        __f.debug_struct(#wire_type) #(#entries)* #extra .finish()
                    }
                }
            },
        )
    };
    if constructor && !required_params.is_empty() {
        let rest = [
            additional.map(|_| quote!(additional_properties: Default::default())),
            open.then(|| quote!(undocumented: Default::default())),
        ]
        .into_iter()
        .flatten();
        let doc = format!(
            " A `{}` of its required fields, every optional one absent.",
            ty.name.rust
        );
        let allow_deprecated = fields
            .iter()
            .any(|f| f.deprecated)
            .then(|| quote!(#[allow(deprecated)]));
        let allow_many =
            (required_params.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        accessors.insert(
            0,
            quote! {
                #[doc = #doc]
                #allow_deprecated
                #allow_many
                pub fn new(#(#required_params),*) -> Self {
                    Self { #(#required_names,)* #(#absent,)* #(#rest,)* }
                }
            },
        );
    }
    let accessors = if accessors.is_empty() {
        quote!()
    } else {
        quote! {
            impl #name {
                #(#accessors)*
            }
        }
    };
    // `additionalProperties: false`: a property the spec does not name is refused.
    let closed = if !open && additional.is_none() {
        quote!(#[cfg_attr(feature = "schemars", schemars(deny_unknown_fields))])
    } else {
        quote!()
    };
    let derives = if derive_debug.is_empty() && derive_default.is_empty() {
        quote!()
    } else {
        quote!(#[derive(#derive_debug #derive_default)])
    };
    let declaration = quote! {
        #doc
        #deprecated
        #derives
        #closed
        pub struct #name {
            #(#field_tokens)*
        }
    };
    let tokens = quote! {
        #debug_impl

        #accessors
    };
    Item {
        wrapped: Some(("support::object", declaration)),
        tokens,
        after: String::new(),
    }
}

/// Under the `schemars` feature: every named type of the root document with its JSON pointer, its
/// derived JSON Schema, and a serde round trip, so tests can hold the Rust types against the spec.
fn fidelity_table(api: &Api, support: &TokenStream) -> TokenStream {
    // A `Beside` payload leaves out the tag its schema requires: its union is held instead.
    let untagged_payloads: std::collections::BTreeSet<TypeId> = api
        .types
        .values()
        .filter_map(|ty| match &ty.kind {
            TypeKind::Union {
                variants,
                tagging: Tagging::Beside,
                ..
            } => Some(variants),
            _ => None,
        })
        .flatten()
        .filter_map(|v| match v.shape {
            Some(Shape::Named(id)) => Some(id),
            _ => None,
        })
        .collect();
    let rows = api
        .types
        .iter()
        .filter(|(id, ty)| {
            ty.origin.doc == 0
                && !matches!(ty.kind, TypeKind::Alias(_))
                && !untagged_payloads.contains(id)
        })
        .map(|(_, ty)| ty)
        .map(|ty| {
            let name = ident(&ty.name.rust);
            let wire = &ty.name.wire;
            let pointer = &ty.origin.pointer;
            // The name is the pointer's last token, unless escaping or lowering made it another.
            if pointer.rsplit('/').next() == Some(wire.as_str()) {
                quote!(#support::Fidelity::of::<#name>(#pointer))
            } else {
                quote!(#support::Fidelity::named::<#name>(#wire, #pointer))
            }
        });
    quote! {
        /// Every named type of the spec's root document beside its JSON pointer, derived JSON Schema
        /// and a serde round trip (`schemars` feature only).
        #[cfg(feature = "schemars")]
        pub fn fidelity() -> Vec<#support::Fidelity> {
            Vec::from([#(#rows),*])
        }
    }
}

/// Property names whose values are credentials and must not be printed.
fn is_secret(wire: &str) -> bool {
    let lower = wire.to_ascii_lowercase().replace(['_', '-'], "");
    lower.contains("secret")
        || lower.contains("password")
        || lower.ends_with("apikey")
        || lower == "authorization"
}

fn default_value(shape: &Shape, default: &Value) -> TokenStream {
    match (shape, default) {
        (Shape::Boolean, Value::Bool(b)) => quote!(#b),
        (Shape::String, Value::String(s)) => quote!(::std::string::String::from(#s)),
        (Shape::Integer(t), Value::Number(n)) => {
            let lit = syn::LitInt::new(&format!("{n}_{t}"), Span::call_site());
            quote!(#lit)
        }
        (Shape::Number(_), Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => quote!(::serde_json::Number::from(#i)),
            (None, Some(f)) => {
                let text = f.to_string();
                let text = if text.contains(['.', 'e', 'E']) {
                    text
                } else {
                    format!("{text}.0")
                };
                let lit = syn::LitFloat::new(&format!("{text}_f64"), Span::call_site());
                quote!(::serde_json::Number::from_f64(#lit).unwrap_or_else(|| ::serde_json::Number::from(0)))
            }
            _ => quote!(::serde_json::Number::from(0)),
        },
        _ => quote!(::std::default::Default::default()),
    }
}

/// An open enum: its definition as tokens, and the `open_enum!` invocation (support.rs) that
/// implements the rest, as text formatted here (the pretty-printer leaves macro bodies alone).
fn emit_enum(
    ty: &Type,
    variants: &[crate::ir::EnumVariant],
    repr: EnumRepr,
    doc: TokenStream,
    deprecated: TokenStream,
) -> (TokenStream, String) {
    let name = ident(&ty.name.rust);
    let idents: Vec<Ident> = variants.iter().map(|v| ident(&v.rust)).collect();
    let variant_docs: Vec<TokenStream> = variants
        .iter()
        .map(|v| match &v.docs {
            Some(text) => {
                let value = format!(" `{}`: the value on the wire.", value_text(&v.wire));
                let text = super::docs(Some(text));
                quote!(#text #[doc = ""] #[doc = #value])
            }
            None => {
                let value = format!(" `{}`", value_text(&v.wire));
                quote!(#[doc = #value])
            }
        })
        .collect();
    let (unknown_ty, repr_name) = match repr {
        EnumRepr::String => (quote!(::std::string::String), "str"),
        EnumRepr::Integer => (quote!(i64), "i64"),
    };
    let mut invocation = format!(
        "support::open_enum! {{\n    {}: {repr_name} {{\n",
        ty.name.rust
    );
    for v in variants {
        let value = match repr {
            EnumRepr::String => Literal::string(&value_text(&v.wire)).to_string(),
            EnumRepr::Integer => {
                Literal::i64_unsuffixed(v.wire.as_i64().unwrap_or_default()).to_string()
            }
        };
        invocation.push_str(&format!("        {} = {value},\n", v.rust));
    }
    invocation.push_str("    }\n}\n");
    let tokens = quote! {
        #doc
        #deprecated
        ///
        /// Open: a value the spec does not list decodes as `Unknown` and encodes back unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variant_docs #idents,)*
            /// A value the spec does not list.
            Unknown(#unknown_ty),
        }
    };
    (tokens, invocation)
}

#[allow(clippy::too_many_arguments)]
fn emit_union(
    api: &Api,
    id: TypeId,
    ty: &Type,
    variants: &[crate::ir::UnionVariant],
    tag: Option<&str>,
    doc: TokenStream,
    deprecated: TokenStream,
) -> TokenStream {
    let name = ident(&ty.name.rust);
    let type_name = &ty.name.rust;
    let idents: Vec<Ident> = variants.iter().map(|v| ident(&v.rust)).collect();
    let payloads: Vec<TokenStream> = variants
        .iter()
        .map(|v| payload_tokens(api, id, v.shape.as_ref().unwrap_or(&Shape::Any)))
        .collect();
    match tag {
        Some(tag) => {
            // A variant no tag value selects (its schema names none) is built and encoded,
            // never decoded: it has no arm.
            let arms = variants.iter().zip(&idents).filter(|(v, _)| !v.tag_values.is_empty()).map(|(v, ident)| {
                let values = &v.tag_values;
                quote! {
                    #(::std::option::Option::Some(#values))|* => ::serde_json::from_value(__value).map(Self::#ident).map_err(<__D::Error as ::serde::de::Error>::custom),
                }
            });
            let tag_doc = format!(" Tagged by the `{tag}` property.");
            quote! {
                #doc
                #deprecated
                ///
                #[doc = #tag_doc]
                /// Open: an unknown tag decodes as `Unknown` with the raw value.
                #[derive(Debug, Clone, PartialEq)]
                pub enum #name {
                    #(#idents(#payloads),)*
                    /// A tag value the spec does not list (or no tag at all).
                    Unknown(::serde_json::Value),
                }

                impl ::serde::Serialize for #name {
                    fn serialize<__S: ::serde::Serializer>(&self, __serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                        match self {
                            #(Self::#idents(__v) => ::serde::Serialize::serialize(__v, __serializer),)*
                            Self::Unknown(__v) => ::serde::Serialize::serialize(__v, __serializer),
                        }
                    }
                }

                impl<'de> ::serde::Deserialize<'de> for #name {
                    fn deserialize<__D: ::serde::Deserializer<'de>>(__deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                        let __value = <::serde_json::Value as ::serde::Deserialize>::deserialize(__deserializer)?;
                        let __tag = __value.get(#tag).and_then(::serde_json::Value::as_str).map(::std::string::ToString::to_string);
                        #[allow(unreachable_patterns)]
                        match __tag.as_deref() {
                            #(#arms)*
                            _ => ::std::result::Result::Ok(Self::Unknown(__value)),
                        }
                    }
                }

                #[cfg(feature = "schemars")]
                impl ::schemars::JsonSchema for #name {
                    fn schema_name() -> ::std::borrow::Cow<'static, str> {
                        #type_name.into()
                    }

                    fn json_schema(__generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                        let __variants = ::std::vec::Vec::from([#(__generator.subschema_for::<#payloads>()),*]);
                        ::schemars::json_schema!({ "oneOf": __variants })
                    }
                }

                impl support::Inspect for #name {
                    fn inspect(&self, path: &str, out: &mut Vec<support::UnknownValue>) {
                        match self {
                            #(Self::#idents(v) => support::Inspect::inspect(v, path, out),)*
                            Self::Unknown(v) => out.push(support::UnknownValue {
                                path: path.to_string(),
                                type_name: #type_name,
                                value: v.get(#tag).map(::std::string::ToString::to_string).unwrap_or_else(|| "no tag".to_string()),
                                kind: support::Unexpected::Value,
                            }),
                        }
                    }
                }
            }
        }
        None => quote! {
            #doc
            #deprecated
            ///
            /// Untagged: decoding tries each variant in order, most specific first, and takes the
            /// first that holds nothing the spec did not expect (else the first that decodes).
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
            #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
            #[serde(untagged)]
            pub enum #name {
                #(#idents(#payloads),)*
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<__D: ::serde::Deserializer<'de>>(__deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                    let __value = <::serde_json::Value as ::serde::Deserialize>::deserialize(__deserializer)?;
                    let mut __first = ::std::option::Option::None;
                    #(
                        if let ::std::result::Result::Ok(__v) = <#payloads as ::serde::Deserialize>::deserialize(&__value) {
                            let __v = Self::#idents(__v);
                            if support::Inspect::unknown_values(&__v).is_empty() {
                                return ::std::result::Result::Ok(__v);
                            }
                            __first.get_or_insert(__v);
                        }
                    )*
                    __first.ok_or_else(|| <__D::Error as ::serde::de::Error>::custom(concat!("data did not match any variant of untagged enum ", #type_name)))
                }
            }

            impl support::Inspect for #name {
                fn inspect(&self, path: &str, out: &mut Vec<support::UnknownValue>) {
                    match self {
                        #(Self::#idents(v) => support::Inspect::inspect(v, path, out),)*
                    }
                }
            }
        },
    }
}

/// A union variant's payload type, boxed where it holds the union again.
fn payload_tokens(api: &Api, union: TypeId, shape: &Shape) -> TokenStream {
    let t = shape_tokens(api, shape);
    match crate::ir::lower_direct_target(shape) {
        Some(target) if api.holds_by_value(target, union) => {
            quote!(::std::boxed::Box<#t>)
        }
        _ => t,
    }
}

/// A tagged union whose payloads do not hold the tag themselves ([`Tagging::Beside`] or
/// [`Tagging::Around`]): serde's tagged form for encoding, decoding by the tag (an unknown one
/// kept whole), and a JSON Schema of one object per tag value.
fn emit_carried_union(
    api: &Api,
    id: TypeId,
    ty: &Type,
    variants: &[crate::ir::UnionVariant],
    tag: &str,
    doc: TokenStream,
    deprecated: TokenStream,
) -> TokenStream {
    let TypeKind::Union { tagging, .. } = &ty.kind else {
        unreachable!("called for unions")
    };
    let content = match tagging {
        Tagging::Around(content) => Some(content.as_str()),
        _ => None,
    };
    let name = ident(&ty.name.rust);
    let type_name = &ty.name.rust;
    let mut defs = Vec::new();
    let mut arms = Vec::new();
    let mut schemas = Vec::new();
    let mut inspects = Vec::new();
    for v in variants {
        let variant = ident(&v.rust);
        let value = v.tag_values.first().map(String::as_str).unwrap_or_default();
        let docs = super::docs(v.docs.as_deref());
        let Some(shape) = &v.shape else {
            defs.push(quote!(#docs #[serde(rename = #value)] #variant,));
            arms.push(quote!(::std::option::Option::Some(#value) => ::std::result::Result::Ok(Self::#variant),));
            schemas.push(quote!(variant_schema(#tag, #value, None, None)));
            inspects.push(quote!(Self::#variant => {}));
            continue;
        };
        let payload = payload_tokens(api, id, shape);
        defs.push(quote!(#docs #[serde(rename = #value)] #variant(#payload),));
        match content {
            Some(content) => {
                arms.push(quote! {
                    ::std::option::Option::Some(#value) => content_payload(__value, #content).map(Self::#variant),
                });
                schemas.push(quote!(variant_schema(#tag, #value, Some(#content), Some(__generator.subschema_for::<#payload>()))));
                let at = format!("/{}", crate::load::escape(content));
                inspects.push(quote!(Self::#variant(v) => support::inspect_at(v, path, #at, out)));
            }
            None => {
                arms.push(quote! {
                    ::std::option::Option::Some(#value) => beside_payload(__value, #tag).map(Self::#variant),
                });
                schemas.push(quote!(variant_schema(#tag, #value, None, Some(__generator.subschema_for::<#payload>()))));
                inspects.push(quote!(Self::#variant(v) => support::Inspect::inspect(v, path, out)));
            }
        }
    }
    let serde_attr = match content {
        Some(content) => quote!(#[serde(tag = #tag, content = #content)]),
        None => quote!(#[serde(tag = #tag)]),
    };
    let carried = match content {
        Some(content) => format!(" Tagged by the `{tag}` property, the payload under `{content}`."),
        None => format!(" Tagged by the `{tag}` property, beside the payload's own."),
    };
    quote! {
        #doc
        #deprecated
        ///
        #[doc = #carried]
        /// Open: an unknown tag decodes as `Unknown` with the raw value.
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #serde_attr
        pub enum #name {
            #(#defs)*
            /// A tag value the spec does not list (or no tag at all).
            #[serde(untagged)]
            Unknown(::serde_json::Value),
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(__deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                let __value = <::serde_json::Value as ::serde::Deserialize>::deserialize(__deserializer)?;
                let __tag = __value.get(#tag).and_then(::serde_json::Value::as_str).map(::std::string::ToString::to_string);
                match __tag.as_deref() {
                    #(#arms)*
                    _ => ::std::result::Result::Ok(Self::Unknown(__value)),
                }
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                #type_name.into()
            }

            fn json_schema(__generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let __variants = ::std::vec::Vec::from([#(#schemas),*]);
                ::schemars::json_schema!({ "oneOf": __variants })
            }
        }

        impl support::Inspect for #name {
            fn inspect(&self, path: &str, out: &mut Vec<support::UnknownValue>) {
                match self {
                    #(#inspects,)*
                    Self::Unknown(v) => out.push(support::UnknownValue {
                        path: path.to_string(),
                        type_name: #type_name,
                        value: v.get(#tag).map(::std::string::ToString::to_string).unwrap_or_else(|| "no tag".to_string()),
                        kind: support::Unexpected::Value,
                    }),
                }
            }
        }
    }
}

/// True when `null` is a value of this shape (any JSON, or an alias of an optional type), so an
/// optional field of it must keep a `null` apart from absent.
fn admits_null(api: &Api, shape: &Shape) -> bool {
    fn go(api: &Api, shape: &Shape, depth: usize) -> bool {
        match shape {
            Shape::Any | Shape::Null | Shape::Nullable(_) => true,
            Shape::Named(id) if depth < 16 => match &api.ty(*id).kind {
                TypeKind::Alias(inner) => go(api, inner, depth + 1),
                TypeKind::Union {
                    variants,
                    tag: None,
                    ..
                } => variants
                    .iter()
                    .filter_map(|v| v.shape.as_ref())
                    .any(|s| go(api, s, depth + 1)),
                _ => false,
            },
            _ => false,
        }
    }
    go(api, shape, 0)
}

/// True when a value of this shape can hold something the spec did not expect: an enum value or
/// union tag it does not list, a property it does not document, or text that breaks its format.
pub fn may_hold_unknowns(api: &Api, shape: &Shape) -> bool {
    fn go(api: &Api, shape: &Shape, seen: &mut std::collections::BTreeSet<TypeId>) -> bool {
        match shape {
            Shape::Named(id) => {
                if !seen.insert(*id) {
                    return false;
                }
                match &api.ty(*id).kind {
                    TypeKind::Enum { .. } => true,
                    TypeKind::Union { tag: Some(_), .. } => true,
                    TypeKind::Union {
                        variants,
                        tag: None,
                        ..
                    } => variants
                        .iter()
                        .filter_map(|v| v.shape.as_ref())
                        .any(|s| go(api, s, seen)),
                    TypeKind::Struct { open: true, .. } => true,
                    TypeKind::Struct {
                        fields, additional, ..
                    } => {
                        fields.iter().any(|f| go(api, &f.shape, seen))
                            || additional.as_ref().is_some_and(|a| go(api, a, seen))
                    }
                    TypeKind::Alias(inner) => go(api, inner, seen),
                }
            }
            Shape::Array(inner) | Shape::Map(inner) | Shape::Nullable(inner) => {
                go(api, inner, seen)
            }
            Shape::Date | Shape::DateTime | Shape::Decimal => true,
            _ => false,
        }
    }
    go(api, shape, &mut std::collections::BTreeSet::new())
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
