//! What an ASR and a hurried speaker do to a sentence: case, punctuation
//! dropped or added, accents dropped, singular/plural slips, a repeated
//! word, hesitations, glued units. Works on pieces, so spans stay right.

use super::lexicon::{FILLERS, one};
use super::sentence::{Kind, Piece, Sentence};
use rand::Rng;
use speechtimer_core::values::strip_accents;

pub(super) fn apply<R: Rng>(rng: &mut R, s: &mut Sentence) {
    if rng.random_bool(0.08) {
        for p in &mut s.pieces {
            p.text = strip_accents(&p.text);
        }
    }
    for p in &mut s.pieces {
        if p.kind == Kind::Unit && rng.random_bool(0.07) {
            p.text = slip_plural(&p.text);
        }
    }
    if rng.random_bool(0.05) {
        // an ASR gluing a unit to its number: `30secondes`
        for i in 1..s.pieces.len() {
            if s.pieces[i].kind == Kind::Unit && matches!(s.pieces[i - 1].kind, Kind::Span(_)) {
                s.pieces[i].glued = true;
            }
        }
    }
    if rng.random_bool(0.05) {
        repeat_a_word(rng, s);
    }
    if rng.random_bool(0.15) {
        for p in &mut s.pieces {
            if p.kind == Kind::Word {
                p.text = mishear_words(rng, &p.text);
            }
        }
    }
    let fillers = match rng.random_range(0..100) {
        0..80 => 0,
        80..95 => 1,
        _ => 2,
    };
    for _ in 0..fillers {
        let f = one(rng, FILLERS);
        insert_at_boundary(
            rng,
            s,
            Piece {
                text: f.into(),
                kind: Kind::Word,
                glued: false,
            },
        );
    }
    if rng.random_bool(0.03) {
        s.word("voilà");
    }
    // punctuation
    match rng.random_range(0..100) {
        0..35 => s.pieces.retain(|p| p.kind != Kind::Punct),
        35..45 => {
            let comma = Piece {
                text: ",".into(),
                kind: Kind::Punct,
                glued: true,
            };
            insert_at_boundary(rng, s, comma);
        }
        _ => {}
    }
    match rng.random_range(0..100) {
        0..30 => {
            s.punct(".");
        }
        30..35 => {
            s.punct("?");
        }
        35..40 => {
            s.push("!", Kind::Punct, false);
        }
        40..44 => {
            s.punct("!");
        }
        _ => {}
    }
    // case
    match rng.random_range(0..100) {
        0..45 => {
            for p in &mut s.pieces {
                p.text = p.text.to_lowercase();
            }
        }
        45..92 => {
            if let Some(p) = s.pieces.iter_mut().find(|p| !p.text.trim().is_empty()) {
                p.text = capitalise(&p.text);
            }
        }
        _ => {}
    }
    // no punctuation piece before the first word
    while s.pieces.first().is_some_and(|p| p.kind == Kind::Punct) {
        s.pieces.remove(0);
    }
}

/// As Whisper writes a sentence it heard well: the first letter a
/// capital, a full stop at the end.
pub(super) fn as_whisper_writes(s: &mut Sentence) {
    while s.pieces.first().is_some_and(|p| p.kind == Kind::Punct) {
        s.pieces.remove(0);
    }
    if let Some(p) = s.pieces.iter_mut().find(|p| !p.text.trim().is_empty()) {
        p.text = capitalise(&p.text);
    }
    while s.pieces.last().is_some_and(|p| p.kind == Kind::Punct) {
        s.pieces.pop();
    }
    s.punct(".");
}

fn insert_at_boundary<R: Rng>(rng: &mut R, s: &mut Sentence, piece: Piece) {
    // between two pieces, never inside a glued group (`1h30`)
    // nor between a number and its unit, nor after `de`
    let spots: Vec<usize> = (1..s.pieces.len())
        .filter(|&i| {
            let prev = s.pieces[i - 1].text.to_lowercase();
            !s.pieces[i].glued
                && s.pieces[i].kind != Kind::Unit
                && !matches!(prev.as_str(), "de" | "d'" | "à" | "x" | "en" | "et")
        })
        .collect();
    if spots.is_empty() {
        return;
    }
    let at = spots[rng.random_range(0..spots.len())];
    s.pieces.insert(at, piece);
}

fn repeat_a_word<R: Rng>(rng: &mut R, s: &mut Sentence) {
    let words: Vec<usize> = (0..s.pieces.len())
        .filter(|&i| {
            s.pieces[i].kind == Kind::Word
                && !s.pieces[i].text.contains(' ')
                && !s.pieces[i].text.ends_with('\'')
                && !s.pieces[i].text.is_empty()
                && !s.pieces.get(i + 1).is_some_and(|p| p.glued)
        })
        .collect();
    if words.is_empty() {
        return;
    }
    let i = words[rng.random_range(0..words.len())];
    let copy = Piece {
        glued: false,
        ..s.pieces[i].clone()
    };
    s.pieces.insert(i + 1, copy);
}

/// Words an ASR writes for the little words around the numbers (same
/// sound, other spelling): `entre` -> `entrent`, `repos` -> `repo`.
const MISHEARD: &[(&str, &[&str])] = &[
    ("entre", &["entrent", "entres", "antre"]),
    ("repos", &["repo", "reppo"]),
    ("pause", &["pose", "pauses"]),
    ("avec", &["avait", "avecque"]),
    ("chaque", &["chaques", "chac"]),
    ("puis", &["pui", "puits"]),
    ("récupération", &["récupérations", "récup et ration"]),
    ("récup", &["récupe", "ré cup"]),
    ("tours", &["tour", "toures"]),
    ("fois", &["foi", "foie"]),
];

/// Replaces each word of `text` found in [`MISHEARD`], half the time.
fn mishear_words<R: Rng>(rng: &mut R, text: &str) -> String {
    text.split(' ')
        .map(|w| match MISHEARD.iter().find(|(from, _)| *from == w) {
            Some((_, slips)) if rng.random_bool(0.5) => one(rng, slips).to_string(),
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn slip_plural(unit: &str) -> String {
    match unit {
        "fois" | "s" | "sec" | "min" | "mn" | "h" | "'" | "''" | "\"" | "m" => unit.to_string(),
        u if u.starts_with('-') => unit.to_string(),
        u if u.ends_with('s') => u[..u.len() - 1].to_string(),
        u => format!("{u}s"),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_and_accents() {
        assert_eq!(slip_plural("minutes"), "minute");
        assert_eq!(slip_plural("série"), "séries");
        assert_eq!(slip_plural("fois"), "fois");
        assert_eq!(strip_accents("récupération zéro"), "recuperation zero");
    }

    #[test]
    fn misheard_words_keep_the_others() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut changed = 0;
        for _ in 0..50 {
            let out = mishear_words(&mut rng, "secondes entre chaque série");
            let words: Vec<&str> = out.split(' ').collect();
            assert_eq!(words[0], "secondes");
            assert_eq!(*words.last().unwrap(), "série");
            changed += usize::from(out != "secondes entre chaque série");
        }
        assert!(changed > 10 && changed < 50, "{changed}");
    }
}
