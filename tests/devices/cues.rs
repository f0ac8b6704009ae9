//! The cues as heard: the window runs a short plan into the sound server,
//! the sink's monitor is recorded, and each cue's onset in the recording is
//! compared with when the timer schedules it (`speechtimer cues`), idle and
//! with both cores busy.

use super::harness::{self, Display, Pulse, Window, speechtimer};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// 3 × 4 s / 3 s with 3 s of preparation: 21 s.
const PLAN: &str = r#"{"rounds": 3, "work": 4, "rest": 3, "prepare": 3}"#;
/// How far a cue may sound from its time, either way.
const TOLERANCE_MS: f64 = 80.0;

/// (seconds, what) of every cue `speechtimer cues` schedules.
fn schedule(mode: &str) -> Vec<(f64, String)> {
    let out = Command::new(speechtimer())
        .args(["cues", "3", "4", "3", "3", "--mode", mode])
        .output()
        .expect("speechtimer cues");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|l| {
            let (t, what) = l.split_once('\t')?;
            Some((t.parse().ok()?, what.to_string()))
        })
        .collect()
}

/// Where sounds start in `wav`: 5 ms frames louder than 2 % of full scale
/// after at least 50 ms of quiet.
pub(super) fn onsets(wav: &Path) -> Vec<f64> {
    let mut reader = hound::WavReader::open(wav).expect("recording");
    let rate = reader.spec().sample_rate as usize;
    let samples: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap_or(0)).collect();
    let hop = rate / 200;
    let mut quiet = 10;
    let mut found = Vec::new();
    for (i, frame) in samples.chunks(hop).enumerate() {
        let loud = frame.iter().any(|s| s.unsigned_abs() > 655);
        if loud && quiet >= 10 {
            found.push((i * hop) as f64 / rate as f64);
        }
        quiet = if loud { 0 } else { quiet + 1 };
    }
    found
}

/// Each scheduled cue's offset (ms) from the nearest onset, the first cue
/// taken as the reference (the recording does not start with the timer);
/// `None` for a cue not heard within 350 ms.
fn offsets(schedule: &[(f64, String)], onsets: &[f64]) -> Vec<Option<f64>> {
    let (Some(first), Some(t0)) = (onsets.first(), schedule.first()) else {
        return vec![None; schedule.len()];
    };
    let shift = first - t0.0;
    schedule
        .iter()
        .map(|(t, _)| {
            onsets
                .iter()
                .map(|o| (o - shift - t) * 1000.0)
                .filter(|d| d.abs() < 350.0)
                .min_by(|a, b| a.abs().total_cmp(&b.abs()))
        })
        .collect()
}

/// Runs the plan in a window and returns (median, max) of |offset| in ms,
/// with the table printed.
fn measure(test: &str, mode: &str, pulse: &Pulse, display: &Display) -> (f64, f64) {
    let window = Window::open(display, Some(pulse), &harness::settings(PLAN, mode));
    let dir = tempfile::tempdir().expect("dir");
    let wav = dir.path().join("cues.wav");
    let rec = pulse.record(&wav);
    std::thread::sleep(Duration::from_millis(800));
    window.key(display, "key", "space");
    let finished = window
        .log
        .wait_for("timer: Done", 1, Duration::from_secs(40));
    std::thread::sleep(Duration::from_millis(1500));
    rec.stop();
    assert!(
        finished.is_some(),
        "{test}: the plan did not finish:\n{}",
        window.log.dump()
    );
    let sched = schedule(mode);
    assert!(!sched.is_empty(), "no schedule");
    let heard = onsets(&wav);
    let offs = offsets(&sched, &heard);
    eprintln!("{test} ({mode}): scheduled_s  offset_ms  cue");
    for ((t, what), off) in sched.iter().zip(&offs) {
        match off {
            Some(o) => eprintln!("  {t:7.3}  {o:+5.0}  {what}"),
            None => eprintln!("  {t:7.3}      -  {what} (not heard)"),
        }
    }
    let missing = offs.iter().filter(|o| o.is_none()).count();
    assert_eq!(missing, 0, "{test}: {missing} cue(s) not heard");
    let mut abs: Vec<f64> = offs.iter().flatten().map(|o| o.abs()).collect();
    abs.sort_by(f64::total_cmp);
    let median = abs[abs.len() / 2];
    let max = abs[abs.len() - 1];
    eprintln!(
        "{test} ({mode}): {} cues, |offset| median {median:.0} ms, max {max:.0} ms",
        abs.len()
    );
    (median, max)
}

/// Keeps every core busy until dropped.
struct Burner {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Burner {
    fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..n)
            .map(|_| {
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = std::hint::black_box(
                            x.wrapping_mul(6364136223846793005).wrapping_add(1),
                        );
                    }
                })
            })
            .collect();
        Self { stop, threads }
    }
}

impl Drop for Burner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

#[test]
fn beeps_sound_when_the_timer_says_idle_and_loaded() {
    let _one = harness::one_at_a_time();
    let test = "beeps_sound_when_the_timer_says";
    let Some(pulse) = Pulse::start(test) else {
        return;
    };
    let Some(display) = Display::start(test) else {
        return;
    };
    let (_, idle_max) = measure("idle", "beeps", &pulse, &display);
    let loaded = {
        let _burn = Burner::start();
        measure("loaded", "beeps", &pulse, &display)
    };
    assert!(
        idle_max <= TOLERANCE_MS,
        "idle: a beep {idle_max:.0} ms off"
    );
    assert!(
        loaded.1 <= TOLERANCE_MS,
        "loaded: a beep {:.0} ms off",
        loaded.1
    );
}

#[test]
fn spoken_cues_sound_when_the_timer_says() {
    let _one = harness::one_at_a_time();
    let test = "spoken_cues_sound_when_the_timer_says";
    let Some(pulse) = Pulse::start(test) else {
        return;
    };
    let Some(display) = Display::start(test) else {
        return;
    };
    let (_, max) = measure(test, "both", &pulse, &display);
    assert!(max <= TOLERANCE_MS, "a cue {max:.0} ms off");
}
