//! The ready test a generated crate carries when it is generated with `--engine`: `cargo test
//! --features contract` in that crate runs the contract engine, every answer also decoded
//! through the crate's own types, against the target its environment names:
//!
//! - `SPECDRIFT_URL`: the server's base URL; without it, a mock of the spec is served in the
//!   test's own process, and only what the generated types must do is judged (decode every
//!   answer the spec allows, without an `Unknown` enum value or a server error);
//! - `SPECDRIFT_HEADERS`: extra headers on every request, one `Name: value` a line (the
//!   credentials, as `-H` gives them to `specdrift test`);
//! - `SPECDRIFT_MAX_CASES` (default 5) and `SPECDRIFT_SEED`.

use std::path::Path;
use std::sync::Arc;

use crate::engine::{self, Decoder, Settings, Target};
use crate::report::{Baseline, Kind};
use crate::spec::Model;

/// What a ready run found.
#[derive(Debug)]
pub struct Verdict {
    /// The target judged (`a mock of the spec`, or the URL).
    pub target: String,
    /// Calls made.
    pub calls: usize,
    /// Whether a finding fails the run.
    pub failed: bool,
    /// The report as text (redacted).
    pub text: String,
}

/// Runs the engine on `spec` against the target the environment names (see the module), with
/// `decode` as the typed front.
pub fn run(spec: &Path, decode: Decoder) -> Result<Verdict, String> {
    run_in(spec, decode, &|name| std::env::var(name).ok())
}

/// [`run`], with the variables read through `vars` instead of the process environment.
pub fn run_in(
    spec: &Path,
    decode: Decoder,
    vars: &dyn Fn(&str) -> Option<String>,
) -> Result<Verdict, String> {
    let env = |name: &str| vars(name).filter(|v| !v.trim().is_empty());
    let model = Arc::new(Model::load(spec).map_err(|d| format!("{}: {d}", spec.display()))?);
    let mut settings = Settings::new(Target::Url(String::new()));
    settings.decode = Some(decode);
    settings.progress = false;
    settings.max_cases = match env("SPECDRIFT_MAX_CASES") {
        Some(n) => n
            .parse()
            .map_err(|_| format!("SPECDRIFT_MAX_CASES={n}: not a number of cases"))?,
        None => 5,
    };
    if let Some(seed) = env("SPECDRIFT_SEED") {
        settings.seed = seed
            .parse()
            .map_err(|_| format!("SPECDRIFT_SEED={seed}: not a number"))?;
    }
    for line in env("SPECDRIFT_HEADERS").unwrap_or_default().lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("SPECDRIFT_HEADERS: `{line}` is not `Name: value`"))?;
        settings
            .headers
            .push((name.trim().to_string(), value.trim().to_string()));
    }
    let (mock, target) = match env("SPECDRIFT_URL") {
        Some(url) => {
            settings.target = Target::Url(url.clone());
            (None, url)
        }
        None => {
            let mock = crate::mock::background(model.clone())
                .map_err(|e| format!("cannot serve a mock of {}: {e}", spec.display()))?;
            settings.target = Target::Url(mock.running.base_url());
            settings.credentials = crate::mock::credentials(&model);
            // Against a mock, what is judged is the generated code, not a server.
            settings.checks = vec![
                Kind::TypedDecodeFailure,
                Kind::UnknownEnumValue,
                Kind::ServerError,
            ];
            (Some(mock), "a mock of the spec".to_string())
        }
    };
    let outcome =
        engine::run(&model, &settings, &Baseline::default()).map_err(|e| e.to_string())?;
    drop(mock);
    // The engine's report is redacted already.
    let report = outcome.report;
    Ok(Verdict {
        target,
        calls: outcome.traffic.len(),
        failed: report.fails(),
        text: report.to_text(),
    })
}
