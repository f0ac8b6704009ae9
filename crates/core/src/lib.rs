//! The heart of SpeechTimer, with no heavy dependency: the workout plan and
//! its limits, the interval timer's state machine, and French spoken
//! quantities turned into plan values.

pub mod coach;
pub mod correction;
pub mod cues;
pub mod plan;
pub mod readback;
pub mod timer;
pub mod values;
