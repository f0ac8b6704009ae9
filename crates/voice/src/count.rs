//! The round count, heard again. The count that opens a command is the
//! word Whisper most often gets wrong (« douze » -> « Douce », « dix » ->
//! « D'y »), and the language model fused into the decoder knows that a
//! count goes there but not which one (it can pull « Douze » to « Dix »).
//! So in a count slot (`slots.rs`: a number before a round noun, or a
//! round noun with no readable count before it) every count from 1 to 99
//! (digits and words) is scored by Whisper's own decoder over the same
//! audio, without the language model; what the choice does to the plan is
//! `rehear.rs`'.

use crate::slots::{Slot, words};
use speechtimer_asr::{AsrError, Decoded};
use speechtimer_core::values::{WordStyle, int_to_words};

/// Counts tried in the slot.
pub const MAX_COUNT: u32 = 99;
/// Lead (natural log) of the best count over the next one for the choice
/// to be trusted.
pub const CLEAR_MARGIN: f32 = 2.0;

/// The count chosen in a slot.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The best-scoring count, 1..=[`MAX_COUNT`].
    pub value: u32,
    /// Log-probability lead over the next count.
    pub margin: f32,
    /// The choice can be trusted: it leads by at least [`CLEAR_MARGIN`], and
    /// what Whisper wrote does not beat it by as much.
    pub clear: bool,
}

/// Every way a count is written in the slot: digits and words (feminine
/// too for one), capitalised at the start of the sentence.
fn forms(at_start: bool) -> Vec<(u32, String)> {
    let cap = |s: String| {
        if !at_start {
            return s;
        }
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for v in 1..=MAX_COUNT {
        out.push((v, v.to_string()));
        out.push((v, cap(int_to_words(v, false, WordStyle::Traditional))));
        if v == 1 {
            out.push((v, cap("une".to_string())));
        }
    }
    out
}

/// Scores every count in `slot` with Whisper's decoder and picks the best
/// (`None` when no count could be scored).
pub fn rescore(decoded: &mut Decoded, text: &str, slot: &Slot) -> Result<Option<Choice>, AsrError> {
    let chars: Vec<char> = text.chars().collect();
    let before: String = chars[..slot.start].iter().collect();
    let rest: String = chars[slot.end..].iter().collect();
    // the noun and the word after it tell the decoder what follows
    let after: String = {
        let rest_words = words(&chars[slot.end..]);
        let end = rest_words
            .get(1)
            .or(rest_words.first())
            .map_or(0, |&(_, e)| e);
        let cut: String = rest.chars().take(end).collect();
        if slot.start == slot.end {
            format!(" {}", cut.trim_start())
        } else {
            cut
        }
    };
    let forms = forms(before.trim().is_empty());
    let mut texts: Vec<String> = forms.iter().map(|(_, t)| t.clone()).collect();
    if !slot.heard.is_empty() {
        texts.push(slot.heard.clone());
    }
    let scores = decoded.score_slot(&before, &texts, &after)?;
    // a value's score is the sum over its spellings
    let mut by_value = vec![f32::NEG_INFINITY; MAX_COUNT as usize + 1];
    for ((v, _), &s) in forms.iter().zip(&scores) {
        by_value[*v as usize] = log_add(by_value[*v as usize], s);
    }
    let heard_score = if slot.heard.is_empty() {
        f32::NEG_INFINITY
    } else {
        scores[forms.len()]
    };
    let mut ranked: Vec<(u32, f32)> = (1..=MAX_COUNT).map(|v| (v, by_value[v as usize])).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (value, best) = ranked[0];
    let next = ranked.get(1).map_or(f32::NEG_INFINITY, |r| r.1);
    tracing::debug!(
        "count rescored in {:?}: {value} ({best:.2}), next {:?}, heard {heard_score:.2}",
        slot.heard,
        ranked.get(1)
    );
    if !best.is_finite() {
        return Ok(None);
    }
    let margin = if next.is_finite() {
        best - next
    } else {
        f32::INFINITY
    };
    // what Whisper wrote is its own first choice, so it often scores a
    // little better than the count it stands for (« Dous » over « 12 »);
    // only a clear lead of the written word makes the count doubtful
    Ok(Some(Choice {
        value,
        margin,
        clear: margin >= CLEAR_MARGIN && best >= heard_score - CLEAR_MARGIN,
    }))
}

/// `ln(e^a + e^b)`.
pub fn log_add(a: f32, b: f32) -> f32 {
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    if lo == f32::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_count_has_digits_and_words() {
        let f = forms(true);
        assert!(f.contains(&(12, "12".into())));
        assert!(f.contains(&(12, "Douze".into())));
        assert!(f.contains(&(21, "Vingt et un".into())));
        assert!(f.contains(&(1, "Une".into())));
        assert!(forms(false).contains(&(16, "seize".into())));
        assert!((log_add(0.0, 0.0) - 2f32.ln()).abs() < 1e-6);
        assert_eq!(log_add(f32::NEG_INFINITY, -3.0), -3.0);
    }
}
