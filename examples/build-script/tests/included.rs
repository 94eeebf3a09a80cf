//! The included bindings compile and work: their client round-trips a customer through the
//! local Vivamo sandbox.

use build_script_example::vivamo::{client, models};

#[tokio::test]
async fn the_included_client_creates_and_reads_a_customer_on_the_sandbox() {
    let sandbox = vivamo_sandbox::Sandbox::new(
        vivamo_sandbox::Config::default(),
        vivamo_sandbox::Clock::fixed(1_771_113_845_000),
    );
    let running = sandbox
        .serve_with("127.0.0.1:0".parse().unwrap(), false)
        .await
        .expect("the sandbox starts");
    let credentials = client::Credentials {
        bearer_auth: Some(client::Secret::new(vivamo_sandbox::DEFAULT_API_KEY)),
    };
    let api = client::Client::new(&running.base_url(), credentials).expect("a client");
    let request: models::CreateCustomerRequest = serde_json::from_value(serde_json::json!({
        "externalCustomerId": "cust-included-1",
        "data": { "email": "included@example.com" }
    }))
    .unwrap();
    api.create_customer(&request)
        .await
        .expect("the customer is created");
    let customer = api
        .get_customer("cust-included-1")
        .await
        .expect("the customer is read back")
        .body;
    assert_eq!(
        customer.external_customer_id.as_deref(),
        Some("cust-included-1")
    );
    assert_eq!(
        customer.data.map(|d| d.email).as_deref(),
        Some("included@example.com")
    );
}

#[test]
fn the_included_modules_carry_what_the_vendored_crate_has() {
    use build_script_example::vivamo::{server, webhooks};
    assert!(client::SERVERS.contains(&("Sandbox", "https://api.test.vivamo.co")));
    assert_eq!(server::MAX_REQUEST_BYTES, 16 * 1024 * 1024);
    let body = br#"{"event":"payment.succeeded"}"#;
    let signature = webhooks::sign(b"whsec_test", body);
    assert!(webhooks::verify_signature(b"whsec_test", body, &signature));
    assert!(!webhooks::verify_signature(
        b"another secret",
        body,
        &signature
    ));
}
