//! `generate_api!("openapi.yaml")`: the generator's third front, beside the vendored crate and
//! the build script. It expands, where it is called, to the modules a generated crate has
//! (`client`, `models`, `server`, …), exactly [`generator::Output::as_module`]; the path is
//! relative to the calling crate's `Cargo.toml`, and the spec is tracked, so editing it
//! regenerates on the next build. A spec that does not load is a compile error naming it.
#![forbid(unsafe_code)]

use std::path::Path;

use proc_macro::{TokenStream, TokenTree};

/// Generates the bindings of the spec at the given path (relative to `CARGO_MANIFEST_DIR`).
///
/// A spec that does not load stops the build with an error naming it:
///
/// ```compile_fail
/// specdrift_macro::generate_api!("no/such/spec.yaml");
/// ```
///
/// and so does anything but one plain string literal:
///
/// ```compile_fail
/// specdrift_macro::generate_api!(openapi.yaml);
/// ```
#[proc_macro]
pub fn generate_api(input: TokenStream) -> TokenStream {
    let expanded = path_of(input).and_then(|relative| {
        // The generator builds token streams (and formats them) on threads of its own, where the
        // compiler's proc-macro bridge does not exist: run it all on one such thread, so
        // proc-macro2 works as it does in a build script, and hand back only text.
        std::thread::spawn(move || expand(&relative))
            .join()
            .unwrap_or_else(|_| Err("the generator panicked; this is a specdrift bug".into()))
    });
    let text = match expanded {
        Ok(text) => text,
        Err(message) => format!("::core::compile_error!({message:?});"),
    };
    text.parse::<TokenStream>().unwrap_or_else(|e| {
        let message = format!("the generated bindings do not lex: {e}");
        format!("::core::compile_error!({message:?});")
            .parse()
            .unwrap_or_default()
    })
}

/// The one string literal the macro takes.
fn path_of(input: TokenStream) -> Result<String, String> {
    let usage = "generate_api! takes one string literal: the spec's path, relative to Cargo.toml";
    let mut tokens = input.into_iter();
    let (Some(TokenTree::Literal(literal)), None) = (tokens.next(), tokens.next()) else {
        return Err(usage.into());
    };
    let text = literal.to_string();
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|t| !t.contains('\\'))
        .map(str::to_string)
        .ok_or_else(|| usage.into())
}

fn expand(relative: &str) -> Result<String, String> {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or("CARGO_MANIFEST_DIR is not set: generate_api! runs under cargo")?;
    let path = Path::new(&root).join(relative);
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("api")
        .to_string();
    let output = generator::generate_file(&path, &generator::Settings::new(name))
        .map_err(|diagnostics| format!("{} does not load:\n{diagnostics}", path.display()))?;
    let module = output.as_module()?;
    // Cargo rebuilds a crate when a file it includes changes: that is how the spec is tracked.
    Ok(format!(
        "{module}\nconst _: &[u8] = include_bytes!({:?});\n",
        path.display().to_string()
    ))
}

#[cfg(test)]
mod tests {
    use super::expand;

    #[test]
    fn a_spec_expands_to_its_modules_and_is_tracked() {
        // cargo runs a crate's tests with CARGO_MANIFEST_DIR set to the crate (macro/).
        let text = expand("../generator/tests/fixtures/swagger2.yaml").unwrap();
        assert!(text.contains("pub mod models {") && text.contains("pub mod client {"));
        assert!(
            text.contains("include_bytes!(") && text.contains("swagger2.yaml"),
            "the spec is tracked"
        );
    }

    #[test]
    fn a_spec_that_does_not_load_is_an_error_naming_it() {
        let err = expand("no/such/spec.yaml").unwrap_err();
        assert!(err.contains("no/such/spec.yaml"), "{err}");
    }
}
