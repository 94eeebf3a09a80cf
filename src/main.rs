//! `specdrift`: the command-line front end. The only place, with `build.rs`, that renders reports.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use generator::{Diagnostics, Severity};

/// OpenAPI code generator and contract-test harness.
///
/// With no subcommand, runs the main job on the Vivamo spec in this repository.
#[derive(Debug, Parser)]
#[command(name = "specdrift", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a spec against the OpenAPI 3.0/3.1 structural rules and report every problem with its place.
    Validate {
        /// The OpenAPI (or Swagger 2.0) document, YAML or JSON.
        #[arg(long)]
        spec: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Find inconsistencies inside one spec: enums of one property that differ by one value, one
    /// property name with different types, identifier names that drift, unused components, and
    /// every structural problem `validate` reports.
    Lint {
        /// The OpenAPI (or Swagger 2.0) document, YAML or JSON.
        #[arg(long)]
        spec: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 1 when a finding at or above this severity exists.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
    },
    /// Generate a Rust crate (Cargo.toml + src), or one file of inline modules to `include!`,
    /// from a spec. The same command as `specdrift-generate`. Exit 0 generated, 1 a file failed
    /// to emit (the rest is written), 2 unusable input.
    Generate {
        /// The OpenAPI 3.0/3.1 (or Swagger 2.0) document, YAML or JSON.
        #[arg(long)]
        spec: PathBuf,
        /// Directory to write the crate into (created if missing; only changed files are rewritten).
        #[arg(long, required_unless_present = "module", conflicts_with = "module")]
        out: Option<PathBuf>,
        /// Instead of a crate, one file of inline modules, for a crate to `include!`.
        #[arg(long)]
        module: Option<PathBuf>,
        /// Package name of the generated crate (default: the --out directory's name, or the --module file's stem).
        #[arg(long)]
        crate_name: Option<String>,
        /// Make the crate its own workspace root, so it builds even inside another workspace's directory.
        #[arg(long)]
        workspace_root: bool,
        /// Give the crate the contract engine's ready test (`tests/contract.rs`: `cargo test
        /// --features contract` fuzzes SPECDRIFT_URL, or a mock of the spec), with the engine
        /// crate at this directory (specdrift's contract-tests) as a dev-dependency.
        #[arg(long, conflicts_with = "module")]
        engine: Option<PathBuf>,
    },
    /// Check recorded traffic (a VCR cassette or a HAR 1.2 file) against a spec, with no server.
    /// Exit 0 when it conforms (or every finding is in the baseline), 1 when it drifts, 2 when an input cannot be read.
    Verify {
        /// The OpenAPI document the traffic should follow.
        #[arg(long)]
        spec: PathBuf,
        /// The recorded traffic: a cassette (JSON or YAML) or a HAR file.
        #[arg(long)]
        traffic: PathBuf,
        /// Known findings (JSON); they are reported but do not fail the run.
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// No progress on stderr (it shows only when stderr is a terminal anyway).
        #[arg(short = 'q', long, conflicts_with = "verbose")]
        quiet: bool,
        /// Every interaction on stderr with its status and what was found in it.
        #[arg(short = 'v', long)]
        verbose: bool,
        /// Which findings fail the run, comma-separated levels: `drift` (the server departs
        /// from the spec), `server-error` (a 5xx, even a documented one), `client` (a request
        /// that broke the spec), `note` (an undocumented property). Default: drift.
        #[arg(long, value_delimiter = ',')]
        fail_on: Vec<String>,
        /// Judge only traffic to this base URL (repeatable; default: the spec's servers, or
        /// every host when the spec names none). Other hosts are counted as not judged.
        #[arg(long = "server")]
        servers: Vec<String>,
    },
    /// Compare two releases of a spec: wire changes classed breaking / possibly breaking /
    /// non-breaking for a client, the change in the generated Rust API, and the semver bump it needs.
    Diff {
        /// The earlier spec.
        #[arg(long)]
        old: PathBuf,
        /// The later spec.
        #[arg(long)]
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit 1 when a breaking change exists.
        #[arg(long)]
        fail_on_breaking: bool,
    },
    /// Fuzz a running server against any spec: documented examples, boundary values, random
    /// valid inputs, negative inputs and stateful sequences, every answer held to the spec.
    /// Exit 0 clean (or every finding in the baseline), 1 findings, 2 unusable input or unreachable target.
    Test(Box<TestArgs>),
    /// Serve a mock of any spec: routes by the spec's paths, refuses what it forbids (400, 415,
    /// 405 with Allow), answers with documented examples or values made from the schemas, and
    /// 404s what a DELETE removed. For trying `test` before the server exists.
    Mock {
        /// The OpenAPI (or Swagger 2.0) document to serve.
        #[arg(long)]
        spec: PathBuf,
        /// Address to listen on (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:4010")]
        addr: std::net::SocketAddr,
    },
    /// Serve the local Vivamo sandbox (stateful, in memory; test-only helpers under /_sandbox/).
    Sandbox {
        /// Address to listen on (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:4010")]
        addr: std::net::SocketAddr,
        /// A secret key the sandbox accepts as a bearer token (repeatable).
        #[arg(long = "api-key", default_value = vivamo_sandbox::DEFAULT_API_KEY)]
        api_keys: Vec<String>,
    },
}

#[derive(Debug, clap::Args)]
struct TestArgs {
    /// The OpenAPI (or Swagger 2.0) document the server should follow.
    #[arg(long)]
    spec: PathBuf,
    /// The server's base URL (the spec's paths are appended; the first server's base path too
    /// when the URL has none).
    #[arg(long, conflicts_with_all = ["cassette", "sandbox"])]
    url: Option<String>,
    /// Replay a cassette recorded with `--record` instead of calling a server.
    #[arg(long, conflicts_with = "sandbox")]
    cassette: Option<PathBuf>,
    /// Run against the embedded Vivamo sandbox (its test-only endpoints loaded as `--extra`).
    #[arg(long)]
    sandbox: bool,
    /// An extra header on every request, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// Basic credentials `user:password` for `http: basic` schemes.
    #[arg(long)]
    auth: Option<String>,
    /// A bearer token for `http: bearer` and OAuth2 schemes (default: $SPECDRIFT_TOKEN).
    #[arg(long, env = "SPECDRIFT_TOKEN", hide_env_values = true)]
    bearer: Option<String>,
    /// An API key for an `apiKey` scheme, `scheme=value` (the scheme's name or its key name; repeatable).
    #[arg(long = "api-key")]
    api_keys: Vec<String>,
    /// Phases to run, comma-separated: examples, coverage, fuzzing, negative, stateful (default: all).
    #[arg(long, value_delimiter = ',')]
    phases: Vec<String>,
    /// Finding kinds to report, comma-separated (default: all), e.g. `schema-violation,ignored-auth`.
    #[arg(long, value_delimiter = ',')]
    checks: Vec<String>,
    /// Calls per operation in the fuzzing and negative phases, and sequences in the stateful one.
    #[arg(long, default_value_t = 10)]
    max_cases: usize,
    /// Stop starting new calls after this many seconds.
    #[arg(long)]
    max_time: Option<f64>,
    /// At most this many requests a second.
    #[arg(long)]
    rate: Option<f64>,
    /// Seed of every random choice: the same seed against the same server makes the same calls.
    #[arg(long, default_value_t = 0x5eed_0fd2_1f70)]
    seed: u64,
    /// Write the traffic, redacted, as a VCR cassette (replay it with `--cassette`).
    #[arg(long)]
    record: Option<PathBuf>,
    /// Known findings (JSON); they are reported but do not fail the run.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Operations the spec cannot describe (test-only endpoints), as an OpenAPI document of their own.
    #[arg(long)]
    extra: Option<PathBuf>,
    /// A fixed value for a parameter or body property, `name=value` (JSON, or text; repeatable).
    #[arg(long = "set")]
    fixed: Vec<String>,
    /// An operation never to call (`operationId` or `METHOD /path`; repeatable).
    #[arg(long)]
    skip: Vec<String>,
    /// Report responses slower than this many milliseconds.
    #[arg(long)]
    max_response_time: Option<u64>,
    /// Give up on one request after this many seconds (default 30), answer included.
    #[arg(long)]
    request_timeout: Option<f64>,
    /// Print the inferred graph of which response feeds which request (stderr), then run.
    #[arg(long)]
    show_graph: bool,
    /// Do not shrink new findings.
    #[arg(long)]
    no_shrink: bool,
    /// Stop at the first new finding (schemathesis's `-x`).
    #[arg(short = 'x', long)]
    exit_first: bool,
    /// No progress on stderr (it shows only when stderr is a terminal anyway).
    #[arg(short = 'q', long, conflicts_with = "verbose")]
    quiet: bool,
    /// Every call on stderr as it is made, with its status and time (credentials redacted).
    #[arg(short = 'v', long)]
    verbose: bool,
    /// Which findings fail the run, comma-separated levels: drift, server-error, client, note
    /// (default: drift,server-error).
    #[arg(long, value_delimiter = ',')]
    fail_on: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    Warning,
    Error,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    Text,
    Json,
    Markdown,
    /// One self-contained page.
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    Junit,
    /// One self-contained page (no network fetches) to open in a browser or attach to a PR.
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Exit codes shared by every subcommand.
mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const BAD_INPUT: u8 = 2;
}

/// At most one note per period: the progress line of a long run.
struct Throttle {
    period: f64,
    next: f64,
}

impl Throttle {
    /// The first note is due one period into the run.
    fn every(period: f64) -> Throttle {
        Throttle {
            period,
            next: period,
        }
    }

    /// Whether a note is due `seconds` into the run; if so, the next is a period later.
    fn due(&mut self, seconds: f64) -> bool {
        if seconds < self.next {
            return false;
        }
        self.next = seconds + self.period;
        true
    }
}

/// mimalloc (see [`generator::allocator`]): `verify` parses on every core and merges on one,
/// so most of what a worker allocates is freed by another thread, which glibc's allocator
/// handles slowly.
#[global_allocator]
static ALLOCATOR: generator::allocator::Allocator = generator::allocator::ALLOCATOR;

fn main() -> ExitCode {
    generator::allocator::keep_freed_memory();
    let cli = Cli::parse();
    // A panic is a bug in specdrift, never the user's input: say so in one line (the backtrace
    // only with RUST_BACKTRACE), and let the command that caught it exit non-zero.
    if std::env::var_os("RUST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|info| {
            eprintln!("specdrift: internal error (a bug, please report it with the spec): {info}");
        }));
    }
    let code = match cli.command {
        Some(Command::Validate { spec, format }) => validate(&spec, format),
        Some(Command::Lint {
            spec,
            format,
            fail_on,
        }) => lint(&spec, format, fail_on),
        Some(Command::Generate {
            spec,
            out,
            module,
            crate_name,
            workspace_root,
            engine,
        }) => {
            match generator::command::Generate::new(spec, out, module, crate_name, workspace_root)
                .and_then(|command| command.with_engine(engine))
            {
                Ok(command) => command.run(),
                Err(message) => {
                    eprintln!("error: {message}");
                    exit::BAD_INPUT
                }
            }
        }
        Some(Command::Test(args)) => test(*args),
        Some(Command::Sandbox { addr, api_keys }) => sandbox(addr, api_keys),
        Some(Command::Mock { spec, addr }) => mock(&spec, addr),
        Some(Command::Diff {
            old,
            new,
            format,
            fail_on_breaking,
        }) => diff(&old, &new, format, fail_on_breaking),
        Some(Command::Verify {
            spec,
            traffic,
            baseline,
            format,
            quiet,
            verbose,
            fail_on,
            servers,
        }) => {
            let chatter = if quiet {
                Chatter::Quiet
            } else if verbose {
                Chatter::Verbose
            } else if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                Chatter::Progress
            } else {
                Chatter::Quiet
            };
            match levels(&fail_on) {
                Ok(fail_on) => {
                    let run = VerifyRun {
                        format,
                        chatter,
                        fail_on,
                        options: contract_tests::VerifyOptions {
                            servers,
                            each_interaction: chatter == Chatter::Verbose,
                        },
                    };
                    verify(&spec, &traffic, baseline.as_deref(), run)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::BAD_INPUT
                }
            }
        }
        None => main_job(),
    };
    ExitCode::from(code)
}

fn validate(spec: &std::path::Path, format: Format) -> u8 {
    check(
        spec,
        format,
        FailOn::Error,
        generator::load::validate::validate,
    )
}

fn lint(spec: &std::path::Path, format: Format, fail_on: FailOn) -> u8 {
    check(spec, format, fail_on, lint_rules)
}

/// The generator's lints plus examples that their own schema rejects (checked with the contract
/// suite's JSON Schema validators).
fn lint_rules(spec: &generator::load::Spec) -> Diagnostics {
    let mut all = generator::lint::lint(spec);
    if let Ok(model) = contract_tests::spec::Model::load(&spec.root().path) {
        all.0.extend(contract_tests::examples::lint(&model).0);
    }
    all
}

/// Loads `spec`, runs `rules` over it, prints the findings and picks the exit code.
fn check(
    spec: &std::path::Path,
    format: Format,
    fail_on: FailOn,
    rules: fn(&generator::load::Spec) -> Diagnostics,
) -> u8 {
    let loaded = match generator::load::load(spec) {
        Ok(loaded) => loaded,
        Err(fatal) => {
            eprint!("{fatal}");
            return exit::BAD_INPUT;
        }
    };
    let mut all = loaded.diagnostics;
    all.0.extend(rules(&loaded.spec).0);
    all.normalize();
    match format {
        Format::Text => print_text(spec, &all),
        Format::Json => match serde_json_string(&all) {
            Ok(json) => println!("{json}"),
            Err(err) => {
                eprintln!("error: cannot render json: {err}");
                return exit::BAD_INPUT;
            }
        },
    }
    let failing = match fail_on {
        FailOn::Never => false,
        FailOn::Error => all.has_errors(),
        FailOn::Warning => !all.0.is_empty(),
    };
    if failing { exit::FINDINGS } else { exit::OK }
}

fn test(args: TestArgs) -> u8 {
    use contract_tests::engine::{Phase, Settings, Target};
    let bad = |message: String| {
        eprintln!("error: {message}");
        exit::BAD_INPUT
    };
    let model = match contract_tests::spec::Model::load(&args.spec) {
        Ok(m) => m,
        Err(d) => {
            eprint!("{d}");
            return exit::BAD_INPUT;
        }
    };
    let target = match (&args.url, &args.cassette, args.sandbox) {
        (Some(url), _, _) => match reqwest_url_ok(url) {
            Ok(()) => Target::Url(url.clone()),
            Err(e) => return bad(format!("--url {url}: {e}")),
        },
        (None, Some(path), _) => Target::Cassette(path.clone()),
        (None, None, true) => Target::Url(String::new()),
        (None, None, false) => {
            return bad("give a target: --url URL, --cassette FILE or --sandbox".into());
        }
    };
    let mut settings = Settings::new(target);
    for header in &args.headers {
        match header.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => settings
                .headers
                .push((name.trim().to_string(), value.trim().to_string())),
            _ => return bad(format!("-H `{header}`: expected `Name: value`")),
        }
    }
    settings.credentials.bearer = args.bearer.clone();
    settings.credentials.basic = args.auth.clone();
    for key in &args.api_keys {
        match key.split_once('=') {
            Some((scheme, value)) => settings
                .credentials
                .api_keys
                .push((scheme.to_string(), value.to_string())),
            None => return bad(format!("--api-key `{key}`: expected `scheme=value`")),
        }
    }
    if !args.phases.is_empty() {
        settings.phases.clear();
        for name in &args.phases {
            match Phase::parse(name) {
                Some(p) => settings.phases.push(p),
                None => {
                    return bad(format!(
                        "--phases: unknown phase `{name}` (examples, coverage, fuzzing, negative, stateful)"
                    ));
                }
            }
        }
    }
    for name in &args.checks {
        match contract_tests::Kind::parse(name) {
            Some(k) => settings.checks.push(k),
            None => {
                return bad(format!(
                    "--checks: unknown check `{name}` (one of: {})",
                    contract_tests::Kind::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    for pair in &args.fixed {
        let Some((name, value)) = pair.split_once('=') else {
            return bad(format!("--set `{pair}`: expected `name=value`"));
        };
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
        settings.fixed.push((name.to_string(), value));
    }
    settings.max_cases = args.max_cases;
    settings.max_time = args
        .max_time
        .filter(|t| *t > 0.0)
        .map(std::time::Duration::from_secs_f64);
    settings.rate = args.rate;
    settings.seed = args.seed;
    settings.record = args.record.clone();
    settings.skip = args.skip.clone();
    settings.shrink = !args.no_shrink;
    settings.exit_first = args.exit_first;
    settings.progress = !args.quiet;
    settings.verbose = args.verbose;
    match levels(&args.fail_on) {
        Ok(Some(levels)) => settings.fail_on = levels,
        Ok(None) => {}
        Err(e) => return bad(e),
    }
    settings.max_response_time = args.max_response_time.map(std::time::Duration::from_millis);
    if let Some(seconds) = args.request_timeout {
        match std::time::Duration::try_from_secs_f64(seconds) {
            Ok(t) if !t.is_zero() => settings.request_timeout = t,
            _ => {
                return bad(format!(
                    "--request-timeout {seconds}: expected a positive number of seconds"
                ));
            }
        }
    }
    if let Some(path) = &args.extra {
        match contract_tests::spec::Model::load(path) {
            Ok(m) => settings.extra = Some(std::sync::Arc::new(m)),
            Err(d) => {
                eprint!("{d}");
                return exit::BAD_INPUT;
            }
        }
    }
    let baseline = match &args.baseline {
        Some(path) => match contract_tests::Baseline::read(path) {
            Ok(b) => b,
            Err(e) => return bad(format!("cannot read the baseline: {e}")),
        },
        None => contract_tests::Baseline::default(),
    };
    if args.show_graph {
        eprint!(
            "{}",
            contract_tests::engine::graph_of(&model, settings.extra.as_deref())
        );
    }
    let outcome = if args.sandbox {
        drop(model);
        contract_tests::vivamo::engine_against_sandbox(&args.spec, settings, &baseline)
    } else {
        contract_tests::engine::run(&model, &settings, &baseline).map_err(|e| e.to_string())
    };
    match outcome {
        Ok(outcome) => {
            let target = args
                .url
                .clone()
                .or_else(|| args.cassette.as_ref().map(|c| c.display().to_string()))
                .unwrap_or_else(|| "the embedded sandbox".into());
            let context = contract_tests::html::Context {
                title: format!("specdrift test {} against {target}", args.spec.display()),
                covered: Some(outcome.covered),
            };
            print_report(&outcome.report, args.format, &context);
            if matches!(args.format, ReportFormat::Text) {
                println!(
                    "operations called: {} of {}",
                    outcome.covered.0, outcome.covered.1
                );
                if outcome.timed_out {
                    println!(
                        "stopped by --max-time {} s: the budget allowed more calls",
                        args.max_time.unwrap_or_default()
                    );
                }
            }
            if outcome.report.fails() {
                exit::FINDINGS
            } else {
                exit::OK
            }
        }
        Err(e) => bad(e),
    }
}

fn reqwest_url_ok(url: &str) -> Result<(), String> {
    match url.split_once("://") {
        Some(("http" | "https", rest)) if !rest.is_empty() => Ok(()),
        _ => Err("expected an http:// or https:// URL".into()),
    }
}

fn diff(
    old: &std::path::Path,
    new: &std::path::Path,
    format: DiffFormat,
    fail_on_breaking: bool,
) -> u8 {
    let mut apis = Vec::new();
    for path in [old, new] {
        match generator::load::load(path) {
            Ok(loaded) => apis.push(generator::ir::lower(&loaded.spec).0),
            Err(fatal) => {
                eprint!("{fatal}");
                return exit::BAD_INPUT;
            }
        }
    }
    let diff = generator::diff::diff(&apis[0], &apis[1]);
    match format {
        DiffFormat::Text => print!("{}", diff.to_text()),
        DiffFormat::Json => println!("{}", diff.to_json()),
        DiffFormat::Markdown => print!("{}", diff.to_markdown()),
        DiffFormat::Html => print!(
            "{}",
            diff.to_html(&old.display().to_string(), &new.display().to_string())
        ),
    }
    if fail_on_breaking && diff.breaking() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// `--fail-on` levels, or `None` when none were given (each command has its default).
fn levels(names: &[String]) -> Result<Option<Vec<contract_tests::Level>>, String> {
    if names.is_empty() {
        return Ok(None);
    }
    names
        .iter()
        .map(|n| {
            contract_tests::Level::parse(n.trim()).ok_or_else(|| {
                format!("--fail-on: unknown level `{n}` (drift, server-error, client, note)")
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// How `verify` runs and reports, from its flags.
struct VerifyRun {
    format: ReportFormat,
    chatter: Chatter,
    fail_on: Option<Vec<contract_tests::Level>>,
    options: contract_tests::VerifyOptions,
}

/// How much `verify` says on stderr while it works.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Chatter {
    Quiet,
    /// Steps (spec loaded, interactions read, checks done): the default on a terminal.
    Progress,
    /// Steps and every interaction.
    Verbose,
}

fn verify(
    spec: &std::path::Path,
    traffic: &std::path::Path,
    baseline: Option<&std::path::Path>,
    run: VerifyRun,
) -> u8 {
    let VerifyRun {
        format,
        chatter,
        fail_on,
        options,
    } = run;
    let baseline = match baseline.map(contract_tests::Baseline::read).transpose() {
        Ok(b) => b.unwrap_or_default(),
        Err(err) => {
            eprintln!("error: cannot read the baseline: {err}");
            return exit::BAD_INPUT;
        }
    };
    let started = std::time::Instant::now();
    // A long capture shows its progress, at most once every two seconds.
    let mut reading_note = Throttle::every(2.0);
    let mut tell = |p: contract_tests::Progress| {
        use contract_tests::Progress;
        if chatter == Chatter::Quiet {
            return;
        }
        let seconds = started.elapsed().as_secs_f64();
        match p {
            Progress::SpecLoaded { operations } => {
                eprintln!(
                    "verify: {} loaded, {operations} operation(s) ({seconds:.1} s)",
                    spec.display()
                );
            }
            Progress::Reading { interactions } => {
                if reading_note.due(seconds) {
                    eprintln!(
                        "verify: {interactions} interaction(s) read and checked ({seconds:.1} s)"
                    );
                }
            }
            Progress::TrafficRead { interactions } => {
                eprintln!(
                    "verify: {} read, {interactions} interaction(s) ({seconds:.1} s)",
                    traffic.display()
                );
            }
            Progress::Judged {
                index,
                call,
                status,
                kinds,
            } if chatter == Chatter::Verbose => {
                let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                let found = if kinds.is_empty() {
                    "conforms".to_string()
                } else {
                    kinds.join(", ")
                };
                eprintln!(
                    "  #{} {} -> {status}: {found}",
                    index + 1,
                    contract_tests::check::clip(&call, 160)
                );
            }
            Progress::Judged { .. } => {}
            Progress::Checked { findings } => {
                eprintln!(
                    "verify: checked, {findings} finding(s) before grouping ({seconds:.1} s)"
                );
            }
        }
    };
    let report = match contract_tests::verify_with(spec, traffic, &baseline, &options, &mut tell) {
        Ok(mut report) => {
            if let Some(levels) = fail_on {
                report.fail_on = levels;
            }
            report
        }
        Err(err) => {
            eprint!("{err}");
            if !err.ends_with('\n') {
                eprintln!();
            }
            return exit::BAD_INPUT;
        }
    };
    let context = contract_tests::html::Context {
        title: format!(
            "specdrift verify {} against {}",
            spec.display(),
            traffic.display()
        ),
        covered: None,
    };
    print_report(&report, format, &context);
    if report.fails() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

fn print_report(
    report: &contract_tests::Report,
    format: ReportFormat,
    context: &contract_tests::html::Context,
) {
    match format {
        ReportFormat::Html => print!("{}", report.to_html(context)),
        ReportFormat::Text => print!("{}", report.to_text()),
        ReportFormat::Json => println!("{}", report.to_json()),
        ReportFormat::Junit => print!("{}", report.to_junit()),
    }
}

fn mock(spec: &std::path::Path, addr: std::net::SocketAddr) -> u8 {
    let model = match contract_tests::spec::Model::load(spec) {
        Ok(m) => std::sync::Arc::new(m),
        Err(d) => {
            eprint!("{d}");
            return exit::BAD_INPUT;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return exit::BAD_INPUT;
        }
    };
    runtime.block_on(async {
        match contract_tests::mock::serve(model, addr).await {
            Ok(running) => {
                println!(
                    "mock of {} listening on {}",
                    spec.display(),
                    running.base_url()
                );
                let _ = tokio::signal::ctrl_c().await;
                exit::OK
            }
            Err(err) => {
                eprintln!("error: cannot listen on {addr}: {err}");
                exit::BAD_INPUT
            }
        }
    })
}

fn sandbox(addr: std::net::SocketAddr, api_keys: Vec<String>) -> u8 {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return exit::BAD_INPUT;
        }
    };
    runtime.block_on(async {
        let config = vivamo_sandbox::Config { api_keys, ..vivamo_sandbox::Config::default() };
        let sandbox = vivamo_sandbox::Sandbox::new(config, vivamo_sandbox::Clock::system());
        match sandbox.serve(addr).await {
            Ok(running) => {
                println!("vivamo sandbox listening on {} (bearer secret key required; test-only helpers under /_sandbox/)", running.base_url());
                let _ = tokio::signal::ctrl_c().await;
                exit::OK
            }
            Err(err) => {
                eprintln!("error: cannot listen on {addr}: {err}");
                exit::BAD_INPUT
            }
        }
    })
}

fn print_text(spec: &std::path::Path, all: &Diagnostics) {
    print!("{all}");
    let errors = all
        .0
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = all.0.len() - errors;
    println!(
        "{}: {errors} error(s), {warnings} warning(s)",
        spec.display()
    );
}

fn serde_json_string(all: &Diagnostics) -> Result<String, String> {
    generator::diagnostics::to_json(all).map_err(|e| e.to_string())
}

/// The main job: check the spec, generate the Vivamo bindings, print where the spec disagrees with
/// itself (lint), run the contract suite against the embedded sandbox (or the live target named by
/// `VIVAMO_API_KEY`/`VIVAMO_BASE_URL`) and print the drift report.
fn main_job() -> u8 {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let spec = root.join("openapi.yaml");
    println!("main job: checking {}", spec.display());
    let code = validate(&spec, Format::Text);
    if code != exit::OK {
        return code;
    }
    match generator::generate_file(&spec, &generator::Settings::new("vivamo-api")) {
        Ok(output) => {
            let models = output
                .files
                .get(std::path::Path::new("src/models.rs"))
                .map_or(0, |m| {
                    m.matches("\npub struct ").count() + m.matches("\npub enum ").count()
                });
            println!(
                "generated the vivamo-api crate: {} files, {models} types (the build keeps generated/ identical to it)",
                output.files.len()
            );
        }
        Err(fatal) => {
            eprint!("{fatal}");
            return exit::BAD_INPUT;
        }
    }
    println!();
    println!("where openapi.yaml disagrees with itself (lint):");
    if let Ok(loaded) = generator::load::load(&spec) {
        print!("{}", lint_rules(&loaded.spec));
    }
    println!();
    let target = contract_tests::vivamo::Target::from_env();
    let settings = contract_tests::vivamo::Settings {
        target: target.clone(),
        ..Default::default()
    };
    let baseline_path = root.join("contract-tests/baseline.json");
    let baseline = match contract_tests::Baseline::read(&baseline_path) {
        Ok(b) => b,
        Err(err) => {
            eprintln!("error: cannot read the baseline: {err}");
            return exit::BAD_INPUT;
        }
    };
    let described = match &target {
        contract_tests::vivamo::Target::Sandbox => "the embedded sandbox".to_string(),
        contract_tests::vivamo::Target::Live { base_url, .. } => base_url.clone(),
        contract_tests::vivamo::Target::Cassette(path) => path.display().to_string(),
    };
    println!(
        "contract engine: documented examples, edge values, random valid and invalid inputs, then {} stateful sequences against {described} (SPECDRIFT_CASES to change)",
        settings.cases
    );
    match contract_tests::vivamo::run(&spec, &settings, &baseline) {
        Ok(outcome) => {
            print!("{}", outcome.report.to_text());
            let page = root.join("target/specdrift-report.html");
            let context = contract_tests::html::Context {
                title: format!("specdrift main job: {} against {described}", spec.display()),
                covered: Some(outcome.covered),
            };
            let written = std::fs::create_dir_all(root.join("target"))
                .and_then(|()| std::fs::write(&page, outcome.report.to_html(&context)));
            match written {
                Ok(()) => println!("\nthe same report as a page: {}", page.display()),
                Err(err) => eprintln!("warning: cannot write {}: {err}", page.display()),
            }
            if outcome.report.fails() {
                exit::FINDINGS
            } else {
                code
            }
        }
        Err(err) => {
            eprintln!("error: {err}");
            exit::BAD_INPUT
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Throttle;

    /// A run that reports a batch every 0.3 s for 10 s notes its progress every 2 s at most:
    /// never in its first two seconds, never twice within two.
    #[test]
    fn progress_is_noted_at_most_once_a_period() {
        let mut throttle = Throttle::every(2.0);
        let times: Vec<f64> = (1..=33).map(|i| f64::from(i) * 0.3).collect();
        let noted: Vec<f64> = times.into_iter().filter(|t| throttle.due(*t)).collect();
        assert!(noted.first().is_some_and(|t| *t >= 2.0), "{noted:?}");
        assert!(noted.windows(2).all(|w| w[1] - w[0] >= 2.0), "{noted:?}");
        assert_eq!(noted.len(), 4, "{noted:?}");
    }
}
