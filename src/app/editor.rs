//! The plan editor: four text fields and the last valid plan they gave.

use crate::plan::{
    FieldError, WorkoutPlan, format_duration, parse_duration_field, parse_rounds_field,
};

/// The editor's fields as typed, and the plan they last gave.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEditor {
    /// « Séries »: the number of rounds.
    pub rounds: String,
    /// « Travail »: the effort of each round (`0:20`, `1m30`).
    pub work: String,
    /// « Repos »: the rest between rounds.
    pub rest: String,
    /// « Préparation »: the time before the first round.
    pub prepare: String,
    /// The last plan the fields described correctly; what Start runs.
    plan: WorkoutPlan,
    /// Why the fields do not describe a plan right now.
    error: Option<String>,
}

impl PlanEditor {
    /// An editor showing `plan`, which is the current plan.
    pub fn new(plan: WorkoutPlan) -> Self {
        let mut editor = Self {
            rounds: String::new(),
            work: String::new(),
            rest: String::new(),
            prepare: String::new(),
            plan,
            error: None,
        };
        editor.set_plan(plan);
        editor
    }

    /// The last plan the fields described correctly; what Start runs.
    pub fn plan(&self) -> WorkoutPlan {
        self.plan
    }

    /// Why the fields do not describe a plan right now (French, for the
    /// athlete); `None` when they do.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Shows `plan` in the fields and makes it the current plan.
    pub fn set_plan(&mut self, plan: WorkoutPlan) {
        self.rounds = plan.rounds.to_string();
        self.work = format_duration(plan.work);
        self.rest = format_duration(plan.rest);
        self.prepare = format_duration(plan.prepare);
        self.plan = plan;
        self.error = None;
    }

    /// Reads the fields. A valid plan replaces the current one; anything else
    /// leaves it as it was and sets a message. Returns whether it changed.
    pub fn commit(&mut self) -> bool {
        match self.read() {
            Ok(plan) => {
                self.error = None;
                let changed = plan != self.plan;
                self.plan = plan;
                changed
            }
            Err(msg) => {
                self.error = Some(msg);
                false
            }
        }
    }

    fn read(&self) -> Result<WorkoutPlan, String> {
        let field = |name: &str, r: Result<std::time::Duration, FieldError>| {
            r.map_err(|e| format!("{name} : {e}"))
        };
        let rounds = parse_rounds_field(&self.rounds).map_err(|e| format!("Séries : {e}"))?;
        let work = field("Travail", parse_duration_field(&self.work))?;
        let rest = field("Repos", parse_duration_field(&self.rest))?;
        let prepare = field("Préparation", parse_duration_field(&self.prepare))?;
        WorkoutPlan::new(rounds, work, rest, prepare).map_err(|e| format!("Plan refusé : {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bad_fields_keep_the_last_valid_plan() {
        let start = WorkoutPlan::default();
        let mut ed = PlanEditor::new(start);
        assert_eq!(ed.work, "0:20");
        ed.rounds = "12".into();
        ed.work = "1m30".into();
        assert!(ed.commit());
        let good = ed.plan();
        assert_eq!((good.rounds, good.work), (12, Duration::from_secs(90)));
        for (field, bad) in [(0, "abc"), (0, "-5"), (0, "99999"), (1, "abc"), (2, "-5")] {
            let mut e = ed.clone();
            match field {
                0 => e.rounds = bad.into(),
                1 => e.work = bad.into(),
                _ => e.rest = bad.into(),
            }
            assert!(!e.commit());
            assert_eq!(e.plan(), good, "{bad}");
            assert!(
                e.error().is_some_and(|m| m.contains(bad)),
                "{:?}",
                e.error()
            );
        }
        ed.work = "0".into();
        assert!(!ed.commit());
        assert!(ed.error().unwrap().contains("effort"));
        ed.work = "2:00".into();
        ed.commit();
        assert_eq!(ed.error(), None);
    }
}
