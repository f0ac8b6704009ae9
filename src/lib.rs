//! SpeechTimer: an offline, voice-controlled interval timer.
//!
//! The pipeline runs left to right: audio -> asr -> nlu -> plan -> timer ->
//! app. See ARCHITECTURE.md for the codemap.

pub mod app;
pub mod asr;
pub mod audio;
pub mod corpus;
pub mod nlu;
pub mod plan;
pub mod serve;
pub mod timer;
pub mod train;
pub mod values;
pub mod voice;
