//! The generator's one integration binary.

mod check;
mod command;
mod corpus;
mod diff;
mod entries;
mod fidelity;
mod lint;
mod runtime;
mod snapshots;
mod ui;
