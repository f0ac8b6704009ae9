//! Entities -> the plan they mean, following ANNOTATION.md: rounds default
//! to 1, work and rest are the sums of their spans in seconds, rest defaults
//! to 0, seconds are rounded to the nearest whole second. The labels of
//! docs/annotation.md fill the other fields the same way (counts are never
//! summed, durations are), and a format word fills in what was not said.

use super::format::{Format, Said};
use super::label::{Entity, Label, Quantity};
use super::number::parse_number;
use crate::plan::{DEFAULT_PREPARE, PlanError, WorkoutPlan};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Most rounds `values` accepts; larger counts are misheard words.
pub(super) const MAX_VALUE_ROUNDS: u32 = 9_999;
/// Longest work or rest `values` accepts (100 hours).
pub(super) const MAX_VALUE_SECONDS: u32 = 100 * 3600;

/// The numbers an utterance means, as in the `plan` field of the JSONL.
/// The guide's three fields are always written; the others (docs/annotation.md)
/// only when said, so a file of the guide's format reads the same.
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
    /// Sets (blocks of `rounds` rounds); 1 when none is said.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub sets: u32,
    /// Rest between two sets, in seconds; 0 (the usual rest) when none is said.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub set_rest_s: u32,
    /// Preparation before the first round, in seconds, when said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepare_s: Option<u32>,
    /// Warm-up, in seconds; 0 when none is said.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub warmup_s: u32,
    /// Cool-down, in seconds; 0 when none is said.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cooldown_s: u32,
    /// Repetitions to do in each round, when said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps: Option<u32>,
    /// The named format said, already applied to rounds, work and rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
}

fn one() -> u32 {
    1
}

fn is_one(v: &u32) -> bool {
    *v == 1
}

fn is_zero(v: &u32) -> bool {
    *v == 0
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
    /// A count of sets or repetitions that is not a whole number from 1 to
    /// 9,999 (the number read).
    #[error("je n'ai pas compris {} : {text}", .quantity.french())]
    BadCount {
        /// Sets or repetitions.
        quantity: Quantity,
        /// The number read.
        text: String,
    },
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
    kept(entities, Quantity::Rounds)
}

/// Of the spans of count `q` (rounds, sets, repetitions), the surest.
pub fn kept(entities: &[Entity], q: Quantity) -> Option<&Entity> {
    entities
        .iter()
        .filter(|e| e.label.quantity() == q)
        .reduce(|best, e| {
            if e.score.unwrap_or(0.0) > best.score.unwrap_or(0.0) {
                e
            } else {
                best
            }
        })
}

/// What the entities say, field by field, and nothing more: no default, no
/// format applied. A whole command reads it into a plan ([`plan_values`]);
/// a correction (« non, trois minutes ») changes only the fields it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SaidValues {
    /// Rounds, work and rest, as said.
    pub basics: Said,
    /// Sets (blocks of rounds).
    pub sets: Option<u32>,
    /// Rest between two sets, in seconds.
    pub set_rest_s: Option<u32>,
    /// Preparation, in seconds.
    pub prepare_s: Option<u32>,
    /// Warm-up, in seconds.
    pub warmup_s: Option<u32>,
    /// Cool-down, in seconds.
    pub cooldown_s: Option<u32>,
    /// Repetitions in each round.
    pub reps: Option<u32>,
    /// The named format said (not applied).
    pub format: Option<Format>,
}

/// Every field the entities say. Errors when a span is not a number or a
/// value is absurd (no round, negative or huge). Durations add their spans
/// up (`1 minute 30`); of several counts of one kind only the surest
/// ([`kept`]) is read.
pub fn said_values(entities: &[Entity]) -> Result<SaidValues, ValueError> {
    let format = entities
        .iter()
        .filter(|e| e.label == Label::Format)
        .find_map(|e| Format::from_word(&e.text));
    let count = |q: Quantity| -> Result<Option<f64>, ValueError> {
        kept(entities, q).map(|e| read(e, q)).transpose()
    };
    let total = |q: Quantity| -> Result<Option<u32>, ValueError> {
        let mut sum = None::<f64>;
        for e in entities.iter().filter(|e| e.label.quantity() == q) {
            sum = Some(sum.unwrap_or(0.0) + read(e, q)? * f64::from(e.label.unit_seconds()));
        }
        sum.map(|v| seconds(q, v)).transpose()
    };
    let rounds = match count(Quantity::Rounds)? {
        None => None,
        Some(r) if r.fract() != 0.0 => return Err(ValueError::FractionalRounds(fmt_num(r))),
        Some(r) if r < 1.0 => return Err(ValueError::NoRounds),
        Some(r) if r > f64::from(MAX_VALUE_ROUNDS) => {
            return Err(ValueError::TooManyRounds(fmt_num(r)));
        }
        Some(r) => Some(r as u32),
    };
    Ok(SaidValues {
        basics: Said {
            rounds,
            work_s: total(Quantity::Work)?,
            rest_s: total(Quantity::Rest)?,
        },
        sets: whole_count(Quantity::Sets, count(Quantity::Sets)?)?,
        set_rest_s: total(Quantity::SetRest)?,
        prepare_s: total(Quantity::Prepare)?,
        warmup_s: total(Quantity::Warmup)?,
        cooldown_s: total(Quantity::Cooldown)?,
        reps: whole_count(Quantity::Reps, count(Quantity::Reps)?)?,
        format,
    })
}

/// The plan the entities mean. Errors as [`said_values`] does, and when no
/// work is said (and no format gives one).
pub fn plan_values(entities: &[Entity]) -> Result<PlanValues, ValueError> {
    let said = said_values(entities)?;
    let (rounds, work_s, rest_s) = match said.format {
        Some(f) => {
            let x = f.expand(said.basics);
            (x.rounds, x.work_s, x.rest_s)
        }
        None => (
            said.basics.rounds.unwrap_or(1),
            said.basics.work_s,
            said.basics.rest_s.unwrap_or(0),
        ),
    };
    let work_s = work_s.ok_or(ValueError::NoWork)?;
    if work_s == 0 {
        return Err(ValueError::NoWork);
    }
    Ok(PlanValues {
        rounds,
        work_s,
        rest_s,
        sets: said.sets.unwrap_or(1),
        set_rest_s: said.set_rest_s.unwrap_or(0),
        prepare_s: said.prepare_s,
        warmup_s: said.warmup_s.unwrap_or(0),
        cooldown_s: said.cooldown_s.unwrap_or(0),
        reps: said.reps,
        format: said.format,
    })
}

fn read(e: &Entity, quantity: Quantity) -> Result<f64, ValueError> {
    parse_number(&e.text).map_err(|_| ValueError::Unreadable {
        quantity,
        text: e.text.trim().to_string(),
    })
}

fn whole_count(quantity: Quantity, v: Option<f64>) -> Result<Option<u32>, ValueError> {
    match v {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (1.0..=f64::from(MAX_VALUE_ROUNDS)).contains(&n) => {
            Ok(Some(n as u32))
        }
        Some(n) => Err(ValueError::BadCount {
            quantity,
            text: fmt_num(n),
        }),
    }
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
    /// The guide's three fields, with nothing else said.
    pub const fn new(rounds: u32, work_s: u32, rest_s: u32) -> Self {
        Self {
            rounds,
            work_s,
            rest_s,
            sets: 1,
            set_rest_s: 0,
            prepare_s: None,
            warmup_s: 0,
            cooldown_s: 0,
            reps: None,
            format: None,
        }
    }

    /// Whether rounds, work and rest are those of `other`: the guide's
    /// plan exact.
    pub fn same_basics(&self, other: &PlanValues) -> bool {
        (self.rounds, self.work_s, self.rest_s) == (other.rounds, other.work_s, other.rest_s)
    }

    /// Whether something beyond the guide's three fields is said.
    pub fn has_structure(&self) -> bool {
        *self != PlanValues::new(self.rounds, self.work_s, self.rest_s)
    }

    /// The runnable plan: the preparation said or the default one; the
    /// plan's own limits (999 rounds, 99 sets, 24 hours) apply.
    pub fn to_workout_plan(&self) -> Result<WorkoutPlan, PlanError> {
        let secs = |s: u32| Duration::from_secs(s.into());
        let plan = WorkoutPlan {
            prepare: self.prepare_s.map(secs).unwrap_or(DEFAULT_PREPARE),
            sets: self.sets,
            set_rest: secs(self.set_rest_s),
            warmup: secs(self.warmup_s),
            cooldown: secs(self.cooldown_s),
            reps: self.reps,
            counts_taps: self.format.is_some_and(Format::counts_taps),
            ..WorkoutPlan::new(
                self.rounds,
                secs(self.work_s),
                secs(self.rest_s),
                DEFAULT_PREPARE,
            )?
        };
        plan.validate()?;
        Ok(plan)
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
        PlanValues::new(rounds, work_s, rest_s)
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
    fn the_new_labels_fill_their_fields() {
        let e = ents(&[
            (DurationWuMin, "5"),
            (NbSets, "3"),
            (NbRounds, "8"),
            (DurationWtSd, "20"),
            (DurationBrSd, "10"),
            (DurationSbrMin, "1"),
            (DurationPrepSd, "15"),
            (DurationCdMin, "2"),
            (DurationCdSd, "30"),
            (NbReps, "quinze"),
        ]);
        let p = plan_values(&e).unwrap();
        assert_eq!(
            p,
            PlanValues {
                sets: 3,
                set_rest_s: 60,
                prepare_s: Some(15),
                warmup_s: 300,
                cooldown_s: 150,
                reps: Some(15),
                ..pv(8, 20, 10)
            }
        );
        assert!(p.has_structure() && !pv(8, 20, 10).has_structure());
        // two set counts are never summed: the surest is read
        let mut e = ents(&[(NbSets, "3"), (NbSets, "4"), (DurationWtSd, "30")]);
        e[1].score = Some(0.9);
        assert_eq!(plan_values(&e).unwrap().sets, 4);
        assert!(matches!(
            plan_values(&ents(&[(NbReps, "2,5"), (DurationWtSd, "30")])),
            Err(ValueError::BadCount { .. })
        ));
        assert!(matches!(
            plan_values(&ents(&[(NbSets, "0"), (DurationWtSd, "30")])),
            Err(ValueError::BadCount { .. })
        ));
    }

    #[test]
    fn formats_fill_in_what_is_not_said() {
        let tabata = plan_values(&ents(&[(Format, "Tabata")])).unwrap();
        assert_eq!(
            tabata,
            PlanValues {
                format: Some(super::Format::Tabata),
                ..pv(8, 20, 10)
            }
        );
        // « un Tabata de 10 séries »
        let ten = plan_values(&ents(&[(Format, "Tabata"), (NbRounds, "10")])).unwrap();
        assert_eq!((ten.rounds, ten.work_s, ten.rest_s), (10, 20, 10));
        // « 4 Tabatas avec 1 minute entre »
        let four = plan_values(&ents(&[
            (NbSets, "4"),
            (Format, "Tabatas"),
            (DurationSbrMin, "1"),
        ]))
        .unwrap();
        assert_eq!((four.rounds, four.sets, four.set_rest_s), (8, 4, 60));
        let emom = plan_values(&ents(&[(Format, "EMOM"), (DurationWtMin, "12")])).unwrap();
        assert_eq!((emom.rounds, emom.work_s, emom.rest_s), (12, 60, 0));
        let amrap = plan_values(&ents(&[(Format, "AMRAP"), (DurationWtMin, "15")])).unwrap();
        assert_eq!((amrap.rounds, amrap.work_s, amrap.rest_s), (1, 900, 0));
        assert!(amrap.to_workout_plan().unwrap().counts_taps);
        assert_eq!(
            plan_values(&ents(&[(Format, "AMRAP")])),
            Err(ValueError::NoWork)
        );
        // a format span that names no format is ignored
        assert_eq!(
            plan_values(&ents(&[(Format, "tabac"), (DurationWtSd, "30")])).unwrap(),
            pv(1, 30, 0)
        );
    }

    #[test]
    fn old_plan_json_reads_and_writes_the_same() {
        let old = r#"{"rounds":12,"work_s":120,"rest_s":30}"#;
        let p: PlanValues = serde_json::from_str(old).unwrap();
        assert_eq!(p, pv(12, 120, 30));
        assert_eq!(serde_json::to_string(&p).unwrap(), old);
        let full = PlanValues {
            sets: 3,
            format: Some(super::Format::Amrap),
            ..pv(1, 900, 0)
        };
        let json = serde_json::to_string(&full).unwrap();
        assert_eq!(
            json,
            r#"{"rounds":1,"work_s":900,"rest_s":0,"sets":3,"format":"amrap"}"#
        );
        assert_eq!(serde_json::from_str::<PlanValues>(&json).unwrap(), full);
    }

    #[test]
    fn structured_values_become_the_runnable_plan() {
        let p = PlanValues {
            sets: 3,
            set_rest_s: 60,
            warmup_s: 300,
            prepare_s: Some(0),
            reps: Some(15),
            ..pv(8, 20, 10)
        }
        .to_workout_plan()
        .unwrap();
        assert_eq!(
            (p.sets, p.set_rest, p.warmup),
            (3, Duration::from_secs(60), Duration::from_secs(300))
        );
        assert_eq!(
            (p.prepare, p.reps, p.counts_taps),
            (Duration::ZERO, Some(15), false)
        );
        assert!(
            PlanValues {
                sets: 100,
                ..pv(8, 20, 10)
            }
            .to_workout_plan()
            .is_err()
        );
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
