//! A correction of the plan just read back: « non, trois minutes »,
//! « plutôt dix séries », « repos quarante-cinq secondes », « sans
//! préparation », « ajoute un échauffement de 5 minutes ». The tagger reads
//! its numbers as it reads any command; [`Correction::read`] keeps what
//! they say and the parts said to go (« sans », « pas de »), and [`merge`]
//! changes only those fields of the plan. Pure: no model, no sound.

use crate::plan::{PlanError, WorkoutPlan};
use crate::values::{
    Entity, Label, Quantity, SaidValues, ValueError, parse_number, said_values, strip_accents,
};
use std::time::Duration;

/// What a correction changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Correction {
    /// The fields it says a value for.
    pub said: SaidValues,
    /// The parts it takes away (« sans préparation », « pas de repos »).
    pub dropped: Vec<Quantity>,
}

/// Words after « sans » / « pas de » that name a part of the plan, folded
/// (lowercase, no accent); the longer names first.
const PARTS: &[(&str, Quantity)] = &[
    ("repos entre les blocs", Quantity::SetRest),
    ("repos entre blocs", Quantity::SetRest),
    ("retour au calme", Quantity::Cooldown),
    ("compte a rebours", Quantity::Prepare),
    ("preparation", Quantity::Prepare),
    ("prepa", Quantity::Prepare),
    ("echauffement", Quantity::Warmup),
    ("recuperation", Quantity::Rest),
    ("recup", Quantity::Rest),
    ("repos", Quantity::Rest),
    ("pause", Quantity::Rest),
];

/// What comes before a part said to go.
const WITHOUT: &[&str] = &[
    "sans",
    "pas de",
    "pas d'",
    "plus de",
    "aucun",
    "aucune",
    "enleve le",
    "enleve la",
    "enleve l'",
    "retire le",
    "retire la",
    "retire l'",
    "supprime le",
    "supprime la",
    "supprime l'",
];

impl Correction {
    /// The correction that `text` says, its numbers read from the tagger's
    /// `entities` (spans of `text`). A span that is no number is left out
    /// (the « non » of « non, trois minutes » taken for a count); errors
    /// as [`said_values`] does on an absurd value.
    pub fn read(text: &str, entities: &[Entity]) -> Result<Self, ValueError> {
        let numbers: Vec<Entity> = entities
            .iter()
            .filter(|e| e.label == Label::Format || parse_number(&e.text).is_ok())
            .cloned()
            .collect();
        let said = said_values(&numbers)?;
        let folded = strip_accents(&text.to_lowercase()).replace('’', "'");
        let words: Vec<&str> = folded
            .split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .filter(|w| !w.is_empty())
            .collect();
        let joined = format!(" {} ", words.join(" "));
        let mut dropped = Vec::new();
        for before in WITHOUT {
            let mut from = 0;
            let pattern = if before.ends_with('\'') {
                format!(" {before}")
            } else {
                format!(" {before} ")
            };
            while let Some(at) = joined[from..].find(&pattern) {
                let rest = &joined[from + at + pattern.len()..];
                // « sans la préparation », « pas de temps de repos »
                let rest = rest
                    .strip_prefix("la ")
                    .or_else(|| rest.strip_prefix("le "))
                    .or_else(|| rest.strip_prefix("l'"))
                    .or_else(|| rest.strip_prefix("temps de "))
                    .unwrap_or(rest);
                if let Some((_, q)) = PARTS
                    .iter()
                    .find(|(name, _)| rest.starts_with(&format!("{name} ")))
                    && !dropped.contains(q)
                {
                    dropped.push(*q);
                }
                from += at + pattern.len() - 1;
            }
        }
        // a part said with a value is not dropped (« pas de repos… non,
        // 20 secondes de repos »: the value wins)
        dropped.retain(|q| !said_names(&said).contains(q));
        Ok(Self { said, dropped })
    }

    /// Whether it changes nothing (no value said, no part dropped).
    pub fn is_empty(&self) -> bool {
        self.names().is_empty()
    }

    /// The fields it changes, in the plan's order.
    pub fn names(&self) -> Vec<Quantity> {
        let mut names = said_names(&self.said);
        for q in &self.dropped {
            if !names.contains(q) {
                names.push(*q);
            }
        }
        names
    }
}

/// The fields `said` gives a value for; a format names rounds, work and
/// rest, which it sets.
fn said_names(said: &SaidValues) -> Vec<Quantity> {
    let format = said.format.is_some();
    [
        (Quantity::Format, format),
        (Quantity::Rounds, format || said.basics.rounds.is_some()),
        (Quantity::Work, format || said.basics.work_s.is_some()),
        (Quantity::Rest, format || said.basics.rest_s.is_some()),
        (Quantity::Sets, said.sets.is_some()),
        (Quantity::SetRest, said.set_rest_s.is_some()),
        (Quantity::Prepare, said.prepare_s.is_some()),
        (Quantity::Warmup, said.warmup_s.is_some()),
        (Quantity::Cooldown, said.cooldown_s.is_some()),
        (Quantity::Reps, said.reps.is_some()),
    ]
    .into_iter()
    .filter_map(|(q, named)| named.then_some(q))
    .collect()
}

/// `plan` with the fields `correction` names changed and every other field
/// kept. A format said (« plutôt en tabata ») sets rounds, work and rest
/// as a command with that format would, the numbers said with it winning,
/// and whether rounds are tapped; the work it does not give stays. Errors
/// when the result breaks the plan's limits.
pub fn merge(plan: &WorkoutPlan, correction: &Correction) -> Result<WorkoutPlan, PlanError> {
    let secs = |s: u32| Duration::from_secs(s.into());
    let said = &correction.said;
    let mut out = *plan;
    match said.format {
        Some(format) => {
            let x = format.expand(said.basics);
            out.rounds = x.rounds;
            out.work = x.work_s.map(secs).unwrap_or(plan.work);
            out.rest = secs(x.rest_s);
            out.counts_taps = format.counts_taps();
        }
        None => {
            if let Some(r) = said.basics.rounds {
                out.rounds = r;
            }
            if let Some(w) = said.basics.work_s {
                out.work = secs(w);
            }
            if let Some(r) = said.basics.rest_s {
                out.rest = secs(r);
            }
        }
    }
    if let Some(s) = said.sets {
        out.sets = s;
    }
    if let Some(s) = said.set_rest_s {
        out.set_rest = secs(s);
    }
    if let Some(s) = said.prepare_s {
        out.prepare = secs(s);
    }
    if let Some(s) = said.warmup_s {
        out.warmup = secs(s);
    }
    if let Some(s) = said.cooldown_s {
        out.cooldown = secs(s);
    }
    if said.reps.is_some() {
        out.reps = said.reps;
    }
    for q in &correction.dropped {
        match q {
            Quantity::Rest => out.rest = Duration::ZERO,
            Quantity::Prepare => out.prepare = Duration::ZERO,
            Quantity::Warmup => out.warmup = Duration::ZERO,
            Quantity::Cooldown => out.cooldown = Duration::ZERO,
            Quantity::SetRest => out.set_rest = Duration::ZERO,
            _ => {}
        }
    }
    out.validate()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Format;

    fn plan() -> WorkoutPlan {
        WorkoutPlan::new(
            12,
            Duration::from_secs(30 * 60),
            Duration::from_secs(30),
            Duration::from_secs(10),
        )
        .unwrap()
    }

    /// Spans found in `text` by their text (the tagger's work, by hand).
    fn read(text: &str, spans: &[(&str, Label)]) -> Correction {
        let entities: Vec<Entity> = spans
            .iter()
            .map(|(t, l)| {
                let byte = text.find(t).expect("span in text");
                let start = text[..byte].chars().count();
                Entity::new(start, start + t.chars().count(), *l, *t)
            })
            .collect();
        Correction::read(text, &entities).unwrap()
    }

    #[test]
    fn a_work_said_changes_the_work_alone() {
        let c = read("non, trois minutes", &[("trois", Label::DurationWtMin)]);
        assert_eq!(c.names(), vec![Quantity::Work]);
        let p = merge(&plan(), &c).unwrap();
        assert_eq!(p.work, Duration::from_secs(180));
        assert_eq!(
            WorkoutPlan {
                work: plan().work,
                ..p
            },
            plan()
        );
    }

    #[test]
    fn rounds_rest_and_a_warm_up_said() {
        let c = read("plutôt dix séries", &[("dix", Label::NbRounds)]);
        assert_eq!(merge(&plan(), &c).unwrap().rounds, 10);
        let c = read(
            "repos quarante-cinq secondes",
            &[("quarante-cinq", Label::DurationBrSd)],
        );
        assert_eq!(merge(&plan(), &c).unwrap().rest, Duration::from_secs(45));
        let c = read(
            "ajoute un échauffement de 5 minutes",
            &[("5", Label::DurationWuMin)],
        );
        let p = merge(&plan(), &c).unwrap();
        assert_eq!(p.warmup, Duration::from_secs(300));
        assert_eq!((p.rounds, p.work, p.rest), (12, plan().work, plan().rest));
    }

    #[test]
    fn parts_said_to_go() {
        let with_all = WorkoutPlan {
            warmup: Duration::from_secs(300),
            cooldown: Duration::from_secs(120),
            ..plan()
        };
        for (text, q) in [
            ("sans préparation", Quantity::Prepare),
            ("Pas de repos.", Quantity::Rest),
            ("non, sans l'échauffement", Quantity::Warmup),
            ("enlève le retour au calme", Quantity::Cooldown),
            ("pas de temps de repos", Quantity::Rest),
        ] {
            let c = read(text, &[]);
            assert_eq!(c.names(), vec![q], "{text}");
            let p = merge(&with_all, &c).unwrap();
            let zero = Duration::ZERO;
            let got = match q {
                Quantity::Prepare => p.prepare,
                Quantity::Rest => p.rest,
                Quantity::Warmup => p.warmup,
                _ => p.cooldown,
            };
            assert_eq!(got, zero, "{text}");
        }
        // « sans » before other words drops nothing
        assert!(read("sans blague", &[]).is_empty());
        assert!(read("oui", &[]).is_empty());
    }

    #[test]
    fn a_value_said_wins_over_a_part_dropped() {
        let c = read(
            "pas de repos, enfin 20 secondes de repos",
            &[("20", Label::DurationBrSd)],
        );
        assert_eq!(c.dropped, vec![]);
        assert_eq!(merge(&plan(), &c).unwrap().rest, Duration::from_secs(20));
    }

    #[test]
    fn a_format_sets_rounds_work_and_rest() {
        let c = read("plutôt un tabata", &[("tabata", Label::Format)]);
        assert_eq!(c.said.format, Some(Format::Tabata));
        let p = merge(&plan(), &c).unwrap();
        assert_eq!(
            (p.rounds, p.work, p.rest),
            (8, Duration::from_secs(20), Duration::from_secs(10))
        );
        assert_eq!(p.prepare, plan().prepare);
    }

    #[test]
    fn a_span_that_is_no_number_is_left_out() {
        let c = read(
            "non, trois minutes",
            &[("non", Label::NbRounds), ("trois", Label::DurationWtMin)],
        );
        assert_eq!(c.names(), vec![Quantity::Work]);
    }

    #[test]
    fn a_result_past_the_limits_is_an_error() {
        let c = read("non, 5000 séries", &[("5000", Label::NbRounds)]);
        assert!(merge(&plan(), &c).is_err());
    }
}
