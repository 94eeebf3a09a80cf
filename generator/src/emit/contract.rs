//! Emits `contract.rs` (crate feature `contract`): the glue the contract engine needs to judge
//! answers through the generated types: for every operation and documented status with a JSON
//! body, decode the body into its generated type and report what the type did not know.

use proc_macro2::TokenStream;
use quote::quote;

use super::client::{Decode, decode_of};
use super::models::shape_tokens_outside;
use crate::ir::Api;

/// The module's tokens.
pub fn emit(api: &Api) -> TokenStream {
    let mut arms = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for op in &api.operations {
        let Some(id) = &op.operation_id else { continue };
        if !seen.insert(id.clone()) {
            continue;
        }
        // Exact codes first, then ranges, then `default`, as a client reads them.
        let mut responses: Vec<_> = op.responses.iter().collect();
        responses.sort_by_key(|r| {
            if r.status == "default" {
                2
            } else if r.status.parse::<u16>().is_ok() {
                0
            } else {
                1
            }
        });
        // Exact codes of one type share an arm (`400 | 403 | 500`); ranges and `default` follow.
        let mut grouped: Vec<(String, TokenStream, Vec<TokenStream>)> = Vec::new();
        for response in responses {
            let Decode::Json(shape, _) = decode_of(response) else {
                continue;
            };
            let ty = shape_tokens_outside(api, &shape);
            let pattern = if let Ok(code) = response.status.parse::<u16>() {
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                quote!(#code)
            } else if let Some(class) = response
                .status
                .chars()
                .next()
                .and_then(|c| c.to_digit(10))
                .filter(|_| response.status.len() == 3)
            {
                let (lo, hi) = (
                    proc_macro2::Literal::u16_unsuffixed(class as u16 * 100),
                    proc_macro2::Literal::u16_unsuffixed(class as u16 * 100 + 99),
                );
                quote!(#lo..=#hi)
            } else {
                quote!(_)
            };
            let exact = response.status.parse::<u16>().is_ok();
            let key = ty.to_string();
            match grouped
                .iter_mut()
                .find(|(k, _, patterns)| exact && *k == key && !patterns.is_empty())
            {
                Some((_, _, patterns)) => patterns.push(pattern),
                None => grouped.push((if exact { key } else { String::new() }, ty, vec![pattern])),
            }
        }
        for (_, ty, patterns) in grouped {
            arms.push(quote!((#id, #(#patterns)|*) => Some(typed::<#ty>(body)),));
        }
    }
    let body = if arms.is_empty() {
        quote! {
            let _ = (operation_id, status, body);
            None
        }
    } else {
        quote! {
            match (operation_id, status) {
                #(#arms)*
                _ => None,
            }
        }
    };
    let helper = (!arms.is_empty()).then(|| {
        quote! {
            fn typed<T: ::serde::de::DeserializeOwned + Inspect>(body: &str) -> Result<Vec<UnknownValue>, String> {
                ::serde_json::from_str::<T>(body).map(|value| value.unknown_values()).map_err(|e| e.to_string())
            }
        }
    });
    let imports = if arms.is_empty() {
        quote!(
            use super::support::UnknownValue;
        )
    } else {
        quote!(
            use super::support::{Inspect, UnknownValue};
        )
    };
    quote! {
        //! Glue for the contract engine: decodes an answer of any operation into its generated
        //! type, so a run reports what the typed client could not decode and what it decoded into
        //! an `Unknown` variant.

        #imports

        /// Decodes `body`, answered with `status` by the operation `operation_id`, into its
        /// generated type: the values decoded into `Unknown` variants, or why it did not decode.
        /// `None` when the spec documents no JSON body for that answer.
        pub fn decode(operation_id: &str, status: u16, body: &str) -> Option<Result<Vec<UnknownValue>, String>> {
            #body
        }

        #helper
    }
}
