//! `Nlu::parse` on arbitrary Unicode: control characters, emoji, right-to-left
//! scripts, combining marks, digits and French number words mixed, and texts
//! longer than the tagger reads. It never panics, and every span it gives
//! lies inside the text and says the text it covers.

use proptest::prelude::*;
use speechtimer_nlu::Nlu;
use std::sync::OnceLock;

/// The embedded model, loaded once for every case of every test.
fn nlu() -> &'static Nlu {
    static NLU: OnceLock<Nlu> = OnceLock::new();
    NLU.get_or_init(|| Nlu::embedded().expect("the embedded model loads"))
}

/// Control and format characters: C0, DEL, C1, zero-width and bidi controls,
/// separators, the byte-order mark, the replacement character.
const CONTROLS: &[&str] = &[
    "\u{0}",
    "\u{1}",
    "\u{7}",
    "\u{8}",
    "\t",
    "\n",
    "\u{b}",
    "\u{c}",
    "\r",
    "\r\n",
    "\u{1b}",
    "\u{1f}",
    "\u{7f}",
    "\u{80}",
    "\u{85}",
    "\u{9f}",
    "\u{ad}",
    "\u{200b}",
    "\u{200c}",
    "\u{200d}",
    "\u{200e}",
    "\u{200f}",
    "\u{2028}",
    "\u{2029}",
    "\u{202a}",
    "\u{202e}",
    "\u{2066}",
    "\u{2069}",
    "\u{feff}",
    "\u{fffd}",
    "\u{fffe}",
    "\u{e000}",
    "\u{10ffff}",
];

/// Emoji, with joiners, variation selectors, skin tones, flags and keycaps.
const EMOJI: &[&str] = &[
    "👍",
    "👍🏽",
    "🏋️‍♀️",
    "👨‍👩‍👧‍👦",
    "🇫🇷",
    "1️⃣",
    "#️⃣",
    "🔟",
    "⏱️",
    "💪",
    "🔥",
    "❤️",
    "\u{fe0f}",
    "\u{20e3}",
    "🏳️‍🌈",
];

/// Right-to-left text and other scripts, with their own digits.
const SCRIPTS: &[&str] = &[
    "مرحبا",
    "ثلاثون ثانية",
    "٣٠",
    "۱۲",
    "שלום",
    "עשר דקות",
    "١٢ جولة",
    "русский",
    "二十秒",
    "한국어",
    "ไทย",
    "देवनागरी",
    "१२",
    "𝟏𝟐",
    "０１２",
];

/// Characters that normalisation (NFD, accent stripping, lowercasing)
/// expands, merges or removes.
const NORMALISED: &[&str] = &[
    "e\u{301}",
    "\u{301}",
    "\u{301}\u{301}\u{301}",
    "\u{345}",
    "é",
    "É",
    "ÉÉ",
    "İ",
    "ẞ",
    "ß",
    "Ǆ",
    "ǅ",
    "ΐ",
    "Å",
    "\u{212b}",
    "ﬁ",
    "ﷺ",
    "한",
    "Ω",
    "\u{1e9b}\u{323}",
    "ŉ",
    "ǰ",
];

/// Digits as transcripts write them.
const NUMERALS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "5",
    "8",
    "10",
    "12",
    "15",
    "20",
    "30",
    "45",
    "90",
    "100",
    "999",
    "1000",
    "123456789012",
    "1h30",
    "2'30",
    "1:30",
    "1:02:30",
    "45s",
    "12,5",
    "1.5",
    "½",
    "¾",
    "2x",
    "x2",
    "-5",
    "+3",
    "3e5",
];

/// French number words and the workout's vocabulary.
const WORDS: &[&str] = &[
    "un",
    "une",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "vingt",
    "vingt et un",
    "vingt-cinq",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
    "soixante-dix",
    "soixante et onze",
    "quatre-vingts",
    "quatre-vingt-dix-neuf",
    "cent",
    "deux cents",
    "mille",
    "demi",
    "et demie",
    "quart",
    "zéro",
    "Douze",
    "VINGT",
    "séries",
    "série",
    "rounds",
    "tours",
    "fois",
    "de",
    "des",
    "minutes",
    "minute",
    "min",
    "secondes",
    "seconde",
    "sec",
    "s",
    "heure",
    "heures",
    "h",
    "repos",
    "récup",
    "récupération",
    "pause",
    "travail",
    "effort",
    "entre",
    "pendant",
    "chaque",
    "et",
    "avec",
    "sans",
    "si",
    "cesse",
    "ma",
    "ai",
    "Cesse",
    ",",
    ".",
    "!",
    "?",
    "'",
    "’",
    "-",
    "«",
    "»",
    "…",
    "(",
    ")",
];

/// White space of several kinds.
const SPACES: &[&str] = &[
    " ", " ", "  ", "\t", "\n", "\u{a0}", "\u{202f}", "\u{2009}", "\u{3000}", "\u{1680}",
];

fn piece() -> impl Strategy<Value = String> {
    let pick =
        |list: &'static [&'static str]| proptest::sample::select(list).prop_map(String::from);
    prop_oneof![
        3 => any::<char>().prop_map(String::from),
        1 => pick(CONTROLS),
        1 => pick(EMOJI),
        1 => pick(SCRIPTS),
        1 => pick(NORMALISED),
        3 => pick(NUMERALS),
        6 => pick(WORDS),
        4 => pick(SPACES),
        1 => "[0-9]{1,8}",
    ]
}

/// Pieces joined with a space, or glued together.
fn text(pieces: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    proptest::collection::vec((piece(), any::<bool>()), pieces).prop_map(|v| {
        let mut s = String::new();
        for (p, glued) in v {
            if !glued && !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&p);
        }
        s
    })
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let parsed = match nlu().parse(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            // a typed error is allowed, but none is expected on any text
            return Err(TestCaseError::fail(format!("{text:?}: {e}")));
        }
    };
    prop_assert_eq!(&parsed.text, text);
    let chars: Vec<char> = text.chars().collect();
    for e in &parsed.entities {
        prop_assert!(e.start < e.end, "{text:?}: empty or reversed span {e:?}");
        prop_assert!(
            e.end <= chars.len(),
            "{text:?}: span {e:?} past the end ({} code points)",
            chars.len()
        );
        let covered: String = chars[e.start..e.end].iter().collect();
        prop_assert_eq!(&e.text, &covered, "{:?}: span {:?}", text, e);
        prop_assert!(
            e.score.is_some_and(|s| (0.0..=1.0).contains(&s)),
            "{text:?}: score of {e:?}"
        );
    }
    for w in parsed.entities.windows(2) {
        prop_assert!(
            w[0].end <= w[1].start,
            "{text:?}: spans out of order or overlapping: {:?}, {:?}",
            w[0],
            w[1]
        );
    }
    prop_assert!(
        (0.0..=1.0).contains(&parsed.confidence),
        "{text:?}: confidence {}",
        parsed.confidence
    );
    let (tokens, cut) = nlu()
        .tokenizer()
        .encode(text)
        .expect("the text was tokenized");
    prop_assert!(tokens.len() <= speechtimer_nlu::tokenize::MAX_TOKENS);
    prop_assert_eq!(
        cut,
        parsed
            .notes
            .iter()
            .any(|n| n.starts_with("texte trop long")),
        "{:?}: notes {:?}",
        text,
        parsed.notes
    );
    if let (Some(last), Some(e)) = (tokens.last(), parsed.entities.last()) {
        prop_assert!(
            e.end <= last.end,
            "{text:?}: span {e:?} after the last token read"
        );
    }
    if text.chars().all(char::is_whitespace) {
        prop_assert!(parsed.entities.is_empty(), "{text:?}: spans in blank text");
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::config(1000))]

    #[test]
    fn parse_mixed_text(text in text(0..40)) {
        check(&text)?;
    }
}

proptest! {
    #![proptest_config(crate::config(800))]

    #[test]
    fn parse_any_unicode(text in proptest::collection::vec(any::<char>(), 0..120)) {
        check(&text.into_iter().collect::<String>())?;
    }
}

proptest! {
    // more than the tagger's 256 tokens: the rest is cut and said so
    #![proptest_config(crate::config(200))]

    #[test]
    fn parse_long_text(text in text(150..700)) {
        check(&text)?;
    }
}
