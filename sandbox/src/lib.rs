//! A local, stateful Vivamo: the generated [`vivamo_api::server::Api`] implemented in memory.
//!
//! It models the service as Vivamo's guides describe it, not the spec: a rejected disbursement
//! reads back as `rejected` even though the published Disbursement schema has no such value.
//! A controllable [`Clock`] makes the two-hour intent expiry and the webhook retry schedule
//! testable without waiting. Endpoints under `/_sandbox/` are test-only: they stand in for what
//! the real service does through its browser SDK (a customer submitting a payout method, paying,
//! uploading KYC documents) and move the clock.
#![forbid(unsafe_code)]

mod api;
pub mod clock;
pub mod geo;
pub mod state;
mod testing;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use clock::Clock;
use state::{Delivery, RETRY_DELAYS_MINUTES, State};

/// The secret key the sandbox accepts unless configured otherwise.
pub const DEFAULT_API_KEY: &str = "sk_test_vivamo_sandbox";

/// The test-only endpoints under `/_sandbox/`, described as an OpenAPI document of their own, so
/// the contract engine can call them (`specdrift test --extra`) without code for Vivamo.
pub const TESTING_SPEC: &str = include_str!("../testing.yaml");

/// How the sandbox behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Secret keys accepted as bearer tokens; any other gets 403.
    pub api_keys: Vec<String>,
    /// The operator's personal tax type for prizes: `bingo`, `horse_racing`, or none.
    pub personal_tax_type: Option<String>,
    /// Geolocation rules: allowed `US-NJ`-style regions or country codes; `None` means no rules
    /// (every check is allowed with no lookup).
    pub allowed_regions: Option<Vec<String>>,
    /// How long an approved disbursement or a submitted payment stays `pending`.
    pub settle_after_ms: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_keys: vec![DEFAULT_API_KEY.to_string()],
            personal_tax_type: Some("bingo".into()),
            allowed_regions: Some(vec!["US-NJ".into(), "US-PA".into(), "US-MI".into()]),
            settle_after_ms: 30_000,
        }
    }
}

/// The sandbox. Cheap to clone; clones share state and clock.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub(crate) state: Arc<Mutex<State>>,
    /// The clock every expiry and retry is measured on.
    pub clock: Clock,
    pub(crate) config: Arc<Config>,
    http: reqwest::Client,
}

/// One attempt at a webhook delivery, as the sandbox logged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// Which delivery (1-based, in the order events were queued).
    pub delivery: u64,
    /// The webhook it went to.
    pub webhook_id: String,
    /// 1 for the first try, 2 for the first retry, …
    pub attempt: u32,
    /// The status the receiver answered, or the transport error.
    pub outcome: String,
    /// When the event was queued, on the sandbox clock (ms since the epoch).
    pub queued_at: clock::Millis,
    /// When this attempt was made, on the sandbox clock.
    pub at: clock::Millis,
}

impl Sandbox {
    /// Forgets every record (customers, intents, webhooks, deliveries), as a fresh sandbox has
    /// none; the clock keeps its time. The contract engine resets between shrinking replays so a
    /// reproduction never leans on what an earlier run left behind.
    pub fn reset(&self) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = State::default();
    }

    /// A sandbox with `config` on `clock`.
    pub fn new(config: Config, clock: Clock) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Sandbox {
            state: Arc::default(),
            clock,
            config: Arc::new(config),
            http,
        }
    }

    /// The whole HTTP surface: the API (the generated router over this sandbox) and `/_sandbox/`.
    pub fn router(&self) -> axum::Router {
        testing::routes(self.clone()).fallback_service(vivamo_api::server::router(self.clone()))
    }

    /// Sends every webhook delivery that is due on the sandbox clock; returns how many were tried.
    ///
    /// A delivery that does not get a 200 is retried after 1, 2, 3, 4 and 5 minutes, then dropped.
    pub async fn deliver_due(&self) -> usize {
        let now = self.clock.now();
        let due: Vec<Delivery> = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            state.tick(now);
            state
                .deliveries
                .iter()
                .filter(|d| !d.finished && d.next_at <= now)
                .cloned()
                .collect()
        };
        for delivery in &due {
            let mut request = self
                .http
                .post(&delivery.url)
                .header("content-type", "application/json")
                .header(
                    vivamo_api::webhooks::SIGNATURE_HEADER,
                    vivamo_api::webhooks::sign(delivery.secret.as_bytes(), &delivery.body),
                );
            for (name, value) in &delivery.headers {
                request = request.header(name, value);
            }
            let outcome = match request.body(delivery.body.clone()).send().await {
                Ok(response) => response.status().as_u16().to_string(),
                Err(e) => format!("error: {e}"),
            };
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(d) = state.deliveries.iter_mut().find(|d| d.id == delivery.id) {
                d.attempts += 1;
                d.finished = outcome == "200" || d.attempts as usize > RETRY_DELAYS_MINUTES.len();
                if !d.finished {
                    d.next_at = now + RETRY_DELAYS_MINUTES[d.attempts as usize - 1] * 60_000;
                }
                d.outcomes.push(outcome);
                d.attempted_at.push(now);
            }
        }
        due.len()
    }

    /// Every delivery attempt so far, in order.
    pub fn delivery_log(&self) -> Vec<DeliveryAttempt> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut log = Vec::new();
        for d in &state.deliveries {
            for (i, outcome) in d.outcomes.iter().enumerate() {
                log.push(DeliveryAttempt {
                    delivery: d.id,
                    webhook_id: d.webhook_id.clone(),
                    attempt: i as u32 + 1,
                    outcome: outcome.clone(),
                    queued_at: d.queued_at,
                    at: d.attempted_at.get(i).copied().unwrap_or(d.queued_at),
                });
            }
        }
        log
    }

    /// Serves the sandbox on `addr` (port 0 picks one) and delivers webhooks in the background.
    pub async fn serve(&self, addr: SocketAddr) -> std::io::Result<Running> {
        self.serve_with(addr, true).await
    }

    /// Like [`Sandbox::serve`]; with `deliver` false, webhooks go out only when
    /// [`Sandbox::deliver_due`] is called (deterministic tests).
    pub async fn serve_with(&self, addr: SocketAddr, deliver: bool) -> std::io::Result<Running> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = self.router();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let mut tasks = vec![server];
        if deliver {
            let sandbox = self.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    sandbox.deliver_due().await;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }));
        }
        Ok(Running { addr, tasks })
    }
}

/// A sandbox being served. Dropping it stops the server.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
