//! Test-only endpoints under `/_sandbox/`, kept apart from the API: they do what the real
//! service's browser SDK and its processors do, and move the clock.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};
use vivamo_api::server::{Rejection, error_body};

use crate::Sandbox;
use crate::state::{INTENT_LIFETIME_MS, Kyc, Transfer, disbursement_event, payment_event};

type Reply = (StatusCode, Json<Value>);

fn refuse(status: u16, message: impl Into<String>) -> Reply {
    let rejection = Rejection::new(status, message);
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(error_body(&rejection)),
    )
}

/// What the customer submits through the SDK, and how processing will end.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Submission {
    /// `card`, `bank`, `pay_by_bank` or `crypto`.
    #[serde(rename = "type", default = "bank")]
    pub kind: String,
    /// `success` or `failed`: where processing ends after approval.
    #[serde(default = "success")]
    pub outcome: String,
    /// The sub-status reported with the outcome (such as `declined`).
    #[serde(default)]
    pub sub_status: Option<String>,
}

fn bank() -> String {
    "bank".into()
}

fn success() -> String {
    "success".into()
}

/// A KYC document check's result.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KycResult {
    /// `verified`, `under_review`, `rejected` or `expired`.
    pub result: String,
}

/// How far to move the clock.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    pub seconds: u64,
}

pub fn routes(sandbox: Sandbox) -> axum::Router {
    axum::Router::new()
        .route(
            "/_sandbox/disbursement-intents/{id}/submit",
            post(submit_disbursement),
        )
        .route("/_sandbox/payment-intents/{id}/pay", post(pay))
        .route("/_sandbox/customers/{id}/kyc", post(kyc))
        .route("/_sandbox/clock/advance", post(advance))
        .with_state(sandbox)
}

fn check_submission(s: &Submission) -> Result<(), Reply> {
    if !["card", "bank", "pay_by_bank", "crypto"].contains(&s.kind.as_str()) {
        return Err(refuse(
            400,
            format!(
                "type must be card, bank, pay_by_bank or crypto, not {}",
                s.kind
            ),
        ));
    }
    if !["success", "failed"].contains(&s.outcome.as_str()) {
        return Err(refuse(
            400,
            format!("outcome must be success or failed, not {}", s.outcome),
        ));
    }
    Ok(())
}

/// The customer submits a payout method: the disbursement enters `pending-validation`.
async fn submit_disbursement(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    Json(s): Json<Submission>,
) -> Reply {
    if let Err(reply) = check_submission(&s) {
        return reply;
    }
    let now = sandbox.clock.now();
    let mut state = sandbox.state.lock().unwrap_or_else(|p| p.into_inner());
    state.tick(now);
    let did = state.id(now);
    let Some(intent) = state.disbursement_intents.iter_mut().find(|i| i.id == id) else {
        return refuse(404, format!("Disbursement intent {id} not found"));
    };
    if now >= intent.created_at + INTENT_LIFETIME_MS {
        return refuse(400, "The disbursement intent has expired");
    }
    if intent.disbursement.is_some() {
        return refuse(400, "A payout method was already submitted for this intent");
    }
    intent.disbursement = Some(Transfer {
        id: did,
        status: "pending-validation".into(),
        sub_status: None,
        kind: s.kind,
        created_at: now,
        status_changed_at: now,
        settle_at: None,
        outcome: s.outcome,
        outcome_sub_status: s.sub_status,
    });
    let event = disbursement_event(intent);
    state.emit("transaction", event, now);
    (
        StatusCode::OK,
        Json(json!({"status": "pending-validation"})),
    )
}

/// The customer pays: a payment goes `pending`, then to the chosen outcome.
async fn pay(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    Json(s): Json<Submission>,
) -> Reply {
    if let Err(reply) = check_submission(&s) {
        return reply;
    }
    let now = sandbox.clock.now();
    let settle_after = sandbox.config.settle_after_ms;
    let mut state = sandbox.state.lock().unwrap_or_else(|p| p.into_inner());
    state.tick(now);
    let pid = state.id(now);
    let Some(intent) = state.payment_intents.iter_mut().find(|i| i.id == id) else {
        return refuse(404, format!("Payment intent {id} not found"));
    };
    if now >= intent.created_at + INTENT_LIFETIME_MS {
        return refuse(400, "The payment intent has expired");
    }
    if intent
        .payments
        .iter()
        .any(|p| p.status == "success" || p.status == "pending")
    {
        return refuse(
            400,
            "The payment intent already has a pending or successful payment",
        );
    }
    let payment = Transfer {
        id: pid,
        status: "pending".into(),
        sub_status: None,
        kind: s.kind,
        created_at: now,
        status_changed_at: now,
        settle_at: Some(now + settle_after),
        outcome: s.outcome,
        outcome_sub_status: s.sub_status,
    };
    let event = payment_event(intent, &payment);
    intent.payments.push(payment);
    state.emit("transaction", event, now);
    (StatusCode::OK, Json(json!({"status": "pending"})))
}

/// The customer's documents were checked.
async fn kyc(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    Json(k): Json<KycResult>,
) -> Reply {
    if !["verified", "under_review", "rejected", "expired"].contains(&k.result.as_str()) {
        return refuse(
            400,
            format!(
                "result must be verified, under_review, rejected or expired, not {}",
                k.result
            ),
        );
    }
    let now = sandbox.clock.now();
    let mut state = sandbox.state.lock().unwrap_or_else(|p| p.into_inner());
    let secret = state.secret("cs_ki_", now);
    let Some(customer) = state.customer_mut(&id) else {
        return refuse(404, format!("Customer {id} not found"));
    };
    if customer.kyc.last().is_none_or(|k| k.status != "pending") {
        customer.kyc.push(Kyc {
            status: "pending".into(),
            created_at: now,
            verified_at: None,
            client_secret: secret,
            attempted: false,
        });
    }
    let Some(last) = customer.kyc.last_mut() else {
        return refuse(500, "sandbox bug: no KYC verification");
    };
    last.status = k.result.clone();
    last.attempted = true;
    last.verified_at = (k.result == "verified").then_some(now);
    state.emit("kyc_verification", json!({"externalCustomerId": id, "status": k.result, "transactionType": "kyc_verification"}), now);
    (StatusCode::OK, Json(json!({"status": k.result})))
}

/// Moves the sandbox clock forward.
async fn advance(State(sandbox): State<Sandbox>, Json(a): Json<Advance>) -> Reply {
    sandbox.clock.advance(Duration::from_secs(a.seconds));
    let now = sandbox.clock.now();
    sandbox
        .state
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .tick(now);
    (
        StatusCode::OK,
        Json(json!({"now": crate::clock::rfc3339(now)})),
    )
}
