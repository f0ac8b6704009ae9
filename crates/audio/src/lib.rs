//! Sound: beep synthesis and playback, microphone capture, WAV io,
//! resampling to 16 kHz mono and voice activity detection.

pub mod beep;
pub mod capture;
mod output;
pub mod playback;
pub mod resample;
pub mod speech;
pub mod vad;
pub mod wav;
