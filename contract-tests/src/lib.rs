//! The contract harness: recorded or live traffic held against a spec, and the contract engine
//! that produces such traffic from any spec against any server.
//!
//! - [`spec`] is the model the checks and the engine read (the lowered `ir::Api`, JSON Schema validators);

//! - [`traffic`] reads and writes VCR cassettes and HAR files;
//! - [`redact`] decides what a secret is (from the spec, by name, by shape) and hides it in
//!   cassettes, reports and traces;
//! - [`check`] holds interactions against the spec and returns [`report::Finding`]s;
//! - [`sequence`] holds the checks that need several interactions or the request's credentials;
//! - [`engine`] drives any server described by any spec (phases, stateful search, shrinking);
//! - [`report`] de-duplicates, groups by cause, applies the baseline, and renders text, JSON and
//!   JUnit XML; [`html`] renders it as one self-contained page;
//! - [`mock`] is a mock server for any spec, made from the model;
//! - [`verify`] holds recorded traffic against a spec, streamed over every core;
//! - [`vivamo`] runs the engine on Vivamo (the sandbox and its test-only document, typed decoding).
#![forbid(unsafe_code)]

pub mod check;
mod cores;
pub mod engine;
pub mod examples;
pub mod html;
pub mod mock;
pub mod ready;
pub mod redact;
pub mod report;
pub mod sequence;
pub mod spec;
pub mod traffic;
pub mod verify;
pub mod vivamo;

pub use report::{Baseline, Finding, Kind, Level, Report};

pub use verify::{Progress, VerifyOptions, verify, verify_with};
