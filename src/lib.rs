//! SpeechTimer: an offline, voice-controlled interval timer.
//!
//! The pipeline runs left to right: audio -> asr -> nlu -> plan -> timer ->
//! app. Each stage is a crate of its own under `crates/` (see
//! ARCHITECTURE.md), used under its own name (`speechtimer_voice`, …);
//! this crate is the top of the house: the eframe window (`app`).

pub mod app;
