//! Writing a number the way a person says it or an ASR writes it: digits,
//! French words in three hyphenation styles, decimals, sound-alikes.

use rand::Rng;
use speechtimer_core::values::sound_alikes_of;
pub use speechtimer_core::values::{WordStyle, int_to_words};

/// How one utterance writes its numbers.
#[derive(Debug, Clone, Copy)]
pub(super) struct NumberWriter {
    /// Chance that a number is written in words rather than digits.
    pub words: f64,
    pub style: WordStyle,
    /// Chance that a number in words is replaced by a sound-alike.
    pub sound_alike: f64,
    /// Decimal comma (`1,5`) rather than point.
    pub comma: bool,
}

/// With chance `p`, one of the sound-alikes of `n` (`cette` for 7), when
/// it has any.
pub(super) fn sound_alike_for<R: Rng>(rng: &mut R, n: u32, p: f64) -> Option<&'static str> {
    let alikes = sound_alikes_of(n);
    if !alikes.is_empty() && rng.random_bool(p) {
        Some(alikes[rng.random_range(0..alikes.len())])
    } else {
        None
    }
}

impl NumberWriter {
    pub(super) fn sample<R: Rng>(rng: &mut R) -> Self {
        let words = match rng.random_range(0..100) {
            0..45 => 0.0,
            45..60 => 0.15,
            60..75 => 0.5,
            _ => 1.0,
        };
        let style = match rng.random_range(0..10) {
            0..6 => WordStyle::Traditional,
            6..8 => WordStyle::Spaces,
            _ => WordStyle::Hyphens,
        };
        Self {
            words,
            style,
            sound_alike: if rng.random_bool(0.15) { 0.6 } else { 0.0 },
            comma: rng.random_bool(0.7),
        }
    }

    /// `n` as digits or words; `feminine` for `une minute`, `une série`.
    pub(super) fn int<R: Rng>(&self, rng: &mut R, n: u32, feminine: bool) -> String {
        // one is nearly always said as a word
        let words = if n == 1 { 0.75 } else { self.words };
        if rng.random_bool(words.clamp(0.0, 1.0)) {
            if let Some(alike) = sound_alike_for(rng, n, self.sound_alike) {
                return alike.to_string();
            }
            int_to_words(n, feminine, self.style)
        } else {
            n.to_string()
        }
    }

    /// Always digits (glued forms such as `1h30`, `2'30`).
    pub(super) fn digits(&self, n: u32) -> String {
        n.to_string()
    }

    /// `1,5` / `1.5` for a whole part and a tenth digit.
    pub(super) fn decimal(&self, whole: u32, tenths: u32) -> String {
        let sep = if self.comma { ',' } else { '.' };
        format!("{whole}{sep}{tenths}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::parse_number;

    #[test]
    fn known_spellings() {
        let t = WordStyle::Traditional;
        assert_eq!(int_to_words(21, false, t), "vingt et un");
        assert_eq!(int_to_words(21, true, t), "vingt et une");
        assert_eq!(int_to_words(71, false, t), "soixante et onze");
        assert_eq!(int_to_words(80, false, t), "quatre-vingts");
        assert_eq!(int_to_words(99, false, t), "quatre-vingt-dix-neuf");
        assert_eq!(int_to_words(200, false, t), "deux cents");
        assert_eq!(int_to_words(250, false, t), "deux cent cinquante");
        assert_eq!(int_to_words(1080, false, t), "mille quatre-vingts");
        assert_eq!(int_to_words(21, false, WordStyle::Hyphens), "vingt-et-un");
        assert_eq!(
            int_to_words(92, false, WordStyle::Spaces),
            "quatre vingt douze"
        );
    }

    #[test]
    fn every_spelling_reads_back() {
        for style in [
            WordStyle::Traditional,
            WordStyle::Hyphens,
            WordStyle::Spaces,
        ] {
            for n in 0..=9_999 {
                for fem in [false, true] {
                    let w = int_to_words(n, fem, style);
                    assert_eq!(parse_number(&w), Ok(f64::from(n)), "{w}");
                }
            }
        }
        for n in [5, 6, 7, 10, 12, 20, 100] {
            for w in sound_alikes_of(n) {
                assert_eq!(parse_number(w), Ok(f64::from(n)), "{w}");
            }
        }
    }
}
