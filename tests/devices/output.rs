//! No sound at all, or sound that goes away mid-workout: the timer keeps
//! its time, the athlete is told once, nothing crashes.

use super::cues::onsets;
use super::harness::{self, Display, Pulse, Window};
use std::time::{Duration, Instant};

/// 3 × 4 s / 3 s with 3 s of preparation: 21 s.
const PLAN: &str = r#"{"rounds": 3, "work": 4, "rest": 3, "prepare": 3}"#;
const PLAN_S: f64 = 21.0;

/// Presses Space and returns the wall-clock seconds until the timer says
/// it finished.
fn run_to_the_end(window: &Window, display: &Display, during: impl FnOnce()) -> f64 {
    window.key(display, "key", "space");
    let started = Instant::now();
    assert!(
        window
            .log
            .wait_for("timer: WorkStart", 1, Duration::from_secs(10))
            .is_some(),
        "the plan did not start:\n{}",
        window.log.dump()
    );
    during();
    let done = window
        .log
        .wait_for("timer: Done", 1, Duration::from_secs(40));
    assert!(
        done.is_some(),
        "the plan did not finish:\n{}",
        window.log.dump()
    );
    started.elapsed().as_secs_f64()
}

/// The plan took its time on the wall clock, the athlete was told
/// `notices` times, and the window is still there.
fn counted_on_with_notices(test: &str, window: &mut Window, took: f64, notices: usize) {
    eprintln!("{test}: the plan took {took:.2} s (plan {PLAN_S} s)");
    assert!((took - PLAN_S).abs() < 1.0, "took {took:.2} s");
    let told = window.log.matching("notice:");
    eprintln!("{test}: {told:?}");
    assert_eq!(told.len(), notices, "{}", window.log.dump());
    assert!(window.alive());
    assert!(!window.log.dump().contains("panicked"));
}

#[test]
fn the_timer_counts_on_with_no_sound_server() {
    let _one = harness::one_at_a_time();
    let test = "the_timer_counts_on_with_no_sound_server";
    let Some(display) = Display::start(test) else {
        return;
    };
    let mut window = Window::open(&display, None, &harness::settings(PLAN, "both"));
    let took = run_to_the_end(&window, &display, || {});
    counted_on_with_notices(test, &mut window, took, 1);
}

#[test]
fn the_timer_counts_on_when_the_sound_server_dies_mid_workout() {
    let _one = harness::one_at_a_time();
    let test = "the_timer_counts_on_when_the_sound_server_dies_mid_workout";
    let Some(mut pulse) = Pulse::start(test) else {
        return;
    };
    let Some(display) = Display::start(test) else {
        return;
    };
    let mut window = Window::open(&display, Some(&pulse), &harness::settings(PLAN, "both"));
    assert!(
        window.log.matching("notice:").is_empty(),
        "{}",
        window.log.dump()
    );
    let took = run_to_the_end(&window, &display, || {
        std::thread::sleep(Duration::from_secs(6));
        pulse.kill();
    });
    counted_on_with_notices(test, &mut window, took, 1);
}

#[test]
fn a_playback_stream_the_server_drops_is_opened_again_without_a_notice() {
    let _one = harness::one_at_a_time();
    let test = "a_playback_stream_the_server_drops_is_opened_again_without_a_notice";
    let Some(pulse) = Pulse::start(test) else {
        return;
    };
    let Some(display) = Display::start(test) else {
        return;
    };
    let mut window = Window::open(&display, Some(&pulse), &harness::settings(PLAN, "beeps"));
    let dir = tempfile::tempdir().expect("dir");
    let wav = dir.path().join("cues.wav");
    let rec = pulse.record(&wav);
    let recording = Instant::now();
    let mut dropped_at = 0.0;
    let took = run_to_the_end(&window, &display, || {
        std::thread::sleep(Duration::from_secs(6));
        dropped_at = recording.elapsed().as_secs_f64();
        assert_eq!(pulse.drop_playback_streams(), 1, "the window's stream");
    });
    std::thread::sleep(Duration::from_millis(500));
    rec.stop();
    counted_on_with_notices(test, &mut window, took, 0);
    assert!(
        window
            .log
            .wait_for("audio output opened again", 1, Duration::from_secs(1))
            .is_some(),
        "{}",
        window.log.dump()
    );
    // 15 s of plan after the drop: three work starts, two rest starts, the
    // countdowns and the end all beep
    let after: Vec<f64> = onsets(&wav)
        .into_iter()
        .filter(|t| *t > dropped_at + 0.5)
        .collect();
    eprintln!("{test}: stream dropped at {dropped_at:.2} s; onsets after: {after:.2?}");
    assert!(after.len() >= 5, "cues heard after the drop: {after:?}");
}
