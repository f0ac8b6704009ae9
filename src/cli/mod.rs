//! Command-line front ends: clap arguments and `run` functions, one module
//! per group of commands. `main.rs` only dispatches.

pub(crate) mod asr;
pub(crate) mod cues;
pub(crate) mod data;
pub(crate) mod data_hear;
pub(crate) mod eval;
pub(crate) mod eval_audio;
pub(crate) mod label;
pub(crate) mod lm;
pub(crate) mod model;
pub(crate) mod ner;
pub(crate) mod progress;
pub(crate) mod serve;
pub(crate) mod stdio;
