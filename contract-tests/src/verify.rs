//! `verify`: recorded traffic held against a spec. The capture is streamed in batches (a
//! line-delimited one never whole in memory), each batch parsed and checked on every core, and
//! what must outlive a batch is bounded: findings merged by key as they come, the sequence
//! checks' recent deletions and creations ([`crate::sequence::REMEMBERED`]), the secret values
//! a report must not show ([`SECRETS_KEPT`]). The checks are the ones the engine runs
//! ([`check::check_one`], [`Sequences`], [`check::CrossSearch`]); only their order of feeding
//! differs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use generator::ir::Method;

use crate::check::{self, CrossSearch};
use crate::redact::{Redaction, Secrets};
use crate::report::{self, Baseline, Finding, Kind, Merged, Report};
use crate::sequence::Sequences;
use crate::spec::{self, Model, Operation};
use crate::traffic::{self, Batch, Interaction};

/// How many distinct secret values a run keeps to scrub from its report, beyond those of the
/// interactions each reported finding came from (always kept).
pub const SECRETS_KEPT: usize = 4096;

/// Interactions per batch and core.
const PER_CORE: usize = 2048;

/// Checks recorded traffic in `traffic_path` against the spec at `spec_path`.
pub fn verify(
    spec_path: &Path,
    traffic_path: &Path,
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
    /// Another batch is read and checked: this many interactions so far.
    Reading { interactions: usize },
    /// The capture is read: this many interactions.
    TrafficRead { interactions: usize },
    /// One interaction was judged: its call line (redacted), status and the kinds found in it.
    Judged {
        index: usize,
        call: String,
        status: u16,
        kinds: Vec<Kind>,
    },
    /// Every check ran: this many findings (merged by key, not yet grouped by cause).
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
///
/// Which hosts are judged: those `--server` names; else the spec's servers' hosts, when the
/// capture reaches them; else (a staging or local capture) every host that served at least
/// one of the spec's operations, so a page's CDN and analytics still stay out. Each host's
/// findings are kept apart until the end decides.
pub fn verify_with(
    spec_path: &Path,
    traffic_path: &Path,
    baseline: &Baseline,
    options: &VerifyOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, String> {
    let model = Model::load(spec_path).map_err(|d| d.to_string())?;
    progress(Progress::SpecLoaded {
        operations: model.api.operations.len(),
    });
    let mut run = Run::new(&model, options);
    traffic::batches(traffic_path, run.batch_size(), &mut |batch| {
        run.batch(batch, progress)
    })
    .map_err(|e| e.to_string())?;
    progress(Progress::TrafficRead {
        interactions: run.seen,
    });
    let judged = run.judged_hosts();
    let mut findings = Merged::default();
    let mut interactions = 0;
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut secrets = std::mem::take(&mut run.secrets);
    for name in &run.order {
        let host = run.hosts.remove(name).expect("every host seen is kept");
        if judged.as_ref().is_some_and(|j| !j.contains(name)) {
            *skipped.entry(format!("other host {name}")).or_default() += host.seen;
            continue;
        }
        if host.preflights > 0 {
            *skipped.entry("CORS preflight".into()).or_default() += host.preflights;
        }
        interactions += host.seen - host.preflights;
        secrets.extend(host.finding_secrets);
        for f in host.findings.into_findings() {
            findings.add(f);
        }
    }
    // The cross-operation pass: evidence for an enum violation may come before or after it,
    // anywhere in the capture, so it reads the capture again, parsing only the lines that hold
    // a violating value.
    let cross = cross_operation(&model, traffic_path, findings.findings(), &|host: &str| {
        judged.as_ref().is_none_or(|j| j.iter().any(|h| h == host))
    })?;
    let total = findings.findings().len() + cross.len();
    for f in cross {
        findings.add(f);
    }
    progress(Progress::Checked { findings: total });
    let mut report = Report::new(findings.into_findings(), baseline, interactions)
        .redacted(&Secrets::of(secrets));
    report.fail_on = report::Level::VERIFY_DEFAULT.to_vec();
    report.skipped = skipped.into_iter().collect();
    Ok(report)
}

/// What one run has learnt so far.
struct Run<'m> {
    model: &'m Model,
    options: &'m VerifyOptions,
    redaction: Redaction,
    /// The hosts the spec's servers name (`None`: any host may serve it).
    spec_hosts: Option<Vec<String>>,
    /// Whether a spec host has been seen (from then on, other hosts need no checking).
    spec_host_seen: bool,
    hosts: HashMap<String, Host>,
    /// Hosts in order of first appearance.
    order: Vec<String>,
    /// Secret values seen, up to [`SECRETS_KEPT`].
    secrets: BTreeSet<String>,
    seen: usize,
}

/// One host's share of the capture.
#[derive(Default)]
struct Host {
    seen: usize,
    preflights: usize,
    /// Interactions that called one of the spec's operations.
    served: usize,
    findings: Merged,
    sequences: Sequences,
    /// The secrets of the interactions the kept findings came from.
    finding_secrets: BTreeSet<String>,
}

/// One interaction, after the checks that need only itself.
struct Judged<'m> {
    index: usize,
    host: String,
    /// `None` when its host is not judged.
    interaction: Option<Interaction>,
    preflight: bool,
    op: Option<&'m Operation>,
    /// The response body, when the checks parsed it (the sequence checks read it too).
    body: Option<serde_json::Value>,
    findings: Vec<Finding>,
    secrets: BTreeSet<String>,
}

impl<'m> Run<'m> {
    fn new(model: &'m Model, options: &'m VerifyOptions) -> Run<'m> {
        Run {
            model,
            options,
            redaction: Redaction::for_api(&model.api),
            spec_hosts: model.hosts(),
            spec_host_seen: false,
            hosts: HashMap::new(),
            order: Vec::new(),
            secrets: BTreeSet::new(),
            seen: 0,
        }
    }

    fn batch_size(&self) -> usize {
        PER_CORE * crate::cores::count()
    }

    /// The hosts `--server` names, if it names any.
    fn named_hosts(&self) -> Option<Vec<String>> {
        let servers = &self.options.servers;
        (!servers.is_empty()).then(|| servers.iter().map(|s| spec::host_of(s)).collect())
    }

    /// The hosts judged in the end (`None`: all).
    fn judged_hosts(&self) -> Option<Vec<String>> {
        if let Some(named) = self.named_hosts() {
            return Some(named);
        }
        let spec_hosts = self.spec_hosts.as_ref()?;
        if self.spec_host_seen {
            return Some(spec_hosts.clone());
        }
        Some(
            self.order
                .iter()
                .filter(|h| self.hosts[*h].served > 0)
                .cloned()
                .collect(),
        )
    }

    /// The only hosts whose interactions need checking, as far as this run knows yet (`None`:
    /// every host, until the end decides).
    fn checked_only(&self) -> Option<Vec<String>> {
        if let Some(named) = self.named_hosts() {
            return Some(named);
        }
        self.spec_hosts.clone().filter(|_| self.spec_host_seen)
    }

    fn batch(&mut self, batch: Batch, progress: &mut dyn FnMut(Progress)) -> Result<(), String> {
        let only = self.checked_only();
        let first_index = self.seen;
        let judged: Vec<Judged<'m>> = match batch {
            Batch::Entries {
                format,
                first,
                entries,
            } => {
                let parsed = crate::cores::map(entries, |n, entry| {
                    traffic::parse_entry(format, &entry, first + n)
                })?;
                let parsed = parsed.into_iter().collect::<Result<Vec<_>, String>>()?;
                let list: Vec<Interaction> = parsed.into_iter().flatten().collect();
                self.judge_all(list, first_index, only.as_deref())?
            }
            Batch::Interactions(list) => self.judge_all(list, first_index, only.as_deref())?,
        };
        for j in judged {
            self.seen += 1;
            self.merge(j, progress);
        }
        progress(Progress::Reading {
            interactions: self.seen,
        });
        Ok(())
    }

    fn judge_all(
        &self,
        list: Vec<Interaction>,
        first_index: usize,
        only: Option<&[String]>,
    ) -> Result<Vec<Judged<'m>>, String> {
        let (model, redaction) = (self.model, &self.redaction);
        crate::cores::map(list, |n, interaction| {
            judge(model, redaction, interaction, first_index + n, only)
        })
    }

    /// Takes one judged interaction into its host's share, in capture order.
    fn merge(&mut self, judged: Judged<'m>, progress: &mut dyn FnMut(Progress)) {
        let Judged {
            index,
            host: name,
            interaction,
            preflight,
            op,
            body,
            mut findings,
            secrets,
        } = judged;
        if self
            .spec_hosts
            .as_ref()
            .is_some_and(|hosts| hosts.contains(&name))
        {
            self.spec_host_seen = true;
        }
        if !self.hosts.contains_key(&name) {
            self.order.push(name.clone());
        }
        let host = self.hosts.entry(name).or_default();
        host.seen += 1;
        let Some(interaction) = interaction else {
            return;
        };
        if preflight {
            host.preflights += 1;
            return;
        }
        if op.is_some() {
            host.served += 1;
        }
        host.sequences.observe(
            self.model,
            index,
            &interaction,
            op,
            body.as_ref(),
            &mut findings,
        );
        if self.options.each_interaction {
            progress(Progress::Judged {
                index,
                call: report::call_line(&self.redaction.apply(&interaction)),
                status: interaction.status,
                kinds: findings.iter().map(|f| f.kind).collect(),
            });
        }
        let mut first = false;
        for f in findings {
            first |= host.findings.add(f);
        }
        if first {
            host.finding_secrets.extend(secrets.iter().cloned());
        }
        for secret in secrets {
            if self.secrets.len() >= SECRETS_KEPT {
                break;
            }
            self.secrets.insert(secret);
        }
    }
}

/// The checks one interaction needs on its own, run on a worker.
fn judge<'m>(
    model: &'m Model,
    redaction: &Redaction,
    interaction: Interaction,
    index: usize,
    only: Option<&[String]>,
) -> Judged<'m> {
    let host = spec::host_of(&interaction.url);
    if only.is_some_and(|hosts| !hosts.contains(&host)) {
        return Judged {
            index,
            host,
            interaction: None,
            preflight: false,
            op: None,
            body: None,
            findings: Vec::new(),
            secrets: BTreeSet::new(),
        };
    }
    let preflight = preflight(model, &interaction);
    let mut findings = Vec::new();
    let checked = if preflight {
        check::Checked::default()
    } else {
        check::check_one(model, &interaction, index, &mut findings)
    };
    let mut secrets = BTreeSet::new();
    let parsed = [checked.request.as_ref(), checked.response.as_ref()];
    redaction.collect_parsed(&interaction, parsed, &mut secrets);
    let op = checked.op;
    // Only a creation's body is read again (by the sequence checks).
    let body = checked
        .response
        .filter(|_| op.is_some_and(|o| o.method == Method::Post));
    Judged {
        index,
        host,
        interaction: Some(interaction),
        preflight,
        op,
        body,
        findings,
        secrets,
    }
}

/// A CORS preflight to a path that declares no OPTIONS: the browser's, not the API's.
fn preflight(model: &Model, interaction: &Interaction) -> bool {
    interaction.method == "OPTIONS"
        && interaction
            .request_header("access-control-request-method")
            .is_some()
        && model
            .find("OPTIONS", &interaction.path())
            .is_none_or(|op| op.method != Method::Options)
}

/// The cross-operation findings for the enum violations among `findings`, from a second
/// reading of the capture.
fn cross_operation(
    model: &Model,
    traffic_path: &Path,
    findings: &[Finding],
    judged: &dyn Fn(&str) -> bool,
) -> Result<Vec<Finding>, String> {
    let mut searches: Vec<CrossSearch<'_>> = findings
        .iter()
        .filter(|f| CrossSearch::wanted(f))
        .filter_map(|f| CrossSearch::new(model, f))
        .collect();
    if searches.is_empty() {
        return Ok(Vec::new());
    }
    // A line that holds none of the values (unless its bodies are base64) needs no parsing. A
    // YAML item is always parsed: YAML may fold a long string, or escape a line break, inside it.
    let raw: Vec<Option<String>> = searches.iter().map(CrossSearch::raw_needle).collect();
    let may_hold = |format: traffic::EntryFormat, line: &str| {
        format == traffic::EntryFormat::VcrYaml
            || line.contains("base64")
            || raw
                .iter()
                .any(|needle| needle.as_ref().is_none_or(|n| line.contains(n.as_str())))
    };
    let mut consider = |interaction: Interaction| {
        if !judged(&spec::host_of(&interaction.url)) || preflight(model, &interaction) {
            return;
        }
        if let Some(op) = model.find(&interaction.method, &interaction.path()) {
            for search in &mut searches {
                search.consider(model, op, &interaction);
            }
        }
    };
    traffic::batches(traffic_path, 4096, &mut |batch| {
        match batch {
            Batch::Interactions(list) => list.into_iter().for_each(&mut consider),
            Batch::Entries {
                format,
                first,
                entries,
            } => {
                for (n, entry) in entries.iter().enumerate() {
                    if may_hold(format, entry)
                        && let Some(interaction) = traffic::parse_entry(format, entry, first + n)?
                    {
                        consider(interaction);
                    }
                }
            }
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(searches
        .into_iter()
        .filter_map(CrossSearch::finish)
        .collect())
}
