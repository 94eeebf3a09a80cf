//! The generator's one integration binary.

mod ui;
