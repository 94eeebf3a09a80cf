//! Phase 2: one plain-data model of an API. Emitters see only this, never the parsed spec.
//!
//! Types live in an arena keyed by [`TypeId`]; everything is ordered, so the same spec always
//! lowers to the same `Api`.

mod lower;
pub mod names;
pub mod schema;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub use lower::lower;

/// The named type a shape holds by value, if any.
pub fn lower_direct_target(shape: &Shape) -> Option<TypeId> {
    lower::direct_target(shape)
}

pub use crate::method::Method;
pub use names::Name;
pub use schema::{Additional, Bound, JsonType, Schema, SchemaId, Schemas};

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
    /// Every schema an operation reaches, as typed constraints.
    pub schemas: Schemas,
    /// The types a request body reaches (a caller builds them: they get constructors).
    pub request_types: BTreeSet<TypeId>,
    /// The operations' paths indexed for [`Api::find`], on its first call (after lowering).
    routes: std::sync::OnceLock<crate::paths::Routes>,
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
    /// The schema as typed constraints (after `$ref` resolution of its root); `None` only while
    /// the type is declared and not yet defined.
    pub schema: Option<SchemaId>,
    /// `example` and `examples` values given on the schema.
    pub examples: Vec<Value>,
    /// Marked `deprecated: true`.
    pub deprecated: bool,
    /// Types whose values can hold one another (through fields, items, map values and union
    /// variants, at any depth) share a number here; `None` for a type no value of which can
    /// hold another of itself. Decided once, in lowering.
    pub cycle: Option<u32>,
    /// As [`Type::cycle`], through fields, union payloads and aliases only (no array or map
    /// between): types that share a number hold one another by value, so the field that closes
    /// the loop is boxed.
    pub value_cycle: Option<u32>,
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
        /// The spec says nothing of other properties (no `additionalProperties`), so JSON Schema
        /// allows them: generated code keeps them in an `undocumented` map and reports them.
        open: bool,
    },
    /// A string or integer enum; always open (unknown values round-trip).
    Enum {
        /// Known values, in spec order.
        variants: Vec<EnumVariant>,
        /// String or integer values.
        repr: EnumRepr,
    },
    /// `oneOf`/`anyOf` as a Rust enum (a `oneOf` of string enums is an [`TypeKind::Enum`]).
    Union {
        /// The alternatives; untagged unions are ordered most specific first.
        variants: Vec<UnionVariant>,
        /// The property whose value selects the variant: `discriminator.propertyName`, or, without
        /// one, a property every alternative requires with a single string value of its own.
        tag: Option<String>,
        /// Where a tagged union's payloads keep the tag (`Inside` when untagged).
        tagging: Tagging,
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
    /// The `description` of the `oneOf` alternative that names this value, if any.
    pub docs: Option<String>,
}

/// How a tagged union's wire object carries its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tagging {
    /// Each payload holds the tag property among its own fields (a `discriminator` over
    /// components, which are types of their own elsewhere too).
    Inside,
    /// The tag sits beside the payload's fields in one object, but is not one of them
    /// (inline alternatives: serde's internally tagged form).
    Beside,
    /// `{tag: value, <content>: payload}`, the named property holding the payload (inline
    /// alternatives of exactly those two properties: serde's adjacently tagged form).
    Around(String),
}

/// One alternative of a union.
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// Variant identifier.
    pub rust: String,
    /// For tagged unions, the tag values that select this variant (first one is used when writing).
    pub tag_values: Vec<String>,
    /// The payload; `None` for a `Beside`/`Around` alternative that holds the tag alone.
    pub shape: Option<Shape>,
    /// The alternative's `description`.
    pub docs: Option<String>,
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
    /// The HTTP method.
    pub method: Method,
    /// Path template.
    pub path: String,
    /// `operationId`, when the spec gives one.
    pub operation_id: Option<String>,
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
    /// The security requirements as written: the operation accepts a request meeting any one of
    /// them, and a requirement is met when every scheme it names is (an empty one: anonymous).
    /// Empty when the operation needs no credentials.
    pub requirements: Vec<Vec<String>>,
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

/// How a parameter's value is written on the wire (`style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    /// `1,2,3` (path and header default).
    Simple,
    /// `name=1,2,3`, or `name=1&name=2` exploded (query and cookie default).
    Form,
    /// `.1.2.3` in a path.
    Label,
    /// `;name=1,2,3` in a path.
    Matrix,
    /// `1 2 3` in a query.
    SpaceDelimited,
    /// `1|2|3` in a query.
    PipeDelimited,
    /// `name[key]=value` for an object in a query.
    DeepObject,
}

impl Style {
    /// Every style with its name as the spec writes it.
    const NAMES: [(Style, &'static str); 7] = [
        (Style::Simple, "simple"),
        (Style::Form, "form"),
        (Style::Label, "label"),
        (Style::Matrix, "matrix"),
        (Style::SpaceDelimited, "spaceDelimited"),
        (Style::PipeDelimited, "pipeDelimited"),
        (Style::DeepObject, "deepObject"),
    ];

    /// The style named by `text` as the spec writes it.
    pub fn parse(text: &str) -> Option<Style> {
        Style::NAMES
            .iter()
            .find(|(_, name)| *name == text)
            .map(|(style, _)| *style)
    }

    /// Its name as the spec writes it (`spaceDelimited`).
    pub fn name(self) -> &'static str {
        Style::NAMES
            .iter()
            .find(|(style, _)| *style == self)
            .map_or("form", |(_, name)| name)
    }

    /// The default for a parameter in `location`.
    pub fn default_for(location: ParamLocation) -> Style {
        match location {
            ParamLocation::Path | ParamLocation::Header => Style::Simple,
            ParamLocation::Query | ParamLocation::Cookie => Style::Form,
        }
    }

    /// What separates the items of an unexploded array.
    pub fn delimiter(self) -> char {
        match self {
            Style::SpaceDelimited => ' ',
            Style::PipeDelimited => '|',
            _ => ',',
        }
    }
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
    /// `style` (defaults applied: `simple` for path/header, `form` for query/cookie; Swagger
    /// 2.0's `collectionFormat` mapped onto it).
    pub style: Style,
    /// `explode` (default: true for `form`).
    pub explode: bool,
    /// `description`.
    pub docs: Option<String>,
    /// The parameter's schema as typed constraints (under `schema`, on a Swagger 2.0 parameter
    /// itself, or under its one `content` media type).
    pub schema: Option<SchemaId>,
    /// `example` and `examples` of the parameter.
    pub examples: Vec<Value>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Where the parameter is in the spec.
    pub origin: Origin,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// Must be sent.
    pub required: bool,
    /// Media types and their shapes, in spec order.
    pub content: Vec<Media>,
    /// Where the body is in the spec.
    pub origin: Origin,
}

/// One media type of a body.
#[derive(Debug, Clone)]
pub struct Media {
    /// `application/json`, `multipart/form-data`…, as written.
    pub media_type: String,
    /// The value's shape in generated code.
    pub shape: Shape,
    /// The schema, when the media type has one.
    pub schema: Option<SchemaId>,
    /// `example` and `examples` given on the media type.
    pub examples: Vec<Value>,
}

/// One documented response.
#[derive(Debug, Clone)]
pub struct Response {
    /// `200`, `4XX` or `default`.
    pub status: String,
    /// `description`.
    pub description: String,
    /// Media types and their shapes.
    pub content: Vec<Media>,
    /// Declared headers.
    pub headers: Vec<Header>,
    /// `links`: operations that take values from this response.
    pub links: Vec<Link>,
    /// Where the response is (after `$ref`).
    pub origin: Origin,
}

/// A declared response header.
#[derive(Debug, Clone)]
pub struct Header {
    /// The name as written.
    pub name: String,
    /// `required: true`.
    pub required: bool,
    /// Its schema.
    pub schema: Option<SchemaId>,
    /// Where it is.
    pub origin: Origin,
}

/// An OpenAPI link: a later operation and where its parameters come from.
#[derive(Debug, Clone)]
pub struct Link {
    /// The link's name.
    pub name: String,
    /// `operationId` of the target (resolved from `operationRef` when it points into this spec).
    pub operation: String,
    /// Parameter name → runtime expression (`$response.body#/id`, `$request.path.id`…).
    pub parameters: Vec<(String, String)>,
}

/// Path parameter values by name, as a request path carried them (percent-decoded).
pub type PathParams = Vec<(String, String)>;

impl Api {
    /// Numbers the cycles among the named types: [`Type::cycle`], the strongly connected
    /// components of "a value of one can hold a value of the other", and [`Type::value_cycle`],
    /// those of "holds the other by value" (no array or map between); a type that can hold
    /// itself is a component of its own.
    pub(crate) fn mark_cycles(&mut self) {
        fn named(shape: &Shape, through_collections: bool, out: &mut Vec<TypeId>) {
            match shape {
                Shape::Named(id) => out.push(*id),
                Shape::Nullable(inner) => named(inner, through_collections, out),
                Shape::Array(inner) | Shape::Map(inner) if through_collections => {
                    named(inner, through_collections, out)
                }
                _ => {}
            }
        }
        let ids: Vec<TypeId> = self.types.keys().copied().collect();
        let index: BTreeMap<TypeId, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let graph = |through_collections: bool| -> Vec<Vec<usize>> {
            ids.iter()
                .map(|id| {
                    let mut out = Vec::new();
                    let mut add = |shape: &Shape| named(shape, through_collections, &mut out);
                    match &self.types[id].kind {
                        TypeKind::Struct {
                            fields, additional, ..
                        } => {
                            fields.iter().for_each(|f| add(&f.shape));
                            // the map of the rest is always a collection
                            if through_collections {
                                additional.iter().for_each(&mut add);
                            }
                        }
                        TypeKind::Union { variants, .. } => variants
                            .iter()
                            .filter_map(|v| v.shape.as_ref())
                            .for_each(add),
                        TypeKind::Alias(inner) => add(inner),
                        TypeKind::Enum { .. } => {}
                    }
                    out.iter().filter_map(|t| index.get(t).copied()).collect()
                })
                .collect()
        };
        let numbered = |edges: &[Vec<usize>]| -> Vec<Option<u32>> {
            let component = components(edges);
            let mut size = vec![0usize; edges.len()];
            component.iter().for_each(|c| size[*c] += 1);
            (0..edges.len())
                .map(|i| {
                    let on_cycle = size[component[i]] > 1 || edges[i].contains(&i);
                    on_cycle.then_some(component[i] as u32)
                })
                .collect()
        };
        let cycles = numbered(&graph(true));
        let value_cycles = numbered(&graph(false));
        for (i, id) in ids.iter().enumerate() {
            let ty = self.types.get_mut(id).expect("listed above");
            ty.cycle = cycles[i];
            ty.value_cycle = value_cycles[i];
        }
    }

    /// A value of `from` contains a value of `target` by value, at any depth: a field of type
    /// `from` inside `target` needs a `Box`. Read off [`Type::value_cycle`].
    pub fn holds_by_value(&self, from: TypeId, target: TypeId) -> bool {
        match (self.ty(from).value_cycle, self.ty(target).value_cycle) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }

    /// Every named type `roots` reach, through fields, items, map values, alternatives and
    /// aliases (the roots' own named types included).
    pub fn reachable<'a>(&self, roots: impl IntoIterator<Item = &'a Shape>) -> BTreeSet<TypeId> {
        fn walk(api: &Api, shape: &Shape, seen: &mut BTreeSet<TypeId>) {
            match shape {
                Shape::Named(id) => {
                    if !seen.insert(*id) {
                        return;
                    }
                    match &api.ty(*id).kind {
                        TypeKind::Struct {
                            fields, additional, ..
                        } => {
                            for f in fields {
                                walk(api, &f.shape, seen);
                            }
                            if let Some(extra) = additional {
                                walk(api, extra, seen);
                            }
                        }
                        TypeKind::Union { variants, .. } => {
                            for shape in variants.iter().filter_map(|v| v.shape.as_ref()) {
                                walk(api, shape, seen);
                            }
                        }
                        TypeKind::Alias(inner) => walk(api, inner, seen),
                        TypeKind::Enum { .. } => {}
                    }
                }
                Shape::Array(inner) | Shape::Map(inner) | Shape::Nullable(inner) => {
                    walk(api, inner, seen)
                }
                _ => {}
            }
        }
        let mut seen = BTreeSet::new();
        for shape in roots {
            walk(self, shape, &mut seen);
        }
        seen
    }

    /// The types some operation's request body reaches.
    pub fn reached_by_requests(&self) -> BTreeSet<TypeId> {
        self.reachable(
            self.operations
                .iter()
                .flat_map(|op| op.body.iter().flat_map(|b| &b.content))
                .map(|media| &media.shape),
        )
    }

    /// The type behind `id`.
    pub fn ty(&self, id: TypeId) -> &Type {
        &self.types[&id]
    }

    /// The typed schema behind `id`.
    pub fn schema(&self, id: SchemaId) -> &Schema {
        self.schemas.get(id)
    }

    /// The operation serving `method` on the request path `path` (without the servers' base
    /// path), with its path parameters: the router's matcher and ranking.
    pub fn find(&self, method: &str, path: &str) -> Option<(&Operation, PathParams)> {
        let routes = self.routes.get_or_init(|| {
            crate::paths::Routes::new(
                self.operations
                    .iter()
                    .map(|o| (o.method.as_str(), o.path.as_str())),
            )
        });
        routes
            .find(method, path)
            .map(|(at, params)| (&self.operations[at], params))
    }

    /// The operation whose `operationId` is `id`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|o| o.operation_id.as_deref() == Some(id))
    }
}

impl Operation {
    /// How reports name it: the `operationId`, or `METHOD /path`.
    pub fn label(&self) -> String {
        self.operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {}", self.method, self.path))
    }

    /// The documented response for a status: the exact code, then its range (`4XX`), then `default`.
    pub fn response_for(&self, status: u16) -> Option<&Response> {
        // Compared as numbers written as `to_string` writes them, without writing them.
        let canonical = |text: &str| {
            (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse::<u16>().ok())
                .flatten()
                .filter(|_| text == "0" || !text.starts_with('0'))
        };
        let code = |text: &str| canonical(text) == Some(status);
        let range = |text: &str| {
            text.len() > 2
                && text.is_char_boundary(text.len() - 2)
                && text[text.len() - 2..].eq_ignore_ascii_case("xx")
                && canonical(&text[..text.len() - 2]) == Some(status / 100)
        };
        self.responses
            .iter()
            .find(|r| code(&r.status))
            .or_else(|| self.responses.iter().find(|r| range(&r.status)))
            .or_else(|| self.responses.iter().find(|r| r.status == "default"))
    }
}

/// The strongly connected component of every node of a graph given as adjacency lists
/// (numbered from 0, in no particular order): two nodes share one exactly when each reaches
/// the other.
pub(crate) fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    // Kosaraju, without recursion: finishing order on the graph, then components on its
    // reverse in the opposite order.
    let n = edges.len();
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for start in 0..n {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![(start, 0)];
        while let Some((node, next)) = stack.last_mut() {
            if let Some(&to) = edges[*node].get(*next) {
                *next += 1;
                if !seen[to] {
                    seen[to] = true;
                    stack.push((to, 0));
                }
            } else {
                order.push(*node);
                stack.pop();
            }
        }
    }
    let mut reverse = vec![Vec::new(); n];
    for (from, tos) in edges.iter().enumerate() {
        for &to in tos {
            reverse[to].push(from);
        }
    }
    let mut component = vec![usize::MAX; n];
    let mut count = 0;
    for &start in order.iter().rev() {
        if component[start] != usize::MAX {
            continue;
        }
        component[start] = count;
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &from in &reverse[node] {
                if component[from] == usize::MAX {
                    component[from] = count;
                    stack.push(from);
                }
            }
        }
        count += 1;
    }
    component
}

#[cfg(test)]
mod tests {
    /// A status finds its exact code, then its range in either case, then `default`.
    #[test]
    fn a_status_finds_its_code_then_its_range_then_default() {
        let text = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200': {description: exact}\n        4xx: {description: range}\n        default: {description: other}\n";
        let loaded = crate::load::load_str(std::path::Path::new("t.yaml"), text).unwrap();
        let (api, _) = super::lower(&loaded.spec);
        let (op, _) = api.find("GET", "/x").unwrap();
        let status = |code| op.response_for(code).map(|r| r.status.as_str());
        assert_eq!(status(200), Some("200"));
        assert_eq!(status(404), Some("4xx"));
        assert_eq!(status(201), Some("default"));
        assert_eq!(status(42), Some("default"));
    }

    /// Styles as typed data: defaults by location, 3.x `style`, Swagger 2.0 `collectionFormat`
    /// (`csv` by default), and an unknown style reported where it is written.
    #[test]
    fn parameter_styles_are_typed_with_their_defaults() {
        use super::Style;
        let styles = |text: &str| {
            let loaded = crate::load::load_str(std::path::Path::new("t.yaml"), text).unwrap();
            let (api, diags) = super::lower(&loaded.spec);
            let (op, _) = api.find("GET", "/x").unwrap();
            let styles: Vec<(String, Style, bool)> = op
                .parameters
                .iter()
                .map(|p| (p.name.wire.clone(), p.style, p.explode))
                .collect();
            (styles, diags)
        };
        let array = "{type: array, items: {type: integer}}";
        let (v3, diags) = styles(&format!(
            "openapi: 3.0.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /x:\n    get:\n      parameters:\n        - {{name: a, in: query, schema: {array}}}\n        - {{name: b, in: query, style: pipeDelimited, schema: {array}}}\n        - {{name: c, in: header, schema: {array}}}\n        - {{name: d, in: query, style: sideways, schema: {array}}}\n      responses: {{'200': {{description: ok}}}}\n"
        ));
        assert_eq!(
            v3,
            [
                ("a".into(), Style::Form, true),
                ("b".into(), Style::PipeDelimited, false),
                ("c".into(), Style::Simple, false),
                ("d".into(), Style::Form, true),
            ]
        );
        let unknown = diags.0.iter().find(|d| d.code == "unknown-style").unwrap();
        assert!(
            unknown
                .to_string()
                .contains("/paths/~1x/get/parameters/3/style")
                && unknown.to_string().contains("written as `form`"),
            "{unknown}"
        );
        for (style, name) in Style::NAMES {
            assert_eq!((Style::parse(name), style.name()), (Some(style), name));
        }
        let (v2, _) = styles(
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      parameters:\n        - {name: a, in: query, type: array, items: {type: integer}}\n        - {name: b, in: query, type: array, items: {type: integer}, collectionFormat: multi}\n        - {name: c, in: query, type: array, items: {type: integer}, collectionFormat: ssv}\n        - {name: d, in: query, type: array, items: {type: integer}, collectionFormat: pipes}\n      responses: {'200': {description: ok}}\n",
        );
        assert_eq!(
            v2,
            [
                ("a".into(), Style::Form, false),
                ("b".into(), Style::Form, true),
                ("c".into(), Style::SpaceDelimited, false),
                ("d".into(), Style::PipeDelimited, false),
            ]
        );
    }

    /// Cycles are numbered once: types that hold one another share a number, a type that holds
    /// itself has one of its own, and one that only points into a cycle has none.
    #[test]
    fn cycles_are_found_once_in_lowering() {
        let text = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: object, properties: {b: {type: array, items: {$ref: '#/components/schemas/B'}}}}\n    B: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}\n    C: {type: object, properties: {next: {$ref: '#/components/schemas/C'}}}\n    D: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}\n    E: {type: object, properties: {n: {type: string}}}\n";
        let loaded = crate::load::load_str(std::path::Path::new("t.yaml"), text).unwrap();
        let (api, _) = super::lower(&loaded.spec);
        let cycle = |name: &str| {
            api.types
                .values()
                .find(|t| t.name.wire == name)
                .unwrap()
                .cycle
        };
        assert!(cycle("A").is_some());
        assert_eq!(cycle("A"), cycle("B"));
        assert!(cycle("C").is_some());
        assert_ne!(cycle("C"), cycle("A"));
        assert_eq!(cycle("D"), None);
        assert_eq!(cycle("E"), None);
    }
}
