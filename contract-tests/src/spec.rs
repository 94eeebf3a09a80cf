//! The spec as the checks and the contract engine see it: the generator's own lowered model
//! ([`generator::ir::Api`]: operations, parameters, bodies, responses, security, typed schemas,
//! and the router's path matcher), plus a JSON Schema validator for any schema in it (OpenAPI
//! 3.0's `nullable` and boolean exclusive bounds are translated to JSON Schema first; 3.1
//! schemas are JSON Schema already).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{OnceLock, RwLock};

use generator::ir::{self, Api, Origin};
use generator::load::{self, DocId, Spec};
use generator::{Diagnostics, Location};
use serde_json::Value;

pub use generator::ir::{Operation, Response as DocumentedResponse};

/// A loaded spec ready for checking traffic and driving a target.
pub struct Model {
    pub spec: Spec,
    /// The lowered model: the one index of operations every part of specdrift reads.
    pub api: Api,
    /// Path prefixes of the servers (`/v1` for `https://host/v1`), longest first, always ending with "".
    pub base_paths: Vec<String>,
    registry: Option<jsonschema::Registry<'static>>,
    /// A validator for each schema of the model (`api.schemas`), compiled on first use.
    schema_validators: Vec<OnceLock<Option<jsonschema::Validator>>>,
    /// Compiled validators by document and pointer; read without a copy of the key.
    validators: RwLock<HashMap<usize, HashMap<String, Option<Validator>>>>,
    /// Why schemas cannot be checked, when the registry could not be built.
    pub schema_problem: Option<String>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("operations", &self.api.operations.len())
            .finish_non_exhaustive()
    }
}

/// A compiled schema, shared by every check that needs it.
type Validator = std::sync::Arc<jsonschema::Validator>;

impl Model {
    /// The hosts (`host` or `host:port`, lower case) the spec's servers name, or `None` when
    /// any host may serve it (no servers, a relative server URL, a templated host).
    pub fn hosts(&self) -> Option<Vec<String>> {
        let mut hosts = Vec::new();
        for server in &self.api.servers {
            let host = host_of(&server.url);
            if !server.url.contains("://") || host.is_empty() || host.contains('{') {
                return None;
            }
            hosts.push(host);
        }
        (!hosts.is_empty()).then_some(hosts)
    }

    /// Loads and indexes `path`.
    pub fn load(path: &Path) -> Result<Model, Diagnostics> {
        let loaded = load::load(path)?;
        Ok(Model::new(loaded.spec))
    }

    /// Loads and indexes a spec given as text (`name` stands for its file in diagnostics).
    pub fn load_str(name: &Path, text: &str) -> Result<Model, Diagnostics> {
        let loaded = load::load_str(name, text)?;
        Ok(Model::new(loaded.spec))
    }

    /// Lowers and indexes a loaded spec.
    pub fn new(spec: Spec) -> Model {
        let (api, _) = ir::lower(&spec);
        let mut base_paths: Vec<String> = api
            .servers
            .iter()
            .map(|s| {
                let url = s.url.as_str();
                let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
                let path = if url.contains("://") {
                    without_scheme
                        .find('/')
                        .map_or("", |i| &without_scheme[i..])
                } else {
                    without_scheme
                };
                path.trim_end_matches('/').to_string()
            })
            .collect();
        if let Some(base) = spec.root().value.get("basePath").and_then(Value::as_str) {
            base_paths.push(base.trim_end_matches('/').to_string());
        }
        base_paths.push(String::new());
        base_paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
        base_paths.dedup();
        let (registry, schema_problem) = match registry(&spec) {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        let schema_validators = (0..api.schemas.len()).map(|_| OnceLock::new()).collect();
        Model {
            spec,
            api,
            base_paths,
            registry,
            schema_validators,
            validators: RwLock::default(),
            schema_problem,
        }
    }

    /// The operations, in the model's order.
    pub fn operations(&self) -> &[Operation] {
        &self.api.operations
    }

    /// The operation serving `method` and `path` (a request path, without query): the servers'
    /// base path stripped, then the router's matcher.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        self.find_with_params(method, path).map(|(op, _)| op)
    }

    /// [`Model::find`], with the path parameters' values.
    pub fn find_with_params(
        &self,
        method: &str,
        path: &str,
    ) -> Option<(&Operation, Vec<(String, String)>)> {
        self.base_paths
            .iter()
            .filter_map(|base| path.strip_prefix(base.as_str()))
            .find_map(|rest| self.api.find(method, rest))
    }

    /// A place in the spec, with its line.
    pub fn location(&self, at: &(DocId, String)) -> Location {
        self.spec.location(at.0, &at.1)
    }

    /// The schema at `at`, as written.
    pub fn schema(&self, at: &(DocId, String)) -> Option<&Value> {
        self.spec.get(at.0, &at.1)
    }

    /// The validator of one of the model's schemas (compiled once, then read without a lock);
    /// `None` when it cannot be compiled.
    pub fn validator_of(&self, id: ir::SchemaId) -> Option<&jsonschema::Validator> {
        let registry = self.registry.as_ref()?;
        self.schema_validators
            .get(id.0 as usize)?
            .get_or_init(|| {
                let origin = &self.api.schema(id).origin;
                jsonschema::options()
                    .with_registry(registry)
                    .should_validate_formats(true)
                    .build(&load::json_schema::reference(origin.doc, &origin.pointer))
                    .ok()
            })
            .as_ref()
    }

    /// A validator for the schema at `at` (cached); `None` when it cannot be compiled.
    pub fn validator(&self, at: &(DocId, String)) -> Option<std::sync::Arc<jsonschema::Validator>> {
        let registry = self.registry.as_ref()?;
        let (doc, pointer) = (at.0.0, at.1.as_str());
        let cached = self
            .validators
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&doc)
            .and_then(|by_pointer| by_pointer.get(pointer).cloned());
        if let Some(validator) = cached {
            return validator;
        }
        let mut cache = self.validators.write().unwrap_or_else(|p| p.into_inner());
        cache
            .entry(doc)
            .or_default()
            .entry(pointer.to_string())
            .or_insert_with(|| {
                let reference = load::json_schema::reference(doc, pointer);
                jsonschema::options()
                    .with_registry(registry)
                    .should_validate_formats(true)
                    .build(&reference)
                    .ok()
                    .map(std::sync::Arc::new)
            })
            .clone()
    }
}

/// Every document of the spec as a JSON Schema resource `urn:spec:<n>`.
fn registry(spec: &Spec) -> Result<jsonschema::Registry<'static>, String> {
    let mut builder = jsonschema::Registry::new();
    for (urn, document) in load::json_schema::resources(spec) {
        builder = builder.add(urn, document).map_err(|e| e.to_string())?;
    }
    builder.prepare().map_err(|e| e.to_string())
}

/// A model origin as the `(document, pointer)` pair the validators and locations take.
pub fn at(origin: &Origin) -> (DocId, String) {
    (DocId(origin.doc), origin.pointer.clone())
}

/// `host` or `host:port` of a URL, lower case ("" when it has none); the scheme's default port
/// (`:443` for https, `:80` for http) is dropped, so `https://h:443/` is `https://h/`'s host.
pub fn host_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return host,
    };
    host.strip_suffix(default)
        .map_or(host.clone(), str::to_string)
}
