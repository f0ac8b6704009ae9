//! The window driven as a person would, through egui_kittest, with a hand-
//! moved clock and no sound device.

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use speechtimer::app::clock::Clock;
use speechtimer::app::{AppState, SpeechTimerApp};
use speechtimer_audio::blocks::Level;
use speechtimer_core::timer::{Phase, RunState};
use speechtimer_core::values::Quantity;
use speechtimer_devices::playback::Silent;
use speechtimer_voice::{Heard, Timings, VoiceMsg};
use std::time::Duration;

fn harness(clock: &Clock) -> Harness<'static, SpeechTimerApp> {
    harness_for(AppState::new(
        None,
        Box::new(Silent::default()),
        clock.clone(),
    ))
}

/// A window whose prefs live in `path`, on a hand-moved clock.
fn harness_with_store(path: &std::path::Path, clock: &Clock) -> Harness<'static, SpeechTimerApp> {
    harness_for(AppState::new(
        Some(speechtimer::app::store::Store::at(path)),
        Box::new(Silent::default()),
        clock.clone(),
    ))
}

fn harness_for(state: AppState) -> Harness<'static, SpeechTimerApp> {
    Harness::builder()
        .with_size([1000.0, 700.0])
        .build_ui_state(
            |ui, app: &mut SpeechTimerApp| app.show(ui),
            SpeechTimerApp::new(state),
        )
}

/// Replaces the text of the editor field labelled `label`.
fn type_into(h: &mut Harness<'_, SpeechTimerApp>, label: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    h.step();
}

/// Clicks on the countdown area so no text field keeps the keyboard.
fn leave_fields(h: &mut Harness<'_, SpeechTimerApp>) {
    h.event(egui::Event::PointerButton {
        pos: egui::pos2(700.0, 650.0),
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.event(egui::Event::PointerButton {
        pos: egui::pos2(700.0, 650.0),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.step();
}

/// Whether a label reading exactly `text` is on screen. With `countdown`,
/// only in the countdown area right of the plan panel (the editor has
/// labels of the same names as the phases).
fn shown(h: &Harness<'_, SpeechTimerApp>, text: &str, countdown: bool) -> bool {
    h.query_all_by_role_and_label(Role::Label, text)
        .any(|n| !countdown || n.rect().left() > 300.0)
}

fn shows(h: &Harness<'_, SpeechTimerApp>, text: &str) -> bool {
    shown(h, text, false)
}

fn phase_is(h: &Harness<'_, SpeechTimerApp>, text: &str) -> bool {
    shown(h, text, true)
}

#[test]
fn typed_plan_runs_pauses_rests_and_finishes() {
    let clock = Clock::manual();
    let mut h = harness(&clock);
    h.step();
    type_into(&mut h, "Séries", "12");
    type_into(&mut h, "Travail", "2:00");
    type_into(&mut h, "Repos", "30");
    type_into(&mut h, "Préparation", "5");
    leave_fields(&mut h);
    let plan = h.state().state.editor.plan();
    assert_eq!(plan.rounds, 12);
    assert_eq!(plan.work, Duration::from_secs(120));
    assert_eq!(plan.rest, Duration::from_secs(30));

    h.get_by_label("Démarrer").click();
    h.step();
    assert!(phase_is(&h, "Préparation"));
    clock.advance(Duration::from_secs(5));
    h.step();
    assert!(
        phase_is(&h, "Travail"),
        "work phase after the 5 s preparation"
    );
    assert!(shows(&h, "Série 1 / 12"));
    assert!(shows(&h, "2:00"));

    // Space pauses: the clock moves, the countdown does not
    h.key_press(Key::Space);
    h.step();
    assert!(phase_is(&h, "Travail — en pause"));
    assert!(h.query_by_label("Reprendre").is_some());
    clock.advance(Duration::from_secs(600));
    h.step();
    assert!(shows(&h, "2:00"));
    h.key_press(Key::Space);
    h.step();
    assert!(phase_is(&h, "Travail"));

    clock.advance(Duration::from_secs(121));
    h.step();
    assert!(phase_is(&h, "Repos"), "rest after the first round");
    assert!(shows(&h, "0:29"));

    // Right arrow skips to the next work round
    h.key_press(Key::ArrowRight);
    h.step();
    assert!(shows(&h, "Série 2 / 12"));
    assert!(phase_is(&h, "Travail"));

    clock.advance(Duration::from_secs(2 * 3600));
    h.step();
    assert!(phase_is(&h, "Terminé"));
    assert!(shows(&h, "Série 12 / 12"));
    assert!(h.query_by_label("Démarrer").is_some(), "can start again");

    // R resets to the start of the plan
    h.key_press(Key::R);
    h.step();
    assert!(phase_is(&h, "Préparation"));
    assert_eq!(h.state().state.prefs.recent.first(), Some(&plan));
}

#[test]
fn bad_editor_input_shows_a_message_and_keeps_the_plan() {
    let clock = Clock::manual();
    let mut h = harness(&clock);
    h.step();
    type_into(&mut h, "Séries", "12");
    let good = h.state().state.editor.plan();
    assert_eq!(good.rounds, 12);
    for (field, bad) in [("Séries", "abc"), ("Travail", "-5"), ("Séries", "99999")] {
        type_into(&mut h, field, bad);
        assert_eq!(h.state().state.editor.plan(), good, "{field} = {bad}");
        let msg = h
            .state()
            .state
            .editor
            .error()
            .unwrap_or_default()
            .to_string();
        assert!(msg.contains(bad), "message for {bad}: {msg}");
        assert!(shows(&h, &msg), "message on screen: {msg}");
        type_into(&mut h, field, if field == "Séries" { "12" } else { "0:20" });
    }
    assert_eq!(h.state().state.editor.error(), None);
    // Start runs the last valid plan
    leave_fields(&mut h);
    h.get_by_label("Démarrer").click();
    h.step();
    assert!(shows(&h, "Série 1 / 12"));
}

#[test]
fn edited_plan_is_written_once_typing_pauses_and_at_exit() {
    use speechtimer::app::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let clock = Clock::manual();
    let mut h = harness_with_store(&path, &clock);
    h.step();
    type_into(&mut h, "Séries", "14");
    assert_eq!(h.state().state.editor.plan().rounds, 14);
    // not on disk while the athlete is still typing
    assert!(!path.exists(), "written at the keystroke");
    clock.advance(speechtimer::app::state::SAVE_AFTER);
    h.step();
    let (saved, problem) = Store::at(&path).load();
    assert_eq!(problem, None);
    assert_eq!(saved.plan.rounds, 14);
    // a change followed at once by closing the window is not lost
    type_into(&mut h, "Séries", "9");
    assert_eq!(Store::at(&path).load().0.plan.rounds, 14);
    h.state_mut().state.flush();
    assert_eq!(Store::at(&path).load().0.plan.rounds, 9);
}

#[test]
fn space_typed_in_the_command_field_does_not_start_the_timer() {
    let clock = Clock::manual();
    let mut h = harness(&clock);
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Commande").focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Commande")
        .type_text("12 séries");
    h.key_press(Key::Space);
    h.key_press(Key::R);
    h.step();
    assert!(h.query_by_label("Démarrer").is_some(), "still idle");
    assert!(h.state().state.command.starts_with("12 séries"));
}

#[test]
fn typed_command_fills_the_plan_and_highlights_the_numbers() {
    let clock = Clock::manual();
    let nlu = std::sync::Arc::new(speechtimer_nlu::Nlu::embedded().unwrap());
    let state = AppState::new(None, Box::new(Silent::default()), clock.clone()).with_nlu(Some(nlu));
    let mut h = harness_for(state);
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Commande").focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Commande")
        .type_text("12 séries de 2 minutes, 30 secondes entre série");
    h.step();
    h.get_by_label("Comprendre").click();
    h.step();
    h.step();
    let plan = h.state().state.editor.plan();
    assert_eq!(
        (plan.rounds, plan.work.as_secs(), plan.rest.as_secs()),
        (12, 120, 30)
    );
    assert_eq!(h.state().state.editor.rounds, "12");
    assert_eq!(h.state().state.editor.work, "2:00");
    assert!(shows(&h, "12 = séries"));
    assert!(shows(&h, "2 = effort (min)"));
    assert!(shows(&h, "30 = repos (s)"));
    assert!(shows(
        &h,
        "Compris : 12 séries de 2:00, repos 0:30 — total 29:35"
    ));
    // an incomplete order says what is missing and keeps the plan
    type_into(&mut h, "Commande", "douze séries");
    h.get_by_label("Comprendre").click();
    h.step();
    assert!(
        h.query_all_by_role(Role::Label)
            .any(|n| n.value().is_some_and(|v| v.contains("durée d'effort"))
                || format!("{n:?}").contains("durée d'effort")),
        "says the work duration is missing"
    );
    assert_eq!(h.state().state.editor.plan(), plan);
    // a named format is named in what was understood
    type_into(&mut h, "Commande", "un Tabata");
    h.get_by_label("Comprendre").click();
    h.step();
    h.step();
    assert!(shows_part(
        &h,
        "Compris : Tabata, 8 séries de 0:20, repos 0:10"
    ));
}

#[test]
fn missing_speech_model_is_offered_and_progress_shown() {
    use speechtimer::app::whisper::{WhisperModel, WhisperStatus};
    let clock = Clock::manual();
    let mut state = AppState::new(None, Box::new(Silent::default()), clock.clone());
    let model = WhisperModel::with(WhisperStatus::Missing);
    state.whisper = Some(model.clone());
    let mut h = harness_for(state);
    h.step();
    assert!(
        h.query_by_label("Télécharger le modèle vocal (≈ 150 Mo)")
            .is_some()
    );
    // the plan editor and the timer controls are there without it
    assert!(h.query_by_label("Démarrer").is_some());
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Séries")
            .is_some()
    );
    // what the download thread reports is shown, and the offer is gone
    let downloading = WhisperModel::with(WhisperStatus::Downloading {
        step: "téléchargement de ggml-base.bin".into(),
        done: 74_000_000,
        total: 148_000_000,
    });
    h.state_mut().state.whisper = Some(downloading);
    h.step();
    assert!(
        h.query_by_label_contains("téléchargement de ggml-base.bin 74 / 148 Mo")
            .is_some()
    );
    assert!(
        h.query_by_label("Télécharger le modèle vocal (≈ 150 Mo)")
            .is_none()
    );
    let failed = WhisperModel::with(WhisperStatus::Failed("réseau coupé".into()));
    h.state_mut().state.whisper = Some(failed);
    h.step();
    assert!(
        h.query_by_label_contains("Téléchargement échoué : réseau coupé")
            .is_some()
    );
    assert!(h.query_by_label("Réessayer").is_some());
    let present = WhisperModel::with(WhisperStatus::Present("m.bin".into()));
    h.state_mut().state.whisper = Some(present);
    h.step();
    assert!(
        h.query_by_label("Télécharger le modèle vocal (≈ 150 Mo)")
            .is_none()
    );
}

fn voice_harness(clock: &Clock) -> Harness<'static, SpeechTimerApp> {
    let nlu = std::sync::Arc::new(speechtimer_nlu::Nlu::embedded().unwrap());
    harness_for(AppState::new(None, Box::new(Silent::default()), clock.clone()).with_nlu(Some(nlu)))
}

/// What the voice worker sends for `transcript` (the embedded model reads it).
fn heard(transcript: &str) -> VoiceMsg {
    let parsed = speechtimer_nlu::Nlu::embedded()
        .unwrap()
        .parse(transcript)
        .unwrap();
    let heard = Heard {
        transcript: transcript.to_string(),
        timings: Timings::default(),
        parsed: Some(parsed.clone()),
        speculation: Default::default(),
    };
    match parsed.verdict().plan() {
        Some(_) => VoiceMsg::Understood(heard),
        _ => VoiceMsg::NotUnderstood {
            heard,
            missing: "incomplet".into(),
        },
    }
}

#[test]
fn spoken_plan_fills_the_editor_then_start_runs_it() {
    let clock = Clock::manual();
    let mut h = voice_harness(&clock);
    h.step();
    // the stages show while the worker works
    h.state_mut().state.apply_voice(VoiceMsg::Listening(Level {
        db: -20.0,
        speaking: true,
    }));
    h.step();
    assert!(shows(&h, "Je vous écoute…"));
    assert!(h.query_by_label("Arrêter").is_some());
    h.state_mut().state.apply_voice(VoiceMsg::Transcribing);
    h.step();
    assert!(shows(&h, "Transcription…"));

    let msg = heard("12 séries de 2 minutes, 30 secondes entre série");
    assert!(matches!(msg, VoiceMsg::Understood(_)));
    h.state_mut().state.apply_voice(msg);
    h.step();
    let plan = h.state().state.editor.plan();
    assert_eq!(
        (plan.rounds, plan.work.as_secs(), plan.rest.as_secs()),
        (12, 120, 30)
    );
    assert_eq!(
        h.state().state.command,
        "12 séries de 2 minutes, 30 secondes entre série"
    );
    assert!(shows(&h, "12 = séries"));
    assert!(shows(&h, "30 = repos (s)"));
    assert!(shows(
        &h,
        "Compris : 12 séries de 2:00, repos 0:30 — total 29:35"
    ));
    // nothing starts on its own
    assert!(h.query_by_label("Démarrer").is_some());
    h.get_by_label("Démarrer").click();
    h.step();
    clock.advance(Duration::from_secs(6));
    h.step();
    assert!(phase_is(&h, "Travail"));
    assert!(shows(&h, "Série 1 / 12"));
}

#[test]
fn spoken_plan_starts_by_itself_when_asked() {
    let clock = Clock::manual();
    let mut h = voice_harness(&clock);
    h.step();
    h.get_by_label("Démarrer automatiquement").click();
    h.step();
    assert!(h.state().state.prefs.auto_start);
    h.state_mut().state.apply_voice(heard(
        "huit rounds de vingt secondes avec dix secondes de repos",
    ));
    h.step();
    assert!(phase_is(&h, "Préparation"));
    assert!(shows(&h, "Série 1 / 8"));
}

/// An early plan (heard after a short pause, the microphone still open)
/// is shown but never started; the words said after the pause amend it,
/// and only the final report may start the workout.
#[test]
fn an_early_plan_is_shown_amended_and_only_the_final_one_starts() {
    let clock = Clock::manual();
    let mut h = voice_harness(&clock);
    h.step();
    h.get_by_label("Démarrer automatiquement").click();
    h.step();
    let VoiceMsg::Understood(early) =
        heard("huit rounds de vingt secondes avec dix secondes de repos")
    else {
        panic!("a complete plan");
    };
    h.state_mut().state.apply_voice(VoiceMsg::Early(early));
    h.step();
    assert!(shows_part(&h, "Compris : 8 séries de 0:20, repos 0:10"));
    assert!(h.query_by_label("Démarrer").is_some(), "not started early");
    assert_eq!(h.state().state.run_state(), RunState::Idle);
    // « … avec quinze secondes de repos » said within the hangover
    h.state_mut().state.apply_voice(heard(
        "huit rounds de vingt secondes avec quinze secondes de repos",
    ));
    h.step();
    assert!(phase_is(&h, "Préparation"));
    assert_eq!(h.state().state.editor.plan().rest, Duration::from_secs(15));
}

#[test]
fn spoken_incomplete_plan_says_what_is_missing() {
    let clock = Clock::manual();
    let mut h = voice_harness(&clock);
    h.step();
    let before = h.state().state.editor.plan();
    let msg = heard("douze séries");
    assert!(matches!(msg, VoiceMsg::NotUnderstood { .. }));
    h.state_mut().state.apply_voice(msg);
    h.step();
    assert!(
        h.query_all_by_role(Role::Label)
            .any(|n| format!("{n:?}").contains("durée d'effort")),
        "says the work duration is missing"
    );
    assert_eq!(h.state().state.editor.plan(), before);
    // silence: a message, nothing else changes
    h.state_mut().state.apply_voice(VoiceMsg::NotUnderstood {
        heard: Heard {
            transcript: String::new(),
            parsed: None,
            timings: Timings::default(),
            speculation: Default::default(),
        },
        missing: "je n'ai rien entendu".into(),
    });
    h.step();
    assert!(shows(&h, "je n'ai rien entendu"));
    assert_eq!(h.state().state.editor.plan(), before);
}

/// Whether some label on screen contains `part`.
fn shows_part(h: &Harness<'_, SpeechTimerApp>, part: &str) -> bool {
    h.query_all_by_role(Role::Label)
        .any(|n| format!("{n:?}").contains(part))
}

#[test]
fn an_uncertain_count_is_to_check_and_never_starts_by_itself() {
    let clock = Clock::manual();
    let mut h = voice_harness(&clock);
    h.step();
    h.get_by_label("Démarrer automatiquement").click();
    h.step();
    h.state_mut()
        .state
        .apply_voice(heard("Cesse séries de 30 secondes, 10 secondes de repos"));
    h.step();
    let parsed = h.state().state.understood.clone().unwrap().parsed;
    assert_eq!(parsed.plan.as_ref().map(|p| p.rounds), Ok(16), "{parsed:?}");
    // shown as to check, not as understood, and the field is marked
    assert!(shows_part(
        &h,
        "À vérifier : séries (« Cesse » compris comme 16)"
    ));
    assert!(!shows_part(&h, "Compris :"));
    assert!(shows(&h, "Séries (à vérifier)"));
    assert_eq!(h.state().state.to_check, vec![Quantity::Rounds]);
    // auto-start is on, yet nothing runs
    assert_eq!(h.state().state.run_state(), RunState::Idle);
    assert!(h.state().state.prefs.recent.is_empty());
    // editing the field confirms it
    type_into(&mut h, "Séries (à vérifier)", "6");
    h.step();
    assert!(h.state().state.to_check.is_empty());
    assert!(shows(&h, "Séries"));
    assert!(!shows_part(&h, "À vérifier"));
    // a sure plan still starts by itself
    h.state_mut().state.apply_voice(heard(
        "huit rounds de vingt secondes avec dix secondes de repos",
    ));
    h.step();
    assert!(phase_is(&h, "Préparation"));
}

#[test]
fn pressing_start_confirms_an_uncertain_plan() {
    let clock = Clock::manual();
    let mut h = voice_harness(&clock);
    h.step();
    h.state_mut()
        .state
        .apply_voice(heard("Cesse séries de 30 secondes, 10 secondes de repos"));
    h.step();
    assert!(shows(&h, "Séries (à vérifier)"));
    assert!(
        h.state().state.prefs.recent.is_empty(),
        "not remembered before it runs"
    );
    h.get_by_label("Démarrer").click();
    h.step();
    assert!(h.state().state.to_check.is_empty());
    assert_eq!(h.state().state.prefs.recent[0].rounds, 16);
    clock.advance(Duration::from_secs(6));
    h.step();
    assert!(phase_is(&h, "Travail"));
    assert!(shows(&h, "Série 1 / 16"));
}

#[test]
fn voice_commands_drive_a_running_workout() {
    let clock = Clock::manual();
    let mut h = voice_harness(&clock);
    h.step();
    h.get_by_label("Démarrer").click();
    h.step();
    clock.advance(Duration::from_secs(10));
    h.step();
    assert!(phase_is(&h, "Travail"));
    let say = |h: &mut Harness<'_, SpeechTimerApp>, words: &str| {
        h.state_mut().state.apply_voice(heard(words));
        h.step();
    };
    say(&mut h, "Pause.");
    assert_eq!(h.state().state.run_state(), RunState::Paused);
    assert!(shows(&h, "Commande vocale : pause"));
    say(&mut h, "bonjour");
    assert_eq!(h.state().state.run_state(), RunState::Paused);
    assert!(shows(
        &h,
        "« bonjour » ignoré pendant la séance : dites pause, reprends, stop ou suivant."
    ));
    say(&mut h, "reprends");
    assert_eq!(h.state().state.run_state(), RunState::Running);
    // « tour » counts rounds in an AMRAP only: here it says so and does nothing
    say(&mut h, "Tour !");
    assert!(shows(
        &h,
        "« Tour » ne compte que pendant le travail d'un AMRAP : rien compté."
    ));
    assert!(phase_is(&h, "Travail"));
    assert_eq!(h.state().state.run_state(), RunState::Running);
    say(&mut h, "suivant");
    assert!(phase_is(&h, "Repos"));
    // a plan said during a workout does not replace it
    let plan = h.state().state.editor.plan();
    say(&mut h, "3 séries de 10 secondes");
    assert_eq!(h.state().state.editor.plan(), plan);
    assert_eq!(h.state().state.run_state(), RunState::Running);
    say(&mut h, "Stop !");
    assert_eq!(h.state().state.run_state(), RunState::Idle);
    assert!(h.query_by_label("Démarrer").is_some());
}

#[test]
fn talking_without_a_speech_model_says_so() {
    let clock = Clock::manual();
    let mut h = voice_harness(&clock);
    h.step();
    h.get_by_label("Parler").click();
    h.step();
    assert!(shows(
        &h,
        "Modèle vocal absent : téléchargez-le, ou tapez la commande."
    ));
}

/// Whether the label `text` is a live region (announced when it changes).
fn is_live(h: &Harness<'_, SpeechTimerApp>, text: &str) -> bool {
    h.query_all_by_role_and_label(Role::Label, text)
        .any(|n| n.accesskit_node().live() == egui::accesskit::Live::Polite)
}

#[test]
fn gym_display_shows_the_countdown_alone_and_escape_leaves_it() {
    let clock = Clock::manual();
    let mut h = harness(&clock);
    h.step();
    type_into(&mut h, "Séries", "12");
    leave_fields(&mut h);
    h.get_by_label("Démarrer").click();
    h.step();
    h.key_press(Key::F11);
    h.step();
    assert!(h.state().state.gym);
    // only the phase, the digits, « 1 / 12 » and the time left
    assert!(shows(&h, "Préparation"));
    assert!(shows(&h, "0:05"));
    assert!(shows(&h, "1 / 12"));
    assert!(shows_part(&h, "Reste "));
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Commande")
            .is_none()
    );
    assert!(h.query_by_label("Pause").is_none());
    // the phase and the round are announced when they change; the digits are not
    assert!(is_live(&h, "Préparation"));
    assert!(is_live(&h, "1 / 12"));
    assert!(!is_live(&h, "0:05"));
    // it keeps counting
    clock.advance(Duration::from_secs(6));
    h.step();
    assert!(shows(&h, "Travail"));
    h.key_press(Key::Escape);
    h.step();
    assert!(!h.state().state.gym);
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Commande")
            .is_some()
    );
    // and the button gets back into it
    h.get_by_label("Plein écran").click();
    h.step();
    assert!(h.state().state.gym);
}

#[test]
fn the_countdown_flashes_at_phase_changes_unless_motion_is_reduced() {
    let clock = Clock::manual();
    let mut h = harness(&clock);
    h.step();
    h.get_by_label("Démarrer").click();
    h.step();
    let since = h.state().state.flash_since();
    assert_eq!(since, Some(Duration::ZERO), "flash at the start");
    clock.advance(Duration::from_millis(1500));
    h.step();
    // 1.5 s into a 5 s preparation: no event since the start
    assert_eq!(
        h.state().state.flash_since(),
        Some(Duration::from_millis(1500))
    );
    clock.advance(Duration::from_millis(600));
    h.step();
    // the « 3 » of the countdown, at 2 s
    assert!(h.state().state.flash_since().unwrap() < Duration::from_millis(200));
    h.get_by_label("Réduire les animations").click();
    h.step();
    assert_eq!(h.state().state.flash_since(), None);
}

#[test]
fn volume_and_cue_mode_are_saved_in_prefs() {
    use speechtimer::app::store::Store;
    use speechtimer_core::cues::CueMode;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let clock = Clock::manual();
    let mut h = harness_with_store(&path, &clock);
    h.step();
    assert_eq!(h.state().state.prefs.volume, 0.8);
    // a click in the middle of the slider: half volume
    h.get_by_role_and_label(Role::Slider, "Volume").click();
    h.step();
    let v = h.state().state.prefs.volume;
    assert!((0.4..=0.6).contains(&v), "{v}");
    clock.advance(speechtimer::app::state::SAVE_AFTER);
    h.step();
    let (saved, problem) = Store::at(&path).load();
    assert_eq!(problem, None);
    assert!((saved.volume - v).abs() < 1e-6, "{} vs {v}", saved.volume);
    h.state_mut().state.set_cue_mode(CueMode::Voice);
    assert_eq!(Store::at(&path).load().0.cue_mode, CueMode::Voice);
}

/// A sink with no output device: it says so, and records what it is asked.
/// A sink that records what it is asked (as [`Silent`] does, shared with
/// the test), with or without a device.
struct Recorded {
    asked: std::sync::Arc<Silent>,
    device: bool,
}

impl speechtimer_devices::playback::CueSink for Recorded {
    fn play(&self, cue: speechtimer_core::cues::Cue) {
        self.asked.play(cue);
    }
    fn say(&self, names: Vec<String>, room: Option<Duration>) {
        self.asked.say(names, room);
    }
    fn set_volume(&self, volume: f32) {
        self.asked.set_volume(volume);
    }
    fn unavailable(&self) -> Option<String> {
        (!self.device).then(|| "Pas de sortie audio : le minuteur fonctionne sans bips.".into())
    }
}

/// The sentences `asked` was asked to say, as clip names.
fn sentences(asked: &Silent) -> Vec<Vec<String>> {
    asked
        .asked()
        .into_iter()
        .filter_map(|a| match a {
            speechtimer_devices::playback::Asked::Say(n) => Some(n),
            _ => None,
        })
        .collect()
}

#[test]
fn the_coach_says_the_plan_and_no_device_is_one_notice() {
    use speechtimer_core::cues::CueMode;
    use speechtimer_devices::playback::Asked;
    let asked = std::sync::Arc::new(Silent::default());
    let clock = Clock::manual();
    let sink = Recorded {
        asked: asked.clone(),
        device: false,
    };
    let mut state = AppState::new(None, Box::new(sink), clock.clone());
    state.prefs.cue_mode = CueMode::Voice;
    let mut h = harness_for(state);
    h.step();
    type_into(&mut h, "Séries", "2");
    type_into(&mut h, "Travail", "5");
    type_into(&mut h, "Repos", "3");
    type_into(&mut h, "Préparation", "0");
    leave_fields(&mut h);
    h.get_by_label("Démarrer").click();
    for _ in 0..30 {
        clock.advance(Duration::from_millis(500));
        h.step();
    }
    assert_eq!(h.state().state.run_state(), RunState::Finished);
    let said = sentences(&asked);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        said.first(),
        Some(&s(&["work", "round", "n01", "of", "n02"]))
    );
    assert!(said.contains(&s(&["rest"])));
    assert!(said.contains(&s(&["work", "last_round"])));
    assert_eq!(
        said.last(),
        Some(&s(&["done", "total", "n13", "seconds"])),
        "{said:?}"
    );
    // « 3, 2, 1 » of each 5 s work phase, « 2, 1 » of the 3 s rest
    let counts = said
        .iter()
        .filter(|w| w.len() == 1 && w[0].starts_with('n'))
        .count();
    assert_eq!(counts, 3 + 2 + 3, "{said:?}");
    assert!(!asked.asked().iter().any(|a| matches!(a, Asked::Beep(_))));
    let notices: Vec<_> = h
        .state()
        .state
        .notices
        .iter()
        .filter(|n| n.contains("Pas de sortie audio"))
        .collect();
    assert_eq!(notices.len(), 1);
}

/// Records what the app asks of the screen saver.
#[derive(Clone, Default)]
struct Awake(std::sync::Arc<std::sync::Mutex<Vec<bool>>>);

impl speechtimer::app::awake::StayAwake for Awake {
    fn set(&self, on: bool) {
        self.0.lock().unwrap().push(on);
    }
}

#[test]
fn the_screen_stays_on_while_the_workout_runs_only() {
    let clock = Clock::manual();
    let awake = Awake::default();
    let state = AppState::new(None, Box::new(Silent::default()), clock.clone())
        .with_awake(Box::new(awake.clone()));
    let mut h = harness_for(state);
    h.step();
    type_into(&mut h, "Séries", "1");
    type_into(&mut h, "Travail", "5");
    type_into(&mut h, "Préparation", "0");
    leave_fields(&mut h);
    let asked = || awake.0.lock().unwrap().clone();
    assert_eq!(asked(), Vec::<bool>::new(), "nothing while idle");
    h.get_by_label("Démarrer").click();
    h.step();
    assert_eq!(asked(), [true]);
    h.step();
    h.get_by_label("Pause").click();
    h.step();
    assert_eq!(asked(), [true, false], "released on pause");
    h.step();
    h.get_by_label("Reprendre").click();
    h.step();
    clock.advance(Duration::from_secs(6));
    h.step();
    assert_eq!(h.state().state.run_state(), RunState::Finished);
    assert_eq!(asked(), [true, false, true, false], "released at the end");
}

#[test]
fn more_options_make_blocks_shown_on_the_countdown() {
    let clock = Clock::manual();
    let mut h = harness(&clock);
    h.step();
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Blocs")
            .is_none(),
        "collapsed"
    );
    h.get_by_label("Plus d'options").click();
    h.step();
    type_into(&mut h, "Blocs", "3");
    type_into(&mut h, "Repos entre blocs", "1:00");
    type_into(&mut h, "Répétitions", "15");
    leave_fields(&mut h);
    let plan = h.state().state.editor.plan();
    assert_eq!((plan.sets, plan.reps), (3, Some(15)));
    assert!(shows_part(&h, "3 × 8 séries de 0:20"));
    h.get_by_label("Démarrer").click();
    h.step();
    clock.advance(Duration::from_secs(6));
    h.step();
    assert!(shows(&h, "Série 1 / 8 · Bloc 1 / 3"));
    assert!(shows(&h, "15 répétitions"));
}

#[test]
fn a_spoken_amrap_counts_the_rounds_tapped_and_shows_them_at_the_end() {
    let clock = Clock::manual();
    let mut h = voice_harness(&clock);
    h.step();
    h.state_mut()
        .state
        .apply_voice(heard("AMRAP de 15 minutes avec 10 burpees"));
    h.step();
    let plan = h.state().state.editor.plan();
    assert_eq!(
        (plan.rounds, plan.work, plan.counts_taps, plan.reps),
        (1, Duration::from_secs(900), true, Some(10))
    );
    assert!(h.state().state.editor.counts_taps);
    assert!(shows_part(&h, "AMRAP de 15:00"));
    h.get_by_label("Démarrer").click();
    h.step();
    // Space during the preparation counts nothing (and does not pause)
    h.key_press(Key::Space);
    h.step();
    assert_eq!(h.state().state.run_state(), RunState::Running);
    clock.advance(Duration::from_secs(10));
    h.step();
    assert!(phase_is(&h, "Travail"));
    assert!(shows(&h, "Tours : 0"));
    h.key_press(Key::Space);
    h.step();
    h.key_press(Key::Space);
    h.step();
    h.get_by_label("Tour + 1").click();
    h.step();
    h.state_mut().state.apply_voice(heard("Tour !"));
    h.step();
    assert!(shows(&h, "Tours : 4"), "three taps and one « tour »");
    assert!(shows(&h, "Commande vocale : un tour de plus"));
    h.state_mut().state.apply_voice(heard("bonjour"));
    h.step();
    assert!(shows(
        &h,
        "« bonjour » ignoré pendant la séance : dites pause, reprends, stop, suivant ou tour."
    ));
    assert_eq!(
        h.state().state.run_state(),
        RunState::Running,
        "Space did not pause"
    );
    clock.advance(Duration::from_secs(900));
    h.step();
    assert!(shows(&h, "4 tours faits"));
}

/// Holds `key` down for a few frames, the way a keyboard's auto-repeat
/// sends it (egui marks the presses after the first as repeats), then
/// lets it go.
fn hold(h: &mut Harness<'_, SpeechTimerApp>, key: Key) {
    h.key_down(key);
    h.step();
    for _ in 0..5 {
        h.key_down(key);
        h.step();
    }
    h.key_up(key);
    h.step();
}

#[test]
fn a_held_key_acts_once() {
    let clock = Clock::manual();
    let mut h = harness(&clock);
    h.step();
    // Space held: the workout starts and stays started
    hold(&mut h, Key::Space);
    assert_eq!(h.state().state.run_state(), RunState::Running);
    // Right held: one phase skipped, not six
    clock.advance(Duration::from_secs(1));
    h.step();
    let before = h.state_mut().state.tick();
    hold(&mut h, Key::ArrowRight);
    let after = h.state_mut().state.tick();
    assert_eq!(before.phase, Phase::Prepare);
    assert_eq!(
        (after.phase, after.round),
        (Phase::Work, 1),
        "one skip moves from the preparation to the first round's work"
    );
}

/// A window whose sentences are recorded, with the embedded tagger.
fn read_back_harness(clock: &Clock) -> (Harness<'static, SpeechTimerApp>, std::sync::Arc<Silent>) {
    let asked = std::sync::Arc::new(Silent::default());
    let nlu = std::sync::Arc::new(speechtimer_nlu::Nlu::embedded().unwrap());
    let sink = Recorded {
        asked: asked.clone(),
        device: true,
    };
    let state = AppState::new(None, Box::new(sink), clock.clone()).with_nlu(Some(nlu));
    (harness_for(state), asked)
}

#[test]
fn a_spoken_plan_is_read_back_and_oui_starts_it() {
    let clock = Clock::manual();
    let (mut h, asked) = read_back_harness(&clock);
    h.step();
    assert!(h.state().state.prefs.read_back, "on by default");
    h.state_mut()
        .state
        .apply_voice(heard("12 séries de 2 minutes, 30 secondes entre série"));
    h.step();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        sentences(&asked).last(),
        Some(&s(&[
            "n12",
            "rounds",
            "of_dur",
            "n02",
            "minutes",
            "n30",
            "seconds",
            "of_rest",
            "go_question"
        ]))
    );
    assert!(h.state().state.dialogue.is_some());
    assert!(shows_part(&h, "Répondez à voix haute"));
    assert_eq!(h.state().state.run_state(), RunState::Idle);
    h.state_mut().state.apply_voice(heard("Oui, c'est parti !"));
    h.step();
    assert_eq!(h.state().state.run_state(), RunState::Running);
    assert!(h.state().state.dialogue.is_none());
}

#[test]
fn a_correction_changes_what_it_names_and_is_read_back_again() {
    let clock = Clock::manual();
    let (mut h, asked) = read_back_harness(&clock);
    h.step();
    h.state_mut()
        .state
        .apply_voice(heard("12 séries de 30 minutes, 30 secondes de repos"));
    h.step();
    assert_eq!(
        h.state().state.editor.plan().work,
        Duration::from_secs(1800)
    );
    let before = sentences(&asked).len();
    h.state_mut().state.apply_voice(heard("non, trois minutes"));
    h.step();
    let plan = h.state().state.editor.plan();
    assert_eq!(
        (plan.rounds, plan.work.as_secs(), plan.rest.as_secs()),
        (12, 180, 30)
    );
    let said = sentences(&asked);
    assert_eq!(said.len(), before + 1, "read back again");
    assert!(said.last().unwrap().contains(&"n03".to_string()));
    assert!(
        h.state().state.dialogue.is_some(),
        "waiting for the answer again"
    );
    assert_eq!(h.state().state.run_state(), RunState::Idle);
    h.state_mut().state.apply_voice(heard("vas-y"));
    h.step();
    assert_eq!(h.state().state.run_state(), RunState::Running);
    assert_eq!(h.state().state.timer.plan().work, Duration::from_secs(180));
}

#[test]
fn non_puts_back_the_plan_from_before_and_says_so() {
    let clock = Clock::manual();
    let (mut h, asked) = read_back_harness(&clock);
    h.step();
    let first = h.state().state.editor.plan();
    h.state_mut()
        .state
        .apply_voice(heard("12 séries de 2 minutes, 30 secondes de repos"));
    h.step();
    assert_ne!(h.state().state.editor.plan(), first);
    h.state_mut().state.apply_voice(heard("non, annule"));
    h.step();
    assert_eq!(h.state().state.editor.plan(), first);
    assert_eq!(
        sentences(&asked).last(),
        Some(&vec!["cancelled".to_string()])
    );
    assert!(h.state().state.dialogue.is_none());
    assert_eq!(h.state().state.run_state(), RunState::Idle);
}

#[test]
fn an_unclear_answer_is_asked_again_once_then_the_plan_stays() {
    let clock = Clock::manual();
    let (mut h, _) = read_back_harness(&clock);
    h.step();
    h.state_mut().state.apply_voice(heard(
        "huit rounds de vingt secondes avec dix secondes de repos",
    ));
    h.step();
    let plan = h.state().state.editor.plan();
    h.state_mut().state.apply_voice(heard("bonjour"));
    h.step();
    assert!(h.state().state.dialogue.is_some(), "asked again");
    h.state_mut().state.apply_voice(heard("il fait beau"));
    h.step();
    assert!(h.state().state.dialogue.is_none());
    assert_eq!(h.state().state.editor.plan(), plan);
    assert_eq!(h.state().state.run_state(), RunState::Idle);
}

#[test]
fn without_read_back_the_next_words_are_a_new_command() {
    let clock = Clock::manual();
    let (mut h, asked) = read_back_harness(&clock);
    h.step();
    h.get_by_label("Relire le plan et attendre « oui »").click();
    h.step();
    assert!(!h.state().state.prefs.read_back);
    h.state_mut().state.apply_voice(heard(
        "huit rounds de vingt secondes avec dix secondes de repos",
    ));
    h.step();
    assert!(sentences(&asked).is_empty());
    assert!(h.state().state.dialogue.is_none());
}

#[test]
fn combien_de_temps_is_answered_by_voice_during_the_workout() {
    let clock = Clock::manual();
    let (mut h, asked) = read_back_harness(&clock);
    h.step();
    h.state_mut().state.set_read_back(false);
    h.state_mut()
        .state
        .apply_voice(heard("12 séries de 2 minutes, 30 secondes de repos"));
    h.step();
    h.get_by_label("Démarrer").click();
    h.step();
    // 5 s of preparation, then 10 s into round 1
    clock.advance(Duration::from_secs(15));
    h.step();
    h.state_mut().state.apply_voice(heard("combien de temps ?"));
    h.step();
    let said = sentences(&asked);
    let last = said.last().unwrap();
    assert_eq!(last.first().map(String::as_str), Some("left"), "{last:?}");
    assert!(
        last.ends_with(&["round", "n01", "of", "n12"].map(String::from)),
        "{last:?}"
    );
    assert_eq!(h.state().state.run_state(), RunState::Running);
}
