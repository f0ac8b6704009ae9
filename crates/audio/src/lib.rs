//! Sound as numbers, with no device: WAV io, resampling to 16 kHz mono,
//! voice activity detection and endpointing, audio as a stream of blocks,
//! beep synthesis, noise for training (`mix`) and the coach's clip bank. The microphone and the
//! speakers are `speechtimer-devices`.

pub mod beep;
pub mod blocks;
pub mod gate;
pub mod mix;
pub mod resample;
pub mod speech;
pub mod vad;
pub mod wav;
