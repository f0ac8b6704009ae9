//! Command-line subcommands beyond the window: `data` and `eval`.

pub mod data;
pub mod eval;
