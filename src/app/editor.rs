//! The plan editor: the plan's text fields (four, and five more and the
//! AMRAP tap counter under « Plus d'options ») and the last valid plan
//! they gave.

use speechtimer_core::plan::{
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
    /// « Blocs »: how many times the rounds are done.
    pub sets: String,
    /// « Repos entre blocs ».
    pub set_rest: String,
    /// « Échauffement ».
    pub warmup: String,
    /// « Retour au calme ».
    pub cooldown: String,
    /// « Répétitions » per round; empty for none.
    pub reps: String,
    /// « Compter les tours (AMRAP) »: the athlete taps each round done.
    pub counts_taps: bool,
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
            sets: String::new(),
            set_rest: String::new(),
            warmup: String::new(),
            cooldown: String::new(),
            reps: String::new(),
            counts_taps: false,
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
        self.sets = plan.sets.to_string();
        self.set_rest = format_duration(plan.set_rest);
        self.warmup = format_duration(plan.warmup);
        self.cooldown = format_duration(plan.cooldown);
        self.reps = plan.reps.map(|r| r.to_string()).unwrap_or_default();
        self.counts_taps = plan.counts_taps;
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
        let sets = match self.sets.trim() {
            "" => 1,
            s => s
                .parse::<u32>()
                .map_err(|_| format!("Blocs : « {s} » n'est pas un nombre de blocs"))?,
        };
        let optional = |name: &str, text: &str| match text.trim() {
            "" => Ok(std::time::Duration::ZERO),
            t => field(name, parse_duration_field(t)),
        };
        let set_rest = optional("Repos entre blocs", &self.set_rest)?;
        let warmup = optional("Échauffement", &self.warmup)?;
        let cooldown = optional("Retour au calme", &self.cooldown)?;
        let reps = match self.reps.trim() {
            "" => None,
            r => Some(
                r.parse::<u32>()
                    .map_err(|_| format!("Répétitions : « {r} » n'est pas un nombre"))?,
            ),
        };
        let refused = |e| format!("Plan refusé : {e}");
        WorkoutPlan::new(rounds, work, rest, prepare)
            .and_then(|p| p.with_sets(sets, set_rest))
            .and_then(|p| p.with_warmup_cooldown(warmup, cooldown))
            .and_then(|p| p.with_reps(reps))
            .map(|p| WorkoutPlan {
                counts_taps: self.counts_taps,
                ..p
            })
            .map_err(refused)
    }

    /// Whether the plan uses any field of « Plus d'options ».
    pub fn uses_more(&self) -> bool {
        let p = self.plan;
        p.sets > 1
            || !p.warmup.is_zero()
            || !p.cooldown.is_zero()
            || p.reps.is_some()
            || p.counts_taps
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

    #[test]
    fn more_options_give_sets_warm_up_cool_down_and_reps() {
        let mut ed = PlanEditor::new(WorkoutPlan::default());
        assert!(!ed.uses_more());
        ed.sets = "3".into();
        ed.set_rest = "1:00".into();
        ed.warmup = "5m".into();
        ed.cooldown = "".into();
        ed.reps = "15".into();
        assert!(ed.commit(), "{:?}", ed.error());
        let p = ed.plan();
        assert_eq!(
            (p.sets, p.set_rest, p.warmup, p.cooldown, p.reps),
            (
                3,
                Duration::from_secs(60),
                Duration::from_secs(300),
                Duration::ZERO,
                Some(15)
            )
        );
        assert!(ed.uses_more());
        ed.sets = "200".into();
        assert!(!ed.commit());
        assert!(
            ed.error().unwrap().contains("200 blocs"),
            "{:?}",
            ed.error()
        );
        assert_eq!(ed.plan(), p);
        ed.sets = "3".into();
        ed.reps = "beaucoup".into();
        assert!(!ed.commit());
        assert!(ed.error().unwrap().contains("Répétitions"));
    }
}
