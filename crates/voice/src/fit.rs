//! Whether the transcript sounds like a command at all: the decoder is
//! held to (or watched by) the command grammar (`speechtimer_lm::grammar`),
//! and what that cost the audio says how well Whisper's own hearing fits
//! the language. A command heard right costs little; one misheard costs
//! much at the words Whisper wanted to write instead. A poor fit marks
//! every value « À vérifier » (`Trust::Misheard`): a wrong plan must not be
//! shown as understood. The thresholds were fitted on held-out voices,
//! never on dev.jsonl (docs/asr.md, "Trust").

use speechtimer_asr::GrammarFit;
use speechtimer_core::values::Quantity;
use speechtimer_nlu::{Parsed, Trust};

/// Above this summed cost (nats) the transcript is not trusted.
pub const MAX_COST: f32 = 9.0;
/// Above this cost at a single step it is not trusted either.
pub const MAX_WORST: f32 = 6.0;

/// The part of the fit that counts: the steps of the tokens the decoder
/// did not choose again (those inside `settled`, code-point ranges of the
/// transcript: a count or a number heard again and confirmed or replaced
/// with a clear lead), and end-of-text. `places` is where each token lies
/// (`Transcriber::token_places`). Returns the summed cost and the worst
/// step.
pub fn unsettled(
    fit: &GrammarFit,
    places: &[Option<(usize, usize)>],
    settled: &[(usize, usize)],
) -> (f32, f32) {
    let inside = |i: usize| {
        places
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|(s, e)| settled.iter().any(|&(a, b)| s < b && e > a))
    };
    let kept = fit
        .steps
        .iter()
        .enumerate()
        .filter(|&(i, _)| !inside(i))
        .map(|(_, &c)| c);
    kept.fold((0.0, 0.0), |(sum, worst), c| (sum + c, f32::max(worst, c)))
}

/// A transcript whose cost, or worst step, is this high fits the language
/// too badly to be trusted.
pub fn misheard(cost: f32, worst: f32) -> bool {
    cost > MAX_COST || worst > MAX_WORST
}

/// Marks rounds, work and rest `Misheard` where nothing else already
/// says they are to check.
pub fn flag_misheard(parsed: &mut Parsed, cost: f32, worst: f32) {
    if !misheard(cost, worst) {
        return;
    }
    let cost = (cost * 100.0).round() / 100.0;
    for q in [Quantity::Rounds, Quantity::Work, Quantity::Rest] {
        let t = parsed.trust.field_mut(q);
        if !t.is_uncertain() {
            *t = Trust::Misheard { cost };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settled_words_do_not_count() {
        let fit = GrammarFit {
            cost: 12.0,
            steps: vec![8.0, 1.0, 1.0, 2.0],
            worst: 8.0,
            free_tokens: 0,
            accepted: true,
        };
        // « Dix séries … »: the first token was the count, heard again
        let places = [Some((0, 3)), Some((4, 10)), None];
        assert_eq!(unsettled(&fit, &places, &[]), (12.0, 8.0));
        assert!(misheard(12.0, 8.0));
        assert_eq!(unsettled(&fit, &places, &[(0, 3)]), (4.0, 2.0));
        assert!(!misheard(4.0, 2.0));
    }
}
