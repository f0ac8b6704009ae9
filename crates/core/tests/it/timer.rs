//! The interval timer against a model of its documented behaviour: random
//! valid plans, random operations at random increasing instants.
//!
//! The model keeps workout time as a position that moves with the clock
//! while running, stands still while paused or idle, jumps to the next phase
//! on `skip` and never passes the total; what `poll` must hand out follows
//! from it: every event of the schedule since the last poll, each phase
//! change however late, half-way and countdown cues only when at most
//! [`MAX_BEEP_LATENESS`] late.

use proptest::prelude::*;
use speechtimer_core::plan::WorkoutPlan;
use speechtimer_core::timer::{Event, MAX_BEEP_LATENESS, Phase, RunState, Timer};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Start,
    Pause,
    Resume,
    Skip,
    Reset,
    Poll,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Start),
        2 => Just(Op::Pause),
        2 => Just(Op::Resume),
        3 => Just(Op::Skip),
        1 => Just(Op::Reset),
        8 => Just(Op::Poll),
    ]
}

/// Time between two operations: often none or a fraction of a second
/// (around the countdown's lateness limit), sometimes long gaps.
fn step() -> impl Strategy<Value = Duration> {
    prop_oneof![
        1 => Just(Duration::ZERO),
        4 => (1u64..1_500).prop_map(Duration::from_millis),
        3 => (1u64..30_000).prop_map(Duration::from_millis),
        1 => (1u64..4_000).prop_map(Duration::from_secs),
    ]
}

/// A valid plan: 1-30 rounds of 1-300 s, 0-120 s of rest, 0-30 s of
/// preparation; half of them in 1-4 blocks with 0-90 s between blocks and a
/// warm-up and a cool-down of 0-60 s.
fn plan() -> impl Strategy<Value = WorkoutPlan> {
    let extras = prop_oneof![
        Just((1u32, 0u64, 0u64, 0u64)),
        (1u32..=4, 0u64..=90, 0u64..=60, 0u64..=60),
    ];
    (1u32..=30, 1u64..=300, 0u64..=120, 0u64..=30, extras).prop_map(
        |(rounds, work, rest, prepare, (sets, set_rest, warmup, cooldown))| {
            let s = Duration::from_secs;
            WorkoutPlan::new(rounds, s(work), s(rest), s(prepare))
                .and_then(|p| p.with_sets(sets, s(set_rest)))
                .and_then(|p| p.with_warmup_cooldown(s(warmup), s(cooldown)))
                .expect("a plan within the limits")
        },
    )
}

fn is_phase_change(e: &Event) -> bool {
    matches!(
        e,
        Event::WarmupStart
            | Event::PrepareStart
            | Event::WorkStart { .. }
            | Event::RestStart { .. }
            | Event::SetRestStart { .. }
            | Event::CooldownStart
            | Event::Done
    )
}

/// A phase of the plan: when it starts, the event that says so, and what
/// the screen shows during it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Change {
    at: Duration,
    event: Event,
    phase: Phase,
    round: u32,
    set: u32,
}

/// The phases of `plan`, from the plan alone (its documentation): the
/// warm-up and the preparation when they are not zero, then each block's
/// rounds of work with the rest between rounds, the rest between blocks
/// (the usual rest when it is zero), the cool-down, then the end.
fn phase_changes(plan: &WorkoutPlan) -> Vec<Change> {
    let mut out = Vec::new();
    let mut at = Duration::ZERO;
    let mut push = |event, phase, round, set, len: Duration| {
        out.push(Change {
            at,
            event,
            phase,
            round,
            set,
        });
        at += len;
    };
    if !plan.warmup.is_zero() {
        push(Event::WarmupStart, Phase::Warmup, 1, 1, plan.warmup);
    }
    if !plan.prepare.is_zero() {
        push(Event::PrepareStart, Phase::Prepare, 1, 1, plan.prepare);
    }
    for set in 1..=plan.sets {
        for round in 1..=plan.rounds {
            push(
                Event::WorkStart { round, set },
                Phase::Work,
                round,
                set,
                plan.work,
            );
            if round < plan.rounds {
                if !plan.rest.is_zero() {
                    push(
                        Event::RestStart { round },
                        Phase::Rest,
                        round,
                        set,
                        plan.rest,
                    );
                }
            } else if set < plan.sets {
                if !plan.set_rest.is_zero() {
                    push(
                        Event::SetRestStart { set },
                        Phase::SetRest,
                        round,
                        set,
                        plan.set_rest,
                    );
                } else if !plan.rest.is_zero() {
                    push(
                        Event::RestStart { round },
                        Phase::Rest,
                        round,
                        set,
                        plan.rest,
                    );
                }
            }
        }
    }
    if !plan.cooldown.is_zero() {
        push(
            Event::CooldownStart,
            Phase::Cooldown,
            plan.rounds,
            plan.sets,
            plan.cooldown,
        );
    }
    push(
        Event::Done,
        Phase::Done,
        plan.rounds,
        plan.sets,
        Duration::ZERO,
    );
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModelRun {
    Idle,
    Running,
    Paused,
}

/// What the timer should do, in workout time.
#[derive(Debug)]
struct Model {
    rounds: u32,
    sets: u32,
    total: Duration,
    changes: Vec<Change>,
    schedule: Vec<(Duration, Event)>,
    run: ModelRun,
    pos: Duration,
    emitted_to: Option<Duration>,
}

impl Model {
    fn new(plan: &WorkoutPlan, schedule: Vec<(Duration, Event)>) -> Self {
        Self {
            rounds: plan.rounds,
            sets: plan.sets,
            total: plan.total(),
            changes: phase_changes(plan),
            schedule,
            run: ModelRun::Idle,
            pos: Duration::ZERO,
            emitted_to: None,
        }
    }

    /// The clock moved by `dt`.
    fn advance(&mut self, dt: Duration) {
        if self.run == ModelRun::Running {
            self.pos = (self.pos + dt).min(self.total);
        }
    }

    fn state(&self) -> RunState {
        match self.run {
            ModelRun::Idle => RunState::Idle,
            _ if self.pos >= self.total => RunState::Finished,
            ModelRun::Running => RunState::Running,
            ModelRun::Paused => RunState::Paused,
        }
    }

    fn poll(&mut self) -> Vec<Event> {
        if self.run == ModelRun::Idle {
            return Vec::new();
        }
        let e = self.pos;
        let after = self.emitted_to;
        let due = self
            .schedule
            .iter()
            .filter(|(t, ev)| {
                after.is_none_or(|a| *t > a)
                    && *t <= e
                    && (is_phase_change(ev) || e - *t <= MAX_BEEP_LATENESS)
            })
            .map(|(_, ev)| *ev)
            .collect();
        self.emitted_to = Some(e);
        due
    }

    fn apply(&mut self, op: Op) -> Vec<Event> {
        match op {
            Op::Start => {
                self.reset();
                self.run = ModelRun::Running;
                self.poll()
            }
            Op::Pause => {
                if self.run == ModelRun::Running && self.pos < self.total {
                    self.run = ModelRun::Paused;
                }
                Vec::new()
            }
            Op::Resume => {
                if self.run == ModelRun::Paused {
                    self.run = ModelRun::Running;
                }
                Vec::new()
            }
            Op::Skip => {
                if self.run == ModelRun::Idle {
                    return Vec::new();
                }
                if let Some(next) = self.changes.iter().find(|c| c.at > self.pos) {
                    self.pos = next.at;
                }
                self.poll()
            }
            Op::Reset => {
                self.reset();
                Vec::new()
            }
            Op::Poll => self.poll(),
        }
    }

    fn reset(&mut self) {
        self.run = ModelRun::Idle;
        self.pos = Duration::ZERO;
        self.emitted_to = None;
    }

    /// The phase at the position, with the time into it and its length.
    fn current(&self) -> (Change, Duration, Duration) {
        let i = self
            .changes
            .iter()
            .rposition(|c| c.at <= self.pos)
            .expect("the first phase starts at zero");
        let change = self.changes[i];
        let len = self
            .changes
            .get(i + 1)
            .map_or(Duration::ZERO, |next| next.at - change.at);
        (change, self.pos - change.at, len)
    }
}

/// The timer beside its model, and what the current run has handed out.
struct Harness {
    timer: Timer,
    model: Model,
    t0: Instant,
    now: Duration,
    run_events: Vec<Event>,
    last_elapsed: Duration,
}

impl Harness {
    fn new(plan: WorkoutPlan) -> Self {
        let timer = Timer::new(plan);
        let model = Model::new(&plan, timer.schedule());
        Self {
            timer,
            model,
            t0: Instant::now(),
            now: Duration::ZERO,
            run_events: Vec::new(),
            last_elapsed: Duration::ZERO,
        }
    }

    fn at(&self) -> Instant {
        self.t0 + self.now
    }

    /// `op` after `dt`, on both, then every check.
    fn step(&mut self, dt: Duration, op: Op) -> Result<(), TestCaseError> {
        self.now += dt;
        self.model.advance(dt);
        let now = self.at();
        let got = match op {
            Op::Start => self.timer.start(now),
            Op::Pause => {
                self.timer.pause(now);
                Vec::new()
            }
            Op::Resume => {
                self.timer.resume(now);
                Vec::new()
            }
            Op::Skip => self.timer.skip(now),
            Op::Reset => {
                self.timer.reset();
                Vec::new()
            }
            Op::Poll => self.timer.poll(now),
        };
        let expected = self.model.apply(op);
        prop_assert_eq!(&got, &expected, "events of {:?} at {:?}", op, self.now);
        let new_run = matches!(op, Op::Start | Op::Reset);
        if new_run {
            self.run_events.clear();
            self.last_elapsed = Duration::ZERO;
        }
        self.run_events.extend(got);
        self.check(new_run)
    }

    fn check(&mut self, new_run: bool) -> Result<(), TestCaseError> {
        let now = self.at();
        let total = self.timer.total();
        let elapsed = self.timer.elapsed(now);
        prop_assert!(
            elapsed <= total,
            "elapsed {elapsed:?} over the total {total:?}"
        );
        prop_assert!(
            new_run || elapsed >= self.last_elapsed,
            "elapsed went back from {:?} to {elapsed:?} within a run",
            self.last_elapsed
        );
        self.last_elapsed = elapsed;
        prop_assert_eq!(elapsed, self.model.pos, "elapsed at {:?}", self.now);
        prop_assert_eq!(
            self.timer.state(now),
            self.model.state(),
            "state at {:?}",
            self.now
        );

        let status = self.timer.status(now);
        prop_assert!(status.phase_elapsed <= status.phase_len, "{status:?}");
        prop_assert_eq!(status.elapsed, elapsed);
        prop_assert_eq!(status.total, total);
        prop_assert_eq!(
            (status.rounds, status.sets),
            (self.model.rounds, self.model.sets)
        );
        prop_assert_eq!(status.state, self.model.state());
        let (change, phase_elapsed, phase_len) = self.model.current();
        prop_assert_eq!(
            (
                status.phase,
                status.round,
                status.set,
                status.phase_elapsed,
                status.phase_len
            ),
            (
                change.phase,
                change.round,
                change.set,
                phase_elapsed,
                phase_len
            ),
            "status at {:?}",
            self.now
        );

        // phase changes of this run: each once, in the schedule's order
        let changes: Vec<Event> = self
            .run_events
            .iter()
            .copied()
            .filter(is_phase_change)
            .collect();
        let planned: Vec<Event> = self.model.changes.iter().map(|c| c.event).collect();
        prop_assert!(
            planned.starts_with(&changes),
            "phase changes {changes:?} are not a prefix of {planned:?}"
        );
        Ok(())
    }
}

proptest! {
    #![proptest_config(crate::config(3000))]

    #[test]
    fn schedule_follows_the_plan(plan in plan()) {
        let timer = Timer::new(plan);
        prop_assert_eq!(timer.total(), plan.total());
        let schedule = timer.schedule();
        prop_assert!(schedule.windows(2).all(|w| w[0].0 <= w[1].0), "unsorted {schedule:?}");
        let changes: Vec<(Duration, Event)> =
            schedule.iter().copied().filter(|(_, e)| is_phase_change(e)).collect();
        let planned: Vec<(Duration, Event)> =
            phase_changes(&plan).into_iter().map(|c| (c.at, c.event)).collect();
        prop_assert_eq!(changes, planned);
        prop_assert_eq!(schedule.last().copied(), Some((plan.total(), Event::Done)));
        prop_assert!(schedule.iter().all(|(t, _)| *t <= plan.total()));
    }

    #[test]
    fn timer_matches_its_model(
        plan in plan(),
        ops in proptest::collection::vec((step(), op()), 0..60),
        tail in step(),
    ) {
        let mut h = Harness::new(plan);
        h.check(true)?;
        for (dt, op) in ops {
            h.step(dt, op)?;
        }
        // then let the workout run to its end: start it, or resume it
        match h.model.run {
            ModelRun::Idle => h.step(Duration::ZERO, Op::Start)?,
            ModelRun::Paused => h.step(Duration::ZERO, Op::Resume)?,
            ModelRun::Running => {}
        }
        let left = h.timer.total() - h.timer.elapsed(h.at());
        h.step(left + tail, Op::Poll)?;
        prop_assert_eq!(h.timer.state(h.at()), RunState::Finished);
        let done = h.run_events.iter().filter(|e| **e == Event::Done).count();
        prop_assert_eq!(done, 1, "Done in {:?}", h.run_events);
        let changes: Vec<Event> = h.run_events.iter().copied().filter(is_phase_change).collect();
        let planned: Vec<Event> = phase_changes(&plan).into_iter().map(|c| c.event).collect();
        prop_assert_eq!(changes, planned);
        // nothing more once done
        h.step(Duration::from_secs(1), Op::Poll)?;
        h.step(Duration::ZERO, Op::Skip)?;
        prop_assert_eq!(h.run_events.iter().filter(|e| **e == Event::Done).count(), 1);
    }
}
