//! The sandbox under load and faults: many concurrent clients on loopback for a bounded time
//! while the clock advances, a webhook receiver that fails a share of first attempts, and the
//! invariants checked after: every created record readable, every Proceed decided exactly once,
//! every webhook delivery attempted on its schedule, no event lost.
//!
//! The test runs it briefly; `cargo run --release -p vivamo-sandbox --example load` (or
//! `bench/sandbox-load.sh`) runs it long and prints the figures the README states.

#![allow(dead_code)] // `run` and `Figures` are shared with the example, which uses all of it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use vivamo_api::client::{Client, Credentials, Options, Secret};
use vivamo_api::models;
use vivamo_sandbox::state::RETRY_DELAYS_MINUTES;
use vivamo_sandbox::{Clock, Config, DEFAULT_API_KEY, Sandbox};

/// How hard and how long.
#[derive(Debug, Clone)]
pub struct Load {
    /// Concurrent clients.
    pub clients: usize,
    /// Wall time the clients keep going.
    pub duration: Duration,
    /// Sandbox time added on every clock tick (one tick every 20 ms of wall time).
    pub tick: Duration,
    /// Every n-th delivery's first attempt is answered 500 by the receiver.
    pub fail_every: u64,
}

/// What a run did and what held.
#[derive(Debug, Default)]
pub struct Figures {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    /// Latency percentiles of API calls, in microseconds: p50, p90, p99, max.
    pub latency_us: [u64; 4],
    pub customers: usize,
    pub intents: usize,
    pub proceeds: usize,
    pub deliveries: usize,
    pub attempts: usize,
    /// Every invariant that did not hold, in words.
    pub broken: Vec<String>,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [p50, p90, p99, max] = self.latency_us.map(|us| us as f64 / 1000.0);
        writeln!(
            f,
            "{} requests in {:.1} s ({:.0}/s), {} unexpected errors",
            self.requests,
            self.seconds,
            self.requests as f64 / self.seconds.max(1e-9),
            self.errors
        )?;
        writeln!(
            f,
            "latency ms: p50 {p50:.2}, p90 {p90:.2}, p99 {p99:.2}, max {max:.2}"
        )?;
        writeln!(
            f,
            "{} customers, {} disbursement intents, {} decided by Proceed, {} webhook deliveries in {} attempts",
            self.customers, self.intents, self.proceeds, self.deliveries, self.attempts
        )?;
        if self.broken.is_empty() {
            writeln!(
                f,
                "invariants: all hold (records readable, one Proceed winner each, retries on schedule, no event lost)"
            )
        } else {
            writeln!(f, "invariants broken: {}", self.broken.len())?;
            for b in &self.broken {
                writeln!(f, "  - {b}")?;
            }
            Ok(())
        }
    }
}

/// A receiver that logs every delivery body and fails the first attempt of every n-th body.
async fn receiver(fail_every: u64) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let seen: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let first_tries: Arc<Mutex<BTreeMap<Vec<u8>, u64>>> = Arc::default();
    let counter = Arc::new(AtomicU64::new(0));
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let (log, first_tries, counter) = (log.clone(), first_tries.clone(), counter.clone());
            async move {
                log.lock().unwrap().push(body.to_vec());
                let mut tries = first_tries.lock().unwrap();
                let seen_before = tries.contains_key(body.as_ref());
                let n = *tries
                    .entry(body.to_vec())
                    .or_insert_with(|| counter.fetch_add(1, Ordering::Relaxed) + 1);
                if !seen_before && n % fail_every == 0 {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

/// `future`'s output, its time (microseconds) pushed onto `times`.
async fn record<F: std::future::Future>(times: &mut Vec<u64>, future: F) -> F::Output {
    let (out, us) = timed(future).await;
    times.push(us);
    out
}

/// `future`'s output and how long it took, in microseconds.
async fn timed<F: std::future::Future>(future: F) -> (F::Output, u64) {
    let started = Instant::now();
    let out = future.await;
    (out, started.elapsed().as_micros() as u64)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Runs `load` against a fresh sandbox and checks the invariants after.
pub async fn run(load: Load) -> Figures {
    let sandbox = Sandbox::new(Config::default(), Clock::fixed(1_771_113_845_000));
    let running = sandbox
        .serve_with("127.0.0.1:0".parse().unwrap(), false)
        .await
        .unwrap();
    let base = running.base_url();
    let (hook, received) = receiver(load.fail_every.max(1)).await;
    let options = Options {
        max_retries: 0,
        ..Options::default()
    };
    let client = Client::with_options(
        &base,
        Credentials {
            bearer_auth: Some(Secret::new(DEFAULT_API_KEY)),
        },
        options,
    )
    .unwrap();
    let register: models::RegisterWebhookRequest =
        serde_json::from_value(json!({"url": hook})).unwrap();
    client.register_webhook(&register).await.unwrap();

    // The clock and the deliveries move on their own, as they would on the service.
    let stop = Arc::new(AtomicBool::new(false));
    let ticker = {
        let (sandbox, stop, tick) = (sandbox.clone(), stop.clone(), load.tick);
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                sandbox.clock.advance(tick);
                sandbox.deliver_due().await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };

    let started = Instant::now();
    let deadline = started + load.duration;
    let latencies: Arc<Mutex<Vec<u64>>> = Arc::default();
    let errors = Arc::new(AtomicU64::new(0));
    let created: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let decided: Arc<Mutex<Vec<(String, usize, bool)>>> = Arc::default();
    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    for worker in 0..load.clients {
        let (client, http, base) = (client.clone(), http.clone(), base.clone());
        let (latencies, errors, created, decided) = (
            latencies.clone(),
            errors.clone(),
            created.clone(),
            decided.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut round = 0u64;
            let mut times = Vec::new();
            while Instant::now() < deadline {
                round += 1;
                let customer = format!("load_{worker}_{round}");
                let body: models::CreateCustomerRequest = serde_json::from_value(json!({
                    "externalCustomerId": customer, "verifyAfterCreation": false,
                    "data": {"email": format!("{customer}@vivamo.test")}
                }))
                .unwrap();
                if record(&mut times, client.create_customer(&body)).await.is_err() {
                    errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let body: models::CreateDisbursementIntentRequest = serde_json::from_value(json!({
                    "customer": {"externalCustomerId": customer},
                    "disbursementIntent": {"externalDisbursementIntentId": format!("payout_{worker}_{round}"), "amount": "10.00", "currency": "USD"}
                }))
                .unwrap();
                let intent = match record(&mut times, client.create_disbursement_intent(&body)).await {
                    Ok(r) => r.body.disbursement_intent_id.unwrap_or_default(),
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                };
                created.lock().unwrap().push((customer.clone(), intent.clone()));
                let submitted = record(&mut times, http
                    .post(format!("{base}/_sandbox/disbursement-intents/{intent}/submit"))
                    .json(&json!({"type": "bank"}))
                    .send()).await;
                if !submitted.is_ok_and(|r| r.status() == 200) {
                    errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                // Two operators decide at once; exactly one may win.
                let ((a, ta), (b, tb)) = tokio::join!(
                    timed(client.proceed_with_disbursement(&intent, true)),
                    timed(client.proceed_with_disbursement(&intent, round.is_multiple_of(2)))
                );
                times.extend([ta, tb]);
                // An approval settles later (a third event); a rejection does not.
                let approved = a.is_ok() || (b.is_ok() && round.is_multiple_of(2));
                decided.lock().unwrap().push((
                    intent.clone(),
                    a.is_ok() as usize + b.is_ok() as usize,
                    approved,
                ));
                if record(&mut times, client.get_disbursement_intent_status(&intent)).await.is_err() {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies.lock().unwrap().extend(times);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = ticker.await;

    let mut figures = Figures {
        seconds,
        errors: errors.load(Ordering::Relaxed),
        ..Figures::default()
    };
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort_unstable();
    figures.requests = latencies.len() as u64;
    figures.latency_us = [
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0),
    ];

    // Every created record reads back.
    let created = created.lock().unwrap().clone();
    figures.customers = created.len();
    figures.intents = created.len();
    for (customer, intent) in &created {
        if client.get_customer(customer).await.is_err() {
            figures
                .broken
                .push(format!("customer {customer} is not readable"));
        }
        if client.get_disbursement_intent_status(intent).await.is_err() {
            figures
                .broken
                .push(format!("intent {intent} is not readable"));
        }
    }
    // Every Proceed pair had exactly one winner.
    let decided = decided.lock().unwrap().clone();
    figures.proceeds = decided.len();
    for (intent, winners, _) in &decided {
        if *winners != 1 {
            figures.broken.push(format!(
                "intent {intent}: {winners} Proceed calls succeeded"
            ));
        }
    }
    // Drain: settle what is pending and deliver until nothing is due (past the last retry).
    for _ in 0..40 {
        sandbox.clock.advance(Duration::from_secs(30));
        sandbox.deliver_due().await;
    }
    let log = sandbox.delivery_log();
    figures.attempts = log.len();
    let mut by_delivery: BTreeMap<u64, Vec<&vivamo_sandbox::DeliveryAttempt>> = BTreeMap::new();
    for a in &log {
        by_delivery.entry(a.delivery).or_default().push(a);
    }
    figures.deliveries = by_delivery.len();
    let tick = load.tick.as_millis() as i64;
    for (id, attempts) in &by_delivery {
        // Delivered in the end: the receiver fails at most one attempt of each.
        if attempts.last().is_none_or(|a| a.outcome != "200") {
            figures
                .broken
                .push(format!("delivery {id} never got a 200: {attempts:?}"));
        }
        for pair in attempts.windows(2) {
            let delay = RETRY_DELAYS_MINUTES[pair[0].attempt as usize - 1] * 60_000;
            let gap = pair[1].at - pair[0].at;
            if gap < delay || gap > delay + tick.max(30_000) {
                figures.broken.push(format!(
                    "delivery {id}: attempt {} came {gap} ms after attempt {}, the schedule says {delay}",
                    pair[1].attempt, pair[0].attempt
                ));
            }
        }
        if attempts[0].at - attempts[0].queued_at > tick.max(30_000) {
            figures
                .broken
                .push(format!("delivery {id}: first attempt late"));
        }
    }
    // No event lost: every intent's submit, decision and settlement was queued and received.
    let received = received.lock().unwrap().clone();
    let bodies: std::collections::BTreeSet<&Vec<u8>> = received.iter().collect();
    if bodies.len() != figures.deliveries {
        figures.broken.push(format!(
            "{} deliveries queued, {} distinct bodies received",
            figures.deliveries,
            bodies.len()
        ));
    }
    let expected_events: usize = decided
        .iter()
        .map(|(_, _, approved)| 2 + *approved as usize)
        .sum();
    if figures.deliveries != expected_events {
        figures.broken.push(format!(
            "{expected_events} events expected (submit, decision, and settlement when approved), {} queued",
            figures.deliveries
        ));
    }
    figures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_load_keeps_every_invariant() {
    let figures = run(Load {
        clients: 8,
        duration: Duration::from_secs(2),
        tick: Duration::from_secs(5),
        fail_every: 3,
    })
    .await;
    println!("{figures}");
    assert!(figures.proceeds >= 8, "the load did little: {figures}");
    assert!(
        figures.attempts > figures.deliveries,
        "some first attempts failed and were retried: {figures}"
    );
    assert!(figures.broken.is_empty(), "{figures}");
    assert_eq!(figures.errors, 0, "{figures}");
}
