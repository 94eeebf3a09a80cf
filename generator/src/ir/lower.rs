//! Lowers a loaded spec into an [`Api`]: schemas become named types and shapes, paths become operations.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::names::{self, Name, Scope};
use super::schema::Builder as SchemaBuilder;
use super::{
    Api, Body, EnumRepr, EnumVariant, Field, Header, Link, Media, Operation, Origin, ParamLocation,
    Parameter, Response, SecurityScheme, Server, Shape, Style, Tagging, Type, TypeId, TypeKind,
    UnionVariant,
};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{DocId, Node, Spec, Version, escape};
use crate::method::Method;

/// Lowers `spec` to an [`Api`]. Problems that only degrade the output (an unresolvable `$ref`
/// becomes `serde_json::Value`) are returned as diagnostics beside it.
pub fn lower(spec: &Spec) -> (Api, Diagnostics) {
    let root = &spec.root().value;
    let mut l = Lowerer {
        spec,
        api: Api::default(),
        diags: Diagnostics::default(),
        by_origin: HashMap::new(),
        type_names: Scope::with_reserved(names::RESERVED_TYPE_NAMES),
        next_id: 0,
        schemas: SchemaBuilder::new(spec),
        untag: None,
    };
    l.api.title = root
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("API")
        .to_string();
    l.api.version = root
        .pointer("/info/version")
        .map(value_text)
        .unwrap_or_default();
    l.api.description = root
        .pointer("/info/description")
        .and_then(Value::as_str)
        .map(str::to_string);

    // Component schemas claim their names first, so they keep them whatever inline types come later.
    let components = if spec.version() == Version::Swagger2 {
        "/definitions"
    } else {
        "/components/schemas"
    };
    let mut declared = Vec::new();
    if let Some(Value::Object(schemas)) = root.pointer(components) {
        for key in schemas.keys() {
            let pointer = format!("{components}/{}", escape(key));
            declared.push((
                l.declare(DocId(0), &pointer, &names::pascal(key), key),
                pointer,
            ));
        }
    }
    for (id, pointer) in declared {
        if let Some(node) = spec.node(DocId(0), &pointer) {
            l.define(id, node);
        }
    }
    l.servers();
    l.security_schemes();
    l.operations();
    l.webhooks();
    l.break_alias_cycles();
    l.api.mark_cycles();
    l.mark_boxes();
    l.api.request_types = l.api.reached_by_requests();
    l.api.schemas = l.schemas.finish();
    (l.api, l.diags)
}

struct Lowerer<'s> {
    spec: &'s Spec,
    api: Api,
    diags: Diagnostics,
    by_origin: HashMap<(DocId, String), TypeId>,
    type_names: Scope,
    next_id: u32,
    schemas: SchemaBuilder<'s>,
    /// While an inline union alternative is lowered as a `Beside` payload: its place and the tag
    /// property its struct leaves out.
    untag: Option<(DocId, String, String)>,
}

/// Text of a scalar for names and versions (`1.0` written as a YAML number stays `1.0`).
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn docs_of(schema: &Value) -> Option<String> {
    let title = schema
        .get("title")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match (title, description) {
        (Some(t), Some(d)) if t != d => Some(format!("{t}\n\n{d}")),
        (Some(t), _) => Some(t.to_string()),
        (None, Some(d)) => Some(d.to_string()),
        (None, None) => None,
    }
}

fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn is_null_schema(schema: &Value) -> bool {
    let types = types_of(schema);
    (types == ["null"])
        || schema
            .get("enum")
            .is_some_and(|e| e == &Value::Array(vec![Value::Null]))
        || schema.get("const") == Some(&Value::Null)
}

impl<'s> Lowerer<'s> {
    /// A parameter's `style` and `explode`, defaults applied; Swagger 2.0's `collectionFormat`
    /// (`csv`, `ssv`, `tsv`, `pipes`, `multi`) mapped onto them.
    fn style_of(&mut self, p: &Node<'_>, location: ParamLocation) -> (Style, bool) {
        let default = Style::default_for(location);
        let explode = p.value.get("explode").and_then(Value::as_bool);
        if let Some(text) = p.value.get("style").and_then(Value::as_str) {
            let style = Style::parse(text).unwrap_or_else(|| {
                self.warn_at(
                    p,
                    "style",
                    "unknown-style",
                    format!(
                        "style `{text}` is not one OpenAPI defines; the parameter is written as `{}`",
                        default.name()
                    ),
                );
                default
            });
            return (style, explode.unwrap_or(style == Style::Form));
        }
        match p.value.get("collectionFormat").and_then(Value::as_str) {
            Some("multi") => (Style::Form, true),
            Some("ssv") => (Style::SpaceDelimited, false),
            Some("pipes") => (Style::PipeDelimited, false),
            // `csv`, Swagger 2.0's default; `tsv` has no OpenAPI 3 style and is written as `csv`.
            Some(_) => (default, false),
            None if self.spec.version() == Version::Swagger2 => (default, false),
            None => (default, explode.unwrap_or(default == Style::Form)),
        }
    }

    /// [`Self::warn`] at the member `key` of `node`.
    fn warn_at(&mut self, node: &Node<'_>, key: &str, code: &'static str, message: String) {
        let at = Node {
            doc: node.doc,
            pointer: format!("{}/{}", node.pointer, escape(key)),
            value: node.value,
        };
        self.warn(&at, code, message);
    }

    fn warn(&mut self, node: &Node<'_>, code: &'static str, message: String) {
        let location = self.spec.location(node.doc, &node.pointer);
        self.diags
            .0
            .push(Diagnostic::warning(code, location, message));
    }

    /// Reserves a named type for the schema at (doc, pointer).
    fn declare(&mut self, doc: DocId, pointer: &str, rust_hint: &str, wire: &str) -> TypeId {
        if let Some(id) = self.by_origin.get(&(doc, pointer.to_string())) {
            return *id;
        }
        let id = TypeId(self.next_id);
        self.next_id += 1;
        let rust = self.type_names.claim(rust_hint.to_string());
        self.by_origin.insert((doc, pointer.to_string()), id);
        self.api.types.insert(
            id,
            Type {
                name: Name {
                    rust,
                    wire: wire.to_string(),
                },
                docs: None,
                kind: TypeKind::Alias(Shape::Any),
                origin: Origin {
                    doc: doc.0,
                    pointer: pointer.to_string(),
                },
                schema: None,
                examples: Vec::new(),
                deprecated: false,
                cycle: None,
                value_cycle: None,
            },
        );
        id
    }

    /// Fills in a declared type from its schema.
    fn define(&mut self, id: TypeId, node: Node<'s>) {
        let hint = self.api.types[&id].name.rust.clone();
        let kind = match self.resolve_schema(node.clone()) {
            Some(target)
                if target.value.get("$ref").is_none()
                    || target.value.as_object().is_some_and(|m| m.len() > 1) =>
            {
                self.kind_of(target, &hint)
            }
            _ => TypeKind::Alias(Shape::Any),
        };
        let schema_node = self.resolve_schema(node.clone()).unwrap_or(node);
        let schema = schema_node.value;
        let typed = self.schemas.lower(schema_node);
        let mut examples = Vec::new();
        if let Some(e) = schema.get("example") {
            examples.push(e.clone());
        }
        if let Some(Value::Array(es)) = schema.get("examples") {
            examples.extend(es.iter().cloned());
        }
        let ty = self
            .api
            .types
            .get_mut(&id)
            .expect("declared before defined");
        ty.kind = kind;
        ty.docs = docs_of(schema);
        ty.schema = Some(typed);
        ty.examples = examples;
        ty.deprecated = schema.get("deprecated") == Some(&Value::Bool(true));
    }

    /// Follows `node` if it is a `$ref` object (a parameter, response, body, path item or operation);
    /// reports and returns `None` when it does not resolve, so that part is left out.
    fn deref_or_warn(&mut self, node: Node<'s>, what: &str) -> Option<Node<'s>> {
        match self.spec.deref(node.clone()) {
            Ok(target) => Some(target),
            Err(err) => {
                self.warn_at(
                    &node,
                    "$ref",
                    "unresolved-ref",
                    format!("{err}; the {what} is left out"),
                );
                None
            }
        }
    }

    /// Follows a bare `$ref` (possibly a chain); reports and returns `None` when it does not resolve.
    fn resolve_schema(&mut self, node: Node<'s>) -> Option<Node<'s>> {
        match node.value.get("$ref").and_then(Value::as_str) {
            None => Some(node),
            Some(reference) => match self.spec.resolve(node.doc, reference) {
                Ok(target) => Some(target),
                Err(err) => {
                    self.warn_at(
                        &node,
                        "$ref",
                        "unresolved-ref",
                        format!("{err}; the value is typed as any json"),
                    );
                    None
                }
            },
        }
    }

    /// The named type for the schema at `target`, if it has one (component or already-lowered inline).
    fn named_at(&self, target: &Node<'_>) -> Option<TypeId> {
        self.by_origin
            .get(&(target.doc, target.pointer.to_string()))
            .copied()
    }

    /// The shape of a schema used somewhere; inline objects, enums and unions become named types called `hint`.
    fn shape_of(&mut self, node: Node<'s>, hint: &str) -> Shape {
        if let Value::Bool(_) = node.value {
            return Shape::Any;
        }
        if !node.value.is_object() {
            return Shape::Any;
        }
        if let Some(reference) = node.value.get("$ref").and_then(Value::as_str) {
            let Ok(target) = self.spec.resolve(node.doc, reference) else {
                // Resolving again only to report the failure, with its place, as a diagnostic.
                self.resolve_schema(node);
                return Shape::Any;
            };
            // 3.1 allows siblings beside `$ref`; only `nullable`-like siblings change the shape here.
            let shape = self.shape_of_target(target, reference);
            let sibling_nullable = node.value.get("nullable") == Some(&Value::Bool(true));
            return if sibling_nullable {
                nullable(shape)
            } else {
                shape
            };
        }
        self.shape_inline(node, hint)
    }

    fn shape_of_target(&mut self, target: Node<'s>, reference: &str) -> Shape {
        if let Some(id) = self.named_at(&target) {
            // A component that admits null says so for every use (PlaidError: `nullable: true`);
            // its named type is the non-null part, so each use is optional. Components lowered to
            // an alias of a primitive or of `X | null` carry the option already.
            let schema = target.value;
            let lowered_whole = !["oneOf", "anyOf"].iter().any(|k| schema.get(*k).is_some())
                && (needs_named_type(schema)
                    || schema.get("allOf").is_some()
                    || schema.get("properties").is_some()
                    || types_of(schema).contains(&"object"));
            return wrap(Shape::Named(id), lowered_whole && admits_null(schema));
        }
        // A schema reached through a `$ref` that is not a component (external files, deep pointers):
        // named after the last pointer segment, or the file stem.
        let last = target
            .pointer
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .map(crate::load::unescape)
            .unwrap_or_else(|| {
                let file = reference.split('#').next().unwrap_or_default();
                std::path::Path::new(file)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "Schema".into())
            });
        if needs_named_type(target.value) {
            let id = self.declare(
                target.doc,
                &target.pointer.clone(),
                &names::pascal(&last),
                &last,
            );
            self.define(id, target);
            return Shape::Named(id);
        }
        self.shape_inline(target, &names::pascal(&last))
    }

    fn shape_inline(&mut self, node: Node<'s>, hint: &str) -> Shape {
        let schema = node.value;
        let mut is_nullable = schema.get("nullable") == Some(&Value::Bool(true));
        let types: Vec<&str> = types_of(schema);
        if types.contains(&"null") {
            is_nullable = true;
        }
        if needs_named_type(schema) {
            // Nullable unions that are really `X | null` stay a plain option.
            if let Some(inner) = self.single_non_null_alternative(&node, hint) {
                return nullable(inner);
            }
            if let Some(id) = self.named_at(&node) {
                return wrap(Shape::Named(id), is_nullable);
            }
            let id = self.declare(node.doc, &node.pointer.clone(), hint, hint);
            self.define(id, node);
            return wrap(Shape::Named(id), is_nullable);
        }
        if let Some(all_of) = node.child("allOf") {
            // `allOf: [$ref]` with nothing else (or only annotations beside it) is an alias
            // (Dropshot and many others wrap refs this way).
            if all_of
                .value
                .as_array()
                .is_some_and(|a| a.iter().all(annotation_only))
                && types.is_empty()
            {
                // Only annotations (`allOf: [{}, {description}]`): any value.
                return wrap(Shape::Any, is_nullable);
            }
            if let Some(only) = all_of
                .value
                .as_array()
                .and_then(|a| sole_substantive(a))
                .and_then(|i| all_of.item(i))
            {
                let annotated_null = all_of
                    .value
                    .as_array()
                    .is_some_and(|a| a.iter().any(|m| annotation_only(m) && admits_null(m)));
                return wrap(self.shape_of(only, hint), is_nullable || annotated_null);
            }
        }
        let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
        let shape = match non_null.as_slice() {
            [] if types.contains(&"null") => Shape::Null,
            [one] => self.primitive(&node, one, hint),
            [] => {
                if schema.get("items").is_some() {
                    self.primitive(&node, "array", hint)
                } else if schema.get("additionalProperties").is_some() {
                    self.primitive(&node, "object", hint)
                } else {
                    Shape::Any
                }
            }
            _ => Shape::Any,
        };
        wrap(shape, is_nullable)
    }

    fn primitive(&mut self, node: &Node<'s>, ty: &str, hint: &str) -> Shape {
        let format = node
            .value
            .get("format")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match ty {
            "string" => match format {
                "date-time" => Shape::DateTime,
                "date" => Shape::Date,
                "decimal" => Shape::Decimal,
                _ => Shape::String,
            },
            "integer" => Shape::Integer(match format {
                "int32" => "i32",
                "uint32" => "u32",
                "uint64" | "uint" => "u64",
                "int8" => "i8",
                "uint8" => "u8",
                "int16" => "i16",
                "uint16" => "u16",
                "int64" => "i64",
                // Without a format the type must hold every value the schema shows.
                _ => match widest_integer(node.value) {
                    Widest::I64 => "i64",
                    Widest::U64 => "u64",
                    Widest::Wider => return Shape::Number("f64"),
                },
            }),
            "number" => Shape::Number(if format == "float" { "f32" } else { "f64" }),
            "boolean" => Shape::Boolean,
            "array" => {
                let item = match node.child("items") {
                    Some(items) if items.value.is_object() || items.value.is_boolean() => {
                        self.shape_of(items, &format!("{hint}Item"))
                    }
                    _ => Shape::Any,
                };
                Shape::Array(Box::new(item))
            }
            "object" => Shape::Map(Box::new(self.additional(node, hint).unwrap_or(Shape::Any))),
            _ => Shape::Any,
        }
    }

    /// The value shape of `additionalProperties`, when the schema allows extra keys with a known shape.
    fn additional(&mut self, node: &Node<'s>, hint: &str) -> Option<Shape> {
        let ap = node.child("additionalProperties")?;
        match ap.value {
            Value::Bool(true) => Some(Shape::Any),
            Value::Bool(false) => None,
            Value::Object(m) if m.is_empty() => Some(Shape::Any),
            Value::Object(_) => Some(self.shape_of(ap, &format!("{hint}Value"))),
            _ => None,
        }
    }

    /// For `oneOf`/`anyOf` with exactly one non-null alternative, that alternative's shape.
    fn single_non_null_alternative(&mut self, node: &Node<'s>, hint: &str) -> Option<Shape> {
        let key = ["oneOf", "anyOf"]
            .into_iter()
            .find(|k| node.value.get(*k).is_some())?;
        let list = node.child(key)?;
        let items = list.value.as_array()?;
        let has_own = node.value.get("properties").is_some() || node.value.get("allOf").is_some();
        if has_own {
            return None;
        }
        let mut non_null = Vec::new();
        let mut saw_null = false;
        for i in 0..items.len() {
            let alt = list.item(i)?;
            let resolved = self
                .spec
                .deref(alt.clone())
                .ok()
                .map(|n| n.value)
                .unwrap_or(alt.value);
            if is_null_schema(resolved) {
                saw_null = true;
            } else {
                non_null.push(alt);
            }
        }
        if non_null.len() == 1 && (saw_null || items.len() == 1) {
            let alt = non_null.pop()?;
            return Some(self.shape_of(alt, hint));
        }
        None
    }

    fn kind_of(&mut self, node: Node<'s>, hint: &str) -> TypeKind {
        let schema = node.value;
        if let Some(values) = enum_values(schema) {
            return self.enum_kind(&values, schema);
        }
        let union_key = ["oneOf", "anyOf"]
            .into_iter()
            .find(|k| schema.get(*k).is_some_and(Value::is_array));
        let has_props = schema
            .get("properties")
            .is_some_and(|p| p.as_object().is_some_and(|m| !m.is_empty()));
        if let Some(key) = union_key
            && !has_props
            && schema.get("allOf").is_none()
        {
            if let Some(inner) = self.single_non_null_alternative(&node, &format!("{hint}Inner")) {
                return TypeKind::Alias(nullable(inner));
            }
            if let Some(kind) = self.enum_of_alternatives(&node, key) {
                return kind;
            }
            return self.union_kind(&node, key, hint);
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            // `allOf: [$ref]` and nothing else is another name for the referenced type.
            if let Some(i) = sole_substantive(all)
                && !has_props
                && schema.get("additionalProperties").is_none()
            {
                let only = node.child("allOf").and_then(|list| list.item(i));
                if let Some(only) = only {
                    return TypeKind::Alias(self.shape_of(only, &format!("{hint}Inner")));
                }
            }
        }
        if has_props || schema.get("allOf").is_some() || types_of(schema).contains(&"object") {
            let mut fields = Vec::new();
            let mut required = BTreeSet::new();
            let mut additional = None;
            let mut seen = BTreeSet::new();
            self.collect_object(
                node.clone(),
                hint,
                &mut fields,
                &mut required,
                &mut additional,
                &mut seen,
                0,
            );
            if fields.is_empty()
                && !has_props
                && !types_of(schema).contains(&"object")
                && let Some(first) = self.primitive_all_of(&node)
            {
                // `allOf` of a string (or number, array) with more constraints: that value, not an object.
                return TypeKind::Alias(self.shape_of(first, hint));
            }
            if fields.is_empty() && schema.get("allOf").is_none() {
                // A plain map or free-form object under a name.
                return TypeKind::Alias(Shape::Map(Box::new(additional.unwrap_or(Shape::Any))));
            }
            let mut scope = Scope::with_reserved(&["additional_properties", "undocumented"]);
            for field in &mut fields {
                field.name.rust = scope.claim(names::snake(&field.name.wire));
                field.required = required.contains(&field.name.wire);
            }
            let open = additional.is_none() && !self.closed(&node, 0);
            return TypeKind::Struct {
                fields,
                additional,
                open,
            };
        }
        TypeKind::Alias(self.shape_inline_unnamed(node, hint))
    }

    /// For an `allOf` none of whose members describes an object (`[$ref: Label, {maxLength: 16}]`),
    /// the first member that says what the value is.
    fn primitive_all_of(&self, node: &Node<'s>) -> Option<Node<'s>> {
        let list = node.child("allOf")?;
        let members: Vec<Node<'s>> = (0..list.value.as_array()?.len())
            .filter_map(|i| list.item(i))
            .collect();
        let resolved: Vec<&Value> = members
            .iter()
            .map(|m| self.spec.deref(m.clone()).map_or(m.value, |n| n.value))
            .collect();
        let object_like = |v: &Value| {
            v.get("properties").is_some()
                || v.get("additionalProperties").is_some()
                || v.get("allOf").is_some()
                || v.get("oneOf").is_some()
                || v.get("anyOf").is_some()
                || types_of(v).contains(&"object")
        };
        if resolved.iter().any(|v| object_like(v)) {
            return None;
        }
        let i = resolved
            .iter()
            .position(|v| !types_of(v).is_empty() || v.get("items").is_some())?;
        members.into_iter().nth(i)
    }

    /// The shape of a named schema that is not an object, enum or union (`type Name = Vec<…>`).
    fn shape_inline_unnamed(&mut self, node: Node<'s>, hint: &str) -> Shape {
        let types = types_of(node.value);
        let is_nullable =
            node.value.get("nullable") == Some(&Value::Bool(true)) || types.contains(&"null");
        let non_null: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
        let shape = match non_null.as_slice() {
            [one] => self.primitive(&node, one, hint),
            [] if node.value.get("items").is_some() => self.primitive(&node, "array", hint),
            _ => Shape::Any,
        };
        wrap(shape, is_nullable)
    }

    #[allow(clippy::too_many_arguments)]
    fn collect_object(
        &mut self,
        node: Node<'s>,
        hint: &str,
        fields: &mut Vec<Field>,
        required: &mut BTreeSet<String>,
        additional: &mut Option<Shape>,
        seen: &mut BTreeSet<(DocId, String)>,
        depth: usize,
    ) {
        if depth > 32 || !seen.insert((node.doc, node.pointer.to_string())) {
            return;
        }
        if let Some(list) = node.child("allOf") {
            for i in 0..list.value.as_array().map_or(0, Vec::len) {
                let Some(member) = list.item(i) else {
                    continue;
                };
                let Some(member) = self.resolve_schema(member) else {
                    continue;
                };
                self.collect_object(member, hint, fields, required, additional, seen, depth + 1);
            }
        }
        if let Some(Value::Array(names)) = node.value.get("required") {
            required.extend(names.iter().filter_map(Value::as_str).map(str::to_string));
        }
        if let Some(props) = node.child("properties") {
            let keys: Vec<String> = props
                .value
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            for key in keys {
                if self.untag.as_ref().is_some_and(|(doc, pointer, tag)| {
                    *doc == node.doc && *pointer == node.pointer && *tag == key
                }) {
                    continue;
                }
                let Some(prop) = props.child(&key) else {
                    continue;
                };
                let resolved = self
                    .spec
                    .deref(prop.clone())
                    .ok()
                    .map(|n| n.value)
                    .unwrap_or(prop.value);
                let docs = docs_of(prop.value).or_else(|| docs_of(resolved));
                let deprecated = prop.value.get("deprecated") == Some(&Value::Bool(true));
                let shape = self.shape_of(prop.clone(), &format!("{hint}{}", names::pascal(&key)));
                let (shape, is_nullable) = match shape {
                    Shape::Nullable(inner) => (*inner, true),
                    other => (other, false),
                };
                let default = prop
                    .value
                    .get("default")
                    .or_else(|| resolved.get("default"))
                    .filter(|d| applies_default(&shape, d))
                    .cloned();
                let field = Field {
                    name: Name {
                        rust: String::new(),
                        wire: key.clone(),
                    },
                    shape,
                    required: false,
                    nullable: is_nullable,
                    default,
                    docs,
                    deprecated,
                    boxed: false,
                };
                match fields.iter_mut().find(|f| f.name.wire == key) {
                    // A later allOf member redefines the property: the last definition wins, as in JSON Schema merging.
                    Some(existing) => *existing = field,
                    None => fields.push(field),
                }
            }
        }
        if additional.is_none() {
            *additional = self.additional(&node, hint);
        }
    }

    /// True when the object, or one of its `allOf` members, refuses properties it does not name
    /// (`additionalProperties: false`, or 3.1's `unevaluatedProperties: false`).
    fn closed(&self, node: &Node<'s>, depth: usize) -> bool {
        if depth > 32 {
            return false;
        }
        let refuses = |key: &str| node.value.get(key) == Some(&Value::Bool(false));
        if refuses("additionalProperties") || refuses("unevaluatedProperties") {
            return true;
        }
        let Some(list) = node.child("allOf") else {
            return false;
        };
        (0..list.value.as_array().map_or(0, Vec::len)).any(|i| {
            list.item(i)
                .and_then(|m| self.spec.deref(m).ok())
                .is_some_and(|m| self.closed(&m, depth + 1))
        })
    }

    fn enum_kind(&mut self, values: &[Value], schema: &Value) -> TypeKind {
        let repr = if values.iter().all(|v| v.is_i64() || v.is_u64())
            && !values.is_empty()
            && types_of(schema) != ["string"]
        {
            EnumRepr::Integer
        } else {
            EnumRepr::String
        };
        let mut scope = Scope::with_reserved(&["Unknown"]);
        let mut variants = Vec::new();
        let mut seen = BTreeSet::new();
        for value in values {
            let wire = match (repr, value) {
                (EnumRepr::Integer, v) => v.clone(),
                (EnumRepr::String, Value::String(s)) => Value::String(s.clone()),
                (EnumRepr::String, Value::Null) => continue,
                (EnumRepr::String, other) => Value::String(value_text(other)),
            };
            if !seen.insert(wire.to_string()) {
                continue;
            }
            let label = match &wire {
                Value::String(s) => names::pascal(s),
                other => names::pascal(&format!("V{}", other.to_string().replace('-', "Minus"))),
            };
            variants.push(EnumVariant {
                rust: scope.claim(label),
                wire,
                docs: None,
            });
        }
        TypeKind::Enum { variants, repr }
    }

    /// A `oneOf`/`anyOf` whose every alternative is a string enumeration (Dropshot documents
    /// each value of an enum this way) as one enum, each value documented by its alternative.
    fn enum_of_alternatives(&mut self, node: &Node<'s>, key: &str) -> Option<TypeKind> {
        let list = node.child(key)?;
        let count = list.value.as_array()?.len();
        if count < 2 {
            return None;
        }
        let mut values = Vec::new();
        let mut docs = Vec::new();
        for i in 0..count {
            let alt = self.spec.deref(list.item(i)?).ok()?;
            let own = enum_values(alt.value)?;
            if !own.iter().all(Value::is_string)
                || types_of(alt.value).iter().any(|t| *t != "string")
            {
                return None;
            }
            docs.extend(own.iter().map(|v| (v.clone(), docs_of(alt.value))));
            values.extend(own);
        }
        let mut kind = self.enum_kind(&values, &serde_json::json!({"type": "string"}));
        if let TypeKind::Enum { variants, .. } = &mut kind {
            for variant in variants {
                variant.docs = docs
                    .iter()
                    .find(|(value, _)| *value == variant.wire)
                    .and_then(|(_, d)| d.clone());
            }
        }
        Some(kind)
    }

    /// The one string value the object schema at `object` allows for `property`.
    fn single_value(&self, object: &Node<'s>, property: &str) -> Option<String> {
        let props = object.child("properties")?;
        let prop = self.spec.deref(props.child(property)?).ok()?;
        match enum_values(prop.value)?.as_slice() {
            [Value::String(value)] => Some(value.clone()),
            _ => None,
        }
    }

    /// Without a `discriminator`: the property every alternative requires with a single string
    /// value of its own (Dropshot's `{"type": "vpc", "value": …}`), each alternative's value, and
    /// where the payloads keep it. Inline alternatives leave the tag out of their payload;
    /// components keep it (they are types of their own elsewhere).
    fn implicit_tag(&self, list: &Node<'s>) -> Option<(String, Vec<String>, Tagging)> {
        let count = list.value.as_array()?.len();
        if count < 2 {
            return None;
        }
        let mut alternatives = Vec::new();
        for i in 0..count {
            let alt = list.item(i)?;
            let inline = alt.value.get("$ref").is_none();
            let target = self.spec.deref(alt).ok()?;
            let composed = ["allOf", "oneOf", "anyOf", "discriminator"]
                .iter()
                .any(|k| target.value.get(*k).is_some());
            let props: Vec<String> = target
                .value
                .get("properties")?
                .as_object()?
                .keys()
                .cloned()
                .collect();
            if composed {
                return None;
            }
            let required: BTreeSet<String> = target
                .value
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            alternatives.push((inline, target, props, required));
        }
        let tag = alternatives[0].2.iter().find(|name| {
            alternatives.iter().all(|(_, target, _, required)| {
                required.contains(*name) && self.single_value(target, name).is_some()
            })
        })?;
        let values: Vec<String> = alternatives
            .iter()
            .map(|(_, target, ..)| self.single_value(target, tag))
            .collect::<Option<_>>()?;
        if values.iter().collect::<BTreeSet<_>>().len() != values.len() {
            return None;
        }
        let tagging = if !alternatives.iter().all(|(inline, ..)| *inline) {
            Tagging::Inside
        } else {
            let mut contents = BTreeSet::new();
            let adjacent = alternatives.iter().all(|(_, target, props, required)| {
                let others: Vec<&String> = props.iter().filter(|p| *p != tag).collect();
                contents.extend(others.iter().map(|p| p.to_string()));
                others.len() <= 1
                    && others.iter().all(|p| required.contains(*p))
                    && matches!(
                        target.value.get("additionalProperties"),
                        None | Some(Value::Bool(false))
                    )
            });
            match contents.into_iter().collect::<Vec<_>>().as_slice() {
                [content] if adjacent => Tagging::Around(content.clone()),
                _ => Tagging::Beside,
            }
        };
        Some((tag.clone(), values, tagging))
    }

    fn union_kind(&mut self, node: &Node<'s>, key: &str, hint: &str) -> TypeKind {
        let list = node.child(key).expect("checked by caller");
        let count = list.value.as_array().map_or(0, Vec::len);
        let discriminator = node
            .value
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .map(str::to_string);
        if discriminator.is_none()
            && let Some((tag, values, tagging)) = self.implicit_tag(&list)
        {
            return self.implicitly_tagged(&list, hint, tag, values, tagging);
        }
        let tag = discriminator;
        let mapping: Vec<(String, String)> = node
            .value
            .pointer("/discriminator/mapping")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let mut scope = Scope::with_reserved(&["Unknown"]);
        let mut variants = Vec::new();
        let mut seen_shapes = BTreeSet::new();
        for i in 0..count {
            let Some(alt) = list.item(i) else {
                continue;
            };
            let alt_target = self.spec.deref(alt.clone()).ok();
            if alt_target.as_ref().is_some_and(|t| is_null_schema(t.value)) {
                continue;
            }
            let shape = self.shape_of(alt.clone(), &format!("{hint}Variant{i}"));
            if !seen_shapes.insert(shape.clone()) {
                continue;
            }
            let label = match &shape {
                Shape::Named(id) => self.api.types[id].name.rust.clone(),
                other => shape_label(other),
            };
            let mut tag_values = Vec::new();
            if tag.is_some()
                && let Some(target) = &alt_target
            {
                for (value, reference) in &mapping {
                    if let Ok(mapped) = self.spec.resolve(node.doc, reference) {
                        if mapped.doc == target.doc && mapped.pointer == target.pointer {
                            tag_values.push(value.clone());
                        }
                    } else if reference.rsplit('/').next() == target.pointer.rsplit('/').next() {
                        // Mapping values may be bare schema names rather than refs.
                        tag_values.push(value.clone());
                    }
                }
                let property = tag.as_deref().unwrap_or_default();
                if tag_values.is_empty()
                    && let Some(Value::Array(consts)) = target
                        .value
                        .pointer(&format!("/properties/{property}/enum"))
                {
                    tag_values.extend(consts.iter().filter_map(Value::as_str).map(str::to_string));
                }
                if tag_values.is_empty()
                    && let Some(c) = target
                        .value
                        .pointer(&format!("/properties/{property}/const"))
                        .and_then(Value::as_str)
                {
                    tag_values.push(c.to_string());
                }
                if tag_values.is_empty()
                    && let Some(name) = target.pointer.rsplit('/').next()
                {
                    tag_values.push(crate::load::unescape(name));
                }
            }
            variants.push(UnionVariant {
                rust: scope.claim(label),
                tag_values,
                shape: Some(shape),
                docs: None,
            });
        }
        if tag.is_none() {
            let api = &self.api;
            variants.sort_by_key(|v| {
                std::cmp::Reverse(v.shape.as_ref().map_or(0, |s| specificity(api, s)))
            });
        }
        TypeKind::Union {
            variants,
            tag,
            tagging: Tagging::Inside,
        }
    }

    /// A union [`Self::implicit_tag`] found tagged: each variant named after its tag value, an
    /// inline payload named after the union and the value (`VpcFirewallRuleTarget::IpNet`).
    fn implicitly_tagged(
        &mut self,
        list: &Node<'s>,
        hint: &str,
        tag: String,
        values: Vec<String>,
        tagging: Tagging,
    ) -> TypeKind {
        let mut scope = Scope::with_reserved(&["Unknown"]);
        let mut variants = Vec::new();
        for (i, value) in values.into_iter().enumerate() {
            let Some(alt) = list.item(i) else {
                continue;
            };
            let label = scope.claim(names::pascal(&value));
            let docs = self
                .spec
                .deref(alt.clone())
                .ok()
                .and_then(|t| docs_of(t.value));
            let payload_hint = format!("{hint}{label}");
            let shape = match &tagging {
                Tagging::Inside => Some(self.shape_of(alt, &payload_hint)),
                Tagging::Beside => {
                    let alone = alt
                        .value
                        .get("properties")
                        .and_then(Value::as_object)
                        .is_some_and(|p| p.len() == 1);
                    if alone {
                        None
                    } else {
                        self.untag = Some((alt.doc, alt.pointer.clone(), tag.clone()));
                        let shape = self.shape_of(alt, &payload_hint);
                        self.untag = None;
                        Some(shape)
                    }
                }
                Tagging::Around(content) => alt
                    .child("properties")
                    .and_then(|props| props.child(content))
                    .map(|node| self.shape_of(node, &payload_hint)),
            };
            variants.push(UnionVariant {
                rust: label,
                tag_values: vec![value],
                shape,
                docs,
            });
        }
        TypeKind::Union {
            variants,
            tag: Some(tag),
            tagging,
        }
    }

    fn servers(&mut self) {
        let root = &self.spec.root().value;
        if self.spec.version() == Version::Swagger2 {
            if let Some(host) = root.get("host").and_then(Value::as_str) {
                let scheme = root
                    .pointer("/schemes/0")
                    .and_then(Value::as_str)
                    .unwrap_or("https");
                let base = root.get("basePath").and_then(Value::as_str).unwrap_or("");
                self.api.servers.push(Server {
                    url: format!("{scheme}://{host}{base}"),
                    description: None,
                    variables: Vec::new(),
                });
            }
            return;
        }
        for server in root
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(url) = server.get("url").and_then(Value::as_str) else {
                continue;
            };
            let variables = server
                .get("variables")
                .and_then(Value::as_object)
                .map(|vars| {
                    vars.iter()
                        .map(|(name, v)| {
                            let default = v.get("default").map(value_text).unwrap_or_default();
                            let allowed = v
                                .get("enum")
                                .and_then(Value::as_array)
                                .map(|e| e.iter().map(value_text).collect())
                                .unwrap_or_default();
                            (name.clone(), default, allowed)
                        })
                        .collect()
                })
                .unwrap_or_default();
            self.api.servers.push(Server {
                url: url.to_string(),
                description: server
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                variables,
            });
        }
    }

    fn security_schemes(&mut self) {
        let root = &self.spec.root().value;
        let pointer = if self.spec.version() == Version::Swagger2 {
            "/securityDefinitions"
        } else {
            "/components/securitySchemes"
        };
        let Some(Value::Object(schemes)) = root.pointer(pointer) else {
            return;
        };
        for (name, _) in schemes {
            let Some(node) = self
                .spec
                .node(DocId(0), &format!("{pointer}/{}", escape(name)))
            else {
                continue;
            };
            let Ok(node) = self.spec.deref(node) else {
                continue;
            };
            let s = node.value;
            let kind = s.get("type").and_then(Value::as_str).unwrap_or_default();
            let scheme = match kind {
                "http" => match s
                    .get("scheme")
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("basic") => SecurityScheme::Basic,
                    _ => SecurityScheme::Bearer,
                },
                "basic" => SecurityScheme::Basic,
                "apiKey" => SecurityScheme::ApiKey {
                    name: s
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    location: s
                        .get("in")
                        .and_then(Value::as_str)
                        .unwrap_or("header")
                        .to_string(),
                },
                _ => SecurityScheme::OAuth2,
            };
            self.api.security_schemes.insert(name.clone(), scheme);
        }
    }

    fn operations(&mut self) {
        let root = &self.spec.root().value;
        let Some(Value::Object(paths)) = root.get("paths") else {
            return;
        };
        let mut method_names = Scope::default();
        let global_security = root.get("security").cloned();
        let mut ops = Vec::new();
        for path in paths.keys().filter(|p| p.starts_with('/')) {
            let Some(item) = self
                .spec
                .node(DocId(0), &format!("/paths/{}", escape(path)))
            else {
                continue;
            };
            let Some(item) = self.deref_or_warn(item, "path item") else {
                continue;
            };
            for method in Method::ALL {
                let Some(op) = item.child(method.key()) else {
                    continue;
                };
                let Some(op) = self.deref_or_warn(op, "operation") else {
                    continue;
                };
                ops.push((path.clone(), method, item.clone(), op));
            }
        }
        for (path, method, item, op) in ops {
            let op_id = op
                .value
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string);
            let derived = format!("{}_{}", method.key(), path.replace(['{', '}'], ""));
            let rust = method_names.claim(names::snake(op_id.as_deref().unwrap_or(&derived)));
            let name = Name {
                rust,
                wire: op_id.unwrap_or(derived),
            };
            let security = op
                .value
                .get("security")
                .or(global_security.as_ref())
                .cloned();
            let lowered = self.operation(name, method, &path, Some(&item), op, security.as_ref());
            self.api.operations.push(lowered);
        }
    }

    fn webhooks(&mut self) {
        let root = &self.spec.root().value;
        let mut names_scope = Scope::default();
        let mut found = Vec::new();
        if let Some(Value::Object(hooks)) = root.get("webhooks") {
            for key in hooks.keys() {
                found.push((key.clone(), format!("/webhooks/{}", escape(key)), DocId(0)));
            }
        }
        // Callbacks of operations are deliveries too.
        let ops: Vec<(String, Origin)> = self
            .api
            .operations
            .iter()
            .map(|o| (o.name.rust.clone(), o.origin.clone()))
            .collect();
        for (op_name, origin) in ops {
            let doc = DocId(origin.doc);
            let Some(Value::Object(callbacks)) =
                self.spec.get(doc, &format!("{}/callbacks", origin.pointer))
            else {
                continue;
            };
            for (cb_name, cb) in callbacks {
                let Some(exprs) = cb.as_object() else {
                    continue;
                };
                for expr in exprs.keys().filter(|k| !k.starts_with("x-")) {
                    found.push((
                        format!("{op_name}_{cb_name}"),
                        format!(
                            "{}/callbacks/{}/{}",
                            origin.pointer,
                            escape(cb_name),
                            escape(expr)
                        ),
                        doc,
                    ));
                }
            }
        }
        for (key, pointer, doc) in found {
            let Some(item) = self.spec.node(doc, &pointer) else {
                continue;
            };
            let Ok(item) = self.spec.deref(item) else {
                continue;
            };
            for method in Method::ALL {
                let Some(op) = item.child(method.key()) else {
                    continue;
                };
                let Ok(op) = self.spec.deref(op) else {
                    continue;
                };
                let rust = names_scope.claim(names::snake(&key));
                let name = Name {
                    rust,
                    wire: key.clone(),
                };
                let lowered = self.operation(name, method, &key, Some(&item), op, None);
                self.api.webhooks.push(lowered);
            }
        }
    }

    fn operation(
        &mut self,
        name: Name,
        method: Method,
        path: &str,
        item: Option<&Node<'s>>,
        op: Node<'s>,
        security: Option<&Value>,
    ) -> Operation {
        let hint = names::pascal(&name.rust);
        let mut parameters: Vec<Parameter> = Vec::new();
        let mut param_scope = Scope::with_reserved(&["body", "self_", "client", "request", "call"]);
        let mut body = None;
        let mut raw_params = Vec::new();
        for source in [
            item.and_then(|i| i.child("parameters")),
            op.child("parameters"),
        ]
        .into_iter()
        .flatten()
        {
            for i in 0..source.value.as_array().map_or(0, Vec::len) {
                let Some(p) = source.item(i) else {
                    continue;
                };
                let Some(p) = self.deref_or_warn(p, "parameter") else {
                    continue;
                };
                raw_params.push(p);
            }
        }
        // Operation-level parameters override path-level ones with the same name and location.
        let mut by_key: Vec<(String, String, Node<'s>)> = Vec::new();
        for p in raw_params {
            let pname = p
                .value
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let pin = p
                .value
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if let Some(slot) = by_key.iter_mut().find(|(n, i, _)| *n == pname && *i == pin) {
                slot.2 = p;
            } else {
                by_key.push((pname, pin, p));
            }
        }
        for (pname, pin, p) in by_key {
            let location = match pin.as_str() {
                "path" => ParamLocation::Path,
                "query" => ParamLocation::Query,
                "header" => ParamLocation::Header,
                "cookie" => ParamLocation::Cookie,
                "body" => {
                    // Swagger 2.0 body parameter.
                    let consumes = self.consumes(&op);
                    let schema_node = p.child("schema");
                    let shape = schema_node
                        .clone()
                        .map(|s| self.shape_of(s, &format!("{hint}Body")))
                        .unwrap_or(Shape::Any);
                    let schema = schema_node.map(|s| self.schemas.lower(s));
                    let examples = p
                        .child("schema")
                        .map(|s| self.examples_of(&s))
                        .unwrap_or_default();
                    let content = consumes
                        .into_iter()
                        .map(|media_type| Media {
                            media_type,
                            shape: shape.clone(),
                            schema,
                            examples: examples.clone(),
                        })
                        .collect();
                    body = Some(Body {
                        required: p.value.get("required") == Some(&Value::Bool(true)),
                        content,
                        origin: Origin {
                            doc: p.doc.0,
                            pointer: p.pointer.clone(),
                        },
                    });
                    continue;
                }
                "formData" => continue,
                _ => continue,
            };
            let phint = format!("{hint}{}", names::pascal(&pname));
            let shape = match p.child("schema") {
                Some(schema) => self.shape_of(schema, &phint),
                None => match p.child("content") {
                    Some(content) => {
                        let first = content
                            .value
                            .as_object()
                            .and_then(|m| m.keys().next().cloned());
                        first
                            .and_then(|k| content.child(&k))
                            .and_then(|media| media.child("schema"))
                            .map(|s| self.shape_of(s, &phint))
                            .unwrap_or(Shape::String)
                    }
                    // Swagger 2.0 parameters carry the schema keywords themselves.
                    None if p.value.get("type").is_some() => self.shape_inline(p.clone(), &phint),
                    None => Shape::String,
                },
            };
            let (style, explode) = self.style_of(&p, location);
            let required = location == ParamLocation::Path
                || p.value.get("required") == Some(&Value::Bool(true));
            let schema = match p.child("schema") {
                Some(schema) => Some(self.schemas.lower(schema)),
                None if p.value.get("type").is_some() => Some(self.schemas.lower(p.clone())),
                None => p
                    .child("content")
                    .and_then(|c| {
                        c.value
                            .as_object()
                            .and_then(|m| m.keys().next().cloned())
                            .and_then(|k| c.child(&k))
                    })
                    .and_then(|m| m.child("schema"))
                    .map(|s| self.schemas.lower(s)),
            };
            let examples = self.examples_of(&p);
            parameters.push(Parameter {
                name: Name {
                    rust: param_scope.claim(names::snake(&pname)),
                    wire: pname,
                },
                location,
                shape,
                required,
                style,
                explode,
                docs: p
                    .value
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                schema,
                examples,
                deprecated: p.value.get("deprecated") == Some(&Value::Bool(true)),
                origin: Origin {
                    doc: p.doc.0,
                    pointer: p.pointer.clone(),
                },
            });
        }
        if let Some(rb) = op.child("requestBody")
            && let Some(rb) = self.deref_or_warn(rb, "request body")
        {
            let content = self.content(&rb, &format!("{hint}Body"));
            body = Some(Body {
                required: rb.value.get("required") == Some(&Value::Bool(true)),
                content,
                origin: Origin {
                    doc: rb.doc.0,
                    pointer: rb.pointer.clone(),
                },
            });
        }
        let mut responses = Vec::new();
        if let Some(rs) = op.child("responses") {
            // Keys that are no status (validate reports them) are left out, and so is a second
            // spelling of one range (`4XX` beside `4xx`): each status is one variant.
            let mut keys: Vec<String> = Vec::new();
            for key in rs.value.as_object().into_iter().flat_map(|m| m.keys()) {
                let usable = crate::load::validate::valid_status_key(&key.to_ascii_uppercase())
                    || key == "default";
                if usable && !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                    keys.push(key.clone());
                }
            }
            let several = keys.iter().filter(|k| k.starts_with('2')).count() > 1;
            for status in keys {
                let Some(r) = rs.child(&status) else {
                    continue;
                };
                let Some(r) = self.deref_or_warn(r, "response") else {
                    continue;
                };
                let rhint = if status.starts_with('2') && !several {
                    format!("{hint}Response")
                } else {
                    format!("{hint}Response{}", names::pascal(&status))
                };
                let content = if self.spec.version() == Version::Swagger2 {
                    match r.child("schema") {
                        Some(schema) => {
                            let shape = self.shape_of(schema.clone(), &rhint);
                            let id = self.schemas.lower(schema);
                            let examples: Vec<Value> = r
                                .value
                                .get("examples")
                                .and_then(Value::as_object)
                                .map(|m| m.values().cloned().collect())
                                .unwrap_or_default();
                            self.produces(&op)
                                .into_iter()
                                .map(|media_type| Media {
                                    media_type,
                                    shape: shape.clone(),
                                    schema: Some(id),
                                    examples: examples.clone(),
                                })
                                .collect()
                        }
                        None => Vec::new(),
                    }
                } else {
                    self.content(&r, &rhint)
                };
                let headers = self.response_headers(&r);
                let links = self.links(&r);
                responses.push(Response {
                    description: r
                        .value
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    status,
                    content,
                    headers,
                    links,
                    origin: Origin {
                        doc: r.doc.0,
                        pointer: r.pointer.clone(),
                    },
                });
            }
        }
        let requirements: Vec<Vec<String>> = security
            .and_then(Value::as_array)
            .map(|reqs| {
                reqs.iter()
                    .map(|r| {
                        r.as_object()
                            .map(|m| m.keys().cloned().collect())
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        // `security: [{}]` alone means no credentials are needed.
        let requirements = if requirements.iter().all(Vec::is_empty) {
            Vec::new()
        } else {
            requirements
        };
        let security = match security.and_then(Value::as_array) {
            Some(reqs) => {
                let mut out: Vec<String> = Vec::new();
                for req in reqs {
                    for k in req.as_object().into_iter().flat_map(|m| m.keys()) {
                        if !out.contains(k) {
                            out.push(k.clone());
                        }
                    }
                }
                out
            }
            None => Vec::new(),
        };
        Operation {
            operation_id: op
                .value
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string),
            name,
            method,
            path: path.to_string(),
            summary: op
                .value
                .get("summary")
                .and_then(Value::as_str)
                .map(str::to_string),
            description: op
                .value
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            parameters,
            body,
            responses,
            security,
            requirements,
            tags: op
                .value
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            deprecated: op.value.get("deprecated") == Some(&Value::Bool(true)),
            origin: Origin {
                doc: op.doc.0,
                pointer: op.pointer.to_string(),
            },
        }
    }

    fn content(&mut self, node: &Node<'s>, hint: &str) -> Vec<Media> {
        let Some(content) = node.child("content") else {
            return Vec::new();
        };
        let medias: Vec<String> = content
            .value
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for media_type in medias {
            let Some(m) = content.child(&media_type) else {
                continue;
            };
            let (shape, schema) = match m.child("schema") {
                Some(schema) => (
                    self.shape_of(schema.clone(), hint),
                    Some(self.schemas.lower(schema)),
                ),
                None => (Shape::Any, None),
            };
            let examples = self.examples_of(&m);
            out.push(Media {
                media_type,
                shape,
                schema,
                examples,
            });
        }
        out
    }

    /// `example` and the values of `examples` (named examples give their `value`, through `$ref`) on a node.
    fn examples_of(&self, node: &Node<'s>) -> Vec<Value> {
        let mut out: Vec<Value> = node.value.get("example").cloned().into_iter().collect();
        match node.value.get("examples") {
            Some(Value::Object(named)) => {
                for key in named.keys() {
                    let Some(e) = node.child("examples").and_then(|n| n.child(key)) else {
                        continue;
                    };
                    let Ok(e) = self.spec.deref(e) else { continue };
                    out.extend(e.value.get("value").cloned());
                }
            }
            Some(Value::Array(list)) => out.extend(list.iter().cloned()),
            _ => {}
        }
        out
    }

    fn response_headers(&mut self, r: &Node<'s>) -> Vec<Header> {
        let Some(headers) = r.child("headers") else {
            return Vec::new();
        };
        let names: Vec<String> = headers
            .value
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for name in names {
            let Some(h) = headers.child(&name) else {
                continue;
            };
            let Some(h) = self.deref_or_warn(h, "header") else {
                continue;
            };
            let schema = match h.child("schema") {
                Some(s) => Some(self.schemas.lower(s)),
                None if h.value.get("type").is_some() => Some(self.schemas.lower(h.clone())),
                None => None,
            };
            out.push(Header {
                name,
                required: h.value.get("required") == Some(&Value::Bool(true)),
                schema,
                origin: Origin {
                    doc: h.doc.0,
                    pointer: h.pointer.clone(),
                },
            });
        }
        out
    }

    fn links(&mut self, r: &Node<'s>) -> Vec<Link> {
        let Some(links) = r.child("links") else {
            return Vec::new();
        };
        let names: Vec<String> = links
            .value
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for name in names {
            let Some(l) = links.child(&name) else {
                continue;
            };
            let Some(l) = self.deref_or_warn(l, "link") else {
                continue;
            };
            let operation = match (
                l.value.get("operationId").and_then(Value::as_str),
                l.value.get("operationRef").and_then(Value::as_str),
            ) {
                (Some(id), _) => id.to_string(),
                (None, Some(reference)) => match self.spec.resolve(l.doc, reference) {
                    Ok(target) => target
                        .value
                        .get("operationId")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    Err(_) => continue,
                },
                (None, None) => continue,
            };
            let parameters = l
                .value
                .get("parameters")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_str().map(|e| (k.clone(), e.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            out.push(Link {
                name,
                operation,
                parameters,
            });
        }
        out
    }

    fn consumes(&self, op: &Node<'_>) -> Vec<String> {
        media_list(
            op.value
                .get("consumes")
                .or_else(|| self.spec.root().value.get("consumes")),
        )
    }

    fn produces(&self, op: &Node<'_>) -> Vec<String> {
        media_list(
            op.value
                .get("produces")
                .or_else(|| self.spec.root().value.get("produces")),
        )
    }

    /// Marks struct fields whose type leads back to the struct without passing a `Vec` or map.
    /// A schema that is, through `$ref`s, arrays, maps and nullability alone, itself (`A: {$ref: B}`,
    /// `B: {items: {$ref: A}}`) describes no value: no Rust type alias can name it either. The
    /// first alias of each such cycle becomes "any value", with a warning at its place.
    fn break_alias_cycles(&mut self) {
        fn through_aliases(
            api: &Api,
            shape: &Shape,
            target: TypeId,
            seen: &mut BTreeSet<TypeId>,
        ) -> bool {
            match shape {
                Shape::Named(id) => {
                    if *id == target {
                        return true;
                    }
                    if !seen.insert(*id) {
                        return false;
                    }
                    match &api.types[id].kind {
                        TypeKind::Alias(inner) => through_aliases(api, inner, target, seen),
                        _ => false,
                    }
                }
                Shape::Array(inner) | Shape::Map(inner) | Shape::Nullable(inner) => {
                    through_aliases(api, inner, target, seen)
                }
                _ => false,
            }
        }
        let ids: Vec<TypeId> = self.api.types.keys().copied().collect();
        for id in ids {
            let TypeKind::Alias(shape) = &self.api.types[&id].kind else {
                continue;
            };
            if !through_aliases(&self.api, shape, id, &mut BTreeSet::new()) {
                continue;
            }
            let ty = self.api.types.get_mut(&id).expect("listed above");
            ty.kind = TypeKind::Alias(Shape::Any);
            let origin = ty.origin.clone();
            let name = ty.name.wire.clone();
            let location = self.spec.location(DocId(origin.doc), &origin.pointer);
            self.diags.0.push(Diagnostic::warning(
                "schema-cycle",
                location,
                format!("schema `{name}` refers only to itself (through $ref, arrays, maps or nullability); it is read as any value"),
            ));
        }
    }

    /// A field holds its type through a `Box` when that type contains the field's struct again
    /// by value ([`Api::holds_by_value`]).
    fn mark_boxes(&mut self) {
        let ids: Vec<TypeId> = self.api.types.keys().copied().collect();
        for id in ids {
            let TypeKind::Struct { fields, .. } = &self.api.types[&id].kind else {
                continue;
            };
            let boxed: Vec<bool> = fields
                .iter()
                .map(|f| direct_target(&f.shape).is_some_and(|t| self.api.holds_by_value(t, id)))
                .collect();
            if let TypeKind::Struct { fields, .. } =
                &mut self.api.types.get_mut(&id).expect("listed above").kind
            {
                for (field, b) in fields.iter_mut().zip(boxed) {
                    field.boxed = b;
                }
            }
        }
    }
}

fn media_list(v: Option<&Value>) -> Vec<String> {
    match v.and_then(Value::as_array) {
        Some(list) if !list.is_empty() => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec!["application/json".to_string()],
    }
}

/// The named type a shape holds without indirection (`Option` and `Nullable` are not indirection).
pub(crate) fn direct_target(shape: &Shape) -> Option<TypeId> {
    match shape {
        Shape::Named(id) => Some(*id),
        Shape::Nullable(inner) => direct_target(inner),
        _ => None,
    }
}

fn nullable(shape: Shape) -> Shape {
    match shape {
        Shape::Nullable(_) | Shape::Any | Shape::Null => shape,
        other => Shape::Nullable(Box::new(other)),
    }
}

fn wrap(shape: Shape, is_nullable: bool) -> Shape {
    if is_nullable { nullable(shape) } else { shape }
}

/// Enum values of a schema (`enum`, or 3.1 `const`), when it is an enumeration of scalars.
fn enum_values(schema: &Value) -> Option<Vec<Value>> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        let non_null: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
        if !non_null.is_empty()
            && non_null
                .iter()
                .all(|v| v.is_string() || v.is_i64() || v.is_u64() || v.is_boolean() || v.is_f64())
        {
            let types = types_of(schema);
            if types.iter().any(|t| matches!(*t, "boolean" | "number")) {
                return None;
            }
            if non_null.iter().any(Value::is_boolean) || non_null.iter().any(Value::is_f64) {
                return None;
            }
            return Some(non_null);
        }
        return None;
    }
    match schema.get("const") {
        Some(v @ Value::String(_)) => Some(vec![v.clone()]),
        _ => None,
    }
}

/// Schemas that become named Rust types when used inline: objects with properties, enums, unions, merges.
/// The narrowest Rust integer that holds every value a format-less integer schema shows
/// (`example`, `examples`, `default`, `enum`, `minimum`, `maximum`).
enum Widest {
    I64,
    U64,
    Wider,
}

fn widest_integer(schema: &Value) -> Widest {
    let mut shown: Vec<&Value> = ["example", "default", "minimum", "maximum"]
        .iter()
        .filter_map(|k| schema.get(*k))
        // A fractional bound inside the 64-bit range (`maximum: 9.5`) bounds whole numbers that
        // an `i64` holds; only the values themselves must fit.
        .filter(|v| {
            v.as_f64()
                .is_none_or(|f| f.fract() == 0.0 || f.abs() >= 9.2e18 || v.is_i64() || v.is_u64())
        })
        .collect();
    for k in ["examples", "enum"] {
        shown.extend(
            schema
                .get(k)
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    let numbers: Vec<&serde_json::Number> = shown.iter().filter_map(|v| v.as_number()).collect();
    if numbers.iter().all(|n| n.is_i64()) {
        Widest::I64
    } else if numbers.iter().all(|n| n.is_i64() || n.is_u64())
        && numbers.iter().all(|n| n.as_i64().is_none_or(|i| i >= 0))
    {
        Widest::U64
    } else {
        Widest::Wider
    }
}

/// True for an `allOf` member that only annotates (a description, an example, `nullable`…) and
/// constrains nothing.
fn annotation_only(member: &Value) -> bool {
    member.as_object().is_some_and(|m| {
        m.keys().all(|k| {
            k.starts_with("x-")
                || matches!(
                    k.as_str(),
                    "description"
                        | "title"
                        | "example"
                        | "examples"
                        | "deprecated"
                        | "readOnly"
                        | "writeOnly"
                        | "nullable"
                        | "externalDocs"
                        | "default"
                )
        })
    })
}

/// The index of the one `allOf` member that constrains, when the others only annotate.
fn sole_substantive(all: &[Value]) -> Option<usize> {
    let mut found = None;
    for (i, member) in all.iter().enumerate() {
        if !annotation_only(member) {
            if found.is_some() {
                return None;
            }
            found = Some(i);
        }
    }
    found
}

/// 3.0 `nullable: true`, Swagger's `x-nullable`, or `null` among 3.1's types.
fn admits_null(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
        || schema.get("x-nullable") == Some(&Value::Bool(true))
        || types_of(schema).contains(&"null")
}

fn needs_named_type(schema: &Value) -> bool {
    if enum_values(schema).is_some() {
        return true;
    }
    if schema
        .get("properties")
        .is_some_and(|p| p.as_object().is_some_and(|m| !m.is_empty()))
    {
        return true;
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        return all.iter().filter(|m| !annotation_only(m)).count() > 1
            || schema.get("properties").is_some();
    }
    ["oneOf", "anyOf"].iter().any(|k| {
        schema
            .get(*k)
            .is_some_and(|v| v.as_array().is_some_and(|a| !a.is_empty()))
    })
}

/// Whether a `default` can be applied in the Rust type (primitives whose value fits the type).
fn applies_default(shape: &Shape, default: &Value) -> bool {
    match (shape, default) {
        (Shape::Boolean, Value::Bool(_))
        | (Shape::String, Value::String(_))
        | (Shape::Number(_), Value::Number(_)) => true,
        (Shape::Integer(t), Value::Number(n)) => {
            let Some(v) = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)) else {
                return false;
            };
            let (lo, hi): (i128, i128) = match *t {
                "i8" => (i8::MIN.into(), i8::MAX.into()),
                "u8" => (0, u8::MAX.into()),
                "i16" => (i16::MIN.into(), i16::MAX.into()),
                "u16" => (0, u16::MAX.into()),
                "i32" => (i32::MIN.into(), i32::MAX.into()),
                "u32" => (0, u32::MAX.into()),
                "u64" => (0, u64::MAX.into()),
                _ => (i64::MIN.into(), i64::MAX.into()),
            };
            (lo..=hi).contains(&v)
        }
        _ => false,
    }
}

fn shape_label(shape: &Shape) -> String {
    match shape {
        Shape::Named(_) => "Named".into(),
        Shape::String => "String".into(),
        Shape::DateTime => "DateTime".into(),
        Shape::Date => "Date".into(),
        Shape::Decimal => "Decimal".into(),
        Shape::Integer(_) => "Integer".into(),
        Shape::Number(_) => "Number".into(),
        Shape::Boolean => "Boolean".into(),
        Shape::Array(inner) => format!("{}List", shape_label(inner)),
        Shape::Map(inner) => format!("{}Map", shape_label(inner)),
        Shape::Any => "Any".into(),
        Shape::Null => "Null".into(),
        Shape::Nullable(inner) => shape_label(inner),
    }
}

/// Higher is tried first when decoding an untagged union.
fn specificity(api: &Api, shape: &Shape) -> i64 {
    match shape {
        Shape::Named(id) => match &api.types[id].kind {
            TypeKind::Struct { fields, .. } => {
                1000 + 10 * fields.iter().filter(|f| f.required).count() as i64
                    + fields.len() as i64
            }
            TypeKind::Enum { .. } => 900,
            TypeKind::Union { .. } => 500,
            TypeKind::Alias(inner) => specificity(api, inner),
        },
        Shape::Null => 950,
        Shape::Boolean => 800,
        Shape::Integer(_) => 790,
        Shape::Number(_) => 780,
        Shape::DateTime | Shape::Date | Shape::Decimal => 700,
        Shape::String => 600,
        Shape::Array(_) => 650,
        Shape::Map(_) => 300,
        Shape::Nullable(inner) => specificity(api, inner) - 1,
        Shape::Any => 0,
    }
}
