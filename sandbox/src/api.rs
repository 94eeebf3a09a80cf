//! The generated server trait, implemented the way Vivamo's guides describe the service.
//!
//! Replies are built as JSON and decoded into the generated types, so a record the spec cannot
//! describe (a disbursement whose status is `rejected`) still goes out as the service sends it:
//! the generated enums keep unknown values.

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use vivamo_api::models;
use vivamo_api::server::{self as s, Context, Rejection};

use crate::Sandbox;
use crate::clock::{rfc3339, year};
use crate::state::{
    CLIENT_SECRET_LIFETIME_MS, Customer, DisbursementIntent, INTENT_LIFETIME_MS, Kyc,
    PaymentIntent, Prize, Webhook,
};

/// Every event type a registration without a list subscribes to.
pub const EVENT_TYPES: [&str; 4] = [
    "transaction",
    "kyc_verification",
    "customer_w9_required",
    "customer_w9_completed",
];

/// JSON built here into a generated type; a mismatch is the sandbox's bug, reported as a 500.
fn typed<T: DeserializeOwned>(value: Value) -> Result<T, Rejection> {
    serde_json::from_value(value).map_err(|e| {
        Rejection::new(
            500,
            format!("sandbox bug: a reply does not fit its type: {e}"),
        )
    })
}

fn bad(message: impl Into<String>) -> Rejection {
    Rejection::new(400, message)
}

/// A positive decimal amount with at most two decimals, as Vivamo's string amounts are.
fn check_amount(amount: &str) -> Result<(), Rejection> {
    let (whole, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let digits = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit());
    let positive = amount.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if digits && positive {
        Ok(())
    } else {
        Err(
            bad("amount must be a positive decimal with at most two places")
                .with_detail("amount", format!("`{amount}` is not a positive amount")),
        )
    }
}

fn check_currency(currency: &str) -> Result<(), Rejection> {
    if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(bad("currency must be a three-letter ISO 4217 code")
            .with_detail("currency", format!("`{currency}` is not a currency code")))
    }
}

fn customer_json(c: &Customer) -> Value {
    json!({
        "externalCustomerId": c.external_id,
        "data": c.data,
        "kycVerifications": c.kyc.iter().map(|k| json!({"type": "proof_of_id", "status": k.status, "createdAt": rfc3339(k.created_at)})).collect::<Vec<_>>(),
        "createdAt": rfc3339(c.created_at),
    })
}

fn webhook_json(w: &Webhook) -> Value {
    json!({"_id": w.id, "url": w.url, "status": w.status, "eventTypes": w.event_types, "headers": w.headers})
}

/// Runs `f` on the state after settling whatever is due; its `Err` becomes the reply's `Rejected`.
macro_rules! with_state {
    ($sandbox:expr, $reply:ident, |$state:ident, $now:ident| $body:block) => {{
        let $now = $sandbox.clock.now();
        let mut guard = $sandbox.state.lock().unwrap_or_else(|p| p.into_inner());
        guard.tick($now);
        let $state = &mut *guard;
        #[allow(clippy::redundant_closure_call)]
        let result: Result<_, Rejection> = (|| $body)();
        match result {
            Ok(v) => s::$reply::Status200(v),
            Err(r) => s::$reply::Rejected(r),
        }
    }};
}

impl s::Api for Sandbox {
    fn authorize(&self, ctx: &Context) -> Result<(), Rejection> {
        match ctx.bearer_token() {
            Some(token) if self.config.api_keys.iter().any(|k| k == token) => Ok(()),
            Some(_) => Err(Rejection::new(403, "Invalid API key")),
            None => Err(Rejection::new(
                403,
                "Missing API key: send it as `Authorization: Bearer <secret key>`",
            )),
        }
    }

    async fn list_customers(
        &self,
        _: Context,
        page: Option<i64>,
        size: Option<i64>,
    ) -> s::ListCustomersReply {
        with_state!(self, ListCustomersReply, |state, _now| {
            let page = page.unwrap_or(1);
            let size = size.unwrap_or(10);
            if page < 1 || size < 1 {
                return Err(bad("page and size must be at least 1")
                    .with_detail(if page < 1 { "page" } else { "size" }, "must be at least 1"));
            }
            let skip = ((page - 1) * size) as usize;
            let customers: Vec<Value> = state
                .customers
                .iter()
                .skip(skip)
                .take(size as usize)
                .map(customer_json)
                .collect();
            typed(json!({ "customers": customers }))
        })
    }

    async fn create_customer(
        &self,
        _: Context,
        body: models::CreateCustomerRequest,
    ) -> s::CreateCustomerReply {
        with_state!(self, CreateCustomerReply, |state, now| {
            if body.external_customer_id.trim().is_empty() {
                return Err(bad("externalCustomerId must not be empty")
                    .with_detail("externalCustomerId", "isNotEmpty"));
            }
            if !body.data.email.contains('@') {
                return Err(
                    bad("data.email must be an email address").with_detail("data.email", "isEmail")
                );
            }
            let email = body.data.email.to_ascii_lowercase();
            if state.customer(&body.external_customer_id).is_some()
                || state.customers.iter().any(|c| {
                    c.data
                        .get("email")
                        .and_then(Value::as_str)
                        .is_some_and(|e| e.eq_ignore_ascii_case(&email))
                })
            {
                return Err(bad("This customer already exists"));
            }
            let data = match serde_json::to_value(&body.data) {
                Ok(Value::Object(map)) => map,
                _ => {
                    return Err(Rejection::new(
                        500,
                        "sandbox bug: customer data did not encode",
                    ));
                }
            };
            let mut customer = Customer {
                external_id: body.external_customer_id.clone(),
                data,
                kyc: Vec::new(),
                created_at: now,
            };
            // Deprecated in the spec, still honoured by the service.
            #[allow(deprecated)]
            let verify = body.verify_after_creation();
            if verify {
                let client_secret = state.secret("cs_ki_", now);
                customer.kyc.push(Kyc {
                    status: "pending".into(),
                    created_at: now,
                    verified_at: None,
                    client_secret,
                    attempted: false,
                });
            }
            let mut reply = customer_json(&customer);
            let local = email.split('@').next().unwrap_or("");
            if local.contains('+')
                || ["mailinator.com", "example.com", "test.com"]
                    .iter()
                    .any(|d| email.ends_with(d))
            {
                reply["warning"] = json!(
                    "Disposable or +suffix email addresses are accepted in non-production environments, but payments for this customer are likely to fail."
                );
            }
            state.customers.push(customer);
            typed(reply)
        })
    }

    async fn get_customers_with_kyc_for_review(
        &self,
        _: Context,
    ) -> s::GetCustomersWithKycForReviewReply {
        with_state!(self, GetCustomersWithKycForReviewReply, |state, _now| {
            let list: Vec<Value> = state
                .customers
                .iter()
                .filter(|c| c.kyc.last().is_some_and(|k| k.status == "under_review"))
                .map(customer_json)
                .collect();
            typed(Value::Array(list))
        })
    }

    async fn get_customer(&self, _: Context, external_customer_id: String) -> s::GetCustomerReply {
        with_state!(self, GetCustomerReply, |state, _now| {
            let c = state
                .customer(&external_customer_id)
                .ok_or_else(|| bad(format!("Customer {external_customer_id} not found")))?;
            typed(customer_json(c))
        })
    }

    async fn update_customer(
        &self,
        _: Context,
        external_customer_id: String,
        body: models::UpdateCustomerRequest,
    ) -> s::UpdateCustomerReply {
        with_state!(self, UpdateCustomerReply, |state, _now| {
            let changes = match serde_json::to_value(&body) {
                Ok(Value::Object(map)) => map,
                _ => {
                    return Err(Rejection::new(
                        500,
                        "sandbox bug: the update did not encode",
                    ));
                }
            };
            if let Some(email) = changes.get("email").and_then(Value::as_str) {
                if !email.contains('@') {
                    return Err(
                        bad("email must be an email address").with_detail("email", "isEmail")
                    );
                }
                let taken = state.customers.iter().any(|c| {
                    c.external_id != external_customer_id
                        && c.data
                            .get("email")
                            .and_then(Value::as_str)
                            .is_some_and(|e| e.eq_ignore_ascii_case(email))
                });
                if taken {
                    return Err(bad("This email is already used by another customer"));
                }
            }
            let c = state
                .customer_mut(&external_customer_id)
                .ok_or_else(|| bad(format!("Customer {external_customer_id} not found")))?;
            c.data.extend(changes);
            typed(customer_json(c))
        })
    }

    async fn get_customer_kyc_info(
        &self,
        _: Context,
        external_customer_id: String,
    ) -> s::GetCustomerKycInfoReply {
        with_state!(self, GetCustomerKycInfoReply, |state, _now| {
            let c = state
                .customer(&external_customer_id)
                .ok_or_else(|| bad(format!("Customer {external_customer_id} not found")))?;
            let verification = c.kyc.last().map(|k| {
                let mut v = json!({"type": "proof_of_id", "status": k.status});
                if let Some(at) = k.verified_at {
                    v["verifiedAt"] = json!(rfc3339(at));
                }
                if k.status == "pending" {
                    v["clientSecretKey"] = json!(k.client_secret);
                }
                v
            });
            typed(json!({"externalCustomerId": c.external_id, "kycVerification": verification}))
        })
    }

    async fn set_customer_kyc_manually_verified(
        &self,
        _: Context,
        external_customer_id: String,
        type_: models::SetCustomerKycManuallyVerifiedType,
        body: models::KycVerifyRequest,
    ) -> s::SetCustomerKycManuallyVerifiedReply {
        let _ = type_;
        with_state!(self, SetCustomerKycManuallyVerifiedReply, |state, now| {
            let c = state
                .customer_mut(&external_customer_id)
                .ok_or_else(|| bad(format!("Customer {external_customer_id} not found")))?;
            let k = c
                .kyc
                .last_mut()
                .filter(|k| k.status == "under_review")
                .ok_or_else(|| bad("The customer's KYC verification is not under review"))?;
            if body.verify && !k.attempted {
                return Err(bad(
                    "Manual approval requires that the customer has attempted document verification",
                ));
            }
            k.status = if body.verify {
                "verified_manually"
            } else {
                "rejected_manually"
            }
            .into();
            k.verified_at = body.verify.then_some(now);
            let status = k.status.clone();
            state.emit("kyc_verification", json!({"externalCustomerId": external_customer_id, "status": status, "transactionType": "kyc_verification"}), now);
            typed(json!({"message": format!("KYC verification {status}")}))
        })
    }

    async fn get_customer_prizes(
        &self,
        _: Context,
        external_customer_id: String,
        tax_year: Option<i64>,
    ) -> s::GetCustomerPrizesReply {
        with_state!(self, GetCustomerPrizesReply, |state, now| {
            if let Some(y) = tax_year
                && !(2000..=2100).contains(&y)
            {
                return Err(bad("taxYear must be between 2000 and 2100")
                    .with_detail("taxYear", "min 2000, max 2100"));
            }
            state
                .customer(&external_customer_id)
                .ok_or_else(|| bad(format!("Customer {external_customer_id} not found")))?;
            let wanted = tax_year.unwrap_or_else(|| year(now));
            let mut prizes: Vec<&Prize> = state
                .prizes
                .iter()
                .filter(|p| p.customer == external_customer_id && p.tax_year == wanted)
                .collect();
            prizes.sort_by(|a, b| b.date_won.cmp(&a.date_won));
            typed(
                json!({"prizes": prizes.iter().map(|p| Value::Object(p.record.clone())).collect::<Vec<_>>()}),
            )
        })
    }

    async fn record_prize(
        &self,
        _: Context,
        external_customer_id: String,
        body: models::RecordPrizeRequest,
    ) -> s::RecordPrizeReply {
        let tax_type = self.config.personal_tax_type.clone();
        with_state!(self, RecordPrizeReply, |state, now| {
            state
                .customer(&external_customer_id)
                .ok_or_else(|| bad(format!("Customer {external_customer_id} not found")))?;
            let tax_year = parse_date(&body.date_won).ok_or_else(|| {
                bad("dateWon must be a date (YYYY-MM-DD)").with_detail("dateWon", "isDateString")
            })?;
            // Amounts arrive as JSON numbers, exactly as sent; the rules compare them as floats.
            let winnings = body.reportable_winnings.as_f64().unwrap_or(0.0);
            match tax_type.as_deref() {
                Some("bingo") => {
                    if winnings < 1200.0 {
                        return Err(bad("Bingo prizes must be at least $1,200")
                            .with_detail("reportableWinnings", "min 1200"));
                    }
                    if body
                        .ticket_or_card_number
                        .as_deref()
                        .is_none_or(|t| t.trim().is_empty())
                    {
                        return Err(bad("Bingo prizes need a ticket or card number")
                            .with_detail("ticketOrCardNumber", "isNotEmpty"));
                    }
                }
                Some("horse_racing") => {
                    if winnings <= 600.0 {
                        return Err(bad("Horse racing prizes must exceed $600")
                            .with_detail("reportableWinnings", "greater than 600"));
                    }
                    let wager = body
                        .wager_amount
                        .as_ref()
                        .and_then(|w| w.as_f64())
                        .ok_or_else(|| {
                            bad("Horse racing prizes need the wager amount")
                                .with_detail("wagerAmount", "isNotEmpty")
                        })?;
                    if winnings < 300.0 * wager {
                        return Err(bad(
                            "Horse racing prizes must be at least 300 times the wager",
                        )
                        .with_detail("reportableWinnings", "at least 300 x wagerAmount"));
                    }
                    if body.race.as_deref().is_none_or(|r| r.trim().is_empty()) {
                        return Err(bad("Horse racing prizes need a race name")
                            .with_detail("race", "isNotEmpty"));
                    }
                }
                _ => {
                    return Err(bad(
                        "Prizes are only available to operators with a bingo or horse_racing personal tax type",
                    ));
                }
            }
            let mut record = match serde_json::to_value(&body) {
                Ok(Value::Object(map)) => map,
                _ => return Err(Rejection::new(500, "sandbox bug: the prize did not encode")),
            };
            record.insert("personalTaxType".into(), json!(tax_type));
            record.insert("taxYear".into(), json!(tax_year));
            record.insert("status".into(), json!("recorded"));
            record.insert("createdAt".into(), json!(rfc3339(now)));
            state.prizes.push(Prize {
                customer: external_customer_id.clone(),
                tax_year,
                date_won: body.date_won.clone(),
                record: record.clone(),
            });
            state.emit(
                "customer_w9_required",
                json!({"externalCustomerId": external_customer_id, "status": "w9_required"}),
                now,
            );
            typed(json!({"prize": record}))
        })
    }

    async fn create_payment_intent(
        &self,
        _: Context,
        body: models::CreatePaymentIntentRequest,
    ) -> s::CreatePaymentIntentReply {
        with_state!(self, CreatePaymentIntentReply, |state, now| {
            let p = &body.payment_intent;
            check_amount(&p.amount)?;
            check_currency(&p.currency)?;
            let customer = &body.customer.external_customer_id;
            state
                .customer(customer)
                .ok_or_else(|| bad(format!("Customer {customer} not found")))?;
            if state
                .payment_intents
                .iter()
                .any(|i| i.external_id == p.external_payment_intent_id)
            {
                return Err(bad(
                    "A payment intent with this externalPaymentIntentId already exists",
                ));
            }
            let id = state.id(now);
            let secret = state.secret("cs_pi_", now);
            state.payment_intents.push(PaymentIntent {
                id: id.clone(),
                external_id: p.external_payment_intent_id.clone(),
                customer: customer.clone(),
                amount: p.amount.clone(),
                currency: p.currency.clone(),
                created_at: now,
                payments: Vec::new(),
            });
            typed(json!({
                "paymentIntentId": id, "amount": p.amount, "currency": p.currency, "externalCustomerId": customer,
                "externalPaymentIntentId": p.external_payment_intent_id, "clientSecretKey": secret,
                "clientSecretKeyValidTill": rfc3339(now + CLIENT_SECRET_LIFETIME_MS), "expirationTime": rfc3339(now + INTENT_LIFETIME_MS),
            }))
        })
    }

    async fn get_payment_intent_status(
        &self,
        _: Context,
        payment_intent_id: String,
    ) -> s::GetPaymentIntentStatusReply {
        with_state!(self, GetPaymentIntentStatusReply, |state, _now| {
            let intent = state
                .payment_intents
                .iter()
                .find(|i| i.id == payment_intent_id)
                .ok_or_else(|| bad(format!("Payment intent {payment_intent_id} not found")))?;
            let status = intent
                .payments
                .last()
                .map_or("no-payment", |p| p.status.as_str());
            typed(
                json!({"status": status, "payments": intent.payments.iter().map(|p| p.to_json()).collect::<Vec<_>>()}),
            )
        })
    }

    async fn create_disbursement_intent(
        &self,
        _: Context,
        body: models::CreateDisbursementIntentRequest,
    ) -> s::CreateDisbursementIntentReply {
        with_state!(self, CreateDisbursementIntentReply, |state, now| {
            let d = &body.disbursement_intent;
            check_amount(&d.amount)?;
            check_currency(&d.currency)?;
            let customer = &body.customer.external_customer_id;
            state
                .customer(customer)
                .ok_or_else(|| bad(format!("Customer {customer} not found")))?;
            // externalDisbursementIntentId is not unique: Vivamo accepts repeats.
            let id = state.id(now);
            let secret = state.secret("cs_di_", now);
            state.disbursement_intents.push(DisbursementIntent {
                id: id.clone(),
                external_id: d.external_disbursement_intent_id.clone(),
                customer: customer.clone(),
                amount: d.amount.clone(),
                currency: d.currency.clone(),
                created_at: now,
                disbursement: None,
            });
            typed(json!({
                "disbursementIntentId": id, "amount": d.amount, "currency": d.currency, "externalCustomerId": customer,
                "externalDisbursementIntentId": d.external_disbursement_intent_id, "clientSecretKey": secret,
                "clientSecretKeyValidTill": rfc3339(now + CLIENT_SECRET_LIFETIME_MS), "expirationTime": rfc3339(now + INTENT_LIFETIME_MS),
            }))
        })
    }

    async fn get_disbursement_intent_status(
        &self,
        _: Context,
        disbursement_intent_id: String,
    ) -> s::GetDisbursementIntentStatusReply {
        with_state!(self, GetDisbursementIntentStatusReply, |state, _now| {
            let intent = state
                .disbursement_intents
                .iter()
                .find(|i| i.id == disbursement_intent_id)
                .ok_or_else(|| {
                    bad(format!(
                        "Disbursement intent {disbursement_intent_id} not found"
                    ))
                })?;
            // Before the customer submits a payout method there is no disbursement and no status to report.
            let reply = match &intent.disbursement {
                Some(d) => json!({"status": d.status, "disbursement": d.to_json()}),
                None => json!({}),
            };
            typed(reply)
        })
    }

    async fn get_disbursements_awaiting_approval(
        &self,
        _: Context,
    ) -> s::GetDisbursementsAwaitingApprovalReply {
        with_state!(
            self,
            GetDisbursementsAwaitingApprovalReply,
            |state, _now| {
                let list: Vec<Value> = state
                .disbursement_intents
                .iter()
                .filter_map(|i| i.disbursement.as_ref().filter(|d| d.status == "pending-validation").map(|d| (i, d)))
                .map(|(i, d)| {
                    let data = state.customer(&i.customer).map(|c| c.data.clone()).unwrap_or_default();
                    let pick = |k: &str| data.get(k).cloned().unwrap_or(Value::Null);
                    json!({
                        "disbursementIntentId": i.id, "externalCustomerId": i.customer, "externalDisbursementId": i.external_id,
                        "customerId": {"data": {"firstName": pick("firstName"), "lastName": pick("lastName"), "email": pick("email"), "phone": pick("phone")}},
                        "amount": i.amount, "currency": i.currency, "type": d.kind,
                        "status": {"name": "pending-validation", "createdAt": rfc3339(d.status_changed_at)},
                        "createdAt": rfc3339(d.created_at),
                    })
                })
                .map(|mut v| {
                    // Absent customer fields are left out rather than sent as null.
                    if let Some(data) = v.pointer_mut("/customerId/data").and_then(Value::as_object_mut) {
                        data.retain(|_, x| !x.is_null());
                    }
                    v
                })
                .collect();
                typed(Value::Array(list))
            }
        )
    }

    async fn proceed_with_disbursement(
        &self,
        _: Context,
        disbursement_intent_id: String,
        allow: bool,
    ) -> s::ProceedWithDisbursementReply {
        let settle_after = self.config.settle_after_ms;
        with_state!(self, ProceedWithDisbursementReply, |state, now| {
            let intent = state
                .disbursement_intents
                .iter_mut()
                .find(|i| i.id == disbursement_intent_id)
                .ok_or_else(|| {
                    bad(format!(
                        "Disbursement intent {disbursement_intent_id} not found"
                    ))
                })?;
            let d = intent
                .disbursement
                .as_mut()
                .filter(|d| d.status == "pending-validation")
                .ok_or_else(|| bad("The disbursement is not in pending-validation status"))?;
            if allow {
                d.status = "pending".into();
                d.settle_at = Some(now + settle_after);
            } else {
                d.status = "rejected".into();
            }
            d.status_changed_at = now;
            let reply = json!({
                "disbursementId": d.id, "amount": intent.amount, "externalCustomerId": intent.customer,
                "externalDisbursementId": intent.external_id, "currency": intent.currency, "status": d.status,
            });
            let event = crate::state::disbursement_event(intent);
            state.emit("transaction", event, now);
            typed(reply)
        })
    }

    async fn check_geolocation(
        &self,
        _: Context,
        body: models::GeolocationCheckRequest,
    ) -> s::CheckGeolocationReply {
        let rules = self.config.allowed_regions.clone();
        with_state!(self, CheckGeolocationReply, |_state, _now| {
            let ip: std::net::IpAddr =
                body.ip.trim().parse().map_err(|_| {
                    bad("ip must be an IPv4 or IPv6 address").with_detail("ip", "isIp")
                })?;
            let Some(rules) = rules else {
                return typed(
                    json!({"allowed": true, "country": null, "countryCode": null, "state": null, "stateCode": null}),
                );
            };
            let (country, country_code, state_name, state_code) =
                crate::geo::lookup(ip).unwrap_or((None, None, None, None));
            let allowed = match (country_code, state_code) {
                (Some(c), Some(s)) => rules.iter().any(|r| r == &format!("{c}-{s}") || r == c),
                (Some(c), None) => rules.iter().any(|r| r == c),
                _ => false,
            };
            typed(
                json!({"allowed": allowed, "country": country, "countryCode": country_code, "state": state_name, "stateCode": state_code}),
            )
        })
    }

    async fn list_webhooks(&self, _: Context) -> s::ListWebhooksReply {
        with_state!(self, ListWebhooksReply, |state, _now| {
            typed(Value::Array(
                state.webhooks.iter().map(webhook_json).collect(),
            ))
        })
    }

    async fn register_webhook(
        &self,
        _: Context,
        body: models::RegisterWebhookRequest,
    ) -> s::RegisterWebhookReply {
        with_state!(self, RegisterWebhookReply, |state, now| {
            check_url(&body.url)?;
            let event_types: Vec<String> = EVENT_TYPES.iter().map(|t| t.to_string()).collect();
            if state
                .webhooks
                .iter()
                .any(|w| w.url == body.url && w.event_types.iter().any(|t| event_types.contains(t)))
            {
                return Err(Rejection::new(
                    409,
                    "A webhook with this URL and overlapping event types already exists",
                ));
            }
            let id = state.id(now);
            let secret = state.secret("", now) + &state.secret("", now);
            let webhook = Webhook {
                id,
                url: body.url.clone(),
                status: "active".into(),
                event_types,
                headers: body.headers.clone().unwrap_or_default(),
                secret,
            };
            let mut reply = webhook_json(&webhook);
            reply["secretKey"] = json!(webhook.secret);
            state.webhooks.push(webhook);
            typed(reply)
        })
    }

    async fn delete_webhook(
        &self,
        _: Context,
        body: models::DeleteWebhookRequest,
    ) -> s::DeleteWebhookReply {
        with_state!(self, DeleteWebhookReply, |state, _now| {
            let before = state.webhooks.len();
            state.webhooks.retain(|w| w.url != body.url);
            if state.webhooks.len() == before {
                return Err(bad(format!("No webhook is registered for {}", body.url)));
            }
            typed(json!({"message": "Webhook deleted"}))
        })
    }

    async fn update_webhook(
        &self,
        _: Context,
        webhook_id: String,
        body: models::UpdateWebhookRequest,
    ) -> s::UpdateWebhookReply {
        with_state!(self, UpdateWebhookReply, |state, _now| {
            let index = state
                .webhooks
                .iter()
                .position(|w| w.id == webhook_id)
                .ok_or_else(|| bad(format!("Webhook {webhook_id} not found")))?;
            let mut updated = state.webhooks[index].clone();
            if let Some(url) = &body.url {
                check_url(url)?;
                updated.url = url.clone();
            }
            if let Some(status) = &body.status {
                updated.status = status.as_str().to_string();
            }
            if let Some(types) = &body.event_types {
                updated.event_types = types.iter().map(|t| t.as_str().to_string()).collect();
            }
            if let Some(headers) = &body.headers {
                updated.headers = headers.clone();
            }
            let clash = state.webhooks.iter().any(|w| {
                w.id != webhook_id
                    && w.url == updated.url
                    && w.event_types
                        .iter()
                        .any(|t| updated.event_types.contains(t))
            });
            if clash {
                return Err(Rejection::new(
                    409,
                    "A webhook with this URL and overlapping event types already exists",
                ));
            }
            state.webhooks[index] = updated.clone();
            typed(webhook_json(&updated))
        })
    }
}

fn check_url(url: &str) -> Result<(), Rejection> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(bad("url must be an http or https URL").with_detail("url", "isUrl")),
    }
}

/// The year of a `YYYY-MM-DD` date.
fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(y)
}
