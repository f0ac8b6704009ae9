//! Drawing: each panel is a function of `&mut Ui` and the app state. No
//! business logic here; actions go through [`AppState`].

use super::palette;
use super::state::{AppState, Listening, Understood};
use super::whisper::{WhisperModel, WhisperStatus};
use egui::{Align, Key, Layout, RichText, Ui};
use speechtimer_core::cues::CueMode;
use speechtimer_core::plan::{WorkoutPlan, format_duration};
use speechtimer_core::timer::{Phase, RunState, Status};
use speechtimer_core::values::{Label, PlanValues, Quantity};
use speechtimer_nlu::Verdict;
use std::time::Duration;

/// The whole window, for the `status` the frame's logic computed
/// ([`super::frame::logic`]).
pub fn show(ui: &mut Ui, state: &mut AppState, status: &Status) {
    let flash = state.flash_since();
    if state.gym {
        egui::CentralPanel::default().show(ui, |ui| super::gym::show(ui, status, flash));
        return;
    }
    egui::Panel::top("command").show(ui, |ui| command_bar(ui, state));
    egui::Panel::left("plan")
        .default_size(260.0)
        .show(ui, |ui| plan_panel(ui, state, status));
    egui::CentralPanel::default().show(ui, |ui| countdown(ui, status, flash));
}

fn command_bar(ui: &mut Ui, state: &mut AppState) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        mic(ui, state);
        let label = ui.label(RichText::new("Commande").strong());
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut state.command)
                    .hint_text("12 séries de 2 minutes, 30 secondes entre série")
                    .desired_width(ui.available_width() * 0.6),
            )
            .labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        if entered && state.command.trim().is_empty() {
            super::frame::talk(ui.ctx(), state);
        } else if ui
            .add_enabled(state.has_nlu(), egui::Button::new("Comprendre"))
            .clicked()
            || entered
        {
            state.understand();
        }
    });
    listening(ui, state);
    if let Some(u) = &state.understood {
        understood(ui, u, !state.to_check.is_empty());
    }
    if let Some(model) = &state.whisper {
        whisper_bar(ui, model);
    }
    let mut dismissed = None;
    for (i, notice) in state.notices.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.colored_label(palette::WARNING, notice);
            if ui.small_button("OK").clicked() {
                dismissed = Some(i);
            }
        });
    }
    if let Some(i) = dismissed {
        state.notices.remove(i);
    }
    ui.add_space(4.0);
}

/// The big microphone button: talk, or stop the recording.
fn mic(ui: &mut Ui, state: &mut AppState) {
    let recording = matches!(
        state.listening,
        Listening::Loading | Listening::Listening(_)
    );
    let text = if recording { "Arrêter" } else { "Parler" };
    let button = egui::Button::new(RichText::new(text).size(22.0).strong())
        .min_size(egui::vec2(130.0, 40.0));
    let busy = state.listening == Listening::Transcribing;
    let resp = ui
        .add_enabled(!busy, button)
        .on_hover_text("Maintenez M, ou Entrée dans un champ de commande vide");
    if resp.clicked() {
        if recording {
            state.stop_talking();
        } else {
            super::frame::talk(ui.ctx(), state);
        }
    }
}

/// What the voice side is doing: loading, a level meter while listening,
/// transcribing; then what it did or lacked.
fn listening(ui: &mut Ui, state: &AppState) {
    match state.listening {
        Listening::Off => {}
        // no spinner: its 60 fps redraw would take CPU from Whisper
        // (software rendering costs a core)
        Listening::Loading => {
            ui.label("Chargement du modèle vocal…");
        }
        Listening::Listening(level) => {
            ui.horizontal(|ui| {
                ui.label(RichText::new("Je vous écoute…").strong());
                let frac = ((level.db + 60.0) / 60.0).clamp(0.0, 1.0);
                let color = if level.speaking {
                    palette::SPEAKING
                } else {
                    palette::QUIET
                };
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(240.0)
                        .fill(color)
                        .text(format!("{:.0} dB", level.db)),
                );
            });
        }
        Listening::Transcribing => {
            ui.label(RichText::new("Transcription…").strong());
        }
    }
    if let Some(note) = &state.voice_note {
        ui.colored_label(palette::WARNING, note);
    }
    if let Some(heard) = &state.heard
        && state.listening == Listening::Off
        && !heard.transcript.is_empty()
    {
        let t = heard.timings;
        ui.label(
            RichText::new(format!(
                "Entendu en {:.1} s (transcription {:.1} s, compréhension {} ms)",
                t.end_of_speech_to_plan().as_secs_f32(),
                t.asr.as_secs_f32(),
                t.nlu.as_millis()
            ))
            .small()
            .weak(),
        );
    }
}

/// The speech model: an offer to download it when missing, its progress.
fn whisper_bar(ui: &mut Ui, model: &WhisperModel) {
    match model.status() {
        WhisperStatus::Present(_) => {}
        WhisperStatus::Missing => {
            ui.horizontal(|ui| {
                ui.label("Modèle vocal absent : les commandes tapées marchent déjà.");
                if ui
                    .button("Télécharger le modèle vocal (≈ 150 Mo)")
                    .clicked()
                {
                    let ctx = ui.ctx().clone();
                    model.start_download(move || ctx.request_repaint());
                }
            });
        }
        WhisperStatus::Downloading { step, done, total } => {
            let frac = if total > 0 {
                done as f32 / total as f32
            } else {
                0.0
            };
            ui.add(
                egui::ProgressBar::new(frac)
                    .desired_width(ui.available_width() * 0.6)
                    .text(format!(
                        "{step} {} / {} Mo",
                        done / 1_000_000,
                        total / 1_000_000
                    )),
            );
        }
        WhisperStatus::Failed(e) => {
            ui.horizontal(|ui| {
                ui.colored_label(palette::ERROR, format!("Téléchargement échoué : {e}"));
                if ui.button("Réessayer").clicked() {
                    let ctx = ui.ctx().clone();
                    model.start_download(move || ctx.request_repaint());
                }
            });
        }
    }
}

/// The understood text, entities on their label's colour, then its
/// verdict: the plan, or what is missing. `to_check`: fields heard
/// doubtfully are still unchecked in the editor.
fn understood(ui: &mut Ui, u: &Understood, to_check: bool) {
    let parsed = &u.parsed;
    let mut job = egui::text::LayoutJob::default();
    let plain = egui::TextFormat {
        font_id: egui::FontId::proportional(16.0),
        color: ui.visuals().text_color(),
        ..Default::default()
    };
    let chars: Vec<char> = parsed.text.chars().collect();
    let mut at = 0;
    for e in &parsed.entities {
        let before: String = chars[at.min(e.start)..e.start].iter().collect();
        job.append(&before, 0.0, plain.clone());
        job.append(
            &e.text,
            0.0,
            egui::TextFormat {
                background: palette::label(e.label),
                color: palette::ON_COLOUR,
                ..plain.clone()
            },
        );
        at = e.end;
    }
    let rest: String = chars[at.min(chars.len())..].iter().collect();
    job.append(&rest, 0.0, plain);
    ui.horizontal_wrapped(|ui| {
        ui.label(job);
        for e in &parsed.entities {
            ui.label(
                RichText::new(format!("{} = {}", e.text, short_label(e.label)))
                    .small()
                    .color(palette::label(e.label)),
            );
        }
    });
    let values = parsed.plan.as_ref().ok();
    match &u.verdict {
        Verdict::Sure(p) | Verdict::ToCheck(p, _) if to_check => ui.colored_label(
            ui.visuals().warn_fg_color,
            RichText::new(format!(
                "À vérifier : {} — {}. Corrigez le champ ou appuyez sur Démarrer.",
                parsed.trust.french().unwrap_or_default(),
                named_summary(values, p)
            ))
            .strong(),
        ),
        Verdict::Sure(p) | Verdict::ToCheck(p, _) => {
            ui.label(RichText::new(format!("Compris : {}", named_summary(values, p))).strong())
        }
        Verdict::Refused(e) => ui.colored_label(palette::ERROR, format!("Plan refusé : {e}")),
        Verdict::Incomplete(e) => ui.colored_label(
            palette::WARNING,
            format!("Incomplet : {e}. Complétez le plan à gauche."),
        ),
    };
    if parsed.confidence < 0.6 && parsed.plan.is_ok() && !to_check {
        ui.label(RichText::new("Peu sûr : vérifiez le plan avant de démarrer.").italics());
    }
}

/// The plan's summary, after the name of the format said (« Tabata, 8
/// séries… ») unless the summary names it already (an AMRAP).
fn named_summary(values: Option<&PlanValues>, plan: &WorkoutPlan) -> String {
    let summary = plan.summary();
    match values.and_then(|v| v.format) {
        Some(f) if !summary.starts_with(f.name()) => format!("{}, {summary}", f.name()),
        _ => summary,
    }
}

fn short_label(label: Label) -> String {
    let q = label.quantity();
    match label.unit_seconds() {
        _ if !q.is_duration() => q.short_french().to_string(),
        1 => format!("{} (s)", q.short_french()),
        60 => format!("{} (min)", q.short_french()),
        _ => format!("{} (h)", q.short_french()),
    }
}

/// One row of the plan grid: the name (« à vérifier » when `check`) and
/// its field; returns whether the text changed.
fn plan_field(ui: &mut Ui, name: &str, text: &mut String, check: bool) -> bool {
    let warn = ui.visuals().warn_fg_color;
    let label = if check {
        ui.label(
            RichText::new(format!("{name} (à vérifier)"))
                .color(warn)
                .strong(),
        )
    } else {
        ui.label(name)
    };
    let mut field = egui::TextEdit::singleline(text).desired_width(90.0);
    if check {
        field = field.background_color(warn.gamma_multiply(0.35));
    }
    let changed = ui.add(field).labelled_by(label.id).changed();
    ui.end_row();
    changed
}

fn plan_panel(ui: &mut Ui, state: &mut AppState, status: &Status) {
    ui.heading("Plan");
    let mut changed = false;
    let mut confirmed = Vec::new();
    let to_check = state.to_check.clone();
    egui::Grid::new("plan-fields")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let editor = &mut state.editor;
            for (name, text, q) in [
                ("Séries", &mut editor.rounds, Quantity::Rounds),
                ("Travail", &mut editor.work, Quantity::Work),
                ("Repos", &mut editor.rest, Quantity::Rest),
                ("Préparation", &mut editor.prepare, Quantity::Prepare),
            ] {
                if plan_field(ui, name, text, to_check.contains(&q)) {
                    changed = true;
                    confirmed.push(q);
                }
            }
        });
    let more = state.editor.uses_more()
        || to_check.iter().any(|q| {
            !matches!(
                q,
                Quantity::Rounds | Quantity::Work | Quantity::Rest | Quantity::Prepare
            )
        });
    // a plan that uses them (typed, spoken, or a recent one) shows them
    egui::CollapsingHeader::new("Plus d'options")
        .open(more.then_some(true))
        .show(ui, |ui| {
            egui::Grid::new("plan-more")
                .num_columns(2)
                .spacing([8.0, 6.0])
                .show(ui, |ui| {
                    let editor = &mut state.editor;
                    for (name, text, q) in [
                        ("Blocs", &mut editor.sets, Quantity::Sets),
                        ("Repos entre blocs", &mut editor.set_rest, Quantity::SetRest),
                        ("Échauffement", &mut editor.warmup, Quantity::Warmup),
                        ("Retour au calme", &mut editor.cooldown, Quantity::Cooldown),
                        ("Répétitions", &mut editor.reps, Quantity::Reps),
                    ] {
                        if plan_field(ui, name, text, to_check.contains(&q)) {
                            changed = true;
                            confirmed.push(q);
                        }
                    }
                });
            if ui
                .checkbox(&mut state.editor.counts_taps, "Compter les tours (AMRAP)")
                .on_hover_text("Pendant l'effort, Espace ou « Tour + 1 » compte un tour fait")
                .changed()
            {
                changed = true;
                confirmed.push(Quantity::Format);
            }
        });
    for q in confirmed {
        state.confirm(q);
    }
    if changed {
        state.editor_changed();
    }
    match state.editor.error() {
        Some(err) => {
            ui.colored_label(palette::ERROR, err);
            ui.label(
                RichText::new(format!("Plan gardé : {}", state.editor.plan().summary())).weak(),
            );
        }
        None => {
            ui.label(RichText::new(state.editor.plan().summary()).weak());
        }
    }
    ui.label(RichText::new("Durées : 90, 1:30 ou 1m30").small().weak());
    ui.add_space(8.0);
    controls(ui, state, status.state);
    ui.add_space(12.0);
    ui.separator();
    recent_plans(ui, state);
    ui.separator();
    let mut muted = state.prefs.muted;
    if ui
        .checkbox(&mut muted, "Couper les bips")
        .on_hover_text("Aucun son : ni bips ni voix")
        .changed()
    {
        state.set_muted(muted);
    }
    sound_settings(ui, state);
    let mut auto = state.prefs.auto_start;
    if ui
        .checkbox(&mut auto, "Démarrer automatiquement")
        .on_hover_text(
            "Un plan compris à la voix démarre tout de suite (jamais un plan à vérifier)",
        )
        .changed()
    {
        state.set_auto_start(auto);
    }
    let mut read_back = state.prefs.read_back;
    if ui
        .checkbox(&mut read_back, "Relire le plan et attendre « oui »")
        .on_hover_text(
            "Un plan compris à la voix est relu ; le micro s'ouvre pour « oui », « non » ou une correction (« non, trois minutes »)",
        )
        .changed()
    {
        state.set_read_back(read_back);
    }
    let mut hands_free = state.prefs.hands_free;
    if ui
        .checkbox(&mut hands_free, "Mains libres")
        .on_hover_text(
            "Le micro reste ouvert pendant la séance : « pause », « reprends », « suivant », « stop », « combien de temps ? »",
        )
        .changed()
    {
        state.set_hands_free(hands_free);
    }
    ui.label(
        RichText::new(
            "Espace : démarrer/pause · Flèche droite : passer · R : réinitialiser · M (maintenu) : parler",
        )
            .small()
            .weak(),
    );
}

fn controls(ui: &mut Ui, state: &mut AppState, run: RunState) {
    ui.horizontal_wrapped(|ui| {
        match run {
            RunState::Idle | RunState::Finished => {
                if ui.button(RichText::new("Démarrer").size(18.0)).clicked() {
                    state.start();
                }
            }
            RunState::Running => {
                if ui.button(RichText::new("Pause").size(18.0)).clicked() {
                    state.pause();
                }
            }
            RunState::Paused => {
                if ui.button(RichText::new("Reprendre").size(18.0)).clicked() {
                    state.resume();
                }
            }
        }
        if state.counts_taps_now()
            && ui
                .button(RichText::new("Tour + 1").size(18.0))
                .on_hover_text("Espace : un tour fait")
                .clicked()
        {
            state.tap();
        }
        let active = matches!(run, RunState::Running | RunState::Paused);
        if ui
            .add_enabled(active, egui::Button::new("Passer"))
            .clicked()
        {
            state.skip();
        }
        if ui.button("Réinitialiser").clicked() {
            state.reset();
        }
        if ui
            .button("Plein écran")
            .on_hover_text("F11 ; Échap pour revenir")
            .clicked()
        {
            state.gym = true;
        }
    });
}

/// How the cues sound, and how loud.
fn sound_settings(ui: &mut Ui, state: &mut AppState) {
    let mut mode = state.prefs.cue_mode;
    egui::ComboBox::from_label("Annonces")
        .selected_text(mode.label_fr())
        .show_ui(ui, |ui| {
            for m in CueMode::ALL {
                ui.selectable_value(&mut mode, m, m.label_fr());
            }
        });
    if mode != state.prefs.cue_mode {
        state.set_cue_mode(mode);
    }
    let mut flash = state.prefs.flash;
    if ui
        .checkbox(&mut flash, "Flash aux changements")
        .on_hover_text(
            "L'écran du compte à rebours clignote à chaque phase et aux 3 dernières secondes",
        )
        .changed()
    {
        state.set_flash(flash);
    }
    let mut still = state.prefs.reduce_motion;
    if ui
        .checkbox(&mut still, "Réduire les animations")
        .on_hover_text("Aucun clignotement, même si le flash est choisi")
        .changed()
    {
        state.set_reduce_motion(still);
    }
    ui.horizontal(|ui| {
        let label = ui.label("Volume");
        let mut volume = state.prefs.volume * 100.0;
        let slider = egui::Slider::new(&mut volume, 0.0..=100.0)
            .suffix(" %")
            .integer();
        if ui.add(slider).labelled_by(label.id).changed() {
            state.set_volume(volume / 100.0);
        }
    });
}

fn recent_plans(ui: &mut Ui, state: &mut AppState) {
    ui.label(RichText::new("Plans récents").strong());
    if state.prefs.recent.is_empty() {
        ui.label(RichText::new("aucun pour l'instant").weak());
    }
    let mut chosen = None;
    egui::ScrollArea::vertical()
        .max_height(220.0)
        .show(ui, |ui| {
            for plan in &state.prefs.recent {
                if ui.link(plan.summary()).clicked() {
                    chosen = Some(*plan);
                }
            }
        });
    if let Some(plan) = chosen {
        state.load_plan(plan);
    }
}

fn countdown(ui: &mut Ui, status: &Status, flash: Option<Duration>) {
    let rect = ui.max_rect();
    ui.painter()
        .rect_filled(rect, 0.0, palette::phase(status.phase));
    if let Some(since) = flash {
        super::gym::paint_flash(ui, rect, since);
    }
    let big = (rect.height() * 0.38).min(rect.width() * 0.28).max(48.0);
    let white = palette::ON_COLOUR;
    ui.with_layout(Layout::top_down(Align::Center), |ui| {
        ui.add_space(rect.height() * 0.04);
        let title = ui.label(
            RichText::new(super::gym::title(status))
                .size(big * 0.3)
                .color(white)
                .strong(),
        );
        super::gym::live(ui, &title);
        if status.phase != Phase::Done {
            ui.label(super::gym::digits(
                &format_duration(status.shown_remaining()),
                big,
                white,
            ));
        } else {
            ui.label(
                RichText::new("Bravo !")
                    .size(big * 0.6)
                    .color(white)
                    .strong(),
            );
        }
        let round = ui.label(
            RichText::new(status.round_fr())
                .size(big * 0.22)
                .color(white),
        );
        super::gym::live(ui, &round);
        super::gym::targets(ui, status, big * 0.18, white);
        ui.add_space(8.0);
        let width = rect.width() * 0.8;
        ui.add(
            egui::ProgressBar::new(status.phase_progress())
                .desired_width(width)
                .desired_height(18.0)
                .fill(palette::PHASE_BAR)
                .text("Phase"),
        );
        ui.add_space(4.0);
        ui.add(
            egui::ProgressBar::new(status.total_progress())
                .desired_width(width)
                .desired_height(18.0)
                .fill(palette::SESSION_BAR)
                .text("Séance"),
        );
        ui.add_space(6.0);
        ui.label(
            RichText::new(format!(
                "Écoulé {} · Restant {}",
                format_duration(status.elapsed),
                format_duration(status.shown_total_remaining())
            ))
            .size(big * 0.14)
            .color(white),
        );
    });
}
