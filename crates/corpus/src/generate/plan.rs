//! What a sentence says: the plan drawn before it is put in words. Most
//! say rounds, work and rest; some name a format (Tabata, EMOM, AMRAP) or
//! say more of the workout (sets and their rest, preparation, warm-up,
//! cool-down, repetitions). Every choice is weighted.

use super::lexicon::pick;
use rand::Rng;
use speechtimer_core::values::{Expanded, Format, PlanValues, Said};

/// Share of examples that name a format.
pub(super) const FORMAT_SHARE: f64 = 0.07;
/// Share of the other examples that say more than rounds, work and rest.
pub(super) const STRUCTURE_SHARE: f64 = 0.24;

/// A plan to say: `rounds: None` when the count is not said, `rest_s: None`
/// when the break is not said, `Some(0)` when "sans repos" is said; the
/// other fields likewise `None` when not said. `work_s` is `None` only
/// when a format gives it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Spoken {
    pub rounds: Option<u32>,
    pub work_s: Option<u32>,
    pub rest_s: Option<u32>,
    pub sets: Option<u32>,
    pub set_rest_s: Option<u32>,
    pub prepare_s: Option<u32>,
    pub warmup_s: Option<u32>,
    pub cooldown_s: Option<u32>,
    pub reps: Option<u32>,
    pub format: Option<Format>,
}

impl Spoken {
    /// The plan values this says: no count is one round, no rest is none,
    /// a format fills in what is not said (its one expansion, in core).
    pub(super) fn values(&self) -> PlanValues {
        let said = Said {
            rounds: self.rounds,
            work_s: self.work_s,
            rest_s: self.rest_s,
        };
        let basics = match self.format {
            Some(f) => f.expand(said),
            None => Expanded {
                rounds: said.rounds.unwrap_or(1),
                work_s: said.work_s,
                rest_s: said.rest_s.unwrap_or(0),
            },
        };
        PlanValues {
            sets: self.sets.unwrap_or(1),
            set_rest_s: self.set_rest_s.unwrap_or(0),
            prepare_s: self.prepare_s,
            warmup_s: self.warmup_s.unwrap_or(0),
            cooldown_s: self.cooldown_s.unwrap_or(0),
            reps: self.reps,
            format: self.format,
            ..PlanValues::new(basics.rounds, basics.work_s.unwrap_or(0), basics.rest_s)
        }
    }
}

pub(super) fn sample_plan<R: Rng>(rng: &mut R) -> Spoken {
    if rng.random_bool(FORMAT_SHARE) {
        return sample_format(rng);
    }
    let mut plan = sample_basics(rng);
    if rng.random_bool(STRUCTURE_SHARE) {
        add_structure(rng, &mut plan);
    }
    plan
}

fn sample_basics<R: Rng>(rng: &mut R) -> Spoken {
    let absurd = rng.random_bool(0.01);
    let rounds = if rng.random_bool(0.18) {
        None
    } else if absurd && rng.random_bool(0.5) {
        Some(rng.random_range(60..=400))
    } else {
        Some(match rng.random_range(0..100) {
            0..5 => 1,
            5..70 => rng.random_range(2..=12),
            70..92 => rng.random_range(13..=30),
            _ => rng.random_range(31..=50),
        })
    };
    let work_s = if absurd && rng.random_bool(0.5) {
        rng.random_range(3..=10) * 3600 + 60 * rng.random_range(0..4) * 15
    } else {
        sample_duration(rng, true)
    };
    let rest_s = match rng.random_range(0..100) {
        0..22 => None,
        22..30 => Some(0),
        _ => Some(sample_duration(rng, false)),
    };
    Spoken {
        rounds,
        work_s: Some(work_s),
        rest_s,
        ..Spoken::default()
    }
}

pub(super) fn sample_duration<R: Rng>(rng: &mut R, work: bool) -> u32 {
    let r = rng.random_range(0..100);
    if !work {
        if rng.random_bool(0.06) {
            return *pick(
                rng,
                &[
                    (900, 2),
                    (1800, 3),
                    (2700, 1),
                    (3600, 2),
                    (5400, 1),
                    (4500, 1),
                ],
            );
        }
        return match r {
            0..55 => 5 * rng.random_range(1..=12),
            55..62 => rng.random_range(5..=59),
            62..85 => 60 * rng.random_range(1..=5),
            85..93 => 30 + 60 * rng.random_range(1..=4),
            _ => 60 * rng.random_range(1..=10) + 5 * rng.random_range(1..=11),
        };
    }
    match r {
        0..36 => 5 * rng.random_range(1..=12),
        36..41 => rng.random_range(5..=59),
        41..56 => 60 * rng.random_range(1..=10),
        56..64 => 30 + 60 * rng.random_range(1..=9),
        64..72 => 60 * rng.random_range(1..=9) + 5 * rng.random_range(1..=11),
        72..85 => 60 * rng.random_range(10..=60),
        85..89 => *pick(rng, &[(900, 2), (1800, 3), (2700, 1)]),
        89..95 => {
            3600 * rng.random_range(1..=2) + *pick(rng, &[(0, 3), (1800, 3), (900, 1), (2700, 1)])
        }
        _ => 3600 + 60 * rng.random_range(1..=59),
    }
}

/// A plan with a named format, sometimes with numbers that override its
/// defaults.
pub(super) fn sample_format<R: Rng>(rng: &mut R) -> Spoken {
    let mut p = Spoken::default();
    match rng.random_range(0..100) {
        0..50 => {
            p.format = Some(Format::Tabata);
            if rng.random_bool(0.2) {
                p.rounds = Some(rng.random_range(4..=12));
            }
            if rng.random_bool(0.12) {
                p.work_s = Some(5 * rng.random_range(2..=12));
            }
            if rng.random_bool(0.12) {
                p.rest_s = Some(5 * rng.random_range(1..=6));
            }
            if rng.random_bool(0.35) {
                p.sets = Some(rng.random_range(2..=6));
                if rng.random_bool(0.65) {
                    p.set_rest_s = Some(set_rest(rng));
                }
            }
        }
        50..75 => {
            p.format = Some(Format::Emom);
            if rng.random_bool(0.75) {
                p.work_s = Some(60 * rng.random_range(5..=30));
            } else {
                p.rounds = Some(rng.random_range(5..=30));
            }
            if rng.random_bool(0.35) {
                p.reps = Some(reps(rng));
            }
        }
        _ => {
            p.format = Some(Format::Amrap);
            p.work_s = Some(60 * rng.random_range(5..=30));
            if rng.random_bool(0.4) {
                p.reps = Some(reps(rng));
            }
        }
    }
    // « trois EMOM de 6 minutes », « 2 AMRAP de 8 minutes »
    if p.format != Some(Format::Tabata) && p.work_s.is_some() && rng.random_bool(0.2) {
        p.work_s = p.work_s.map(|w| w.min(900));
        p.sets = Some(rng.random_range(2..=4));
        if rng.random_bool(0.7) {
            p.set_rest_s = Some(set_rest(rng));
        }
    }
    p.warmup_s = maybe(rng, 0.15, warmup);
    p.cooldown_s = maybe(rng, 0.12, cooldown);
    p.prepare_s = maybe(rng, 0.1, prepare);
    p
}

/// `value` drawn with probability `p`.
fn maybe<R: Rng>(rng: &mut R, p: f64, value: fn(&mut R) -> u32) -> Option<u32> {
    rng.random_bool(p).then(|| value(rng))
}

/// Adds sets, warm-up, cool-down, preparation or a repetition target (at
/// least one) to a plan of rounds, work and rest.
pub(super) fn add_structure<R: Rng>(rng: &mut R, p: &mut Spoken) {
    while p.sets.is_none()
        && p.warmup_s.is_none()
        && p.cooldown_s.is_none()
        && p.prepare_s.is_none()
        && p.reps.is_none()
    {
        if rng.random_bool(0.4) {
            p.sets = Some(rng.random_range(2..=6));
            // « 3 blocs de 30 secondes » would be three rounds: sets come
            // with their round count
            p.rounds = p.rounds.or(Some(rng.random_range(2..=12)));
            if rng.random_bool(0.6) {
                p.set_rest_s = Some(set_rest(rng));
            }
        }
        // all four are still unsaid here: the loop goes on only then
        p.warmup_s = maybe(rng, 0.3, warmup);
        p.cooldown_s = maybe(rng, 0.25, cooldown);
        p.prepare_s = maybe(rng, 0.25, prepare);
        p.reps = maybe(rng, 0.25, reps);
    }
}

fn set_rest<R: Rng>(rng: &mut R) -> u32 {
    match rng.random_range(0..100) {
        0..30 => 15 * rng.random_range(2..=8),
        _ => 60 * rng.random_range(1..=5),
    }
}

fn warmup<R: Rng>(rng: &mut R) -> u32 {
    match rng.random_range(0..100) {
        0..75 => 60 * rng.random_range(3..=20),
        75..88 => 30 + 60 * rng.random_range(2..=12),
        _ => sample_duration(rng, false).max(60),
    }
}

fn cooldown<R: Rng>(rng: &mut R) -> u32 {
    match rng.random_range(0..100) {
        0..80 => 60 * rng.random_range(2..=15),
        _ => 30 + 60 * rng.random_range(1..=10),
    }
}

fn prepare<R: Rng>(rng: &mut R) -> u32 {
    match rng.random_range(0..100) {
        0..80 => 5 * rng.random_range(1..=6),
        80..90 => rng.random_range(3..=20),
        _ => 60 * rng.random_range(1..=3),
    }
}

fn reps<R: Rng>(rng: &mut R) -> u32 {
    *pick(
        rng,
        &[
            (5, 2),
            (8, 1),
            (10, 4),
            (12, 2),
            (15, 3),
            (20, 3),
            (25, 1),
            (30, 1),
            (50, 1),
        ],
    )
}
