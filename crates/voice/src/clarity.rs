//! How surely Whisper wrote each duration: the least probability the
//! decoder gave a token of the field's spans. A duration whose digits
//! Whisper hesitated over (« 3 minutes » written « 30 minutes ») is shown
//! « À vérifier » rather than as understood. The round count is heard
//! again instead (`count.rs`).

use speechtimer_core::values::Quantity;
use speechtimer_nlu::{Parsed, Trust};

/// Below this probability a duration's token is not trusted. On the
/// committed fixtures every right duration scored at least 0.43 (word
/// numbers such as « trois » score lower than digits).
pub const UNCLEAR: f32 = 0.4;

/// The least probability of the tokens under the spans of `q`, if any.
pub fn field_prob(parsed: &Parsed, tokens: &[(usize, usize, f32)], q: Quantity) -> Option<f32> {
    parsed
        .entities
        .iter()
        .filter(|e| e.label.quantity() == q)
        .filter_map(|e| span_prob(tokens, e.start, e.end))
        .reduce(f32::min)
}

/// The least probability of the tokens over code points `start..end`.
pub fn span_prob(tokens: &[(usize, usize, f32)], start: usize, end: usize) -> Option<f32> {
    tokens
        .iter()
        .filter(|&&(s, t, _)| s < end && t > start)
        .map(|&(_, _, p)| p)
        .reduce(f32::min)
}

/// How surely Whisper wrote work and rest, read on the first transcript
/// (before a count heard again changes the text under the spans).
pub fn duration_probs(parsed: &Parsed, tokens: &[(usize, usize, f32)]) -> Vec<(Quantity, f32)> {
    [Quantity::Work, Quantity::Rest]
        .into_iter()
        .filter_map(|q| field_prob(parsed, tokens, q).map(|p| (q, p)))
        .collect()
}

/// Marks the fields of `probs` `Unclear` where Whisper was unsure of
/// their words (only fields otherwise trusted: another doubt says more).
pub fn flag_unclear(parsed: &mut Parsed, probs: &[(Quantity, f32)]) {
    for &(q, p) in probs {
        tracing::debug!("clarity {q:?} {p:.3} « {} »", parsed.text);
        let text = spans_text(parsed, q);
        let trust = parsed.trust.field_mut(q);
        if *trust == Trust::Heard && p < UNCLEAR {
            *trust = Trust::Unclear {
                text,
                p: (p * 100.0).round() / 100.0,
            };
        }
    }
}

fn spans_text(parsed: &Parsed, q: Quantity) -> String {
    parsed
        .entities
        .iter()
        .filter(|e| e.label.quantity() == q)
        .map(|e| e.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::Label;
    use speechtimer_nlu::parsed_from_spans;

    fn parsed(text: &str, spans: &[(&str, Label)]) -> Parsed {
        let spans: Vec<_> = spans.iter().map(|&(t, l)| (t, l, 0.99)).collect();
        parsed_from_spans(text, &spans)
    }

    #[test]
    fn a_duration_whisper_hesitated_over_is_unclear() {
        // "6 séries de 30 minutes, repos 2 minutes."
        let mut p = parsed(
            "6 séries de 30 minutes, repos 2 minutes.",
            &[
                ("6", Label::NbRounds),
                ("30", Label::DurationWtMin),
                ("2", Label::DurationBrMin),
            ],
        );
        let tokens = [
            (0, 1, 0.9),
            (2, 8, 0.95),
            (9, 11, 0.97),
            (12, 14, 0.31),
            (15, 22, 0.99),
            (24, 29, 0.9),
            (30, 31, 0.8),
        ];
        assert_eq!(field_prob(&p, &tokens, Quantity::Work), Some(0.31));
        assert_eq!(field_prob(&p, &tokens, Quantity::Rest), Some(0.8));
        let probs = duration_probs(&p, &tokens);
        assert_eq!(probs, [(Quantity::Work, 0.31), (Quantity::Rest, 0.8)]);
        flag_unclear(&mut p, &probs);
        assert_eq!(
            p.trust.work,
            Trust::Unclear {
                text: "30".into(),
                p: 0.31
            }
        );
        assert_eq!(p.trust.rest, Trust::Heard);
        assert!(p.trust.is_uncertain());
        // no token under a span (or no span) says nothing
        assert_eq!(field_prob(&p, &[], Quantity::Work), None);
    }
}
