//! Emits `webhooks.rs`: typed payloads for the deliveries the spec documents (3.1 `webhooks` and
//! operation callbacks), and signature verification when a delivery documents an HMAC header.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::models::shape_tokens_outside;
use super::{docs, ident};
use crate::ir::{Api, Media, Operation, ParamLocation};

/// An HMAC signature scheme found on a delivery's header parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The header name, as the spec writes it.
    pub header: String,
    /// `Sha256` or `Sha512`.
    pub digest: &'static str,
}

/// Finds a `*signature*` header whose description names HMAC-SHA256 or HMAC-SHA512 (hex-encoded).
pub fn signature_of(op: &Operation) -> Option<Signature> {
    op.parameters
        .iter()
        .filter(|p| {
            p.location == ParamLocation::Header
                && p.name.wire.to_ascii_lowercase().contains("signature")
        })
        .find_map(|p| {
            let text = p
                .docs
                .as_deref()
                .unwrap_or_default()
                .to_ascii_uppercase()
                .replace(['-', '_', ' '], "");
            let digest = if text.contains("HMACSHA512") {
                "Sha512"
            } else if text.contains("HMACSHA256") {
                "Sha256"
            } else {
                return None;
            };
            Some(Signature {
                header: p.name.wire.clone(),
                digest,
            })
        })
}

/// True when the API documents deliveries, so `webhooks.rs` is worth emitting.
pub fn wanted(api: &Api) -> bool {
    !api.webhooks.is_empty()
}

/// The signature scheme shared by the API's deliveries, if any documents one.
pub fn signature(api: &Api) -> Option<Signature> {
    api.webhooks.iter().find_map(signature_of)
}

/// `webhooks.rs`.
pub fn emit(api: &Api) -> TokenStream {
    let parsers = api.webhooks.iter().filter_map(|op| {
        let Media { shape, .. } = op
            .body
            .as_ref()?
            .content
            .iter()
            .find(|Media { media_type: m, .. }| m.contains("json"))?;
        let ty = shape_tokens_outside(api, shape);
        let name = format_ident!("parse_{}", op.name.rust);
        let summary = op
            .summary
            .clone()
            .or(op.description.clone())
            .unwrap_or_default();
        let text = format!(
            "Decodes the body of the `{}` delivery.\n\n{summary}",
            op.name.wire
        );
        let doc = docs(Some(text.trim()));
        Some(quote! {
            #doc
            pub fn #name(body: &[u8]) -> Result<#ty, WebhookError> {
                ::serde_json::from_slice(body).map_err(|e| WebhookError::Decode(e.to_string()))
            }
        })
    });
    let signing = signature(api).map(|sig| {
        let header = &sig.header;
        let digest = ident(sig.digest);
        let algorithm = format!("HMAC-{}", sig.digest.to_ascii_uppercase());
        let verify_doc = format!(" Checks a delivery's `{header}` header: the hex {algorithm} of the raw body, keyed with the webhook's secret. The comparison takes constant time. Pass the body exactly as received, before any parsing.");
        let sign_doc = format!(" The hex {algorithm} of `body` keyed with `secret`: the value a sender puts in the `{header}` header.");
        quote! {
            /// The header that carries a delivery's signature.
            pub const SIGNATURE_HEADER: &str = #header;

            #[doc = #verify_doc]
            pub fn verify_signature(secret: &[u8], body: &[u8], signature: &str) -> bool {
                use ::hmac::Mac as _;
                let Some(expected) = decode_hex(signature.trim()) else { return false };
                let Ok(mut mac) = ::hmac::Hmac::<::sha2::#digest>::new_from_slice(secret) else { return false };
                mac.update(body);
                mac.verify_slice(&expected).is_ok()
            }

            #[doc = #sign_doc]
            pub fn sign(secret: &[u8], body: &[u8]) -> String {
                use ::hmac::Mac as _;
                let mut mac = ::hmac::Hmac::<::sha2::#digest>::new_from_slice(secret).expect("hmac accepts keys of any length");
                mac.update(body);
                mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
            }

            /// Verifies the signature, then decodes the body with `parse`.
            pub fn verify_and_parse<T>(secret: &[u8], body: &[u8], signature: &str, parse: fn(&[u8]) -> Result<T, WebhookError>) -> Result<T, WebhookError> {
                if !verify_signature(secret, body, signature) {
                    return Err(WebhookError::BadSignature);
                }
                parse(body)
            }

            fn decode_hex(text: &str) -> Option<Vec<u8>> {
                if !text.len().is_multiple_of(2) {
                    return None;
                }
                (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
            }
        }
    });
    quote! {
        // Dropped again when nothing names `models` (see `drop_unused_import`).
        use super::models;

        /// Why a delivery was refused.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum WebhookError {
            /// The signature header is missing, malformed or does not match the body.
            BadSignature,
            /// The body does not decode as the documented payload.
            Decode(String),
        }

        impl ::std::fmt::Display for WebhookError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    WebhookError::BadSignature => f.write_str("the webhook signature does not match the body"),
                    WebhookError::Decode(m) => write!(f, "the webhook body does not decode: {m}"),
                }
            }
        }

        impl ::std::error::Error for WebhookError {}

        #signing
        #(#parsers)*
    }
}
