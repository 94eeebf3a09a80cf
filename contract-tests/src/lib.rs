//! The contract suite: drives the generated Vivamo client against a target and reports spec drift.
//!
//! Nothing lives here yet. The suite needs the generated client (issue 4), the sandbox (issue 5)
//! and the drift checks (issue 6); until they land this crate exports nothing and claims nothing.
#![forbid(unsafe_code)]
