//! What happens each frame before anything is drawn: the voice worker's
//! reports, keyboard shortcuts, the timer's tick (its cues, the prefs
//! written once typing has paused) and when to draw again. eframe calls it
//! as `App::logic`; `view` only draws what it leaves.

use super::state::{AppState, SAVE_AFTER};
use egui::{Context, Key};
use speechtimer_core::timer::{RunState, Status};
use std::time::{Duration, Instant};

/// Longest wait between two frames of a running countdown (progress bars).
pub const RUNNING_REPAINT: Duration = Duration::from_millis(250);

/// One frame's logic; the timer's status, for the view.
pub fn logic(ctx: &Context, state: &mut AppState) -> Status {
    if std::mem::take(&mut state.talk_on_start) {
        talk(ctx, state);
    }
    let drawn = Instant::now();
    state.frames.frame(drawn);
    state.poll_voice();
    shortcuts(ctx, state);
    let status = state.tick();
    if state.wants_to_listen() {
        talk(ctx, state);
    }
    if let Some(d) = &state.dialogue
        && !d.opened
    {
        // come back when the microphone opens for the answer
        ctx.request_repaint_after(d.listen_at.saturating_duration_since(state.now()));
    }
    if state.gym != state.fullscreen_sent {
        state.fullscreen_sent = state.gym;
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(state.gym));
    }
    if let Some(since) = state.flash_since()
        && since < super::gym::FLASH
    {
        // draw the fade out
        ctx.request_repaint_after(Duration::from_millis(30));
    }
    if status.state == RunState::Running {
        // redraw when the shown second changes, and often enough for the bars
        let next = status.until_next_second().min(RUNNING_REPAINT) + Duration::from_millis(5);
        ctx.request_repaint_after(next);
        state.frames.expect(drawn + next);
    }
    if state.has_unsaved_prefs() {
        // come back to write the plan once typing has paused
        ctx.request_repaint_after(SAVE_AFTER + Duration::from_millis(5));
    }
    status
}

/// Starts listening; the worker wakes the window when it has news.
pub fn talk(ctx: &Context, state: &mut AppState) {
    let ctx = ctx.clone();
    state.talk(move || ctx.request_repaint());
}

/// `key` went down this frame, its auto-repeat aside: a key held (M while
/// talking, Space) acts once.
fn pressed(i: &egui::InputState, key: Key) -> bool {
    i.events.iter().any(
        |e| matches!(e, egui::Event::Key { key: k, pressed: true, repeat: false, .. } if *k == key),
    )
}

/// Space start/pause (in a running AMRAP: one round done), Right skip, R reset, M held to talk, F11 the gym
/// display, Escape out of it; not while typing in a field.
fn shortcuts(ctx: &Context, state: &mut AppState) {
    let (f11, escape) = ctx.input(|i| (i.key_pressed(Key::F11), i.key_pressed(Key::Escape)));
    if f11 {
        state.gym = !state.gym;
    } else if escape && state.gym {
        state.gym = false;
    }
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let (space, right, r, m_down, m_up) = ctx.input(|i| {
        (
            pressed(i, Key::Space),
            pressed(i, Key::ArrowRight),
            pressed(i, Key::R),
            pressed(i, Key::M) && !i.modifiers.any(),
            i.key_released(Key::M),
        )
    });
    if m_down {
        talk(ctx, state);
    }
    if m_up {
        state.stop_talking();
    }
    if space && state.counts_taps_now() {
        state.tap();
    } else if space {
        state.toggle();
    }
    if right {
        state.skip();
    }
    if r {
        state.reset();
    }
}
