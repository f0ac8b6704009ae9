//! Entities -> the plan they mean, following ANNOTATION.md: rounds default
//! to 1, work and rest are the sums of their spans in seconds, rest defaults
//! to 0, seconds are rounded to the nearest whole second.

use super::label::{Entity, Quantity};
use super::number::parse_number;
use crate::plan::{DEFAULT_PREPARE, PlanError, WorkoutPlan};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Most rounds `values` accepts; larger counts are misheard words.
pub(super) const MAX_VALUE_ROUNDS: u32 = 9_999;
/// Longest work or rest `values` accepts (100 hours).
pub(super) const MAX_VALUE_SECONDS: u32 = 100 * 3600;

/// The numbers an utterance means, as in the `plan` field of the JSONL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PlanValues {
    /// Number of rounds; 1 when none is said.
    #[cfg_attr(feature = "schema", schema(example = 12))]
    pub rounds: u32,
    /// Work of each round, in whole seconds; at least 1.
    #[cfg_attr(feature = "schema", schema(example = 120))]
    pub work_s: u32,
    /// Rest between rounds, in whole seconds; 0 when none is said.
    #[cfg_attr(feature = "schema", schema(example = 30))]
    pub rest_s: u32,
}

/// Why entities give no plan. Messages are French: the athlete reads them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A span is not a number.
    #[error("je n'ai pas compris {} : « {text} »", .quantity.french())]
    Unreadable {
        /// The field the span fills.
        quantity: Quantity,
        /// The span's text, trimmed.
        text: String,
    },
    /// No work duration is said, or it rounds to zero seconds.
    #[error("je n'ai pas compris la durée d'effort")]
    NoWork,
    /// A round count of zero or less.
    #[error("il faut au moins une série")]
    NoRounds,
    /// A round count that is not whole (the number read, e.g. `2.5`).
    #[error("je n'ai pas compris le nombre de séries : {0} n'est pas un nombre entier")]
    FractionalRounds(String),
    /// More than 9,999 rounds, most likely a misheard word (the number read).
    #[error("{0} séries, ce n'est pas possible")]
    TooManyRounds(String),
    /// A work or rest that is negative or longer than 100 hours once its
    /// spans are added up.
    #[error("{} de {seconds} secondes, ce n'est pas possible", capitalise(.quantity.french()))]
    AbsurdDuration {
        /// Work or rest.
        quantity: Quantity,
        /// The duration in seconds, rounded to the whole second.
        seconds: String,
    },
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The round-count span the plan reads when several disagree: the one the
/// tagger is surest of (the first on a tie). Counts are never summed: in
/// « ça fait 3 jours… 7 séries » one of the two is not a count.
pub fn kept_count(entities: &[Entity]) -> Option<&Entity> {
    entities
        .iter()
        .filter(|e| e.label.quantity() == Quantity::Rounds)
        .reduce(|best, e| {
            if e.score.unwrap_or(0.0) > best.score.unwrap_or(0.0) {
                e
            } else {
                best
            }
        })
}

/// The plan the entities mean. Errors when a span is not a number, when no
/// work is said, or when a value is absurd (no round, negative or huge).
/// Work and rest add their spans up (`1 minute 30`); of several round
/// counts only [`kept_count`] is read.
pub fn plan_values(entities: &[Entity]) -> Result<PlanValues, ValueError> {
    let count = kept_count(entities);
    let mut rounds: Option<f64> = None;
    let (mut work, mut rest) = (None::<f64>, None::<f64>);
    for e in entities {
        let quantity = e.label.quantity();
        if quantity == Quantity::Rounds && !count.is_some_and(|c| std::ptr::eq(c, e)) {
            continue;
        }
        let v = parse_number(&e.text).map_err(|_| ValueError::Unreadable {
            quantity,
            text: e.text.trim().to_string(),
        })?;
        let slot = match quantity {
            Quantity::Rounds => &mut rounds,
            Quantity::Work => &mut work,
            Quantity::Rest => &mut rest,
        };
        *slot = Some(slot.unwrap_or(0.0) + v * f64::from(e.label.unit_seconds()));
    }
    let rounds = match rounds {
        None => 1,
        Some(r) if r.fract() != 0.0 => return Err(ValueError::FractionalRounds(fmt_num(r))),
        Some(r) if r < 1.0 => return Err(ValueError::NoRounds),
        Some(r) if r > f64::from(MAX_VALUE_ROUNDS) => {
            return Err(ValueError::TooManyRounds(fmt_num(r)));
        }
        Some(r) => r as u32,
    };
    let work_s = seconds(Quantity::Work, work.ok_or(ValueError::NoWork)?)?;
    if work_s == 0 {
        return Err(ValueError::NoWork);
    }
    let rest_s = seconds(Quantity::Rest, rest.unwrap_or(0.0))?;
    Ok(PlanValues {
        rounds,
        work_s,
        rest_s,
    })
}

fn seconds(quantity: Quantity, v: f64) -> Result<u32, ValueError> {
    let r = v.round();
    if !(0.0..=f64::from(MAX_VALUE_SECONDS)).contains(&r) {
        return Err(ValueError::AbsurdDuration {
            quantity,
            seconds: fmt_num(r),
        });
    }
    Ok(r as u32)
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

impl PlanValues {
    /// The runnable plan, with the default preparation time; the plan's own
    /// limits (999 rounds, 24 hours) apply.
    pub fn to_workout_plan(&self) -> Result<WorkoutPlan, PlanError> {
        WorkoutPlan::new(
            self.rounds,
            Duration::from_secs(self.work_s.into()),
            Duration::from_secs(self.rest_s.into()),
            DEFAULT_PREPARE,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Label::{self, *};

    fn ents(spans: &[(Label, &str)]) -> Vec<Entity> {
        spans
            .iter()
            .enumerate()
            .map(|(i, &(l, t))| Entity::new(i * 10, i * 10 + t.chars().count(), l, t))
            .collect()
    }

    fn pv(rounds: u32, work_s: u32, rest_s: u32) -> PlanValues {
        PlanValues {
            rounds,
            work_s,
            rest_s,
        }
    }

    #[test]
    fn guide_example_and_defaults() {
        let e = ents(&[(NbRounds, "12"), (DurationWtMin, "2"), (DurationBrSd, "30")]);
        assert_eq!(plan_values(&e), Ok(pv(12, 120, 30)));
        assert_eq!(
            plan_values(&ents(&[(DurationWtSd, "45")])),
            Ok(pv(1, 45, 0))
        );
    }

    #[test]
    fn compounds_fractions_and_words() {
        let cases: &[(&[(Label, &str)], PlanValues)] = &[
            (&[(DurationWtMin, "1"), (DurationWtSd, "30")], pv(1, 90, 0)),
            (
                &[(DurationWtHr, "1"), (DurationWtMin, "30")],
                pv(1, 5400, 0),
            ),
            (
                &[(DurationWtMin, "3"), (DurationWtMin, "et demie")],
                pv(1, 210, 0),
            ),
            (&[(DurationWtHr, "une demi")], pv(1, 1800, 0)),
            (&[(DurationWtHr, "un quart")], pv(1, 900, 0)),
            (&[(DurationWtHr, "trois quarts")], pv(1, 2700, 0)),
            (&[(DurationWtMin, "une demi")], pv(1, 30, 0)),
            (
                &[(DurationWtHr, "1"), (DurationWtHr, "moins le quart")],
                pv(1, 2700, 0),
            ),
            (
                &[(DurationWtMin, "1,5"), (DurationBrMin, "0.5")],
                pv(1, 90, 30),
            ),
            (
                &[(NbRounds, "vingt et un"), (DurationWtSd, "quarante-cinq")],
                pv(21, 45, 0),
            ),
            (
                &[
                    (NbRounds, "sets"),
                    (DurationWtSd, "vin"),
                    (DurationBrSd, "d'y"),
                ],
                pv(7, 20, 10),
            ),
            (&[(DurationBrHr, "1"), (DurationWtSd, "5")], pv(1, 5, 3600)),
            (&[(DurationWtSd, "2.4")], pv(1, 2, 0)),
            (&[(DurationWtSd, "2,5")], pv(1, 3, 0)),
        ];
        for (spans, want) in cases {
            assert_eq!(plan_values(&ents(spans)), Ok(*want), "{spans:?}");
        }
    }

    #[test]
    fn two_round_counts_are_never_summed() {
        let mut e = ents(&[(NbRounds, "3"), (NbRounds, "7"), (DurationWtSd, "30")]);
        e[0].score = Some(0.55);
        e[1].score = Some(0.97);
        assert_eq!(plan_values(&e), Ok(pv(7, 30, 0)));
        assert_eq!(kept_count(&e).unwrap().text, "7");
        e[0].score = Some(0.99);
        assert_eq!(plan_values(&e), Ok(pv(3, 30, 0)));
        // an unreadable count that is not kept does not spoil the plan
        let mut e = ents(&[(NbRounds, "zut"), (NbRounds, "7"), (DurationWtSd, "30")]);
        e[1].score = Some(0.9);
        assert_eq!(plan_values(&e), Ok(pv(7, 30, 0)));
    }

    #[test]
    fn typed_errors_in_french() {
        assert_eq!(plan_values(&[]), Err(ValueError::NoWork));
        let err = plan_values(&ents(&[(NbRounds, "3")])).unwrap_err();
        assert_eq!(err.to_string(), "je n'ai pas compris la durée d'effort");
        assert_eq!(
            plan_values(&ents(&[(DurationWtSd, "0")])),
            Err(ValueError::NoWork)
        );
        assert_eq!(
            plan_values(&ents(&[(NbRounds, "0"), (DurationWtSd, "5")])),
            Err(ValueError::NoRounds)
        );
        assert!(matches!(
            plan_values(&ents(&[(NbRounds, "2,5"), (DurationWtSd, "5")])),
            Err(ValueError::FractionalRounds(_))
        ));
        assert!(matches!(
            plan_values(&ents(&[(NbRounds, "123456"), (DurationWtSd, "5")])),
            Err(ValueError::TooManyRounds(_))
        ));
        let err = plan_values(&ents(&[(DurationWtSd, "secondes")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "je n'ai pas compris la durée d'effort : « secondes »"
        );
        let err = plan_values(&ents(&[(DurationWtHr, "999999")])).unwrap_err();
        assert!(matches!(err, ValueError::AbsurdDuration { .. }), "{err}");
        assert!(matches!(
            plan_values(&ents(&[
                (DurationWtSd, "5"),
                (DurationBrMin, "moins le quart")
            ])),
            Err(ValueError::AbsurdDuration { .. })
        ));
    }

    #[test]
    fn converts_to_a_runnable_plan() {
        let p = pv(12, 120, 30).to_workout_plan().unwrap();
        assert_eq!(p.rounds, 12);
        assert_eq!(p.work, Duration::from_secs(120));
        assert_eq!(p.prepare, DEFAULT_PREPARE);
        assert!(pv(5000, 10, 0).to_workout_plan().is_err());
    }
}
