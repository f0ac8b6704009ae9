//! What a clip said and meant, as `transcribe --json` and `/transcribe`
//! write it: one struct for both.

use crate::hear::Understanding;
use serde::Serialize;
use speechtimer_nlu::Reading;

/// A transcript, a few facts about the audio, and what the words mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct HeardReport {
    /// The transcript (empty when nothing was said).
    #[cfg_attr(
        feature = "schema",
        schema(example = "12 séries de 2 minutes, 30 secondes entre série")
    )]
    pub text: String,
    /// Nothing was said (silence or steady noise).
    pub no_speech: bool,
    /// Seconds of audio received, to the millisecond.
    pub audio_s: f64,
    /// Whisper's mean token probability, to 0.001.
    pub asr_confidence: f64,
    /// The clip was longer than 30 s: only its start was heard.
    pub cut: bool,
    /// What the transcript means (absent only when no tagger is loaded).
    #[serde(flatten)]
    pub reading: Option<Reading>,
}

fn thousandths(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Understanding {
    /// The report of this clip; `reading` is `None` when nothing was parsed
    /// (no tagger, or nothing said).
    pub fn report(&self) -> HeardReport {
        let t = &self.transcript;
        HeardReport {
            text: self
                .parsed
                .as_ref()
                .map_or_else(|| t.text.clone(), |p| p.text.clone()),
            no_speech: t.no_speech,
            audio_s: thousandths(f64::from(t.audio_s)),
            asr_confidence: thousandths(f64::from(t.confidence)),
            cut: t.cut,
            reading: self.parsed.as_ref().map(|p| p.reading()),
        }
    }
}
