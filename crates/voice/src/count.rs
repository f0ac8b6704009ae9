//! The round count, heard again. The count that opens a command is the
//! word Whisper most often gets wrong (« douze » -> « Douce », « dix » ->
//! « D'y »), and the language model fused into the decoder knows that a
//! count goes there but not which one (it can pull « Douze » to « Dix »).
//! So wherever the tagger reads a count, or finds a round noun with no
//! readable count before it, every count from 1 to 99 (digits and words)
//! is scored in that slot by Whisper's own decoder over the same audio,
//! without the language model, and the best is taken when it leads
//! clearly.

use speechtimer_asr::{AsrError, Decoded};
use speechtimer_core::values::{
    WordStyle, int_to_words, kept_count, parse_number, sound_alike, strip_accents,
};
use speechtimer_nlu::trust::LOW_SCORE;
use speechtimer_nlu::{Nlu, NluError, Parsed, Trust};

/// Counts tried in the slot.
pub const MAX_COUNT: u32 = 99;
/// Lead (natural log) of the best count over the next one for the choice
/// to be trusted.
pub const CLEAR_MARGIN: f32 = 2.0;

/// Nouns that say "rounds".
const ROUND_NOUNS: &[&str] = &[
    "series",
    "serie",
    "tours",
    "tour",
    "rounds",
    "round",
    "fois",
    "repetitions",
    "repetition",
    "blocs",
    "bloc",
    "intervalles",
    "intervalle",
    "sprints",
    "sprint",
    "circuits",
    "circuit",
    "cycles",
    "cycle",
    "manches",
    "manche",
    "sets",
];

/// Little words that stand between a count and its noun's place without
/// being a misheard count (« des séries », « en séries »).
const NOT_A_COUNT: &[&str] = &[
    "de", "des", "les", "la", "le", "en", "et", "a", "x", "par", "pour",
];

/// Where the count is, or should be, in the transcript (code points).
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// First code point of the slot.
    pub start: usize,
    /// One past its last code point; equal to `start` when no count was
    /// written (the slot is where one goes).
    pub end: usize,
    /// What Whisper wrote there (empty: nothing, the noun came first).
    pub heard: String,
    /// The count the tagger read there, when it is a plain number (not a
    /// sound-alike, and tagged with confidence).
    pub plain: Option<u32>,
}

/// The count chosen in the slot.
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

/// Where the round count is, or should be: the kept count span, or the
/// word before a round noun that no count precedes.
pub fn count_slot(parsed: &Parsed) -> Option<Slot> {
    let chars: Vec<char> = parsed.text.chars().collect();
    let words = words(&chars);
    if let Some(c) = kept_count(&parsed.entities) {
        let doubtful = sound_alike(&c.text).is_some()
            || parse_number(&c.text).is_err()
            || c.score.is_some_and(|s| s < LOW_SCORE);
        let plain = parse_number(&c.text)
            .ok()
            .filter(|v| !doubtful && v.fract() == 0.0 && (1.0..=f64::from(MAX_COUNT)).contains(v))
            .map(|v| v as u32);
        // a count past what is tried (« 150 fois ») is left as read
        if !doubtful && plain.is_none() {
            return None;
        }
        // the whole words the span touches (« C'est » for a span « est »)
        let start = words
            .iter()
            .find(|&&(s, e)| s <= c.start && c.start < e)
            .map_or(c.start, |w| w.0);
        let end = words
            .iter()
            .find(|&&(s, e)| s < c.end && c.end <= e)
            .map_or(c.end, |w| w.1);
        return Some(Slot {
            start,
            end,
            heard: chars[start..end].iter().collect(),
            plain,
        });
    }
    let noun = words
        .iter()
        .position(|&(s, e)| ROUND_NOUNS.contains(&fold(&chars[s..e]).as_str()))?;
    let (noun_start, _) = words[noun];
    // the word before the noun is the misheard count, unless it is a
    // little word (then the count was not written at all)
    match noun.checked_sub(1).map(|i| words[i]) {
        Some((s, e)) if !NOT_A_COUNT.contains(&fold(&chars[s..e]).as_str()) => {
            let heard: String = chars[s..e].iter().collect();
            // a plain number there is a count the tagger chose not to take
            let doubtful = parse_number(&heard).is_err() || sound_alike(&heard).is_some();
            doubtful.then_some(Slot {
                start: s,
                end: e,
                heard,
                plain: None,
            })
        }
        _ => Some(Slot {
            start: noun_start,
            end: noun_start,
            heard: String::new(),
            plain: None,
        }),
    }
}

/// Words as (start, end) code-point ranges; an apostrophe stays inside
/// (« D'y »).
fn words(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &c) in chars.iter().enumerate() {
        let inside = c.is_alphanumeric() || c == '\'' || c == '’' || c == '-';
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, chars.len()));
    }
    out
}

fn fold(chars: &[char]) -> String {
    strip_accents(&chars.iter().collect::<String>().to_lowercase())
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

/// The parse with the count chosen by Whisper's decoder; `None` keeps the
/// tagger's reading. A plain count the decoder confirms stays as it is; one
/// it clearly hears as another is replaced; an unclear disagreement is
/// flagged. A missing or unreadable count takes the decoder's choice,
/// flagged unless clear; a sound-alike the decoder is unsure about keeps
/// its reading (already flagged).
pub fn hear_again(
    nlu: &Nlu,
    decoded: &mut Decoded,
    parsed: &Parsed,
    slot: &Slot,
) -> Result<Option<Parsed>, String> {
    let Some(choice) = rescore(decoded, &parsed.text, slot).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let tagger_reads =
        || kept_count(&parsed.entities).is_some_and(|c| parse_number(&c.text).is_ok());
    match slot.plain {
        Some(v) if v == choice.value => Ok(None),
        Some(_) if !choice.clear => {
            let mut flagged = parsed.clone();
            flagged.trust.rounds = rescored(slot, &choice);
            Ok(Some(flagged))
        }
        None if !choice.clear && tagger_reads() => Ok(None),
        _ => apply(nlu, parsed, slot, &choice).map_err(|e| e.to_string()),
    }
}

/// The lead written when no other count could be scored (an infinite lead,
/// which JSON cannot carry).
const NO_RIVAL_MARGIN: f32 = 99.0;

fn rescored(slot: &Slot, choice: &Choice) -> Trust {
    Trust::Rescored {
        heard: slot.heard.clone(),
        value: choice.value,
        margin: (choice.margin.min(NO_RIVAL_MARGIN) * 100.0).round() / 100.0,
        clear: choice.clear,
    }
}

/// The transcript with `choice` written in the slot, tagged again, the
/// count's trust saying it was heard again. `None` when the tagger does
/// not read the new count (the old reading stands).
pub fn apply(
    nlu: &Nlu,
    parsed: &Parsed,
    slot: &Slot,
    choice: &Choice,
) -> Result<Option<Parsed>, NluError> {
    let chars: Vec<char> = parsed.text.chars().collect();
    let before: String = chars[..slot.start].iter().collect();
    let after: String = chars[slot.end..].iter().collect();
    let text = if slot.start == slot.end {
        format!("{before}{} {after}", choice.value)
    } else {
        format!("{before}{}{after}", choice.value)
    };
    let mut again = nlu.parse(&text)?;
    let read = again.plan.as_ref().ok().map(|p| p.rounds);
    if read != Some(choice.value) {
        return Ok(None);
    }
    again.trust.rounds = rescored(slot, choice);
    again.notes.push(if slot.heard.is_empty() {
        format!("nombre de séries réentendu : {}", choice.value)
    } else {
        format!("« {} » réentendu comme {}", slot.heard, choice.value)
    });
    Ok(Some(again))
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::Label;
    use speechtimer_nlu::parsed_from_spans as parsed;

    #[test]
    fn a_sound_alike_count_is_the_slot() {
        let p = parsed(
            "Cesse série de 12 secondes.",
            &[
                ("Cesse", Label::NbRounds, 0.9),
                ("12", Label::DurationWtSd, 0.99),
            ],
        );
        assert_eq!(
            count_slot(&p),
            Some(Slot {
                start: 0,
                end: 5,
                heard: "Cesse".into(),
                plain: None,
            })
        );
    }

    #[test]
    fn an_untagged_word_before_the_noun_is_the_slot() {
        let p = parsed(
            "D'au série de 2 minutes, 30 secondes entre chaque série.",
            &[
                ("2", Label::DurationWtMin, 0.99),
                ("30", Label::DurationBrSd, 0.99),
            ],
        );
        assert_eq!(
            count_slot(&p),
            Some(Slot {
                start: 0,
                end: 4,
                heard: "D'au".into(),
                plain: None,
            })
        );
        // the noun first: the count was not written at all
        let p = parsed(
            "Séries de 45 secondes.",
            &[("45", Label::DurationWtSd, 0.99)],
        );
        assert_eq!(
            count_slot(&p),
            Some(Slot {
                start: 0,
                end: 0,
                heard: String::new(),
                plain: None,
            })
        );
        let p = parsed(
            "Fais des séries de 45 secondes.",
            &[("45", Label::DurationWtSd, 0.99)],
        );
        assert_eq!(count_slot(&p).unwrap().heard, "");
    }

    #[test]
    fn the_slot_is_the_whole_word_and_an_untagged_sound_alike_counts() {
        let p = parsed(
            "C'est série de 12 secondes.",
            &[
                ("est", Label::NbRounds, 0.7),
                ("12", Label::DurationWtSd, 0.99),
            ],
        );
        assert_eq!(count_slot(&p).unwrap().heard, "C'est");
        let p = parsed(
            "Cette série de 50 secondes.",
            &[("50", Label::DurationWtSd, 0.99)],
        );
        assert_eq!(count_slot(&p).unwrap().heard, "Cette");
    }

    #[test]
    fn a_plain_count_is_a_slot_too_and_no_round_noun_is_none() {
        let p = parsed(
            "12 séries de 2 minutes.",
            &[
                ("12", Label::NbRounds, 0.99),
                ("2", Label::DurationWtMin, 0.99),
            ],
        );
        assert_eq!(count_slot(&p).unwrap().plain, Some(12));
        let p = parsed(
            "150 fois 10 secondes.",
            &[
                ("150", Label::NbRounds, 0.99),
                ("10", Label::DurationWtSd, 0.99),
            ],
        );
        assert_eq!(count_slot(&p), None);
        let p = parsed("Gainage 45 secondes.", &[("45", Label::DurationWtSd, 0.99)]);
        assert_eq!(count_slot(&p), None);
    }

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
