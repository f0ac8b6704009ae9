//! Command-line subcommands beyond the window.

pub mod data;
pub mod eval;
pub mod ner;
