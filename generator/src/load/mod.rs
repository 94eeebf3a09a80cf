//! Phase 1: read a spec and every file it `$ref`s, and resolve references, without network IO.

pub mod json_schema;
mod text;
pub mod validate;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};

pub use text::SyntaxError;

/// Which OpenAPI (or Swagger) line a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// Swagger 2.0.
    Swagger2,
    /// OpenAPI 3.0.x.
    V3_0,
    /// OpenAPI 3.1.x.
    V3_1,
}

/// Index of a file in a [`Spec`]; the root is always `DocId(0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub usize);

/// One parsed file.
#[derive(Debug)]
pub struct Document {
    /// The path as reached (the user's path for the root, joined relative paths for the rest).
    pub path: PathBuf,
    /// The file's text, kept to find lines for diagnostics.
    pub text: String,
    /// The parsed value.
    pub value: Value,
    lines: OnceLock<HashMap<String, usize>>,
}

impl Document {
    /// The 1-based line of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let lines = self.lines.get_or_init(|| text::line_index(&self.text));
        let mut p = pointer;
        loop {
            if let Some(line) = lines.get(p) {
                return Some(*line);
            }
            match p.rfind('/') {
                Some(at) => p = &p[..at],
                None => return None,
            }
        }
    }
}

/// A node reached through the document set: the file, the pointer inside it, and the value.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// The file.
    pub doc: DocId,
    /// JSON pointer of the value inside that file.
    pub pointer: String,
    /// The value.
    pub value: &'a Value,
}

impl<'a> Node<'a> {
    /// The member `key` of this object, its pointer one segment longer; no walk from the root.
    pub fn child(&self, key: &str) -> Option<Node<'a>> {
        let value = self.value.get(key)?;
        let mut pointer = String::with_capacity(self.pointer.len() + 1 + key.len());
        pointer.push_str(&self.pointer);
        pointer.push('/');
        push_escaped(&mut pointer, key);
        Some(Node {
            doc: self.doc,
            pointer,
            value,
        })
    }

    /// Item `i` of this array.
    pub fn item(&self, i: usize) -> Option<Node<'a>> {
        let value = self.value.get(i)?;
        Some(Node {
            doc: self.doc,
            pointer: format!("{}/{i}", self.pointer),
            value,
        })
    }
}

/// A loaded spec: the root document plus every file reachable through `$ref`.
#[derive(Debug)]
pub struct Spec {
    docs: Vec<Document>,
    by_path: BTreeMap<PathBuf, DocId>,
    version: Version,
    /// Files that a `$ref` names but that could not be read, with the reason.
    unreadable: BTreeMap<PathBuf, String>,
}

/// Why a `$ref` did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// `http://` or `https://`: never fetched, load does no network IO.
    Remote(String),
    /// The file part names a file that was not loaded (missing or unreadable).
    MissingFile(PathBuf, String),
    /// The pointer part does not exist in the target file.
    MissingPointer(PathBuf, String),
    /// A chain of `$ref`s that only points at itself.
    Cycle(String),
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefError::Remote(url) => write!(
                f,
                "remote reference `{url}` is not fetched (loading does no network io)"
            ),
            RefError::MissingFile(path, reason) => write!(
                f,
                "referenced file `{}` cannot be read: {reason}",
                path.display()
            ),
            RefError::MissingPointer(path, pointer) => {
                write!(f, "`#{pointer}` does not exist in `{}`", path.display())
            }
            RefError::Cycle(r) => write!(f, "reference `{r}` only leads back to itself"),
        }
    }
}

/// The result of loading: a spec (if the root file parsed) and what was found on the way.
#[derive(Debug)]
pub struct Loaded {
    /// The spec.
    pub spec: Spec,
    /// Problems that did not stop loading (unresolvable refs, unreadable secondary files).
    pub diagnostics: Diagnostics,
}

/// Loads `path` and every file it references.
///
/// Fails only when the root file cannot be read or parsed; every other problem is a diagnostic.
pub fn load(path: &Path) -> Result<Loaded, Diagnostics> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        Diagnostics(vec![Diagnostic::error(
            "unreadable-file",
            Location {
                file: path.to_path_buf(),
                line: None,
                pointer: String::new(),
            },
            format!("cannot read spec: {}", err.to_string().to_lowercase()),
        )])
    })?;
    load_text(path, text, true)
}

/// Loads a spec from text already in memory; `path` names it in diagnostics and anchors relative `$ref`s.
pub fn load_str(path: &Path, text: &str) -> Result<Loaded, Diagnostics> {
    load_text(path, text.to_string(), true)
}

fn load_text(path: &Path, text: String, follow_files: bool) -> Result<Loaded, Diagnostics> {
    let root = parse_document(path, text)?;
    let mut diagnostics = Diagnostics::default();
    let version = match detect_version(&root.value) {
        Ok(v) => v,
        Err(mut d) => {
            for it in &mut d.0 {
                it.location.file = path.to_path_buf();
            }
            return Err(d);
        }
    };
    let mut spec = Spec {
        docs: Vec::new(),
        by_path: BTreeMap::new(),
        version,
        unreadable: BTreeMap::new(),
    };
    spec.by_path.insert(normalize(path), DocId(0));
    spec.docs.push(root);

    if follow_files {
        let mut queue = VecDeque::from([DocId(0)]);
        while let Some(doc_id) = queue.pop_front() {
            let mut wanted: Vec<PathBuf> = Vec::new();
            let doc = &spec.docs[doc_id.0];
            walk_refs(
                &doc.value,
                &mut String::new(),
                false,
                &mut |reference, _| {
                    let (file, _) = split_ref(reference);
                    if file.is_empty() || is_remote(file) {
                        return;
                    }
                    wanted.push(normalize(&join(&doc.path, file)));
                },
            );
            for file in wanted {
                let key = file.clone();
                if spec.by_path.contains_key(&key) || spec.unreadable.contains_key(&key) {
                    continue;
                }
                match std::fs::read_to_string(&file) {
                    Ok(text) => match parse_document(&file, text) {
                        Ok(doc) => {
                            let id = DocId(spec.docs.len());
                            spec.docs.push(doc);
                            spec.by_path.insert(key, id);
                            queue.push_back(id);
                        }
                        Err(d) => diagnostics.0.extend(d.0),
                    },
                    Err(err) => {
                        spec.unreadable.insert(key, err.to_string().to_lowercase());
                    }
                }
            }
        }
    }
    Ok(Loaded { spec, diagnostics })
}

fn parse_document(path: &Path, text: String) -> Result<Document, Diagnostics> {
    let looks_like_json =
        path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
    match text::parse(&text, looks_like_json) {
        Ok(value) => Ok(Document {
            path: path.to_path_buf(),
            text,
            value,
            lines: OnceLock::new(),
        }),
        Err(err) => Err(Diagnostics(vec![Diagnostic::error(
            "syntax",
            Location {
                file: path.to_path_buf(),
                line: Some(err.line),
                pointer: String::new(),
            },
            format!(
                "cannot parse {}: {} at column {}",
                if looks_like_json { "json" } else { "yaml" },
                err.message,
                err.column
            ),
        )])),
    }
}

fn detect_version(value: &Value) -> Result<Version, Diagnostics> {
    let location = Location {
        file: PathBuf::new(),
        line: Some(1),
        pointer: String::new(),
    };
    if !value.is_object() {
        return Err(Diagnostic::error(
            "not-openapi",
            location,
            "the document is not a mapping, so it is not an openapi description",
        )
        .into());
    }
    if let Some(v) = value.get("openapi") {
        let v = v.as_str().unwrap_or_default();
        if v.starts_with("3.0") {
            return Ok(Version::V3_0);
        }
        if v.starts_with("3.1") {
            return Ok(Version::V3_1);
        }
        return Err(Diagnostic::error(
            "unsupported-version",
            Location {
                pointer: "/openapi".into(),
                ..location
            },
            format!("openapi version `{v}` is not supported"),
        )
        .with_help("supported: swagger 2.0, openapi 3.0.x and 3.1.x")
        .into());
    }
    if value.get("swagger").and_then(Value::as_str) == Some("2.0") {
        return Ok(Version::Swagger2);
    }
    Err(Diagnostic::error(
        "not-openapi",
        location,
        "neither an `openapi` nor a `swagger: \"2.0\"` field is present",
    )
    .with_help("the root of an openapi description starts with `openapi: 3.x.y`")
    .into())
}

impl Spec {
    /// The root document.
    pub fn root(&self) -> &Document {
        &self.docs[0]
    }

    /// A document by id.
    pub fn doc(&self, id: DocId) -> &Document {
        &self.docs[id.0]
    }

    /// All documents, root first.
    pub fn documents(&self) -> impl Iterator<Item = (DocId, &Document)> {
        self.docs.iter().enumerate().map(|(i, d)| (DocId(i), d))
    }

    /// The OpenAPI line of the root document.
    pub fn version(&self) -> Version {
        self.version
    }

    /// A diagnostic location for `pointer` in `doc`, with its line.
    pub fn location(&self, doc: DocId, pointer: &str) -> Location {
        let d = &self.docs[doc.0];
        Location {
            file: d.path.clone(),
            line: d.line_of(pointer),
            pointer: pointer.to_string(),
        }
    }

    /// The value at `pointer` in `doc`.
    pub fn get(&self, doc: DocId, pointer: &str) -> Option<&Value> {
        self.docs[doc.0].value.pointer(pointer)
    }

    /// Resolves one `$ref` string written in `from`, following `$ref` chains to the final node.
    pub fn resolve(&self, from: DocId, reference: &str) -> Result<Node<'_>, RefError> {
        let mut doc = from;
        let mut reference = reference.to_string();
        for _ in 0..64 {
            let (file, fragment) = split_ref(&reference);
            if is_remote(file) {
                return Err(RefError::Remote(reference.clone()));
            }
            if !file.is_empty() {
                let path = join(&self.docs[doc.0].path, file);
                let path = normalize(&path);
                doc = match self.by_path.get(&path) {
                    Some(doc) => *doc,
                    None => {
                        let reason = self
                            .unreadable
                            .get(&path)
                            .cloned()
                            .unwrap_or_else(|| "not loaded".into());
                        return Err(RefError::MissingFile(path, reason));
                    }
                };
            }
            let pointer = decode_fragment(fragment);
            let value = self.docs[doc.0].value.pointer(&pointer).ok_or_else(|| {
                RefError::MissingPointer(self.docs[doc.0].path.clone(), pointer.clone())
            })?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(next) if value.as_object().is_some_and(|m| m.len() == 1) => {
                    reference = next.to_string()
                }
                _ => {
                    return Ok(Node {
                        doc,
                        pointer,
                        value,
                    });
                }
            }
        }
        Err(RefError::Cycle(reference))
    }

    /// Follows `value` if it is a bare `$ref` object; otherwise returns it as is.
    pub fn deref<'a>(&'a self, node: Node<'a>) -> Result<Node<'a>, RefError> {
        match node.value.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.resolve(node.doc, reference),
            None => Ok(node),
        }
    }

    /// A node for `pointer` in `doc`, if it exists.
    pub fn node(&self, doc: DocId, pointer: &str) -> Option<Node<'_>> {
        let value = self.docs[doc.0].value.pointer(pointer)?;
        Some(Node {
            doc,
            pointer: pointer.to_string(),
            value,
        })
    }
}

/// Calls `f(reference, pointer)` for every `$ref` in `value` that is a reference rather than data.
///
/// Values under `example`, `examples`, `default`, `enum`, `const` and `x-` extensions are data:
/// a `$ref` key inside them is left alone (DigitalOcean and GitHub specs carry such keys).
pub fn walk_refs(
    value: &Value,
    pointer: &mut String,
    in_name_map: bool,
    f: &mut dyn FnMut(&str, &str),
) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if !in_name_map && (DATA_KEYS.contains(&key.as_str()) || key.starts_with("x-")) {
                    continue;
                }
                if !in_name_map && key == "$ref" {
                    if let Value::String(reference) = child {
                        f(reference, pointer);
                    }
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                let child_is_name_map = !in_name_map && NAME_MAP_KEYS.contains(&key.as_str());
                walk_refs(child, pointer, child_is_name_map, f);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                walk_refs(child, pointer, false, f);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const"];
const NAME_MAP_KEYS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
    "paths",
    "webhooks",
    "dependentSchemas",
    "content",
    "encoding",
    "mapping",
    "variables",
];

/// Escapes one JSON-pointer segment.
pub fn escape(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    push_escaped(&mut out, segment);
    out
}

/// Appends one JSON-pointer segment, escaped.
fn push_escaped(out: &mut String, segment: &str) {
    if segment.contains(['~', '/']) {
        out.push_str(&segment.replace('~', "~0").replace('/', "~1"));
    } else {
        out.push_str(segment);
    }
}

/// Unescapes one JSON-pointer segment.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn split_ref(reference: &str) -> (&str, &str) {
    match reference.find('#') {
        Some(at) => (&reference[..at], &reference[at + 1..]),
        None => (reference, ""),
    }
}

fn is_remote(file: &str) -> bool {
    file.starts_with("http://") || file.starts_with("https://") || file.starts_with("//")
}

/// Percent-decodes a URI fragment into a JSON pointer (`~0`/`~1` escapes are kept for `Value::pointer`).
fn decode_fragment(fragment: &str) -> String {
    if !fragment.contains('%') {
        return fragment.to_string();
    }
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&fragment[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn join(from_file: &Path, relative: &str) -> PathBuf {
    let base = from_file.parent().unwrap_or(Path::new(""));
    base.join(relative)
}

/// Lexically normalizes a path (`a/b/../c` → `a/c`) so one file reached two ways is loaded once.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Parses YAML 1.2 or JSON text (told apart by the first non-blank character) into a value.
pub fn parse_text(text: &str) -> Result<Value, String> {
    let json = text.trim_start().starts_with(['{', '[']);
    text::parse(text, json).map_err(|e| format!("line {}: {}", e.line, e.message))
}
