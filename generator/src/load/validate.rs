//! Structural rules of OpenAPI 3.0/3.1 that a document must meet before anything is generated from it.
//!
//! The rules checked: required fields and their types, path templates against declared path
//! parameters, unique `operationId`s, duplicate parameters, response keys, security schemes that
//! exist, schema keywords of the right shape, and every `$ref` resolving.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{DocId, Spec, Version, escape, walk_refs};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::method::Method;

const PATH_ITEM_KEYS: &[&str] = &[
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
    "servers",
    "parameters",
    "summary",
    "description",
    "$ref",
];
const PARAM_LOCATIONS: &[&str] = &["query", "header", "path", "cookie"];
const SCHEMA_TYPES_30: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// Checks `spec` against the OpenAPI rules; returns every problem found, sorted by place.
pub fn validate(spec: &Spec) -> Diagnostics {
    let mut v = Validator {
        spec,
        out: Diagnostics::default(),
    };
    v.refs();
    if spec.version() != Version::Swagger2 {
        v.root();
        v.paths();
        v.schemas();
    }
    let mut out = v.out;
    out.normalize();
    out
}

struct Validator<'a> {
    spec: &'a Spec,
    out: Diagnostics,
}

impl Validator<'_> {
    fn error(&mut self, doc: DocId, pointer: &str, code: &'static str, message: String) {
        let location = self.spec.location(doc, pointer);
        self.out.0.push(Diagnostic::error(code, location, message));
    }

    fn refs(&mut self) {
        let mut problems = Vec::new();
        for (doc_id, doc) in self.spec.documents() {
            walk_refs(
                &doc.value,
                &mut String::new(),
                false,
                &mut |reference, pointer| {
                    if let Err(err) = self.spec.resolve(doc_id, reference) {
                        problems.push((doc_id, format!("{pointer}/$ref"), err.to_string()));
                    }
                },
            );
        }
        for (doc, pointer, message) in problems {
            self.error(doc, &pointer, "unresolved-ref", message);
        }
    }

    fn root(&mut self) {
        let root = &self.spec.root().value;
        let d = DocId(0);
        match root.get("info") {
            Some(info) if info.is_object() => {
                for field in ["title", "version"] {
                    if !info.get(field).is_some_and(Value::is_string) {
                        self.error(
                            d,
                            "/info",
                            "missing-field",
                            format!("`info.{field}` is required and must be a string"),
                        );
                    }
                }
            }
            _ => self.error(
                d,
                "",
                "missing-field",
                "`info` is required and must be an object".into(),
            ),
        }
        let has = |k: &str| root.get(k).is_some_and(Value::is_object);
        match self.spec.version() {
            Version::V3_0 if !has("paths") => {
                self.error(
                    d,
                    "",
                    "missing-field",
                    "`paths` is required in openapi 3.0".into(),
                );
            }
            Version::V3_1 if !has("paths") && !has("components") && !has("webhooks") => {
                self.error(
                    d,
                    "",
                    "missing-field",
                    "openapi 3.1 requires at least one of `paths`, `components`, `webhooks`".into(),
                );
            }
            _ => {}
        }
        if let Some(servers) = root.get("servers") {
            match servers.as_array() {
                Some(list) => {
                    for (i, server) in list.iter().enumerate() {
                        if !server.get("url").is_some_and(Value::is_string) {
                            self.error(
                                d,
                                &format!("/servers/{i}"),
                                "missing-field",
                                "a server needs a `url` string".into(),
                            );
                        }
                    }
                }
                None => self.error(
                    d,
                    "/servers",
                    "wrong-type",
                    "`servers` must be an array".into(),
                ),
            }
        }
        if let Some(Value::Object(components)) = root.get("components") {
            for (section, entries) in components {
                if section.starts_with("x-") {
                    continue;
                }
                let Value::Object(entries) = entries else {
                    self.error(
                        d,
                        &format!("/components/{section}"),
                        "wrong-type",
                        format!("`components.{section}` must be a map"),
                    );
                    continue;
                };
                for name in entries.keys() {
                    if !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                    {
                        self.error(
                            d,
                            &format!("/components/{section}/{}", escape(name)),
                            "bad-component-name",
                            format!("component name `{name}` must match ^[a-zA-Z0-9._-]+$"),
                        );
                    }
                }
            }
        }
        if let Some(security) = root.get("security") {
            self.security(d, "/security", security);
        }
    }

    fn security(&mut self, doc: DocId, pointer: &str, security: &Value) {
        let schemes: BTreeSet<&str> = self
            .spec
            .root()
            .value
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let Some(requirements) = security.as_array() else {
            self.error(
                doc,
                pointer,
                "wrong-type",
                "`security` must be an array of requirement objects".into(),
            );
            return;
        };
        let mut unknown = Vec::new();
        for (i, requirement) in requirements.iter().enumerate() {
            let Some(requirement) = requirement.as_object() else {
                unknown.push((
                    format!("{pointer}/{i}"),
                    "a security requirement must be an object".to_string(),
                ));
                continue;
            };
            for name in requirement.keys() {
                if !schemes.contains(name.as_str()) {
                    unknown.push((
                        format!("{pointer}/{i}/{}", escape(name)),
                        format!("security scheme `{name}` is not declared in `components.securitySchemes`"),
                    ));
                }
            }
        }
        for (p, message) in unknown {
            self.error(doc, &p, "unknown-security-scheme", message);
        }
    }

    fn paths(&mut self) {
        let spec = self.spec;
        let d = DocId(0);
        let Some(paths) = spec.root().value.get("paths") else {
            return;
        };
        let Some(paths) = paths.as_object() else {
            self.error(d, "/paths", "wrong-type", "`paths` must be a map".into());
            return;
        };
        let mut operation_ids: BTreeMap<String, String> = BTreeMap::new();
        for path in paths.keys() {
            if path.starts_with("x-") {
                continue;
            }
            let item_pointer = format!("/paths/{}", escape(path));
            if !path.starts_with('/') {
                self.error(
                    d,
                    &item_pointer,
                    "bad-path",
                    format!("path `{path}` must start with `/`"),
                );
            }
            let Some(node) = spec.node(d, &item_pointer) else {
                continue;
            };
            let Ok(item) = spec.deref(node) else { continue }; // reported by refs()
            let Some(map) = item.value.as_object() else {
                self.error(
                    d,
                    &item_pointer,
                    "wrong-type",
                    "a path item must be a map".into(),
                );
                continue;
            };
            for key in map.keys() {
                if !key.starts_with("x-") && !PATH_ITEM_KEYS.contains(&key.as_str()) {
                    self.error(
                        item.doc,
                        &format!("{}/{}", item.pointer, escape(key)),
                        "unknown-field",
                        format!("`{key}` is not a field of a path item"),
                    );
                }
            }
            let templated: Vec<String> = template_names(path);
            let path_level = self.parameters(
                item.doc,
                &format!("{}/parameters", item.pointer),
                map.get("parameters"),
            );
            for method in Method::ALL.map(Method::key) {
                let Some(op) = map.get(method) else { continue };
                let op_node = super::Node {
                    doc: item.doc,
                    pointer: format!("{}/{method}", item.pointer),
                    value: op,
                };
                // Operation-level `$ref` is not in the standard, but DigitalOcean's spec is built on it.
                let Ok(op) = spec.deref(op_node) else {
                    continue;
                };
                let (op_doc, op_pointer) = (op.doc, op.pointer.clone());
                let Some(op_map) = op.value.as_object() else {
                    self.error(
                        op_doc,
                        &op_pointer,
                        "wrong-type",
                        "an operation must be a map".into(),
                    );
                    continue;
                };
                if let Some(id) = op_map.get("operationId") {
                    match id.as_str() {
                        Some(id) => {
                            let here = format!("{} {path}", method.to_uppercase());
                            if let Some(first) = operation_ids.insert(id.to_string(), here.clone())
                            {
                                self.error(
                                    op_doc,
                                    &format!("{op_pointer}/operationId"),
                                    "duplicate-operation-id",
                                    format!(
                                        "operationId `{id}` of {here} is already used by {first}"
                                    ),
                                );
                            }
                        }
                        None => self.error(
                            op_doc,
                            &format!("{op_pointer}/operationId"),
                            "wrong-type",
                            "`operationId` must be a string".into(),
                        ),
                    }
                }
                let op_level = self.parameters(
                    op_doc,
                    &format!("{op_pointer}/parameters"),
                    op_map.get("parameters"),
                );
                let mut declared: BTreeSet<String> = BTreeSet::new();
                for (name, location) in path_level.iter().chain(op_level.iter()) {
                    if location == "path" {
                        declared.insert(name.clone());
                    }
                }
                for name in &templated {
                    if !declared.contains(name) {
                        self.error(
                            op_doc,
                            &op_pointer,
                            "undeclared-path-parameter",
                            format!("{} {path} uses `{{{name}}}` but declares no path parameter `{name}`", method.to_uppercase()),
                        );
                    }
                }
                for name in &declared {
                    if !templated.contains(name) {
                        self.error(
                            op_doc,
                            &op_pointer,
                            "unused-path-parameter",
                            format!(
                                "path parameter `{name}` of {} {path} does not appear in the path",
                                method.to_uppercase()
                            ),
                        );
                    }
                }
                if let Some(security) = op_map.get("security") {
                    self.security(op_doc, &format!("{op_pointer}/security"), security);
                }
                self.responses(op_doc, &op_pointer, op_map.get("responses"));
                if let Some(body) = op_map.get("requestBody") {
                    let node = super::Node {
                        doc: op_doc,
                        pointer: format!("{op_pointer}/requestBody"),
                        value: body,
                    };
                    if let Ok(body) = spec.deref(node)
                        && !body.value.get("content").is_some_and(Value::is_object)
                    {
                        self.error(
                            body.doc,
                            &body.pointer,
                            "missing-field",
                            "a request body needs a `content` map".into(),
                        );
                    }
                }
            }
        }
    }

    /// Checks one `parameters` list; returns the (name, in) pairs it declares.
    fn parameters(
        &mut self,
        doc: DocId,
        pointer: &str,
        list: Option<&Value>,
    ) -> Vec<(String, String)> {
        let mut declared = Vec::new();
        let Some(list) = list else { return declared };
        let Some(items) = list.as_array() else {
            self.error(
                doc,
                pointer,
                "wrong-type",
                "`parameters` must be an array".into(),
            );
            return declared;
        };
        for (i, _) in items.iter().enumerate() {
            let Some(node) = self.spec.node(doc, &format!("{pointer}/{i}")) else {
                continue;
            };
            let Ok(param) = self.spec.deref(node) else {
                continue;
            };
            let (pdoc, pp) = (param.doc, param.pointer.clone());
            let name = param.value.get("name").and_then(Value::as_str);
            let location = param.value.get("in").and_then(Value::as_str);
            let (Some(name), Some(location)) = (name, location) else {
                self.error(
                    pdoc,
                    &pp,
                    "missing-field",
                    "a parameter needs `name` and `in` strings".into(),
                );
                continue;
            };
            if !PARAM_LOCATIONS.contains(&location) {
                self.error(pdoc, &format!("{pp}/in"), "bad-parameter", format!("parameter `{name}` has `in: {location}`; expected query, header, path or cookie"));
            }
            if location == "path" && param.value.get("required") != Some(&Value::Bool(true)) {
                self.error(
                    pdoc,
                    &pp,
                    "bad-parameter",
                    format!("path parameter `{name}` must have `required: true`"),
                );
            }
            let has_schema = param.value.get("schema").is_some();
            let has_content = param.value.get("content").is_some();
            if has_schema == has_content {
                self.error(
                    pdoc,
                    &pp,
                    "bad-parameter",
                    format!("parameter `{name}` needs exactly one of `schema` and `content`"),
                );
            }
            let key = (name.to_string(), location.to_string());
            if declared.contains(&key) {
                self.error(
                    pdoc,
                    &pp,
                    "duplicate-parameter",
                    format!("parameter `{name}` in {location} is declared twice in one list"),
                );
            } else {
                declared.push(key);
            }
        }
        declared
    }

    fn responses(&mut self, doc: DocId, op_pointer: &str, responses: Option<&Value>) {
        let pointer = format!("{op_pointer}/responses");
        let Some(responses) = responses.and_then(Value::as_object) else {
            self.error(
                doc,
                op_pointer,
                "missing-field",
                "an operation needs a `responses` map".into(),
            );
            return;
        };
        if responses.keys().all(|k| k.starts_with("x-")) {
            self.error(
                doc,
                &pointer,
                "missing-field",
                "`responses` must declare at least one response".into(),
            );
        }
        for (code, _) in responses {
            if code.starts_with("x-") {
                continue;
            }
            let rp = format!("{pointer}/{}", escape(code));
            if !valid_status_key(code) {
                self.error(doc, &rp, "bad-status-code", format!("response key `{code}` is not `default`, a 3-digit code or a range like `4XX`"));
            }
            let Some(node) = self.spec.node(doc, &rp) else {
                continue;
            };
            let Ok(response) = self.spec.deref(node) else {
                continue;
            };
            if !response
                .value
                .get("description")
                .is_some_and(Value::is_string)
            {
                let (d, p) = (response.doc, response.pointer.clone());
                self.error(
                    d,
                    &p,
                    "missing-field",
                    format!("response `{code}` needs a `description` string"),
                );
            }
        }
    }

    /// Checks the shape of every schema object under `components/schemas` and inline in operations.
    fn schemas(&mut self) {
        let version = self.spec.version();
        let mut problems: Vec<(DocId, String, String)> = Vec::new();
        for (doc_id, doc) in self.spec.documents() {
            visit_schemas(
                &doc.value,
                &mut String::new(),
                Context::Other,
                &mut |schema, pointer| {
                    check_schema(schema, pointer, version, &mut |p, m| {
                        problems.push((doc_id, p, m))
                    });
                },
            );
        }
        for (doc, pointer, message) in problems {
            self.error(doc, &pointer, "bad-schema", message);
        }
    }
}

fn check_schema(
    schema: &Value,
    pointer: &str,
    version: Version,
    report: &mut dyn FnMut(String, String),
) {
    let Some(map) = schema.as_object() else {
        if !schema.is_boolean() || version == Version::V3_0 {
            report(pointer.to_string(), "a schema must be an object".into());
        }
        return;
    };
    if let Some(t) = map.get("type") {
        let ok = match (t, version) {
            (Value::String(t), Version::V3_1) => {
                SCHEMA_TYPES_30.contains(&t.as_str()) || t == "null"
            }
            (Value::String(t), _) => SCHEMA_TYPES_30.contains(&t.as_str()),
            (Value::Array(ts), Version::V3_1) => ts.iter().all(|t| {
                t.as_str()
                    .is_some_and(|t| SCHEMA_TYPES_30.contains(&t) || t == "null")
            }),
            _ => false,
        };
        if !ok {
            report(
                format!("{pointer}/type"),
                format!("`type: {t}` is not a valid schema type here"),
            );
        }
        if version == Version::V3_0 && t == "array" && !map.contains_key("items") {
            report(
                pointer.to_string(),
                "openapi 3.0 requires `items` when `type: array`".into(),
            );
        }
    }
    if let Some(required) = map.get("required")
        && !required
            .as_array()
            .is_some_and(|r| r.iter().all(Value::is_string))
    {
        report(
            format!("{pointer}/required"),
            "`required` must be an array of property names".into(),
        );
    }
    if let Some(e) = map.get("enum")
        && !e.is_array()
    {
        report(format!("{pointer}/enum"), "`enum` must be an array".into());
    }
    if let Some(p) = map.get("properties")
        && !p.is_object()
    {
        report(
            format!("{pointer}/properties"),
            "`properties` must be a map".into(),
        );
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Context {
    Other,
    Schema,
    SchemaMap,
    SchemaList,
}

/// Calls `f` on every schema object reachable in a document (not through `$ref`).
fn visit_schemas(
    value: &Value,
    pointer: &mut String,
    context: Context,
    f: &mut dyn FnMut(&Value, &str),
) {
    let descend = |child: &Value,
                   key: &str,
                   ctx: Context,
                   pointer: &mut String,
                   f: &mut dyn FnMut(&Value, &str)| {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&escape(key));
        visit_schemas(child, pointer, ctx, f);
        pointer.truncate(len);
    };
    match context {
        Context::Schema => {
            if value.get("$ref").is_none() {
                f(value, pointer);
            }
            let Some(map) = value.as_object() else { return };
            for (key, child) in map {
                let ctx = match key.as_str() {
                    "items" if child.is_array() => Context::SchemaList,
                    "items"
                    | "additionalProperties"
                    | "not"
                    | "contains"
                    | "propertyNames"
                    | "if"
                    | "then"
                    | "else"
                    | "unevaluatedItems"
                    | "unevaluatedProperties"
                    | "additionalItems" => Context::Schema,
                    "properties" | "patternProperties" | "$defs" | "definitions"
                    | "dependentSchemas" => Context::SchemaMap,
                    "allOf" | "anyOf" | "oneOf" | "prefixItems" => Context::SchemaList,
                    _ => continue,
                };
                if ctx == Context::Schema && child.is_boolean() {
                    continue;
                }
                descend(child, key, ctx, pointer, f);
            }
        }
        Context::SchemaMap => {
            if let Some(map) = value.as_object() {
                for (key, child) in map {
                    descend(child, key, Context::Schema, pointer, f);
                }
            }
        }
        Context::SchemaList => {
            if let Some(items) = value.as_array() {
                for (i, child) in items.iter().enumerate() {
                    descend(child, &i.to_string(), Context::Schema, pointer, f);
                }
            }
        }
        Context::Other => match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if key.starts_with("x-")
                        || matches!(
                            key.as_str(),
                            "example" | "examples" | "default" | "enum" | "const"
                        )
                    {
                        continue;
                    }
                    let ctx = match key.as_str() {
                        "schema" => Context::Schema,
                        "schemas" | "definitions" => Context::SchemaMap,
                        _ => Context::Other,
                    };
                    descend(child, key, ctx, pointer, f);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    descend(child, &i.to_string(), Context::Other, pointer, f);
                }
            }
            _ => {}
        },
    }
}

/// `default`, a 3-digit code from 100 to 599, or a range (`4XX`).
pub fn valid_status_key(code: &str) -> bool {
    if code == "default" {
        return true;
    }
    let b = code.as_bytes();
    b.len() == 3
        && (b'1'..=b'5').contains(&b[0])
        && ((b[1].is_ascii_digit() && b[2].is_ascii_digit()) || (b[1] == b'X' && b[2] == b'X'))
}

/// The names inside `{…}` in a path template, in order.
pub fn template_names(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        names.push(rest[open + 1..open + close].to_string());
        rest = &rest[open + close + 1..];
    }
    names
}
