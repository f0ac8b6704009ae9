//! The workout plan: what the timer runs, how it is validated and shown.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Most rounds a plan may have.
pub const MAX_ROUNDS: u32 = 999;
/// Longest a whole workout may last.
pub const MAX_TOTAL: Duration = Duration::from_secs(24 * 3600);
/// Preparation time before the first round when nothing else is said.
pub const DEFAULT_PREPARE: Duration = Duration::from_secs(5);
/// Most sets (blocks of rounds) a plan may have.
pub const MAX_SETS: u32 = 99;
/// Largest repetition target per round.
pub const MAX_REPS: u32 = 9_999;

/// An interval workout: an optional warm-up, then `prepare`, then `sets`
/// blocks of `rounds` times `work` with `rest` between rounds and
/// `set_rest` between blocks (no rest after the last round of the last
/// block), then an optional cool-down. Durations are written as whole
/// seconds (`"work": 20`); serde's `{"secs", "nanos"}` of older files still
/// reads, and a file without the newer fields is a plan of one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WorkoutPlan {
    /// Number of work intervals, 1 to [`MAX_ROUNDS`].
    pub rounds: u32,
    /// Length of each work interval; at least one second.
    #[serde(with = "whole_seconds")]
    pub work: Duration,
    /// Rest between two rounds; zero for none.
    #[serde(with = "whole_seconds")]
    pub rest: Duration,
    /// Time before the first round (after the warm-up); zero for none.
    #[serde(with = "whole_seconds")]
    pub prepare: Duration,
    /// Blocks of `rounds` rounds, 1 to [`MAX_SETS`].
    #[serde(default = "one")]
    pub sets: u32,
    /// Rest between two blocks (instead of the rest after a block's last
    /// round); zero: the usual `rest`.
    #[serde(default, with = "whole_seconds")]
    pub set_rest: Duration,
    /// Warm-up before everything; zero for none.
    #[serde(default, with = "whole_seconds")]
    pub warmup: Duration,
    /// Cool-down after the last round; zero for none.
    #[serde(default, with = "whole_seconds")]
    pub cooldown: Duration,
    /// Repetitions to do in each round (« 15 pompes »), shown on screen;
    /// not a duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps: Option<u32>,
    /// The athlete counts the rounds done by tapping (an AMRAP: as many
    /// rounds as possible in one work phase); the count is shown at the end.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub counts_taps: bool,
}

fn one() -> u32 {
    1
}

/// A duration as a number of whole seconds, in files people may read.
mod whole_seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    /// Seconds, or serde's own form of a `Duration` (files written before).
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Seconds(u64),
        Serde { secs: u64, nanos: u32 },
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(match Stored::deserialize(d)? {
            Stored::Seconds(s) => Duration::from_secs(s),
            Stored::Serde { secs, nanos } => Duration::new(secs, nanos),
        })
    }
}

/// Why a plan cannot run. Messages are French: they are shown to the athlete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Zero rounds.
    #[error("il faut au moins une série")]
    NoRounds,
    /// More rounds than [`MAX_ROUNDS`] (the count given).
    #[error("{0} séries, c'est trop : {MAX_ROUNDS} au maximum")]
    TooManyRounds(u32),
    /// Work shorter than one second.
    #[error("la durée d'effort doit être d'au moins une seconde")]
    NoWork,
    /// Zero blocks, or more than [`MAX_SETS`] (the count given).
    #[error("{0} blocs : il en faut de 1 à {MAX_SETS}")]
    BadSets(u32),
    /// A repetition target of zero or above [`MAX_REPS`] (the count given).
    #[error("{0} répétitions : il en faut de 1 à {MAX_REPS}")]
    BadReps(u32),
    /// The whole workout would last more than [`MAX_TOTAL`] (the total it
    /// would last).
    #[error("la séance durerait {}, plus de 24 heures", format_duration(*.0))]
    TooLong(Duration),
}

impl Default for WorkoutPlan {
    fn default() -> Self {
        Self {
            rounds: 8,
            work: Duration::from_secs(20),
            rest: Duration::from_secs(10),
            prepare: DEFAULT_PREPARE,
            sets: 1,
            set_rest: Duration::ZERO,
            warmup: Duration::ZERO,
            cooldown: Duration::ZERO,
            reps: None,
            counts_taps: false,
        }
    }
}

impl WorkoutPlan {
    /// A validated plan.
    pub fn new(
        rounds: u32,
        work: Duration,
        rest: Duration,
        prepare: Duration,
    ) -> Result<Self, PlanError> {
        let plan = Self {
            rounds,
            work,
            rest,
            prepare,
            ..Self::default()
        };
        plan.validate()?;
        Ok(plan)
    }

    /// This plan in `sets` blocks with `set_rest` between them, validated.
    pub fn with_sets(self, sets: u32, set_rest: Duration) -> Result<Self, PlanError> {
        let plan = Self {
            sets,
            set_rest,
            ..self
        };
        plan.validate()?;
        Ok(plan)
    }

    /// This plan with a warm-up and a cool-down, validated.
    pub fn with_warmup_cooldown(
        self,
        warmup: Duration,
        cooldown: Duration,
    ) -> Result<Self, PlanError> {
        let plan = Self {
            warmup,
            cooldown,
            ..self
        };
        plan.validate()?;
        Ok(plan)
    }

    /// This plan with a repetition target per round, validated.
    pub fn with_reps(self, reps: Option<u32>) -> Result<Self, PlanError> {
        let plan = Self { reps, ..self };
        plan.validate()?;
        Ok(plan)
    }

    /// Rounds in the whole workout, every block counted.
    pub fn total_rounds(&self) -> u32 {
        self.rounds.saturating_mul(self.sets)
    }

    /// Checks the limits: 1 to 999 rounds, at least 1 s of work, 24 h in all.
    pub fn validate(&self) -> Result<(), PlanError> {
        if self.rounds == 0 {
            return Err(PlanError::NoRounds);
        }
        if self.rounds > MAX_ROUNDS {
            return Err(PlanError::TooManyRounds(self.rounds));
        }
        if self.work < Duration::from_secs(1) {
            return Err(PlanError::NoWork);
        }
        if self.sets == 0 || self.sets > MAX_SETS {
            return Err(PlanError::BadSets(self.sets));
        }
        if let Some(r) = self.reps
            && (r == 0 || r > MAX_REPS)
        {
            return Err(PlanError::BadReps(r));
        }
        let total = self.total();
        if total > MAX_TOTAL {
            return Err(PlanError::TooLong(total));
        }
        Ok(())
    }

    /// Whole duration: warm-up, prepare, every round of work, the rests
    /// between rounds and between blocks, cool-down. Saturates instead of
    /// overflowing on absurd values.
    pub fn total(&self) -> Duration {
        let sets = self.sets.max(1);
        let block = self
            .work
            .saturating_mul(self.rounds)
            .saturating_add(self.rest.saturating_mul(self.rounds.saturating_sub(1)));
        let between = if self.set_rest.is_zero() {
            self.rest
        } else {
            self.set_rest
        };
        self.warmup
            .saturating_add(self.prepare)
            .saturating_add(block.saturating_mul(sets))
            .saturating_add(between.saturating_mul(sets - 1))
            .saturating_add(self.cooldown)
    }

    /// One line for the athlete: "12 séries de 2:00, repos 0:30 — total 29:35".
    pub fn summary(&self) -> String {
        if self.counts_taps && self.rounds == 1 && self.sets == 1 {
            let mut s = format!(
                "AMRAP de {}, tours comptés par appui",
                format_duration(self.work)
            );
            if let Some(r) = self.reps {
                s.push_str(&format!(", {r} répétitions par tour"));
            }
            s.push_str(&format!(" — total {}", format_duration(self.total())));
            return s;
        }
        let series = if self.rounds == 1 {
            "série"
        } else {
            "séries"
        };
        let rest = if self.rest.is_zero() {
            "sans repos".to_string()
        } else {
            format!("repos {}", format_duration(self.rest))
        };
        let blocks = if self.sets > 1 {
            format!("{} × ", self.sets)
        } else {
            String::new()
        };
        let mut extra = String::new();
        if let Some(r) = self.reps {
            extra.push_str(&format!(", {r} répétitions par série"));
        }
        if self.sets > 1 && !self.set_rest.is_zero() {
            extra.push_str(&format!(", {} entre blocs", format_duration(self.set_rest)));
        }
        if !self.warmup.is_zero() {
            extra.push_str(&format!(", échauffement {}", format_duration(self.warmup)));
        }
        if !self.cooldown.is_zero() {
            extra.push_str(&format!(
                ", retour au calme {}",
                format_duration(self.cooldown)
            ));
        }
        format!(
            "{blocks}{} {series} de {}, {rest}{extra} — total {}",
            self.rounds,
            format_duration(self.work),
            format_duration(self.total())
        )
    }
}

/// `0:30`, `2:00`, `1:02:30`: minutes and seconds, hours only when needed.
/// Fractions of a second are dropped.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Why a typed duration was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// Nothing typed.
    #[error("champ vide")]
    Empty,
    /// Not a duration in any accepted form (the text, trimmed).
    #[error("« {0} » n'est pas une durée (exemples : 90, 1:30, 1m30)")]
    NotADuration(String),
    /// Not a whole number from 1 to 999 (the text, trimmed).
    #[error("« {0} » n'est pas un nombre de séries (1 à {MAX_ROUNDS})")]
    NotARoundCount(String),
    /// A duration longer than 24 hours (the text, trimmed).
    #[error("« {0} » est trop long (24 heures au maximum)")]
    TooLong(String),
}

/// Reads a duration typed in the plan editor: `90` (seconds), `1:30`,
/// `1:02:30`, `1m30`, `1m`, `2min`, `45s`, `1h30`, `1h`.
pub fn parse_duration_field(input: &str) -> Result<Duration, FieldError> {
    let text = input.trim().to_lowercase().replace(' ', "");
    if text.is_empty() {
        return Err(FieldError::Empty);
    }
    let bad = || FieldError::NotADuration(input.trim().to_string());
    let secs = if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        if parts.len() > 3 {
            return Err(bad());
        }
        let mut total: u64 = 0;
        for (i, part) in parts.iter().enumerate() {
            let v = parse_digits(part).ok_or_else(bad)?;
            // every field after the first is a sexagesimal digit pair
            if i > 0 && (v >= 60 || part.len() != 2) {
                return Err(bad());
            }
            total = total
                .checked_mul(60)
                .and_then(|t| t.checked_add(v))
                .ok_or_else(bad)?;
        }
        total
    } else {
        parse_unit_form(&text).ok_or_else(bad)?
    };
    let d = Duration::from_secs(secs);
    if d > MAX_TOTAL {
        return Err(FieldError::TooLong(input.trim().to_string()));
    }
    Ok(d)
}

/// Reads a round count typed in the plan editor.
pub fn parse_rounds_field(input: &str) -> Result<u32, FieldError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(FieldError::Empty);
    }
    match parse_digits(text) {
        Some(n @ 1..=999) => Ok(n as u32),
        _ => Err(FieldError::NotARoundCount(text.to_string())),
    }
}

fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `90`, `90s`, `1m30`, `2min`, `1h30`, `1h`, `1h2m3s`: numbers each followed
/// by a unit; a trailing bare number is in the unit below the previous one.
fn parse_unit_form(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut rest = text;
    // scale of the last unit seen: a bare trailing number is one step below it
    let mut last_scale: Option<u64> = None;
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let value = parse_digits(&rest[..digits_end])?;
        rest = &rest[digits_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        let scale = match unit {
            "h" | "hr" | "heure" | "heures" => 3600,
            "m" | "mn" | "min" | "minute" | "minutes" | "'" => 60,
            "s" | "sec" | "seconde" | "secondes" | "\"" | "''" => 1,
            "" => match last_scale {
                None => 1,
                Some(3600) => 60,
                Some(60) => 1,
                Some(_) => return None,
            },
            _ => return None,
        };
        if let Some(prev) = last_scale
            && scale >= prev
        {
            return None;
        }
        last_scale = Some(scale);
        total = total.checked_add(value.checked_mul(scale)?)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    #[test]
    fn formats_like_a_stopwatch() {
        assert_eq!(format_duration(s(30)), "0:30");
        assert_eq!(format_duration(s(120)), "2:00");
        assert_eq!(format_duration(s(3750)), "1:02:30");
        assert_eq!(format_duration(s(0)), "0:00");
        assert_eq!(format_duration(Duration::from_millis(59_999)), "0:59");
    }

    #[test]
    fn total_has_no_rest_after_last_round() {
        let p = WorkoutPlan::new(12, s(120), s(30), s(5)).unwrap();
        assert_eq!(p.total(), s(29 * 60 + 35));
        assert_eq!(p.summary(), "12 séries de 2:00, repos 0:30 — total 29:35");
        let one = WorkoutPlan::new(1, s(60), s(30), s(0)).unwrap();
        assert_eq!(one.total(), s(60));
    }

    #[test]
    fn refuses_absurd_plans_with_french_messages() {
        assert_eq!(
            WorkoutPlan::new(0, s(10), s(0), s(0)),
            Err(PlanError::NoRounds)
        );
        assert_eq!(
            WorkoutPlan::new(1000, s(10), s(0), s(0)),
            Err(PlanError::TooManyRounds(1000))
        );
        assert_eq!(
            WorkoutPlan::new(3, s(0), s(10), s(0)),
            Err(PlanError::NoWork)
        );
        let err = WorkoutPlan::new(999, s(3600), s(0), s(0)).unwrap_err();
        assert!(err.to_string().contains("24 heures"), "{err}");
        assert!(WorkoutPlan::new(24, s(3600), s(0), s(0)).is_ok());
        assert!(WorkoutPlan::new(999, s(1), s(0), s(0)).is_ok());
    }

    #[test]
    fn editor_durations() {
        for (text, secs) in [
            ("90", 90),
            ("1:30", 90),
            ("1m30", 90),
            ("1m", 60),
            ("2min", 120),
            ("45s", 45),
            (" 0:05 ", 5),
            ("1:02:30", 3750),
            ("1h30", 5400),
            ("1h", 3600),
            ("1h2m3s", 3723),
            ("0", 0),
        ] {
            assert_eq!(parse_duration_field(text), Ok(s(secs)), "{text}");
        }
        for bad in ["abc", "-5", "1:75", "1:5", "1.5", "30s1m", "m30", "1::2"] {
            assert!(
                matches!(parse_duration_field(bad), Err(FieldError::NotADuration(_))),
                "{bad}"
            );
        }
        assert_eq!(parse_duration_field(""), Err(FieldError::Empty));
        assert!(matches!(
            parse_duration_field("99999999"),
            Err(FieldError::TooLong(_))
        ));
        assert!(matches!(
            parse_duration_field("99999999999999999999"),
            Err(FieldError::NotADuration(_))
        ));
    }

    #[test]
    fn editor_rounds() {
        assert_eq!(parse_rounds_field("12"), Ok(12));
        assert_eq!(parse_rounds_field(" 999 "), Ok(999));
        for bad in ["0", "abc", "-5", "99999", "1.5"] {
            assert!(
                matches!(parse_rounds_field(bad), Err(FieldError::NotARoundCount(_))),
                "{bad}"
            );
        }
    }
}
