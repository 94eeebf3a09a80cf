//! Wire names to Rust identifiers, in one place: case conversion, keywords, leading digits and clashes.

use std::collections::BTreeSet;

use heck::{ToPascalCase, ToSnakeCase};

/// Rust keywords (strict, reserved and 2024-edition), plus names that cannot be raw or would confuse readers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union",
];

/// Type names a schema may not take in `models`: the prelude names generated code uses unqualified,
/// and the traits its derives name. Everything else generated code refers to by a qualified path
/// (`super::support::DateTime`, `::serde_json::Value`), so schemas keep names such as `Error` or `Client`.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Result",
    "Some",
    "None",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Self",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "From",
    "Into",
    "ToString",
    "ToOwned",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Debug",
    "Hash",
    "AsRef",
    "AsMut",
    "Extend",
    "Unpin",
];

/// A Rust identifier beside the wire name it came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    /// The identifier to emit.
    pub rust: String,
    /// The name on the wire (property, enum value, component key).
    pub wire: String,
}

/// `snake_case` for fields, parameters and methods.
pub fn snake(wire: &str) -> String {
    let mut s = wire.to_snake_case();
    s = fix_start(s, "_");
    if s.is_empty() {
        s = "empty".into();
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `PascalCase` for types and variants.
pub fn pascal(wire: &str) -> String {
    let mut s = wire.to_pascal_case();
    s = fix_start(s, "V");
    if s.is_empty() {
        s = "Empty".into();
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Makes sure the identifier starts with an XID start character, and holds only XID characters.
fn fix_start(s: String, prefix: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if unicode_ident::is_xid_continue(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.chars().next() {
        Some(c) if unicode_ident::is_xid_start(c) || c == '_' && cleaned.len() > 1 => cleaned,
        Some(_) => format!("{prefix}{cleaned}"),
        None => cleaned,
    }
}

/// Hands out identifiers unique within one scope (a module, a struct's fields, an enum's variants).
///
/// Clashes are resolved in the order names are asked for, so the same spec always gives the same names.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope where `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Claims `candidate`, or `candidate2`, `candidate3`, … when it is taken.
    pub fn claim(&mut self, candidate: String) -> String {
        if self.taken.insert(candidate.clone()) {
            return candidate;
        }
        let sep = if candidate.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{candidate}{sep}{n}"))
            .find(|it| self.taken.insert(it.clone()))
            .expect("an unbounded range always yields a free name")
    }

    /// True when `name` is already claimed.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_table() {
        let table = [
            ("externalCustomerId", "external_customer_id"),
            ("type", "type_"),
            ("self", "self_"),
            ("gen", "gen_"),
            ("async", "async_"),
            ("_id", "id"),
            ("2fa", "_2fa"),
            ("", "empty"),
            ("X-Custom-Auth", "x_custom_auth"),
            ("$ref", "ref_"),
            ("@type", "type_"),
            ("clientSecretKey", "client_secret_key"),
            ("ñandú", "ñandú"),
        ];
        for (wire, rust) in table {
            assert_eq!(snake(wire), rust, "{wire}");
        }
    }

    #[test]
    fn pascal_case_table() {
        let table = [
            ("pending-validation", "PendingValidation"),
            ("pay_by_bank", "PayByBank"),
            ("Self", "Self_"),
            ("1", "V1"),
            ("-1", "V1"),
            ("+", "Empty"),
            ("customer.created", "CustomerCreated"),
            ("v1.Error", "V1Error"),
        ];
        for (wire, rust) in table {
            assert_eq!(pascal(wire), rust, "{wire}");
        }
    }

    #[test]
    fn every_keyword_is_escaped() {
        for kw in KEYWORDS {
            let s = snake(kw);
            assert!(!KEYWORDS.contains(&s.as_str()), "{kw} -> {s}");
            assert!(
                syn::parse_str::<syn::Ident>(&s).is_ok(),
                "{kw} -> {s} is not an identifier"
            );
        }
    }

    #[test]
    fn clashes_get_numbered_in_order() {
        let mut scope = Scope::with_reserved(RESERVED_TYPE_NAMES);
        assert_eq!(scope.claim("Option".into()), "Option2");
        assert_eq!(scope.claim("Error".into()), "Error");
        assert_eq!(scope.claim("Pet".into()), "Pet");
        assert_eq!(scope.claim("Pet".into()), "Pet2");
        assert_eq!(scope.claim("V1".into()), "V1");
        assert_eq!(scope.claim("V1".into()), "V1_2");
    }
}
