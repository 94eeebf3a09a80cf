//! Runs the contract engine against the in-process Vivamo sandbox and prints the report:
//! `cargo run -p contract-tests --example engine_sandbox -- [cases] [seed]`, or `-- suite` for the
//! Vivamo suite exactly as `cargo test -p contract-tests` and the main job run it (JSON report),
//! which is how `contract-tests/baseline.json` is reviewed.
fn main() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    if std::env::args().nth(1).as_deref() == Some("suite") {
        let settings = contract_tests::vivamo::Settings::default();
        match contract_tests::vivamo::run(&spec, &settings, &contract_tests::Baseline::default()) {
            Ok(outcome) => println!("{}", outcome.report.to_json()),
            Err(e) => eprintln!("error: {e}"),
        }
        return;
    }
    let cases = std::env::args()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(10);
    let mut settings =
        contract_tests::engine::Settings::new(contract_tests::engine::Target::Url(String::new()));
    settings.max_cases = cases;
    if let Some(seed) = std::env::args().nth(2).and_then(|s| s.parse().ok()) {
        settings.seed = seed;
    }
    let started = std::time::Instant::now();
    match contract_tests::vivamo::engine_against_sandbox(
        &spec,
        settings,
        &contract_tests::Baseline::default(),
    ) {
        Ok(outcome) => {
            print!("{}", outcome.graph);
            print!("{}", outcome.report.to_text());
            println!(
                "{} calls in {:.2?}; operations covered {}/{}",
                outcome.traffic.len(),
                started.elapsed(),
                outcome.covered.0,
                outcome.covered.1
            );
        }
        Err(e) => eprintln!("error: {e}"),
    }
}
