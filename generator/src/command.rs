//! The `generate` command, one for both front ends: `specdrift generate` (the root CLI) and
//! `specdrift-generate` (this crate's binary, which builds without the rest) take the same
//! flags, defaults and exit codes, because both run [`Generate::run`].

use std::path::PathBuf;

use crate::{Settings, generate_file, write_if_changed};

/// Usage of the flags, as both front ends print it.
pub const USAGE: &str = "\
--spec <FILE>        the OpenAPI 3.0/3.1 (or Swagger 2.0) document, YAML or JSON
--out <DIR>          write a crate (Cargo.toml and src/) there; only changed files are rewritten
--module <FILE>      or write one file of inline modules, for a crate to include!
--crate-name <NAME>  the package name (default: the --out directory's name, or the --module file's stem)
--workspace-root     give the crate an empty [workspace], so it builds inside another workspace's directory
--engine <DIR>       give the crate the contract engine's ready test (tests/contract.rs: `cargo test
                     --features contract` fuzzes SPECDRIFT_URL, or a mock of the spec), with the
                     engine crate at DIR (specdrift's contract-tests) as a dev-dependency";

/// Exit codes: generated; generated but incomplete (a file failed to emit, a generator bug);
/// unusable input (a spec that does not load, a bad flag or name, an unwritable output).
pub mod exit {
    /// Everything was generated.
    pub const OK: u8 = 0;
    /// Written, but a file could not be emitted (`emit-failed`).
    pub const INCOMPLETE: u8 = 1;
    /// The input or output could not be used.
    pub const BAD_INPUT: u8 = 2;
}

/// Where the generated code goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A crate directory (`--out`).
    Crate(PathBuf),
    /// One file of inline modules (`--module`), as [`crate::Output::as_module`].
    Module(PathBuf),
}

/// One `generate` invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generate {
    /// The spec to read.
    pub spec: PathBuf,
    /// Where to write.
    pub destination: Destination,
    /// The package name; defaults to the destination's name.
    pub crate_name: Option<String>,
    /// Whether the crate gets an empty `[workspace]`.
    pub workspace_root: bool,
    /// The contract engine's crate directory, for the ready test (`--engine`; a crate only).
    pub engine: Option<PathBuf>,
}

impl Generate {
    /// Parses the flags of [`USAGE`]; `Ok(None)` for `--help`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Self>, String> {
        let (mut spec, mut out, mut module, mut crate_name, mut workspace_root) =
            (None, None, None, None, false);
        let mut engine = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .ok_or_else(|| format!("{flag} needs a value; see --help"))
            };
            match arg.as_str() {
                "--spec" => spec = Some(PathBuf::from(value("--spec")?)),
                "--out" => out = Some(PathBuf::from(value("--out")?)),
                "--module" => module = Some(PathBuf::from(value("--module")?)),
                "--crate-name" => crate_name = Some(value("--crate-name")?),
                "--workspace-root" => workspace_root = true,
                "--engine" => engine = Some(PathBuf::from(value("--engine")?)),
                "-h" | "--help" => return Ok(None),
                other => return Err(format!("unexpected argument `{other}`; see --help")),
            }
        }
        let spec = spec.ok_or("--spec is required; see --help")?;
        Self::new(spec, out, module, crate_name, workspace_root)?
            .with_engine(engine)
            .map(Some)
    }

    /// An invocation from already-parsed flags: exactly one of `out` and `module`.
    pub fn new(
        spec: PathBuf,
        out: Option<PathBuf>,
        module: Option<PathBuf>,
        crate_name: Option<String>,
        workspace_root: bool,
    ) -> Result<Self, String> {
        let destination = match (out, module) {
            (Some(dir), None) => Destination::Crate(dir),
            (None, Some(file)) => Destination::Module(file),
            (Some(_), Some(_)) => return Err("give --out or --module, not both".into()),
            (None, None) => {
                return Err("--out <DIR> or --module <FILE> is required; see --help".into());
            }
        };
        Ok(Generate {
            spec,
            destination,
            crate_name,
            workspace_root,
            engine: None,
        })
    }

    /// Adds the ready test with the engine crate at `engine` (`--engine`); only a crate
    /// (`--out`) can carry a test.
    pub fn with_engine(mut self, engine: Option<PathBuf>) -> Result<Self, String> {
        if engine.is_some() && matches!(self.destination, Destination::Module(_)) {
            return Err("--engine needs --out: a --module file has no tests".into());
        }
        self.engine = engine;
        Ok(self)
    }

    /// The package name: the one given, else the destination's name.
    pub fn crate_name(&self) -> String {
        if let Some(name) = &self.crate_name {
            return name.clone();
        }
        let path = match &self.destination {
            Destination::Crate(dir) => std::path::absolute(dir).unwrap_or_else(|_| dir.clone()),
            Destination::Module(file) => file.with_extension(""),
        };
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "api".into())
    }

    /// Generates and writes, printing diagnostics to stderr and what was written to stdout;
    /// returns the exit code ([`exit`]).
    pub fn run(&self) -> u8 {
        let crate_name = self.crate_name();
        if !valid_crate_name(&crate_name) {
            eprintln!(
                "error: `{crate_name}` is not a valid crate name (letters, digits, `-` and `_`, starting with a letter)"
            );
            return exit::BAD_INPUT;
        }
        let mut settings = Settings::new(crate_name).with_workspace_root(self.workspace_root);
        if let (Some(engine), Destination::Crate(dir)) = (&self.engine, &self.destination) {
            match ready_paths(dir, engine, &self.spec) {
                Ok(paths) => settings = settings.with_engine(paths),
                Err(err) => {
                    eprintln!("error: {err}");
                    return exit::BAD_INPUT;
                }
            }
        }
        let output = match generate_file(&self.spec, &settings) {
            Ok(output) => output,
            Err(fatal) => {
                eprint!("{fatal}");
                return exit::BAD_INPUT;
            }
        };
        eprint!("{}", output.diagnostics);
        // A file the generator could not produce (`emit-failed`) is its own bug: the rest is
        // written, and the exit says the output is incomplete.
        let incomplete = output.diagnostics.0.iter().any(|d| d.code == "emit-failed");
        let written = match &self.destination {
            Destination::Crate(dir) => output.write_to(dir).map(|n| {
                format!(
                    "{}: {n} file(s) written, {} unchanged",
                    dir.display(),
                    output.files.len() - n
                )
            }),
            Destination::Module(file) => match output.as_module() {
                Ok(text) => write_if_changed(file, &text).map(|changed| {
                    let what = if changed { "written" } else { "unchanged" };
                    format!("{}: {what}", file.display())
                }),
                Err(err) => {
                    eprintln!("error: the generated crate does not form one module: {err}");
                    return exit::INCOMPLETE;
                }
            },
        };
        match written {
            Ok(summary) => {
                println!("{summary}");
                if incomplete {
                    exit::INCOMPLETE
                } else {
                    exit::OK
                }
            }
            Err(err) => {
                let place = match &self.destination {
                    Destination::Crate(p) | Destination::Module(p) => p,
                };
                eprintln!("error: cannot write to {}: {err}", place.display());
                exit::BAD_INPUT
            }
        }
    }
}

/// The engine's directory and the spec, relative to the crate directory `dir` (created here),
/// as the ready test's `Cargo.toml` and source name them.
fn ready_paths(
    dir: &std::path::Path,
    engine: &std::path::Path,
    spec: &std::path::Path,
) -> Result<crate::Engine, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if !engine.join("Cargo.toml").is_file() {
        return Err(format!(
            "--engine {}: no Cargo.toml there (give the directory of specdrift's contract-tests crate)",
            engine.display()
        ));
    }
    Ok(crate::Engine {
        path: relative(dir, engine)?,
        spec: relative(dir, spec)?,
    })
}

/// `to` as a path relative to the directory `from`, `/`-separated (both resolved first).
fn relative(from: &std::path::Path, to: &std::path::Path) -> Result<String, String> {
    let canonical =
        |p: &std::path::Path| std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()));
    let (from, to) = (canonical(from)?, canonical(to)?);
    let (from, to): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Ok(if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    })
}

fn valid_crate_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Generate>, String> {
        Generate::parse(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn flags_name_the_destination_and_default_the_crate_name_from_it() {
        let crate_dir = parse(&["--spec", "s.yaml", "--out", "some/vivamo-api"])
            .unwrap()
            .unwrap();
        assert_eq!(crate_dir.crate_name(), "vivamo-api");
        let module = parse(&["--spec", "s.yaml", "--module", "out/pets.rs"])
            .unwrap()
            .unwrap();
        assert_eq!(
            module.destination,
            Destination::Module("out/pets.rs".into())
        );
        assert_eq!(module.crate_name(), "pets");
        let named = parse(&["--spec", "s.yaml", "--out", "x", "--crate-name", "mine"])
            .unwrap()
            .unwrap();
        assert_eq!(named.crate_name(), "mine");
        assert_eq!(parse(&["--help"]).unwrap(), None);
    }

    #[test]
    fn missing_or_conflicting_flags_are_refused_with_the_flag_named() {
        assert!(parse(&["--out", "x"]).unwrap_err().contains("--spec"));
        assert!(parse(&["--spec", "s"]).unwrap_err().contains("--out"));
        assert!(
            parse(&["--spec", "s", "--out", "x", "--module", "y"])
                .unwrap_err()
                .contains("not both")
        );
        assert!(
            parse(&["--spec"])
                .unwrap_err()
                .contains("--spec needs a value")
        );
        assert!(
            parse(&["--spec", "s", "--out", "x", "--bogus"])
                .unwrap_err()
                .contains("--bogus")
        );
    }
}
