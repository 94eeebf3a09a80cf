//! Which operation's output can feed which operation's input: OpenAPI `links` where the spec
//! has them, the rest inferred by name and schema. The same matching feeds the stateful phase's
//! value pool, so the printed graph is why a sequence happened.

use std::fmt::Write as _;

use generator::ir::{Api, JsonType, Operation, ParamLocation, SchemaId};

/// Why one operation's output feeds another's input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// An OpenAPI link on the response.
    Link(String),
    /// A response property of the same name (or `id` of the resource the path names).
    ResponseField,
    /// The `Location` header of a 201 names a path of the other operation.
    Location,
    /// An identifier the request chose, reused by name.
    RequestIdentifier,
}

/// One edge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// Index of the producing operation in the model.
    pub from: usize,
    /// Where the value is, in the producer (`response /disbursementIntentId`, `request /externalCustomerId`).
    pub source: String,
    /// Index of the consuming operation.
    pub to: usize,
    /// The input it fills (`path disbursementIntentId`, `body /customer/externalCustomerId`).
    pub input: String,
    pub reason: Reason,
}

/// The inferred graph.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub edges: Vec<Edge>,
}

/// Names a value can be found under: itself, and for `id` on a collection's item, `<singular>Id`.
pub fn aliases(name: &str, op: &Operation) -> Vec<String> {
    let mut out = vec![name.to_string()];
    if name == "id" {
        let resource = op
            .path
            .split('/')
            .rfind(|s| !s.is_empty() && !s.contains('{'))
            .unwrap_or("");
        let singular = resource
            .strip_suffix("ies")
            .map(|r| format!("{r}y"))
            .or_else(|| resource.strip_suffix('s').map(str::to_string))
            .unwrap_or_else(|| resource.to_string());
        let camel = heck_lower_camel(&singular);
        if !camel.is_empty() {
            out.push(format!("{camel}Id"));
            out.push(format!("{}_id", camel.to_ascii_lowercase()));
        }
    }
    out
}

fn heck_lower_camel(text: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in text.chars() {
        if c == '-' || c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Two names stand for the same value: equal, or equal ignoring case, `_` and `-`.
pub fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    a == b || norm(a) == norm(b)
}

/// Looks like an identifier a client chooses (`externalCustomerId`, `order_id`, `id`).
pub fn identifier_like(name: &str) -> bool {
    name == "id"
        || name.ends_with("Id")
        || name.ends_with("ID")
        || name.ends_with("_id")
        || name.ends_with("-id")
}

/// Leaf properties of a schema with their pointers, `allOf` included, a few levels deep.
pub fn leaves(api: &Api, id: SchemaId) -> Vec<(String, String, SchemaId)> {
    let mut out = Vec::new();
    collect(api, id, String::new(), 0, &mut out);
    out
}

fn collect(
    api: &Api,
    id: SchemaId,
    at: String,
    depth: usize,
    out: &mut Vec<(String, String, SchemaId)>,
) {
    if depth > 3 {
        return;
    }
    for (name, p) in api.schemas.all_properties(id) {
        let pointer = format!("{at}/{}", generator::load::escape(&name));
        let s = api.schema(p);
        if s.types.contains(&JsonType::Object) || !api.schemas.all_properties(p).is_empty() {
            collect(api, p, pointer, depth + 1, out);
        } else {
            out.push((name, pointer, p));
        }
    }
    let s = api.schema(id);
    if let Some(items) = s.items {
        collect(api, items, format!("{at}/0"), depth + 1, out);
    }
}

fn scalar_kind(api: &Api, id: Option<SchemaId>) -> Option<JsonType> {
    let s = api.schema(id?);
    s.types.iter().copied().find(|t| *t != JsonType::Null)
}

fn compatible(api: &Api, a: Option<SchemaId>, b: Option<SchemaId>) -> bool {
    match (scalar_kind(api, a), scalar_kind(api, b)) {
        (Some(x), Some(y)) => {
            x == y
                || matches!(
                    (x, y),
                    (JsonType::Integer, JsonType::Number) | (JsonType::Number, JsonType::Integer)
                )
        }
        _ => true,
    }
}

/// Inputs of an operation: (description, name, schema).
pub fn inputs(api: &Api, op: &Operation) -> Vec<(String, String, Option<SchemaId>)> {
    let mut out: Vec<(String, String, Option<SchemaId>)> = op
        .parameters
        .iter()
        .map(|p| {
            (
                format!("{} {}", location_word(p.location), p.name.wire),
                p.name.wire.clone(),
                p.schema,
            )
        })
        .collect();
    if let Some(schema) = op
        .body
        .as_ref()
        .and_then(|b| b.content.iter().find_map(|m| m.schema))
    {
        for (name, pointer, id) in leaves(api, schema) {
            out.push((format!("body {pointer}"), name, Some(id)));
        }
    }
    out
}

pub fn location_word(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

/// Infers the graph of `ops`, each with the model its schemas live in.
pub fn infer(ops: &[(&Api, &Operation)]) -> Graph {
    let mut edges = Vec::new();
    for (from, (api, producer)) in ops.iter().enumerate() {
        let api: &Api = api;
        // Outputs: 2xx response leaves, and identifiers the request body chose.
        let mut outputs: Vec<(String, String, Option<SchemaId>, Reason)> = Vec::new();
        for r in producer
            .responses
            .iter()
            .filter(|r| r.status.starts_with('2'))
        {
            for link in &r.links {
                let Some(to) = ops
                    .iter()
                    .position(|(_, o)| o.operation_id.as_deref() == Some(link.operation.as_str()))
                else {
                    continue;
                };
                for (param, expression) in &link.parameters {
                    edges.push(Edge {
                        from,
                        source: expression.clone(),
                        to,
                        input: format!("parameter {param}"),
                        reason: Reason::Link(link.name.clone()),
                    });
                }
            }
            if r.status == "201"
                && r.headers
                    .iter()
                    .any(|h| h.name.eq_ignore_ascii_case("location"))
            {
                outputs.push((
                    "Location".into(),
                    "header Location".into(),
                    None,
                    Reason::Location,
                ));
            }
            for schema in r.content.iter().filter_map(|m| m.schema) {
                for (name, pointer, id) in leaves(api, schema) {
                    for alias in aliases(&name, producer) {
                        outputs.push((
                            alias,
                            format!("response {pointer}"),
                            Some(id),
                            Reason::ResponseField,
                        ));
                    }
                }
            }
        }
        for p in producer
            .parameters
            .iter()
            .filter(|p| p.location == ParamLocation::Path)
        {
            outputs.push((
                p.name.wire.clone(),
                format!("request path {}", p.name.wire),
                p.schema,
                Reason::RequestIdentifier,
            ));
        }
        if let Some(schema) = producer
            .body
            .as_ref()
            .and_then(|b| b.content.iter().find_map(|m| m.schema))
        {
            for (name, pointer, id) in leaves(api, schema) {
                if identifier_like(&name) {
                    outputs.push((
                        name,
                        format!("request {pointer}"),
                        Some(id),
                        Reason::RequestIdentifier,
                    ));
                }
            }
        }
        for (to, (consumer_api, consumer)) in ops.iter().enumerate() {
            if to == from {
                continue;
            }
            for (input, name, schema) in inputs(consumer_api, consumer) {
                if input.starts_with("body") && !identifier_like(&name) {
                    continue;
                }
                if let Some((_, source, _, reason)) = outputs.iter().find(|(n, _, s, reason)| {
                    *reason != Reason::Location
                        && same_name(n, &name)
                        && (!std::ptr::eq(api, *consumer_api) || compatible(api, *s, schema))
                }) {
                    edges.push(Edge {
                        from,
                        source: source.clone(),
                        to,
                        input,
                        reason: reason.clone(),
                    });
                }
            }
        }
    }
    edges.sort();
    edges.dedup();
    Graph { edges }
}

impl Graph {
    /// Operations fed by `from`.
    pub fn consumers(&self, from: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges
            .iter()
            .filter(move |e| e.from == from)
            .map(|e| e.to)
    }

    /// The graph as text, one edge a line.
    pub fn render(&self, ops: &[&Operation]) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "inferred links ({} edges):", self.edges.len());
        for e in &self.edges {
            let why = match &e.reason {
                Reason::Link(name) => format!("OpenAPI link `{name}`"),
                Reason::ResponseField => "same name in the response".to_string(),
                Reason::Location => "Location header".to_string(),
                Reason::RequestIdentifier => "identifier the request chose".to_string(),
            };
            let _ = writeln!(
                out,
                "  {} {} -> {} {}   ({why})",
                ops[e.from].label(),
                e.source,
                ops[e.to].label(),
                e.input
            );
        }
        out
    }
}
