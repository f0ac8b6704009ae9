//! Speech to text: Whisper through whisper-rs, the model store that finds,
//! fetches, verifies, converts and quantizes the model, and the domain
//! language model fused into its decoder.

pub mod convert;
pub mod cpu;
mod error;
pub mod fusion;
mod logs;
pub mod mel;
pub mod model_store;
pub mod quantize;
pub mod rescore;
pub mod transcriber;

pub use error::AsrError;
pub use rescore::Decoded;
pub use speechtimer_lm::TokenLm;
pub use transcriber::{AudioCtx, DecodeOptions, GrammarFit, LmChoice, Transcriber, Transcript};
