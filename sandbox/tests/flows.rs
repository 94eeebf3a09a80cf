//! Every documented flow, walked through the generated client against the running sandbox.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use vivamo_api::client::{Client, Credentials, Error, Secret};
use vivamo_api::models;
use vivamo_api::support::Unexpected;
use vivamo_api::{Inspect, webhooks};
use vivamo_sandbox::{Clock, Config, DEFAULT_API_KEY, Running, Sandbox};

const START: i64 = 1_771_113_845_000; // 2026-02-15T00:04:05Z

struct Harness {
    sandbox: Sandbox,
    running: Running,
    client: Client,
    http: reqwest::Client,
}

async fn start_with(config: Config) -> Harness {
    let sandbox = Sandbox::new(config, Clock::fixed(START));
    let running = sandbox
        .serve_with("127.0.0.1:0".parse().unwrap(), false)
        .await
        .unwrap();
    let client = Client::new(
        &running.base_url(),
        Credentials {
            bearer_auth: Some(Secret::new(DEFAULT_API_KEY)),
        },
    )
    .unwrap();
    Harness {
        sandbox,
        running,
        client,
        http: reqwest::Client::new(),
    }
}

async fn start() -> Harness {
    start_with(Config::default()).await
}

impl Harness {
    /// Calls a test-only endpoint.
    async fn test_only(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.running.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn customer(&self, id: &str, email: &str) {
        let mut data = models::CustomerData::new(email.into());
        data.first_name = Some("Ada".into());
        data.last_name = Some("Lovelace".into());
        data.phone = Some("+15555550100".into());
        let body = models::CreateCustomerRequest::new(id.into(), data);
        self.client.create_customer(&body).await.unwrap();
    }

    async fn disbursement_intent(&self, customer: &str, external: &str, amount: &str) -> String {
        let body = models::CreateDisbursementIntentRequest::new(
            models::CustomerReference::new(customer.into()),
            models::DisbursementIntentInput::new(external.into(), amount.into(), "USD".into()),
        );
        let created = self
            .client
            .create_disbursement_intent(&body)
            .await
            .unwrap()
            .body;
        created.disbursement_intent_id.expect("an id")
    }
}

fn status_400<E: std::fmt::Debug>(result: Result<impl std::fmt::Debug, Error<E>>) -> String {
    match result {
        Err(Error::Api(r)) if r.status == 400 => format!("{:?}", r.body),
        other => panic!("expected a documented 400, got {other:?}"),
    }
}

#[tokio::test]
async fn requests_without_a_valid_secret_key_get_403_in_the_documented_shape() {
    let h = start().await;
    for credentials in [
        Credentials::default(),
        Credentials {
            bearer_auth: Some(Secret::new("sk_wrong")),
        },
    ] {
        let client = Client::new(&h.running.base_url(), credentials).unwrap();
        match client.list_customers(None, None).await {
            Err(Error::Api(r)) => {
                assert_eq!(r.status, 403);
                let vivamo_api::client::ListCustomersError::Status403(body) = r.body else {
                    panic!("{:?}", r.body)
                };
                assert!(body.message.contains("API key"), "{}", body.message);
            }
            other => panic!("expected 403, got {other:?}"),
        }
    }
}

/// A customer request of the two required fields, built by the generated constructors.
fn new_customer(id: &str, email: &str) -> models::CreateCustomerRequest {
    models::CreateCustomerRequest::new(id.into(), models::CustomerData::new(email.into()))
}

#[tokio::test]
async fn customers_are_unique_by_external_id_and_email_and_page_through() {
    let h = start().await;
    h.customer("user_1", "ada@vivamo.test").await;
    let duplicate_id = new_customer("user_1", "other@vivamo.test");
    assert!(status_400(h.client.create_customer(&duplicate_id).await).contains("already exists"));
    let duplicate_email = new_customer("user_2", "ADA@vivamo.test");
    assert!(
        status_400(h.client.create_customer(&duplicate_email).await).contains("already exists")
    );
    // A +suffix address is accepted with a warning.
    let plus = new_customer("user_3", "ada+1@vivamo.test");
    assert!(
        h.client
            .create_customer(&plus)
            .await
            .unwrap()
            .body
            .warning
            .is_some()
    );
    for i in 4..=12 {
        h.customer(&format!("user_{i}"), &format!("u{i}@vivamo.test"))
            .await;
    }
    let all = h.client.list_customers_all(4).await.unwrap();
    assert_eq!(all.len(), 11);
    let page = h
        .client
        .list_customers(Some(3), Some(4))
        .await
        .unwrap()
        .body
        .customers
        .unwrap();
    assert_eq!(page.len(), 3);

    let update: models::UpdateCustomerRequest =
        serde_json::from_value(json!({"city": "Hoboken"})).unwrap();
    let updated = h
        .client
        .update_customer("user_1", &update)
        .await
        .unwrap()
        .body;
    assert_eq!(
        updated.data.as_ref().and_then(|d| d.city.as_deref()),
        Some("Hoboken")
    );
    let fetched = h.client.get_customer("user_1").await.unwrap().body;
    assert_eq!(fetched.data.unwrap().email, "ada@vivamo.test");
    assert!(status_400(h.client.get_customer("nobody").await).contains("not found"));
}

#[tokio::test]
async fn an_approved_disbursement_goes_pending_then_success_and_the_queue_empties() {
    let h = start().await;
    h.customer("user_1", "ada@vivamo.test").await;
    let id = h.disbursement_intent("user_1", "payout_1", "25.50").await;
    // Before the customer submits a payout method there is nothing to report.
    let before = h
        .client
        .get_disbursement_intent_status(&id)
        .await
        .unwrap()
        .body;
    assert!(before.status.is_none() && before.disbursement.is_none());

    assert_eq!(
        h.test_only(
            &format!("/_sandbox/disbursement-intents/{id}/submit"),
            json!({"type": "bank"})
        )
        .await
        .0,
        200
    );
    let queue = h
        .client
        .get_disbursements_awaiting_approval()
        .await
        .unwrap()
        .body;
    assert_eq!(queue.len(), 1);
    assert_eq!(
        queue[0].disbursement_intent_id.as_deref(),
        Some(id.as_str())
    );
    assert_eq!(
        queue[0].external_disbursement_id.as_deref(),
        Some("payout_1")
    );
    assert_eq!(
        queue[0]
            .customer_id
            .as_ref()
            .and_then(|c| c.data.as_ref())
            .and_then(|d| d.email.as_deref()),
        Some("ada@vivamo.test")
    );
    assert_eq!(
        queue[0].status.as_ref().and_then(|s| s.name.as_deref()),
        Some("pending-validation")
    );

    let proceeded = h
        .client
        .proceed_with_disbursement(&id, true)
        .await
        .unwrap()
        .body;
    assert_eq!(
        proceeded.status,
        Some(models::ProceedDisbursementResponseStatus::Pending)
    );
    assert!(
        h.client
            .get_disbursements_awaiting_approval()
            .await
            .unwrap()
            .body
            .is_empty()
    );
    let pending = h
        .client
        .get_disbursement_intent_status(&id)
        .await
        .unwrap()
        .body;
    assert_eq!(
        pending.status,
        Some(models::DisbursementIntentStatusStatus::Pending)
    );
    assert_eq!(
        pending.disbursement.unwrap().status,
        Some(models::DisbursementStatus::Pending)
    );

    h.sandbox.clock.advance(Duration::from_secs(31));
    let done = h
        .client
        .get_disbursement_intent_status(&id)
        .await
        .unwrap()
        .body;
    assert_eq!(
        done.status,
        Some(models::DisbursementIntentStatusStatus::Success)
    );
    // The service names the record's id `_id` where the spec documents `id`: the generated type
    // keeps it as an undocumented property, and nothing else surprises it.
    let surprises: Vec<(String, Unexpected)> = done
        .unknown_values()
        .into_iter()
        .map(|u| (u.path, u.kind))
        .collect();
    assert_eq!(
        surprises,
        [("/disbursement/_id".to_string(), Unexpected::Property)]
    );
    assert!(
        done.disbursement
            .as_ref()
            .is_some_and(|d| d.undocumented.contains_key("_id"))
    );
    // A second decision is refused.
    assert!(
        status_400(h.client.proceed_with_disbursement(&id, false).await)
            .contains("pending-validation")
    );
}

#[tokio::test]
async fn a_failed_disbursement_reports_its_sub_status() {
    let h = start().await;
    h.customer("user_1", "ada@vivamo.test").await;
    let id = h.disbursement_intent("user_1", "payout_1", "10").await;
    h.test_only(
        &format!("/_sandbox/disbursement-intents/{id}/submit"),
        json!({"type": "card", "outcome": "failed", "subStatus": "declined"}),
    )
    .await;
    h.client.proceed_with_disbursement(&id, true).await.unwrap();
    h.sandbox.clock.advance(Duration::from_secs(60));
    let done = h
        .client
        .get_disbursement_intent_status(&id)
        .await
        .unwrap()
        .body;
    assert_eq!(
        done.status,
        Some(models::DisbursementIntentStatusStatus::Failed)
    );
    let record = done.disbursement.unwrap();
    assert_eq!(record.status, Some(models::DisbursementStatus::Failed));
    assert_eq!(record.type_, Some(models::DisbursementType::Card));
}

#[tokio::test]
async fn a_rejected_disbursement_reads_back_rejected_which_the_published_schema_lacks() {
    let h = start().await;
    h.customer("user_1", "ada@vivamo.test").await;
    let id = h.disbursement_intent("user_1", "payout_1", "99.99").await;
    h.test_only(
        &format!("/_sandbox/disbursement-intents/{id}/submit"),
        json!({}),
    )
    .await;
    let proceeded = h
        .client
        .proceed_with_disbursement(&id, false)
        .await
        .unwrap()
        .body;
    assert_eq!(
        proceeded.status,
        Some(models::ProceedDisbursementResponseStatus::Rejected)
    );
    let status = h
        .client
        .get_disbursement_intent_status(&id)
        .await
        .unwrap()
        .body;
    assert_eq!(
        status.status,
        Some(models::DisbursementIntentStatusStatus::Rejected)
    );
    // The service reports what the guides say; the generated type keeps it as an unknown value.
    let unknown: Vec<_> = status
        .unknown_values()
        .into_iter()
        .filter(|u| u.kind == Unexpected::Value)
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0].path, "/disbursement/status");
    assert_eq!(unknown[0].value, "\"rejected\"");
}

#[tokio::test]
async fn intents_expire_after_two_hours_and_external_ids_may_repeat() {
    let h = start().await;
    h.customer("user_1", "ada@vivamo.test").await;
    let first = h.disbursement_intent("user_1", "same", "5").await;
    let second = h.disbursement_intent("user_1", "same", "5").await;
    assert_ne!(first, second);
    h.sandbox.clock.advance(Duration::from_secs(2 * 3600));
    let (status, body) = h
        .test_only(
            &format!("/_sandbox/disbursement-intents/{first}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    let unknown_customer: models::CreateDisbursementIntentRequest = serde_json::from_value(json!({"customer": {"externalCustomerId": "ghost"}, "disbursementIntent": {"externalDisbursementIntentId": "x", "amount": "1", "currency": "USD"}})).unwrap();
    assert!(
        status_400(h.client.create_disbursement_intent(&unknown_customer).await)
            .contains("not found")
    );
    let bad_amount: models::CreateDisbursementIntentRequest = serde_json::from_value(json!({"customer": {"externalCustomerId": "user_1"}, "disbursementIntent": {"externalDisbursementIntentId": "x", "amount": "-3", "currency": "USD"}})).unwrap();
    assert!(status_400(h.client.create_disbursement_intent(&bad_amount).await).contains("amount"));
}

#[tokio::test]
async fn payments_go_from_no_payment_to_pending_to_their_outcome() {
    let h = start().await;
    h.customer("user_1", "ada@vivamo.test").await;
    let body: models::CreatePaymentIntentRequest = serde_json::from_value(json!({
        "customer": {"externalCustomerId": "user_1"},
        "paymentIntent": {"amount": "9.99", "currency": "USD", "externalPaymentIntentId": "order_1"}
    }))
    .unwrap();
    let created = h.client.create_payment_intent(&body).await.unwrap().body;
    assert!(
        created
            .client_secret_key
            .as_deref()
            .unwrap()
            .starts_with("cs_pi_")
    );
    assert_eq!(
        created.expiration_time.as_deref(),
        Some("2026-02-15T02:04:05.000Z")
    );
    let id = created.payment_intent_id.unwrap();
    let status = h.client.get_payment_intent_status(&id).await.unwrap().body;
    assert_eq!(
        status.status,
        Some(models::PaymentIntentStatusStatus::NoPayment)
    );
    assert_eq!(
        h.test_only(
            &format!("/_sandbox/payment-intents/{id}/pay"),
            json!({"type": "card"})
        )
        .await
        .0,
        200
    );
    let status = h.client.get_payment_intent_status(&id).await.unwrap().body;
    assert_eq!(
        status.status,
        Some(models::PaymentIntentStatusStatus::Pending)
    );
    h.sandbox.clock.advance(Duration::from_secs(30));
    let status = h.client.get_payment_intent_status(&id).await.unwrap().body;
    assert_eq!(
        status.status,
        Some(models::PaymentIntentStatusStatus::Success)
    );
    assert_eq!(
        status.payments.unwrap()[0].type_,
        Some(models::PaymentType::Card)
    );
    // The external id of a payment intent is unique.
    assert!(status_400(h.client.create_payment_intent(&body).await).contains("already exists"));
}

#[tokio::test]
async fn kyc_review_approves_or_rejects_only_what_is_under_review() {
    let h = start().await;
    for (id, email) in [("kyc_1", "k1@vivamo.test"), ("kyc_2", "k2@vivamo.test")] {
        let body: models::CreateCustomerRequest = serde_json::from_value(json!({"externalCustomerId": id, "verifyAfterCreation": true, "data": {"email": email}})).unwrap();
        h.client.create_customer(&body).await.unwrap();
    }
    let info = h.client.get_customer_kyc_info("kyc_1").await.unwrap().body;
    let verification = info.kyc_verification.flatten().unwrap();
    assert_eq!(
        verification.status,
        Some(models::KycInfoVerificationStatus::Pending)
    );
    assert!(
        verification
            .client_secret_key
            .unwrap()
            .starts_with("cs_ki_")
    );
    let approve = models::KycVerifyRequest::new(true);
    let reject = models::KycVerifyRequest::new(false);
    // Not under review yet: refused.
    assert!(
        status_400(
            h.client
                .set_customer_kyc_manually_verified(
                    "kyc_1",
                    &models::SetCustomerKycManuallyVerifiedType::ProofOfId,
                    &approve
                )
                .await
        )
        .contains("under review")
    );
    for id in ["kyc_1", "kyc_2"] {
        assert_eq!(
            h.test_only(
                &format!("/_sandbox/customers/{id}/kyc"),
                json!({"result": "under_review"})
            )
            .await
            .0,
            200
        );
    }
    let review = h
        .client
        .get_customers_with_kyc_for_review()
        .await
        .unwrap()
        .body;
    assert_eq!(review.len(), 2);
    h.client
        .set_customer_kyc_manually_verified(
            "kyc_1",
            &models::SetCustomerKycManuallyVerifiedType::ProofOfId,
            &approve,
        )
        .await
        .unwrap();
    h.client
        .set_customer_kyc_manually_verified(
            "kyc_2",
            &models::SetCustomerKycManuallyVerifiedType::ProofOfId,
            &reject,
        )
        .await
        .unwrap();
    let one = h
        .client
        .get_customer_kyc_info("kyc_1")
        .await
        .unwrap()
        .body
        .kyc_verification
        .flatten()
        .unwrap();
    assert_eq!(
        one.status,
        Some(models::KycInfoVerificationStatus::VerifiedManually)
    );
    assert!(
        one.client_secret_key.is_none(),
        "only a pending verification shows its client secret"
    );
    assert!(one.verified_at.is_some());
    let two = h
        .client
        .get_customer_kyc_info("kyc_2")
        .await
        .unwrap()
        .body
        .kyc_verification
        .flatten()
        .unwrap();
    assert_eq!(
        two.status,
        Some(models::KycInfoVerificationStatus::RejectedManually)
    );
    assert!(
        h.client
            .get_customers_with_kyc_for_review()
            .await
            .unwrap()
            .body
            .is_empty()
    );
}

#[tokio::test]
async fn prizes_follow_the_w2g_thresholds_of_the_tax_type() {
    let h = start().await;
    h.customer("user_1", "ada@vivamo.test").await;
    let prize = |winnings: f64, ticket: Option<&str>, date: &str| -> models::RecordPrizeRequest {
        serde_json::from_value(json!({"reportableWinnings": winnings, "dateWon": date, "typeOfWager": "bingo", "federalIncomeTaxWithheld": 0, "ticketOrCardNumber": ticket})).unwrap()
    };
    assert!(
        status_400(
            h.client
                .record_prize("user_1", &prize(1199.0, Some("T-1"), "2026-02-01"))
                .await
        )
        .contains("1,200")
    );
    assert!(
        status_400(
            h.client
                .record_prize("user_1", &prize(1500.0, None, "2026-02-01"))
                .await
        )
        .contains("ticket")
    );
    h.client
        .record_prize("user_1", &prize(1200.0, Some("T-1"), "2026-01-10"))
        .await
        .unwrap();
    h.client
        .record_prize("user_1", &prize(2500.0, Some("T-2"), "2026-02-01"))
        .await
        .unwrap();
    h.client
        .record_prize("user_1", &prize(3000.0, Some("T-3"), "2025-12-31"))
        .await
        .unwrap();
    let this_year = h
        .client
        .get_customer_prizes("user_1", None)
        .await
        .unwrap()
        .body
        .prizes
        .unwrap();
    let dates: Vec<_> = this_year
        .iter()
        .map(|p| p.date_won.clone().unwrap())
        .collect();
    assert_eq!(
        dates,
        ["2026-02-01", "2026-01-10"],
        "current year, most recent first"
    );
    let last_year = h
        .client
        .get_customer_prizes("user_1", Some(2025))
        .await
        .unwrap()
        .body
        .prizes
        .unwrap();
    assert_eq!(last_year.len(), 1);
    assert_eq!(
        last_year[0].status,
        Some(models::PrizeRecordStatus::Recorded)
    );
    // Outside the documented range of taxYear.
    assert!(
        status_400(h.client.get_customer_prizes("user_1", Some(1999)).await).contains("taxYear")
    );

    let horses = start_with(Config {
        personal_tax_type: Some("horse_racing".into()),
        ..Config::default()
    })
    .await;
    horses.customer("user_1", "ada@vivamo.test").await;
    let bet = |winnings: f64, wager: f64, race: Option<&str>| -> models::RecordPrizeRequest {
        serde_json::from_value(json!({"reportableWinnings": winnings, "dateWon": "2026-02-01", "typeOfWager": "trifecta", "federalIncomeTaxWithheld": 0, "wagerAmount": wager, "race": race})).unwrap()
    };
    assert!(
        status_400(
            horses
                .client
                .record_prize("user_1", &bet(600.0, 1.0, Some("R1")))
                .await
        )
        .contains("exceed $600")
    );
    assert!(
        status_400(
            horses
                .client
                .record_prize("user_1", &bet(700.0, 3.0, Some("R1")))
                .await
        )
        .contains("300 times")
    );
    assert!(
        status_400(
            horses
                .client
                .record_prize("user_1", &bet(700.0, 2.0, None))
                .await
        )
        .contains("race")
    );
    let recorded = horses
        .client
        .record_prize("user_1", &bet(700.0, 2.0, Some("R1")))
        .await
        .unwrap()
        .body
        .prize
        .unwrap();
    assert_eq!(
        recorded.personal_tax_type,
        Some(models::PrizeRecordPersonalTaxType::HorseRacing)
    );
}

#[tokio::test]
async fn geolocation_applies_the_rules_or_allows_everything_without_rules() {
    let h = start().await;
    let check = |ip: &str| models::GeolocationCheckRequest::new(ip.into());
    let nj = h
        .client
        .check_geolocation(&check("192.0.2.10"))
        .await
        .unwrap()
        .body;
    assert_eq!(
        (nj.allowed, nj.state_code.flatten().as_deref()),
        (Some(true), Some("NJ"))
    );
    let ut = h
        .client
        .check_geolocation(&check("198.51.100.7"))
        .await
        .unwrap()
        .body;
    assert_eq!(ut.allowed, Some(false));
    let error = status_400(h.client.check_geolocation(&check("not-an-ip")).await);
    assert!(
        error.contains("isIp"),
        "the error lists the failed constraint: {error}"
    );

    let open = start_with(Config {
        allowed_regions: None,
        ..Config::default()
    })
    .await;
    let anywhere = open
        .client
        .check_geolocation(&check("203.0.113.9"))
        .await
        .unwrap()
        .body;
    assert_eq!(anywhere.allowed, Some(true));
    assert_eq!(
        anywhere.country,
        Some(None),
        "no lookup is performed: the fields are null"
    );
}

/// What a receiver saw: body, `signature` header, `x-custom-auth` header.
type Seen = Arc<Mutex<Vec<(Vec<u8>, Option<String>, Option<String>)>>>;

/// A webhook receiver that answers with the given statuses in turn (200 once they run out).
async fn receiver(answers: Vec<u16>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let log = log.clone();
                let answers = answers.clone();
                async move {
                    let header = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string)
                    };
                    log.lock().unwrap().push((
                        body.to_vec(),
                        header("signature"),
                        header("x-custom-auth"),
                    ));
                    let status = answers.lock().unwrap().next().unwrap_or(200);
                    axum::http::StatusCode::from_u16(status).unwrap()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn webhooks_are_signed_retried_on_the_documented_schedule_and_unique_by_url() {
    let h = start().await;
    let (url, seen) = receiver(vec![500, 503]).await;
    let register: models::RegisterWebhookRequest =
        serde_json::from_value(json!({"url": url, "headers": {"X-Custom-Auth": "pre-shared"}}))
            .unwrap();
    let created = h.client.register_webhook(&register).await.unwrap().body;
    let secret = created
        .secret_key
        .clone()
        .expect("the secret is shown at creation");
    match h.client.register_webhook(&register).await {
        Err(Error::Api(r)) => assert_eq!(r.status, 409),
        other => panic!("a duplicate registration must get 409, got {other:?}"),
    }
    let listed = h.client.list_webhooks().await.unwrap().body;
    assert_eq!(listed.len(), 1);
    assert!(
        !format!("{listed:?}").contains(&secret),
        "the secret is never shown again"
    );

    h.customer("user_1", "ada@vivamo.test").await;
    let id = h.disbursement_intent("user_1", "payout_1", "12.00").await;
    h.test_only(
        &format!("/_sandbox/disbursement-intents/{id}/submit"),
        json!({}),
    )
    .await;
    // First try fails (500); the retry is due after one minute, the next after two more.
    assert_eq!(h.sandbox.deliver_due().await, 1);
    assert_eq!(
        h.sandbox.deliver_due().await,
        0,
        "nothing is due before a minute has passed"
    );
    h.sandbox.clock.advance(Duration::from_secs(60));
    assert_eq!(h.sandbox.deliver_due().await, 1);
    h.sandbox.clock.advance(Duration::from_secs(119));
    assert_eq!(h.sandbox.deliver_due().await, 0);
    h.sandbox.clock.advance(Duration::from_secs(1));
    assert_eq!(h.sandbox.deliver_due().await, 1);
    let log = h.sandbox.delivery_log();
    let outcomes: Vec<&str> = log.iter().map(|a| a.outcome.as_str()).collect();
    assert_eq!(outcomes, ["500", "503", "200"]);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    for (body, signature, custom) in &seen {
        assert!(
            webhooks::verify_signature(secret.as_bytes(), body, signature.as_deref().unwrap()),
            "signature must verify"
        );
        assert!(!webhooks::verify_signature(
            b"another secret",
            body,
            signature.as_deref().unwrap()
        ));
        assert_eq!(custom.as_deref(), Some("pre-shared"));
        let event = webhooks::parse_register_webhook_webhook_delivery(body).unwrap();
        assert_eq!(event.status.as_deref(), Some("pending-validation"));
        assert_eq!(event.disbursement_intent_id.as_deref(), Some(id.as_str()));
    }

    // Update without rotating the secret; delete by url.
    let update: models::UpdateWebhookRequest =
        serde_json::from_value(json!({"status": "inactive"})).unwrap();
    let updated = h
        .client
        .update_webhook(created.id.as_deref().unwrap(), &update)
        .await
        .unwrap()
        .body;
    assert_eq!(updated.status, Some(models::WebhookStatus::Inactive));
    let delete = models::DeleteWebhookRequest::new(url.clone());
    h.client.delete_webhook(&delete).await.unwrap();
    assert!(h.client.list_webhooks().await.unwrap().body.is_empty());
}

#[tokio::test]
async fn a_receiver_that_never_answers_200_is_tried_six_times_then_dropped() {
    let h = start().await;
    let (url, seen) = receiver(vec![500; 10]).await;
    let register: models::RegisterWebhookRequest =
        serde_json::from_value(json!({"url": url})).unwrap();
    h.client.register_webhook(&register).await.unwrap();
    h.customer("user_1", "ada@vivamo.test").await;
    let id = h.disbursement_intent("user_1", "p", "1").await;
    h.test_only(
        &format!("/_sandbox/disbursement-intents/{id}/submit"),
        json!({}),
    )
    .await;
    for _ in 0..20 {
        h.sandbox.deliver_due().await;
        h.sandbox.clock.advance(Duration::from_secs(60));
    }
    // The first try and five retries (after 1, 2, 3, 4 and 5 minutes).
    assert_eq!(seen.lock().unwrap().len(), 6);
}

#[tokio::test]
async fn two_simultaneous_proceed_calls_have_exactly_one_winner() {
    let h = start().await;
    h.customer("user_1", "ada@vivamo.test").await;
    for round in 0..10 {
        let id = h
            .disbursement_intent("user_1", &format!("p{round}"), "1")
            .await;
        h.test_only(
            &format!("/_sandbox/disbursement-intents/{id}/submit"),
            json!({}),
        )
        .await;
        let (a, b) = tokio::join!(
            h.client.proceed_with_disbursement(&id, true),
            h.client.proceed_with_disbursement(&id, false)
        );
        assert_eq!(
            a.is_ok() as u8 + b.is_ok() as u8,
            1,
            "round {round}: {a:?} / {b:?}"
        );
    }
}

#[tokio::test]
async fn parallel_load_loses_and_duplicates_nothing() {
    let h = Arc::new(start().await);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let body: models::CreateCustomerRequest = serde_json::from_value(json!({"externalCustomerId": format!("load_{}", i % 100), "verifyAfterCreation": false, "data": {"email": format!("load{}@vivamo.test", i % 100)}})).unwrap();
            h.client.create_customer(&body).await.is_ok()
        }));
    }
    let mut created = 0;
    for t in tasks {
        created += t.await.unwrap() as usize;
    }
    assert_eq!(created, 100, "each of the 100 ids is created exactly once");
    let all = h.client.list_customers_all(50).await.unwrap();
    assert_eq!(all.len(), 100);
}

#[tokio::test]
async fn the_router_refuses_what_the_spec_forbids_in_the_spec_error_shape() {
    let h = start().await;
    let base = h.running.base_url();
    let auth = format!("Bearer {DEFAULT_API_KEY}");
    let send = |method: reqwest::Method, path: &str, body: Option<&str>, content_type: &str| {
        let mut r = h
            .http
            .request(method, format!("{base}{path}"))
            .header("authorization", &auth)
            .header("content-type", content_type);
        if let Some(b) = body {
            r = r.body(b.to_string());
        }
        r.send()
    };
    // A missing required field: 400 with the constraint in `errors`.
    let r = send(
        reqwest::Method::POST,
        "/v1/customers",
        Some(r#"{"externalCustomerId": "x"}"#),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    let body: models::ErrorResponse = r.json().await.unwrap();
    assert!(body.message.contains("data"), "{body:?}");
    assert_eq!(body.errors.as_ref().map(Vec::len), Some(1), "{body:?}");
    // A value outside a path parameter's enum.
    let r = send(
        reqwest::Method::POST,
        "/v1/customers/x/kyc-verify/selfie",
        Some(r#"{"verify": true}"#),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("selfie"),
        "{body}"
    );
    // A body in a media type the operation does not take.
    let r = send(
        reqwest::Method::POST,
        "/v1/customers",
        Some("a=b"),
        "application/x-www-form-urlencoded",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 415);
    // A boolean path parameter that is not one.
    let r = send(
        reqwest::Method::POST,
        "/v1/disbursements/abc/proceed/maybe",
        None,
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    // No such path; a known path with another method.
    let r = send(
        reqwest::Method::GET,
        "/v1/nothing",
        None,
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    let r = send(
        reqwest::Method::DELETE,
        "/v1/customers",
        None,
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 405);
    let allow = r
        .headers()
        .get("allow")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        allow.contains("POST") && allow.contains("GET") && !allow.contains("DELETE"),
        "{allow}"
    );
    let body: models::ErrorResponse = r.json().await.unwrap();
    assert!(body.message.contains("DELETE"));
}
