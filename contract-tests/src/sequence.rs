//! Checks that need more than one interaction, or the request's credentials: a deleted resource
//! still served, a created one not retrievable, and credentials missing yet answered 2xx. They
//! run on recorded traffic (`verify`) and on what the contract engine sends, the same code.

use std::collections::HashMap;

use serde_json::Value;

use crate::report::{Finding, Kind};
use crate::spec::{Model, Operation};
use crate::traffic::Interaction;
use generator::ir::SecurityScheme;

/// Findings of every sequence check over `traffic` (in order).
pub fn check(model: &Model, traffic: &[Interaction]) -> Vec<Finding> {
    let matched: Vec<Option<&Operation>> = traffic
        .iter()
        .map(|i| model.find(&i.method, &i.path()))
        .collect();
    check_matched(model, traffic, &matched)
}

/// [`check`], with each interaction's operation already found.
pub fn check_matched(
    model: &Model,
    traffic: &[Interaction],
    matched: &[Option<&Operation>],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, interaction) in traffic.iter().enumerate() {
        let Some(op) = matched[i] else { continue };
        if (200..300).contains(&interaction.status)
            && !op.requirements.is_empty()
            && !has_credentials(model, op, interaction)
        {
            out.push(
                Finding::new(Kind::IgnoredAuth, &op.label())
                    .with_interaction(i, interaction)
                    .expected(format!("401 or 403 without the credentials of {}", requirement_text(op)))
                    .observed(interaction.status.to_string())
                    .message(format!("the server answered {} to a request without the credentials the operation requires ({})", interaction.status, requirement_text(op))),
            );
        }
    }
    let paths = by_path(traffic);
    use_after_delete(traffic, matched, &paths, &mut out);
    created_not_retrievable(traffic, matched, &paths, &mut out);
    out
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
    let query = reqwest::Url::parse(&interaction.url)
        .ok()
        .map(|u| {
            u.query_pairs()
                .map(|(k, _)| k.into_owned())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
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
                    "query" => query.iter().any(|q| q == name),
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

/// Interaction indices by request path, in order, so each check looks only at the same path.
fn by_path(traffic: &[Interaction]) -> HashMap<String, Vec<usize>> {
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, t) in traffic.iter().enumerate() {
        out.entry(t.path()).or_default().push(i);
    }
    out
}

fn use_after_delete(
    traffic: &[Interaction],
    matched: &[Option<&Operation>],
    paths: &HashMap<String, Vec<usize>>,
    out: &mut Vec<Finding>,
) {
    for (i, deleted) in traffic.iter().enumerate() {
        let Some(op) = matched[i] else { continue };
        // Only an item (a path with a parameter): deleting by body on a collection path leaves
        // the collection readable.
        if op.method != "DELETE" || !op.path.contains('{') || !(200..300).contains(&deleted.status)
        {
            continue;
        }
        let path = deleted.path();
        // The next read of the same path that still answers 2xx (before anything recreates it).
        for &j in paths.get(&path).into_iter().flatten().filter(|j| **j > i) {
            let later = &traffic[j];
            if later.method != "GET" {
                if (200..300).contains(&later.status) && later.method != "DELETE" {
                    break;
                }
                continue;
            }
            if (200..300).contains(&later.status) {
                let read = matched[j].map_or_else(|| format!("GET {path}"), Operation::label);
                out.push(
                    Finding::new(Kind::UseAfterDelete, &read)
                        .with_interaction(j, later)
                        .expected(format!("404 or 410 after {} deleted it", op.label()))
                        .observed(later.status.to_string())
                        .related(format!("deleted by {} {}", deleted.method, deleted.url))
                        .message(format!(
                            "{path} was deleted ({} answered {}), yet a later GET answered {}",
                            op.label(),
                            deleted.status,
                            later.status
                        )),
                );
            }
            break;
        }
    }
}

fn created_not_retrievable(
    traffic: &[Interaction],
    matched: &[Option<&Operation>],
    paths: &HashMap<String, Vec<usize>>,
    out: &mut Vec<Finding>,
) {
    // Reads answered 404, by each segment of their path.
    let mut missing: HashMap<&str, Vec<usize>> = HashMap::new();
    let read_paths: Vec<String> = traffic
        .iter()
        .map(|t| {
            if t.method == "GET" && t.status == 404 {
                t.path()
            } else {
                String::new()
            }
        })
        .collect();
    for (j, path) in read_paths.iter().enumerate() {
        if path.is_empty() || !matched[j].is_some_and(|o| o.path.contains('{')) {
            continue;
        }
        for segment in path.split('/').filter(|s| s.len() >= 3) {
            missing.entry(segment).or_default().push(j);
        }
    }
    if missing.is_empty() {
        return;
    }
    for (i, created) in traffic.iter().enumerate() {
        let Some(op) = matched[i] else { continue };
        if op.method != "POST" || !(200..300).contains(&created.status) {
            continue;
        }
        let Ok(body) = serde_json::from_str::<Value>(&created.response_body) else {
            continue;
        };
        let mut values = Vec::new();
        identifiers(&body, 0, &mut values);
        if let Some(location) = created.response_header("location") {
            values.push(location.rsplit('/').next().unwrap_or("").to_string());
        }
        let first = values
            .iter()
            .filter_map(|v| {
                missing
                    .get(v.as_str())
                    .and_then(|js| js.iter().find(|j| **j > i))
                    .map(|j| (*j, v))
            })
            .min();
        let Some((j, value)) = first else { continue };
        let later = &traffic[j];
        // Deleted in between: a 404 is what it should answer.
        let deleted = paths.get(&read_paths[j]).into_iter().flatten().any(|k| {
            *k > i
                && *k < j
                && traffic[*k].method == "DELETE"
                && (200..300).contains(&traffic[*k].status)
        });
        if deleted {
            continue;
        }
        let read = matched[j].expect("indexed above");
        out.push(
            Finding::new(Kind::CreatedNotRetrievable, &read.label())
                .with_interaction(j, later)
                .expected(format!("the resource {} created", op.label()))
                .observed("404".to_string())
                .related(format!(
                    "created by {} {} ({})",
                    created.method, created.url, created.status
                ))
                .message(format!(
                    "{} returned `{value}`, but {} answered 404 for it",
                    op.label(),
                    read.label()
                )),
        );
    }
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
