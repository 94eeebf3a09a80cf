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

/// An identifier token (the model already made it a valid one).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "…"]` lines for a description, made safe for rustdoc.
///
/// Descriptions are prose: leading indentation is dropped so markdown does not turn it into a code
/// block, and fences without a language become ```` ```text ```` so rustdoc never compiles them as doctests.
pub(crate) fn docs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else { return quote!() };
    let lines = text.trim().lines().map(|line| {
        let line = line.trim();
        let line = if let Some(rest) = line.strip_prefix("```") {
            format!(
                "```text{}",
                if rest.is_empty() {
                    String::new()
                } else {
                    format!(" {rest}")
                }
            )
        } else {
            line.to_string()
        };
        format!(" {line}")
    });
    let lines: Vec<String> = lines.collect();
    quote!(#(#[doc = #lines])*)
}
