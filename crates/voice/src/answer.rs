//! The athlete's answer to a plan read back: « oui », « c'est parti »
//! start it, « non », « annule » drop it, and a correction (« non, trois
//! minutes ») changes what it names. Matched on the transcript; the
//! correction's numbers are the tagger's.

use crate::command::folded_words;
use speechtimer_core::correction::{Correction, merge};
use speechtimer_core::plan::WorkoutPlan;
use speechtimer_core::values::{Entity, Quantity, ValueError};
use speechtimer_nlu::{Parsed, Trust};

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

/// [`answer`] to the plan `current`, from what the tagger read. A
/// correction that would leave the plan as it is (« non, 30 minutes »
/// after 30 minutes) takes instead the value Whisper's decoder suggested
/// for a number it doubted (3): nobody corrects a value to itself, and
/// 3 / 13 / 30 are the numbers Whisper mixes up.
pub fn answer_to(current: &WorkoutPlan, parsed: &Parsed) -> Result<Answer, ValueError> {
    let first = answer(&parsed.text, &parsed.entities)?;
    let Answer::Correct(c) = &first else {
        return Ok(first);
    };
    // counts that disagree, or words that fit the command language badly,
    // are what Whisper writes over music and clatter: no correction
    let trusts = [&parsed.trust.rounds, &parsed.trust.work, &parsed.trust.rest];
    if trusts
        .into_iter()
        .chain(parsed.trust.more.iter().map(|f| &f.trust))
        .any(|t| matches!(t, Trust::Conflict { .. } | Trust::Misheard { .. }))
    {
        return Ok(Answer::Unclear);
    }
    if merge(current, c).is_ok_and(|p| p != *current) {
        return Ok(first);
    }
    let mut entities = parsed.entities.clone();
    let mut changed = false;
    for (q, trust) in [
        (Quantity::Rounds, &parsed.trust.rounds),
        (Quantity::Work, &parsed.trust.work),
        (Quantity::Rest, &parsed.trust.rest),
    ] {
        if let Trust::Rescored {
            heard,
            value,
            clear: false,
            ..
        } = trust
            && let Some(e) = entities
                .iter_mut()
                .find(|e| e.label.quantity() == q && e.text == *heard)
        {
            e.text = value.to_string();
            changed = true;
        }
    }
    if !changed {
        return Ok(first);
    }
    answer(&parsed.text, &entities)
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
    fn a_correction_to_the_same_value_takes_the_decoder_s_suggestion() {
        let nlu = speechtimer_nlu::Nlu::embedded().unwrap();
        let current = WorkoutPlan::new(
            12,
            std::time::Duration::from_secs(1800),
            std::time::Duration::from_secs(30),
            std::time::Duration::from_secs(10),
        )
        .unwrap();
        let mut parsed = nlu.parse("Non, 30 minutes.").unwrap();
        let plain = answer_to(&current, &parsed).unwrap();
        let Answer::Correct(c) = plain else {
            panic!("{plain:?}")
        };
        assert_eq!(
            merge(&current, &c).unwrap(),
            current,
            "no suggestion: no change"
        );
        parsed.trust.work = Trust::Rescored {
            heard: "30".into(),
            value: 3,
            margin: 0.5,
            clear: false,
        };
        let Answer::Correct(c) = answer_to(&current, &parsed).unwrap() else {
            panic!("a correction")
        };
        assert_eq!(merge(&current, &c).unwrap().work.as_secs(), 180);
        // a value that changes the plan is kept as heard
        let other = WorkoutPlan {
            work: std::time::Duration::from_secs(600),
            ..current
        };
        let Answer::Correct(c) = answer_to(&other, &parsed).unwrap() else {
            panic!("a correction")
        };
        assert_eq!(merge(&other, &c).unwrap().work.as_secs(), 1800);
    }

    #[test]
    fn counts_that_disagree_are_no_correction() {
        let nlu = speechtimer_nlu::Nlu::embedded().unwrap();
        let current = WorkoutPlan::default();
        // what Whisper wrote over a music track
        let parsed = nlu
            .parse("Dix séries, huit répétitions, onze tours, six rounds de trente secondes.")
            .unwrap();
        assert!(matches!(parsed.trust.rounds, Trust::Conflict { .. }));
        assert_eq!(answer_to(&current, &parsed).unwrap(), Answer::Unclear);
    }

    #[test]
    fn other_words_are_unclear() {
        assert_eq!(plain("bonjour"), Answer::Unclear);
        assert_eq!(plain(""), Answer::Unclear);
        // words that contain an answer are not the answer
        assert_eq!(plain("nonante gologo"), Answer::Unclear);
    }
}
