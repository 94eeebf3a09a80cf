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
    verify_with(spec_path, traffic_path, baseline, &mut |_| {})
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

/// [`verify`], calling `progress` at each step (the command line prints it on stderr).
pub fn verify_with(
    spec_path: &std::path::Path,
    traffic_path: &std::path::Path,
    baseline: &Baseline,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, String> {
    let model = spec::Model::load(spec_path).map_err(|d| d.to_string())?;
    progress(Progress::SpecLoaded {
        operations: model.api.operations.len(),
    });
    let traffic = traffic::read(traffic_path).map_err(|e| e.to_string())?;
    progress(Progress::TrafficRead {
        interactions: traffic.len(),
    });
    let findings = check::check(&model, &traffic);
    let redaction = redact::Redaction::for_api(&model.api);
    for (index, interaction) in traffic.iter().enumerate() {
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
    Ok(report)
}
