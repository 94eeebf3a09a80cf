//! Checks that need more than one interaction, or the request's credentials: a deleted resource
//! still served, a created one not retrievable, and credentials missing yet answered 2xx. They
//! run on recorded traffic (`verify`) and on what the contract engine sends, the same code.

use std::collections::HashMap;

use serde_json::Value;

use crate::report::{Finding, Kind};
use crate::spec::{Model, Operation};
use crate::traffic::Interaction;
use generator::ir::{Method, SecurityScheme};

/// Findings of every sequence check over `traffic` (in order).
pub fn check(model: &Model, traffic: &[Interaction]) -> Vec<Finding> {
    let mut sequences = Sequences::default();
    let mut out = Vec::new();
    for (i, interaction) in traffic.iter().enumerate() {
        let op = model.find(&interaction.method, &interaction.path());
        sequences.observe(model, i, interaction, op, None, &mut out);
    }
    out
}

/// How many deletions and creations a [`Sequences`] remembers: the oldest is forgotten first,
/// so its memory stays bounded on a capture of any size.
pub const REMEMBERED: usize = 65_536;

/// The sequence checks as one pass over traffic in order, remembering only what a later
/// interaction can still show wrong: successful deletions of an item not yet read again, and
/// created resources not yet read. The contract engine and `verify` (over a stream of any
/// length) feed it alike.
#[derive(Debug, Default)]
pub struct Sequences {
    /// Deleted items by path, awaiting their next read.
    deleted: Window<String, Deleted>,
    /// The last successful DELETE of each path (its interaction index).
    last_delete: Window<String, usize>,
    /// Created resources awaiting a read, by interaction index.
    created: Window<usize, Created>,
    /// Which created resources each returned identifier names.
    by_value: HashMap<String, std::collections::VecDeque<usize>>,
}

#[derive(Debug)]
struct Deleted {
    label: String,
    method: String,
    url: String,
    status: u16,
}

#[derive(Debug)]
struct Created {
    label: String,
    call: String,
    values: Vec<String>,
}

impl Sequences {
    /// Judges `interaction` (the `index`th, calling `op`) against what came before it, and
    /// remembers what a later interaction may need. `body` is its response body, when the
    /// caller has parsed it already.
    pub fn observe(
        &mut self,
        model: &Model,
        index: usize,
        interaction: &Interaction,
        op: Option<&Operation>,
        body: Option<&Value>,
        out: &mut Vec<Finding>,
    ) {
        let ok = (200..300).contains(&interaction.status);
        if interaction.method == "DELETE" && ok {
            self.last_delete
                .insert(interaction.path().into_owned(), index);
        }
        let Some(op) = op else { return };
        if ok && !op.requirements.is_empty() && !has_credentials(model, op, interaction) {
            out.push(
                Finding::new(Kind::IgnoredAuth, &op.label())
                    .with_interaction(index, interaction)
                    .expected(format!("401 or 403 without the credentials of {}", requirement_text(op)))
                    .observed(interaction.status.to_string())
                    .message(format!("the server answered {} to a request without the credentials the operation requires ({})", interaction.status, requirement_text(op))),
            );
        }
        let path = interaction.path();
        self.use_after_delete(index, interaction, op, &path, out);
        self.created_not_retrievable(index, interaction, op, &path, body, out);
    }

    fn use_after_delete(
        &mut self,
        index: usize,
        interaction: &Interaction,
        op: &Operation,
        path: &str,
        out: &mut Vec<Finding>,
    ) {
        let ok = (200..300).contains(&interaction.status);
        if let Some(deleted) = self.deleted.get(path) {
            // The next read of the deleted path tells; anything else that succeeds (a PUT, a
            // POST) may have recreated it.
            if interaction.method == "GET" {
                if ok {
                    out.push(
                        Finding::new(Kind::UseAfterDelete, &op.label())
                            .with_interaction(index, interaction)
                            .expected(format!("404 or 410 after {} deleted it", deleted.label))
                            .observed(interaction.status.to_string())
                            .related(format!("deleted by {} {}", deleted.method, deleted.url))
                            .message(format!(
                                "{path} was deleted ({} answered {}), yet a later GET answered {}",
                                deleted.label, deleted.status, interaction.status
                            )),
                    );
                }
                self.deleted.remove(path);
            } else if ok && interaction.method != "DELETE" {
                self.deleted.remove(path);
            }
        }
        if interaction.method == "DELETE" && ok {
            // Only an item (a path with a parameter): deleting by body on a collection path
            // leaves the collection readable.
            if op.method == Method::Delete && op.path.contains('{') {
                self.deleted.insert(
                    path.to_string(),
                    Deleted {
                        label: op.label(),
                        method: interaction.method.clone(),
                        url: interaction.url.clone(),
                        status: interaction.status,
                    },
                );
            }
        }
    }

    fn created_not_retrievable(
        &mut self,
        index: usize,
        interaction: &Interaction,
        op: &Operation,
        path: &str,
        body: Option<&Value>,
        out: &mut Vec<Finding>,
    ) {
        if interaction.method == "GET" && interaction.status == 404 && op.path.contains('{') {
            // The first read answered 404 that names a created resource settles it.
            let mut named: Vec<usize> = path
                .split('/')
                .filter(|s| s.len() >= 3)
                .filter_map(|s| self.by_value.get(s))
                .flatten()
                .copied()
                .collect();
            named.sort_unstable();
            named.dedup();
            let mut settled: Vec<usize> = Vec::new();
            for created_at in named {
                let Some(created) = self.created.get(&created_at) else {
                    continue;
                };
                settled.push(created_at);
                // Deleted in between: a 404 is what it should answer.
                if self.last_delete.get(path).is_some_and(|d| *d > created_at) {
                    continue;
                }
                let value = created
                    .values
                    .iter()
                    .find(|v| path.split('/').any(|s| s == v.as_str()))
                    .cloned()
                    .unwrap_or_default();
                out.push(
                    Finding::new(Kind::CreatedNotRetrievable, &op.label())
                        .with_interaction(index, interaction)
                        .expected(format!("the resource {} created", created.label))
                        .observed("404".to_string())
                        .related(format!("created by {}", created.call))
                        .message(format!(
                            "{} returned `{value}`, but {} answered 404 for it",
                            created.label,
                            op.label()
                        )),
                );
            }
            for created_at in settled {
                self.forget_created(created_at);
            }
        }
        if op.method == Method::Post && (200..300).contains(&interaction.status) {
            let parsed;
            let body = match body {
                Some(body) => body,
                None => match serde_json::from_str::<Value>(&interaction.response_body) {
                    Ok(value) => {
                        parsed = value;
                        &parsed
                    }
                    Err(_) => return,
                },
            };
            let mut values = Vec::new();
            identifiers(body, 0, &mut values);
            if let Some(location) = interaction.response_header("location") {
                values.push(location.rsplit('/').next().unwrap_or("").to_string());
            }
            values.retain(|v| v.len() >= 3);
            values.sort();
            values.dedup();
            if values.is_empty() {
                return;
            }
            for value in &values {
                self.by_value
                    .entry(value.clone())
                    .or_default()
                    .push_back(index);
            }
            let created = Created {
                label: op.label(),
                call: format!(
                    "{} {} ({})",
                    interaction.method, interaction.url, interaction.status
                ),
                values,
            };
            if let Some((evicted, forgotten)) = self.created.insert(index, created) {
                self.unindex(evicted, &forgotten.values);
            }
        }
    }

    /// Drops a created resource (settled) from what is remembered.
    fn forget_created(&mut self, created_at: usize) {
        if let Some(created) = self.created.remove(&created_at) {
            self.unindex(created_at, &created.values);
        }
    }

    fn unindex(&mut self, created_at: usize, values: &[String]) {
        for value in values {
            if let Some(list) = self.by_value.get_mut(value) {
                // The oldest goes first: evicted, or settled in order.
                if list.front() == Some(&created_at) {
                    list.pop_front();
                } else {
                    list.retain(|i| *i != created_at);
                }
                if list.is_empty() {
                    self.by_value.remove(value);
                }
            }
        }
    }
}

/// A map that keeps its [`REMEMBERED`] most recent insertions.
#[derive(Debug)]
struct Window<K, V> {
    map: HashMap<K, (u64, V)>,
    order: std::collections::VecDeque<(u64, K)>,
    next: u64,
}

impl<K, V> Default for Window<K, V> {
    fn default() -> Self {
        Window {
            map: HashMap::new(),
            order: std::collections::VecDeque::new(),
            next: 0,
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, V> Window<K, V> {
    fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.map.get(key).map(|(_, v)| v)
    }

    fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.map.remove(key).map(|(_, v)| v)
    }

    /// Inserts `value`; returns the entry forgotten to make room, if one was.
    fn insert(&mut self, key: K, value: V) -> Option<(K, V)> {
        let stamp = self.next;
        self.next += 1;
        self.map.insert(key.clone(), (stamp, value));
        self.order.push_back((stamp, key));
        let mut evicted = None;
        while self.map.len() > REMEMBERED || self.order.len() > 2 * REMEMBERED {
            let Some((stamp, key)) = self.order.pop_front() else {
                break;
            };
            // Only the entry this stamp inserted: a later insert of the same key stays.
            if self.map.get(&key).is_some_and(|(s, _)| *s == stamp) {
                let (_, value) = self.map.remove(&key).expect("present");
                evicted = Some((key, value));
            }
        }
        evicted
    }
}

/// The operation's security requirements as text: `a + b or c`.
pub(crate) fn requirement_text(op: &Operation) -> String {
    op.requirements
        .iter()
        .map(|r| r.join(" + "))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Whether `interaction` carries what one of the operation's security requirements needs.
pub fn has_credentials(model: &Model, op: &Operation, interaction: &Interaction) -> bool {
    let query = std::cell::OnceCell::new();
    let query = || query.get_or_init(|| interaction.query());
    let cookies = interaction.request_header("cookie").unwrap_or("");
    op.requirements.iter().any(|requirement| {
        requirement
            .iter()
            .all(|scheme| match model.api.security_schemes.get(scheme) {
                Some(SecurityScheme::Bearer | SecurityScheme::Basic | SecurityScheme::OAuth2) => {
                    interaction
                        .request_header("authorization")
                        .is_some_and(|v| !v.trim().is_empty())
                }
                Some(SecurityScheme::ApiKey { name, location }) => match location.as_str() {
                    "query" => query().iter().any(|(q, _)| q == name),
                    "cookie" => cookies
                        .split(';')
                        .any(|c| c.trim().split('=').next() == Some(name.as_str())),
                    _ => interaction.request_header(name).is_some(),
                },
                // A scheme the model does not know cannot be judged: count it as met.
                None => true,
            })
    })
}

/// Values under identifier-like keys (`id`, `customerId`, `order_id`), a few levels deep.
fn identifiers(value: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > 3 {
        return;
    }
    if let Value::Object(map) = value {
        for (k, v) in map {
            match v {
                Value::String(s) if crate::engine::graph::identifier_like(k) => out.push(s.clone()),
                Value::Number(n) if crate::engine::graph::identifier_like(k) => {
                    out.push(n.to_string())
                }
                Value::Object(_) => identifiers(v, depth + 1, out),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A window forgets its oldest entries past [`REMEMBERED`], and a key inserted again
    /// outlives the stamp of its first insertion.
    #[test]
    fn a_window_keeps_only_the_most_recent() {
        let mut window: Window<usize, usize> = Window::default();
        window.insert(0, 0);
        let mut forgotten = Vec::new();
        for k in 1..=REMEMBERED + 10 {
            forgotten.extend(window.insert(k, k).map(|(key, _)| key));
            if k == 5 {
                window.insert(0, 0);
            }
        }
        assert_eq!(window.map.len(), REMEMBERED);
        assert_eq!(window.get(&(REMEMBERED + 10)), Some(&(REMEMBERED + 10)));
        assert_eq!(window.get(&1), None);
        assert!(
            forgotten.starts_with(&[1, 2, 3, 4, 5]),
            "{:?}",
            &forgotten[..6]
        );
        assert!(
            forgotten.contains(&0),
            "the re-inserted key is forgotten later, once"
        );
    }
}
