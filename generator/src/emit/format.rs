//! Pretty-prints token streams with prettyplease, so no rustfmt binary is needed at build time.

use proc_macro2::TokenStream;

/// Formats one file; `header` lines go first, as `//` comments.
pub fn file(header: &str, tokens: TokenStream) -> Result<String, syn::Error> {
    let parsed: syn::File = syn::parse2(tokens)?;
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("// ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&prettyplease::unparse(&parsed));
    Ok(out)
}
