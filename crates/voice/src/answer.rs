//! The athlete's answer to a plan read back: « oui », « c'est parti »
//! start it, « non », « annule » drop it, and a correction (« non, trois
//! minutes ») changes what it names. Matched on the transcript; the
//! correction's numbers are the tagger's.

use crate::command::folded_words;
use speechtimer_core::correction::Correction;
use speechtimer_core::values::{Entity, ValueError};

/// What an answer to a read-back asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Start the plan (« oui », « go », « c'est parti », « vas-y »,
    /// « démarre »).
    Yes,
    /// Drop the plan (« non », « annule »).
    No,
    /// Change what it names, then read the plan back again.
    Correct(Correction),
    /// Nothing of the above was heard.
    Unclear,
}

/// Words that say yes, folded (lowercase, no accent).
const YES: &[&str] = &[
    "oui",
    "ouais",
    "ouai",
    "go",
    "parti",
    "partie",
    "partis",
    "vas",
    "vazy",
    "demarre",
    "demarrer",
    "demarrez",
    "commence",
    "commencer",
    "lance",
    "lancer",
    "ok",
    "okay",
    "accord",
    "yes",
    "allez",
    "valide",
];

/// Words that say no.
const NO: &[&str] = &["non", "annule", "annuler", "annulez", "laisse", "nan"];

/// The answer `transcript` gives; `entities` are the tagger's spans of
/// it. A correction wins over « oui » and « non » (« non, trois
/// minutes »); otherwise the last of yes and no said wins (« non… si,
/// oui »). Errors when a span is no number or an absurd value.
pub fn answer(transcript: &str, entities: &[Entity]) -> Result<Answer, ValueError> {
    let correction = Correction::read(transcript, entities)?;
    if !correction.is_empty() {
        return Ok(Answer::Correct(correction));
    }
    let last = folded_words(transcript).into_iter().rev().find_map(|w| {
        if YES.contains(&w.as_str()) {
            Some(Answer::Yes)
        } else if NO.contains(&w.as_str()) {
            Some(Answer::No)
        } else {
            None
        }
    });
    Ok(last.unwrap_or(Answer::Unclear))
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::{Label, Quantity};

    fn plain(text: &str) -> Answer {
        answer(text, &[]).unwrap()
    }

    #[test]
    fn yes_in_its_forms() {
        for t in [
            "Oui.",
            "oui !",
            "Go",
            "C'est parti !",
            "Vas-y",
            "Démarre",
            "ok",
            "d'accord",
            "Ouais, allez",
        ] {
            assert_eq!(plain(t), Answer::Yes, "{t}");
        }
    }

    #[test]
    fn no_in_its_forms() {
        for t in ["Non.", "non merci", "Annule", "laisse tomber"] {
            assert_eq!(plain(t), Answer::No, "{t}");
        }
        assert_eq!(plain("non… si, oui"), Answer::Yes);
        assert_eq!(plain("oui, enfin non"), Answer::No);
    }

    #[test]
    fn a_correction_wins_over_no() {
        let a = answer(
            "non, trois minutes",
            &[Entity::new(5, 10, Label::DurationWtMin, "trois")],
        )
        .unwrap();
        let Answer::Correct(c) = a else {
            panic!("{a:?}")
        };
        assert_eq!(c.names(), vec![Quantity::Work]);
        assert!(matches!(plain("non, sans préparation"), Answer::Correct(_)));
    }

    #[test]
    fn other_words_are_unclear() {
        assert_eq!(plain("bonjour"), Answer::Unclear);
        assert_eq!(plain(""), Answer::Unclear);
        // words that contain an answer are not the answer
        assert_eq!(plain("nonante gologo"), Answer::Unclear);
    }
}
