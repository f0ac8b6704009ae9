//! Everything the window shows and does, without any drawing: the timer, the
//! plan editor, the command field, the prefs, the sound. Views read it and
//! call its actions; tests drive it through the views.

use super::clock::Clock;
use super::editor::PlanEditor;
use super::store::{Prefs, Store};
use crate::audio::beep::Cue;
use crate::audio::playback::CueSink;
use crate::nlu::{Nlu, Parsed};
use crate::plan::WorkoutPlan;
use crate::timer::{RunState, Status, Timer};
use std::sync::Arc;

pub struct AppState {
    pub timer: Timer,
    pub editor: PlanEditor,
    /// The typed order ("12 séries de 2 minutes…").
    pub command: String,
    /// What the last order meant (shown highlighted under the field).
    pub understood: Option<Parsed>,
    nlu: Option<Arc<Nlu>>,
    /// The speech model's state (None: not looked up, as in tests).
    pub whisper: Option<super::whisper::WhisperModel>,
    pub prefs: Prefs,
    store: Option<Store>,
    sound: Box<dyn CueSink>,
    clock: Clock,
    /// Messages for the athlete, newest last; each can be dismissed.
    pub notices: Vec<String>,
    sound_notice_shown: bool,
}

impl AppState {
    /// Loads the prefs from `store` (when there is one) and sets up the plan.
    pub fn new(store: Option<Store>, sound: Box<dyn CueSink>, clock: Clock) -> Self {
        let (prefs, problem) = match &store {
            Some(s) => s.load(),
            None => (Prefs::default(), None),
        };
        let plan = prefs.plan;
        Self {
            timer: Timer::new(plan),
            editor: PlanEditor::new(plan),
            command: String::new(),
            understood: None,
            nlu: None,
            whisper: None,
            prefs,
            store,
            sound,
            clock,
            notices: problem.into_iter().collect(),
            sound_notice_shown: false,
        }
    }

    /// Connects the command field to a loaded model.
    pub fn with_nlu(mut self, nlu: Option<Arc<Nlu>>) -> Self {
        self.nlu = nlu;
        self
    }

    pub fn has_nlu(&self) -> bool {
        self.nlu.is_some()
    }

    /// Reads the command field: a complete plan fills the editor (the
    /// preparation time is kept); an incomplete one says what is missing
    /// and leaves the fields as they are.
    pub fn understand(&mut self) {
        let Some(nlu) = self.nlu.clone() else {
            self.notices
                .push("Modèle de compréhension indisponible : saisissez le plan à la main.".into());
            return;
        };
        match nlu.parse(&self.command) {
            Ok(parsed) => {
                if let Ok(values) = &parsed.plan {
                    match values.to_workout_plan() {
                        Ok(mut plan) => {
                            plan.prepare = self.editor.plan().prepare;
                            self.load_plan(plan);
                        }
                        Err(e) => self.notices.push(format!("Plan refusé : {e}")),
                    }
                }
                self.understood = Some(parsed);
            }
            Err(e) => self.notices.push(e.to_string()),
        }
    }

    pub fn now(&self) -> std::time::Instant {
        self.clock.now()
    }

    pub fn run_state(&self) -> RunState {
        self.timer.state(self.now())
    }

    /// Advances the timer to now, plays what happened, tells what to show.
    pub fn tick(&mut self) -> Status {
        let now = self.now();
        let events = self.timer.poll(now);
        self.play(&events);
        if !self.sound_notice_shown
            && let Some(msg) = self.sound.unavailable()
        {
            self.sound_notice_shown = true;
            self.notices.push(msg);
        }
        self.timer.status(now)
    }

    fn play(&self, events: &[crate::timer::Event]) {
        if self.prefs.muted {
            return;
        }
        for cue in events.iter().filter_map(Cue::for_event) {
            self.sound.play(cue);
        }
    }

    /// Starts the editor's plan from the beginning.
    pub fn start(&mut self) {
        let plan = self.editor.plan();
        self.timer = Timer::new(plan);
        let events = self.timer.start(self.now());
        self.play(&events);
        self.prefs.plan = plan;
        self.prefs.remember(plan);
        self.save();
    }

    /// Space: start when stopped, else pause or resume.
    pub fn toggle(&mut self) {
        match self.run_state() {
            RunState::Idle | RunState::Finished => self.start(),
            RunState::Running => self.timer.pause(self.now()),
            RunState::Paused => self.timer.resume(self.now()),
        }
    }

    pub fn pause(&mut self) {
        self.timer.pause(self.now());
    }

    pub fn resume(&mut self) {
        self.timer.resume(self.now());
    }

    pub fn skip(&mut self) {
        let events = self.timer.skip(self.now());
        self.play(&events);
    }

    /// Back to the start of the editor's current plan.
    pub fn reset(&mut self) {
        self.timer = Timer::new(self.editor.plan());
    }

    /// The editor's fields changed: keep the plan if valid, show it if idle.
    pub fn editor_changed(&mut self) {
        if self.editor.commit() {
            self.prefs.plan = self.editor.plan();
            if self.run_state() == RunState::Idle {
                self.timer = Timer::new(self.editor.plan());
            }
            self.save();
        }
    }

    /// Loads a recent plan into the editor.
    pub fn load_plan(&mut self, plan: WorkoutPlan) {
        self.editor.set_plan(plan);
        self.prefs.plan = plan;
        if self.run_state() != RunState::Running && self.run_state() != RunState::Paused {
            self.timer = Timer::new(plan);
        }
        self.save();
    }

    pub fn set_muted(&mut self, muted: bool) {
        self.prefs.muted = muted;
        self.save();
    }

    fn save(&mut self) {
        if let Some(store) = &self.store
            && let Err(e) = store.save(&self.prefs)
        {
            tracing::warn!("{e}");
            let msg = e.to_string();
            if !self.notices.contains(&msg) {
                self.notices.push(msg);
            }
        }
    }
}
