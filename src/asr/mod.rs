//! Speech to text: Whisper through whisper-rs, and the model store that
//! finds, fetches, verifies and converts the model.

pub mod convert;
pub mod mel;
pub mod model_store;
pub mod transcriber;

pub use transcriber::{AsrError, DecodeOptions, Transcriber, Transcript};
