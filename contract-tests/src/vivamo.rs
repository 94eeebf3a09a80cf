//! The Vivamo suite: proptest generates call sequences (customer → disbursement intent →
//! submission → approval queue → proceed → status, payments, KYC, prizes, geolocation, and
//! requests invalid on purpose); the generated client runs them against the target through the
//! recording [`Proxy`]; every interaction is checked against the spec; each new finding is then
//! shrunk by proptest to the shortest sequence that still shows it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::{Value, json};
use vivamo_api::client::{Client, Credentials, Secret};
use vivamo_api::{Inspect, models};

use crate::check;
use crate::proxy::{NEGATIVE_HEADER, Proxy, Upstream};
use crate::report::{Baseline, Finding, Kind, Report};
use crate::spec::Model;
use crate::traffic::{Interaction, Redaction};

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
    /// Generated sequences to explore (`SPECDRIFT_CASES`, default 24).
    pub cases: u32,
    /// The proptest seed, so a run can be repeated (and replayed from its cassette).
    pub seed: u64,
    /// Write the (redacted) traffic here as a cassette.
    pub record: Option<PathBuf>,
    /// Mask personal data in the cassette too.
    pub mask_personal_data: bool,
    /// Shrink new findings to their shortest sequence.
    pub shrink: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            target: Target::Sandbox,
            cases: std::env::var("SPECDRIFT_CASES")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(24),
            seed: 0x5eed_0fd2_1f70,
            record: None,
            mask_personal_data: false,
            shrink: true,
        }
    }
}

/// One call the suite can make.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    CreateCustomer {
        kyc: bool,
    },
    UpdateCustomer {
        city: String,
    },
    GetCustomer,
    ListCustomers {
        page: i64,
        size: i64,
    },
    CreateDisbursementIntent {
        cents: u32,
    },
    /// Test-only (the SDK's part): the customer submits a payout method.
    SubmitPayoutMethod {
        kind: &'static str,
        fail: bool,
    },
    ApprovalQueue,
    Proceed {
        allow: bool,
    },
    DisbursementStatus,
    CreatePaymentIntent {
        cents: u32,
    },
    /// Test-only: the customer pays.
    Pay {
        fail: bool,
    },
    PaymentStatus,
    /// Test-only then API: KYC documents land under review, then the operator decides.
    KycReview {
        approve: bool,
    },
    KycInfo,
    Geolocation {
        ip: [u8; 4],
    },
    RecordPrize {
        dollars: u32,
    },
    Prizes,
    /// A request body the spec forbids (from the generated strategies): the server must refuse it.
    Invalid {
        target: usize,
        body: Value,
    },
    /// The whole disbursement flow: intent, submission, approval queue, decision, status.
    DisbursementFlow {
        cents: u32,
        kind: &'static str,
        fail: bool,
        allow: bool,
    },
    /// The whole payment flow: intent, payment, status.
    PaymentFlow {
        cents: u32,
        fail: bool,
    },
    /// Test-only: time passes (pending transfers settle).
    Wait {
        seconds: u64,
    },
}

/// Where the spec-forbidden bodies go: (method, path; `{c}` is the current customer).
const INVALID_TARGETS: [(&str, &str); 9] = [
    ("POST", "/v1/customers"),
    ("PUT", "/v1/customers/{c}/data"),
    ("POST", "/v1/customers/{c}/kyc-verify/proof_of_id"),
    ("POST", "/v1/customers/{c}/prizes"),
    ("POST", "/v1/payment-intents"),
    ("POST", "/v1/disbursement-intents"),
    ("POST", "/v1/operators/check-geolocation"),
    ("POST", "/v1/operators/webhooks"),
    ("DELETE", "/v1/operators/webhooks"),
];

/// Request bodies the spec forbids, from the generated strategies (a required property dropped,
/// a property of the wrong type, a value outside its enum), with their target.
fn invalid_bodies() -> impl Strategy<Value = Step> {
    use vivamo_api::strategies as s;
    prop_oneof![
        s::create_customer_body_invalid().prop_map(|body| Step::Invalid { target: 0, body }),
        s::update_customer_body_invalid().prop_map(|body| Step::Invalid { target: 1, body }),
        s::set_customer_kyc_manually_verified_body_invalid()
            .prop_map(|body| Step::Invalid { target: 2, body }),
        s::record_prize_body_invalid().prop_map(|body| Step::Invalid { target: 3, body }),
        s::create_payment_intent_body_invalid().prop_map(|body| Step::Invalid { target: 4, body }),
        s::create_disbursement_intent_body_invalid()
            .prop_map(|body| Step::Invalid { target: 5, body }),
        s::check_geolocation_body_invalid().prop_map(|body| Step::Invalid { target: 6, body }),
        s::register_webhook_body_invalid().prop_map(|body| Step::Invalid { target: 7, body }),
        s::delete_webhook_body_invalid().prop_map(|body| Step::Invalid { target: 8, body }),
    ]
}

const KINDS: [&str; 4] = ["card", "bank", "pay_by_bank", "crypto"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => any::<bool>().prop_map(|kyc| Step::CreateCustomer { kyc }),
        1 => "[A-Z][a-z]{2,8}".prop_map(|city| Step::UpdateCustomer { city }),
        1 => Just(Step::GetCustomer),
        1 => (1i64..4, 1i64..20).prop_map(|(page, size)| Step::ListCustomers { page, size }),
        3 => (1u32..500_000).prop_map(|cents| Step::CreateDisbursementIntent { cents }),
        3 => (0usize..4, proptest::bool::weighted(0.25)).prop_map(|(k, fail)| Step::SubmitPayoutMethod { kind: KINDS[k], fail }),
        1 => Just(Step::ApprovalQueue),
        3 => any::<bool>().prop_map(|allow| Step::Proceed { allow }),
        3 => Just(Step::DisbursementStatus),
        2 => (1u32..500_000).prop_map(|cents| Step::CreatePaymentIntent { cents }),
        2 => any::<bool>().prop_map(|fail| Step::Pay { fail }),
        2 => Just(Step::PaymentStatus),
        1 => any::<bool>().prop_map(|approve| Step::KycReview { approve }),
        1 => Just(Step::KycInfo),
        1 => prop_oneof![Just([192u8, 0, 2, 10]), Just([198u8, 51, 100, 7]), Just([203u8, 0, 113, 9]), any::<[u8; 4]>()].prop_map(|ip| Step::Geolocation { ip }),
        1 => (600u32..5000).prop_map(|dollars| Step::RecordPrize { dollars }),
        1 => Just(Step::Prizes),
        3 => invalid_bodies(),
        4 => (1u32..500_000, 0usize..4, proptest::bool::weighted(0.25), any::<bool>()).prop_map(|(cents, k, fail, allow)| Step::DisbursementFlow { cents, kind: KINDS[k], fail, allow }),
        2 => (1u32..500_000, any::<bool>()).prop_map(|(cents, fail)| Step::PaymentFlow { cents, fail }),
        1 => (1u64..120).prop_map(|seconds| Step::Wait { seconds }),
    ]
}

/// A customer first (most calls need one), then 0 to 12 steps.
pub fn sequences() -> impl Strategy<Value = Vec<Step>> {
    (any::<bool>(), proptest::collection::vec(step(), 0..12)).prop_map(|(kyc, mut steps)| {
        steps.insert(0, Step::CreateCustomer { kyc });
        steps
    })
}

/// What one executed sequence left behind.
struct Run {
    /// Interactions of this sequence (indices into the proxy log).
    range: std::ops::Range<usize>,
    /// The typed client's unknown enum values: (interaction index, operation, pointer, value, type).
    unknown: Vec<(usize, &'static str, String, String, &'static str)>,
}

struct Driver {
    client: Client,
    proxy: Proxy,
    /// Where test-only calls go (the sandbox itself), when there is one.
    sandbox_url: Option<String>,
    api_key: String,
    http: reqwest::Client,
    /// Test-only calls, with the proxy log length when they were made, for reproductions.
    notes: Mutex<Vec<(usize, String)>>,
    /// Numbers executed sequences, so ids are unique within a run and a replay makes the same ones.
    case: AtomicU64,
}

impl Driver {
    async fn test_only(&self, path: &str, body: Value) {
        if let Some(base) = &self.sandbox_url {
            self.notes.lock().unwrap_or_else(|p| p.into_inner()).push((
                self.proxy.len(),
                format!("(sandbox, test-only) POST {path} {body}"),
            ));
            let _ = self
                .http
                .post(format!("{base}{path}"))
                .json(&body)
                .send()
                .await;
        }
    }

    fn note<T: Inspect>(&self, run: &mut Run, operation: &'static str, value: &T) {
        let index = self.proxy.len().saturating_sub(1);
        for u in value.unknown_values() {
            run.unknown
                .push((index, operation, u.path, u.value, u.type_name));
        }
    }

    /// Runs `steps` and returns what it recorded.
    async fn execute(&self, steps: &[Step]) -> Run {
        let mut expanded = Vec::new();
        for step in steps {
            match step {
                Step::DisbursementFlow {
                    cents,
                    kind,
                    fail,
                    allow,
                } => expanded.extend([
                    Step::CreateDisbursementIntent { cents: *cents },
                    Step::SubmitPayoutMethod { kind, fail: *fail },
                    Step::ApprovalQueue,
                    Step::Proceed { allow: *allow },
                    Step::DisbursementStatus,
                ]),
                Step::PaymentFlow { cents, fail } => expanded.extend([
                    Step::CreatePaymentIntent { cents: *cents },
                    Step::Pay { fail: *fail },
                    Step::PaymentStatus,
                ]),
                other => expanded.push(other.clone()),
            }
        }
        let steps = &expanded;
        let n = self.case.fetch_add(1, Ordering::SeqCst);
        let prefix = format!("sd{n}_");
        let start = self.proxy.len();
        let mut run = Run {
            range: start..start,
            unknown: Vec::new(),
        };
        let mut customer: Option<String> = None;
        let mut customers = 0;
        let mut disbursement: Option<String> = None;
        let mut payment: Option<String> = None;
        let mut intents = 0;
        for step in steps {
            match step {
                Step::CreateCustomer { kyc } => {
                    customers += 1;
                    let id = format!("{prefix}c{customers}");
                    let body: models::CreateCustomerRequest = typed(
                        json!({"externalCustomerId": id, "verifyAfterCreation": kyc, "data": {"email": format!("{id}@vivamo.test"), "firstName": "Ada", "lastName": "Lovelace", "phone": "+15555550100"}}),
                    );
                    if let Ok(r) = self.client.create_customer(&body).await {
                        self.note(&mut run, "createCustomer", &r.body);
                        customer = Some(id);
                    }
                }
                Step::UpdateCustomer { city } => {
                    let Some(c) = &customer else { continue };
                    let body: models::UpdateCustomerRequest = typed(json!({"city": city}));
                    if let Ok(r) = self.client.update_customer(c, &body).await {
                        self.note(&mut run, "updateCustomer", &r.body);
                    }
                }
                Step::GetCustomer => {
                    let Some(c) = &customer else { continue };
                    if let Ok(r) = self.client.get_customer(c).await {
                        self.note(&mut run, "getCustomer", &r.body);
                    }
                }
                Step::ListCustomers { page, size } => {
                    if let Ok(r) = self.client.list_customers(Some(*page), Some(*size)).await {
                        self.note(&mut run, "listCustomers", &r.body);
                    }
                }
                Step::CreateDisbursementIntent { cents } => {
                    let Some(c) = &customer else { continue };
                    intents += 1;
                    let body: models::CreateDisbursementIntentRequest = typed(
                        json!({"customer": {"externalCustomerId": c}, "disbursementIntent": {"externalDisbursementIntentId": format!("{prefix}d{intents}"), "amount": amount(*cents), "currency": "USD"}}),
                    );
                    if let Ok(r) = self.client.create_disbursement_intent(&body).await {
                        self.note(&mut run, "createDisbursementIntent", &r.body);
                        disbursement = r.body.disbursement_intent_id;
                    }
                }
                Step::SubmitPayoutMethod { kind, fail } => {
                    let Some(d) = &disbursement else { continue };
                    let outcome = if *fail {
                        json!({"type": kind, "outcome": "failed", "subStatus": "declined"})
                    } else {
                        json!({"type": kind})
                    };
                    self.test_only(
                        &format!("/_sandbox/disbursement-intents/{d}/submit"),
                        outcome,
                    )
                    .await;
                }
                Step::ApprovalQueue => {
                    if let Ok(r) = self.client.get_disbursements_awaiting_approval().await {
                        self.note(&mut run, "getDisbursementsAwaitingApproval", &r.body);
                    }
                }
                Step::Proceed { allow } => {
                    let Some(d) = &disbursement else { continue };
                    if let Ok(r) = self.client.proceed_with_disbursement(d, *allow).await {
                        self.note(&mut run, "proceedWithDisbursement", &r.body);
                    }
                }
                Step::DisbursementStatus => {
                    let Some(d) = &disbursement else { continue };
                    if let Ok(r) = self.client.get_disbursement_intent_status(d).await {
                        self.note(&mut run, "getDisbursementIntentStatus", &r.body);
                    }
                }
                Step::CreatePaymentIntent { cents } => {
                    let Some(c) = &customer else { continue };
                    intents += 1;
                    let body: models::CreatePaymentIntentRequest = typed(
                        json!({"customer": {"externalCustomerId": c}, "paymentIntent": {"externalPaymentIntentId": format!("{prefix}p{intents}"), "amount": amount(*cents), "currency": "USD"}}),
                    );
                    if let Ok(r) = self.client.create_payment_intent(&body).await {
                        self.note(&mut run, "createPaymentIntent", &r.body);
                        payment = r.body.payment_intent_id;
                    }
                }
                Step::Pay { fail } => {
                    let Some(p) = &payment else { continue };
                    self.test_only(&format!("/_sandbox/payment-intents/{p}/pay"), json!({"type": "card", "outcome": if *fail { "failed" } else { "success" }})).await;
                }
                Step::PaymentStatus => {
                    let Some(p) = &payment else { continue };
                    if let Ok(r) = self.client.get_payment_intent_status(p).await {
                        self.note(&mut run, "getPaymentIntentStatus", &r.body);
                    }
                }
                Step::KycReview { approve } => {
                    let Some(c) = &customer else { continue };
                    self.test_only(
                        &format!("/_sandbox/customers/{c}/kyc"),
                        json!({"result": "under_review"}),
                    )
                    .await;
                    if let Ok(r) = self.client.get_customers_with_kyc_for_review().await {
                        self.note(&mut run, "getCustomersWithKycForReview", &r.body);
                    }
                    let body: models::KycVerifyRequest = typed(json!({"verify": approve}));
                    if let Ok(r) = self
                        .client
                        .set_customer_kyc_manually_verified(
                            c,
                            &models::SetCustomerKycManuallyVerifiedType::ProofOfId,
                            &body,
                        )
                        .await
                    {
                        self.note(&mut run, "setCustomerKycManuallyVerified", &r.body);
                    }
                }
                Step::KycInfo => {
                    let Some(c) = &customer else { continue };
                    if let Ok(r) = self.client.get_customer_kyc_info(c).await {
                        self.note(&mut run, "getCustomerKycInfo", &r.body);
                    }
                }
                Step::Geolocation { ip } => {
                    let body: models::GeolocationCheckRequest =
                        typed(json!({"ip": format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])}));
                    if let Ok(r) = self.client.check_geolocation(&body).await {
                        self.note(&mut run, "checkGeolocation", &r.body);
                    }
                }
                Step::RecordPrize { dollars } => {
                    let Some(c) = &customer else { continue };
                    let body: models::RecordPrizeRequest = typed(
                        json!({"reportableWinnings": dollars, "dateWon": "2026-02-15", "typeOfWager": "bingo", "federalIncomeTaxWithheld": 0, "ticketOrCardNumber": "T-1"}),
                    );
                    if let Ok(r) = self.client.record_prize(c, &body).await {
                        self.note(&mut run, "recordPrize", &r.body);
                    }
                }
                Step::Prizes => {
                    let Some(c) = &customer else { continue };
                    if let Ok(r) = self.client.get_customer_prizes(c, Some(2026)).await {
                        self.note(&mut run, "getCustomerPrizes", &r.body);
                    }
                }
                Step::DisbursementFlow { .. } | Step::PaymentFlow { .. } => {}
                Step::Wait { seconds } => {
                    self.test_only("/_sandbox/clock/advance", json!({"seconds": seconds}))
                        .await
                }
                Step::Invalid { target, body } => {
                    let (method, path) = INVALID_TARGETS[*target % INVALID_TARGETS.len()];
                    let path = path.replace("{c}", customer.as_deref().unwrap_or("nobody"));
                    let method = reqwest::Method::from_bytes(method.as_bytes())
                        .unwrap_or(reqwest::Method::POST);
                    let _ = self
                        .http
                        .request(method, format!("{}{path}", self.proxy.base_url()))
                        .header("authorization", format!("Bearer {}", self.api_key))
                        .header(NEGATIVE_HEADER, "1")
                        .json(body)
                        .send()
                        .await;
                }
            }
        }
        run.range = start..self.proxy.len();
        run
    }
}

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value)
        .expect("the suite builds its requests from the generated types' own field names")
}

fn amount(cents: u32) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The findings of one executed sequence.
/// `traffic` holds the interactions from `run.range.start` on.
fn findings_of(
    model: &Model,
    traffic: &[Interaction],
    run: &Run,
    notes: &[(usize, String)],
) -> Vec<Finding> {
    let redaction = Redaction::default();
    let slice: Vec<Interaction> = traffic[..run.range.len().min(traffic.len())]
        .iter()
        .map(|i| redaction.apply(i))
        .collect();
    let mut findings: Vec<Finding> = check::check(model, &slice)
        .into_iter()
        // Requests invalid on purpose are meant to break the request schema; only their acceptance is a finding.
        .filter(|f| {
            !(f.kind == Kind::RequestViolation
                && f.interaction
                    .is_some_and(|i| slice[i].request_header(NEGATIVE_HEADER).is_some()))
        })
        .collect();
    for (index, operation, pointer, value, type_name) in &run.unknown {
        let Some(local) = index
            .checked_sub(run.range.start)
            .filter(|i| *i < slice.len())
        else {
            continue;
        };
        findings.push(
            Finding::new(Kind::UnknownEnumValue, operation)
                .with_interaction(local, &slice[local])
                .pointer(pointer)
                .expected(format!("a value {type_name} lists"))
                .observed(value.clone())
                .message(format!(
                    "the generated client decoded {value} at `{pointer}` into {type_name}::Unknown"
                )),
        );
    }
    // The calls in order, test-only ones included; `ends[i]` is where interaction `i` ends.
    let first = notes.partition_point(|(pos, _)| *pos < run.range.start);
    let last = notes.partition_point(|(pos, _)| *pos < run.range.end);
    let notes = &notes[first..last];
    let mut calls = Vec::new();
    let mut ends = Vec::new();
    for (i, interaction) in slice.iter().enumerate() {
        let at = run.range.start + i;
        calls.extend(
            notes
                .iter()
                .filter(|(pos, _)| *pos == at)
                .map(|(_, n)| n.clone()),
        );
        calls.push(crate::report::call_line(interaction));
        ends.push(calls.len());
    }
    for f in &mut findings {
        // The reproduction is the sequence of calls up to the offending one.
        let upto = f
            .interaction
            .and_then(|i| ends.get(i).copied())
            .unwrap_or(calls.len());
        f.reproduce = calls[..upto].to_vec();
    }
    findings
}

/// The outcome of a suite run.
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
    /// Everything exchanged with the target (secrets not redacted).
    pub traffic: Vec<Interaction>,
}

/// Runs the suite: explore `settings.cases` sequences, check, shrink new findings, report.
pub fn run(spec: &Path, settings: &Settings, baseline: &Baseline) -> Result<Outcome, String> {
    let model = Model::load(spec).map_err(|d| d.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (driver, _sandbox) = runtime.block_on(async {
        let (upstream, sandbox_url, api_key, sandbox) = match &settings.target {
            Target::Sandbox => {
                let sandbox = vivamo_sandbox::Sandbox::new(
                    vivamo_sandbox::Config::default(),
                    vivamo_sandbox::Clock::fixed(1_771_113_845_000),
                );
                let running = sandbox
                    .serve_with("127.0.0.1:0".parse().expect("a socket address"), false)
                    .await
                    .map_err(|e| format!("cannot start the sandbox: {e}"))?;
                let url = running.base_url();
                (
                    Upstream::Live(url.clone()),
                    Some(url),
                    vivamo_sandbox::DEFAULT_API_KEY.to_string(),
                    Some((sandbox, running)),
                )
            }
            Target::Live { base_url, api_key } => (
                Upstream::Live(base_url.clone()),
                None,
                api_key.clone(),
                None,
            ),
            Target::Cassette(path) => {
                let recorded = crate::traffic::read(path).map_err(|e| e.to_string())?;
                (
                    Upstream::Replay(recorded),
                    None,
                    vivamo_sandbox::DEFAULT_API_KEY.to_string(),
                    None,
                )
            }
        };
        let proxy = Proxy::start(upstream)
            .await
            .map_err(|e| format!("cannot start the recording proxy: {e}"))?;
        let options = vivamo_api::client::Options {
            max_retries: 0,
            ..Default::default()
        };
        let client = Client::with_options(
            &proxy.base_url(),
            Credentials {
                bearer_auth: Some(Secret::new(api_key.clone())),
            },
            options,
        )
        .map_err(|e| e.to_string())?;
        Ok::<_, String>((
            Driver {
                client,
                proxy,
                sandbox_url,
                api_key,
                http: reqwest::Client::new(),
                notes: Mutex::default(),
                case: AtomicU64::new(0),
            },
            sandbox,
        ))
    })?;

    let seed: Vec<u8> = settings.seed.to_le_bytes().repeat(4);
    let rng = || TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let config = Config {
        cases: settings.cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    };

    // Explore.
    let all: Arc<Mutex<Vec<Finding>>> = Arc::default();
    let mut runner = TestRunner::new_with_rng(config.clone(), rng());
    let collected = all.clone();
    let explored = runner.run(&sequences(), |steps| {
        let run = runtime.block_on(driver.execute(&steps));
        let traffic = driver.proxy.interactions_from(run.range.start);
        collected
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(findings_of(
                &model,
                &traffic,
                &run,
                &driver.notes.lock().unwrap_or_else(|p| p.into_inner()),
            ));
        Ok(())
    });
    if let Err(e) = explored {
        return Err(format!("the suite itself failed: {e}"));
    }
    let misses = driver.proxy.misses();
    if !misses.is_empty() {
        return Err(format!(
            "the cassette lacks {} request(s) this run made (first: {}); re-record it against a live target",
            misses.len(),
            misses[0]
        ));
    }
    let mut findings = all.lock().unwrap_or_else(|p| p.into_inner()).clone();

    // Shrink each new finding to the shortest sequence that still shows it.
    if settings.shrink && !matches!(settings.target, Target::Cassette(_)) {
        let keys: Vec<String> = crate::report::dedupe(findings.clone())
            .iter()
            .map(Finding::key)
            .filter(|k| !baseline.known.iter().any(|b| &b.key == k))
            .collect();
        for key in keys {
            let shortest: Arc<Mutex<Option<Finding>>> = Arc::default();
            let mut runner = TestRunner::new_with_rng(config.clone(), rng());
            let keep = shortest.clone();
            let result = runner.run(&sequences(), |steps| {
                let run = runtime.block_on(driver.execute(&steps));
                let traffic = driver.proxy.interactions_from(run.range.start);
                if let Some(f) = findings_of(
                    &model,
                    &traffic,
                    &run,
                    &driver.notes.lock().unwrap_or_else(|p| p.into_inner()),
                )
                .into_iter()
                .find(|f| f.key() == key)
                {
                    let mut best = keep.lock().unwrap_or_else(|p| p.into_inner());
                    if best
                        .as_ref()
                        .is_none_or(|b| f.reproduce.len() <= b.reproduce.len())
                    {
                        *best = Some(Finding {
                            occurrences: 0,
                            ..f
                        });
                    }
                    return Err(TestCaseError::fail("reproduced"));
                }
                Ok(())
            });
            if let (Err(TestError::Fail(..)), Some(best)) = (
                result,
                shortest.lock().unwrap_or_else(|p| p.into_inner()).take(),
            ) {
                findings.push(best);
            }
        }
    }

    let traffic = driver.proxy.interactions();
    if let Some(path) = &settings.record {
        crate::traffic::write_cassette(
            path,
            &traffic,
            &Redaction {
                mask_personal_data: settings.mask_personal_data,
            },
        )
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let report = Report::new(findings, baseline, traffic.len());
    drop(driver);
    drop(runtime);
    Ok(Outcome { report, traffic })
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
    if settings.decode.is_none() {
        settings.decode = Some(Arc::new(|id: &str, status: u16, body: &str| {
            vivamo_api::contract::decode(id, status, body).map(|r| r.map(|unknowns| unknowns.into_iter().map(|u| (u.path, u.type_name.to_string(), u.value)).collect()))
        }));
    }
    let outcome = crate::engine::run(&model, &settings, baseline).map_err(|e| e.to_string());
    drop(running);
    drop(sandbox);
    drop(runtime);
    outcome
}
