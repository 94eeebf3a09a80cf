//! The Vivamo suite: the contract engine ([`crate::engine`]) run on `openapi.yaml` against the
//! target the environment names (the in-process sandbox by default), with the sandbox's
//! test-only endpoints described in `sandbox/testing.yaml` and answers also decoded through the
//! generated crate (`vivamo_api::contract`). Nothing here knows Vivamo's operations: the engine
//! finds its sequences from the spec.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine;
use crate::report::{Baseline, Report};
use crate::spec::Model;
use crate::traffic::Interaction;

/// What the suite runs against.
#[derive(Debug, Clone)]
pub enum Target {
    /// The local sandbox, started in-process on an ephemeral port (the default).
    Sandbox,
    /// A live server.
    Live { base_url: String, api_key: String },
    /// A recorded cassette, replayed offline.
    Cassette(PathBuf),
}

impl Target {
    /// From the environment: `VIVAMO_API_KEY` (with `VIVAMO_BASE_URL`, default the documented
    /// sandbox) selects a live target; otherwise the in-process sandbox.
    pub fn from_env() -> Target {
        match std::env::var("VIVAMO_API_KEY") {
            Ok(api_key) if !api_key.is_empty() => Target::Live {
                base_url: std::env::var("VIVAMO_BASE_URL")
                    .unwrap_or_else(|_| "https://api.test.vivamo.co".into()),
                api_key,
            },
            _ => Target::Sandbox,
        }
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub target: Target,
    /// Stateful sequences to explore (`SPECDRIFT_CASES`, default 100).
    pub cases: u32,
    /// The seed of every random choice, so a run can be repeated (and replayed from its cassette).
    pub seed: u64,
    /// Write the (redacted) traffic here as a cassette.
    pub record: Option<PathBuf>,
    /// Mask personal data in the cassette too.
    pub mask_personal_data: bool,
    /// Shrink new findings to their shortest sequence.
    pub shrink: bool,
    /// The engine's phases (default: all).
    pub phases: Vec<engine::Phase>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            target: Target::Sandbox,
            cases: std::env::var("SPECDRIFT_CASES")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(100),
            seed: 0x5eed_0fd2_1f70,
            record: None,
            mask_personal_data: false,
            shrink: true,
            phases: engine::Phase::ALL.to_vec(),
        }
    }
}

/// The outcome of a suite run.
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
    /// Everything exchanged with the target (secrets not redacted).
    pub traffic: Vec<Interaction>,
    /// Operations called at least once, of all the spec's.
    pub covered: (usize, usize),
}

/// The sandbox's test-only endpoints as a model.
pub fn testing_model() -> Result<Model, String> {
    Model::load_str(
        Path::new("sandbox/testing.yaml"),
        vivamo_sandbox::TESTING_SPEC,
    )
    .map_err(|d| d.to_string())
}

/// Decodes answers through the generated Vivamo crate.
pub fn typed_decoder() -> engine::Decoder {
    Arc::new(|id: &str, status: u16, body: &str| {
        vivamo_api::contract::decode(id, status, body).map(|r| {
            r.map(|unknowns| {
                // Undocumented properties and broken formats are judged from the spec itself
                // (`undocumented-property`, `schema-violation`); only unknown enum values here.
                unknowns
                    .into_iter()
                    .filter(|u| u.kind == vivamo_api::support::Unexpected::Value)
                    .map(|u| (u.path, u.type_name.to_string(), u.value))
                    .collect()
            })
        })
    })
}

/// Runs the suite on `spec` against `settings.target`.
pub fn run(spec: &Path, settings: &Settings, baseline: &Baseline) -> Result<Outcome, String> {
    let mut engine_settings = engine::Settings::new(engine::Target::Url(String::new()));
    engine_settings.max_cases = 5;
    engine_settings.sequences = Some(settings.cases as usize);
    engine_settings.seed = settings.seed;
    engine_settings.record = settings.record.clone();
    engine_settings.mask_personal_data = settings.mask_personal_data;
    engine_settings.shrink = settings.shrink;
    engine_settings.phases = settings.phases.clone();
    engine_settings.credentials.bearer = Some(vivamo_sandbox::DEFAULT_API_KEY.to_string());
    engine_settings.decode = Some(typed_decoder());
    match &settings.target {
        Target::Sandbox => {
            engine_against_sandbox(spec, engine_settings, baseline).map(|o| Outcome {
                report: o.report,
                traffic: o.traffic,
                covered: o.covered,
            })
        }
        Target::Live { base_url, api_key } => {
            // The live service has no `/_sandbox/` endpoints: the engine reaches what it can without them.
            engine_settings.target = engine::Target::Url(base_url.clone());
            engine_settings.credentials.bearer = Some(api_key.clone());
            run_engine(spec, &engine_settings, baseline)
        }
        Target::Cassette(path) => {
            engine_settings.target = engine::Target::Cassette(path.clone());
            engine_settings.extra = Some(Arc::new(testing_model()?));
            run_engine(spec, &engine_settings, baseline)
        }
    }
}

fn run_engine(
    spec: &Path,
    settings: &engine::Settings,
    baseline: &Baseline,
) -> Result<Outcome, String> {
    let model = Model::load(spec).map_err(|d| d.to_string())?;
    let outcome = engine::run(&model, settings, baseline).map_err(|e| e.to_string())?;
    Ok(Outcome {
        report: outcome.report,
        traffic: outcome.traffic,
        covered: outcome.covered,
    })
}

/// Runs the contract engine (no Vivamo-specific steps: only the spec, the sandbox's test-only
/// document and the credentials) against the in-process sandbox.
pub fn engine_against_sandbox(
    spec: &Path,
    mut settings: crate::engine::Settings,
    baseline: &Baseline,
) -> Result<crate::engine::Outcome, String> {
    let model = Model::load(spec).map_err(|d| d.to_string())?;
    let extra = Model::load_str(
        Path::new("sandbox/testing.yaml"),
        vivamo_sandbox::TESTING_SPEC,
    )
    .map_err(|d| d.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (sandbox, running) = runtime.block_on(async {
        let sandbox = vivamo_sandbox::Sandbox::new(
            vivamo_sandbox::Config::default(),
            vivamo_sandbox::Clock::fixed(1_771_113_845_000),
        );
        let running = sandbox
            .serve_with("127.0.0.1:0".parse().expect("a socket address"), false)
            .await
            .map_err(|e| format!("cannot start the sandbox: {e}"))?;
        Ok::<_, String>((sandbox, running))
    })?;
    if matches!(settings.target, crate::engine::Target::Url(ref u) if u.is_empty()) {
        settings.target = crate::engine::Target::Url(running.base_url());
    }
    if settings.credentials.bearer.is_none() {
        settings.credentials.bearer = Some(vivamo_sandbox::DEFAULT_API_KEY.to_string());
    }
    settings.extra = Some(Arc::new(extra));
    let fresh = sandbox.clone();
    settings.reset = Some(Arc::new(move || fresh.reset()));
    if settings.decode.is_none() {
        settings.decode = Some(typed_decoder());
    }
    let outcome = crate::engine::run(&model, &settings, baseline).map_err(|e| e.to_string());
    drop(running);
    drop(sandbox);
    drop(runtime);
    outcome
}
