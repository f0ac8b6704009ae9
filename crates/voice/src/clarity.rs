//! How surely Whisper wrote each duration: the least probability the
//! decoder gave a token of the field's spans. A duration whose digits
//! Whisper hesitated over (« 3 minutes » written « 30 minutes ») is shown
//! « À vérifier » rather than as understood, unless hearing it again
//! already said something of it (`rehear.rs`).

use speechtimer_core::values::Quantity;
use speechtimer_nlu::{Parsed, Trust};

/// Below this probability a duration's token is not trusted. On the
/// committed fixtures every right duration scored at least 0.43 (word
/// numbers such as « trois » score lower than digits).
pub const UNCLEAR: f32 = 0.4;

/// The least probability of the tokens under the spans of `q`, if any.
/// `tokens` lie on Whisper's text, the spans on the text tagged:
/// `to_old` takes a code point of the second to the first.
pub fn field_prob(
    parsed: &Parsed,
    tokens: &[(usize, usize, f32)],
    q: Quantity,
    to_old: &impl Fn(usize) -> usize,
) -> Option<f32> {
    parsed
        .entities
        .iter()
        .filter(|e| e.label.quantity() == q)
        .filter_map(|e| {
            let start = to_old(e.start);
            let end = to_old(e.end.saturating_sub(1)) + 1;
            span_prob(tokens, start, end)
        })
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

/// How surely Whisper wrote work and rest (see [`field_prob`]).
pub fn duration_probs(
    parsed: &Parsed,
    tokens: &[(usize, usize, f32)],
    to_old: impl Fn(usize) -> usize,
) -> Vec<(Quantity, f32)> {
    [Quantity::Work, Quantity::Rest]
        .into_iter()
        .filter_map(|q| field_prob(parsed, tokens, q, &to_old).map(|p| (q, p)))
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
        let same = |p| p;
        assert_eq!(field_prob(&p, &tokens, Quantity::Work, &same), Some(0.31));
        assert_eq!(field_prob(&p, &tokens, Quantity::Rest, &same), Some(0.8));
        // spans on a text six code points longer than Whisper's
        let moved = |p: usize| p.saturating_sub(6);
        assert_eq!(field_prob(&p, &tokens, Quantity::Rest, &moved), Some(0.9));
        let probs = duration_probs(&p, &tokens, same);
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
        assert_eq!(field_prob(&p, &[], Quantity::Work, &same), None);
    }
}
