//! Where the numbers are in what Whisper wrote: the slots heard again
//! (`hear.rs`: decode -> read -> slots heard again -> the clear choices
//! written in -> tagged -> trust). The tagger's reading of Whisper's words
//! says where they are: the round count (or, when none is read, the word
//! before a round noun, or the place where a count goes: « Douce séries »,
//! « Séries de 45 secondes ») is heard again against every count 1-99
//! (`count.rs`); every other whole number it reads (work, rest, sets,
//! preparation, warm-up, cool-down, repetitions) against the values that
//! sound like it (`rehear.rs`).

use crate::count::MAX_COUNT;
use speechtimer_core::values::{Label, kept_count, parse_number, sound_alike, strip_accents};
use speechtimer_nlu::Parsed;
use speechtimer_nlu::trust::LOW_SCORE;

/// Nouns that say "rounds" (or sets of them).
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
/// being a misheard count (« des séries », « entre chaque série »).
const NOT_A_COUNT: &[&str] = &[
    "de", "des", "les", "la", "le", "en", "et", "a", "x", "par", "pour",
];

/// What kind of number a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The round count (or where one is missing): heard again against
    /// every count.
    Count,
    /// Any other whole number: heard again against its sound-alikes.
    Number,
}

/// A place in the transcript where a number is, or should be.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// First code point of the slot.
    pub start: usize,
    /// One past its last code point; equal to `start` when no count was
    /// written (the slot is where one goes).
    pub end: usize,
    /// What Whisper wrote there (empty: nothing).
    pub heard: String,
    /// The whole number read there, when it is read plainly (for the
    /// count: not a sound-alike, and tagged with confidence).
    pub read: Option<u32>,
    /// Count or other number.
    pub kind: Kind,
}

/// Words as (start, end) code-point ranges; an apostrophe or a hyphen
/// stays inside (« D'y », « vingt-deux »).
pub fn words(chars: &[char]) -> Vec<(usize, usize)> {
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

/// A word lower-cased, without accents.
fn fold(chars: &[char]) -> String {
    strip_accents(&chars.iter().collect::<String>().to_lowercase())
}

/// The whole number 1-[`MAX_COUNT`] that `text` reads as, if any (the
/// values heard again).
fn whole(text: &str) -> Option<u32> {
    let v = parse_number(text).ok()?;
    (v.fract() == 0.0 && (1.0..=f64::from(MAX_COUNT)).contains(&v)).then_some(v as u32)
}

/// The slots of `parsed` (Whisper's text as the tagger read it): the
/// count's, then the other numbers', in the order of the text.
pub fn find(parsed: &Parsed) -> Vec<Slot> {
    let mut out: Vec<Slot> = count_slot(parsed).into_iter().collect();
    out.extend(
        parsed
            .entities
            .iter()
            .filter(|e| e.label != Label::NbRounds)
            .filter_map(|e| {
                Some(Slot {
                    start: e.start,
                    end: e.end,
                    heard: e.text.clone(),
                    read: Some(whole(&e.text)?),
                    kind: Kind::Number,
                })
            }),
    );
    out.sort_by_key(|s| s.start);
    out
}

/// Where the round count is, or should be: the kept count span (its
/// whole words), or the word before a round noun that no count precedes.
pub fn count_slot(parsed: &Parsed) -> Option<Slot> {
    let chars: Vec<char> = parsed.text.chars().collect();
    let words = words(&chars);
    let slot = |start: usize, end: usize, read: Option<u32>| Slot {
        start,
        end,
        heard: chars[start..end].iter().collect(),
        read,
        kind: Kind::Count,
    };
    if let Some(c) = kept_count(&parsed.entities) {
        let doubtful = sound_alike(&c.text).is_some()
            || parse_number(&c.text).is_err()
            || c.score.is_some_and(|s| s < LOW_SCORE);
        let plain = whole(&c.text).filter(|_| !doubtful);
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
        return Some(slot(start, end, plain));
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
            doubtful.then(|| slot(s, e, None))
        }
        _ => Some(slot(noun_start, noun_start, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_nlu::parsed_from_spans as parsed;

    fn heard(slot: Option<Slot>) -> Option<(usize, usize, String, Option<u32>)> {
        slot.map(|s| (s.start, s.end, s.heard, s.read))
    }

    #[test]
    fn a_sound_alike_count_is_the_slot() {
        let p = parsed(
            "Cesse série de 12 secondes.",
            &[
                ("Cesse", Label::NbRounds, 0.9),
                ("12", Label::DurationWtSd, 0.99),
            ],
        );
        assert_eq!(heard(count_slot(&p)), Some((0, 5, "Cesse".into(), None)));
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
        assert_eq!(heard(count_slot(&p)), Some((0, 4, "D'au".into(), None)));
        // the noun first: the count was not written at all
        let p = parsed(
            "Séries de 45 secondes.",
            &[("45", Label::DurationWtSd, 0.99)],
        );
        assert_eq!(heard(count_slot(&p)), Some((0, 0, String::new(), None)));
        let p = parsed(
            "Fais des séries de 45 secondes.",
            &[("45", Label::DurationWtSd, 0.99)],
        );
        assert_eq!(heard(count_slot(&p)), Some((9, 9, String::new(), None)));
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
    fn every_number_read_is_a_slot_in_order() {
        let p = parsed(
            "12 séries de 2 minutes, une minute et demie de repos, 150 secondes.",
            &[
                ("12", Label::NbRounds, 0.99),
                ("2", Label::DurationWtMin, 0.99),
                ("une minute et demie", Label::DurationBrMin, 0.99),
                ("150", Label::DurationPrepSd, 0.99),
            ],
        );
        let found: Vec<_> = find(&p)
            .into_iter()
            .map(|s| (s.heard, s.read, s.kind))
            .collect();
        // a fraction and a number past 99 are not heard again
        assert_eq!(
            found,
            [
                ("12".to_string(), Some(12), Kind::Count),
                ("2".to_string(), Some(2), Kind::Number),
            ]
        );
    }
}
