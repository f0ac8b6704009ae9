//! SpeechTimer: an offline, voice-controlled interval timer.
//!
//! The pipeline runs left to right: audio -> asr -> nlu -> plan -> timer ->
//! app. Each stage is a crate of its own under `crates/` (see
//! ARCHITECTURE.md); this crate is the top of the house: the eframe window
//! (`app`), and the stages under the names the command line uses.

pub mod app;

pub use speechtimer_asr as asr;
pub use speechtimer_audio as audio;
pub use speechtimer_core::{coach, plan, timer, values};
pub use speechtimer_corpus as corpus;
pub use speechtimer_label as label;
pub use speechtimer_lm as lm;
pub use speechtimer_nlu as nlu;
pub use speechtimer_serve as serve;
pub use speechtimer_train as train;
pub use speechtimer_voice as voice;
