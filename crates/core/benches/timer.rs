//! Timer speed: one frame's poll and status, late in a 999-round plan.

#![allow(
    missing_docs,
    reason = "criterion_group! makes an undocumentable pub fn"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use speechtimer_core::plan::WorkoutPlan;
use speechtimer_core::timer::Timer;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Cost of one frame's work on the timer: poll + status, late in a long plan.
fn poll_and_status(c: &mut Criterion) {
    let plan = WorkoutPlan::new(
        999,
        Duration::from_secs(30),
        Duration::from_secs(10),
        Duration::from_secs(5),
    )
    .expect("valid plan");
    let t0 = Instant::now();
    let mut timer = Timer::new(plan);
    timer.start(t0);
    let mut ms = 20_000_000u64;
    c.bench_function("timer poll+status, round ~500 of 999", |b| {
        b.iter(|| {
            ms += 100;
            let now = t0 + Duration::from_millis(ms % 39_000_000);
            black_box(timer.poll(now));
            black_box(timer.status(now))
        })
    });
}

criterion_group!(benches, poll_and_status);
criterion_main!(benches);
