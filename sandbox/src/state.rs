//! The sandbox's memory: every record Vivamo keeps, and the transitions between their states.
//!
//! Everything here is synchronous and runs under one lock; nothing awaits while holding it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::clock::{Millis, rfc3339};

/// Intents expire two hours after creation.
pub const INTENT_LIFETIME_MS: Millis = 2 * 60 * 60 * 1000;
/// The client secret is valid for 24 hours.
pub const CLIENT_SECRET_LIFETIME_MS: Millis = 24 * 60 * 60 * 1000;
/// Delays before each retry of a failed webhook delivery, in minutes (1st retry, 2nd, …).
pub const RETRY_DELAYS_MINUTES: [i64; 5] = [1, 2, 3, 4, 5];

/// A customer record.
#[derive(Debug, Clone)]
pub struct Customer {
    pub external_id: String,
    /// `CustomerData` as JSON.
    pub data: serde_json::Map<String, Value>,
    pub kyc: Vec<Kyc>,
    pub created_at: Millis,
}

/// One KYC verification.
#[derive(Debug, Clone)]
pub struct Kyc {
    pub status: String,
    pub created_at: Millis,
    pub verified_at: Option<Millis>,
    pub client_secret: String,
    /// The customer has submitted documents (through the SDK; here, the test-only endpoint).
    pub attempted: bool,
}

/// A payment intent and the payments made against it.
#[derive(Debug, Clone)]
pub struct PaymentIntent {
    pub id: String,
    pub external_id: String,
    pub customer: String,
    pub amount: String,
    pub currency: String,
    pub created_at: Millis,
    pub payments: Vec<Transfer>,
}

/// A disbursement intent and, once the customer submitted a payout method, its disbursement.
#[derive(Debug, Clone)]
pub struct DisbursementIntent {
    pub id: String,
    pub external_id: String,
    pub customer: String,
    pub amount: String,
    pub currency: String,
    pub created_at: Millis,
    pub disbursement: Option<Transfer>,
}

/// A payment or a disbursement: the money movement itself.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub id: String,
    /// `pending-validation` (disbursements only), `pending`, `success`, `failed`, `rejected`.
    pub status: String,
    pub sub_status: Option<String>,
    pub kind: String,
    pub created_at: Millis,
    pub status_changed_at: Millis,
    /// When `pending` turns into the outcome.
    pub settle_at: Option<Millis>,
    /// `success` or `failed`, chosen at submission.
    pub outcome: String,
    pub outcome_sub_status: Option<String>,
}

/// A registered webhook.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub status: String,
    pub event_types: Vec<String>,
    pub headers: BTreeMap<String, String>,
    pub secret: String,
}

/// One webhook delivery, with its retry schedule.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: u64,
    pub webhook_id: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub secret: String,
    pub body: Vec<u8>,
    /// Attempts made so far.
    pub attempts: u32,
    pub next_at: Millis,
    /// Delivered (200) or given up.
    pub finished: bool,
    /// What each attempt got: the status code, or the transport error.
    pub outcomes: Vec<String>,
    /// When the event was queued, on the sandbox clock.
    pub queued_at: Millis,
    /// When each attempt was made, on the sandbox clock.
    pub attempted_at: Vec<Millis>,
}

/// A recorded prize.
#[derive(Debug, Clone)]
pub struct Prize {
    pub customer: String,
    pub tax_year: i64,
    pub date_won: String,
    pub record: serde_json::Map<String, Value>,
}

/// Everything the sandbox remembers.
#[derive(Debug, Default)]
pub struct State {
    next_id: u64,
    pub customers: Vec<Customer>,
    pub payment_intents: Vec<PaymentIntent>,
    pub disbursement_intents: Vec<DisbursementIntent>,
    pub webhooks: Vec<Webhook>,
    pub deliveries: Vec<Delivery>,
    pub prizes: Vec<Prize>,
}

impl State {
    /// A fresh 24-hex-digit identifier (Vivamo's ids look like Mongo object ids).
    pub fn id(&mut self, now: Millis) -> String {
        self.next_id += 1;
        format!("{:08x}{:016x}", (now / 1000) as u32, self.next_id)
    }

    /// A fresh secret with a prefix.
    pub fn secret(&mut self, prefix: &str, now: Millis) -> String {
        self.next_id += 1;
        let a = splitmix(self.next_id ^ now as u64);
        let b = splitmix(a);
        format!("{prefix}{a:016x}{b:016x}")
    }

    pub fn customer(&self, external_id: &str) -> Option<&Customer> {
        self.customers.iter().find(|c| c.external_id == external_id)
    }

    pub fn customer_mut(&mut self, external_id: &str) -> Option<&mut Customer> {
        self.customers
            .iter_mut()
            .find(|c| c.external_id == external_id)
    }

    /// Settles every transfer whose processing time has come, and emits the events.
    pub fn tick(&mut self, now: Millis) {
        let mut events = Vec::new();
        for intent in &mut self.payment_intents {
            for i in 0..intent.payments.len() {
                if intent.payments[i].settle_at.is_some_and(|at| at <= now) {
                    intent.payments[i].settle(now);
                    events.push(payment_event(intent, &intent.payments[i]));
                }
            }
        }
        for intent in &mut self.disbursement_intents {
            if let Some(d) = &mut intent.disbursement
                && d.settle_at.is_some_and(|at| at <= now)
            {
                d.settle(now);
                events.push(disbursement_event(intent));
            }
        }
        for event in events {
            self.emit("transaction", event, now);
        }
    }

    /// Queues a delivery of `event` to every active webhook subscribed to `event_type`.
    pub fn emit(&mut self, event_type: &str, event: Value, now: Millis) {
        let body = serde_json::to_vec(&event).unwrap_or_default();
        let targets: Vec<Webhook> = self
            .webhooks
            .iter()
            .filter(|w| w.status == "active" && w.event_types.iter().any(|t| t == event_type))
            .cloned()
            .collect();
        for webhook in targets {
            let id = self.deliveries.len() as u64 + 1;
            self.deliveries.push(Delivery {
                id,
                webhook_id: webhook.id,
                url: webhook.url,
                headers: webhook.headers,
                secret: webhook.secret,
                body: body.clone(),
                attempts: 0,
                next_at: now,
                finished: false,
                outcomes: Vec::new(),
                queued_at: now,
                attempted_at: Vec::new(),
            });
        }
    }
}

impl Transfer {
    fn settle(&mut self, now: Millis) {
        self.status = self.outcome.clone();
        self.sub_status = self.outcome_sub_status.clone();
        self.settle_at = None;
        self.status_changed_at = now;
    }

    /// The record as Vivamo returns it inside a status read.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "_id": self.id,
            "status": self.status,
            "createdAt": rfc3339(self.created_at),
            "type": self.kind,
            "messages": [],
        });
        if let Some(sub) = &self.sub_status {
            v["subStatus"] = json!(sub);
        }
        v
    }
}

/// The transaction event of a payment.
pub fn payment_event(intent: &PaymentIntent, payment: &Transfer) -> Value {
    let mut v = json!({
        "amount": intent.amount,
        "status": payment.status,
        "transactionType": "payment",
        "externalCustomerId": intent.customer,
        "paymentIntentId": intent.id,
        "externalPaymentIntentId": intent.external_id,
    });
    if let Some(sub) = &payment.sub_status {
        v["subStatus"] = json!(sub);
    }
    v
}

/// The transaction event of a disbursement.
pub fn disbursement_event(intent: &DisbursementIntent) -> Value {
    let status = intent
        .disbursement
        .as_ref()
        .map_or("pending-validation", |d| d.status.as_str());
    let mut v = json!({
        "amount": intent.amount,
        "status": status,
        "transactionType": "disbursement",
        "externalCustomerId": intent.customer,
        "disbursementIntentId": intent.id,
        "externalDisbursementIntentId": intent.external_id,
    });
    if let Some(sub) = intent
        .disbursement
        .as_ref()
        .and_then(|d| d.sub_status.clone())
    {
        v["subStatus"] = json!(sub);
    }
    v
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
