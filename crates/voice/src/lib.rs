//! Voice to plan: one worker thread owns capture -> Whisper -> NER and
//! reports to the window over a channel, so the UI thread never waits on
//! audio or models. Also the words that drive a running workout.

pub mod clarity;
pub mod command;
pub mod count;
pub mod endpoint;
mod report;
pub mod source;
pub mod worker;

pub use command::{TimerCommand, timer_command};
pub use report::HeardReport;
pub use source::Source;
pub use worker::{Heard, Timings, Voice, VoiceConfig, VoiceLoop, VoiceMsg};
