//! Voice to plan: one worker thread owns listening -> Whisper -> NER and
//! reports to the window over a channel, so the UI thread never waits on
//! audio or models. Also the words that drive a running workout. Knows no
//! device: it is handed something that opens a stream of blocks.

pub mod answer;
pub mod clarity;
pub mod command;
pub mod count;
pub mod endpoint;
pub mod expect;
pub mod fit;
mod hear;
pub mod rehear;
mod report;
pub mod slots;
pub mod worker;

pub use answer::{Answer, answer, answer_to};
pub use command::{TimerCommand, timer_command};
pub use expect::Expect;
pub use hear::{Understanding, hear};
pub use report::HeardReport;
pub use worker::{Heard, Timings, Voice, VoiceConfig, VoiceLoop, VoiceMsg};
