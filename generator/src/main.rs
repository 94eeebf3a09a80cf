//! `specdrift-generate`: the generator alone, for refreshing `generated/` without building the
//! root package. The same command as `specdrift generate` ([`generator::command`]).
//!
//! `cargo run -p specdrift-generator -- --spec openapi.yaml --out generated --crate-name vivamo-api`

use std::process::ExitCode;

use generator::command::{Generate, USAGE, exit};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: generator::allocator::Allocator = generator::allocator::ALLOCATOR;

fn main() -> ExitCode {
    #[cfg(feature = "mimalloc")]
    generator::allocator::keep_freed_memory();
    match Generate::parse(std::env::args().skip(1)) {
        Ok(Some(command)) => ExitCode::from(command.run()),
        Ok(None) => {
            println!(
                "usage: specdrift-generate --spec <FILE> (--out <DIR> | --module <FILE>) [OPTIONS]\n\n{USAGE}"
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(exit::BAD_INPUT)
        }
    }
}
