//! The contract harness: recorded or live traffic held against a spec, and the contract engine
//! that produces such traffic from any spec against any server.
//!
//! - [`spec`] is the model the checks and the engine read (the lowered `ir::Api`, JSON Schema validators);

//! - [`traffic`] reads and writes VCR cassettes and HAR files;
//! - [`redact`] decides what a secret is (from the spec, by name, by shape) and hides it in
//!   cassettes, reports and traces;
//! - [`check`] holds interactions against the spec and returns [`report::Finding`]s;
//! - [`sequence`] holds the checks that need several interactions or the request's credentials;
//! - [`engine`] drives any server described by any spec (phases, stateful search, shrinking);
//! - [`report`] de-duplicates, groups by cause, applies the baseline, and renders text, JSON and
//!   JUnit XML; [`html`] renders it as one self-contained page;
//! - [`mock`] is a mock server for any spec, made from the model;
//! - [`vivamo`] runs the engine on Vivamo (the sandbox and its test-only document, typed decoding).
#![forbid(unsafe_code)]

pub mod check;
pub mod engine;
pub mod examples;
pub mod html;
pub mod mock;
pub mod redact;
pub mod report;
pub mod sequence;
pub mod spec;
pub mod traffic;
pub mod vivamo;

pub use report::{Baseline, Finding, Kind, Level, Report};

/// Checks recorded traffic in `traffic_path` against the spec at `spec_path`.
pub fn verify(
    spec_path: &std::path::Path,
    traffic_path: &std::path::Path,
    baseline: &Baseline,
) -> Result<Report, String> {
    verify_with(
        spec_path,
        traffic_path,
        baseline,
        &VerifyOptions::default(),
        &mut |_| {},
    )
}

/// What [`verify_with`] tells as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// The spec is loaded: this many operations.
    SpecLoaded { operations: usize },
    /// The capture is read: this many interactions.
    TrafficRead { interactions: usize },
    /// One interaction was judged: its call line (redacted), status and the kinds found in it.
    Judged {
        index: usize,
        call: String,
        status: u16,
        kinds: Vec<Kind>,
    },
    /// Every check ran: this many findings before de-duplication.
    Checked { findings: usize },
}

/// What `verify` judges.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Base URLs whose traffic is judged (`--server`); empty: the spec's servers, or every
    /// host when the spec names none (or only relative or templated ones).
    pub servers: Vec<String>,
    /// Tell [`Progress::Judged`] for every interaction (it costs a redacted copy of each).
    pub each_interaction: bool,
}

/// [`verify`] with `options`, calling `progress` at each step (the command line prints it on
/// stderr). Requests to other hosts (a page's CDN, analytics, fonts) and CORS preflights to
/// paths that declare no OPTIONS are not judged; the report counts them under `skipped`.
pub fn verify_with(
    spec_path: &std::path::Path,
    traffic_path: &std::path::Path,
    baseline: &Baseline,
    options: &VerifyOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, String> {
    let model = spec::Model::load(spec_path).map_err(|d| d.to_string())?;
    progress(Progress::SpecLoaded {
        operations: model.api.operations.len(),
    });
    let read = traffic::read(traffic_path).map_err(|e| e.to_string())?;
    progress(Progress::TrafficRead {
        interactions: read.len(),
    });
    // Which hosts are judged: those `--server` names; else the spec's servers' hosts, when the
    // capture reaches them; else (a staging or local capture) every host that served at least
    // one of the spec's operations, so a page's CDN and analytics still stay out.
    let hosts: Option<Vec<String>> = if options.servers.is_empty() {
        match model.hosts() {
            Some(hosts) if read.iter().any(|i| hosts.contains(&spec::host_of(&i.url))) => {
                Some(hosts)
            }
            Some(_) => {
                let mut serving: Vec<String> = read
                    .iter()
                    .filter(|i| model.find(&i.method, &i.path()).is_some())
                    .map(|i| spec::host_of(&i.url))
                    .collect();
                serving.sort();
                serving.dedup();
                Some(serving)
            }
            None => None,
        }
    } else {
        Some(options.servers.iter().map(|s| spec::host_of(s)).collect())
    };
    let mut skipped: std::collections::BTreeMap<String, usize> = Default::default();
    let mut traffic = Vec::with_capacity(read.len());
    for interaction in read {
        let host = spec::host_of(&interaction.url);
        if let Some(hosts) = &hosts
            && !hosts.contains(&host)
        {
            *skipped.entry(format!("other host {host}")).or_default() += 1;
            continue;
        }
        let preflight = interaction.method == "OPTIONS"
            && interaction
                .request_header("access-control-request-method")
                .is_some()
            && model
                .find("OPTIONS", &interaction.path())
                .is_none_or(|op| op.method != "OPTIONS");
        if preflight {
            *skipped.entry("CORS preflight".into()).or_default() += 1;
            continue;
        }
        traffic.push(interaction);
    }
    let findings = check::check(&model, &traffic);
    let redaction = redact::Redaction::for_api(&model.api);
    for (index, interaction) in traffic.iter().enumerate() {
        if !options.each_interaction {
            break;
        }
        progress(Progress::Judged {
            index,
            call: report::call_line(&redaction.apply(interaction)),
            status: interaction.status,
            kinds: findings
                .iter()
                .filter(|f| f.interaction == Some(index))
                .map(|f| f.kind)
                .collect(),
        });
    }
    progress(Progress::Checked {
        findings: findings.len(),
    });
    let secrets = redaction.secrets(&traffic);
    let mut report = Report::new(findings, baseline, traffic.len()).redacted(&secrets);
    report.fail_on = report::Level::VERIFY_DEFAULT.to_vec();
    report.skipped = skipped.into_iter().collect();
    Ok(report)
}
