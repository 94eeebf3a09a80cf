//! `specdrift-generate`: the generator alone, for refreshing `generated/` without building the root package.
//!
//! `cargo run -p specdrift-generator -- --spec openapi.yaml --out generated --crate-name vivamo-api`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut spec = None;
    let mut out = None;
    let mut crate_name = None;
    let mut workspace_root = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => spec = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            "--crate-name" => crate_name = args.next(),
            "--workspace-root" => workspace_root = true,
            "-h" | "--help" => {
                println!(
                    "usage: specdrift-generate --spec <file> --out <dir> [--crate-name <name>] [--workspace-root]"
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unexpected argument `{other}`; see --help");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(spec), Some(out)) = (spec, out) else {
        eprintln!("error: --spec and --out are required; see --help");
        return ExitCode::from(2);
    };
    let crate_name = crate_name.unwrap_or_else(|| "api".into());
    let settings = generator::Settings::new(crate_name).with_workspace_root(workspace_root);
    match generator::generate_file(&spec, &settings) {
        Ok(output) => {
            eprint!("{}", output.diagnostics);
            match output.write_to(&out) {
                Ok(n) => {
                    println!(
                        "{}: {n} file(s) written, {} unchanged",
                        out.display(),
                        output.files.len() - n
                    );
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("error: cannot write to {}: {err}", out.display());
                    ExitCode::from(2)
                }
            }
        }
        Err(fatal) => {
            eprint!("{fatal}");
            ExitCode::from(2)
        }
    }
}
