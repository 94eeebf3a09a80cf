//! Reads any OpenAPI 3.0/3.1 (or Swagger 2.0) document and generates Rust from it.
//!
//! Three phases, each in its own module: [`load`] reads the spec and resolves `$ref`s,
//! `ir` lowers it to one plain-data model of the API, and `emit` turns that model into Rust source.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod diagnostics;
pub mod load;

pub use diagnostics::{Diagnostic, Diagnostics, Location, Severity};
