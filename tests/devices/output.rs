//! No sound at all, or sound that goes away mid-workout: the timer keeps
//! its time, the athlete is told once, nothing crashes.

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

/// The plan took its time on the wall clock, the athlete was told once,
/// and the window is still there.
fn counted_on_with_one_notice(test: &str, window: &mut Window, took: f64) {
    eprintln!("{test}: the plan took {took:.2} s (plan {PLAN_S} s)");
    assert!((took - PLAN_S).abs() < 1.0, "took {took:.2} s");
    let notices = window.log.matching("notice:");
    eprintln!("{test}: {notices:?}");
    assert_eq!(notices.len(), 1, "{}", window.log.dump());
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
    counted_on_with_one_notice(test, &mut window, took);
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
    counted_on_with_one_notice(test, &mut window, took);
}
