//! Scoring plans heard from audio (`speechtimer eval --audio`): each clip's
//! outcome against the plan it asks for, and the shares over a set. A wrong
//! plan shown as understood is the one failure a timer must not have, so it
//! is counted apart from a wrong plan flagged « À vérifier ».

use serde::Serialize;
use speechtimer_core::values::PlanValues;

/// What came of one clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The right plan (whether or not a field was flagged).
    Exact,
    /// A wrong plan shown as understood: nothing flagged.
    WrongShown,
    /// A wrong plan, but a field says « À vérifier ».
    WrongFlagged,
    /// No plan at all.
    NoPlan,
}

/// The outcome of a clip that asks for `want`, given the plan shown (if
/// any) and whether a field of it was flagged.
pub fn outcome(want: &PlanValues, got: Option<&PlanValues>, uncertain: bool) -> Outcome {
    match got {
        None => Outcome::NoPlan,
        Some(g) if g == want => Outcome::Exact,
        Some(_) if uncertain => Outcome::WrongFlagged,
        Some(_) => Outcome::WrongShown,
    }
}

/// One clip as scored: the plan it asks for (`None`: no command in it,
/// silence or noise), the plan shown, whether a field was flagged, and the
/// time it took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The plan the clip asks for.
    pub expected: Option<PlanValues>,
    /// The plan shown, if any.
    pub plan: Option<PlanValues>,
    /// A field of the plan shown is « À vérifier ».
    pub uncertain: bool,
    /// Seconds the clip took.
    pub time_s: f64,
}

impl Scored {
    /// The clip's outcome; `None` for a clip with no command.
    pub fn outcome(&self) -> Option<Outcome> {
        self.expected
            .map(|want| outcome(&want, self.plan.as_ref(), self.uncertain))
    }
}

/// The shares over a set of clips (of those that ask for a plan).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeardScores {
    /// Clips scored.
    pub clips: usize,
    /// Clips that ask for a plan (the shares below are of these).
    pub commands: usize,
    /// The right plan.
    pub plan_exact: f64,
    /// A wrong plan with nothing flagged.
    pub wrong_shown_as_understood: f64,
    /// A wrong plan with a field flagged.
    pub wrong_flagged: f64,
    /// No plan.
    pub no_plan: f64,
    /// Plans shown with a field to check (right or wrong).
    pub uncertain: f64,
    /// Right and nothing flagged.
    pub exact_and_sure: f64,
    /// Clips with no command (silence, noise) that still gave a plan.
    pub plans_from_no_command: usize,
    /// Median time per clip, seconds.
    pub median_s: f64,
    /// 95th percentile of the time per clip, seconds.
    pub p95_s: f64,
}

/// The scores of `clips` (zeros for an empty set).
pub fn score(clips: &[Scored]) -> HeardScores {
    let commands: Vec<&Scored> = clips.iter().filter(|c| c.expected.is_some()).collect();
    let n = commands.len().max(1) as f64;
    let share = |o: Outcome| commands.iter().filter(|c| c.outcome() == Some(o)).count() as f64 / n;
    let mut times: Vec<f64> = clips.iter().map(|c| c.time_s).collect();
    times.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        if times.is_empty() {
            0.0
        } else {
            times[((times.len() - 1) as f64 * q).round() as usize]
        }
    };
    HeardScores {
        clips: clips.len(),
        commands: commands.len(),
        plan_exact: share(Outcome::Exact),
        wrong_shown_as_understood: share(Outcome::WrongShown),
        wrong_flagged: share(Outcome::WrongFlagged),
        no_plan: share(Outcome::NoPlan),
        uncertain: commands
            .iter()
            .filter(|c| c.plan.is_some() && c.uncertain)
            .count() as f64
            / n,
        exact_and_sure: commands
            .iter()
            .filter(|c| c.outcome() == Some(Outcome::Exact) && !c.uncertain)
            .count() as f64
            / n,
        plans_from_no_command: clips
            .iter()
            .filter(|c| c.expected.is_none() && c.plan.is_some())
            .count(),
        median_s: pct(0.5),
        p95_s: pct(0.95),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        let want = PlanValues::new(12, 120, 30);
        let other = PlanValues { rounds: 10, ..want };
        assert_eq!(outcome(&want, Some(&want), true), Outcome::Exact);
        assert_eq!(outcome(&want, Some(&other), false), Outcome::WrongShown);
        assert_eq!(outcome(&want, Some(&other), true), Outcome::WrongFlagged);
        assert_eq!(outcome(&want, None, false), Outcome::NoPlan);
    }

    #[test]
    fn shares_are_of_the_commands_and_noise_is_counted_apart() {
        let want = PlanValues::new(12, 120, 30);
        let other = PlanValues { rounds: 10, ..want };
        let clip = |expected, plan, uncertain, time_s| Scored {
            expected,
            plan,
            uncertain,
            time_s,
        };
        let s = score(&[
            clip(Some(want), Some(want), false, 1.0),
            clip(Some(want), Some(want), true, 2.0),
            clip(Some(want), Some(other), false, 3.0),
            clip(Some(want), None, false, 4.0),
            clip(None, Some(other), false, 5.0),
        ]);
        assert_eq!((s.clips, s.commands), (5, 4));
        assert_eq!(s.plan_exact, 0.5);
        assert_eq!(s.wrong_shown_as_understood, 0.25);
        assert_eq!((s.wrong_flagged, s.no_plan), (0.0, 0.25));
        assert_eq!((s.uncertain, s.exact_and_sure), (0.25, 0.25));
        assert_eq!(s.plans_from_no_command, 1);
        assert_eq!((s.median_s, s.p95_s), (3.0, 5.0));
        assert_eq!(score(&[]).median_s, 0.0);
    }
}
