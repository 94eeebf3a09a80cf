//! Reads any OpenAPI 3.0/3.1 (or Swagger 2.0) document and generates Rust from it.
//!
//! ```no_run
//! // build.rs
//! let output = generator::generate_file(std::path::Path::new("openapi.yaml"), &generator::Settings::new("my-api"))
//!     .expect("the spec loads");
//! output.write_to(std::path::Path::new(&std::env::var("OUT_DIR").unwrap())).unwrap();
//! ```
//!
//! Three phases, each in its own module: [`load`] reads the spec and resolves `$ref`s,
//! [`ir`] lowers it to one plain-data model of the API, and [`emit`] turns that model into Rust source.
#![deny(missing_docs)]
#![deny(unsafe_code)]

#[cfg(feature = "mimalloc")]
pub mod allocator;
pub mod command;
pub mod diagnostics;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod lint;
pub mod load;
pub mod method;
pub mod paths;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use quote::quote;

pub use diagnostics::{Diagnostic, Diagnostics, Location, Severity};

/// How to generate. Build with [`Settings::new`] and the `with_*` methods.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// The generated crate's package name.
    pub crate_name: String,
    /// Adds an empty `[workspace]` table so the crate builds alone even under another workspace's directory.
    pub workspace_root: bool,
    /// The spec's name as written in the `@generated` header.
    pub spec_name: String,
    /// Emit `client.rs` (an async reqwest client) beside the models.
    pub client: bool,
    /// Emit `server.rs` (a trait and an axum router, behind the crate feature `server`).
    pub server: bool,
    /// Give the crate the contract engine's ready test (`tests/contract.rs`, run by `cargo test
    /// --features contract`), with the engine as a dev-dependency.
    pub engine: Option<Engine>,
}

/// Where a crate generated with the ready test finds the contract engine and its spec, both
/// relative to the crate's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// The engine crate's directory (the `contract-tests` package, until it is published).
    pub path: String,
    /// The spec the test reads at run time.
    pub spec: String,
}

impl Settings {
    /// Settings for a crate called `crate_name`.
    pub fn new(crate_name: impl Into<String>) -> Self {
        Settings {
            crate_name: crate_name.into(),
            workspace_root: false,
            spec_name: "the OpenAPI description".into(),
            client: true,
            server: true,
            engine: None,
        }
    }

    /// Adds the contract engine's ready test (default: none; see [`Engine`]).
    pub fn with_engine(mut self, engine: Engine) -> Self {
        self.engine = Some(engine);
        self
    }

    /// Whether to add an empty `[workspace]` table (default: no, so the crate can join a workspace).
    pub fn with_workspace_root(mut self, yes: bool) -> Self {
        self.workspace_root = yes;
        self
    }

    /// Whether to emit the client (default: yes).
    pub fn with_client(mut self, yes: bool) -> Self {
        self.client = yes;
        self
    }

    /// Whether to emit the server trait and router (default: yes).
    pub fn with_server(mut self, yes: bool) -> Self {
        self.server = yes;
        self
    }

    /// The spec name for the header comment.
    pub fn with_spec_name(mut self, name: impl Into<String>) -> Self {
        self.spec_name = name.into();
        self
    }
}

/// Generated files (paths relative to the crate root) and the diagnostics met on the way.
#[derive(Debug)]
pub struct Output {
    /// `Cargo.toml`, `src/lib.rs`, `src/models.rs`, `src/support.rs`.
    pub files: BTreeMap<PathBuf, String>,
    /// Problems that degraded the output without stopping it.
    pub diagnostics: Diagnostics,
}

impl Output {
    /// Writes every file under `dir`, touching only files whose bytes differ.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<usize> {
        let mut written = 0;
        for (path, text) in &self.files {
            written += usize::from(write_if_changed(&dir.join(path), text)?);
        }
        Ok(written)
    }

    /// The crate's source as one file of items, every module inline: what a build script
    /// writes into `OUT_DIR` for a crate to `include!` (see `examples/build-script`). An
    /// included file cannot start with inner attributes, so the crate's docs are left out and
    /// each top-level module carries `#[forbid(unsafe_code)]` itself, and `#[allow(dead_code)]`:
    /// a binary that includes the bindings privately uses only part of them. The features the
    /// crate would have (`server`, `proptest`, `contract`, `schemars`) become the including crate's.
    pub fn as_module(&self) -> Result<String, String> {
        let lib = Path::new("src/lib.rs");
        let header = self
            .files
            .get(lib)
            .and_then(|text| text.lines().next())
            .filter(|line| line.starts_with("//"))
            .unwrap_or("// @generated by specdrift; do not edit.");
        let mut items = self.inline(lib)?.items;
        for item in &mut items {
            if let syn::Item::Mod(module) = item {
                let lints: [syn::Attribute; 2] = [
                    syn::parse_quote!(#[forbid(unsafe_code)]),
                    syn::parse_quote!(#[allow(dead_code)]),
                ];
                module.attrs.splice(0..0, lints);
            }
        }
        let mut file = syn::parse_file("").map_err(|e| e.to_string())?;
        file.items = items;
        Ok(format!(
            "{header}\n{}",
            emit::format::spaced(&prettyplease::unparse(&file))
        ))
    }

    /// The file at `path` with every `mod x;` it declares replaced by the module's own file,
    /// inline, found as rustc finds it (`#[path]` beside the declaring file, else `x.rs` in the
    /// directory the declaring file's modules live in).
    fn inline(&self, path: &Path) -> Result<syn::File, String> {
        let text = self.files.get(path).ok_or_else(|| {
            format!(
                "{} is declared as a module but was not generated",
                path.display()
            )
        })?;
        let mut file: syn::File =
            syn::parse_file(text).map_err(|e| format!("{}: {e}", path.display()))?;
        let beside = path.parent().unwrap_or(Path::new(""));
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let children = if matches!(stem, "lib" | "main" | "mod") {
            beside.to_path_buf()
        } else {
            beside.join(stem)
        };
        for item in &mut file.items {
            let syn::Item::Mod(module) = item else {
                continue;
            };
            if module.content.is_some() {
                continue;
            }
            let mut declared = None;
            module.attrs.retain(|attr| {
                if !attr.path().is_ident("path") {
                    return true;
                }
                if let syn::Meta::NameValue(syn::MetaNameValue {
                    value:
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }),
                    ..
                }) = &attr.meta
                {
                    declared = Some(beside.join(s.value()));
                }
                false
            });
            let child = declared.unwrap_or_else(|| children.join(format!("{}.rs", module.ident)));
            let inner = self.inline(&child)?;
            module.attrs.extend(inner.attrs);
            module.content = Some((Default::default(), inner.items));
            module.semi = None;
        }
        Ok(file)
    }
}

/// Writes `text` to `path` (creating its directory) unless the file already holds exactly
/// it, so a build that watches the file is not triggered for nothing; whether it wrote.
pub(crate) fn write_if_changed(path: &Path, text: &str) -> std::io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)?;
    Ok(true)
}

/// The shared helper module every generated crate carries.
pub const SUPPORT_RS: &str = include_str!("../templates/support.rs");

/// One emitted module of a generated crate.
struct Module {
    path: &'static str,
    /// What an error calls it.
    what: &'static str,
    /// The module formatted, given the header line.
    emit: fn(&ir::Api, &str) -> Result<String, String>,
    /// The fixed runtime template copied beside it, and where.
    runtime: Option<(&'static str, &'static str)>,
    /// Whether a crate generated with these settings gets it.
    wanted: fn(&Settings, &ir::Api) -> bool,
}

/// Every module the emitters write, each with the rule for whether a crate gets it.
const MODULES: &[Module] = &[
    Module {
        path: "src/models.rs",
        what: "models",
        emit: emit::models::emit_formatted,
        runtime: None,
        wanted: |_, _| true,
    },
    Module {
        path: "src/strategies.rs",
        what: "strategies",
        emit: emit::strategies::emit_formatted,
        runtime: Some(("src/strategies/runtime.rs", emit::strategies::RUNTIME_RS)),
        wanted: |_, _| true,
    },
    Module {
        path: "src/client.rs",
        what: "client",
        emit: |api, header| format_tokens(header, emit::client::emit(api)),
        runtime: Some(("src/client/runtime.rs", emit::client::RUNTIME_RS)),
        wanted: |settings, _| settings.client,
    },
    Module {
        path: "src/server.rs",
        what: "server",
        emit: |api, header| format_tokens(header, emit::server::emit(api)),
        runtime: Some(("src/server/runtime.rs", emit::server::RUNTIME_RS)),
        wanted: |settings, _| settings.server,
    },
    Module {
        path: "src/webhooks.rs",
        what: "webhooks",
        emit: |api, header| format_tokens(header, emit::webhooks::emit(api)),
        runtime: None,
        wanted: |_, api| emit::webhooks::wanted(api),
    },
    Module {
        path: "src/contract.rs",
        what: "contract glue",
        emit: |api, header| format_tokens(header, emit::contract::emit(api)),
        runtime: None,
        wanted: |_, _| true,
    },
];

fn format_tokens(header: &str, tokens: proc_macro2::TokenStream) -> Result<String, String> {
    emit::format::file(header, tokens).map_err(|e| e.to_string())
}

/// Loads `path` and generates a crate from it. Fails only when the spec cannot be loaded at all.
pub fn generate_file(path: &Path, settings: &Settings) -> Result<Output, Diagnostics> {
    let loaded = load::load(path)?;
    let mut settings = settings.clone();
    if settings.spec_name == Settings::new("").spec_name {
        settings.spec_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    let mut output = generate(&loaded.spec, &settings);
    let mut all = loaded.diagnostics;
    all.0.append(&mut output.diagnostics.0);
    all.normalize();
    output.diagnostics = all;
    Ok(output)
}

/// Generates a crate from a loaded spec.
pub fn generate(spec: &load::Spec, settings: &Settings) -> Output {
    let (api, mut diagnostics) = ir::lower(spec);
    let header = format!(
        "@generated by specdrift from {}; do not edit.",
        settings.spec_name
    );
    let webhooks = emit::webhooks::wanted(&api);
    let modules: Vec<&Module> = MODULES
        .iter()
        .filter(|m| (m.wanted)(settings, &api))
        .collect();
    // What every module gets once formatted: its `use super::models;` dropped when nothing
    // names the models (emitters write `models::Pet` and always import them), and blank lines
    // between items.
    let finish = |text: String| emit::format::spaced(&emit::drop_unused_import(text, "models"));
    // All at once, each on a thread of its own (the models and strategies spread over every
    // core themselves); the result does not depend on the order they finish in.
    let emitted: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = modules
            .iter()
            .map(|module| {
                let (api, header) = (&api, header.as_str());
                scope.spawn(move || (module.emit)(api, header).map(finish))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("its thread panicked".into()))
            })
            .collect()
    });
    let mut files = BTreeMap::new();
    for (module, text) in modules.into_iter().zip(emitted) {
        match text {
            Ok(text) => {
                files.insert(PathBuf::from(module.path), text);
                if let Some((path, template)) = module.runtime {
                    files.insert(PathBuf::from(path), format!("// {header}\n{template}"));
                }
            }
            Err(err) => diagnostics.0.push(Diagnostic::error(
                "emit-failed",
                spec.location(load::DocId(0), ""),
                format!(
                    "generated {} does not parse as rust ({err}); this is a generator bug",
                    module.what
                ),
            )),
        }
    }
    let signing = emit::webhooks::signature(&api).is_some();
    files.insert(
        PathBuf::from("src/support.rs"),
        format!("// {header}\n{SUPPORT_RS}"),
    );
    files.insert(
        PathBuf::from("src/lib.rs"),
        lib_rs(&api, &header, settings, webhooks),
    );
    files.insert(PathBuf::from("Cargo.toml"), cargo_toml(settings, signing));
    if let Some(engine) = &settings.engine {
        files.insert(
            PathBuf::from("tests/contract.rs"),
            ready_test(&header, &settings.crate_name, engine),
        );
    }
    // The crate is formatted as it is generated and held byte-identical to the generator's
    // output; rustfmt (a user's `cargo fmt --all`) leaves it alone.
    files.insert(
        PathBuf::from("rustfmt.toml"),
        format!("# {header}\n# Formatted by the generator; regenerate instead of reformatting.\ndisable_all_formatting = true\n"),
    );
    diagnostics.normalize();
    Output { files, diagnostics }
}

fn lib_rs(api: &ir::Api, header: &str, settings: &Settings, webhooks: bool) -> String {
    let client_allow = emit::allow_attribute("client");
    let server_allow = emit::allow_attribute("server");
    let models_allow = emit::allow_attribute("models");
    let contract_allow = emit::allow_attribute("contract");
    let strategies_allow = emit::allow_attribute("strategies");
    let webhooks_allow = emit::allow_attribute("webhooks");
    let client_mod = if settings.client {
        quote!(
            #client_allow
            pub mod client;
        )
    } else {
        quote!()
    };
    let server_mod = if settings.server {
        quote!(
            #[cfg(feature = "server")]
            #server_allow
            pub mod server;
        )
    } else {
        quote!()
    };
    let webhooks_mod = if webhooks {
        quote!(
            #webhooks_allow
            pub mod webhooks;
        )
    } else {
        quote!()
    };
    let title = format!(
        " {} {}: typed bindings generated from its OpenAPI description.",
        api.title, api.version
    );
    let description = api.description.as_deref().map(|d| {
        let lines: Vec<String> = d.trim().lines().map(|l| format!(" {}", l.trim())).collect();
        quote!(#![doc = ""] #(#![doc = #lines])*)
    });
    let tokens = quote! {
        #![doc = #title]
        #description
        #![forbid(unsafe_code)]

        #client_mod
        #[cfg(feature = "contract")]
        #contract_allow
        pub mod contract;
        #models_allow
        pub mod models;
        #server_mod
        #[cfg(feature = "proptest")]
        #strategies_allow
        pub mod strategies;
        pub mod support;
        #webhooks_mod

        pub use support::{Inspect, UnknownValue};
    };
    emit::format::file(header, tokens)
        .unwrap_or_else(|err| format!("// {header}\ncompile_error!(\"{err}\");\n"))
}

/// The dependencies every generated crate needs: the models', the client's when it is emitted,
/// and HMAC for webhook signatures when a delivery documents one.
pub fn dependencies(client: bool, server: bool, signing: bool) -> String {
    let mut deps = String::from(
        "serde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\nschemars = { version = \"1\", optional = true }\nproptest = { version = \"1\", optional = true, default-features = false, features = [\"std\"] }\n",
    );
    if client {
        deps.push_str("reqwest = { version = \"0.12\", default-features = false, features = [\"json\", \"multipart\", \"rustls-tls\"] }\nserde_urlencoded = \"0.7\"\ntokio = { version = \"1\", features = [\"time\"] }\ntracing = \"0.1\"\n");
    }
    if server {
        deps.push_str("axum = { version = \"0.8\", optional = true, default-features = false }\n");
        if !client {
            deps.push_str("serde_urlencoded = \"0.7\"\n");
        }
    }
    if signing {
        deps.push_str("hmac = \"0.12\"\nsha2 = \"0.10\"\n");
    }
    deps
}

/// The ready test (`tests/contract.rs`) of a crate generated with [`Settings::with_engine`].
fn ready_test(header: &str, crate_name: &str, engine: &Engine) -> String {
    let krate = crate_name.replace('-', "_");
    format!(
        r#"// {header}
//! The contract engine against the target the environment names, every answer also decoded
//! through this crate's types: `SPECDRIFT_URL` (with `SPECDRIFT_HEADERS`, one `Name: value` a
//! line), or a mock of the spec served in this process when none is named. Run with
//! `cargo test --features contract`.
#![cfg(feature = "contract")]

use std::sync::Arc;

use {krate}::support::Unexpected;

#[test]
fn the_target_keeps_to_the_spec() {{
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join({spec:?});
    let decode = Arc::new(|operation: &str, status: u16, body: &str| {{
        {krate}::contract::decode(operation, status, body).map(|decoded| {{
            decoded.map(|unknowns| {{
                // Unknown enum values only: undocumented properties and broken formats are
                // judged from the spec itself.
                unknowns
                    .into_iter()
                    .filter(|u| u.kind == Unexpected::Value)
                    .map(|u| (u.path, u.type_name.to_string(), u.value))
                    .collect()
            }})
        }})
    }});
    let verdict = specdrift_engine::ready::run(&spec, decode).unwrap_or_else(|e| panic!("{{e}}"));
    println!("{{}} calls against {{}}", verdict.calls, verdict.target);
    assert!(verdict.calls > 0, "no call reached {{}}", verdict.target);
    assert!(!verdict.failed, "{{}}", verdict.text);
}}
"#,
        spec = engine.spec,
    )
}

fn cargo_toml(settings: &Settings, signing: bool) -> String {
    let workspace = if settings.workspace_root {
        "\n[workspace]\n"
    } else {
        ""
    };
    let engine = settings.engine.as_ref().map_or(String::new(), |e| {
        format!(
            "\n[dev-dependencies]\n# The contract engine, for the ready test (`tests/contract.rs`).\nspecdrift-engine = {{ package = \"contract-tests\", path = {:?} }}\n",
            e.path
        )
    });
    format!(
        "# {}\n[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{}\n[features]\n# Derives `schemars::JsonSchema` for every model and lists them in `models::fidelity()`.\nschemars = [\"dep:schemars\"]\n# Proptest strategies for every model, valid and invalid by the spec (`strategies` module).\nproptest = [\"dep:proptest\"]\n# Decoding of every documented answer for the contract engine (`contract` module).\ncontract = []\n{}{engine}{workspace}",
        format_args!(
            "@generated by specdrift from {}; do not edit.",
            settings.spec_name
        ),
        settings.crate_name,
        dependencies(settings.client, settings.server, signing),
        if settings.server {
            "# The server trait and axum router (`server` module).\nserver = [\"dep:axum\"]\n"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(files: &[(&str, &str)]) -> Output {
        Output {
            files: files
                .iter()
                .map(|(path, text)| (PathBuf::from(path), text.to_string()))
                .collect(),
            diagnostics: Diagnostics::default(),
        }
    }

    #[test]
    fn as_module_inlines_modules_where_rustc_would_find_them() {
        let module = output(&[
            ("src/lib.rs", "// @generated by test\n#![forbid(unsafe_code)]\n//! Crate docs.\npub mod a;\n"),
            ("src/a.rs", "//! Module docs.\n#[path = \"a/runtime.rs\"]\nmod runtime;\nmod plain;\npub struct A;\n"),
            ("src/a/runtime.rs", "pub(super) fn fixed() {}\n"),
            ("src/a/plain.rs", "pub(super) const P: u8 = 1;\n"),
        ])
        .as_module()
        .unwrap();
        let file = syn::parse_file(&module).unwrap();
        assert!(module.starts_with("// @generated by test\n"), "{module}");
        assert!(
            file.attrs.is_empty(),
            "an included file has no inner attributes:\n{module}"
        );
        assert!(
            !module.contains("Crate docs") && !module.contains("#[path"),
            "{module}"
        );
        let syn::Item::Mod(a) = &file.items[0] else {
            panic!("{module}")
        };
        let text = quote!(#a).to_string();
        for expected in [
            "forbid (unsafe_code)",
            "allow (dead_code)",
            "Module docs",
            "fn fixed",
            "const P",
            "struct A",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
    }

    #[test]
    fn as_module_names_a_declared_module_that_was_not_generated() {
        let err = output(&[("src/lib.rs", "pub mod gone;\n")])
            .as_module()
            .unwrap_err();
        assert!(err.contains("src/gone.rs"), "{err}");
    }
}
