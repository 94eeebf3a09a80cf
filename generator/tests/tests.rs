//! The generator's one integration binary.

mod check;
mod corpus;
mod diff;
mod entries;
mod fidelity;
mod lint;
mod runtime;
mod snapshots;
mod ui;
