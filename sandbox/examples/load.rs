//! The sandbox load benchmark: `cargo run --release -p vivamo-sandbox --example load --
//! [--clients 64] [--seconds 20] [--tick-seconds 5] [--fail-every 3]`. Prints the figures and
//! exits 1 when an invariant broke. The same run, short, is `sandbox/tests/load.rs`'s test.

#[path = "../tests/load.rs"]
mod load;

use std::time::Duration;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let mut settings = load::Load {
        clients: 64,
        duration: Duration::from_secs(20),
        tick: Duration::from_secs(5),
        fail_every: 3,
    };
    while let Some(flag) = args.next() {
        let value: Option<u64> = args.next().and_then(|v| v.parse().ok());
        match (flag.as_str(), value) {
            ("--clients", Some(n)) if n > 0 => settings.clients = n as usize,
            ("--seconds", Some(n)) if n > 0 => settings.duration = Duration::from_secs(n),
            ("--tick-seconds", Some(n)) => settings.tick = Duration::from_secs(n),
            ("--fail-every", Some(n)) if n > 0 => settings.fail_every = n,
            _ => {
                eprintln!(
                    "usage: load [--clients N] [--seconds N] [--tick-seconds N] [--fail-every N]"
                );
                return std::process::ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "sandbox load: {} clients for {} s on {cores} core(s), clock +{} s every 20 ms, one first delivery attempt in {} refused",
        settings.clients,
        settings.duration.as_secs(),
        settings.tick.as_secs(),
        settings.fail_every
    );
    let figures = runtime.block_on(load::run(settings));
    print!("{figures}");
    if figures.broken.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    }
}
