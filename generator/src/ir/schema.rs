//! Schemas as typed data: every constraint the spec states, with `$ref`s resolved into an arena.
//!
//! The Rust-facing part of the IR ([`super::Shape`], [`super::Type`]) says what a value is in
//! generated code; this part says what the spec allows on the wire, for everything that makes or
//! judges values (the contract engine, `verify`). Recursion needs no special case: a `$ref` to a
//! schema being lowered gets the id it already holds.

use std::collections::HashMap;

use serde_json::Value;

use super::Origin;
use crate::load::{DocId, Node, Spec, Version};

/// Index of a schema in [`Schemas`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchemaId(pub u32);

/// A JSON type a schema admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// Text.
    String,
    /// A list.
    Array,
    /// A map of properties.
    Object,
}

impl JsonType {
    fn parse(text: &str) -> Option<JsonType> {
        Some(match text {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    /// The JSON type of a value (`Integer` for whole numbers).
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }
}

/// What an object allows beside its declared properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Additional {
    /// The spec does not say (no `additionalProperties`): JSON Schema allows anything, but
    /// whatever comes is undocumented.
    Unstated,
    /// Anything (`additionalProperties: true`).
    Any,
    /// Nothing (`additionalProperties: false`).
    Forbidden,
    /// Values of this schema.
    Schema(SchemaId),
}

/// A numeric bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The bound.
    pub value: f64,
    /// The bound itself is not allowed.
    pub exclusive: bool,
}

/// One schema, as the spec states it.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Where it is (after `$ref`).
    pub origin: Origin,
    /// The types it admits; empty means any.
    pub types: Vec<JsonType>,
    /// `null` is allowed too (3.0 `nullable`, Swagger `x-nullable`, 3.1 `null` in `type`).
    pub nullable: bool,
    /// `enum`.
    pub enumeration: Option<Vec<Value>>,
    /// `const`.
    pub constant: Option<Value>,
    /// `format`.
    pub format: Option<String>,
    /// `pattern`.
    pub pattern: Option<String>,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `minimum` (with `exclusiveMinimum`).
    pub minimum: Option<Bound>,
    /// `maximum` (with `exclusiveMaximum`).
    pub maximum: Option<Bound>,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
    /// `items`.
    pub items: Option<SchemaId>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems`.
    pub unique_items: bool,
    /// `properties`, in spec order.
    pub properties: Vec<(String, SchemaId)>,
    /// `required`.
    pub required: Vec<String>,
    /// `additionalProperties`.
    pub additional: Additional,
    /// `minProperties`.
    pub min_properties: Option<u64>,
    /// `maxProperties`.
    pub max_properties: Option<u64>,
    /// `allOf`.
    pub all_of: Vec<SchemaId>,
    /// `oneOf`.
    pub one_of: Vec<SchemaId>,
    /// `anyOf`.
    pub any_of: Vec<SchemaId>,
    /// `not`.
    pub not: Option<SchemaId>,
    /// `discriminator.propertyName`.
    pub discriminator: Option<String>,
    /// `readOnly`.
    pub read_only: bool,
    /// `writeOnly`.
    pub write_only: bool,
    /// `deprecated`.
    pub deprecated: bool,
    /// `example` and `examples` (values, not schemas).
    pub examples: Vec<Value>,
    /// `default`.
    pub default: Option<Value>,
}

impl Schema {
    /// A schema that allows anything, at `origin`.
    pub fn empty(origin: Origin) -> Schema {
        Schema {
            origin,
            types: Vec::new(),
            nullable: false,
            enumeration: None,
            constant: None,
            format: None,
            pattern: None,
            min_length: None,
            max_length: None,
            minimum: None,
            maximum: None,
            multiple_of: None,
            items: None,
            min_items: None,
            max_items: None,
            unique_items: false,
            properties: Vec::new(),
            required: Vec::new(),
            additional: Additional::Unstated,
            min_properties: None,
            max_properties: None,
            all_of: Vec::new(),
            one_of: Vec::new(),
            any_of: Vec::new(),
            not: None,
            discriminator: None,
            read_only: false,
            write_only: false,
            deprecated: false,
            examples: Vec::new(),
            default: None,
        }
    }

    /// Admits values of type `t` (an integer is a number too).
    pub fn admits(&self, t: JsonType) -> bool {
        self.types.is_empty()
            || self.types.contains(&t)
            || (t == JsonType::Integer && self.types.contains(&JsonType::Number))
            || (t == JsonType::Null && self.nullable)
    }

    /// The property `name`, if declared here.
    pub fn property(&self, name: &str) -> Option<SchemaId> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }
}

/// Every schema the operations reach, by id.
#[derive(Debug, Clone, Default)]
pub struct Schemas {
    nodes: Vec<Schema>,
}

impl Schemas {
    /// The schema behind `id`.
    pub fn get(&self, id: SchemaId) -> &Schema {
        &self.nodes[id.0 as usize]
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Properties of `id` with those of its `allOf` members (depth-bounded), in order, first wins.
    pub fn all_properties(&self, id: SchemaId) -> Vec<(String, SchemaId)> {
        let mut out: Vec<(String, SchemaId)> = Vec::new();
        self.collect_properties(id, &mut out, 0);
        out
    }

    fn collect_properties(&self, id: SchemaId, out: &mut Vec<(String, SchemaId)>, depth: usize) {
        if depth > 16 {
            return;
        }
        let s = self.get(id);
        for (name, p) in &s.properties {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), *p));
            }
        }
        for member in &s.all_of {
            self.collect_properties(*member, out, depth + 1);
        }
    }

    /// Required property names of `id` and its `allOf` members.
    pub fn all_required(&self, id: SchemaId) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_required(id, &mut out, 0);
        out
    }

    fn collect_required(&self, id: SchemaId, out: &mut Vec<String>, depth: usize) {
        if depth > 16 {
            return;
        }
        let s = self.get(id);
        for r in &s.required {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
        for member in &s.all_of {
            self.collect_required(*member, out, depth + 1);
        }
    }
}

/// Lowers schema nodes into a [`Schemas`] arena, each place once.
pub(crate) struct Builder<'s> {
    spec: &'s Spec,
    schemas: Schemas,
    /// Keyed by the file and the address of the schema's value there: one place of a loaded
    /// document, however a pointer to it is spelled.
    by_origin: HashMap<(DocId, *const Value), SchemaId>,
}

impl<'s> Builder<'s> {
    pub(crate) fn new(spec: &'s Spec) -> Self {
        Builder {
            spec,
            schemas: Schemas::default(),
            by_origin: HashMap::new(),
        }
    }

    pub(crate) fn finish(self) -> Schemas {
        self.schemas
    }

    /// The schema at `node` (following `$ref`s; an unresolvable one admits anything).
    pub(crate) fn lower(&mut self, node: Node<'s>) -> SchemaId {
        let node = self.spec.deref(node.clone()).unwrap_or(node);
        let key = (node.doc, std::ptr::from_ref(node.value));
        if let Some(id) = self.by_origin.get(&key) {
            return *id;
        }
        let id = SchemaId(self.schemas.nodes.len() as u32);
        let origin = Origin {
            doc: node.doc.0,
            pointer: node.pointer.to_string(),
        };
        self.schemas.nodes.push(Schema::empty(origin));
        self.by_origin.insert(key, id);
        let schema = self.build(&node);
        self.schemas.nodes[id.0 as usize] = schema;
        id
    }

    fn child(&mut self, node: &Node<'s>, key: &str) -> Option<SchemaId> {
        let child = node.child(key)?;
        (child.value.is_object() || child.value.is_boolean()).then(|| self.lower(child))
    }

    fn list(&mut self, node: &Node<'s>, key: &str) -> Vec<SchemaId> {
        let Some(list) = node.child(key) else {
            return Vec::new();
        };
        let n = list.value.as_array().map_or(0, Vec::len);
        (0..n)
            .filter_map(|i| list.item(i))
            .map(|c| self.lower(c))
            .collect()
    }

    fn build(&mut self, node: &Node<'s>) -> Schema {
        let v = node.value;
        let mut s = Schema::empty(Origin {
            doc: node.doc.0,
            pointer: node.pointer.to_string(),
        });
        if v == &Value::Bool(false) {
            s.not = Some(self.anything(node));
            return s;
        }
        let Some(map) = v.as_object() else { return s };
        match map.get("type") {
            Some(Value::String(t)) => s.types.extend(JsonType::parse(t)),
            Some(Value::Array(ts)) => s.types.extend(
                ts.iter()
                    .filter_map(Value::as_str)
                    .filter_map(JsonType::parse),
            ),
            _ => {}
        }
        if let Some(i) = s.types.iter().position(|t| *t == JsonType::Null) {
            s.nullable = true;
            if s.types.len() > 1 {
                s.types.remove(i);
            }
        }
        let version = self.spec.version();
        if map.get("nullable") == Some(&Value::Bool(true))
            || (version == Version::Swagger2 && map.get("x-nullable") == Some(&Value::Bool(true)))
        {
            s.nullable = true;
        }
        let uint = |k: &str| map.get(k).and_then(Value::as_u64);
        let num = |k: &str| map.get(k).and_then(Value::as_f64);
        s.enumeration = map.get("enum").and_then(Value::as_array).cloned();
        if s.nullable
            && let Some(values) = &mut s.enumeration
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
        s.constant = map.get("const").cloned();
        s.format = map
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_string);
        s.pattern = map
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_string);
        s.min_length = uint("minLength");
        s.max_length = uint("maxLength");
        s.min_items = uint("minItems");
        s.max_items = uint("maxItems");
        s.min_properties = uint("minProperties");
        s.max_properties = uint("maxProperties");
        s.multiple_of = num("multipleOf").filter(|m| *m > 0.0);
        s.unique_items = map.get("uniqueItems") == Some(&Value::Bool(true));
        // 3.0: boolean exclusive flags beside the bound; 3.1: the exclusive bound is a number.
        for (bound, flag, slot) in [
            ("minimum", "exclusiveMinimum", &mut s.minimum),
            ("maximum", "exclusiveMaximum", &mut s.maximum),
        ] {
            *slot = match (num(bound), map.get(flag)) {
                (_, Some(Value::Number(n))) => n.as_f64().map(|value| Bound {
                    value,
                    exclusive: true,
                }),
                (Some(value), Some(Value::Bool(exclusive))) => Some(Bound {
                    value,
                    exclusive: *exclusive,
                }),
                (Some(value), _) => Some(Bound {
                    value,
                    exclusive: false,
                }),
                (None, _) => None,
            };
        }
        s.items = self.child(node, "items");
        if let Some(Value::Object(props)) = map.get("properties") {
            let names: Vec<String> = props.keys().cloned().collect();
            for name in names {
                if let Some(p) = node
                    .child("properties")
                    .and_then(|props| props.child(&name))
                {
                    let id = self.lower(p);
                    s.properties.push((name, id));
                }
            }
        }
        s.required = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        s.additional = match map.get("additionalProperties") {
            None => Additional::Unstated,
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(Value::Object(_)) => self
                .child(node, "additionalProperties")
                .map_or(Additional::Any, Additional::Schema),
            _ => Additional::Any,
        };
        s.all_of = self.list(node, "allOf");
        s.one_of = self.list(node, "oneOf");
        s.any_of = self.list(node, "anyOf");
        // 3.1: `null` as an alternative makes the union nullable.
        for members in [&s.one_of, &s.any_of] {
            if members.iter().any(|m| {
                self.schemas.get(*m).types == [JsonType::Null]
                    || self.schemas.get(*m).constant == Some(Value::Null)
            }) {
                s.nullable = true;
            }
        }
        s.not = self.child(node, "not");
        s.discriminator = map
            .get("discriminator")
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str)
            .map(str::to_string);
        s.read_only = map.get("readOnly") == Some(&Value::Bool(true));
        s.write_only = map.get("writeOnly") == Some(&Value::Bool(true));
        s.deprecated = map.get("deprecated") == Some(&Value::Bool(true));
        s.examples.extend(map.get("example").cloned());
        if let Some(Value::Array(examples)) = map.get("examples") {
            s.examples.extend(examples.iter().cloned());
        }
        s.default = map.get("default").cloned();
        s
    }

    fn anything(&mut self, node: &Node<'s>) -> SchemaId {
        let id = SchemaId(self.schemas.nodes.len() as u32);
        self.schemas.nodes.push(Schema::empty(Origin {
            doc: node.doc.0,
            pointer: node.pointer.to_string(),
        }));
        id
    }
}
