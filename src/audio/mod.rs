//! Sound: beep synthesis and playback (capture and WAV io come with the voice issues).

pub mod beep;
pub mod playback;
