//! Phase 3: turns an [`ir::Api`](crate::ir::Api) into formatted Rust source files.

pub mod client;
pub mod contract;
pub mod format;
pub mod models;
pub mod server;
pub mod strategies;
pub mod webhooks;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The lints each generated module allows, put on its `mod` declaration in `lib.rs` (so the files
/// themselves start with no inner attribute): the crate's own uses of the items the spec
/// deprecates (a user's uses still warn), long argument lists for operations with many
/// parameters, large error and enum variants that mirror the spec's shapes.
pub fn module_allows(module: &str) -> &'static [&'static str] {
    match module {
        "client" => &[
            "deprecated",
            "clippy::too_many_arguments",
            "clippy::result_large_err",
        ],
        "server" => &[
            "deprecated",
            "clippy::too_many_arguments",
            "clippy::large_enum_variant",
            "clippy::result_large_err",
        ],
        "models" => &["deprecated", "clippy::large_enum_variant"],
        "contract" | "strategies" | "webhooks" => &["deprecated"],
        _ => &[],
    }
}

/// `#[allow(…)]` for [`module_allows`], or nothing.
pub(crate) fn allow_attribute(module: &str) -> TokenStream {
    let lints: Vec<syn::Path> = module_allows(module)
        .iter()
        .map(|lint| syn::parse_str(lint).expect("a lint name is a path"))
        .collect();
    if lints.is_empty() {
        quote!()
    } else {
        quote!(#[allow(#(#lints),*)])
    }
}

/// An identifier token (the model already made it a valid one).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "…"]` lines for a description, made safe for rustdoc.
///
/// Descriptions are prose: leading indentation is dropped so markdown does not turn it into a code
/// block; an opening fence without a language, or with Rust's, becomes ```` ```text ```` so
/// rustdoc never compiles it as a doctest (other languages are kept); a closing fence stays a bare
/// ```` ``` ````, and a block the description leaves open is closed.
pub(crate) fn docs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else { return quote!() };
    let mut open = false;
    let mut lines: Vec<String> = Vec::new();
    for line in text.trim().lines() {
        let line = line.trim();
        let line = match line.strip_prefix("```") {
            Some(_) if open => {
                open = false;
                "```".to_string()
            }
            Some(info) => {
                open = true;
                let lang = info.trim();
                let rust = lang.is_empty()
                    || lang.split(',').any(|t| {
                        matches!(
                            t.trim(),
                            "rust" | "rs" | "ignore" | "no_run" | "should_panic"
                        )
                    });
                if rust {
                    "```text".to_string()
                } else {
                    format!("```{lang}")
                }
            }
            None => line.to_string(),
        };
        lines.push(format!(" {line}"));
    }
    if open {
        lines.push(" ```".to_string());
    }
    quote!(#(#[doc = #lines])*)
}
