//! What a reading comes to for the athlete, decided in one place: a plan
//! that may be shown « Compris » and started, a plan to check first, a
//! plan that is incomplete, or one that breaks a limit. The window, the
//! voice worker, its early runs, `parse` and `eval --audio` all ask
//! [`Parsed::verdict`].

use super::Parsed;
use speechtimer_core::plan::{PlanError, WorkoutPlan};
use speechtimer_core::values::{Quantity, ValueError};

/// The one rule: complete, valid and nothing to check is sure.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Complete, valid, every field trusted: shown « Compris », may start
    /// by itself.
    Sure(WorkoutPlan),
    /// Complete and valid, but these fields must be checked first: shown
    /// « À vérifier », never started by itself.
    ToCheck(WorkoutPlan, Vec<Quantity>),
    /// Something the plan needs was not read.
    Incomplete(ValueError),
    /// The values were read, but the plan breaks a limit.
    Refused(PlanError),
}

impl Verdict {
    /// The plan, sure or to check.
    pub fn plan(&self) -> Option<&WorkoutPlan> {
        match self {
            Self::Sure(p) | Self::ToCheck(p, _) => Some(p),
            Self::Incomplete(_) | Self::Refused(_) => None,
        }
    }

    /// Shown « Compris » and allowed to start by itself.
    pub fn is_sure(&self) -> bool {
        matches!(self, Self::Sure(_))
    }

    /// The fields to check (empty unless [`Verdict::ToCheck`]).
    pub fn to_check(&self) -> &[Quantity] {
        match self {
            Self::ToCheck(_, fields) => fields,
            _ => &[],
        }
    }

    /// Why there is no plan, in French; `None` when there is one.
    pub fn problem(&self) -> Option<String> {
        match self {
            Self::Sure(_) | Self::ToCheck(..) => None,
            Self::Incomplete(e) => Some(e.to_string()),
            Self::Refused(e) => Some(e.to_string()),
        }
    }
}

impl Parsed {
    /// What this reading comes to (see [`Verdict`]).
    pub fn verdict(&self) -> Verdict {
        let values = match &self.plan {
            Ok(v) => v,
            Err(e) => return Verdict::Incomplete(e.clone()),
        };
        let plan = match values.to_workout_plan() {
            Ok(p) => p,
            Err(e) => return Verdict::Refused(e),
        };
        let fields: Vec<Quantity> = self
            .trust
            .fields()
            .iter()
            .filter(|(_, t)| t.is_uncertain())
            .map(|(q, _)| *q)
            .collect();
        if fields.is_empty() {
            Verdict::Sure(plan)
        } else {
            Verdict::ToCheck(plan, fields)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PlanTrust, Trust};
    use speechtimer_core::values::PlanValues;

    fn parsed(plan: Result<PlanValues, ValueError>, trust: PlanTrust) -> Parsed {
        Parsed {
            text: String::new(),
            entities: Vec::new(),
            plan,
            confidence: 1.0,
            notes: Vec::new(),
            assumed: Vec::new(),
            trust,
        }
    }

    fn values(rounds: u32, work_s: u32, rest_s: u32) -> PlanValues {
        PlanValues::new(rounds, work_s, rest_s)
    }

    fn heard() -> PlanTrust {
        PlanTrust {
            rounds: Trust::Heard,
            work: Trust::Heard,
            rest: Trust::Heard,
            more: Vec::new(),
        }
    }

    #[test]
    fn complete_valid_and_trusted_is_sure() {
        let v = parsed(Ok(values(12, 120, 30)), heard());
        let verdict = v.verdict();
        assert!(verdict.is_sure(), "{verdict:?}");
        assert_eq!(verdict.plan().unwrap().rounds, 12);
        assert!(verdict.problem().is_none());
    }

    #[test]
    fn a_field_to_check_is_never_sure() {
        let mut trust = heard();
        trust.rounds = Trust::Assumed;
        let verdict = parsed(Ok(values(1, 120, 30)), trust).verdict();
        assert!(!verdict.is_sure());
        assert_eq!(verdict.to_check(), &[Quantity::Rounds]);
        assert!(verdict.plan().is_some());
    }

    #[test]
    fn no_work_is_incomplete_and_a_broken_limit_refused() {
        let verdict = parsed(Err(ValueError::NoWork), heard()).verdict();
        assert!(matches!(verdict, Verdict::Incomplete(_)), "{verdict:?}");
        assert!(verdict.problem().is_some());
        let verdict = parsed(Ok(values(5000, 10, 0)), heard()).verdict();
        assert!(matches!(verdict, Verdict::Refused(_)), "{verdict:?}");
        assert!(verdict.plan().is_none());
    }
}
