//! The command language as a word grammar: which word may follow which,
//! counted over the clean commands the generator writes (`speechtimer lm
//! grammar`). Numbers form one class (`#`: digits and number words, with
//! `#-` and `#'` for « quatre- » and « 2' »), so every number the
//! generator can say is allowed wherever one of them was. The decoder is
//! held to it through the token automaton (`automaton.rs`).
//!
//! Text is cut into lexemes: runs of letters or of digits, a trailing
//! apostrophe or hyphen kept on the run (« d' », « mets- »), spaces and
//! the punctuation Whisper sprinkles (`, . ! ? ; :`) between them.

use super::LmError;
use std::collections::{BTreeSet, HashMap};

/// Stands before the first lexeme.
pub const BOS: &str = "<s>";
/// Stands after the last lexeme.
pub const EOS: &str = "</s>";
/// The class of numbers, digits or words.
pub const NUM: &str = "#";
/// The longest run of digits read as a number.
pub const MAX_DIGITS: usize = 4;

const HEADER: &str = "# speechtimer command grammar 1";

/// The grammar shipped inside the binary (built by `speechtimer lm grammar`).
pub const EMBEDDED: &str = include_str!("../../../models/lm/commands.grammar");

/// Number words: their class is [`NUM`].
pub const NUMBER_WORDS: &[&str] = &[
    "zéro",
    "zero",
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
    "vingt",
    "vingts",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
    "cent",
    "cents",
    "mille",
];

/// Punctuation that may stand between any two lexemes.
pub fn is_transparent(c: char) -> bool {
    matches!(c, ',' | '.' | '!' | '?' | ';' | ':')
}

/// Signs that are lexemes of their own (« 25 secondes/3 minutes »,
/// « 120" », « 50 % », « × 6 »).
pub fn is_sign(c: char) -> bool {
    matches!(c, '/' | '"' | '%' | '×')
}

/// The joiner a lexeme may end with, apostrophes folded to `'`.
pub fn joiner(c: char) -> Option<char> {
    match c {
        '\'' | '’' => Some('\''),
        '-' => Some('-'),
        _ => None,
    }
}

/// The class of one lexeme as written (case and apostrophe folded).
pub fn class_of(lexeme: &str) -> String {
    let lower = lexeme.to_lowercase().replace('’', "'");
    let (stem, suffix) = match lower.char_indices().last() {
        Some((i, c)) if joiner(c).is_some() => (&lower[..i], &lower[i..]),
        _ => (lower.as_str(), ""),
    };
    let numeric = !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit());
    if numeric || NUMBER_WORDS.contains(&stem) {
        format!("{NUM}{suffix}")
    } else {
        lower
    }
}

/// The lexemes of `text`, as written; `None` when it holds a character
/// the language has no place for, or a run of digits too long.
pub fn lexemes(text: &str) -> Option<Vec<String>> {
    #[derive(PartialEq, Clone, Copy)]
    enum Run {
        Letters,
        Digits,
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut run = None;
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if !cur.is_empty() {
            out.push(std::mem::take(cur));
        }
    };
    for c in text.chars() {
        let this = if c.is_alphabetic() {
            Some(Run::Letters)
        } else if c.is_ascii_digit() {
            Some(Run::Digits)
        } else {
            None
        };
        match this {
            Some(r) => {
                if run.is_some_and(|p| p != r) {
                    flush(&mut cur, &mut out);
                }
                if r == Run::Digits && cur.len() >= MAX_DIGITS {
                    return None;
                }
                run = Some(r);
                cur.push(c);
            }
            None => {
                run = None;
                if let Some(j) = joiner(c) {
                    // alone (« - », the second ' of « 55'' »), a sign
                    cur.push(j);
                    flush(&mut cur, &mut out);
                } else if c.is_whitespace() || is_transparent(c) {
                    flush(&mut cur, &mut out);
                } else if is_sign(c) {
                    flush(&mut cur, &mut out);
                    out.push(c.to_string());
                } else {
                    return None;
                }
            }
        }
    }
    flush(&mut cur, &mut out);
    Some(out)
}

/// Which class may follow which.
#[derive(Debug, Clone, PartialEq)]
pub struct Grammar {
    names: Vec<String>,
    index: HashMap<String, u16>,
    /// Sorted successors of each class.
    next: Vec<Vec<u16>>,
}

impl Grammar {
    /// Counts the lexeme pairs of `sentences`; sentences with a character
    /// the language has no place for are skipped (returned: how many).
    pub fn build<'a>(sentences: impl IntoIterator<Item = &'a str>) -> (Self, usize) {
        let mut pairs = BTreeSet::new();
        let mut skipped = 0;
        for s in sentences {
            let Some(lex) = lexemes(s) else {
                skipped += 1;
                continue;
            };
            let classes: Vec<String> = std::iter::once(BOS.to_string())
                .chain(lex.iter().map(|l| class_of(l)))
                .chain(std::iter::once(EOS.to_string()))
                .collect();
            for w in classes.windows(2) {
                pairs.insert((w[0].clone(), w[1].clone()));
            }
        }
        (Self::from_pairs(pairs), skipped)
    }

    fn from_pairs(pairs: BTreeSet<(String, String)>) -> Self {
        let mut g = Self {
            names: Vec::new(),
            index: HashMap::new(),
            next: Vec::new(),
        };
        for name in [BOS, EOS, NUM] {
            g.intern(name);
        }
        for (a, b) in &pairs {
            let (a, b) = (g.intern(a), g.intern(b));
            g.next[a as usize].push(b);
        }
        for n in &mut g.next {
            n.sort_unstable();
            n.dedup();
        }
        g
    }

    fn intern(&mut self, name: &str) -> u16 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u16;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        self.next.push(Vec::new());
        i
    }

    /// Reads the text form written by [`Grammar::to_text`].
    pub fn parse(text: &str) -> Result<Self, LmError> {
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(LmError::Corrupt("grammaire : en-tête inconnu".into()));
        }
        let mut pairs = BTreeSet::new();
        for (n, line) in lines.enumerate() {
            let Some((a, b)) = line.split_once('\t') else {
                return Err(LmError::Corrupt(format!(
                    "grammaire : ligne {} illisible",
                    n + 2
                )));
            };
            if a.is_empty() || b.is_empty() || a == EOS || b == BOS {
                return Err(LmError::Corrupt(format!(
                    "grammaire : paire impossible ligne {}",
                    n + 2
                )));
            }
            pairs.insert((a.to_string(), b.to_string()));
        }
        if pairs.is_empty() {
            return Err(LmError::Corrupt("grammaire vide".into()));
        }
        Ok(Self::from_pairs(pairs))
    }

    /// One pair per line, sorted: the same grammar gives the same bytes.
    pub fn to_text(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for (a, next) in self.next.iter().enumerate() {
            for &b in next {
                pairs.push((&self.names[a], &self.names[b as usize]));
            }
        }
        pairs.sort_unstable();
        let mut out = format!("{HEADER}\n");
        for (a, b) in pairs {
            out.push_str(a);
            out.push('\t');
            out.push_str(b);
            out.push('\n');
        }
        out
    }

    /// The grammar built into the binary.
    pub fn embedded() -> Result<Self, LmError> {
        Self::parse(EMBEDDED)
    }

    /// Number of classes (markers included).
    pub fn classes(&self) -> usize {
        self.names.len()
    }

    /// Number of allowed pairs.
    pub fn pairs(&self) -> usize {
        self.next.iter().map(Vec::len).sum()
    }

    /// The id of a class by name.
    pub fn class(&self, name: &str) -> Option<u16> {
        self.index.get(name).copied()
    }

    /// The name of a class.
    pub fn name(&self, class: u16) -> &str {
        &self.names[class as usize]
    }

    /// Whether `b` may follow `a`.
    pub fn follows(&self, a: u16, b: u16) -> bool {
        self.next[a as usize].binary_search(&b).is_ok()
    }

    /// The sorted classes that may follow `a`.
    pub fn successors(&self, a: u16) -> &[u16] {
        &self.next[a as usize]
    }

    /// Whether `text` is a command of the language, word for word.
    pub fn accepts(&self, text: &str) -> bool {
        let Some(lex) = lexemes(text) else {
            return false;
        };
        let mut prev = self.class(BOS).unwrap_or(0);
        for l in &lex {
            match self.class(&class_of(l)) {
                Some(c) if self.follows(prev, c) => prev = c,
                _ => return false,
            }
        }
        self.class(EOS).is_some_and(|e| self.follows(prev, e))
    }

    /// Every way a lexeme of the language may be written, with its class:
    /// lower case, capitalised, upper case, `’` for `'`. Digits are not
    /// listed (the automaton reads them itself).
    pub fn spellings(&self) -> Vec<(String, u16)> {
        let mut out = BTreeSet::new();
        let mut add = |word: &str, class: u16| {
            let cap: String = {
                let mut c = word.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            };
            for w in [word.to_string(), cap, word.to_uppercase()] {
                out.insert((w.replace('\'', "’"), class));
                out.insert((w, class));
            }
        };
        for (i, name) in self.names.iter().enumerate() {
            let i = i as u16;
            if let Some(suffix) = name.strip_prefix(NUM) {
                for w in NUMBER_WORDS {
                    add(&format!("{w}{suffix}"), i);
                }
            } else if name != BOS && name != EOS {
                add(name, i);
            }
        }
        out.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexemes_keep_joiners_and_split_digits_from_letters() {
        assert_eq!(
            lexemes("Mets-moi 12 séries d'1h30, 2'30 de repos.").unwrap(),
            [
                "Mets-", "moi", "12", "séries", "d'", "1", "h", "30", "2'", "30", "de", "repos"
            ]
        );
        assert_eq!(class_of("Quatre-"), "#-");
        assert_eq!(class_of("D’"), "d'");
        assert_eq!(class_of("2'"), "#'");
        assert_eq!(class_of("Séries"), "séries");
        assert_eq!(lexemes("12345 séries"), None);
        assert_eq!(lexemes("12 « séries »"), None);
        assert_eq!(
            lexemes("10'55'' - go").unwrap(),
            ["10'", "55'", "'", "-", "go"]
        );
        assert_eq!(
            lexemes("25 s/3 min, 120\"").unwrap(),
            ["25", "s", "/", "3", "min", "120", "\""]
        );
    }

    #[test]
    fn a_grammar_accepts_what_it_was_built_from_and_reads_back() {
        let (g, skipped) = Grammar::build([
            "Douze séries de 2 minutes, 30 secondes de repos.",
            "Lance un tabata.",
        ]);
        assert_eq!(skipped, 0);
        assert!(g.accepts("12 séries de deux minutes, trente secondes de repos"));
        assert!(g.accepts("Lance un tabata"));
        assert!(!g.accepts("séries de 12"));
        assert!(!g.accepts("12 séries en trichac séries"));
        let again = Grammar::parse(&g.to_text()).unwrap();
        assert_eq!(again.to_text(), g.to_text());
        assert!(again.accepts("Lance 3 tabata."));
        assert!(Grammar::parse("nope").is_err());
        assert!(Grammar::parse(&format!("{HEADER}\n</s>\tx\n")).is_err());
        let sp = g.spellings();
        assert!(sp.iter().any(|(w, _)| w == "Séries"));
        assert!(sp.iter().any(|(w, _)| w == "TABATA"));
        assert!(sp.iter().any(|(w, c)| w == "douze" && g.name(*c) == NUM));
    }
}
