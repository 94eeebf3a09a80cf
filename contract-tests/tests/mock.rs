//! The contract engine against mocks of real specs (built from the model by `contract_tests::mock`):
//! corpus specs, the Stellar Disbursement Platform and Wistfare. No run may fail or panic, and
//! every finding must be one the mock really commits, as explained beside each allowance.

use std::path::PathBuf;
use std::sync::Arc;

use contract_tests::engine::{self, Settings, Target};
use contract_tests::spec::Model;
use contract_tests::{Baseline, Kind};

fn shared() -> PathBuf {
    std::env::var_os("SPECDRIFT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

fn run_against_mock(spec: &std::path::Path) -> engine::Outcome {
    let model = Arc::new(Model::load(spec).unwrap_or_else(|d| panic!("{}: {d}", spec.display())));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let running = runtime
        .block_on(contract_tests::mock::serve(
            model.clone(),
            "127.0.0.1:0".parse().expect("an address"),
        ))
        .expect("the mock starts");
    let mut settings = Settings::new(Target::Url(running.base_url()));
    settings.credentials.bearer = Some("token".into());
    settings.credentials.basic = Some("user:password".into());
    for (name, scheme) in &model.api.security_schemes {
        if let generator::ir::SecurityScheme::ApiKey { .. } = scheme {
            settings
                .credentials
                .api_keys
                .push((name.clone(), "key".into()));
        }
    }
    settings.max_cases = 3;
    settings.sequence_length = 8;
    let outcome = engine::run(&model, &settings, &Baseline::default())
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    drop(runtime);
    outcome
}

#[test]
fn the_engine_runs_against_mocks_of_real_specs() {
    let specs = [
        shared().join("specs/oai-petstore/petstore.yaml"),
        shared().join("specs/oai-petstore-expanded/petstore-expanded.json"),
        shared().join("specs/oai-uspto/uspto.yaml"),
        shared().join("specs/stellar-sdp/openapi.yaml"),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/wistfare/openapi.yaml"),
    ];
    for spec in specs {
        let outcome = run_against_mock(&spec);
        assert!(
            outcome.traffic.len() > 10,
            "{}: only {} calls",
            spec.display(),
            outcome.traffic.len()
        );
        assert!(
            outcome.covered.0 * 2 >= outcome.covered.1,
            "{}: called {} of {} operations",
            spec.display(),
            outcome.covered.0,
            outcome.covered.1
        );
        for f in &outcome.report.findings {
            let explained = match f.kind {
                // The mock refuses with a documented 4xx where there is one; where an operation
                // documents none, its refusal (400, 401, 415) is a status the spec does not list.
                Kind::UndocumentedStatus => f.observed.starts_with('4'),
                // The mock checks that credentials are there, not that they are right.
                Kind::IgnoredAuth => f.observed.ends_with("with wrong credentials"),
                _ => false,
            };
            assert!(
                explained,
                "{}: unexplained finding {}: {}\n{:?}",
                spec.display(),
                f.kind.as_str(),
                f.message,
                f.reproduce
            );
        }
    }
}
