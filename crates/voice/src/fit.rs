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

/// The transcript fits the language too badly to be trusted.
pub fn misheard(fit: &GrammarFit) -> bool {
    fit.cost > MAX_COST || fit.worst > MAX_WORST
}

/// Marks rounds, work and rest `Misheard` where nothing else already
/// says they are to check.
pub fn flag_misheard(parsed: &mut Parsed, fit: &GrammarFit) {
    if !misheard(fit) {
        return;
    }
    let cost = (fit.cost * 100.0).round() / 100.0;
    for q in [Quantity::Rounds, Quantity::Work, Quantity::Rest] {
        let t = parsed.trust.field_mut(q);
        if !t.is_uncertain() {
            *t = Trust::Misheard { cost };
        }
    }
}
