//! Every number but the round count, heard again (the count has its own,
//! wider search in `count.rs`). The numbers Whisper confuses sound alike:
//! « trois » / « treize » / « trente », « deux » / « douze » / « vingt »,
//! « six » / « dix » / « seize », « un » / « huit ». For each number the
//! tagger read in a duration, a set count or a repetition count, its
//! confusable values are scored in place by Whisper's decoder over the
//! same audio (digits and words, the unit after it as context); a rival
//! that leads clearly replaces it, one that is close flags the field.

use super::count::{CLEAR_MARGIN, log_add};
use speechtimer_asr::{AsrError, Decoded};
use speechtimer_core::values::{Label, Quantity, WordStyle, int_to_words, parse_number};
use speechtimer_nlu::Parsed;

/// A number Whisper wrote with every token at least this probable is not
/// heard again (the rest cost about 0.1 s each).
pub const SURE_TOKEN: f32 = 0.9;

/// The values Whisper confuses with `v` (not `v` itself).
pub fn confusable(v: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let root = match v {
        1..=9 => Some(v),
        11..=19 => Some(v - 10),
        20..=90 if v.is_multiple_of(10) => Some(v / 10),
        _ => None,
    };
    if let Some(d) = root {
        out.extend([d, 10 + d, 10 * d]);
    }
    // « six » / « dix » / « seize », « un » / « huit »
    for group in [&[6u32, 10, 16][..], &[1, 8]] {
        if group.contains(&v) {
            out.extend_from_slice(group);
        }
    }
    out.sort_unstable();
    out.dedup();
    out.retain(|&x| x != v);
    out
}

/// A number heard again: where it is, what was read, what the decoder
/// prefers and by how much.
#[derive(Debug, Clone, PartialEq)]
pub struct Reheard {
    /// The field the number belongs to.
    pub quantity: Quantity,
    /// Code points of the number in the transcript.
    pub start: usize,
    /// One past its end.
    pub end: usize,
    /// The value read.
    pub read: u32,
    /// The value the decoder prefers.
    pub best: u32,
    /// Its log-probability lead over the next value.
    pub margin: f32,
}

impl Reheard {
    /// The decoder clearly hears another value: it replaces the one read.
    pub fn replaces(&self) -> bool {
        self.best != self.read && self.margin >= CLEAR_MARGIN
    }

    /// The decoder leans to another value without a clear lead: the
    /// field is to check.
    pub fn doubts(&self) -> bool {
        self.best != self.read && self.margin < CLEAR_MARGIN
    }
}

/// The numbers of `parsed` worth hearing again: every entity but the round
/// count that reads as a whole number with confusable values.
fn slots(parsed: &Parsed) -> Vec<(Quantity, usize, usize, u32)> {
    parsed
        .entities
        .iter()
        .filter(|e| e.label != Label::NbRounds)
        .filter_map(|e| {
            let v = parse_number(&e.text).ok()?;
            let v = (v.fract() == 0.0 && (1.0..=99.0).contains(&v)).then_some(v as u32)?;
            (!confusable(v).is_empty()).then_some((e.label.quantity(), e.start, e.end, v))
        })
        .collect()
}

/// Scores each number of `parsed` for which `doubtful(start, end)` holds
/// against its confusable values.
pub fn hear_numbers(
    decoded: &mut Decoded,
    parsed: &Parsed,
    doubtful: impl Fn(usize, usize) -> bool,
) -> Result<Vec<Reheard>, AsrError> {
    let chars: Vec<char> = parsed.text.chars().collect();
    let mut out = Vec::new();
    for (quantity, start, end, read) in slots(parsed) {
        if !doubtful(start, end) {
            continue;
        }
        let before: String = chars[..start].iter().collect();
        // the word after the number (its unit) tells the decoder what follows
        let rest: String = chars[end..].iter().collect();
        let after: String = {
            let trimmed = rest.trim_start();
            let lead = rest.len() - trimmed.len();
            let word_end = trimmed
                .find(|c: char| !c.is_alphanumeric())
                .unwrap_or(trimmed.len());
            rest[..lead + word_end].to_string()
        };
        let at_start = before.trim().is_empty();
        let mut values = vec![read];
        values.extend(confusable(read));
        let mut forms: Vec<(u32, String)> = Vec::new();
        for &v in &values {
            forms.push((v, v.to_string()));
            let w = int_to_words(v, false, WordStyle::Traditional);
            forms.push((v, if at_start { capitalise(&w) } else { w }));
            if v == 1 {
                forms.push((v, "une".into()));
            }
        }
        let texts: Vec<String> = forms.iter().map(|(_, t)| t.clone()).collect();
        let scores = decoded.score_slot(&before, &texts, &after)?;
        let mut by_value: Vec<(u32, f32)> =
            values.iter().map(|&v| (v, f32::NEG_INFINITY)).collect();
        for ((v, _), &s) in forms.iter().zip(&scores) {
            if let Some(slot) = by_value.iter_mut().find(|(x, _)| x == v) {
                slot.1 = log_add(slot.1, s);
            }
        }
        by_value.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (best, top) = by_value[0];
        if !top.is_finite() {
            continue;
        }
        let next = by_value.get(1).map_or(f32::NEG_INFINITY, |r| r.1);
        let margin = if next.is_finite() {
            top - next
        } else {
            f32::INFINITY
        };
        tracing::debug!("number {read} at {start} heard again: {by_value:?}");
        out.push(Reheard {
            quantity,
            start,
            end,
            read,
            best,
            margin,
        });
    }
    Ok(out)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The transcript with the clearly reheard numbers written in their place
/// (`None` when none is replaced).
pub fn rewrite(text: &str, reheard: &[Reheard]) -> Option<String> {
    let mut chars: Vec<char> = text.chars().collect();
    let mut changed = false;
    let mut sorted: Vec<&Reheard> = reheard.iter().filter(|r| r.replaces()).collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.start));
    for r in sorted {
        chars.splice(r.start..r.end, r.best.to_string().chars());
        changed = true;
    }
    changed.then(|| chars.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusable_values_sound_alike() {
        assert_eq!(confusable(3), [13, 30]);
        assert_eq!(confusable(30), [3, 13]);
        assert_eq!(confusable(12), [2, 20]);
        assert_eq!(confusable(6), [10, 16, 60]);
        assert_eq!(confusable(1), [8, 10, 11]);
        assert_eq!(confusable(45), Vec::<u32>::new());
    }

    #[test]
    fn only_clear_leads_rewrite() {
        let r = |start, end, read, best, margin| Reheard {
            quantity: Quantity::Work,
            start,
            end,
            read,
            best,
            margin,
        };
        let text = "6 séries de 30 minutes, repos 2 minutes.";
        let clear = r(12, 14, 30, 3, 4.0);
        let close = r(30, 31, 2, 12, 0.5);
        assert!(clear.replaces() && !clear.doubts());
        assert!(close.doubts() && !close.replaces());
        assert_eq!(
            rewrite(text, &[clear, close.clone()]).as_deref(),
            Some("6 séries de 3 minutes, repos 2 minutes.")
        );
        assert_eq!(rewrite(text, &[close]), None);
    }
}
