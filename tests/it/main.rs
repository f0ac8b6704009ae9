//! The integration tests of the `speechtimer` binary and its stages: one
//! test binary (linking whisper.cpp, candle, eframe and axum once), a module
//! per area.

mod asr_fixtures;
mod common;
mod corrections;
mod data_cli;
mod gui;
mod ner;
mod real_label_studio;
mod serve;
mod voice;
