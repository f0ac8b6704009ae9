//! Command-line front ends: clap arguments and `run` functions, one module
//! per group of commands. `main.rs` only dispatches.

pub mod asr;
pub mod data;
pub mod data_hear;
pub mod eval;
pub mod eval_audio;
pub mod lm;
pub mod model;
pub mod ner;
pub mod serve;
