//! What changed between two releases of a spec: wire-level changes classed for a client
//! (breaking, possibly breaking, non-breaking, after oasdiff's rule set), the changes in the
//! generated Rust API, and the semver bump the generated crate needs.
//!
//! Both specs are lowered to [`ir::Api`] first, so `$ref` layout, key order and file splits are
//! not changes; operations match by method and path, types by their generated name, fields by
//! wire name.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::ir::{Api, Media, Operation, ParamLocation, Shape, TypeId, TypeKind};

/// How a change affects an existing client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Existing clients break.
    Breaking,
    /// Clients that assumed a closed set or a fixed status list may break.
    Warning,
    /// Safe for existing clients.
    NonBreaking,
}

/// One wire-level change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// How it affects existing clients.
    pub level: Level,
    /// Stable rule name, such as `response-property-removed`.
    pub rule: &'static str,
    /// Where: `GET /pets` or `schema Pet`.
    pub at: String,
    /// What changed.
    pub message: String,
}

/// One change in the generated Rust API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RustChange {
    /// `added`, `removed` or `changed`.
    pub kind: &'static str,
    /// The item, as `struct Pet`, `Pet.name: String`, `enum PetKind::Cat`, `fn list_pets(…)`.
    pub item: String,
    /// The old signature, for `changed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was: Option<String>,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// Wire-level changes, operations first.
    pub changes: Vec<Change>,
    /// Changes in the generated Rust API.
    pub rust: Vec<RustChange>,
    /// `major`, `minor` or `patch` for the generated crate (at 0.x, cargo reads major as minor).
    pub semver: &'static str,
}

impl Diff {
    /// True when a change breaks existing clients.
    pub fn breaking(&self) -> bool {
        self.changes.iter().any(|c| c.level == Level::Breaking)
    }
}

/// Compares `old` with `new`.
pub fn diff(old: &Api, new: &Api) -> Diff {
    let mut changes = Vec::new();
    let old_dirs = directions(old);
    let new_dirs = directions(new);
    let key = |o: &Operation| format!("{} {}", o.method, o.path);
    let old_ops: BTreeMap<String, &Operation> =
        old.operations.iter().map(|o| (key(o), o)).collect();
    let new_ops: BTreeMap<String, &Operation> =
        new.operations.iter().map(|o| (key(o), o)).collect();
    for (k, o) in &old_ops {
        match new_ops.get(k) {
            None => changes.push(change(
                Level::Breaking,
                "operation-removed",
                k,
                format!("`{}` was removed", o.name.wire),
            )),
            Some(n) => operation(old, new, o, n, k, &mut changes),
        }
    }
    for (k, n) in &new_ops {
        if !old_ops.contains_key(k) {
            changes.push(change(
                Level::NonBreaking,
                "operation-added",
                k,
                format!("`{}` was added", n.name.wire),
            ));
        }
    }
    // Types, by generated name.
    let old_types: BTreeMap<&str, TypeId> = old
        .types
        .iter()
        .map(|(id, t)| (t.name.rust.as_str(), *id))
        .collect();
    let new_types: BTreeMap<&str, TypeId> = new
        .types
        .iter()
        .map(|(id, t)| (t.name.rust.as_str(), *id))
        .collect();
    for (name, old_id) in &old_types {
        let Some(new_id) = new_types.get(name) else {
            continue;
        };
        let dir = old_dirs
            .get(old_id)
            .copied()
            .unwrap_or_default()
            .union(new_dirs.get(new_id).copied().unwrap_or_default());
        schema(old, new, *old_id, *new_id, dir, &mut changes);
    }
    let old_servers: BTreeSet<&str> = old.servers.iter().map(|s| s.url.as_str()).collect();
    let new_servers: BTreeSet<&str> = new.servers.iter().map(|s| s.url.as_str()).collect();
    for s in old_servers.difference(&new_servers) {
        changes.push(change(
            Level::Breaking,
            "server-removed",
            "servers",
            format!("server `{s}` was removed"),
        ));
    }
    for s in new_servers.difference(&old_servers) {
        changes.push(change(
            Level::NonBreaking,
            "server-added",
            "servers",
            format!("server `{s}` was added"),
        ));
    }
    // The two surfaces are emitted and parsed side by side.
    let (old_surface, new_surface) = std::thread::scope(|scope| {
        let old_surface = scope.spawn(|| surface(old));
        let new_surface = surface(new);
        let old_surface = old_surface
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (old_surface, new_surface)
    });
    let rust = rust_changes(&old_surface, &new_surface);
    // Adding a type or a function is compatible; adding a field, a variant or a trait method
    // breaks struct literals, exhaustive matches and implementors; any removal or change breaks.
    // A field, variant or method of an item added with it is part of that addition.
    let added: BTreeSet<&str> = rust
        .iter()
        .filter(|c| c.kind == "added")
        .filter_map(|c| c.item.split_once(' ').map(|(_, name)| name))
        .collect();
    let additive = |item: &str| {
        ["struct ", "enum ", "type ", "trait ", "fn "]
            .iter()
            .any(|p| item.starts_with(p))
            || item
                .split(['.', ':'])
                .next()
                .is_some_and(|owner| added.contains(owner))
    };
    let semver = if rust.iter().any(|c| c.kind != "added" || !additive(&c.item)) {
        "major"
    } else if rust.is_empty() {
        "patch"
    } else {
        "minor"
    };
    Diff {
        changes,
        rust,
        semver,
    }
}

fn change(level: Level, rule: &'static str, at: &str, message: String) -> Change {
    Change {
        level,
        rule,
        at: at.to_string(),
        message,
    }
}

/// Which way values of a type travel: in requests, in responses, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Dir {
    request: bool,
    response: bool,
}

impl Dir {
    fn union(self, other: Dir) -> Dir {
        Dir {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }
}

fn directions(api: &Api) -> BTreeMap<TypeId, Dir> {
    let requests = api.reachable(api.operations.iter().flat_map(|op| {
        op.parameters.iter().map(|p| &p.shape).chain(
            op.body
                .iter()
                .flat_map(|b| b.content.iter().map(|Media { shape: s, .. }| s)),
        )
    }));
    let responses = api.reachable(
        api.operations
            .iter()
            .flat_map(|op| &op.responses)
            .flat_map(|r| r.content.iter().map(|Media { shape, .. }| shape)),
    );
    requests
        .union(&responses)
        .map(|id| {
            let dir = Dir {
                request: requests.contains(id),
                response: responses.contains(id),
            };
            (*id, dir)
        })
        .collect()
}

/// A shape as text, named types by their generated name (comparable across the two specs).
fn shape_text(api: &Api, shape: &Shape) -> String {
    match shape {
        Shape::Named(id) => match &api.ty(*id).kind {
            // An alias is its target: `Pets` and `Vec<Pet>` are the same wire shape.
            TypeKind::Alias(inner) => shape_text(api, inner),
            _ => api.ty(*id).name.rust.clone(),
        },
        Shape::String => "String".into(),
        Shape::DateTime => "DateTime".into(),
        Shape::Date => "Date".into(),
        Shape::Decimal => "Decimal".into(),
        Shape::Integer(t) | Shape::Number(t) => (*t).into(),
        Shape::Boolean => "bool".into(),
        Shape::Array(inner) => format!("Vec<{}>", shape_text(api, inner)),
        Shape::Map(inner) => format!("Map<String, {}>", shape_text(api, inner)),
        Shape::Any => "Value".into(),
        Shape::Null => "()".into(),
        Shape::Nullable(inner) => format!("Option<{}>", shape_text(api, inner)),
    }
}

fn location_name(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn operation(
    old: &Api,
    new: &Api,
    o: &Operation,
    n: &Operation,
    at: &str,
    changes: &mut Vec<Change>,
) {
    if o.name.wire != n.name.wire {
        changes.push(change(
            Level::NonBreaking,
            "operation-id-changed",
            at,
            format!(
                "operationId `{}` became `{}` (the generated method is renamed)",
                o.name.wire, n.name.wire
            ),
        ));
    }
    for p in &o.parameters {
        match n
            .parameters
            .iter()
            .find(|q| q.location == p.location && q.name.wire == p.name.wire)
        {
            None => changes.push(change(
                Level::Warning,
                "request-parameter-removed",
                at,
                format!(
                    "{} parameter `{}` was removed",
                    location_name(p.location),
                    p.name.wire
                ),
            )),
            Some(q) => {
                if !p.required && q.required {
                    changes.push(change(
                        Level::Breaking,
                        "request-parameter-became-required",
                        at,
                        format!(
                            "{} parameter `{}` became required",
                            location_name(p.location),
                            p.name.wire
                        ),
                    ));
                }
                if p.required && !q.required {
                    changes.push(change(
                        Level::NonBreaking,
                        "request-parameter-became-optional",
                        at,
                        format!(
                            "{} parameter `{}` became optional",
                            location_name(p.location),
                            p.name.wire
                        ),
                    ));
                }
                let (a, b) = (shape_text(old, &p.shape), shape_text(new, &q.shape));
                if a != b {
                    changes.push(change(
                        Level::Breaking,
                        "request-parameter-type-changed",
                        at,
                        format!(
                            "{} parameter `{}` changed from {a} to {b}",
                            location_name(p.location),
                            p.name.wire
                        ),
                    ));
                }
            }
        }
    }
    for q in &n.parameters {
        if !o
            .parameters
            .iter()
            .any(|p| p.location == q.location && p.name.wire == q.name.wire)
        {
            let (level, rule) = if q.required {
                (Level::Breaking, "new-required-request-parameter")
            } else {
                (Level::NonBreaking, "new-optional-request-parameter")
            };
            changes.push(change(
                level,
                rule,
                at,
                format!(
                    "{} parameter `{}` was added{}",
                    location_name(q.location),
                    q.name.wire,
                    if q.required { " as required" } else { "" }
                ),
            ));
        }
    }
    match (&o.body, &n.body) {
        (None, Some(b)) if b.required => changes.push(change(
            Level::Breaking,
            "request-body-added-required",
            at,
            "a required request body was added".into(),
        )),
        (Some(a), Some(b)) if !a.required && b.required => changes.push(change(
            Level::Breaking,
            "request-body-became-required",
            at,
            "the request body became required".into(),
        )),
        (Some(_), None) => changes.push(change(
            Level::Warning,
            "request-body-removed",
            at,
            "the request body was removed".into(),
        )),
        (Some(a), Some(b)) => {
            for Media {
                media_type: media,
                shape,
                ..
            } in &a.content
            {
                match b
                    .content
                    .iter()
                    .find(|Media { media_type: m, .. }| m == media)
                {
                    None => changes.push(change(
                        Level::Breaking,
                        "request-media-type-removed",
                        at,
                        format!("request body media type `{media}` was removed"),
                    )),
                    Some(Media { shape: s, .. })
                        if shape_text(old, shape) != shape_text(new, s) =>
                    {
                        changes.push(change(
                            Level::Breaking,
                            "request-body-type-changed",
                            at,
                            format!(
                                "the `{media}` request body changed from {} to {}",
                                shape_text(old, shape),
                                shape_text(new, s)
                            ),
                        ))
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    for r in &o.responses {
        match n.responses.iter().find(|s| s.status == r.status) {
            None if r.status.starts_with('2') => changes.push(change(
                Level::Breaking,
                "response-success-status-removed",
                at,
                format!("success status {} was removed", r.status),
            )),
            None => changes.push(change(
                Level::NonBreaking,
                "response-non-success-status-removed",
                at,
                format!("status {} was removed", r.status),
            )),
            Some(s) => {
                for Media {
                    media_type: media,
                    shape,
                    ..
                } in &r.content
                {
                    match s
                        .content
                        .iter()
                        .find(|Media { media_type: m, .. }| m == media)
                    {
                        None => changes.push(change(
                            Level::Breaking,
                            "response-media-type-removed",
                            at,
                            format!("status {} no longer returns `{media}`", r.status),
                        )),
                        Some(Media { shape: t, .. })
                            if shape_text(old, shape) != shape_text(new, t) =>
                        {
                            changes.push(change(
                                Level::Breaking,
                                "response-body-type-changed",
                                at,
                                format!(
                                    "status {} `{media}` body changed from {} to {}",
                                    r.status,
                                    shape_text(old, shape),
                                    shape_text(new, t)
                                ),
                            ))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    for s in &n.responses {
        if !o.responses.iter().any(|r| r.status == s.status) {
            let level = if s.status.starts_with('2') {
                Level::Warning
            } else {
                Level::NonBreaking
            };
            changes.push(change(
                level,
                if s.status.starts_with('2') {
                    "response-success-status-added"
                } else {
                    "response-non-success-status-added"
                },
                at,
                format!("status {} was added", s.status),
            ));
        }
    }
    let (a, b): (BTreeSet<&String>, BTreeSet<&String>) =
        (o.security.iter().collect(), n.security.iter().collect());
    if a != b {
        let level = if a.is_empty() || !b.is_superset(&a) && !b.is_empty() {
            Level::Breaking
        } else {
            Level::NonBreaking
        };
        changes.push(change(
            level,
            "security-changed",
            at,
            format!("accepted security schemes changed from {a:?} to {b:?}"),
        ));
    }
}

fn schema(old: &Api, new: &Api, o: TypeId, n: TypeId, dir: Dir, changes: &mut Vec<Change>) {
    let (ot, nt) = (old.ty(o), new.ty(n));
    let at = format!("schema {}", ot.name.wire);
    match (&ot.kind, &nt.kind) {
        (TypeKind::Struct { fields: a, .. }, TypeKind::Struct { fields: b, .. }) => {
            for f in a {
                match b.iter().find(|g| g.name.wire == f.name.wire) {
                    None if dir.response => changes.push(change(
                        Level::Breaking,
                        "response-property-removed",
                        &at,
                        format!("property `{}` was removed", f.name.wire),
                    )),
                    None => changes.push(change(
                        Level::Warning,
                        "request-property-removed",
                        &at,
                        format!("property `{}` was removed", f.name.wire),
                    )),
                    Some(g) => {
                        if f.required && !g.required && dir.response {
                            changes.push(change(
                                Level::Breaking,
                                "response-property-became-optional",
                                &at,
                                format!(
                                    "property `{}` is no longer required in responses",
                                    f.name.wire
                                ),
                            ));
                        }
                        if !f.required && g.required && dir.request {
                            changes.push(change(
                                Level::Breaking,
                                "request-property-became-required",
                                &at,
                                format!("property `{}` became required in requests", f.name.wire),
                            ));
                        }
                        if !f.nullable && g.nullable && dir.response {
                            changes.push(change(
                                Level::Breaking,
                                "response-property-became-nullable",
                                &at,
                                format!("property `{}` may now be null", f.name.wire),
                            ));
                        }
                        let (x, y) = (shape_text(old, &f.shape), shape_text(new, &g.shape));
                        if x != y {
                            changes.push(change(
                                Level::Breaking,
                                "property-type-changed",
                                &at,
                                format!("property `{}` changed from {x} to {y}", f.name.wire),
                            ));
                        }
                    }
                }
            }
            for g in b {
                if !a.iter().any(|f| f.name.wire == g.name.wire) {
                    let (level, rule) = if g.required && dir.request {
                        (Level::Breaking, "new-required-request-property")
                    } else {
                        (Level::NonBreaking, "property-added")
                    };
                    changes.push(change(
                        level,
                        rule,
                        &at,
                        format!(
                            "property `{}` was added{}",
                            g.name.wire,
                            if g.required { " as required" } else { "" }
                        ),
                    ));
                }
            }
        }
        (TypeKind::Enum { variants: a, .. }, TypeKind::Enum { variants: b, .. }) => {
            let x: BTreeSet<String> = a.iter().map(|v| v.wire.to_string()).collect();
            let y: BTreeSet<String> = b.iter().map(|v| v.wire.to_string()).collect();
            for v in x.difference(&y) {
                let level = if dir.request {
                    Level::Breaking
                } else {
                    Level::NonBreaking
                };
                changes.push(change(
                    level,
                    "enum-value-removed",
                    &at,
                    format!("value {v} was removed"),
                ));
            }
            for v in y.difference(&x) {
                // Generated enums keep unknown values, but clients with closed enums break.
                let level = if dir.response {
                    Level::Warning
                } else {
                    Level::NonBreaking
                };
                changes.push(change(
                    level,
                    "enum-value-added",
                    &at,
                    format!("value {v} was added"),
                ));
            }
        }
        (a, b) if std::mem::discriminant(a) != std::mem::discriminant(b) => {
            changes.push(change(
                Level::Breaking,
                "schema-kind-changed",
                &at,
                "the schema changed kind (object, enum, union or alias)".into(),
            ));
        }
        _ => {}
    }
}

/// The generated API as item → signature, read off what the emitters produce (models, the
/// client and the server trait), so it is the API a user compiles against: boxes,
/// `Option<Option<T>>`, argument order, the `_all` helpers, accessors and error enums included.
/// Items: `struct Pet`, `Pet.name` (a field, by its type), `enum Kind`, `Kind::Cat` (a variant,
/// by its payload), `type Pets`, `fn list_pets` (a client method, by its signature),
/// `fn Pet::tag` (an inherent method), `trait Api`, `Api::list_pets` (a trait method, which
/// implementors must provide).
fn surface(api: &Api) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    let mut models = proc_macro2::TokenStream::new();
    for (id, ty) in &api.types {
        let item = crate::emit::models::emit_type(api, *id, ty);
        models.extend(item.wrapped.map(|(_, declaration)| declaration));
        models.extend(item.tokens);
    }
    for tokens in [
        models,
        crate::emit::client::emit(api),
        crate::emit::server::surface(api),
    ] {
        // The emitters' output always parses (the generator's own tests hold it); an item
        // list that does not is left out rather than guessed.
        if let Ok(file) = syn::parse2::<syn::File>(tokens) {
            surface_of(&file.items, &mut items);
        }
    }
    items
}

fn surface_of(list: &[syn::Item], items: &mut BTreeMap<String, String>) {
    use syn::{Fields, ImplItem, Item, TraitItem, Visibility};
    let public = |v: &Visibility| matches!(v, Visibility::Public(_));
    for item in list {
        match item {
            Item::Struct(s) if public(&s.vis) => {
                let name = s.ident.to_string();
                items.insert(format!("struct {name}"), String::new());
                if let Fields::Named(fields) = &s.fields {
                    for f in fields.named.iter().filter(|f| public(&f.vis)) {
                        if let Some(field) = &f.ident {
                            items.insert(format!("{name}.{field}"), rust_text(&f.ty));
                        }
                    }
                }
            }
            Item::Enum(e) if public(&e.vis) => {
                let name = e.ident.to_string();
                items.insert(format!("enum {name}"), String::new());
                for v in &e.variants {
                    let payload: Vec<String> = v.fields.iter().map(|f| rust_text(&f.ty)).collect();
                    items.insert(format!("{name}::{}", v.ident), payload.join(", "));
                }
            }
            Item::Type(t) if public(&t.vis) => {
                items.insert(format!("type {}", t.ident), rust_text(&t.ty));
            }
            Item::Impl(i) if i.trait_.is_none() => {
                let owner = rust_text(&i.self_ty);
                if owner.contains('<') {
                    continue;
                }
                for f in &i.items {
                    let ImplItem::Fn(f) = f else { continue };
                    if !public(&f.vis) {
                        continue;
                    }
                    let label = if owner == "Client" {
                        format!("fn {}", f.sig.ident)
                    } else {
                        format!("fn {owner}::{}", f.sig.ident)
                    };
                    items.insert(label, signature(&f.sig));
                }
            }
            Item::Trait(t) if public(&t.vis) => {
                let name = t.ident.to_string();
                items.insert(format!("trait {name}"), String::new());
                for f in &t.items {
                    if let TraitItem::Fn(f) = f {
                        let provided = if f.default.is_some() {
                            " (provided)"
                        } else {
                            ""
                        };
                        items.insert(
                            format!("{name}::{}", f.sig.ident),
                            format!("{}{provided}", signature(&f.sig)),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// `(a: T, b: U) -> R`, the receiver left out.
fn signature(sig: &syn::Signature) -> String {
    let args: Vec<String> = sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(arg) => {
                let name = quote::ToTokens::to_token_stream(&arg.pat).to_string();
                Some(format!("{}: {}", name.replace(' ', ""), rust_text(&arg.ty)))
            }
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let output = match &sig.output {
        syn::ReturnType::Default => String::new(),
        syn::ReturnType::Type(_, ty) => format!(" -> {}", rust_text(ty)),
    };
    format!("({}){output}", args.join(", "))
}

/// A type as a reader writes it (`Option<Box<Pet>>`, not `Option < Box < super :: models ::
/// Pet > >`), formatted by prettyplease, with the paths to the generated crate's own modules
/// and to std left out.
fn rust_text(ty: &syn::Type) -> String {
    let file: syn::File = syn::parse_quote!(type T = #ty;);
    let text = prettyplease::unparse(&file);
    let mut out = text
        .trim()
        .trim_start_matches("type T =")
        .trim_end_matches(';')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("< ", "<")
        .replace(" >", ">");
    for prefix in [
        "super::models::",
        "super::support::",
        "super::",
        "models::",
        "support::",
        "::std::",
        "::core::",
    ] {
        out = out.replace(prefix, "");
    }
    out
}

fn rust_changes(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<RustChange> {
    let mut out = Vec::new();
    for (item, sig) in old {
        match new.get(item) {
            None => out.push(RustChange {
                kind: "removed",
                item: item.clone(),
                was: None,
            }),
            Some(s) if s != sig => out.push(RustChange {
                kind: "changed",
                item: format!("{item} {s}").trim().to_string(),
                was: Some(format!("{item} {sig}").trim().to_string()),
            }),
            _ => {}
        }
    }
    for item in new.keys() {
        if !old.contains_key(item) {
            out.push(RustChange {
                kind: "added",
                item: item.clone(),
                was: None,
            });
        }
    }
    out
}

impl Diff {
    /// The terminal rendering.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let count = |l: Level| self.changes.iter().filter(|c| c.level == l).count();
        let _ = writeln!(
            out,
            "{} change(s): {} breaking, {} possibly breaking, {} non-breaking",
            self.changes.len(),
            count(Level::Breaking),
            count(Level::Warning),
            count(Level::NonBreaking)
        );
        for c in &self.changes {
            let tag = match c.level {
                Level::Breaking => "breaking",
                Level::Warning => "warning",
                Level::NonBreaking => "ok",
            };
            let _ = writeln!(out, "  [{tag}] {} {}: {}", c.rule, c.at, c.message);
        }
        let _ = writeln!(
            out,
            "\ngenerated Rust API: {} change(s); the generated crate needs a {} version bump",
            self.rust.len(),
            self.semver
        );
        for r in &self.rust {
            match &r.was {
                Some(was) => {
                    let _ = writeln!(out, "  ~ {}  (was {was})", r.item);
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  {} {}",
                        if r.kind == "added" { "+" } else { "-" },
                        r.item
                    );
                }
            }
        }
        out
    }

    /// One self-contained HTML page (inline style, nothing fetched): the wire changes as a
    /// table, breaking ones first and marked, then the generated Rust API's changes and the bump.
    pub fn to_html(&self, old: &str, new: &str) -> String {
        fn esc(t: &str) -> String {
            t.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        }
        let mut out = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>API diff</title><style>\
             body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330}\
             table{border-collapse:collapse}td,th{border:1px solid #dde1e8;padding:4px 10px;text-align:left;vertical-align:top}\
             code{font-family:ui-monospace,monospace;font-size:12.5px}\
             .breaking{background:#fdecea}.warning{background:#fff6e0}\
             </style></head><body>\n",
        );
        let breaking = self
            .changes
            .iter()
            .filter(|c| c.level == Level::Breaking)
            .count();
        let _ = writeln!(
            out,
            "<h1>API changes</h1><p><code>{}</code> → <code>{}</code>: {} change(s), {breaking} breaking; the generated crate needs a {} bump.</p>",
            esc(old),
            esc(new),
            self.changes.len(),
            self.semver
        );
        if self.changes.is_empty() {
            out.push_str("<p>No wire-level changes.</p>\n");
        } else {
            out.push_str(
                "<table><tr><th>level</th><th>rule</th><th>where</th><th>change</th></tr>\n",
            );
            let mut ordered: Vec<&Change> = self.changes.iter().collect();
            ordered.sort_by_key(|c| match c.level {
                Level::Breaking => 0,
                Level::Warning => 1,
                Level::NonBreaking => 2,
            });
            for c in ordered {
                let (class, level) = match c.level {
                    Level::Breaking => ("breaking", "breaking"),
                    Level::Warning => ("warning", "warning"),
                    Level::NonBreaking => ("", "non-breaking"),
                };
                let _ = writeln!(
                    out,
                    "<tr class=\"{class}\"><td>{level}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                    c.rule,
                    esc(&c.at),
                    esc(&c.message)
                );
            }
            out.push_str("</table>\n");
        }
        let _ = writeln!(out, "<h2>Generated Rust API ({} bump)</h2>", self.semver);
        if self.rust.is_empty() {
            out.push_str("<p>No changes.</p>\n");
        } else {
            out.push_str("<ul>\n");
            for r in &self.rust {
                match &r.was {
                    Some(was) => {
                        let _ = writeln!(
                            out,
                            "<li>changed: <code>{}</code> (was <code>{}</code>)</li>",
                            esc(&r.item),
                            esc(was)
                        );
                    }
                    None => {
                        let _ = writeln!(out, "<li>{}: <code>{}</code></li>", r.kind, esc(&r.item));
                    }
                }
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</body></html>\n");
        out
    }

    /// Markdown, for a pull-request comment.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("## API changes\n\n");
        if self.changes.is_empty() {
            out.push_str("No wire-level changes.\n");
        } else {
            out.push_str("| level | rule | where | change |\n|---|---|---|---|\n");
            for c in &self.changes {
                let level = match c.level {
                    Level::Breaking => "**breaking**",
                    Level::Warning => "warning",
                    Level::NonBreaking => "non-breaking",
                };
                let _ = writeln!(
                    out,
                    "| {level} | `{}` | `{}` | {} |",
                    c.rule,
                    c.at,
                    c.message.replace('|', "\\|")
                );
            }
        }
        let _ = writeln!(out, "\n## Generated Rust API ({} bump)\n", self.semver);
        if self.rust.is_empty() {
            out.push_str("No changes.\n");
        }
        for r in &self.rust {
            match &r.was {
                Some(was) => {
                    let _ = writeln!(out, "- changed: `{}` (was `{was}`)", r.item);
                }
                None => {
                    let _ = writeln!(out, "- {}: `{}`", r.kind, r.item);
                }
            }
        }
        out
    }

    /// JSON: `{"breaking": bool, "semver": …, "changes": [{level, rule, at, message}], "rust": [{kind, item, was}]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&serde_json::json!({"breaking": self.breaking(), "semver": self.semver, "changes": self.changes, "rust": self.rust})).unwrap_or_default()
    }
}
