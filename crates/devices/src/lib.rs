//! The machine's audio devices: microphone capture (cpal) and the cue
//! player (rodio), and what happens when a device comes and goes. Plays
//! what it is given; the sound itself is made by `speechtimer-audio`.

pub mod capture;
mod output;
pub mod playback;
mod source;

pub use source::Source;
