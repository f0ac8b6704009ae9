//! Everything the window shows and does, without any drawing: the timer, the
//! plan editor, the command field, the prefs, the sound. Views read it and
//! call its actions; tests drive it through the views.

use super::clock::Clock;
use super::dialogue::{ECHO, ReadBack, TRIES};
use super::editor::PlanEditor;
use super::store::{Prefs, Store};
use super::whisper::WhisperStatus;
use speechtimer_audio::blocks::Level;
use speechtimer_audio::gate::{Gate, GatedSource};
use speechtimer_audio::speech::spoken_length;
use speechtimer_core::coach::Word;
use speechtimer_core::correction::merge;
use speechtimer_core::plan::WorkoutPlan;
use speechtimer_core::timer::{RunState, Status, Timer};
use speechtimer_core::values::Quantity;
use speechtimer_devices::Source;
use speechtimer_devices::playback::CueSink;
use speechtimer_nlu::{Nlu, Parsed, Verdict};
use speechtimer_voice::{
    Answer, Expect, Heard, TimerCommand, Voice, VoiceConfig, VoiceMsg, answer, answer_to,
    timer_command,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Wait before hands-free listening tries again after the microphone
/// failed (no device, the sound server gone).
const HANDS_FREE_RETRY: Duration = Duration::from_secs(5);

/// How long a beep keeps the microphone shut (the longest tone and its
/// tail).
const BEEP_GATE: Duration = Duration::from_millis(700);

/// What the voice side is doing, as the window shows it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Listening {
    /// Not listening (idle, or the last utterance is done).
    #[default]
    Off,
    /// The speech model is being loaded (first use).
    Loading,
    /// Recording, with the input level.
    Listening(Level),
    /// The utterance is over; Whisper and the tagger are at work.
    Transcribing,
}

/// What the last order meant and what that comes to: the view draws the
/// verdict it is given.
#[derive(Debug, Clone)]
pub struct Understood {
    /// The tagger's reading.
    pub parsed: Parsed,
    /// [`Parsed::verdict`], decided once.
    pub verdict: Verdict,
}

impl Understood {
    fn of(parsed: Parsed) -> Self {
        let verdict = parsed.verdict();
        Self { parsed, verdict }
    }
}

/// The window's state and actions, without any drawing.
pub struct AppState {
    /// The workout: idle on the editor's plan until started.
    pub timer: Timer,
    /// The plan's four fields.
    pub editor: PlanEditor,
    /// The typed order ("12 séries de 2 minutes…").
    pub command: String,
    /// What the last order meant (shown highlighted under the field), and
    /// its verdict.
    pub understood: Option<Understood>,
    nlu: Option<Arc<Nlu>>,
    /// The speech model's state (None: not looked up, as in tests).
    pub whisper: Option<super::whisper::WhisperModel>,
    /// Settings and recent plans, saved to the store as they change.
    pub prefs: Prefs,
    store: Option<Store>,
    sound: Box<dyn CueSink>,
    clock: Clock,
    /// Messages for the athlete, newest last; each can be dismissed.
    pub notices: Vec<String>,
    sound_notice_shown: bool,
    /// Where the voice comes from (microphone, or `--audio-file`).
    pub source: Source,
    voice: Option<Voice>,
    /// What the voice side is doing, for the microphone button.
    pub listening: Listening,
    /// The last utterance heard (transcript, timings).
    pub heard: Option<Heard>,
    /// What the last utterance did or lacked, shown by the microphone.
    pub voice_note: Option<String>,
    /// Listen once as soon as the window shows (`--audio-file`).
    pub talk_on_start: bool,
    /// Frames drawn late since the microphone was opened.
    pub frames: super::frames::FrameWatch,
    /// When the editor last changed prefs that are not on disk yet.
    unsaved_since: Option<std::time::Instant>,
    /// Fields of the editor's plan that were not heard for sure: shown
    /// « À vérifier » until the athlete edits them or presses Démarrer.
    pub to_check: Vec<Quantity>,
    /// The gym display: the countdown alone, full screen (F11, Échap).
    pub gym: bool,
    /// The full-screen state last asked of the window.
    pub fullscreen_sent: bool,
    /// Keeps the screen on while the workout runs (`None`: nothing to ask).
    awake: Option<Box<dyn super::awake::StayAwake>>,
    /// What was last asked of `awake`.
    awake_on: bool,
    /// When the countdown last flashed (a phase change, the last seconds).
    flashed_at: Option<std::time::Instant>,
    /// A plan read back, waiting for « oui », « non » or a correction.
    pub dialogue: Option<ReadBack>,
    /// Shuts the microphone while the app speaks (hands-free, read-back).
    pub gate: Gate,
    /// Hands-free listening waits until then after the microphone failed.
    hands_free_retry: Option<Instant>,
    /// The recording under way listens for workout commands.
    listening_for_commands: bool,
}

/// How long the editor must rest before its plan is written to disk (one
/// write per pause in typing, not one per keystroke).
pub const SAVE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

impl AppState {
    /// Loads the prefs from `store` (when there is one) and sets up the plan.
    pub fn new(store: Option<Store>, sound: Box<dyn CueSink>, clock: Clock) -> Self {
        let (prefs, problem) = match &store {
            Some(s) => s.load(),
            None => (Prefs::default(), None),
        };
        let plan = prefs.plan;
        sound.set_volume(prefs.volume);
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
            source: Source::default(),
            voice: None,
            listening: Listening::Off,
            heard: None,
            voice_note: None,
            talk_on_start: false,
            frames: Default::default(),
            unsaved_since: None,
            to_check: Vec::new(),
            gym: false,
            fullscreen_sent: false,
            awake: None,
            awake_on: false,
            flashed_at: None,
            dialogue: None,
            gate: Gate::default(),
            hands_free_retry: None,
            listening_for_commands: false,
        }
    }

    /// Keeps the screen on through `awake` while a workout runs.
    pub fn with_awake(mut self, awake: Box<dyn super::awake::StayAwake>) -> Self {
        self.awake = Some(awake);
        self
    }

    /// Connects the command field to a loaded model.
    pub fn with_nlu(mut self, nlu: Option<Arc<Nlu>>) -> Self {
        self.nlu = nlu;
        self
    }

    /// An understanding model is loaded: typed and spoken orders can be read.
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
                let understood = Understood::of(parsed);
                self.take_plan(&understood);
                self.understood = Some(understood);
            }
            Err(e) => self.notices.push(e.to_string()),
        }
    }

    /// Fills the editor with the plan of `understood` when it has one
    /// (sure or to check); returns whether it did.
    fn take_plan(&mut self, understood: &Understood) -> bool {
        match &understood.verdict {
            Verdict::Sure(plan) | Verdict::ToCheck(plan, _) => {
                let mut plan = *plan;
                let said_prepare = understood
                    .parsed
                    .plan
                    .as_ref()
                    .is_ok_and(|v| v.prepare_s.is_some());
                if !said_prepare {
                    plan.prepare = self.editor.plan().prepare;
                }
                self.load_plan(plan);
                self.to_check = understood.verdict.to_check().to_vec();
                true
            }
            Verdict::Refused(e) => {
                self.notices.push(format!("Plan refusé : {e}"));
                false
            }
            Verdict::Incomplete(_) => false,
        }
    }

    /// Microphone button, Enter on an empty field, M held: listens to one
    /// utterance on the voice worker (started on first use). `notify`
    /// wakes the window when the worker has news.
    pub fn talk(&mut self, notify: impl Fn() + Send + 'static) {
        if matches!(self.listening, Listening::Loading | Listening::Listening(_)) {
            return;
        }
        if self.voice.is_none() {
            let path = match self.whisper.as_ref().map(|w| w.status()) {
                Some(WhisperStatus::Present(p)) => p,
                _ => {
                    self.voice_note =
                        Some("Modèle vocal absent : téléchargez-le, ou tapez la commande.".into());
                    return;
                }
            };
            match super::threads::spawn_voice(VoiceConfig::new(path, self.nlu.clone()), notify) {
                Ok(v) => self.voice = Some(v),
                Err(e) => {
                    self.notices.push(format!("Écoute impossible : {e}"));
                    return;
                }
            }
        }
        let expect = if self.dialogue.is_some() {
            Expect::Reply
        } else if matches!(self.run_state(), RunState::Running | RunState::Paused) {
            Expect::Command
        } else {
            Expect::Plan
        };
        self.listening_for_commands = expect == Expect::Command;
        if let Some(voice) = &self.voice {
            voice.listen_for(
                GatedSource {
                    source: self.source.clone(),
                    gate: self.gate.clone(),
                },
                expect,
            );
            self.frames.restart();
            self.listening = Listening::Loading;
            // a new command clears the last note; an answer or hands-free
            // listening keeps what it says
            let active = matches!(self.run_state(), RunState::Running | RunState::Paused);
            if self.dialogue.is_none() && !active {
                self.voice_note = None;
            }
        }
    }

    /// Ends the recording now (M released, button pressed again).
    pub fn stop_talking(&mut self) {
        if let Some(voice) = &self.voice {
            voice.stop_listening();
        }
    }

    /// Applies whatever the voice worker reported since the last frame.
    pub fn poll_voice(&mut self) {
        while let Some(msg) = self.voice.as_ref().and_then(|v| v.try_recv()) {
            self.apply_voice(msg);
        }
    }

    /// One report of the voice pipeline. During a workout only the words
    /// of [`timer_command`] act; otherwise the transcript becomes the
    /// command, and a complete plan fills the editor (and starts, when the
    /// athlete asked for that).
    pub fn apply_voice(&mut self, msg: VoiceMsg) {
        let (heard, missing) = match msg {
            VoiceMsg::Loading => {
                self.listening = Listening::Loading;
                return;
            }
            VoiceMsg::Listening(level) => {
                if !matches!(self.listening, Listening::Listening(_)) {
                    tracing::info!("listening");
                }
                self.listening = Listening::Listening(level);
                return;
            }
            VoiceMsg::Transcribing => {
                self.listening = Listening::Transcribing;
                return;
            }
            VoiceMsg::Error(e) => {
                tracing::warn!("voice: {e}");
                self.listening = Listening::Off;
                self.voice_note = Some(e);
                self.dialogue = None;
                self.hands_free_retry = Some(self.now() + HANDS_FREE_RETRY);
                return;
            }
            // shown at once, but the microphone is still open for the
            // hangover and the final report follows: never started from it
            VoiceMsg::Early(heard) => {
                if self.dialogue.is_none()
                    && !matches!(self.run_state(), RunState::Running | RunState::Paused)
                {
                    self.show_heard(heard, None, false, false);
                }
                return;
            }
            VoiceMsg::Understood(heard) => (heard, None),
            VoiceMsg::NotUnderstood { heard, missing } => (heard, Some(missing)),
        };
        self.listening = Listening::Off;
        tracing::info!(
            "heard {:?} ({}), end of speech -> shown in {:?}",
            heard.transcript,
            missing.as_deref().unwrap_or("understood"),
            heard.timings.end_of_speech_to_plan()
        );
        let f = self.frames;
        tracing::info!(
            "frames while listening and transcribing: {} due, {} late by more than a frame, worst {:?}",
            f.due_frames,
            f.late,
            f.worst
        );
        if let Some(dialogue) = self.dialogue.take() {
            self.answered(dialogue, heard);
            return;
        }
        let active = matches!(self.run_state(), RunState::Running | RunState::Paused);
        if active {
            if self.prefs.hands_free && heard.transcript.trim().is_empty() {
                // hands-free listening heard nothing: listen on, say nothing
                self.heard = Some(heard);
                return;
            }
            let command = timer_command(&heard.transcript);
            tracing::info!("voice command: {command:?} ({:?})", heard.transcript);
            self.voice_note = Some(match command {
                Some(cmd) => {
                    if self.obey(cmd) {
                        format!("Commande vocale : {}", cmd.french())
                    } else {
                        "« Tour » ne compte que pendant le travail d'un AMRAP : rien compté."
                            .to_string()
                    }
                }
                None => format!(
                    "« {} » ignoré pendant la séance : dites {}.",
                    heard.transcript,
                    if self.timer.plan().counts_taps {
                        "pause, reprends, stop, suivant ou tour"
                    } else {
                        "pause, reprends, stop ou suivant"
                    }
                ),
            });
            self.heard = Some(heard);
        } else {
            self.show_heard(heard, missing, self.prefs.auto_start, true);
        }
    }

    /// Puts what was heard in the command bar and its plan in the editor;
    /// a complete plan with nothing to check starts when `may_start`;
    /// otherwise, with read-back on, a `last` plan (not an early one) is
    /// said back and the microphone opens for the answer.
    fn show_heard(&mut self, heard: Heard, missing: Option<String>, may_start: bool, last: bool) {
        let before = self.editor.plan();
        if heard.transcript.is_empty() {
            self.voice_note = missing;
        } else {
            self.command = heard.transcript.clone();
            let understood = heard.parsed.clone().map(Understood::of);
            let taken = understood.as_ref().is_some_and(|u| self.take_plan(u));
            self.understood = understood;
            // a parsed result shows its own gaps under the transcript
            self.voice_note = if heard.parsed.is_none() {
                missing
            } else {
                None
            };
            if taken {
                tracing::info!(
                    "plan shown: {}{}",
                    self.editor.plan().summary(),
                    if self.to_check.is_empty() {
                        ""
                    } else {
                        " (to check)"
                    }
                );
            }
            // a plan with a field to check never starts by itself
            if taken && may_start && self.to_check.is_empty() {
                self.start();
            } else if taken && self.prefs.read_back && last {
                self.read_back(before);
            }
        }
        self.heard = Some(heard);
    }

    /// Says the editor's plan back (and its fields to check), then waits
    /// for the answer; `before` is what « non » puts back.
    fn read_back(&mut self, before: WorkoutPlan) {
        let plan = self.editor.plan();
        let words = speechtimer_core::readback::read_back(&plan, &self.to_check);
        let said = self.say(&words);
        self.dialogue = Some(ReadBack::new(self.now(), said, before));
        tracing::info!(
            "read back ({:.1} s): {}",
            (said + ECHO).as_secs_f64(),
            plan.summary()
        );
        self.voice_note = Some(
            "Répondez à voix haute : « oui », « non », ou une correction (« non, trois minutes »)."
                .into(),
        );
    }

    /// Says `words` now (unless muted) and shuts the microphone while
    /// they sound; how long they take.
    fn say(&mut self, words: &[Word]) -> Duration {
        if self.prefs.muted {
            return Duration::ZERO;
        }
        let names = speechtimer_core::cues::clip_names(words);
        let said = spoken_length(&names);
        self.gate.close_until(Instant::now() + said + ECHO);
        self.sound.say(names, None);
        said
    }

    /// The answer to a read-back: « oui » starts, « non » puts the plan
    /// from before back, a correction changes what it names and is read
    /// back again; anything else is asked again once.
    fn answered(&mut self, mut dialogue: ReadBack, heard: Heard) {
        let reply = match &heard.parsed {
            Some(parsed) => answer_to(&self.editor.plan(), parsed),
            None => answer(&heard.transcript, &[]),
        };
        tracing::info!("answer {:?}: {reply:?}", heard.transcript);
        self.heard = Some(heard.clone());
        match reply {
            Ok(Answer::Yes) => {
                self.voice_note = Some("« Oui » : c'est parti.".into());
                self.start();
            }
            Ok(Answer::No) => {
                self.load_plan(dialogue.before);
                self.say(&[Word::Cancelled]);
                self.voice_note = Some("« Non » : annulé, le plan d'avant est remis.".into());
            }
            Ok(Answer::Correct(c)) => {
                let plan = self.editor.plan();
                match merge(&plan, &c) {
                    Ok(new) => {
                        let to_check = std::mem::take(&mut self.to_check);
                        self.load_plan(new);
                        let names = c.names();
                        self.to_check = to_check
                            .into_iter()
                            .filter(|q| !names.contains(q))
                            .collect();
                        self.command = heard.transcript.clone();
                        self.read_back(dialogue.before);
                    }
                    Err(e) => {
                        self.voice_note = Some(format!("Correction refusée : {e}"));
                    }
                }
            }
            Ok(Answer::Unclear)
                if heard.transcript.trim().is_empty() && !dialogue.expired(self.now()) =>
            {
                // the recording gave up while the read-back still sounded
                // (its silence counts as waiting): listen on
                dialogue.opened = false;
                self.dialogue = Some(dialogue);
            }
            Ok(Answer::Unclear) | Err(_) => {
                dialogue.unclear += 1;
                if heard.transcript.trim().is_empty() {
                    self.voice_note = Some(
                        "Pas de réponse : démarrez avec le bouton, ou parlez à nouveau.".into(),
                    );
                } else if dialogue.unclear < TRIES {
                    self.voice_note = Some(format!(
                        "« {} » : dites « oui », « non » ou une correction.",
                        heard.transcript
                    ));
                    dialogue.opened = false;
                    dialogue.listen_at = self.now();
                    dialogue.answer_by = self.now() + super::dialogue::ANSWER_WINDOW;
                    self.dialogue = Some(dialogue);
                } else {
                    self.voice_note = Some(format!(
                        "« {} » n'est pas une réponse : le plan reste dans l'éditeur.",
                        heard.transcript
                    ));
                }
            }
        }
    }

    /// Whether the microphone should open now (the frame opens it): the
    /// answer to a read-back is due, or hands-free listening is on while
    /// the workout runs. Only a microphone is opened this way (a file would
    /// be heard again); marks the read-back as opened.
    pub fn wants_to_listen(&mut self) -> bool {
        if !matches!(self.source, Source::Microphone(_)) || self.listening != Listening::Off {
            return false;
        }
        let whisper = matches!(
            self.whisper.as_ref().map(|w| w.status()),
            Some(WhisperStatus::Present(_))
        );
        if self.voice.is_none() && !whisper {
            return false;
        }
        let now = self.now();
        if let Some(d) = &mut self.dialogue {
            if d.due(now) {
                d.opened = true;
                return true;
            }
            return false;
        }
        let active = matches!(self.run_state(), RunState::Running | RunState::Paused);
        if self.prefs.hands_free && active && self.hands_free_retry.is_none_or(|t| now >= t) {
            self.hands_free_retry = None;
            return true;
        }
        false
    }

    /// Carries out a spoken timer command; false for a round tap that
    /// counted nothing (no AMRAP, or not in its work).
    fn obey(&mut self, cmd: TimerCommand) -> bool {
        match cmd {
            TimerCommand::Pause => self.pause(),
            TimerCommand::Resume => self.resume(),
            TimerCommand::Stop => self.reset(),
            TimerCommand::Next => self.skip(),
            TimerCommand::Lap => return self.tap(),
            TimerCommand::HowLong => {
                let status = self.timer.status(self.now());
                let words = speechtimer_core::readback::time_left(&status, self.timer.plan());
                self.say(&words);
            }
        }
        true
    }

    /// The time on the app's clock.
    pub fn now(&self) -> std::time::Instant {
        self.clock.now()
    }

    /// Whether the workout is idle, running, paused or finished, now.
    pub fn run_state(&self) -> RunState {
        self.timer.state(self.now())
    }

    /// Advances the timer to now, plays what happened, tells what to show.
    pub fn tick(&mut self) -> Status {
        let now = self.now();
        if self.prefs.hands_free
            && self.dialogue.is_none()
            && matches!(self.listening, Listening::Listening(l) if !l.speaking)
            && matches!(self.run_state(), RunState::Idle | RunState::Finished)
            && self.listening_for_commands
        {
            // the workout is over: hands-free listening ends
            self.listening_for_commands = false;
            self.stop_talking();
        }
        if let Some(d) = &self.dialogue
            && d.opened
            && d.expired(now)
            && matches!(self.listening, Listening::Listening(l) if !l.speaking)
        {
            // no answer began: the recording ends, its empty report ends
            // the read-back
            self.stop_talking();
        }
        let events = self.timer.poll(now);
        self.play(&events);
        self.sync_awake();
        if self
            .unsaved_since
            .is_some_and(|t| now.saturating_duration_since(t) >= SAVE_AFTER)
        {
            self.save();
        }
        if !self.sound_notice_shown
            && let Some(msg) = self.sound.unavailable()
        {
            self.sound_notice_shown = true;
            tracing::warn!("notice: {msg}");
            self.notices.push(msg);
        }
        self.timer.status(now)
    }

    /// Asks the screen to stay on while the workout runs, and lets it go
    /// otherwise (pause, end, reset).
    fn sync_awake(&mut self) {
        let running = self.run_state() == RunState::Running;
        if running != self.awake_on {
            self.awake_on = running;
            if let Some(a) = &self.awake {
                a.set(running);
            }
        }
    }

    /// Plays the cues of `events` in the chosen mode; a sentence of the
    /// coach gets the time until the next cue that sounds.
    fn play(&mut self, events: &[speechtimer_core::timer::Event]) {
        if events.iter().any(super::gym::flashes) {
            self.flashed_at = Some(self.now());
        }
        // what the timer did and when, on its own clock: what the device
        // tests compare a recording of the cues with
        for event in events {
            tracing::info!(
                "timer: {event:?} at {:.3} s",
                self.timer.elapsed(self.now()).as_secs_f64()
            );
        }
        if self.prefs.muted || events.is_empty() {
            return;
        }
        let plan = *self.timer.plan();
        let mode = self.prefs.cue_mode;
        let elapsed = self.timer.elapsed(self.now());
        let room = || {
            self.timer
                .schedule()
                .into_iter()
                .find(|(t, e)| {
                    *t > elapsed && !speechtimer_core::cues::sounds_for(e, &plan, mode).is_empty()
                })
                .map(|(t, _)| t - elapsed)
        };
        for event in events {
            for sound in speechtimer_core::cues::sounds_for(event, &plan, mode) {
                match sound {
                    speechtimer_core::cues::Sound::Beep(cue) => {
                        self.gate.close_until(Instant::now() + BEEP_GATE);
                        self.sound.play(cue);
                    }
                    speechtimer_core::cues::Sound::Say(words) => {
                        let names = speechtimer_core::cues::clip_names(&words);
                        let room = room();
                        let said = spoken_length(&names);
                        let said = room.map_or(said, |r| said.min(r));
                        self.gate.close_until(Instant::now() + said + ECHO);
                        self.sound.say(names, room);
                    }
                }
            }
        }
    }

    /// Starts the editor's plan from the beginning (pressing Démarrer
    /// confirms the fields that were to check).
    pub fn start(&mut self) {
        self.to_check.clear();
        self.dialogue = None;
        let plan = self.editor.plan();
        self.timer = Timer::new(plan);
        let events = self.timer.start(self.now());
        self.play(&events);
        self.prefs.plan = plan;
        self.prefs.remember(plan);
        self.save();
        self.sync_awake();
    }

    /// Space: start when stopped, else pause or resume.
    pub fn toggle(&mut self) {
        match self.run_state() {
            RunState::Idle | RunState::Finished => self.start(),
            RunState::Running => self.timer.pause(self.now()),
            RunState::Paused => self.timer.resume(self.now()),
        }
        self.sync_awake();
    }

    /// Counts one round done in a plan that counts taps (an AMRAP);
    /// Space, the « Tour + 1 » button and « tour » said do it; false when
    /// nothing was counted (not in an AMRAP's work).
    pub fn tap(&mut self) -> bool {
        self.timer.tap(self.now())
    }

    /// Whether the running plan counts rounds by tapping right now.
    pub fn counts_taps_now(&self) -> bool {
        self.timer.plan().counts_taps && self.run_state() == RunState::Running
    }

    /// Pauses a running workout.
    pub fn pause(&mut self) {
        self.timer.pause(self.now());
        self.sync_awake();
    }

    /// Resumes a paused workout.
    pub fn resume(&mut self) {
        self.timer.resume(self.now());
        self.sync_awake();
    }

    /// Jumps to the start of the next phase (a paused workout stays
    /// paused), with its cue.
    pub fn skip(&mut self) {
        let events = self.timer.skip(self.now());
        self.play(&events);
    }

    /// Back to the start of the editor's current plan.
    pub fn reset(&mut self) {
        self.timer = Timer::new(self.editor.plan());
        self.sync_awake();
    }

    /// The athlete edited the field of `q`: it is no longer to check.
    pub fn confirm(&mut self, q: Quantity) {
        self.to_check.retain(|c| *c != q);
    }

    /// The editor's fields changed: keep the plan if valid, show it if idle.
    pub fn editor_changed(&mut self) {
        if self.editor.commit() {
            self.prefs.plan = self.editor.plan();
            if self.run_state() == RunState::Idle {
                self.timer = Timer::new(self.editor.plan());
            }
            // written by `tick` once typing pauses, or by `flush` at exit
            self.unsaved_since = Some(self.now());
        }
    }

    /// Writes prefs still waiting for a pause in typing (window closing).
    pub fn flush(&mut self) {
        if self.unsaved_since.is_some() {
            self.save();
        }
    }

    /// True while an editor change waits to be written.
    pub fn has_unsaved_prefs(&self) -> bool {
        self.unsaved_since.is_some()
    }

    /// Loads a recent plan into the editor.
    pub fn load_plan(&mut self, plan: WorkoutPlan) {
        self.to_check.clear();
        self.editor.set_plan(plan);
        self.prefs.plan = plan;
        if self.run_state() != RunState::Running && self.run_state() != RunState::Paused {
            self.timer = Timer::new(plan);
        }
        self.save();
    }

    /// Turns every cue off or on, and saves the choice.
    pub fn set_muted(&mut self, muted: bool) {
        self.prefs.muted = muted;
        self.save();
    }

    /// Time since the countdown last flashed, when flashing is on and
    /// motion is not reduced.
    pub fn flash_since(&self) -> Option<std::time::Duration> {
        if !self.prefs.flash || self.prefs.reduce_motion {
            return None;
        }
        self.flashed_at
            .map(|t| self.now().saturating_duration_since(t))
    }

    /// Turns the flashes on or off; saved.
    pub fn set_flash(&mut self, on: bool) {
        self.prefs.flash = on;
        self.save();
    }

    /// The athlete's reduced-motion choice (no flash); saved.
    pub fn set_reduce_motion(&mut self, on: bool) {
        self.prefs.reduce_motion = on;
        self.save();
    }

    /// How cues sound from now on; saved.
    pub fn set_cue_mode(&mut self, mode: speechtimer_core::cues::CueMode) {
        self.prefs.cue_mode = mode;
        self.save();
    }

    /// The cues' loudness (0 to 1), applied at once; saved once the
    /// slider rests, like the editor.
    pub fn set_volume(&mut self, volume: f32) {
        self.prefs.volume = volume.clamp(0.0, 1.0);
        self.sound.set_volume(self.prefs.volume);
        self.unsaved_since = Some(self.now());
    }

    /// Whether a plan understood by voice is said back and answered; saved.
    pub fn set_read_back(&mut self, on: bool) {
        self.prefs.read_back = on;
        if !on {
            self.dialogue = None;
        }
        self.save();
    }

    /// Whether the microphone stays open while the workout runs; saved.
    /// Turned off mid-workout, the recording under way ends.
    pub fn set_hands_free(&mut self, on: bool) {
        self.prefs.hands_free = on;
        if !on && self.dialogue.is_none() {
            self.stop_talking();
        }
        self.save();
    }

    /// Whether an understood spoken plan starts at once; saved.
    pub fn set_auto_start(&mut self, on: bool) {
        self.prefs.auto_start = on;
        self.save();
    }

    fn save(&mut self) {
        self.unsaved_since = None;
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
