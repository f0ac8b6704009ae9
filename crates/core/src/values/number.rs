//! French spoken numbers: digits, decimals, number words, fractions of the
//! annotation guide and the sound-alikes an ASR writes in a number's place.
//!
//! Number words are read by `text2num`; this file adds what it lacks:
//! `un`/`une`, fractions (`et demie`, `trois quarts`...), decimals with a
//! comma, dropped accents and sound-alikes.

use text2num::{Language, text2digits};

/// Why an entity text is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// Nothing to read: the text is blank.
    #[error("aucun nombre à lire")]
    Empty,
    /// Not digits, number words, a fraction nor a known sound-alike; signed
    /// numbers are refused too (the text, trimmed).
    #[error("« {0} » n'est pas un nombre")]
    NotANumber(String),
}

/// Words an ASR writes for a number it misheard, and the number. A word here
/// is read as a number only when it is the whole entity text: the tagger has
/// already decided that it stands in a number's place. `et` (for `huit`) is
/// deliberately absent: it is the linking word of `vingt et un`.
const SOUND_ALIKES: &[(&str, u32)] = &[
    ("hein", 1),
    ("d'eux", 2),
    ("deu", 2),
    ("troie", 3),
    ("quatres", 4),
    ("sacs", 5),
    ("sac", 5),
    ("saint", 5),
    ("sain", 5),
    ("si", 6),
    ("scie", 6),
    ("ci", 6),
    ("sis", 6),
    ("sets", 7),
    ("set", 7),
    ("cette", 7),
    ("cet", 7),
    ("sète", 7),
    ("huis", 8),
    ("huitre", 8),
    ("neufs", 9),
    ("once", 11),
    ("douce", 12),
    ("très", 13),
    ("cesse", 16),
    ("d'y", 10),
    ("dis", 10),
    ("dit", 10),
    ("dies", 10),
    ("vin", 20),
    ("vins", 20),
    ("vain", 20),
    ("vint", 20),
    ("vingts", 20),
    ("trentes", 30),
    ("sans", 100),
    ("sang", 100),
    ("s'en", 100),
    ("sent", 100),
    ("cents", 100),
    ("mil", 1000),
    ("mile", 1000),
];

/// The number a sound-alike word stands for (`sets` -> 7, `sans` -> 100),
/// or `None` when `word` is not a known sound-alike. Accents do not count
/// (`tres` is `très`).
pub fn sound_alike(word: &str) -> Option<u32> {
    let w = strip_accents(&normalise(word));
    SOUND_ALIKES
        .iter()
        .find(|(s, _)| strip_accents(s) == w)
        .map(|&(_, n)| n)
}

/// The text without French accents (`récupération` -> `recuperation`),
/// case kept.
pub fn strip_accents(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' => 'E',
            'à' | 'â' | 'ä' => 'a',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

/// The sound-alikes of `n` (`sets`, `cette`... for 7), in table order.
pub fn sound_alikes_of(n: u32) -> Vec<&'static str> {
    SOUND_ALIKES
        .iter()
        .filter(|&&(_, v)| v == n)
        .map(|&(s, _)| s)
        .collect()
}

/// Reads the text of one entity as a number: `12`, `1,5`, `2.5`,
/// `vingt et un`, `quatre-vingt-dix-neuf`, `une`, `et demie` (0.5),
/// `moins le quart` (-0.25), `une demi` (0.5), `trois quarts` (0.75), or a
/// sound-alike such as `sets` (7).
pub fn parse_number(text: &str) -> Result<f64, NumberError> {
    let norm = normalise(text);
    if text.trim().starts_with(['-', '+']) && !norm.is_empty() {
        return Err(NumberError::NotANumber(text.trim().to_string()));
    }
    if norm.is_empty() {
        return Err(NumberError::Empty);
    }
    let not_a_number = || NumberError::NotANumber(text.trim().to_string());
    if let Some(v) = parse_decimal(&norm) {
        return Ok(v);
    }
    let words: Vec<&str> = norm.split(' ').collect();
    match words.as_slice() {
        ["et", "demi" | "demie"] => return Ok(0.5),
        ["et", "quart"] => return Ok(0.25),
        ["moins", "le", "quart"] | ["moins", "quart"] => return Ok(-0.25),
        [count @ .., last] => {
            let part = match *last {
                "demi" | "demie" | "demis" | "demies" => Some(0.5),
                "quart" | "quarts" => Some(0.25),
                _ => None,
            };
            if let Some(part) = part {
                let n = if count.is_empty() {
                    1.0
                } else {
                    parse_integer(&count.join(" ")).ok_or_else(not_a_number)?
                };
                return Ok(n * part);
            }
        }
        [] => return Err(NumberError::Empty),
    }
    if let Some(v) = parse_integer(&norm) {
        return Ok(v);
    }
    sound_alike(&norm).map(f64::from).ok_or_else(not_a_number)
}

/// Lowercase, typographic apostrophes made straight, hyphens and runs of
/// whitespace made single spaces, and the accent of `zéro` restored when an
/// ASR or a keyboard dropped it.
fn normalise(text: &str) -> String {
    let lower = text.trim().to_lowercase().replace(['’', 'ʼ'], "'");
    lower
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .map(|w| if w == "zero" { "zéro" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `12`, `1,5`, `2.5`, `.5` is refused: digits on both sides of one separator.
fn parse_decimal(s: &str) -> Option<f64> {
    let (int, frac) = match s.split_once([',', '.']) {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) {
        return None;
    }
    let v: f64 = match frac {
        Some(f) => format!("{int}.{f}").parse().ok()?,
        None => int.parse().ok()?,
    };
    v.is_finite().then_some(v)
}

/// Whole numbers in digits or French words (`un`, `une`, `vingt et un`,
/// `deux cent cinquante`, `neuf mille neuf cent quatre vingt dix neuf`).
fn parse_integer(s: &str) -> Option<f64> {
    if let Some(v) = parse_decimal(s) {
        return Some(v);
    }
    match s {
        "un" | "une" => return Some(1.0),
        "zéro" => return Some(0.0),
        _ => {}
    }
    // text2num wants a whole number phrase; it reads `et` only as a link.
    if s.split(' ').any(|w| !is_number_word(w)) {
        return None;
    }
    let digits = text2digits(s, &Language::french()).ok()?;
    parse_decimal(&digits)
}

fn is_number_word(w: &str) -> bool {
    matches!(
        w,
        "un" | "une"
            | "deux"
            | "trois"
            | "quatre"
            | "cinq"
            | "six"
            | "sept"
            | "huit"
            | "neuf"
            | "dix"
            | "onze"
            | "douze"
            | "treize"
            | "quatorze"
            | "quinze"
            | "seize"
            | "vingt"
            | "vingts"
            | "trente"
            | "quarante"
            | "cinquante"
            | "soixante"
            | "septante"
            | "octante"
            | "huitante"
            | "nonante"
            | "cent"
            | "cents"
            | "mille"
            | "et"
            | "zéro"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_guide_and_issue_forms() {
        let cases: &[(&str, f64)] = &[
            ("0", 0.0),
            ("12", 12.0),
            ("1,5", 1.5),
            ("2.5", 2.5),
            ("0,75", 0.75),
            ("zéro", 0.0),
            ("zero", 0.0),
            ("un", 1.0),
            ("une", 1.0),
            ("Une", 1.0),
            ("deux", 2.0),
            ("trois", 3.0),
            ("sept", 7.0),
            ("dix", 10.0),
            ("onze", 11.0),
            ("seize", 16.0),
            ("dix-sept", 17.0),
            ("dix sept", 17.0),
            ("dix-neuf", 19.0),
            ("vingt", 20.0),
            ("vingt et un", 21.0),
            ("vingt-et-un", 21.0),
            ("vingt-cinq", 25.0),
            ("vingt cinq", 25.0),
            ("trente", 30.0),
            ("trente et une", 31.0),
            ("quarante-cinq", 45.0),
            ("cinquante", 50.0),
            ("soixante", 60.0),
            ("soixante-dix", 70.0),
            ("soixante et onze", 71.0),
            ("soixante-quinze", 75.0),
            ("quatre-vingts", 80.0),
            ("quatre-vingt", 80.0),
            ("quatre-vingt-dix", 90.0),
            ("quatre vingt dix", 90.0),
            ("quatre-vingt-dix-neuf", 99.0),
            ("cent", 100.0),
            ("cent vingt", 120.0),
            ("deux cents", 200.0),
            ("deux cent cinquante", 250.0),
            ("trois cent soixante", 360.0),
            ("mille", 1000.0),
            ("deux mille", 2000.0),
            ("mille deux cents", 1200.0),
            ("neuf mille neuf cent quatre-vingt-dix-neuf", 9999.0),
            ("septante", 70.0),
            ("nonante", 90.0),
            ("et demi", 0.5),
            ("et demie", 0.5),
            ("Et Demie", 0.5),
            ("et quart", 0.25),
            ("moins le quart", -0.25),
            ("moins quart", -0.25),
            ("demi", 0.5),
            ("une demi", 0.5),
            ("un demi", 0.5),
            ("quart", 0.25),
            ("un quart", 0.25),
            ("trois quarts", 0.75),
            ("3 quarts", 0.75),
            ("sets", 7.0),
            ("cette", 7.0),
            ("sans", 100.0),
            ("vin", 20.0),
            ("sacs", 5.0),
            ("d'y", 10.0),
            ("d’y", 10.0),
            ("dis", 10.0),
            ("si", 6.0),
            ("scie", 6.0),
            ("  30  ", 30.0),
        ];
        for &(text, want) in cases {
            assert_eq!(parse_number(text), Ok(want), "{text:?}");
        }
        assert!(cases.len() >= 60);
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for bad in [
            "secondes",
            "et",
            "minutes 30",
            "vingt secondes",
            "sets de",
            "1,",
            ",5",
            "1,5,5",
            "12a",
            "-5",
            "99999999999",
            "un repos",
            "et trois",
            "moins",
            "huit et",
        ] {
            assert!(
                matches!(parse_number(bad), Err(NumberError::NotANumber(_))),
                "{bad:?} -> {:?}",
                parse_number(bad)
            );
        }
        assert_eq!(parse_number(""), Err(NumberError::Empty));
        assert_eq!(parse_number("  - "), Err(NumberError::Empty));
    }

    #[test]
    fn sound_alikes_only_as_whole_words() {
        assert_eq!(sound_alike("Sets"), Some(7));
        assert_eq!(sound_alike("sans"), Some(100));
        assert_eq!(sound_alike("et"), None);
        assert_eq!(sound_alike("sets sets"), None);
    }
}
