//! The contract engine: drives any server described by any spec (or replays a cassette) and
//! reports where the server and the spec disagree.
//!
//! It reads only the model ([`crate::spec::Model`], the generator's lowered `ir::Api`): values
//! are made as JSON from the typed schemas ([`values`]), sequences follow the inferred graph of
//! which output feeds which input ([`graph`]), and every interaction goes through the same checks
//! as `verify` ([`crate::check`], [`crate::sequence`]) plus the ones only a driver can make
//! (schema-valid input rejected, invalid input accepted, credentials ignored, undeclared methods).
//!
//! Phases, each selectable: documented examples, boundary coverage, fuzzing with valid inputs,
//! negative inputs, stateful sequences. New findings of a sequence are shrunk to the shortest
//! sub-sequence that still shows them.

pub mod graph;
pub mod values;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use generator::ir::{JsonType, Method, Operation, ParamLocation, SchemaId, SecurityScheme};
use proptest::prelude::RngExt;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use crate::check::clip;
use crate::redact::Redaction;
use crate::report::{Baseline, Finding, Kind, Report};
use crate::spec::Model;
use crate::traffic::Interaction;

/// A phase of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// One call per operation with the spec's documented examples.
    Examples,
    /// Deterministic edge values from every constraint.
    Coverage,
    /// Random valid inputs drawn from the schemas.
    Fuzzing,
    /// Inputs the spec forbids, missing or wrong credentials, wrong media types, undeclared methods.
    Negative,
    /// Call sequences following the inferred graph.
    Stateful,
}

impl Phase {
    /// Every phase, in run order.
    pub const ALL: [Phase; 5] = [
        Phase::Examples,
        Phase::Coverage,
        Phase::Fuzzing,
        Phase::Negative,
        Phase::Stateful,
    ];

    /// The phase named `name` (`examples`, `coverage`, `fuzzing`, `negative`, `stateful`).
    pub fn parse(name: &str) -> Option<Phase> {
        Some(match name {
            "examples" => Phase::Examples,
            "coverage" => Phase::Coverage,
            "fuzzing" => Phase::Fuzzing,
            "negative" => Phase::Negative,
            "stateful" => Phase::Stateful,
            _ => return None,
        })
    }
}

/// Credentials for the spec's `securitySchemes`.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// For `http: bearer` and OAuth2 schemes.
    pub bearer: Option<String>,
    /// For `http: basic`: `user:password`.
    pub basic: Option<String>,
    /// For `apiKey` schemes: scheme name (or the key's parameter name) → value.
    pub api_keys: Vec<(String, String)>,
}

/// What the engine runs against.
#[derive(Debug, Clone)]
pub enum Target {
    /// A live server at this base URL (the spec's paths are appended to it).
    Url(String),
    /// A cassette recorded by an earlier run, replayed offline.
    Cassette(PathBuf),
}

/// Decodes an answer through generated types (a generated crate's `contract::decode`, feature
/// `contract`): given the operationId, status and body, the values decoded into `Unknown`
/// variants as (pointer, type name, value as JSON), or why it did not decode; `None` when the
/// answer has no typed body.
pub type Decoder = std::sync::Arc<
    dyn Fn(&str, u16, &str) -> Option<Result<Vec<(String, String, String)>, String>> + Send + Sync,
>;

/// How to run.
#[derive(Clone)]
pub struct Settings {
    pub target: Target,
    /// Extra headers on every request (`-H 'Name: value'`).
    pub headers: Vec<(String, String)>,
    pub credentials: Credentials,
    pub phases: Vec<Phase>,
    /// Only these finding kinds are reported (empty: all).
    pub checks: Vec<Kind>,
    /// Calls per operation in the fuzzing and negative phases, and sequences in the stateful one.
    pub max_cases: usize,
    /// Stateful sequences (default: `max_cases`).
    pub sequences: Option<usize>,
    /// Calls per stateful sequence.
    pub sequence_length: usize,
    /// Stop starting new calls after this long.
    pub max_time: Option<Duration>,
    /// At most this many requests a second.
    pub rate: Option<f64>,
    pub seed: u64,
    /// Write the (redacted) traffic here as a cassette.
    pub record: Option<PathBuf>,
    /// Also mask personal data in the cassette.
    pub mask_personal_data: bool,
    /// Report responses slower than this (opt-in).
    pub max_response_time: Option<Duration>,
    /// How long one request may take, answer included (schemathesis's `--request-timeout`).
    pub request_timeout: Duration,
    /// The longest response body read; the rest is not kept, and the call is recorded as a
    /// transport failure (599) naming the limit.
    pub max_response_bytes: usize,
    /// Values for chosen parameters or body properties, by name, always used.
    pub fixed: Vec<(String, Value)>,
    /// Operations never called (`operationId` or `METHOD /path`).
    pub skip: Vec<String>,
    /// Operations the spec cannot describe (test-only endpoints), in a small OpenAPI document of
    /// their own: called in sequences like any other, never judged.
    pub extra: Option<std::sync::Arc<Model>>,
    /// Shrink new findings to the shortest sequence that still shows them.
    pub shrink: bool,
    /// The typed front: answers are also decoded through the generated types.
    pub decode: Option<Decoder>,
    /// Stop at the first new finding (of the selected checks).
    pub exit_first: bool,
    /// Show progress on stderr (calls and findings so far), when stderr is a terminal.
    pub progress: bool,
    /// Print every call and its status on stderr as it is made (redacted).
    pub verbose: bool,
    /// The levels whose new findings fail the run (and stop it with `exit_first`).
    pub fail_on: Vec<crate::report::Level>,
    /// Brings the target back to an empty state, when it can be (an in-process sandbox): each
    /// shrinking replay then starts from it, so a reproduction holds on a fresh server.
    pub reset: Option<std::sync::Arc<dyn Fn() + Send + Sync>>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("target", &self.target)
            .field("phases", &self.phases)
            .field("max_cases", &self.max_cases)
            .field("seed", &self.seed)
            .field("typed", &self.decode.is_some())
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Defaults for `target`: every phase, 10 cases, seed fixed.
    pub fn new(target: Target) -> Settings {
        Settings {
            target,
            headers: Vec::new(),
            credentials: Credentials::default(),
            phases: Phase::ALL.to_vec(),
            checks: Vec::new(),
            max_cases: 10,
            sequences: None,
            sequence_length: 20,
            max_time: None,
            rate: None,
            seed: 0x5eed_0fd2_1f70,
            record: None,
            mask_personal_data: false,
            max_response_time: None,
            request_timeout: Duration::from_secs(30),
            max_response_bytes: 16 << 20,
            fixed: Vec::new(),
            skip: Vec::new(),
            extra: None,
            shrink: true,
            decode: None,
            exit_first: false,
            progress: true,
            verbose: false,
            fail_on: crate::report::Level::TEST_DEFAULT.to_vec(),
            reset: None,
        }
    }
}

/// Why a run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the target {url} is unreachable: {reason}")]
    Unreachable { url: String, reason: String },
    #[error(
        "the target refuses the credentials: every one of the first {calls} authenticated calls was answered {status}"
    )]
    CredentialsRefused { calls: usize, status: u16 },
    #[error(
        "the cassette lacks {count} request(s) this run made (first: {first}); re-record it against a live target"
    )]
    CassetteMiss { count: usize, first: String },
    #[error("{0}")]
    Other(String),
}

/// What a run produced.
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
    /// Everything exchanged with the target (secrets not redacted).
    pub traffic: Vec<Interaction>,
    /// The inferred graph, rendered.
    pub graph: String,
    /// Operations called at least once, of all the spec's.
    pub covered: (usize, usize),
    /// Whether `max_time` cut the run short (calls the budget allowed were not made).
    pub timed_out: bool,
}

/// Which model an operation is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct OpRef(usize);

/// Why a call is made, which decides what its answer must be.
#[derive(Debug, Clone, PartialEq)]
enum Intent {
    /// Valid by the spec: a 4xx other than 401/403/404/409/429 is `schema-valid-rejected`.
    Positive,
    /// Broken on purpose (what was broken): 2xx is `invalid-input-accepted`.
    Negative(String),
    /// No credentials, or wrong ones: 2xx is `ignored-auth`.
    WrongAuth(&'static str),
    /// A method the path does not declare: anything but 405 with `Allow` is a finding.
    UndeclaredMethod,
    /// A test-only operation from the extra document: not judged.
    Helper,
}

/// Where a value in a call came from, so a shrunk sequence can take it from the new response.
#[derive(Debug, Clone)]
struct Binding {
    slot: Slot,
    step: usize,
    pointer: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Param(ParamLocation, String),
    Body(String),
}

/// One request, before it is sent.
#[derive(Debug, Clone)]
struct Call {
    op: OpRef,
    method: String,
    params: Vec<(ParamLocation, String, Value)>,
    body: Option<(String, Value)>,
    /// Send the body as this text instead (a wrong media type).
    raw_body: Option<(String, String)>,
    intent: Intent,
    bindings: Vec<Binding>,
}

/// One value seen in a response or chosen by a request, by the names it can fill.
#[derive(Debug, Clone)]
struct Known {
    name: String,
    value: Value,
    step: usize,
    pointer: String,
}

struct Engine<'a> {
    model: &'a Model,
    extra: Option<&'a Model>,
    /// Every callable operation: the spec's (judged), then the extra document's.
    ops: Vec<(&'a Operation, bool)>,
    graph: graph::Graph,
    settings: &'a Settings,
    runner: TestRunner,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    replay: Option<Vec<(Interaction, bool)>>,
    /// What a recording hides; a replayed request is matched in its redacted form.
    redaction: Redaction,
    misses: Vec<String>,
    base_url: String,
    traffic: Vec<Interaction>,
    elapsed: Vec<Duration>,
    started: Instant,
    last_send: Option<Instant>,
    called: Vec<bool>,
    succeeded: Vec<bool>,
    attempts: Vec<u32>,
    stopped: bool,
    /// Set when `max_time` was the reason a call was not made.
    timed_out: std::cell::Cell<bool>,
    baseline_keys: Vec<String>,
    show_progress: bool,
    /// Stored call sequences that reached new coverage; sequences start from them.
    corpus: Vec<Vec<Call>>,
    coverage: std::collections::BTreeSet<String>,
    auth_statuses: Vec<u16>,
}

/// Runs the engine on `model` per `settings`, with known findings from `baseline`.
pub fn run(
    model: &Model,
    settings: &Settings,
    baseline: &Baseline,
) -> Result<Outcome, EngineError> {
    let mut engine = Engine::new(model, settings)?;
    engine.baseline_keys = baseline.known.iter().map(|b| b.key.clone()).collect();
    let graph_text = engine
        .graph
        .render(&engine.ops.iter().map(|(o, _)| *o).collect::<Vec<_>>());
    let mut findings = Vec::new();
    for phase in Phase::ALL
        .into_iter()
        .filter(|p| settings.phases.contains(p))
    {
        match phase {
            Phase::Examples => engine.single_calls(|e, op| e.example_calls(op), &mut findings)?,
            Phase::Coverage => engine.single_calls(|e, op| e.coverage_calls(op), &mut findings)?,
            Phase::Fuzzing => engine.fuzz(&mut findings)?,
            Phase::Negative => {
                engine.single_calls(|e, op| e.negative_calls(op), &mut findings)?;
                engine.undeclared_methods(&mut findings)?;
            }
            Phase::Stateful => engine.stateful(baseline, &mut findings)?,
        }
    }
    if !engine.misses.is_empty() {
        return Err(EngineError::CassetteMiss {
            count: engine.misses.len(),
            first: engine.misses[0].clone(),
        });
    }
    // A cross-operation finding names the operation that documents the value; the whole run's
    // traffic is the evidence, not only the sequence that showed the violation.
    let matched: Vec<(usize, &Operation)> = engine
        .traffic
        .iter()
        .enumerate()
        .filter_map(|(i, t)| model.find(&t.method, &t.path()).map(|o| (i, o)))
        .collect();
    // One search per violation (operation, place, value), however many calls showed it.
    type Violation = (String, String, String);
    type Explanation = Option<(Option<String>, String)>;
    let mut searched: HashMap<Violation, Explanation> = HashMap::new();
    for f in findings
        .iter_mut()
        .filter(|f| f.kind == Kind::CrossOperationInconsistency)
    {
        let key = (f.operation.clone(), f.pointer.clone(), f.observed.clone());
        let better = searched
            .entry(key)
            .or_insert_with(|| {
                let mut search = crate::check::CrossSearch::new(model, f)?;
                for &(i, op) in &matched {
                    search.consider(model, op, &engine.traffic[i]);
                }
                search.finish().map(|b| (b.related, b.message))
            })
            .clone();
        if let Some((related, message)) = better {
            f.related = related;
            f.message = message;
        }
    }
    if !settings.checks.is_empty() {
        findings.retain(|f| settings.checks.contains(&f.kind));
    }
    if let Some(path) = &settings.record {
        crate::traffic::write_cassette(path, &engine.traffic, &engine.redaction)
            .map_err(|e| EngineError::Other(format!("cannot write {}: {e}", path.display())))?;
    }
    if engine.show_progress {
        eprintln!(
            "\r  {} calls in {:.1} s",
            engine.traffic.len(),
            engine.started.elapsed().as_secs_f64()
        );
    }
    let judged = engine.ops.iter().filter(|(_, j)| *j).count();
    let covered = engine
        .called
        .iter()
        .zip(&engine.ops)
        .filter(|(c, (_, j))| **c && *j)
        .count();
    let secrets = engine.redaction.secrets(&engine.traffic);
    let mut report = Report::new(findings, baseline, engine.traffic.len()).redacted(&secrets);
    report.fail_on = settings.fail_on.clone();
    Ok(Outcome {
        report,
        traffic: std::mem::take(&mut engine.traffic),
        graph: graph_text,
        covered: (covered, judged),
        timed_out: engine.timed_out.get(),
    })
}

/// The inferred graph of `model` (and `extra`), rendered, without calling anything.
pub fn graph_of(model: &Model, extra: Option<&Model>) -> String {
    // Skipping nothing cannot name an unknown operation.
    let ops = callable(model, extra, &[]).unwrap_or_default();
    let list: Vec<&Operation> = ops.iter().map(|(o, _)| *o).collect();
    graph::infer(&with_models(model, extra, &ops)).render(&list)
}

fn with_models<'a>(
    model: &'a Model,
    extra: Option<&'a Model>,
    ops: &[(&'a Operation, bool)],
) -> Vec<(&'a generator::ir::Api, &'a Operation)> {
    ops.iter()
        .map(|(o, judged)| {
            (
                if *judged {
                    &model.api
                } else {
                    &extra.unwrap_or(model).api
                },
                *o,
            )
        })
        .collect()
}

/// Whether `entry` of `--skip` names `o`: its `operationId`, or `METHOD /path` as the spec
/// writes the path (the method in any case).
fn names_operation(entry: &str, o: &Operation) -> bool {
    if o.operation_id.as_deref() == Some(entry) {
        return true;
    }
    entry.split_once(' ').is_some_and(|(method, path)| {
        method.eq_ignore_ascii_case(o.method.as_str()) && path.trim() == o.path
    })
}

/// The operations a run may call (the spec's, then the extra document's, marked `false`),
/// without the skipped ones; a `--skip` entry that names no operation is refused, so a typo
/// does not silently call what the user meant to spare.
fn callable<'a>(
    model: &'a Model,
    extra: Option<&'a Model>,
    skip: &[String],
) -> Result<Vec<(&'a Operation, bool)>, EngineError> {
    let all: Vec<(&Operation, bool)> = model
        .operations()
        .iter()
        .map(|o| (o, true))
        .chain(
            extra
                .into_iter()
                .flat_map(|m| m.operations().iter().map(|o| (o, false))),
        )
        .collect();
    if let Some(unknown) = skip
        .iter()
        .find(|s| !all.iter().any(|(o, _)| names_operation(s, o)))
    {
        return Err(EngineError::Other(format!(
            "--skip {unknown}: no operation has that operationId or METHOD /path"
        )));
    }
    Ok(all
        .into_iter()
        .filter(|(o, _)| !skip.iter().any(|s| names_operation(s, o)))
        .collect())
}

impl<'a> Engine<'a> {
    fn new(model: &'a Model, settings: &'a Settings) -> Result<Self, EngineError> {
        let extra = settings.extra.as_deref();
        let ops = callable(model, extra, &settings.skip)?;
        // One graph over both documents: schemas are looked up in the document that owns them.
        let graph = graph::infer(&with_models(model, extra, &ops));
        let mut seed = [0u8; 32];
        for (i, b) in settings
            .seed
            .to_le_bytes()
            .iter()
            .cycle()
            .take(32)
            .enumerate()
        {
            seed[i] = *b;
        }
        let runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| EngineError::Other(e.to_string()))?;
        let http = reqwest::Client::builder()
            .timeout(settings.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| EngineError::Other(e.to_string()))?;
        let (base_url, replay) = match &settings.target {
            Target::Url(url) => (url.trim_end_matches('/').to_string(), None),
            Target::Cassette(path) => {
                let recorded =
                    crate::traffic::read(path).map_err(|e| EngineError::Other(e.to_string()))?;
                let base = recorded
                    .first()
                    .and_then(|i| reqwest::Url::parse(&i.url).ok())
                    .map(|u| u.origin().ascii_serialization())
                    .unwrap_or_default();
                (
                    base,
                    Some(recorded.into_iter().map(|i| (i, false)).collect()),
                )
            }
        };
        let n = ops.len();
        Ok(Engine {
            model,
            extra,
            ops,
            graph,
            settings,
            runner,
            http,
            runtime,
            replay,
            redaction: Redaction::for_api(&model.api)
                .masking_personal_data(settings.mask_personal_data),
            misses: Vec::new(),
            base_url,
            traffic: Vec::new(),
            elapsed: Vec::new(),
            started: Instant::now(),
            last_send: None,
            called: vec![false; n],
            succeeded: vec![false; n],
            attempts: vec![0; n],
            corpus: Vec::new(),
            coverage: std::collections::BTreeSet::new(),
            stopped: false,
            timed_out: std::cell::Cell::new(false),
            baseline_keys: Vec::new(),
            show_progress: settings.progress
                && std::io::IsTerminal::is_terminal(&std::io::stderr()),
            auth_statuses: Vec::new(),
        })
    }

    fn api_of(&self, op: OpRef) -> &'a generator::ir::Api {
        if self.ops[op.0].1 {
            &self.model.api
        } else {
            &self
                .extra
                .expect("extra operations come from the extra model")
                .api
        }
    }

    fn out_of_time(&self) -> bool {
        if self.stopped {
            return true;
        }
        let late = self
            .settings
            .max_time
            .is_some_and(|t| self.started.elapsed() >= t);
        if late {
            self.timed_out.set(true);
        }
        late
    }

    /// With `exit_first`, stops the run once `found` holds a new finding of a selected check
    /// (a note such as `undocumented-property` only when it was selected by name).
    fn note_found(&mut self, found: &[Finding]) {
        if self.settings.exit_first
            && found.iter().any(|f| {
                let selected = if self.settings.checks.is_empty() {
                    self.settings.fail_on.contains(&f.kind.level())
                } else {
                    self.settings.checks.contains(&f.kind)
                };
                selected && !self.baseline_keys.contains(&f.key())
            })
        {
            self.stopped = true;
        }
    }

    fn judged(&self) -> impl Iterator<Item = OpRef> + use<> {
        let judged: Vec<OpRef> = self
            .ops
            .iter()
            .enumerate()
            .filter(|(_, (_, j))| *j)
            .map(|(i, _)| OpRef(i))
            .collect();
        judged.into_iter()
    }

    // ---- Single-call phases ------------------------------------------------------------------

    fn single_calls(
        &mut self,
        make: impl Fn(&mut Self, OpRef) -> Vec<Call>,
        findings: &mut Vec<Finding>,
    ) -> Result<(), EngineError> {
        for op in self.judged() {
            let calls = make(self, op);
            for call in calls {
                if self.out_of_time() {
                    return Ok(());
                }
                let index = self.send(&call)?;
                let mut found = self.judge(&[(call, index)]);
                self.note_found(&found);
                findings.append(&mut found);
            }
        }
        Ok(())
    }

    /// Valid calls, `max_cases` per operation, each made just before it is sent, so a large
    /// budget cut short by `--max-time` costs nothing until it is used.
    ///
    /// Under a time limit the operations take turns, one call each, so every one is reached
    /// however short the limit; without one each takes its calls in a row, which keeps what a
    /// seed made before time limits shared the phase.
    fn fuzz(&mut self, findings: &mut Vec<Finding>) -> Result<(), EngineError> {
        let ops: Vec<OpRef> = self.judged().collect();
        let cases = self.settings.max_cases;
        let (rounds, in_a_row) = if self.settings.max_time.is_some() {
            (cases, 1)
        } else {
            (1, cases)
        };
        for _ in 0..rounds {
            for &op in &ops {
                for _ in 0..in_a_row {
                    if self.out_of_time() {
                        return Ok(());
                    }
                    let call = self.valid_call(op, None);
                    let index = self.send(&call)?;
                    let mut found = self.judge(&[(call, index)]);
                    self.note_found(&found);
                    findings.append(&mut found);
                }
            }
        }
        Ok(())
    }

    fn example_calls(&mut self, op: OpRef) -> Vec<Call> {
        let api = self.api_of(op);
        let operation = self.ops[op.0].0;
        let body = operation
            .body
            .as_ref()
            .and_then(|b| b.content.iter().find(|m| m.media_type.contains("json")))
            .and_then(|m| crate::examples::example_of(api, m).map(|v| (m.media_type.clone(), v)));
        let mut call = self.valid_call(op, None);
        if let Some(body) = body {
            call.body = Some(body);
            self.overlay_fixed(&mut call);
        }
        vec![call]
    }

    fn coverage_calls(&mut self, op: OpRef) -> Vec<Call> {
        let api = self.api_of(op);
        let operation = self.ops[op.0].0;
        let mut out = Vec::new();
        if let Some((media, schema)) = json_body(operation) {
            for value in values::boundaries(api, schema, &mut self.runner)
                .into_iter()
                .take(self.settings.max_cases.max(2))
            {
                if !self.is_valid(op, schema, &value) {
                    continue;
                }
                let mut call = self.valid_call(op, None);
                call.body = Some((media.clone(), value));
                out.push(call);
            }
        }
        for (i, p) in operation.parameters.iter().enumerate() {
            let Some(schema) = p.schema else { continue };
            if p.location == ParamLocation::Path && api.schema(schema).enumeration.is_none() {
                continue;
            }
            for value in values::boundaries(api, schema, &mut self.runner)
                .into_iter()
                .filter(|v| !v.is_null())
                .take(4)
            {
                let mut call = self.valid_call(op, None);
                if let Some(slot) = call
                    .params
                    .iter_mut()
                    .find(|(l, n, _)| *l == p.location && *n == p.name.wire)
                {
                    slot.2 = value;
                } else {
                    call.params.push((p.location, p.name.wire.clone(), value));
                }
                let _ = i;
                out.push(call);
            }
        }
        out
    }

    /// Breaks `call` in one place (its body, or one parameter) so the spec forbids it; says what
    /// was broken, or `None` when nothing here can be broken.
    fn break_one(&mut self, op: OpRef, call: &mut Call) -> Option<String> {
        let api = self.api_of(op);
        let operation = self.ops[op.0].0;
        let mut broke = None;
        // Alternate between the body and a parameter.
        let try_body = self.runner.rng().random_bool(0.6);
        if try_body
            && let Some((media, schema)) = json_body(operation)
            && let Some((_, base)) = &call.body
            && let Some((bad, what)) = values::broken(api, schema, base, &mut self.runner)
            && !self.is_valid(op, schema, &bad)
            // In a form every field is text: a wrong type does not survive the encoding.
            && (media.contains("json") || !what.contains("where"))
        {
            call.body = Some((media, bad));
            broke = Some(format!("body: {what}"));
        }
        if broke.is_none() {
            let candidates: Vec<usize> = operation
                .parameters
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.schema.is_some_and(|s| wire_checkable(api.schema(s)))
                        && !is_credential(api, p)
                })
                .map(|(i, _)| i)
                .collect();
            if !candidates.is_empty() {
                let p = &operation.parameters
                    [candidates[self.runner.rng().random_range(0..candidates.len())]];
                let s = api.schema(p.schema.expect("filtered above"));
                let current = call
                    .params
                    .iter()
                    .find(|(l, n, _)| *l == p.location && *n == p.name.wire)
                    .map(|(_, _, v)| v.clone())
                    .unwrap_or(Value::Null);
                if let Some((bad, what)) = values::wrong_scalar(s, &current) {
                    call.params
                        .retain(|(l, n, _)| !(*l == p.location && *n == p.name.wire));
                    call.params.push((p.location, p.name.wire.clone(), bad));
                    broke = Some(format!(
                        "{} parameter `{}`: {what}",
                        graph::location_word(p.location),
                        p.name.wire
                    ));
                }
            } else if let Some(p) = operation
                .parameters
                .iter()
                .find(|p| p.required && p.location != ParamLocation::Path && !is_credential(api, p))
            {
                call.params
                    .retain(|(l, n, _)| !(*l == p.location && *n == p.name.wire));
                broke = Some(format!(
                    "required {} parameter `{}` left out",
                    graph::location_word(p.location),
                    p.name.wire
                ));
            }
        }
        // What was broken must stay broken when the sequence is replayed: no value is re-bound
        // into the broken place.
        if let Some(what) = &broke {
            if what.starts_with("body") {
                call.bindings.retain(|b| !matches!(b.slot, Slot::Body(_)));
            } else {
                let broken: Vec<(ParamLocation, String)> = operation
                    .parameters
                    .iter()
                    .filter(|p| what.contains(&format!("`{}`", p.name.wire)))
                    .map(|p| (p.location, p.name.wire.clone()))
                    .collect();
                call.bindings.retain(|b| !matches!(&b.slot, Slot::Param(l, n) if broken.iter().any(|(bl, bn)| bl == l && bn == n)));
            }
        }
        broke
    }

    fn negative_calls(&mut self, op: OpRef) -> Vec<Call> {
        let api = self.api_of(op);
        let operation = self.ops[op.0].0;
        let mut out = Vec::new();
        for _ in 0..self.settings.max_cases {
            let mut call = self.valid_call(op, None);
            let broke = self.break_one(op, &mut call);
            if let Some(what) = broke {
                call.intent = Intent::Negative(what);
                out.push(call);
            }
        }
        if !operation.requirements.is_empty() {
            // Parameters that carry a credential are left out, or given a wrong one, too.
            let carries = |l: ParamLocation, n: &str| {
                operation
                    .parameters
                    .iter()
                    .any(|p| p.location == l && p.name.wire == n && is_credential(api, p))
            };
            let mut none = self.valid_call(op, None);
            none.intent = Intent::WrongAuth("no credentials");
            none.params.retain(|(l, n, _)| !carries(*l, n));
            out.push(none);
            let mut wrong = self.valid_call(op, None);
            wrong.intent = Intent::WrongAuth("wrong credentials");
            for (l, n, v) in wrong.params.iter_mut() {
                if carries(*l, n) {
                    *v = Value::String("specdrift-wrong-credentials".into());
                }
            }
            out.push(wrong);
        }
        if let Some((media, _)) = json_body(operation)
            && operation
                .body
                .as_ref()
                .is_some_and(|b| b.content.iter().all(|m| m.media_type.contains("json")))
        {
            let mut call = self.valid_call(op, None);
            let text = call
                .body
                .take()
                .map(|(_, v)| v.to_string())
                .unwrap_or_default();
            call.raw_body = Some(("text/plain".into(), text));
            call.intent = Intent::Negative(format!(
                "body sent as text/plain; the operation takes {media}"
            ));
            out.push(call);
        }
        out
    }

    fn undeclared_methods(&mut self, findings: &mut Vec<Finding>) -> Result<(), EngineError> {
        let mut by_path: BTreeMap<String, (OpRef, Vec<Method>)> = BTreeMap::new();
        for op in self.judged() {
            let o = self.ops[op.0].0;
            by_path
                .entry(o.path.clone())
                .or_insert((op, Vec::new()))
                .1
                .push(o.method);
        }
        for (_, (op, methods)) in by_path {
            let mut call = self.valid_call(op, None);
            // A method no operation serves on this very path (another template may match it:
            // `/receivers/verification-types` is also `/receivers/{id}`).
            let path = reqwest::Url::parse(&self.url_of(&call))
                .map(|u| u.path().to_string())
                .unwrap_or_default();
            let Some(method) = [
                Method::Patch,
                Method::Put,
                Method::Delete,
                Method::Post,
                Method::Get,
            ]
            .into_iter()
            .find(|m| !methods.contains(m) && self.model.find(m.as_str(), &path).is_none()) else {
                continue;
            };
            if self.out_of_time() {
                return Ok(());
            }
            call.method = method.to_string();
            call.intent = Intent::UndeclaredMethod;
            call.body = None;
            let index = self.send(&call)?;
            let mut found = self.judge(&[(call, index)]);
            self.note_found(&found);
            findings.append(&mut found);
        }
        Ok(())
    }

    // ---- Building calls ----------------------------------------------------------------------

    /// A call valid by the spec; values for inputs come from `known` when it holds one by name.
    fn valid_call(&mut self, op: OpRef, known: Option<&[Known]>) -> Call {
        let api = self.api_of(op);
        let operation = self.ops[op.0].0;
        let mut call = Call {
            op,
            method: operation.method.to_string(),
            params: Vec::new(),
            body: None,
            raw_body: None,
            intent: if self.ops[op.0].1 {
                Intent::Positive
            } else {
                Intent::Helper
            },
            bindings: Vec::new(),
        };
        for p in &operation.parameters {
            if !p.required && !self.runner.rng().random_bool(0.5) {
                continue;
            }
            // A value seen under the same name is reused only where the parameter's schema
            // takes it (a disbursement's `status` is no receiver-status filter).
            let picked = known
                .and_then(|k| pick_known(k, &p.name.wire, &mut self.runner))
                .filter(|k| p.schema.is_none_or(|s| self.is_valid(op, s, &k.value)));
            if let Some(k) = picked {
                call.bindings.push(Binding {
                    slot: Slot::Param(p.location, p.name.wire.clone()),
                    step: k.step,
                    pointer: k.pointer.clone(),
                });
                call.params
                    .push((p.location, p.name.wire.clone(), k.value.clone()));
                continue;
            }
            let mut value = match (p.examples.first(), p.schema) {
                (Some(e), _) if self.runner.rng().random_bool(0.5) => e.clone(),
                (_, Some(s)) => values::valid(api, s, &mut self.runner),
                _ => Value::String("x".into()),
            };
            // An empty path segment would reach another route.
            if p.location == ParamLocation::Path && text_of(&value).is_empty() {
                value = Value::String("x".into());
            }
            call.params.push((p.location, p.name.wire.clone(), value));
        }
        if let Some((media, schema)) = json_body(operation) {
            let example = operation
                .body
                .as_ref()
                .and_then(|b| b.content.iter().find(|m| m.media_type == media))
                .and_then(|m| crate::examples::example_of(api, m));
            let mut body = None;
            if let Some(example) = example
                && self.runner.rng().random_bool(0.7)
            {
                let refreshed = self.refresh_identifiers(api, schema, example);
                if self.is_valid(op, schema, &refreshed) {
                    body = Some(refreshed);
                }
            }
            let body = match body {
                Some(b) => b,
                None => {
                    let mut v = values::valid(api, schema, &mut self.runner);
                    for _ in 0..8 {
                        if self.is_valid(op, schema, &v) {
                            break;
                        }
                        v = values::valid(api, schema, &mut self.runner);
                    }
                    v
                }
            };
            call.body = Some((media, body));
            if let Some(known) = known {
                self.overlay_known(&mut call, schema, known);
            }
        } else if let Some(b) = &operation.body
            && b.required
            && let Some(m) = b.content.first()
        {
            call.raw_body = Some((m.media_type.clone(), String::new()));
        }
        self.overlay_fixed(&mut call);
        call
    }

    /// An example body with identifier-like and e-mail fields given fresh values, so that
    /// creating twice does not collide on a unique key.
    fn refresh_identifiers(
        &mut self,
        api: &generator::ir::Api,
        schema: SchemaId,
        example: Value,
    ) -> Value {
        let mut value = example;
        for (name, pointer, id) in graph::leaves(api, schema) {
            let s = api.schema(id);
            let fresh =
                if s.format.as_deref() == Some("email") || name.eq_ignore_ascii_case("email") {
                    Some(format!(
                        "user{}@example.com",
                        self.runner.rng().random_range(100_000..999_999)
                    ))
                } else if graph::identifier_like(&name)
                    && s.types == [JsonType::String]
                    && s.enumeration.is_none()
                    && s.pattern.is_none()
                    && s.format.is_none()
                {
                    let old = value
                        .pointer(&pointer)
                        .and_then(Value::as_str)
                        .unwrap_or("id")
                        .to_string();
                    Some(format!(
                        "{old}_{:06}",
                        self.runner.rng().random_range(0..1_000_000)
                    ))
                } else {
                    None
                };
            if let Some(fresh) = fresh
                && let Some(slot) = value.pointer_mut(&pointer)
                && slot.is_string()
            {
                *slot = Value::String(fresh);
            }
        }
        value
    }

    fn overlay_known(&mut self, call: &mut Call, schema: SchemaId, known: &[Known]) {
        let api = self.api_of(call.op);
        let Some((_, body)) = &mut call.body else {
            return;
        };
        for (name, pointer, _) in graph::leaves(api, schema) {
            if !graph::identifier_like(&name) {
                continue;
            }
            let Some(k) = pick_known(known, &name, &mut self.runner) else {
                continue;
            };
            if let Some(slot) = body.pointer_mut(&pointer)
                && JsonType::of(slot) == JsonType::of(&k.value)
            {
                *slot = k.value.clone();
                call.bindings.push(Binding {
                    slot: Slot::Body(pointer),
                    step: k.step,
                    pointer: k.pointer.clone(),
                });
            }
        }
    }

    fn overlay_fixed(&self, call: &mut Call) {
        for (name, value) in &self.settings.fixed {
            for (_, n, v) in call.params.iter_mut() {
                if n == name {
                    *v = value.clone();
                }
            }
            if let Some((_, body)) = &mut call.body {
                set_named(body, name, value, 0);
            }
        }
    }

    fn is_valid(&self, op: OpRef, schema: SchemaId, value: &Value) -> bool {
        let model = if self.ops[op.0].1 {
            self.model
        } else {
            self.extra.unwrap_or(self.model)
        };
        model.validator_of(schema).is_none_or(|v| v.is_valid(value))
    }

    // ---- Sending -----------------------------------------------------------------------------

    fn url_of(&self, call: &Call) -> String {
        let operation = self.ops[call.op.0].0;
        let mut path = operation.path.clone();
        let mut query: Vec<(String, String)> = Vec::new();
        for (location, name, value) in &call.params {
            match location {
                ParamLocation::Path => {
                    path = path.replace(&format!("{{{name}}}"), &percent_encode(&text_of(value)))
                }
                ParamLocation::Query => match value {
                    Value::Array(items) => {
                        query.extend(items.iter().map(|i| (name.clone(), text_of(i))))
                    }
                    Value::Object(map) => query.extend(
                        map.iter()
                            .map(|(k, v)| (format!("{name}[{k}]"), text_of(v))),
                    ),
                    other => query.push((name.clone(), text_of(other))),
                },
                _ => {}
            }
        }
        let server_path = self.server_path();
        let mut url = format!("{}{}{}", self.base_url, server_path, path);
        if let Some((key, value)) = self.query_credential(call) {
            query.push((key, value));
        }
        if !query.is_empty() {
            let encoded: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                .collect();
            url.push('?');
            url.push_str(&encoded.join("&"));
        }
        url
    }

    /// The base path of the spec's first server when the target URL does not carry one.
    fn server_path(&self) -> String {
        let base_has_path = reqwest::Url::parse(&self.base_url).is_ok_and(|u| u.path() != "/");
        if base_has_path {
            return String::new();
        }
        self.model.base_paths.first().cloned().unwrap_or_default()
    }

    fn credentials_for(&self, call: &Call) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match &call.intent {
            Intent::WrongAuth("no credentials") => return out,
            Intent::WrongAuth(_) => {
                out.push((
                    "Authorization".into(),
                    "Bearer specdrift-wrong-credentials".into(),
                ));
                return out;
            }
            _ => {}
        }
        let api = self.api_of(call.op);
        let operation = self.ops[call.op.0].0;
        let c = &self.settings.credentials;
        let requirement = operation
            .requirements
            .iter()
            .find(|r| r.iter().all(|s| self.can_meet(api, s)))
            .or_else(|| operation.requirements.first());
        for scheme in requirement.into_iter().flatten() {
            match api.security_schemes.get(scheme) {
                Some(SecurityScheme::Bearer | SecurityScheme::OAuth2) => out.extend(
                    c.bearer
                        .as_ref()
                        .map(|t| ("Authorization".to_string(), format!("Bearer {t}"))),
                ),
                Some(SecurityScheme::Basic) => out.extend(c.basic.as_ref().map(|b| {
                    (
                        "Authorization".to_string(),
                        format!("Basic {}", base64(b.as_bytes())),
                    )
                })),
                Some(SecurityScheme::ApiKey { name, location }) if location == "header" => {
                    out.extend(self.api_key(scheme, name).map(|v| (name.clone(), v)));
                }
                Some(SecurityScheme::ApiKey { name, location }) if location == "cookie" => {
                    out.extend(
                        self.api_key(scheme, name)
                            .map(|v| ("Cookie".to_string(), format!("{name}={v}"))),
                    );
                }
                _ => {}
            }
        }
        out
    }

    fn query_credential(&self, call: &Call) -> Option<(String, String)> {
        if matches!(call.intent, Intent::WrongAuth(_)) {
            return None;
        }
        let api = self.api_of(call.op);
        let operation = self.ops[call.op.0].0;
        let requirement = operation
            .requirements
            .iter()
            .find(|r| r.iter().all(|s| self.can_meet(api, s)))?;
        requirement
            .iter()
            .find_map(|scheme| match api.security_schemes.get(scheme) {
                Some(SecurityScheme::ApiKey { name, location }) if location == "query" => {
                    self.api_key(scheme, name).map(|v| (name.clone(), v))
                }
                _ => None,
            })
    }

    fn can_meet(&self, api: &generator::ir::Api, scheme: &str) -> bool {
        let c = &self.settings.credentials;
        match api.security_schemes.get(scheme) {
            Some(SecurityScheme::Bearer | SecurityScheme::OAuth2) => c.bearer.is_some(),
            Some(SecurityScheme::Basic) => c.basic.is_some(),
            Some(SecurityScheme::ApiKey { name, .. }) => self.api_key(scheme, name).is_some(),
            None => false,
        }
    }

    fn api_key(&self, scheme: &str, name: &str) -> Option<String> {
        self.settings
            .credentials
            .api_keys
            .iter()
            .find(|(k, _)| k == scheme || k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    /// Sends `call` (or answers it from the cassette); returns the interaction's index.
    fn send(&mut self, call: &Call) -> Result<usize, EngineError> {
        let url = self.url_of(call);
        let mut headers: Vec<(String, String)> = vec![("Accept".into(), "application/json".into())];
        headers.extend(self.settings.headers.iter().cloned());
        headers.extend(self.credentials_for(call));
        let mut cookies = Vec::new();
        for (location, name, value) in &call.params {
            match location {
                ParamLocation::Header => headers.push((name.clone(), text_of(value))),
                ParamLocation::Cookie => cookies.push(format!("{name}={}", text_of(value))),
                _ => {}
            }
        }
        if !cookies.is_empty() {
            headers.push(("Cookie".into(), cookies.join("; ")));
        }
        let (content_type, body) = match (&call.raw_body, &call.body) {
            (Some((media, text)), _) => (Some(media.clone()), text.clone()),
            (None, Some((media, value))) if media == "application/x-www-form-urlencoded" => {
                (Some(media.clone()), form_text(value))
            }
            (None, Some((media, value))) if media == "multipart/form-data" => (
                Some(format!("{media}; boundary={BOUNDARY}")),
                multipart_text(value),
            ),
            (None, Some((media, value))) => (Some(media.clone()), value.to_string()),
            (None, None) => (None, String::new()),
        };
        if let Some(media) = &content_type
            && !(body.is_empty() && call.raw_body.is_some())
        {
            headers.push(("Content-Type".into(), media.clone()));
        }
        if let Some(rate) = self.settings.rate.filter(|r| *r > 0.0)
            && let Some(last) = self.last_send
        {
            let gap = Duration::from_secs_f64(1.0 / rate);
            if let Some(wait) = gap.checked_sub(last.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        self.last_send = Some(Instant::now());
        let started = Instant::now();
        let interaction = match &mut self.replay {
            Some(recorded) => {
                let sent = self.redaction.apply(&Interaction {
                    method: call.method.clone(),
                    url: url.clone(),
                    request_headers: Vec::new(),
                    request_body: body.clone(),
                    status: 0,
                    response_headers: Vec::new(),
                    response_body: String::new(),
                    recorded_at: String::new(),
                });
                let found = recorded.iter_mut().find(|(i, used)| {
                    !*used
                        && i.method.eq_ignore_ascii_case(&call.method)
                        && (i.url == url || i.url == sent.url)
                        && (i.request_body == body || i.request_body == sent.request_body)
                });
                match found {
                    Some((i, used)) => {
                        *used = true;
                        i.clone()
                    }
                    None => {
                        self.misses.push(format!("{} {url}", call.method));
                        Interaction {
                            method: call.method.clone(),
                            url: url.clone(),
                            request_headers: headers,
                            request_body: body,
                            status: 599,
                            response_headers: Vec::new(),
                            response_body: String::new(),
                            recorded_at: String::new(),
                        }
                    }
                }
            }
            None => {
                let method = reqwest::Method::from_bytes(call.method.as_bytes())
                    .map_err(|e| EngineError::Other(e.to_string()))?;
                let mut request = self.http.request(method, &url);
                for (k, v) in &headers {
                    request = request.header(k, v);
                }
                if !body.is_empty() {
                    request = request.body(body.clone());
                }
                let limit = self.settings.max_response_bytes;
                let response = self.runtime.block_on(async {
                    let mut response = request
                        .send()
                        .await
                        .map_err(|e| (error_chain(&e), e.is_connect()))?;
                    let status = response.status().as_u16();
                    let response_headers: Vec<(String, String)> = response
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect();
                    // Read chunk by chunk, so an endless body costs `limit` bytes, not memory.
                    let mut bytes = Vec::new();
                    while let Some(chunk) = response
                        .chunk()
                        .await
                        .map_err(|e| (error_chain(&e), false))?
                    {
                        if bytes.len() + chunk.len() > limit {
                            let reason = format!("the response body is longer than {limit} bytes");
                            return Err((reason, false));
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok::<_, (String, bool)>((status, response_headers, bytes))
                });
                let (status, response_headers, bytes) = match response {
                    Ok(r) => r,
                    Err((reason, connect)) if self.traffic.is_empty() || connect => {
                        return Err(EngineError::Unreachable {
                            url: self.base_url.clone(),
                            reason,
                        });
                    }
                    Err((reason, _)) => (
                        599,
                        Vec::new(),
                        format!("no response: {reason}").into_bytes(),
                    ),
                };
                Interaction {
                    method: call.method.clone(),
                    url,
                    request_headers: headers,
                    request_body: body,
                    status,
                    response_headers,
                    response_body: String::from_utf8_lossy(&bytes).into_owned(),
                    recorded_at: crate::traffic::now_rfc2822(),
                }
            }
        };
        if call.intent == Intent::Positive && !self.credentials_for(call).is_empty() {
            self.auth_statuses.push(interaction.status);
            if self.auth_statuses.len() == 5 && self.auth_statuses.iter().all(|s| *s == 401) {
                return Err(EngineError::CredentialsRefused {
                    calls: 5,
                    status: 401,
                });
            }
        }
        self.called[call.op.0] = true;
        self.attempts[call.op.0] += 1;
        if (200..300).contains(&interaction.status)
            && !matches!(
                call.intent,
                Intent::Negative(_) | Intent::WrongAuth(_) | Intent::UndeclaredMethod
            )
        {
            self.succeeded[call.op.0] = true;
        }
        if self.settings.verbose {
            eprintln!(
                "  {} -> {} ({} ms)",
                crate::report::call_line(&self.redaction.apply(&interaction)),
                interaction.status,
                started.elapsed().as_millis()
            );
        }
        self.traffic.push(interaction);
        if self.show_progress && self.traffic.len().is_multiple_of(250) {
            eprint!(
                "\r  {} calls, {:.1} s",
                self.traffic.len(),
                self.started.elapsed().as_secs_f64()
            );
        }
        self.elapsed.push(started.elapsed());
        Ok(self.traffic.len() - 1)
    }

    // ---- Judging -----------------------------------------------------------------------------

    /// Findings for one sequence of calls (each with its interaction index).
    fn judge(&self, calls: &[(Call, usize)]) -> Vec<Finding> {
        let judged: Vec<&(Call, usize)> = calls
            .iter()
            .filter(|(c, _)| c.intent != Intent::Helper)
            .collect();
        let slice: Vec<Interaction> = judged
            .iter()
            .map(|(_, i)| self.traffic[*i].clone())
            .collect();
        let mut findings = crate::check::check(self.model, &slice);
        // What the engine broke on purpose is not request drift; it judges the answer itself below.
        findings.retain(|f| {
            let Some(call) = f.interaction.map(|i| &judged[i].0) else {
                return true;
            };
            let deliberate = matches!(
                f.kind,
                Kind::RequestViolation | Kind::InvalidInputAccepted | Kind::IgnoredAuth
            ) && call.intent != Intent::Positive;
            let undeclared = matches!(
                f.kind,
                Kind::UndocumentedStatus
                    | Kind::UnknownOperation
                    | Kind::UndocumentedContentType
                    | Kind::SchemaViolation
            ) && call.intent == Intent::UndeclaredMethod;
            !deliberate && !undeclared
        });
        for (n, (call, index)) in judged.iter().enumerate() {
            let interaction = &self.traffic[*index];
            let operation = self.ops[call.op.0].0;
            let status = interaction.status;
            let base = || {
                Finding::new(Kind::ServerError, &operation.label()).with_interaction(n, interaction)
            };
            match &call.intent {
                Intent::Positive
                    if (400..500).contains(&status)
                        && ![401, 403, 404, 409, 429].contains(&status) =>
                {
                    findings.push(
                        Finding {
                            kind: Kind::SchemaValidRejected,
                            ..base()
                        }
                        .at(self.model, Some(crate::spec::at(&operation.origin)))
                        .expected("a 2xx answer to a request the spec allows")
                        .observed(format!(
                            "{status} {}",
                            clip(&interaction.response_body, 300)
                        ))
                        .message(format!(
                            "the server refused ({status}) a request valid by the spec: {}",
                            clip(&interaction.response_body, 200)
                        )),
                    );
                }
                Intent::Negative(what) if (200..300).contains(&status) => findings.push(
                    Finding {
                        kind: Kind::InvalidInputAccepted,
                        ..base()
                    }
                    .at(self.model, Some(crate::spec::at(&operation.origin)))
                    .expected("a 4xx refusal")
                    .observed(format!("{status} for {what}"))
                    .message(format!(
                        "the server accepted ({status}) a request the spec forbids: {what}"
                    )),
                ),
                // A requirement naming a scheme the spec does not define cannot be judged.
                Intent::WrongAuth(what)
                    if (200..300).contains(&status)
                        && operation
                            .requirements
                            .iter()
                            .flatten()
                            .all(|s| self.api_of(call.op).security_schemes.contains_key(s)) =>
                {
                    findings.push(
                        Finding {
                            kind: Kind::IgnoredAuth,
                            ..base()
                        }
                        .at(self.model, Some(crate::spec::at(&operation.origin)))
                        .pointer(if *what == "no credentials" {
                            ""
                        } else {
                            "/wrong"
                        })
                        .expected("401 or 403")
                        .observed(format!("{status} with {what}"))
                        .message(format!(
                            "the server answered {status} to a request with {what}"
                        )),
                    );
                }
                // RFC 9110: 401 (with a challenge) when credentials are missing, 403 when a known
                // client may not; schemathesis's "missing required header" check holds servers to it.
                Intent::WrongAuth("no credentials") if status == 403 => findings.push(
                    Finding { kind: Kind::UnauthorizedNot401, ..base() }
                        .at(self.model, Some(crate::spec::at(&operation.origin)))
                        .expected("401 with WWW-Authenticate")
                        .observed("403")
                        .message("a request without credentials was answered 403; RFC 9110 reserves 403 for a client known to lack permission and asks for 401 here"),
                ),
                Intent::UndeclaredMethod
                    if status != 405 || interaction.response_header("allow").is_none() =>
                {
                    findings.push(
                        Finding {
                            kind: Kind::UnsupportedMethodAccepted,
                            ..base()
                        }
                        .expected(format!(
                            "405 with Allow for {} {}",
                            call.method, operation.path
                        ))
                        .observed(format!(
                            "{status}{}",
                            if status == 405 { " without Allow" } else { "" }
                        ))
                        .message(format!(
                            "{} is not declared on {}, yet the server answered {status}",
                            call.method, operation.path
                        )),
                    )
                }
                _ => {}
            }
            if call.intent == Intent::Positive
                && let Some(response) = operation.response_for(status)
            {
                for header in response.headers.iter().filter(|h| h.required) {
                    let value = interaction.response_header(&header.name);
                    let broken = match (value, header.schema) {
                        (None, _) => Some("missing".to_string()),
                        (Some(v), Some(s)) if !header_fits(&self.model.api, s, v) => {
                            Some(format!("`{v}`"))
                        }
                        _ => None,
                    };
                    if let Some(observed) = broken {
                        findings.push(
                            Finding {
                                kind: Kind::ResponseHeaderViolation,
                                ..base()
                            }
                            .at(self.model, Some(crate::spec::at(&header.origin)))
                            .pointer(&format!("/headers/{}", header.name))
                            .expected(format!("required header {}", header.name))
                            .observed(observed.clone())
                            .message(format!(
                                "status {status}: declared required header `{}` is {observed}",
                                header.name
                            )),
                        );
                    }
                }
            }
            if call.intent == Intent::Positive
                && let Some(decode) = &self.settings.decode
                && let Some(id) = &operation.operation_id
                && !interaction.response_body.trim().is_empty()
                && let Some(result) = decode(id, status, &interaction.response_body)
            {
                match result {
                    Ok(unknowns) => {
                        for (pointer, type_name, value) in unknowns {
                            findings.push(
                                Finding { kind: Kind::UnknownEnumValue, ..base() }
                                    .pointer(&pointer)
                                    .expected(format!("a value {type_name} lists"))
                                    .observed(&value)
                                    .message(format!("the typed client decoded {value} at `{pointer}` into {type_name}::Unknown")),
                            );
                        }
                    }
                    // Only a body the spec allows is the typed client's fault.
                    Err(reason)
                        if !findings.iter().any(|f| {
                            f.interaction == Some(n) && f.kind == Kind::SchemaViolation
                        }) =>
                    {
                        findings.push(
                            Finding {
                                kind: Kind::TypedDecodeFailure,
                                ..base()
                            }
                            .expected("a body the generated type decodes")
                            .observed(clip(&reason, 200))
                            .message(format!(
                                "the typed client could not decode an answer the spec allows: {}",
                                clip(&reason, 200)
                            )),
                        )
                    }
                    Err(_) => {}
                }
            }
            if let Some(limit) = self.settings.max_response_time
                && self.elapsed[*index] > limit
            {
                findings.push(
                    Finding {
                        kind: Kind::SlowResponse,
                        ..base()
                    }
                    .expected(format!("at most {} ms", limit.as_millis()))
                    .observed(format!("{} ms", self.elapsed[*index].as_millis()))
                    .message(format!(
                        "the response took {} ms",
                        self.elapsed[*index].as_millis()
                    )),
                );
            }
        }
        // Reproductions: the sequence up to the call, helpers included.
        let lines: Vec<(usize, String)> = calls
            .iter()
            .map(|(c, i)| {
                (
                    *i,
                    format!(
                        "{}{}",
                        if c.intent == Intent::Helper {
                            "(test-only) "
                        } else {
                            ""
                        },
                        crate::report::call_line(&self.traffic[*i])
                    ),
                )
            })
            .collect();
        for f in &mut findings {
            let Some(n) = f.interaction else { continue };
            let index = judged[n].1;
            let upto = lines
                .iter()
                .position(|(i, _)| *i == index)
                .map_or(lines.len(), |p| p + 1);
            f.reproduce = lines[..upto].iter().map(|(_, l)| l.clone()).collect();
            f.answers = lines[..upto]
                .iter()
                .map(|(i, _)| crate::report::answer(&self.traffic[*i]))
                .collect();
            f.curl = crate::report::curl(&self.traffic[index]);
        }
        findings
    }

    // ---- Stateful sequences ------------------------------------------------------------------

    fn stateful(
        &mut self,
        baseline: &Baseline,
        findings: &mut Vec<Finding>,
    ) -> Result<(), EngineError> {
        let mut seen: Vec<String> = findings.iter().map(Finding::key).collect();
        for _ in 0..self.settings.sequences.unwrap_or(self.settings.max_cases) {
            if self.out_of_time() {
                break;
            }
            // Each sequence starts from an empty target when it can be reset, so what it shows
            // it shows on its own, and shrinks on its own.
            if let Some(reset) = &self.settings.reset {
                reset();
            }
            let calls = self.walk()?;
            let found = self.judge(&calls);
            self.note_found(&found);
            for f in found {
                let key = f.key();
                // Known findings are shrunk too: the report shows each with its shortest sequence.
                let _ = baseline;
                let fresh = !seen.contains(&key);
                if fresh && self.settings.shrink && self.replay.is_none() && f.reproduce.len() > 1 {
                    let upto = f.reproduce.len();
                    let shrunk = self.shrink(&calls, &key, upto)?.unwrap_or(f);
                    seen.push(key);
                    findings.push(shrunk);
                } else {
                    if !seen.contains(&key) {
                        seen.push(key);
                    }
                    findings.push(f);
                }
            }
        }
        Ok(())
    }

    /// One sequence: each step picks an operation whose inputs the values seen so far can fill,
    /// preferring consumers of the last step's output and operations not yet answered 2xx;
    /// a create is followed by a read of what it made, a delete by a read of what it removed.
    fn walk(&mut self) -> Result<Vec<(Call, usize)>, EngineError> {
        // Coverage-guided: most sequences start by replaying a stored prefix that reached
        // something new (an operation answering a new status, a new enum value in a response),
        // so deep states are reached by extension rather than by luck.
        let prefix: Vec<Call> = if !self.corpus.is_empty() && self.runner.rng().random_bool(0.75) {
            // Later (deeper) entries are more often chosen.
            let n = self.corpus.len();
            let a = self.runner.rng().random_range(0..n);
            let b = self.runner.rng().random_range(0..n);
            self.corpus[a.max(b)].clone()
        } else {
            Vec::new()
        };
        let length = prefix.len() + self.settings.sequence_length;
        let mut known: Vec<Known> = Vec::new();
        let mut calls: Vec<(Call, usize)> = Vec::new();
        let mut forced: Option<Call> = None;
        let mut prefix_alive = true;
        for step in 0..length {
            if self.out_of_time() {
                break;
            }
            // A stored call whose bound value this run's answers lack would reuse an old one;
            // the prefix ends there and the walk goes on by itself.
            let replayed = if prefix_alive {
                prefix
                    .get(step)
                    .and_then(|stored| rebind(stored.clone(), &calls, &self.traffic))
            } else {
                None
            };
            if prefix_alive && replayed.is_none() && step < prefix.len() {
                prefix_alive = false;
            }
            let call = if let Some(call) = replayed {
                call
            } else {
                match forced.take() {
                    Some(c) => c,
                    None => {
                        let last = calls.last().map(|(c, _)| c.op.0);
                        let Some(op) = self.pick(&known, last) else {
                            break;
                        };
                        let mut call = self.valid_call(OpRef(op), Some(&known));
                        // Now and then a step is broken on purpose, with real identifiers in
                        // it, so refusals are tested where the resource exists.
                        if self.ops[op].1
                            && self.runner.rng().random_bool(0.15)
                            && let Some(what) = self.break_one(OpRef(op), &mut call)
                        {
                            call.intent = Intent::Negative(what);
                        }
                        call
                    }
                }
            };
            let index = self.send(&call)?;
            let interaction = self.traffic[index].clone();
            let operation = self.ops[call.op.0].0;
            // Prefixes stay short enough to leave room for what follows them.
            if self.new_coverage(call.op, &interaction)
                && step >= prefix.len()
                && step < 2 * self.settings.sequence_length
            {
                let mut stored: Vec<Call> = calls.iter().map(|(c, _)| c.clone()).collect();
                stored.push(call.clone());
                self.corpus.push(stored);
            }
            if (200..300).contains(&interaction.status)
                && !matches!(call.intent, Intent::Negative(_) | Intent::WrongAuth(_))
            {
                learn(&mut known, &interaction, operation, &call, step);
                if prefix_alive && step + 1 < prefix.len() {
                    // The prefix decides the next call.
                } else if operation.method == Method::Delete
                    && let Some(read) = self
                        .ops
                        .iter()
                        .position(|(o, _)| o.method == Method::Get && o.path == operation.path)
                {
                    let mut again = call.clone();
                    again.op = OpRef(read);
                    again.method = "GET".into();
                    again.body = None;
                    again.raw_body = None;
                    again.params.retain(|(l, _, _)| *l == ParamLocation::Path);
                    again
                        .bindings
                        .retain(|b| matches!(b.slot, Slot::Param(ParamLocation::Path, _)));
                    again.intent = if self.ops[read].1 {
                        Intent::Positive
                    } else {
                        Intent::Helper
                    };
                    forced = Some(again);
                } else if operation.method == Method::Post && self.runner.rng().random_bool(0.5) {
                    let reads: Vec<usize> = self
                        .graph
                        .consumers(call.op.0)
                        .filter(|c| {
                            self.ops[*c].0.method == Method::Get
                                && self.ops[*c].0.path.contains('{')
                        })
                        .collect();
                    if !reads.is_empty() {
                        let read = reads[self.runner.rng().random_range(0..reads.len())];
                        forced = Some(self.valid_call(OpRef(read), Some(&known)));
                    }
                }
            }
            if std::env::var_os("SPECDRIFT_TRACE").is_some() {
                eprintln!(
                    "  step {step}: {} -> {}",
                    crate::report::call_line(&self.redaction.apply(&interaction)),
                    interaction.status
                );
            }
            calls.push((call, index));
        }
        if std::env::var_os("SPECDRIFT_TRACE").is_some() {
            eprintln!("-- end of sequence");
        }
        Ok(calls)
    }

    /// Whether this answer reaches something no earlier one did: the operation's status, or a
    /// value of an enum-typed response property.
    fn new_coverage(&mut self, op: OpRef, interaction: &Interaction) -> bool {
        let mut keys = vec![format!("{}|{}", op.0, interaction.status)];
        let operation = self.ops[op.0].0;
        let api = self.api_of(op);
        if let Some(schema) = operation
            .response_for(interaction.status)
            .and_then(|r| r.content.iter().find_map(|m| m.schema))
            && let Ok(body) = serde_json::from_str::<Value>(&interaction.response_body)
        {
            for (_, pointer, id) in graph::leaves(api, schema) {
                if api.schema(id).enumeration.is_some()
                    && let Some(v) = body.pointer(&pointer)
                {
                    keys.push(format!("{}|{}|{pointer}|{v}", op.0, interaction.status));
                }
            }
        }
        let mut fresh = false;
        for key in keys {
            fresh |= self.coverage.insert(key);
        }
        fresh
    }

    fn pick(&mut self, known: &[Known], last: Option<usize>) -> Option<usize> {
        let fed_by_last: Vec<usize> = last
            .map(|l| self.graph.consumers(l).collect())
            .unwrap_or_default();
        let weights: Vec<f64> = self
            .ops
            .iter()
            .enumerate()
            .map(|(i, (op, judged))| {
                let api = if *judged {
                    &self.model.api
                } else {
                    &self.extra.unwrap_or(self.model).api
                };
                // Path values worth knowing: free text (identifiers). Booleans, numbers and
                // enums are as good generated.
                let path_params: Vec<&str> = op
                    .parameters
                    .iter()
                    .filter(|p| p.location == ParamLocation::Path)
                    .filter(|p| {
                        p.schema.is_none_or(|s| {
                            let s = api.schema(s);
                            s.enumeration.is_none()
                                && s.types.iter().all(|t| *t == JsonType::String)
                        })
                    })
                    .map(|p| p.name.wire.as_str())
                    .collect();
                let fillable = path_params.iter().all(|p| {
                    known.iter().any(|k| graph::same_name(&k.name, p))
                        || self.settings.fixed.iter().any(|(n, _)| n == p)
                });
                let mut w = if path_params.is_empty() {
                    1.0
                } else if fillable {
                    3.0
                } else {
                    0.1
                };
                if fillable && fed_by_last.contains(&i) {
                    w *= 6.0;
                }
                // Operations never answered 2xx are worth trying, until they keep failing.
                if !self.succeeded[i] {
                    w *= if self.attempts[i] < 4 || fillable && !path_params.is_empty() {
                        3.0
                    } else {
                        0.3
                    };
                }
                w
            })
            .collect();
        let total: f64 = weights.iter().sum();
        if std::env::var_os("SPECDRIFT_TRACE_WEIGHTS").is_some() {
            let mut top: Vec<(f64, String)> = weights
                .iter()
                .zip(&self.ops)
                .map(|(w, (o, _))| (*w, o.label()))
                .collect();
            top.sort_by(|a, b| b.0.total_cmp(&a.0));
            eprintln!(
                "    weights after {:?}: {:?}",
                last.map(|l| self.ops[l].0.label()),
                &top[..5.min(top.len())]
            );
        }
        if total <= 0.0 {
            return None;
        }
        let mut x = self.runner.rng().random_range(0.0..total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return Some(i);
            }
            x -= w;
        }
        Some(weights.len() - 1)
    }

    /// The shortest sub-sequence of `calls` (dropping one call at a time, values re-bound from
    /// the new responses) that still shows the finding with `key`.
    fn shrink(
        &mut self,
        calls: &[(Call, usize)],
        key: &str,
        upto: usize,
    ) -> Result<Option<Finding>, EngineError> {
        let mut current = earliest_sources(calls, &self.traffic);
        // Nothing after the call that showed it matters.
        current.truncate(upto.max(1));
        let mut best: Option<Finding> = None;
        let mut budget = 60usize;
        let mut i = 0;
        // Passes until one drops nothing: a call needed only by a call dropped later in a pass
        // goes in the next one.
        let mut dropped_in_pass = false;
        loop {
            if i >= current.len() {
                if !dropped_in_pass {
                    break;
                }
                i = 0;
                dropped_in_pass = false;
            }
            if budget == 0 || self.out_of_time() {
                break;
            }
            let dropped = i;
            // A call whose value came from this one cannot stand without it: a reproduction
            // must not lean on what an earlier run left on the server.
            if current
                .iter()
                .any(|c| c.bindings.iter().any(|b| b.step == dropped))
            {
                i += 1;
                continue;
            }
            let mut candidate = current.clone();
            candidate.remove(i);
            for c in candidate.iter_mut() {
                c.bindings.retain(|b| b.step != dropped);
                for b in c.bindings.iter_mut() {
                    if b.step > dropped {
                        b.step -= 1;
                    }
                }
            }
            budget -= 1;
            let result = self.replay_calls(&candidate, key)?;
            if std::env::var_os("SPECDRIFT_TRACE_SHRINK").is_some() {
                eprintln!(
                    "shrink {key}: without call {dropped} of {}: {}",
                    current.len(),
                    if result.is_some() {
                        "still shows it"
                    } else {
                        "gone"
                    }
                );
            }
            match result {
                Some(f) => {
                    current = candidate;
                    best = Some(f);
                    dropped_in_pass = true;
                }
                None => i += 1,
            }
        }
        if best.is_none() {
            best = self.replay_calls(&current, key)?;
        }
        Ok(best)
    }

    fn replay_calls(&mut self, calls: &[Call], key: &str) -> Result<Option<Finding>, EngineError> {
        if let Some(reset) = &self.settings.reset {
            reset();
        }
        let mut sent: Vec<(Call, usize)> = Vec::new();
        for call in calls {
            let Some(call) = rebind(call.clone(), &sent, &self.traffic) else {
                return Ok(None);
            };
            let index = self.send(&call)?;
            sent.push((call, index));
        }
        Ok(self.judge(&sent).into_iter().find(|f| f.key() == key))
    }
}

/// The body the engine can make for `op`: a JSON media type (or `*/*`, sent as JSON), or a form
/// (`application/x-www-form-urlencoded`, its properties as fields), with its schema.
fn json_body(op: &Operation) -> Option<(String, SchemaId)> {
    let body = op.body.as_ref()?;
    let pick = |m: &generator::ir::Media| Some((m.media_type.clone(), m.schema?));
    body.content
        .iter()
        .find(|m| m.media_type.contains("json"))
        .and_then(pick)
        .or_else(|| {
            body.content
                .iter()
                .find(|m| m.media_type == "*/*")
                .and_then(|m| Some(("application/json".to_string(), m.schema?)))
        })
        .or_else(|| {
            body.content
                .iter()
                .find(|m| m.media_type == "application/x-www-form-urlencoded")
                .and_then(pick)
        })
        .or_else(|| {
            body.content
                .iter()
                .find(|m| m.media_type == "multipart/form-data")
                .and_then(pick)
        })
}

const BOUNDARY: &str = "specdrift-boundary-7f3a";

/// An object as `multipart/form-data` parts: each property a part, objects as JSON.
fn multipart_text(value: &Value) -> String {
    let Value::Object(map) = value else {
        return String::new();
    };
    let mut out = String::new();
    for (k, v) in map {
        let text = match v {
            Value::Object(_) | Value::Array(_) => v.to_string(),
            other => text_of(other),
        };
        out.push_str(&format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{k}.txt\"\r\n\r\n{text}\r\n"));
    }
    out.push_str(&format!("--{BOUNDARY}--\r\n"));
    out
}

/// A parameter that is also where an `apiKey` scheme puts its credential: the engine fills it
/// from the credentials, so breaking it tests the credentials, not the parameter.
fn is_credential(api: &generator::ir::Api, p: &generator::ir::Parameter) -> bool {
    api.security_schemes.values().any(|s| match s {
        SecurityScheme::ApiKey { name, location } => {
            name.eq_ignore_ascii_case(&p.name.wire)
                && location.as_str() == graph::location_word(p.location)
        }
        _ => false,
    })
}

/// A parameter whose broken value stays broken on the wire (a wrong type of a string does not).
fn wire_checkable(s: &generator::ir::Schema) -> bool {
    s.enumeration
        .as_ref()
        .is_some_and(|e| e.iter().all(Value::is_string))
        || s.types
            .iter()
            .any(|t| matches!(t, JsonType::Integer | JsonType::Number | JsonType::Boolean))
        || s.max_length.is_some()
        || s.min_length.is_some_and(|m| m > 0)
}

fn header_fits(api: &generator::ir::Api, schema: SchemaId, value: &str) -> bool {
    let s = api.schema(schema);
    match s.types.first() {
        Some(JsonType::Integer) => value.trim().parse::<i64>().is_ok(),
        Some(JsonType::Number) => value.trim().parse::<f64>().is_ok(),
        Some(JsonType::Boolean) => matches!(value.trim(), "true" | "false"),
        _ => s
            .enumeration
            .as_ref()
            .is_none_or(|e| e.iter().any(|v| v.as_str() == Some(value))),
    }
}

/// `call` with every bound value taken from the response it was bound to in `sent` (this run's
/// calls so far), or `None` when a value's source answered without it this time: replaying the
/// old value would lean on what an earlier run left on the server.
fn rebind(mut call: Call, sent: &[(Call, usize)], traffic: &[Interaction]) -> Option<Call> {
    for b in &call.bindings.clone() {
        let Some((_, index)) = sent.get(b.step) else {
            continue;
        };
        let value = match b.pointer.strip_prefix("param:") {
            Some(name) => sent[b.step]
                .0
                .params
                .iter()
                .find(|(_, n, _)| n == name)
                .map(|(_, _, v)| v.clone()),
            None => value_at(&traffic[*index], &b.pointer),
        };
        let value = value?;
        match &b.slot {
            Slot::Param(l, n) => {
                for (pl, pn, v) in call.params.iter_mut() {
                    if pl == l && pn == n {
                        *v = value.clone();
                    }
                }
            }
            Slot::Body(pointer) => {
                if let Some((_, body)) = &mut call.body
                    && let Some(slot) = body.pointer_mut(pointer)
                {
                    *slot = value;
                }
            }
        }
    }
    Some(call)
}

/// `calls` with every binding moved to the first call that showed its value: a customer id a
/// create call chose, bound later from a prize's or a KYC step's echo of it, is bound to the
/// create call, so the shrinker can drop the calls in between. Only identifier-like values
/// (strings of four characters or more) move; a coincidence like `"USD"` stays put.
fn earliest_sources(calls: &[(Call, usize)], traffic: &[Interaction]) -> Vec<Call> {
    let source_value = |b: &Binding| -> Option<Value> {
        let (call, index) = calls.get(b.step)?;
        match b.pointer.strip_prefix("param:") {
            Some(name) => call
                .params
                .iter()
                .find(|(_, n, _)| n == name)
                .map(|(_, _, v)| v.clone()),
            None => value_at(traffic.get(*index)?, &b.pointer),
        }
    };
    let showed = |step: usize, value: &Value| -> Option<String> {
        let (call, index) = &calls[step];
        if let Some((_, name, _)) = call.params.iter().find(|(_, _, v)| v == value) {
            return Some(format!("param:{name}"));
        }
        let interaction = traffic.get(*index)?;
        for (place, text) in [
            ("request", &interaction.request_body),
            ("response", &interaction.response_body),
        ] {
            if place == "response" && !(200..300).contains(&interaction.status) {
                continue;
            }
            let Ok(body) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            let mut leaves = Vec::new();
            json_leaves(&body, String::new(), 0, &mut leaves);
            if let Some((_, pointer, _)) = leaves.iter().find(|(_, _, v)| v == value) {
                return Some(format!("{place}:{pointer}"));
            }
        }
        None
    };
    calls
        .iter()
        .map(|(call, _)| {
            let mut call = call.clone();
            for b in call.bindings.iter_mut() {
                let Some(value) =
                    source_value(b).filter(|v| v.as_str().is_some_and(|s| s.len() >= 4))
                else {
                    continue;
                };
                if let Some((step, pointer)) =
                    (0..b.step).find_map(|e| showed(e, &value).map(|p| (e, p)))
                {
                    b.step = step;
                    b.pointer = pointer;
                }
            }
            call
        })
        .collect()
}

/// Remembers what a 2xx answer (and the request that got it) makes available to later calls.
fn learn(
    known: &mut Vec<Known>,
    interaction: &Interaction,
    op: &Operation,
    call: &Call,
    step: usize,
) {
    if let Ok(body) = serde_json::from_str::<Value>(&interaction.response_body) {
        let mut leaves = Vec::new();
        json_leaves(&body, String::new(), 0, &mut leaves);
        for (name, pointer, value) in leaves {
            for alias in graph::aliases(&name, op) {
                known.push(Known {
                    name: alias,
                    value: value.clone(),
                    step,
                    pointer: format!("response:{pointer}"),
                });
            }
        }
        // OpenAPI links name the target parameter themselves.
        if let Some(r) = op.response_for(interaction.status) {
            for link in &r.links {
                for (param, expression) in &link.parameters {
                    if let Some(pointer) = expression.strip_prefix("$response.body#")
                        && let Some(value) = body.pointer(pointer)
                    {
                        known.push(Known {
                            name: param.clone(),
                            value: value.clone(),
                            step,
                            pointer: format!("response:{pointer}"),
                        });
                    }
                }
            }
        }
    }
    if let Some(location) = interaction.response_header("location")
        && let Some(last) = location.trim_end_matches('/').rsplit('/').next()
    {
        for alias in graph::aliases("id", op) {
            known.push(Known {
                name: alias,
                value: Value::String(last.to_string()),
                step,
                pointer: "location:".into(),
            });
        }
    }
    if let Some((_, body)) = &call.body {
        let mut leaves = Vec::new();
        json_leaves(body, String::new(), 0, &mut leaves);
        for (name, pointer, value) in leaves
            .into_iter()
            .filter(|(n, _, _)| graph::identifier_like(n))
        {
            // A value this call took from an earlier one is known from there, so the calls in
            // between can be shrunk away (a change they made that the finding needs keeps them:
            // without it the replay no longer shows the finding).
            let (step, pointer) = origin(call, &Slot::Body(pointer.clone()))
                .unwrap_or((step, format!("request:{pointer}")));
            known.push(Known {
                name,
                value,
                step,
                pointer,
            });
        }
    }
    for (location, name, value) in &call.params {
        if *location == ParamLocation::Path {
            let (step, pointer) = origin(call, &Slot::Param(ParamLocation::Path, name.clone()))
                .unwrap_or((step, format!("param:{name}")));
            known.push(Known {
                name: name.clone(),
                value: value.clone(),
                step,
                pointer,
            });
        }
    }
}

/// Where the value in `slot` of `call` came from, when it was bound to an earlier call.
fn origin(call: &Call, slot: &Slot) -> Option<(usize, String)> {
    call.bindings
        .iter()
        .find(|b| b.slot == *slot)
        .map(|b| (b.step, b.pointer.clone()))
}

fn json_leaves(value: &Value, at: String, depth: usize, out: &mut Vec<(String, String, Value)>) {
    if depth > 4 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let pointer = format!("{at}/{}", generator::load::escape(k));
                match v {
                    Value::Object(_) | Value::Array(_) => json_leaves(v, pointer, depth + 1, out),
                    Value::Null => {}
                    scalar => out.push((k.clone(), pointer, scalar.clone())),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().take(3).enumerate() {
                json_leaves(v, format!("{at}/{i}"), depth + 1, out);
            }
        }
        _ => {}
    }
}

/// The value a binding points at in a new interaction (`response:/a/b`, `request:/x`, `param:name`).
fn value_at(interaction: &Interaction, pointer: &str) -> Option<Value> {
    let (place, pointer) = pointer.split_once(':')?;
    match place {
        "response" => serde_json::from_str::<Value>(&interaction.response_body)
            .ok()?
            .pointer(pointer)
            .cloned(),
        "request" => serde_json::from_str::<Value>(&interaction.request_body)
            .ok()?
            .pointer(pointer)
            .cloned(),
        "location" => interaction
            .response_header("location")
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .map(|s| Value::String(s.to_string())),
        _ => None,
    }
}

/// The latest value known under `name` (sometimes an older one).
fn pick_known<'k>(known: &'k [Known], name: &str, runner: &mut TestRunner) -> Option<&'k Known> {
    let matching: Vec<&Known> = known
        .iter()
        .filter(|k| graph::same_name(&k.name, name))
        .collect();
    if matching.is_empty() || !runner.rng().random_bool(0.9) {
        return None;
    }
    if matching.len() > 1 && runner.rng().random_bool(0.2) {
        return Some(matching[runner.rng().random_range(0..matching.len())]);
    }
    matching.last().copied()
}

fn set_named(value: &mut Value, name: &str, to: &Value, depth: usize) {
    if depth > 6 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == name {
                    *v = to.clone();
                } else {
                    set_named(v, name, to, depth + 1);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| set_named(v, name, to, depth + 1)),
        _ => {}
    }
}

/// A value as parameter text (`simple`/`form` style: arrays joined by commas).
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(","),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| [k.clone(), text_of(v)])
            .collect::<Vec<_>>()
            .join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// An object as form fields (`a=1&b=x`); arrays repeat their field.
fn form_text(value: &Value) -> String {
    let Value::Object(map) = value else {
        return String::new();
    };
    let mut fields = Vec::new();
    for (k, v) in map {
        match v {
            Value::Array(items) => fields.extend(
                items
                    .iter()
                    .map(|i| format!("{}={}", percent_encode(k), percent_encode(&text_of(i)))),
            ),
            other => fields.push(format!(
                "{}={}",
                percent_encode(k),
                percent_encode(&text_of(other))
            )),
        }
    }
    fields.join("&")
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"a"), "YQ==");
    }

    #[test]
    fn parameters_become_text_in_simple_style() {
        assert_eq!(text_of(&serde_json::json!(["a", 1, true])), "a,1,true");
        assert_eq!(percent_encode("a b/c"), "a%20b%2Fc");
    }

    #[test]
    fn json_leaves_carry_pointers() {
        let mut out = Vec::new();
        json_leaves(
            &serde_json::json!({"a": {"id": "x"}, "list": [{"n": 1}]}),
            String::new(),
            0,
            &mut out,
        );
        assert!(out.contains(&("id".into(), "/a/id".into(), serde_json::json!("x"))));
        assert!(out.contains(&("n".into(), "/list/0/n".into(), serde_json::json!(1))));
    }
}
