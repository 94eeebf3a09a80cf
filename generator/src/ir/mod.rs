//! Phase 2: one plain-data model of an API. Emitters see only this, never the parsed spec.
//!
//! Types live in an arena keyed by [`TypeId`]; everything is ordered, so the same spec always
//! lowers to the same `Api`.

mod lower;
pub mod names;

use std::collections::BTreeMap;

use serde_json::Value;

pub use lower::lower;

/// The named type a shape holds by value, if any.
pub fn lower_direct_target(shape: &Shape) -> Option<TypeId> {
    lower::direct_target(shape)
}

/// True when `from` contains `target` by value (so a field of that type needs a `Box`).
pub fn lower_reaches(api: &Api, from: TypeId, target: TypeId) -> bool {
    lower::reaches(api, from, target, &mut std::collections::BTreeSet::new())
}
pub use names::Name;

/// Index of a named type in [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub u32);

/// Where a node came from in the input, for docs and diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// File index in the loaded spec (0 is the root).
    pub doc: usize,
    /// JSON pointer inside that file.
    pub pointer: String,
}

/// The whole API.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// Named types, by id; ids are handed out in a fixed order.
    pub types: BTreeMap<TypeId, Type>,
    /// Operations, ordered by path then method.
    pub operations: Vec<Operation>,
    /// Webhooks (3.1 `webhooks`) and callbacks, ordered by name.
    pub webhooks: Vec<Operation>,
    /// `servers`.
    pub servers: Vec<Server>,
    /// `components.securitySchemes`, by name.
    pub security_schemes: BTreeMap<String, SecurityScheme>,
}

/// A named type.
#[derive(Debug, Clone)]
pub struct Type {
    /// Rust name beside the component key (or the derived name for inline schemas).
    pub name: Name,
    /// From `title` and `description`.
    pub docs: Option<String>,
    /// The shape.
    pub kind: TypeKind,
    /// Where the schema is.
    pub origin: Origin,
    /// The schema as written (after `$ref` resolution of its root only), for validation and fidelity checks.
    pub schema: Value,
    /// `example` and `examples` values given on the schema.
    pub examples: Vec<Value>,
    /// Marked `deprecated: true`.
    pub deprecated: bool,
}

/// What a named type is.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object with known properties, and maybe a map of the rest.
    Struct {
        /// Properties, in spec order.
        fields: Vec<Field>,
        /// `additionalProperties` beside the fixed properties, as a flattened map.
        additional: Option<Shape>,
    },
    /// A string or integer enum; always open (unknown values round-trip).
    Enum {
        /// Known values, in spec order.
        variants: Vec<EnumVariant>,
        /// String or integer values.
        repr: EnumRepr,
    },
    /// `oneOf`/`anyOf` as a Rust enum.
    Union {
        /// The alternatives; untagged unions are ordered most specific first.
        variants: Vec<UnionVariant>,
        /// `discriminator`, when the spec gives one.
        tag: Option<String>,
    },
    /// Another shape under this name (`type Name = …`).
    Alias(Shape),
}

/// The value type of an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumRepr {
    /// JSON strings.
    String,
    /// JSON integers.
    Integer,
}

/// One known enum value.
#[derive(Debug, Clone)]
pub struct EnumVariant {
    /// Variant identifier.
    pub rust: String,
    /// The value on the wire.
    pub wire: Value,
}

/// One alternative of a union.
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// Variant identifier.
    pub rust: String,
    /// For tagged unions, the tag values that select this variant (first one is used when writing).
    pub tag_values: Vec<String>,
    /// The payload.
    pub shape: Shape,
}

/// One property of a struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// Identifier and wire name.
    pub name: Name,
    /// The value's shape (without the optionality below).
    pub shape: Shape,
    /// Listed in `required`.
    pub required: bool,
    /// `nullable: true` or `type: [.., "null"]`.
    pub nullable: bool,
    /// `default`, when it is applied in the Rust type.
    pub default: Option<Value>,
    /// From the property's `description`.
    pub docs: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// A named type that contains this struct again: needs a `Box`.
    pub boxed: bool,
}

/// The shape of a value: a named type or a built-in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shape {
    /// A named type in the arena.
    Named(TypeId),
    /// Any string.
    String,
    /// `format: date-time`, kept as exact text.
    DateTime,
    /// `format: date`, kept as exact text.
    Date,
    /// `format: decimal` (or a string with a decimal pattern), kept as exact text.
    Decimal,
    /// Integers, with their Rust type (`i32`, `i64`, `u64`…).
    Integer(&'static str),
    /// Numbers (`f64`, or `f32` for `format: float`).
    Number(&'static str),
    /// `true`/`false`.
    Boolean,
    /// `type: array`.
    Array(Box<Shape>),
    /// An object used as a map (`additionalProperties` only).
    Map(Box<Shape>),
    /// Anything at all.
    Any,
    /// JSON `null` only.
    Null,
    /// `T | null` where the schema allows null.
    Nullable(Box<Shape>),
}

/// A server from `servers`.
#[derive(Debug, Clone)]
pub struct Server {
    /// The URL template.
    pub url: String,
    /// `description`.
    pub description: Option<String>,
    /// Variables with their defaults and allowed values.
    pub variables: Vec<(String, String, Vec<String>)>,
}

/// A security scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityScheme {
    /// `http` + `bearer`.
    Bearer,
    /// `http` + `basic`.
    Basic,
    /// `apiKey` in a header, query or cookie.
    ApiKey {
        /// Header, query parameter or cookie name.
        name: String,
        /// `header`, `query` or `cookie`.
        location: String,
    },
    /// OAuth2 / OpenID Connect: a bearer token obtained elsewhere.
    OAuth2,
}

/// One operation (a method on a path).
#[derive(Debug, Clone)]
pub struct Operation {
    /// Method identifier (from `operationId`, or derived from method and path), with the operationId as wire name.
    pub name: Name,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Path-level and operation-level parameters, merged.
    pub parameters: Vec<Parameter>,
    /// The request body, if any.
    pub body: Option<Body>,
    /// Responses by status key (`200`, `4XX`, `default`), in spec order.
    pub responses: Vec<Response>,
    /// Names of the security schemes any of which the operation accepts (empty: none needed).
    pub security: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Where the operation is in the spec.
    pub origin: Origin,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Identifier and wire name.
    pub name: Name,
    /// Path, query, header or cookie.
    pub location: ParamLocation,
    /// The value shape.
    pub shape: Shape,
    /// Must be sent.
    pub required: bool,
    /// `style` (defaults applied: `simple` for path/header, `form` for query/cookie).
    pub style: String,
    /// `explode` (default: true for `form`).
    pub explode: bool,
    /// `description`.
    pub docs: Option<String>,
    /// The parameter's schema as written (bounds, pattern, lengths), for generated test data.
    pub constraints: Option<Value>,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// Must be sent.
    pub required: bool,
    /// Media types and their shapes, in spec order.
    pub content: Vec<(String, Shape)>,
}

/// One documented response.
#[derive(Debug, Clone)]
pub struct Response {
    /// `200`, `4XX` or `default`.
    pub status: String,
    /// `description`.
    pub description: String,
    /// Media types and their shapes.
    pub content: Vec<(String, Shape)>,
    /// Declared header names.
    pub headers: Vec<String>,
}

impl Api {
    /// The type behind `id`.
    pub fn ty(&self, id: TypeId) -> &Type {
        &self.types[&id]
    }
}
