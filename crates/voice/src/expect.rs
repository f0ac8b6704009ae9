//! What the app expects to hear: a plan (the default), a reply to a plan
//! read back, or a command during the workout. Short words are Whisper's
//! weak spot, the more so with its decoder leaning to the plan grammar
//! (« non » written « Nouve. », « pause » « Bose. »): when a reply or a
//! command is expected, each of its few phrases is scored as the whole
//! utterance over the same audio, and one that fits better than what the
//! decoder wrote replaces it. A longer answer (« non, trois minutes »)
//! fits its own words better and is kept.

use speechtimer_asr::{AsrError, Decoded};

/// What the app listens for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expect {
    /// A workout plan (« 12 séries de 2 minutes… »).
    #[default]
    Plan,
    /// A reply to a plan read back: yes, no, or a correction.
    Reply,
    /// A command to the running workout.
    Command,
}

impl Expect {
    /// The short phrases that may replace the decoder's text, as Whisper
    /// writes them.
    pub fn phrases(self) -> &'static [&'static str] {
        match self {
            Expect::Plan => &[],
            Expect::Reply => &[
                "Oui.",
                "Non.",
                "C'est parti.",
                "Vas-y.",
                "Go.",
                "Démarre.",
                "Annule.",
                "D'accord.",
            ],
            Expect::Command => &[
                "Pause.",
                "Reprends.",
                "Continue.",
                "Suivant.",
                "Stop.",
                "Combien de temps ?",
                "Tour.",
            ],
        }
    }
}

/// Least `ln P` a phrase needs as the whole utterance to replace what
/// was written: the phrases said by the fixture voices score -1.4 to
/// -4.1, music and clatter's best phrase -9 to -13 (a phrase always fits
/// better than the decoder's hallucination over music).
pub const MIN_PHRASE_LN_P: f32 = -6.0;

/// The phrase of `phrases` that fits the audio better than `written` as
/// the whole utterance, and at least [`MIN_PHRASE_LN_P`], if one does;
/// with its score and `written`'s.
pub fn closest_phrase(
    decoded: &mut Decoded,
    written: &str,
    phrases: &[&'static str],
) -> Result<Option<(&'static str, f32, f32)>, AsrError> {
    if phrases.is_empty() {
        return Ok(None);
    }
    let own = decoded.score_utterance(written)?;
    let mut best: Option<(&'static str, f32)> = None;
    for &p in phrases {
        let s = decoded.score_utterance(p)?;
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((p, s));
        }
    }
    Ok(best
        .filter(|&(p, s)| s > own && s >= MIN_PHRASE_LN_P && p != written.trim())
        .map(|(p, s)| (p, s, own)))
}
