//! Inconsistencies inside one spec that the OpenAPI rules allow but a reader would call mistakes:
//! enums of one property that differ by a single value, one property name with different types,
//! `…Id` properties that hold objects, identifier names that drift by one word, unused components,
//! operations without an `operationId`. Structural problems come from [`crate::load::validate`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::{DocId, Spec, escape, walk_refs};
use crate::method::Method;

/// One property found in a component schema (inline sub-objects included).
struct Property<'a> {
    /// Property name.
    name: String,
    /// Where the property's schema is.
    doc: DocId,
    pointer: String,
    /// The property schema, `$ref` resolved.
    schema: &'a Value,
}

/// Runs every lint (and the structural validation) over `spec`.
pub fn lint(spec: &Spec) -> Diagnostics {
    let mut out = crate::load::validate::validate(spec);
    let props = properties(spec);
    enum_drift(spec, &props, &mut out);
    type_conflicts(spec, &props, &mut out);
    id_holding_objects(spec, &props, &mut out);
    id_naming_drift(spec, &props, &mut out);
    unused_components(spec, &mut out);
    missing_operation_ids(spec, &mut out);
    out.normalize();
    out
}

fn location(spec: &Spec, doc: DocId, pointer: &str) -> Location {
    spec.location(doc, pointer)
}

fn properties(spec: &Spec) -> Vec<Property<'_>> {
    let mut out = Vec::new();
    let Some(Value::Object(schemas)) = spec.root().value.pointer("/components/schemas") else {
        return out;
    };
    for (name, schema) in schemas {
        collect(
            spec,
            DocId(0),
            &format!("/components/schemas/{}", escape(name)),
            schema,
            &mut out,
            0,
        );
    }
    out
}

fn collect<'a>(
    spec: &'a Spec,
    doc: DocId,
    pointer: &str,
    schema: &'a Value,
    out: &mut Vec<Property<'a>>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    for (i, member) in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if member.get("$ref").is_none() {
            collect(
                spec,
                doc,
                &format!("{pointer}/allOf/{i}"),
                member,
                out,
                depth + 1,
            );
        }
    }
    let Some(Value::Object(props)) = schema.get("properties") else {
        return;
    };
    for (name, prop) in props {
        let prop_pointer = format!("{pointer}/properties/{}", escape(name));
        let resolved = match prop.get("$ref").and_then(Value::as_str) {
            Some(r) => match spec.resolve(doc, r) {
                Ok(node) => node.value,
                Err(_) => continue,
            },
            None => prop,
        };
        out.push(Property {
            name: name.clone(),
            doc,
            pointer: prop_pointer.clone(),
            schema: resolved,
        });
        if prop.get("$ref").is_none() {
            collect(spec, doc, &prop_pointer, prop, out, depth + 1);
            if let Some(items) = prop.get("items").filter(|i| i.get("$ref").is_none()) {
                collect(
                    spec,
                    doc,
                    &format!("{prop_pointer}/items"),
                    items,
                    out,
                    depth + 1,
                );
            }
        }
    }
}

fn enum_set(schema: &Value) -> Option<BTreeSet<String>> {
    let values = schema.get("enum")?.as_array()?;
    let set: BTreeSet<String> = values
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    (set.len() >= 2).then_some(set)
}

/// Two enums of one property name that differ by exactly one value: the smaller one probably
/// forgot it (Vivamo's Disbursement status lacks the `rejected` its intent status has).
fn enum_drift(spec: &Spec, props: &[Property<'_>], out: &mut Diagnostics) {
    let with_enums: Vec<(&Property<'_>, BTreeSet<String>)> = props
        .iter()
        .filter_map(|p| Some((p, enum_set(p.schema)?)))
        .collect();
    let mut seen = BTreeSet::new();
    for (a, set_a) in &with_enums {
        for (b, set_b) in &with_enums {
            if a.name != b.name
                || set_a.len() + 1 != set_b.len()
                || !set_a.is_subset(set_b)
                || !related(spec, &a.pointer, &b.pointer)
            {
                continue;
            }
            let missing = set_b.difference(set_a).next().expect("one value apart");
            if !seen.insert((a.pointer.clone(), missing.clone())) {
                continue;
            }
            let mut d = Diagnostic::warning(
                "enum-drift",
                location(spec, a.doc, &format!("{}/enum", a.pointer)),
                format!(
                    "`{}` here allows {:?} but not `{missing}`, which `{}` at {} allows; the same concept seems to have lost a value",
                    a.name,
                    set_a.iter().collect::<Vec<_>>(),
                    b.name,
                    b.pointer
                ),
            );
            d.related
                .push(location(spec, b.doc, &format!("{}/enum", b.pointer)));
            out.0.push(d.with_help(format!(
                "add `{missing}` to this enum if servers can send it"
            )));
        }
    }
}

/// The component schema a pointer sits in.
fn owner(pointer: &str) -> &str {
    pointer
        .strip_prefix("/components/schemas/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(pointer)
}

/// Two component schemas are about the same concept when one refers to the other, or their names
/// start with the same word (`Disbursement`, `DisbursementIntentStatus`).
fn related(spec: &Spec, a: &str, b: &str) -> bool {
    let (a, b) = (owner(a), owner(b));
    if a == b || words(a).first() == words(b).first() {
        return true;
    }
    let refers = |from: &str, to: &str| {
        let Some(schema) = spec
            .root()
            .value
            .pointer(&format!("/components/schemas/{from}"))
        else {
            return false;
        };
        let target = format!("#/components/schemas/{to}");
        let mut found = false;
        walk_refs(schema, &mut String::new(), false, &mut |reference, _| {
            found |= reference == target
        });
        found
    };
    refers(a, b) || refers(b, a)
}

fn json_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        None if schema.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

/// One property name typed differently in different schemas (`status` a string here, an object there).
fn type_conflicts(spec: &Spec, props: &[Property<'_>], out: &mut Diagnostics) {
    let mut by_name: BTreeMap<&str, BTreeMap<&str, Vec<&Property<'_>>>> = BTreeMap::new();
    for p in props {
        if let Some(t) = json_type(p.schema) {
            by_name
                .entry(p.name.as_str())
                .or_default()
                .entry(t)
                .or_default()
                .push(p);
        }
    }
    for (name, types) in by_name {
        if types.len() < 2 {
            continue;
        }
        // Report the rarer type's places against the most common type.
        let (common, common_places) = types
            .iter()
            .max_by_key(|(_, places)| places.len())
            .expect("two types");
        for (t, places) in &types {
            if t == common {
                continue;
            }
            for p in places {
                let mut d = Diagnostic::warning(
                    "type-conflict",
                    location(spec, p.doc, &p.pointer),
                    format!(
                        "`{name}` is {} here but {} in {} other place(s)",
                        article(t),
                        article(common),
                        common_places.len()
                    ),
                );
                d.related.extend(
                    common_places
                        .iter()
                        .take(3)
                        .map(|c| location(spec, c.doc, &c.pointer)),
                );
                out.0.push(d);
            }
        }
    }
}

fn article(t: &str) -> String {
    match t {
        "object" | "array" | "integer" => format!("an {t}"),
        other => format!("a {other}"),
    }
}

/// A property named like an identifier (`customerId`) that holds an object.
fn id_holding_objects(spec: &Spec, props: &[Property<'_>], out: &mut Diagnostics) {
    for p in props {
        let looks_like_id = p.name.ends_with("Id") || p.name.ends_with("_id") || p.name == "id";
        if looks_like_id && json_type(p.schema) == Some("object") {
            out.0.push(Diagnostic::warning(
                "id-holds-object",
                location(spec, p.doc, &p.pointer),
                format!(
                    "`{}` is named like an identifier but holds an object",
                    p.name
                ),
            ));
        }
    }
}

fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in name.chars() {
        if c.is_uppercase() || out.is_empty() || c == '_' {
            out.push(String::new());
        }
        if c != '_' {
            out.last_mut().expect("pushed").push(c.to_ascii_lowercase());
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

/// Identifier names that differ by one word inserted in the middle (`externalDisbursementId`
/// beside `externalDisbursementIntentId`): one concept named two ways.
fn id_naming_drift(spec: &Spec, props: &[Property<'_>], out: &mut Diagnostics) {
    let mut first_place: BTreeMap<&str, &Property<'_>> = BTreeMap::new();
    for p in props {
        if p.name.ends_with("Id") || p.name.ends_with("_id") {
            first_place.entry(p.name.as_str()).or_insert(p);
        }
    }
    for (short, sp) in &first_place {
        let ws = words(short);
        for (long, lp) in &first_place {
            let wl = words(long);
            if wl.len() != ws.len() + 1 {
                continue;
            }
            // The extra word must sit strictly inside: same first word and same last word.
            let inserted = (1..wl.len() - 1).find(|&i| {
                let mut without = wl.clone();
                without.remove(i);
                without == ws
            });
            let Some(i) = inserted else { continue };
            let mut d = Diagnostic::warning(
                "id-naming-drift",
                location(spec, sp.doc, &sp.pointer),
                format!(
                    "`{short}` and `{long}` differ only by `{}`; if they name the same identifier, one name is drift",
                    wl[i]
                ),
            );
            d.related.push(location(spec, lp.doc, &lp.pointer));
            out.0.push(d);
        }
    }
}

/// Component schemas nothing refers to.
fn unused_components(spec: &Spec, out: &mut Diagnostics) {
    let Some(Value::Object(schemas)) = spec.root().value.pointer("/components/schemas") else {
        return;
    };
    let mut used = BTreeSet::new();
    for (doc, d) in spec.documents() {
        walk_refs(&d.value, &mut String::new(), false, &mut |reference, _| {
            if let Ok(node) = spec.resolve(doc, reference)
                && node.doc == DocId(0)
            {
                used.insert(node.pointer.clone());
            }
            // A chain `A -> B` marks A used too: record the literal local target as well.
            if let Some(local) = reference.strip_prefix('#')
                && doc == DocId(0)
            {
                used.insert(local.to_string());
            }
        });
    }
    for name in schemas.keys() {
        let pointer = format!("/components/schemas/{}", escape(name));
        let referenced = used
            .iter()
            .any(|u| u == &pointer || u.starts_with(&format!("{pointer}/")));
        if !referenced {
            out.0.push(Diagnostic::warning(
                "unused-component",
                location(spec, DocId(0), &pointer),
                format!("schema `{name}` is never referenced"),
            ));
        }
    }
}

fn missing_operation_ids(spec: &Spec, out: &mut Diagnostics) {
    let Some(Value::Object(paths)) = spec.root().value.get("paths") else {
        return;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for method in Method::ALL.map(Method::key) {
            let Some(op) = item.get(method) else { continue };
            if op.get("$ref").is_none() && op.get("operationId").is_none() {
                let pointer = format!("/paths/{}/{method}", escape(path));
                out.0.push(Diagnostic::warning(
                    "missing-operation-id",
                    location(spec, DocId(0), &pointer),
                    format!("{} {path} has no operationId; generated method names will be derived from the path", method.to_uppercase()),
                ));
            }
        }
    }
}
