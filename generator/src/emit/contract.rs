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
    let mut rows = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for op in &api.operations {
        let Some(id) = &op.operation_id else { continue };
        if !seen.insert(id.clone()) {
            continue;
        }
        // Statuses of one type share a row (`&["400", "403", "500"]`), in the spec's order.
        let mut grouped: Vec<(String, TokenStream, Vec<String>)> = Vec::new();
        for response in &op.responses {
            let Decode::Json(shape, _) = decode_of(response) else {
                continue;
            };
            let ty = shape_tokens_outside(api, &shape);
            let status = response.status.to_ascii_uppercase();
            let status = if status == "DEFAULT" {
                "default".to_string()
            } else {
                status
            };
            let key = ty.to_string();
            match grouped.iter_mut().find(|(k, ..)| *k == key) {
                Some((_, _, statuses)) => statuses.push(status),
                None => grouped.push((key, ty, vec![status])),
            }
        }
        for (_, ty, statuses) in grouped {
            rows.push(quote!((#id, &[#(#statuses),*], typed::<#ty>),));
        }
    }
    let rows = quote!(#(#rows)*);
    // Dropped again when nothing names `models` (see `drop_unused_import`).
    let models = quote!(
        use super::models;
    );
    let any = !rows.is_empty();
    let imports = if any {
        quote!(
            use super::support::{Inspect, UnknownValue};
        )
    } else {
        quote!(
            use super::support::UnknownValue;
        )
    };
    let helper = any.then(|| {
        quote! {
            fn typed<T: ::serde::de::DeserializeOwned + Inspect>(body: &str) -> Decoded {
                ::serde_json::from_str::<T>(body).map(|value| value.unknown_values()).map_err(|e| e.to_string())
            }
        }
    });
    quote! {
        //! Glue for the contract engine: decodes an answer of any operation into its generated
        //! type, so a run reports what the typed client could not decode and what it decoded into
        //! an `Unknown` variant.

        #models
        #imports

        /// What a decoder returns: the values decoded into `Unknown` variants, or why the body
        /// did not decode.
        type Decoded = Result<Vec<UnknownValue>, String>;

        /// Decodes a body into one generated type.
        type Decoder = fn(&str) -> Decoded;

        /// Every documented JSON answer: the operation, its statuses (codes, `4XX` ranges or
        /// `default`) and the decoder of their generated type.
        const ANSWERS: &[(&str, &[&str], Decoder)] = &[#rows];

        /// Decodes `body`, answered with `status` by the operation `operation_id`, into its
        /// generated type. An exact code is preferred to its range, a range to `default`, as the
        /// client reads them. `None` when the spec documents no JSON body for that answer.
        pub fn decode(operation_id: &str, status: u16, body: &str) -> Option<Decoded> {
            let code = status.to_string();
            let range = format!("{}XX", status / 100);
            let rows = || ANSWERS.iter().filter(|(id, ..)| *id == operation_id);
            [code.as_str(), range.as_str(), "default"]
                .into_iter()
                .find_map(|key| rows().find(|(_, statuses, _)| statuses.contains(&key)))
                .map(|(_, _, decoder)| decoder(body))
        }

        #helper
    }
}
