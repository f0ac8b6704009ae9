//! Writing a number the way a person says it or an ASR writes it: digits,
//! French words in three hyphenation styles, decimals, sound-alikes.

use crate::values::sound_alikes_of;
use rand::Rng;

/// How the words of a compound number are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordStyle {
    /// `vingt et un`, `quatre-vingt-dix`, `deux cent cinquante`.
    Traditional,
    /// Every join a hyphen (1990 spelling): `vingt-et-un`, `deux-cent-cinquante`.
    Hyphens,
    /// Every join a space, as ASRs often write: `quatre vingt dix`.
    Spaces,
}

const UNITS: [&str; 17] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize",
];

/// `n` (0 to 9 999) in French words; `feminine` gives `une` for a final one.
/// Traditional spelling uses `-` inside tens and spaces elsewhere.
pub fn int_to_words(n: u32, feminine: bool, style: WordStyle) -> String {
    let n = n.min(9_999);
    let mut s = if n == 0 {
        "zéro".to_string()
    } else {
        let (thousands, rest) = (n / 1000, n % 1000);
        let mut parts = Vec::new();
        match thousands {
            0 => {}
            1 => parts.push("mille".to_string()),
            t => parts.push(format!("{} mille", below_1000(t, false))),
        }
        if rest > 0 {
            parts.push(below_1000(rest, true));
        }
        parts.join(" ")
    };
    if feminine && (s == "un" || s.ends_with(" un") || s.ends_with("-un")) {
        s.push('e');
    }
    match style {
        WordStyle::Traditional => s,
        WordStyle::Hyphens => s.replace(' ', "-"),
        WordStyle::Spaces => s.replace('-', " "),
    }
}

fn below_1000(n: u32, last: bool) -> String {
    let (h, r) = (n / 100, n % 100);
    let mut parts = Vec::new();
    match h {
        0 => {}
        1 => parts.push("cent".to_string()),
        h if r == 0 && last => parts.push(format!("{} cents", UNITS[h as usize])),
        h => parts.push(format!("{} cent", UNITS[h as usize])),
    }
    if r > 0 {
        parts.push(below_100(r, last && h == 0));
    }
    parts.join(" ")
}

fn below_100(n: u32, last: bool) -> String {
    if n < 17 {
        return UNITS[n as usize].to_string();
    }
    if n < 20 {
        return format!("dix-{}", UNITS[(n - 10) as usize]);
    }
    let (t, u) = (n / 10, n % 10);
    match t {
        2..=6 => {
            let base = [
                "",
                "",
                "vingt",
                "trente",
                "quarante",
                "cinquante",
                "soixante",
            ][t as usize];
            match u {
                0 => base.to_string(),
                1 => format!("{base} et un"),
                u => format!("{base}-{}", UNITS[u as usize]),
            }
        }
        7 if u == 1 => "soixante et onze".to_string(),
        7 => format!("soixante-{}", below_100(10 + u, false)),
        8 if u == 0 => if last {
            "quatre-vingts"
        } else {
            "quatre-vingt"
        }
        .to_string(),
        8 => format!("quatre-vingt-{}", UNITS[u as usize]),
        _ => format!("quatre-vingt-{}", below_100(10 + u, false)),
    }
}

/// How one utterance writes its numbers.
#[derive(Debug, Clone, Copy)]
pub struct NumberWriter {
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
pub fn sound_alike_for<R: Rng>(rng: &mut R, n: u32, p: f64) -> Option<&'static str> {
    let alikes = sound_alikes_of(n);
    if !alikes.is_empty() && rng.random_bool(p) {
        Some(alikes[rng.random_range(0..alikes.len())])
    } else {
        None
    }
}

impl NumberWriter {
    pub fn sample<R: Rng>(rng: &mut R) -> Self {
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
    pub fn int<R: Rng>(&self, rng: &mut R, n: u32, feminine: bool) -> String {
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
    pub fn digits(&self, n: u32) -> String {
        n.to_string()
    }

    /// `1,5` / `1.5` for a whole part and a tenth digit.
    pub fn decimal(&self, whole: u32, tenths: u32) -> String {
        let sep = if self.comma { ',' } else { '.' };
        format!("{whole}{sep}{tenths}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::parse_number;

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
