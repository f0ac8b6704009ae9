//! The gym display: the countdown alone, full screen, readable across the
//! room; the digits drawn without a monospace colon; the flash of the
//! countdown area at each phase change and on the last three seconds.

use super::palette;
use egui::text::{LayoutJob, TextFormat};
use egui::{Align, Color32, FontId, Layout, Rect, RichText, Ui};
use speechtimer_core::plan::format_duration;
use speechtimer_core::timer::{Event, Phase, RunState, Status};
use std::time::Duration;

/// How long a flash lasts, fading out.
pub const FLASH: Duration = Duration::from_millis(300);
/// Digit font size as a share of the screen height (min with the width
/// share below): on a 1920 × 1080 screen, 540 px, digits 410 px
/// tall (see docs/coach-and-display.md, « Digits »).
pub const DIGITS_OF_HEIGHT: f32 = 0.5;
/// Digit font size as a share of the screen width (« 10:00 » must fit).
pub const DIGITS_OF_WIDTH: f32 = 0.28;

/// Whether `event` flashes the screen: phase changes and the countdown's
/// last three seconds (not the half-way point: nothing changes then).
pub fn flashes(event: &Event) -> bool {
    !matches!(event, Event::Halfway { .. })
}

/// « 0:05 » with tabular digits (monospace, so they do not jitter) and a
/// narrow colon (proportional: a monospace colon is as wide as a digit and
/// « 0 : 05 » reads as three things).
pub fn digits(text: &str, size: f32, color: Color32) -> LayoutJob {
    let mut job = LayoutJob::default();
    for c in text.chars() {
        let font = if c.is_ascii_digit() {
            FontId::monospace(size)
        } else {
            FontId::proportional(size)
        };
        job.append(
            &c.to_string(),
            0.0,
            TextFormat {
                font_id: font,
                color,
                ..Default::default()
            },
        );
    }
    job
}

/// The phase's title, « — en pause » added while paused.
pub fn title(status: &Status) -> String {
    let mut title = status.phase.label_fr().to_string();
    if status.state == RunState::Paused {
        title.push_str(" — en pause");
    }
    title
}

/// Makes `label` a live region: AccessKit has screen readers announce it
/// each time its text changes. Only the phase title and the round are
/// live (they change at milestones); the digits, which change every
/// second, are not.
pub fn live(ui: &Ui, label: &egui::Response) {
    ui.ctx().accesskit_node_builder(label.id, |node| {
        node.set_live(egui::accesskit::Live::Polite);
    });
}

/// The countdown area's flash: white over the phase colour, fading out
/// over [`FLASH`]; `since` is the time since the last flashing event.
pub fn paint_flash(ui: &Ui, rect: Rect, since: Duration) {
    if since >= FLASH {
        return;
    }
    let left = 1.0 - since.as_secs_f32() / FLASH.as_secs_f32();
    let alpha = (left * 150.0) as u8;
    ui.painter()
        .rect_filled(rect, 0.0, Color32::from_white_alpha(alpha));
}

/// Under the round: the repetitions to do while working, and in an AMRAP
/// the rounds counted so far (« 7 tours faits » once done).
pub fn targets(ui: &mut Ui, status: &Status, size: f32, colour: Color32) {
    if let Some(reps) = status.reps
        && status.phase == Phase::Work
    {
        ui.label(
            RichText::new(format!("{reps} répétitions"))
                .size(size)
                .color(colour),
        );
    }
    if let Some(taps) = status.taps {
        let plural = if taps > 1 { "s" } else { "" };
        let text = if status.phase == Phase::Done {
            format!("{taps} tour{plural} fait{plural}")
        } else {
            format!("Tours : {taps}")
        };
        let counter = ui.label(RichText::new(text).size(size * 1.2).color(colour).strong());
        live(ui, &counter);
    }
}

/// The whole window in gym mode: phase, digits, « 3 / 12 », time left.
pub fn show(ui: &mut Ui, status: &Status, flash_since: Option<Duration>) {
    let rect = ui.max_rect();
    ui.painter()
        .rect_filled(rect, 0.0, palette::phase(status.phase));
    if let Some(since) = flash_since {
        paint_flash(ui, rect, since);
    }
    let size = (rect.height() * DIGITS_OF_HEIGHT).min(rect.width() * DIGITS_OF_WIDTH);
    let text = palette::ON_COLOUR;
    ui.with_layout(Layout::top_down(Align::Center), |ui| {
        ui.add_space(rect.height() * 0.03);
        let title = ui.label(
            RichText::new(title(status))
                .size(size * 0.24)
                .color(text)
                .strong(),
        );
        live(ui, &title);
        if status.phase == Phase::Done {
            ui.label(
                RichText::new("Bravo !")
                    .size(size * 0.6)
                    .color(text)
                    .strong(),
            );
        } else {
            ui.label(digits(
                &format_duration(status.shown_remaining()),
                size,
                text,
            ));
        }
        let mut rounds = format!("{} / {}", status.round, status.rounds);
        if status.sets > 1 {
            rounds.push_str(&format!(" · bloc {} / {}", status.set, status.sets));
        }
        let round = ui.label(RichText::new(rounds).size(size * 0.22).color(text).strong());
        live(ui, &round);
        targets(ui, status, size * 0.14, text);
        ui.label(
            RichText::new(format!(
                "Reste {}",
                format_duration(status.shown_total_remaining())
            ))
            .size(size * 0.12)
            .color(text),
        );
        ui.label(
            RichText::new("Échap : quitter le plein écran")
                .size(14.0)
                .color(text.gamma_multiply(0.6)),
        );
    });
}
