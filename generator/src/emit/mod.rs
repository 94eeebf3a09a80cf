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

/// Whether formatted Rust `text` reaches into the sibling `module` through its import
/// (`<module>::x`, not `super::<module>::x`) on a line that is not a comment. A plain scan of
/// the text, where walking every token of a large file to decide the import took a tenth of
/// generating it.
pub(crate) fn names_module(text: &str, module: &str) -> bool {
    let needle = format!("{module}::");
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .any(|line| {
            line.match_indices(&needle).any(|(at, _)| {
                !line[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            })
        })
}

/// Formatted `text` without its `use super::<module>;` line when nothing else names the module
/// ([`names_module`]): emitters write sibling paths short and always import the sibling.
pub(crate) fn drop_unused_import(text: String, module: &str) -> String {
    let import = format!("use super::{module};\n");
    let Some(at) = text.find(&import) else {
        return text;
    };
    let end = at + import.len();
    if names_module(&text[..at], module) || names_module(&text[end..], module) {
        return text;
    }
    let mut text = text;
    text.replace_range(at..end, "");
    text
}

#[cfg(test)]
mod tests {
    /// The import stays when a line of code names the module, and goes when only comments,
    /// longer paths (`super::models::`) or other identifiers ending in the name do.
    #[test]
    fn an_import_no_code_line_uses_is_dropped() {
        let used = "use super::models;\nfn f() -> models::Pet {}\n".to_string();
        assert_eq!(super::drop_unused_import(used.clone(), "models"), used);
        let unused = "use super::models;\n/// See models::Pet.\nfn f() -> super::models::Pet {}\nfn g() -> my_models::Pet {}\n";
        assert_eq!(
            super::drop_unused_import(unused.to_string(), "models"),
            unused.replacen("use super::models;\n", "", 1)
        );
        assert!(super::names_module("    support::object! {", "support"));
        assert!(!super::names_module("// support::object!", "support"));
    }

    /// Emitters see only the IR: none names the loaded spec or reads schema JSON by key.
    #[test]
    fn emitters_read_no_spec_json() {
        let sources = [
            ("mod.rs", include_str!("mod.rs")),
            ("client.rs", include_str!("client.rs")),
            ("contract.rs", include_str!("contract.rs")),
            ("format.rs", include_str!("format.rs")),
            ("models.rs", include_str!("models.rs")),
            ("server.rs", include_str!("server.rs")),
            ("strategies.rs", include_str!("strategies.rs")),
            ("webhooks.rs", include_str!("webhooks.rs")),
        ];
        // Spelled in two parts, so this test's own text is not a match.
        let banned = [
            concat!("load::", "Spec"),
            concat!("load::", "Node"),
            concat!(".get", "(\""),
            concat!(".pointer", "("),
            concat!("as_", "object()"),
        ];
        for (file, text) in sources {
            for word in banned {
                assert!(
                    !text.contains(word),
                    "emit/{file} reads the spec (`{word}`); emitters see only `ir::Api`"
                );
            }
        }
    }
}
