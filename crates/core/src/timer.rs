//! The interval state machine.
//!
//! Time is always passed in: the timer never reads a clock. Elapsed workout
//! time is derived from the start instant, the accumulated pause time and the
//! time jumped over by skips, so polling often or rarely gives the same
//! answer and nothing drifts.

use crate::plan::WorkoutPlan;
use std::time::{Duration, Instant};

/// Countdown beeps this many whole seconds before each phase ends.
pub const COUNTDOWN_SECONDS: [u32; 3] = [3, 2, 1];
/// A countdown beep more than this late is dropped rather than played.
pub const MAX_BEEP_LATENESS: Duration = Duration::from_millis(500);
/// Work phases at least this long get a half-way cue.
pub const HALFWAY_MIN: Duration = Duration::from_secs(20);

/// A part of the schedule: what the athlete is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The plan's warm-up, before everything; absent when it is zero.
    Warmup,
    /// Before the first round (the plan's `prepare`); absent when it is zero.
    Prepare,
    /// The effort of one round.
    Work,
    /// The rest after a round; none after the last round, nor when the plan's
    /// rest is zero.
    Rest,
    /// The rest between two blocks (the plan's `set_rest`).
    SetRest,
    /// The plan's cool-down, after the last round; absent when it is zero.
    Cooldown,
    /// The workout is over.
    Done,
}

impl Phase {
    /// The phase's name on screen.
    pub fn label_fr(self) -> &'static str {
        match self {
            Phase::Warmup => "Échauffement",
            Phase::Prepare => "Préparation",
            Phase::Work => "Travail",
            Phase::Rest => "Repos",
            Phase::SetRest => "Repos entre blocs",
            Phase::Cooldown => "Retour au calme",
            Phase::Done => "Terminé",
        }
    }
}

/// What the sound layer should play, in the order it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Emitted at start when the plan has a warm-up.
    WarmupStart,
    /// Emitted when the preparation begins (at start, after the warm-up).
    PrepareStart,
    /// Emitted when the work of `round` of block `set` begins (at start
    /// when there is no warm-up nor preparation).
    WorkStart {
        /// The round within its block, from 1.
        round: u32,
        /// The block, from 1.
        set: u32,
    },
    /// Emitted when the rest after `round` begins.
    RestStart {
        /// The round just worked, from 1.
        round: u32,
    },
    /// Emitted when the rest after block `set` begins.
    SetRestStart {
        /// The block just done, from 1.
        set: u32,
    },
    /// Emitted when the cool-down begins.
    CooldownStart,
    /// Half of the work of `round` is done (work phases of at least
    /// [`HALFWAY_MIN`] only); dropped when late, as countdowns are.
    Halfway {
        /// The round, from 1.
        round: u32,
    },
    /// `seconds_left` (3, 2 or 1) before the end of the current phase.
    Countdown {
        /// Whole seconds left in the phase: 3, 2 or 1.
        seconds_left: u32,
    },
    /// Emitted once per run, when the last round's work ends (or is skipped).
    Done,
}

/// Whether the timer is counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Not started, or reset.
    Idle,
    /// Counting.
    Running,
    /// Paused: workout time stands still until resumed.
    Paused,
    /// Workout time has reached the total.
    Finished,
}

/// One phase of the schedule, in workout time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    phase: Phase,
    round: u32,
    set: u32,
    start: Duration,
    len: Duration,
}

impl Segment {
    fn end(&self) -> Duration {
        self.start + self.len
    }

    fn start_event(&self) -> Event {
        match self.phase {
            Phase::Warmup => Event::WarmupStart,
            Phase::Prepare => Event::PrepareStart,
            Phase::Work => Event::WorkStart {
                round: self.round,
                set: self.set,
            },
            Phase::Rest => Event::RestStart { round: self.round },
            Phase::SetRest => Event::SetRestStart { set: self.set },
            Phase::Cooldown => Event::CooldownStart,
            Phase::Done => Event::Done,
        }
    }

    /// The segment's events at their workout times, in order, each with
    /// whether it is a cue that is dropped when late (half-way, countdown)
    /// rather than a phase change that is always handed out.
    fn events(&self) -> impl Iterator<Item = (Duration, Event, bool)> + '_ {
        let start = std::iter::once((self.start, self.start_event(), false));
        let halfway = (self.phase == Phase::Work && self.len >= HALFWAY_MIN).then(|| {
            (
                self.start + self.len / 2,
                Event::Halfway { round: self.round },
                true,
            )
        });
        let countdown = COUNTDOWN_SECONDS.into_iter().filter_map(move |k| {
            let lead = Duration::from_secs(u64::from(k));
            (self.len > lead && self.phase != Phase::Done).then(|| {
                (
                    self.end() - lead,
                    Event::Countdown { seconds_left: k },
                    true,
                )
            })
        });
        start.chain(halfway).chain(countdown)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    Idle,
    Running {
        started: Instant,
    },
    Paused {
        started: Instant,
        paused_at: Instant,
    },
}

/// What the screen shows at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Whether the timer is counting.
    pub state: RunState,
    /// The current phase (before start, the first one).
    pub phase: Phase,
    /// The current round within its block, from 1 (1 during the warm-up
    /// and the preparation, the last round once done).
    pub round: u32,
    /// Rounds in each block.
    pub rounds: u32,
    /// The current block, from 1.
    pub set: u32,
    /// Blocks in the plan (1 for a plain plan).
    pub sets: u32,
    /// Repetitions to do in each round, when the plan sets a target.
    pub reps: Option<u32>,
    /// Rounds the athlete counted by tapping, when the plan counts taps
    /// (an AMRAP).
    pub taps: Option<u32>,
    /// Time spent in the current phase.
    pub phase_elapsed: Duration,
    /// Length of the current phase (zero once done).
    pub phase_len: Duration,
    /// Workout time so far: pauses left out, skipped time counted.
    pub elapsed: Duration,
    /// Length of the whole workout, preparation included.
    pub total: Duration,
}

impl Status {
    /// « Série 3 / 8 », « Série 3 / 8 · Bloc 2 / 3 » with blocks.
    pub fn round_fr(&self) -> String {
        let mut s = format!("Série {} / {}", self.round, self.rounds);
        if self.sets > 1 {
            s.push_str(&format!(" · Bloc {} / {}", self.set, self.sets));
        }
        s
    }

    /// Exact time left in the current phase.
    pub fn phase_remaining(&self) -> Duration {
        self.phase_len.saturating_sub(self.phase_elapsed)
    }

    /// Remaining time of the phase as a stopwatch shows it: rounded up to
    /// the whole second, so "0:01" stays until the phase really ends.
    pub fn shown_remaining(&self) -> Duration {
        ceil_secs(self.phase_remaining())
    }

    /// Time until the shown countdown changes (at most one second).
    pub fn until_next_second(&self) -> Duration {
        let r = self.phase_remaining();
        match r.subsec_nanos() {
            0 if r.is_zero() => Duration::ZERO,
            0 => Duration::from_secs(1),
            n => Duration::from_nanos(u64::from(n)),
        }
    }

    /// Exact time left in the workout.
    pub fn total_remaining(&self) -> Duration {
        self.total.saturating_sub(self.elapsed)
    }

    /// Remaining time of the workout, rounded up like the countdown.
    pub fn shown_total_remaining(&self) -> Duration {
        ceil_secs(self.total_remaining())
    }

    /// Share of the phase done, 0..=1.
    pub fn phase_progress(&self) -> f32 {
        ratio(self.phase_elapsed, self.phase_len)
    }

    /// Share of the workout done, 0..=1.
    pub fn total_progress(&self) -> f32 {
        ratio(self.elapsed, self.total)
    }
}

fn ceil_secs(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs() + u64::from(d.subsec_nanos() > 0))
}

fn ratio(a: Duration, b: Duration) -> f32 {
    if b.is_zero() {
        1.0
    } else {
        (a.as_secs_f64() / b.as_secs_f64()).clamp(0.0, 1.0) as f32
    }
}

/// The interval timer for one plan.
#[derive(Debug, Clone)]
pub struct Timer {
    plan: WorkoutPlan,
    segments: Vec<Segment>,
    total: Duration,
    run: Run,
    paused_total: Duration,
    skipped: Duration,
    /// Workout time up to which events were handed out; `None` before start.
    emitted_to: Option<Duration>,
    /// Rounds counted by tapping since the start.
    taps: u32,
}

impl Timer {
    /// An idle timer for `plan`. A zero preparation or rest has no phase.
    pub fn new(plan: WorkoutPlan) -> Self {
        let (rounds, sets) = (plan.rounds.max(1), plan.sets.max(1));
        let mut segments = Vec::with_capacity((rounds * sets) as usize * 2 + 4);
        let mut at = Duration::ZERO;
        let mut push = |phase, round, set, len: Duration| {
            segments.push(Segment {
                phase,
                round,
                set,
                start: at,
                len,
            });
            at += len;
        };
        if !plan.warmup.is_zero() {
            push(Phase::Warmup, 1, 1, plan.warmup);
        }
        if !plan.prepare.is_zero() {
            push(Phase::Prepare, 1, 1, plan.prepare);
        }
        for set in 1..=sets {
            for round in 1..=rounds {
                push(Phase::Work, round, set, plan.work);
                let last_of_set = round == rounds;
                if !last_of_set && !plan.rest.is_zero() {
                    push(Phase::Rest, round, set, plan.rest);
                } else if last_of_set && set < sets {
                    if !plan.set_rest.is_zero() {
                        push(Phase::SetRest, round, set, plan.set_rest);
                    } else if !plan.rest.is_zero() {
                        push(Phase::Rest, round, set, plan.rest);
                    }
                }
            }
        }
        if !plan.cooldown.is_zero() {
            push(Phase::Cooldown, rounds, sets, plan.cooldown);
        }
        push(Phase::Done, rounds, sets, Duration::ZERO);
        let total = segments.last().map(|s| s.start).unwrap_or_default();
        Self {
            plan,
            segments,
            total,
            run: Run::Idle,
            paused_total: Duration::ZERO,
            skipped: Duration::ZERO,
            emitted_to: None,
            taps: 0,
        }
    }

    /// The plan it runs.
    pub fn plan(&self) -> &WorkoutPlan {
        &self.plan
    }

    /// Length of the whole schedule, preparation included.
    pub fn total(&self) -> Duration {
        self.total
    }

    /// Starts (or restarts from zero) at `now`; returns the first events.
    pub fn start(&mut self, now: Instant) -> Vec<Event> {
        self.reset();
        self.run = Run::Running { started: now };
        self.poll(now)
    }

    /// Stops workout time at `now`; does nothing unless running and not yet finished.
    pub fn pause(&mut self, now: Instant) {
        if let Run::Running { started } = self.run
            && !self.is_finished_at(now)
        {
            self.run = Run::Paused {
                started,
                paused_at: now,
            };
        }
    }

    /// Counts again from `now`, the pause left out; does nothing unless paused.
    pub fn resume(&mut self, now: Instant) {
        if let Run::Paused { started, paused_at } = self.run {
            self.paused_total += now.saturating_duration_since(paused_at);
            self.run = Run::Running { started };
        }
    }

    /// Jumps to the start of the next phase (paused stays paused); returns
    /// the events up to there. Beeps of the skipped part are not played.
    pub fn skip(&mut self, now: Instant) -> Vec<Event> {
        if matches!(self.run, Run::Idle) {
            return Vec::new();
        }
        let e = self.elapsed(now);
        if let Some(seg) = self.segment_at(e)
            && seg.phase != Phase::Done
        {
            self.skipped += seg.end() - e;
        }
        self.poll(now)
    }

    /// Counts one round done, for a plan that counts taps, while it is
    /// running in a work phase; returns whether the tap counted.
    pub fn tap(&mut self, now: Instant) -> bool {
        let counts = self.plan.counts_taps
            && self.state(now) == RunState::Running
            && self.status(now).phase == Phase::Work;
        if counts {
            self.taps += 1;
        }
        counts
    }

    /// Back to the start of the plan, not running.
    pub fn reset(&mut self) {
        self.taps = 0;
        self.run = Run::Idle;
        self.paused_total = Duration::ZERO;
        self.skipped = Duration::ZERO;
        self.emitted_to = None;
    }

    /// Workout time at `now`, from 0 to the total.
    pub fn elapsed(&self, now: Instant) -> Duration {
        let raw = match self.run {
            Run::Idle => return Duration::ZERO,
            Run::Running { started } => now.saturating_duration_since(started),
            Run::Paused { started, paused_at } => paused_at.saturating_duration_since(started),
        };
        (raw.saturating_sub(self.paused_total) + self.skipped).min(self.total)
    }

    /// The instant the workout ends if nothing else happens (while running).
    pub fn ends_at(&self) -> Option<Instant> {
        match self.run {
            Run::Running { started } => {
                Some(started + self.paused_total + self.total.saturating_sub(self.skipped))
            }
            _ => None,
        }
    }

    fn is_finished_at(&self, now: Instant) -> bool {
        !matches!(self.run, Run::Idle) && self.elapsed(now) >= self.total
    }

    /// Whether the timer is idle, running, paused or finished at `now`.
    pub fn state(&self, now: Instant) -> RunState {
        match self.run {
            Run::Idle => RunState::Idle,
            _ if self.is_finished_at(now) => RunState::Finished,
            Run::Running { .. } => RunState::Running,
            Run::Paused { .. } => RunState::Paused,
        }
    }

    /// The segment that holds workout time `t` (the Done marker at the end).
    fn segment_at(&self, t: Duration) -> Option<&Segment> {
        // first segment whose end is after t; zero-length Done only at the end
        let idx = self
            .segments
            .partition_point(|s| s.end() <= t && s.phase != Phase::Done);
        self.segments.get(idx)
    }

    /// What the screen shows at `now`.
    pub fn status(&self, now: Instant) -> Status {
        let elapsed = self.elapsed(now);
        let seg = self
            .segment_at(elapsed)
            .copied()
            .expect("a schedule always ends with its Done segment");
        Status {
            state: self.state(now),
            phase: seg.phase,
            round: seg.round,
            rounds: self.plan.rounds,
            set: seg.set,
            sets: self.plan.sets.max(1),
            reps: self.plan.reps,
            taps: self.plan.counts_taps.then_some(self.taps),
            phase_elapsed: elapsed.saturating_sub(seg.start),
            phase_len: seg.len,
            elapsed,
            total: self.total,
        }
    }

    /// Every event of the plan at its workout time, in order, as a run that
    /// is never paused, skipped or late hands them out.
    pub fn schedule(&self) -> Vec<(Duration, Event)> {
        let mut all: Vec<(Duration, Event)> = self
            .segments
            .iter()
            .flat_map(|s| s.events().map(|(t, e, _)| (t, e)))
            .collect();
        all.sort_by_key(|(t, _)| *t);
        all
    }

    /// Events that happened since the last poll, in order: each phase change
    /// exactly once however late the poll, and countdown beeps only when no
    /// more than [`MAX_BEEP_LATENESS`] late.
    pub fn poll(&mut self, now: Instant) -> Vec<Event> {
        if matches!(self.run, Run::Idle) {
            return Vec::new();
        }
        let e = self.elapsed(now);
        let after = self.emitted_to;
        let fresh = |t: Duration| after.is_none_or(|a| t > a) && t <= e;
        let mut due: Vec<(Duration, Event)> = Vec::new();
        // only segments that end after the last emitted point can hold news
        let first = match after {
            Some(a) => self.segments.partition_point(|s| s.end() < a),
            None => 0,
        };
        for seg in &self.segments[first..] {
            if seg.start > e {
                break;
            }
            for (t, event, cue) in seg.events() {
                if fresh(t) && (!cue || e - t <= MAX_BEEP_LATENESS) {
                    due.push((t, event));
                }
            }
        }
        // stable: a phase start precedes its own countdowns at equal times
        due.sort_by_key(|(t, _)| *t);
        self.emitted_to = Some(e);
        due.into_iter().map(|(_, ev)| ev).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    fn headline() -> WorkoutPlan {
        WorkoutPlan::new(12, s(120), s(30), s(5)).unwrap()
    }

    /// Polls every 100 ms from `from` to `to` seconds after t0.
    fn run_polls(timer: &mut Timer, t0: Instant, from_ms: u64, to_ms: u64) -> Vec<Event> {
        let mut out = Vec::new();
        let mut ms = from_ms;
        while ms <= to_ms {
            out.extend(timer.poll(t0 + Duration::from_millis(ms)));
            ms += 100;
        }
        out
    }

    fn transitions(events: &[Event]) -> Vec<Event> {
        events
            .iter()
            .copied()
            .filter(|e| !matches!(e, Event::Countdown { .. } | Event::Halfway { .. }))
            .collect()
    }

    fn expected_transitions(rounds: u32, prepare: bool, rest: bool) -> Vec<Event> {
        let mut v = Vec::new();
        if prepare {
            v.push(Event::PrepareStart);
        }
        for r in 1..=rounds {
            v.push(Event::WorkStart { round: r, set: 1 });
            if rest && r < rounds {
                v.push(Event::RestStart { round: r });
            }
        }
        v.push(Event::Done);
        v
    }

    #[test]
    fn headline_plan_lasts_29_35_with_events_in_order() {
        let t0 = Instant::now();
        let mut timer = Timer::new(headline());
        assert_eq!(timer.total(), s(29 * 60 + 35));
        let mut events = timer.start(t0);
        assert_eq!(events, vec![Event::PrepareStart]);
        events.extend(run_polls(&mut timer, t0, 100, 1775 * 1000 + 500));
        assert_eq!(transitions(&events), expected_transitions(12, true, true));
        // 3 countdown beeps per phase: prepare + 12 work + 11 rest
        let beeps: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Countdown { seconds_left } => Some(*seconds_left),
                _ => None,
            })
            .collect();
        assert_eq!(beeps.len(), 3 * 24);
        assert!(beeps.chunks(3).all(|c| c == [3, 2, 1]));
        // half-way through each 2-minute work phase, never in a rest
        let halfway: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Halfway { round } => Some(*round),
                _ => None,
            })
            .collect();
        assert_eq!(halfway, (1..=12).collect::<Vec<_>>());
        // a poll-by-poll run hands out exactly the schedule
        assert_eq!(
            events,
            timer
                .schedule()
                .into_iter()
                .map(|(_, e)| e)
                .collect::<Vec<_>>()
        );
        // each phase's beeps come right before the next phase starts
        assert_eq!(
            &events[..5],
            &[
                Event::PrepareStart,
                Event::Countdown { seconds_left: 3 },
                Event::Countdown { seconds_left: 2 },
                Event::Countdown { seconds_left: 1 },
                Event::WorkStart { round: 1, set: 1 },
            ]
        );
        assert_eq!(timer.state(t0 + s(1775)), RunState::Finished);
        assert_eq!(
            timer.state(t0 + s(1775) - Duration::from_nanos(1)),
            RunState::Running
        );
    }

    #[test]
    fn sets_of_rounds_with_warm_up_run_in_order_with_the_right_total() {
        // 3 × (8 × 20 s / 10 s), 60 s between sets, 5 min warm-up, 5 s prep
        let plan = WorkoutPlan::new(8, s(20), s(10), s(5))
            .and_then(|p| p.with_sets(3, s(60)))
            .and_then(|p| p.with_warmup_cooldown(s(300), s(0)))
            .unwrap();
        // 300 + 5 + 3 × (8 × 20 + 7 × 10) + 2 × 60
        assert_eq!(plan.total(), s(300 + 5 + 3 * (160 + 70) + 120));
        let timer = Timer::new(plan);
        assert_eq!(timer.total(), plan.total());
        let phases: Vec<Event> = timer
            .schedule()
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| !matches!(e, Event::Countdown { .. } | Event::Halfway { .. }))
            .collect();
        let mut want = vec![Event::WarmupStart, Event::PrepareStart];
        for set in 1..=3 {
            for round in 1..=8 {
                want.push(Event::WorkStart { round, set });
                if round < 8 {
                    want.push(Event::RestStart { round });
                } else if set < 3 {
                    want.push(Event::SetRestStart { set });
                }
            }
        }
        want.push(Event::Done);
        assert_eq!(phases, want);
        // no rest after the last round: Done comes right after its work
        let sched = timer.schedule();
        let last_work = sched
            .iter()
            .rev()
            .find(|(_, e)| matches!(e, Event::WorkStart { round: 8, set: 3 }))
            .unwrap()
            .0;
        assert_eq!(last_work + s(20), timer.total());
        // the status says which block
        let t0 = Instant::now();
        let mut running = Timer::new(plan);
        running.start(t0);
        let in_set_2 = running.status(t0 + s(300 + 5 + 230 + 60 + 1));
        assert_eq!(
            (in_set_2.phase, in_set_2.round, in_set_2.set, in_set_2.sets),
            (Phase::Work, 1, 2, 3)
        );
        let between = running.status(t0 + s(300 + 5 + 230 + 1));
        assert_eq!((between.phase, between.set), (Phase::SetRest, 1));
        let warm = running.status(t0 + s(10));
        assert_eq!(warm.phase, Phase::Warmup);
    }

    #[test]
    fn the_amrap_counter_counts_taps_while_working() {
        let plan = WorkoutPlan {
            counts_taps: true,
            ..WorkoutPlan::new(1, s(900), s(0), s(5)).unwrap()
        };
        let t0 = Instant::now();
        let mut timer = Timer::new(plan);
        assert!(!timer.tap(t0), "idle: no tap");
        timer.start(t0);
        assert!(!timer.tap(t0 + s(2)), "preparing: no tap");
        for k in 1..=7 {
            assert!(timer.tap(t0 + s(5 + 100 * k)));
        }
        timer.pause(t0 + s(800));
        assert!(!timer.tap(t0 + s(801)), "paused: no tap");
        timer.resume(t0 + s(810));
        assert!(timer.tap(t0 + s(850)));
        let end = timer.status(t0 + s(1000));
        assert_eq!((end.state, end.taps), (RunState::Finished, Some(8)));
        assert!(!timer.tap(t0 + s(1000)), "finished: no tap");
        timer.reset();
        assert_eq!(timer.status(t0).taps, Some(0));
        // a plan that does not count taps shows no counter and ignores taps
        let mut plain = Timer::new(WorkoutPlan::new(1, s(60), s(0), s(0)).unwrap());
        plain.start(t0);
        assert!(!plain.tap(t0 + s(1)));
        assert_eq!(plain.status(t0 + s(1)).taps, None);
    }

    #[test]
    fn zero_set_rest_keeps_the_usual_rest_and_a_cool_down_ends_it() {
        let plan = WorkoutPlan::new(2, s(5), s(3), s(0))
            .and_then(|p| p.with_sets(2, s(0)))
            .and_then(|p| p.with_warmup_cooldown(s(0), s(30)))
            .unwrap();
        let phases: Vec<Event> = Timer::new(plan)
            .schedule()
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| !matches!(e, Event::Countdown { .. }))
            .collect();
        assert_eq!(
            phases,
            vec![
                Event::WorkStart { round: 1, set: 1 },
                Event::RestStart { round: 1 },
                Event::WorkStart { round: 2, set: 1 },
                Event::RestStart { round: 2 },
                Event::WorkStart { round: 1, set: 2 },
                Event::RestStart { round: 1 },
                Event::WorkStart { round: 2, set: 2 },
                Event::CooldownStart,
                Event::Done,
            ]
        );
        assert_eq!(plan.total(), s(4 * 5 + 3 * 3 + 30));
    }

    #[test]
    fn halfway_only_in_work_phases_of_twenty_seconds_or_more() {
        let short = Timer::new(WorkoutPlan::new(3, s(19), s(30), s(0)).unwrap());
        assert!(
            !short
                .schedule()
                .iter()
                .any(|(_, e)| matches!(e, Event::Halfway { .. }))
        );
        let long = Timer::new(WorkoutPlan::new(2, s(20), s(40), s(5)).unwrap());
        let halfway: Vec<_> = long
            .schedule()
            .into_iter()
            .filter(|(_, e)| matches!(e, Event::Halfway { .. }))
            .collect();
        // work 1 runs 5..25 s, work 2 runs 65..85 s
        assert_eq!(
            halfway,
            vec![
                (s(15), Event::Halfway { round: 1 }),
                (s(75), Event::Halfway { round: 2 })
            ]
        );
        // the schedule ends with Done at the total, nothing after it
        let last = long.schedule().last().copied();
        assert_eq!(last, Some((long.total(), Event::Done)));
    }

    #[test]
    fn status_tracks_phase_and_round() {
        let t0 = Instant::now();
        let mut timer = Timer::new(headline());
        let idle = timer.status(t0);
        assert_eq!(
            (idle.state, idle.phase, idle.round),
            (RunState::Idle, Phase::Prepare, 1)
        );
        timer.start(t0);
        let st = timer.status(t0 + s(5 + 120 + 10));
        assert_eq!((st.phase, st.round), (Phase::Rest, 1));
        assert_eq!(st.phase_remaining(), s(20));
        let st = timer.status(t0 + Duration::from_millis(5_000 + 119_200));
        assert_eq!((st.phase, st.round), (Phase::Work, 1));
        assert_eq!(st.shown_remaining(), s(1));
        assert_eq!(st.until_next_second(), Duration::from_millis(800));
        assert_eq!(st.shown_total_remaining(), s(1775 - 124));
        let st = timer.status(t0 + s(5 + 150 * 3 + 10));
        assert_eq!((st.phase, st.round), (Phase::Work, 4));
        let end = timer.status(t0 + s(4000));
        assert_eq!(
            (end.phase, end.state, end.round),
            (Phase::Done, RunState::Finished, 12)
        );
        assert_eq!(end.total_remaining(), Duration::ZERO);
    }

    #[test]
    fn pause_shifts_the_end_by_exactly_the_pause() {
        let t0 = Instant::now();
        let mut timer = Timer::new(headline());
        timer.start(t0);
        timer.pause(t0 + s(600));
        assert_eq!(timer.state(t0 + s(900)), RunState::Paused);
        assert_eq!(timer.elapsed(t0 + s(1200)), s(600));
        timer.resume(t0 + s(1200));
        assert_eq!(timer.ends_at(), Some(t0 + s(1775 + 600)));
        let just_before = t0 + s(1775 + 600) - Duration::from_nanos(1);
        assert_eq!(timer.state(just_before), RunState::Running);
        assert_eq!(timer.state(t0 + s(1775 + 600)), RunState::Finished);
        let events = timer.poll(t0 + s(1775 + 600));
        assert_eq!(events.last(), Some(&Event::Done));
    }

    #[test]
    fn skip_jumps_to_next_phase_without_stale_beeps() {
        let t0 = Instant::now();
        let mut timer = Timer::new(headline());
        timer.start(t0);
        assert_eq!(
            timer.skip(t0 + s(1)),
            vec![Event::WorkStart { round: 1, set: 1 }]
        );
        let st = timer.status(t0 + s(1));
        assert_eq!(
            (st.phase, st.round, st.phase_elapsed),
            (Phase::Work, 1, Duration::ZERO)
        );
        assert_eq!(timer.skip(t0 + s(2)), vec![Event::RestStart { round: 1 }]);
        assert_eq!(
            timer.skip(t0 + s(3)),
            vec![Event::WorkStart { round: 2, set: 1 }]
        );
        // the rest of the workout shifted: total still counted from the jump
        assert_eq!(timer.ends_at(), Some(t0 + s(3) + s(1775 - 5 - 150)));
        // skipping while paused moves on and stays paused
        timer.pause(t0 + s(4));
        assert_eq!(timer.skip(t0 + s(5)), vec![Event::RestStart { round: 2 }]);
        assert_eq!(timer.state(t0 + s(50)), RunState::Paused);
        // skipping the last work ends the workout
        let mut short = Timer::new(WorkoutPlan::new(1, s(60), s(0), s(0)).unwrap());
        short.start(t0);
        assert_eq!(short.skip(t0 + s(10)), vec![Event::Done]);
        assert_eq!(short.state(t0 + s(10)), RunState::Finished);
        assert!(short.skip(t0 + s(11)).is_empty());
    }

    #[test]
    fn reset_returns_to_the_start() {
        let t0 = Instant::now();
        let mut timer = Timer::new(headline());
        timer.start(t0);
        timer.poll(t0 + s(300));
        timer.reset();
        let st = timer.status(t0 + s(301));
        assert_eq!(
            (st.state, st.phase, st.round, st.elapsed),
            (RunState::Idle, Phase::Prepare, 1, Duration::ZERO)
        );
        assert!(timer.poll(t0 + s(302)).is_empty());
        assert_eq!(timer.start(t0 + s(303)), vec![Event::PrepareStart]);
    }

    #[test]
    fn a_two_second_polling_gap_emits_each_transition_once() {
        let t0 = Instant::now();
        let plan = WorkoutPlan::new(5, s(7), s(3), s(2)).unwrap();
        let mut timer = Timer::new(plan);
        let mut events = timer.start(t0);
        let mut t = Duration::ZERO;
        while t <= timer.total() + s(4) {
            t += s(2);
            let batch = timer.poll(t0 + t);
            events.extend(batch);
        }
        assert_eq!(transitions(&events), expected_transitions(5, true, true));
    }

    #[test]
    fn late_countdown_beeps_are_dropped() {
        let t0 = Instant::now();
        let plan = WorkoutPlan::new(1, s(10), s(0), s(0)).unwrap();
        let mut timer = Timer::new(plan);
        timer.start(t0);
        // beep "3" is due at 7 s: polling at 7.4 s still plays it...
        assert_eq!(
            timer.poll(t0 + Duration::from_millis(7_400)),
            vec![Event::Countdown { seconds_left: 3 }]
        );
        // ...beep "2" is due at 8 s: at 8.6 s it is too late and dropped
        assert!(timer.poll(t0 + Duration::from_millis(8_600)).is_empty());
        // jumping past the end gives Done but not the stale beep "1"
        assert_eq!(timer.poll(t0 + s(12)), vec![Event::Done]);
        assert!(timer.poll(t0 + s(13)).is_empty());
    }

    #[test]
    fn two_hour_run_polled_at_random_ends_at_the_exact_instant() {
        let t0 = Instant::now();
        let plan = WorkoutPlan::new(41, s(150), s(30), s(5)).unwrap();
        let total = plan.total();
        assert!(total >= s(7200));
        let mut timer = Timer::new(plan);
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut events = timer.start(t0);
        let mut t = Duration::ZERO;
        let mut finished_seen = None;
        while finished_seen.is_none() {
            t += Duration::from_micros(rng.random_range(1..3_000_000));
            let batch = timer.poll(t0 + t);
            if batch.contains(&Event::Done) {
                finished_seen = Some(t);
            }
            events.extend(batch);
        }
        assert_eq!(transitions(&events), expected_transitions(41, true, true));
        assert!(finished_seen.unwrap() >= total);
        assert_eq!(timer.ends_at(), Some(t0 + total));
        assert_eq!(
            timer.elapsed(t0 + total - Duration::from_nanos(1)),
            total - Duration::from_nanos(1)
        );
        assert_eq!(timer.state(t0 + total), RunState::Finished);
    }

    #[test]
    fn zero_prepare_and_zero_rest_have_no_such_phases() {
        let t0 = Instant::now();
        let mut timer = Timer::new(WorkoutPlan::new(3, s(5), s(0), s(0)).unwrap());
        let mut events = timer.start(t0);
        events.extend(run_polls(&mut timer, t0, 100, 16_000));
        assert_eq!(transitions(&events), expected_transitions(3, false, false));
    }
}
