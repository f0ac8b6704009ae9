//! Tests against real audio devices: a PulseAudio server started by the
//! test with null sinks (a microphone fed by `paplay`, a speaker recorded
//! by `parecord`), the window under Xvfb driven by xdotool. One at a time
//! (`harness::one_at_a_time`). Outside CI they skip, loudly, where
//! PulseAudio, Xvfb or the Whisper model is missing.

mod cues;
mod hands_free;
mod harness;
mod mic;
mod output;
