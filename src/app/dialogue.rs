//! The read-back loop's state: the coach says the plan back and the
//! microphone opens for the answer, shut by the gate until the sentence
//! has left the speakers; « oui » starts, « non » puts back the plan from before, a
//! correction changes what it names and is read back again. `AppState`
//! drives it; this file only holds when and what.

use speechtimer_core::plan::WorkoutPlan;
use std::time::{Duration, Instant};

/// Kept shut after the coach's sentence: the output's latency, so that the
/// read-back is never heard as the answer.
pub const ECHO: Duration = Duration::from_millis(400);

/// How long the microphone waits for an answer to start.
pub const ANSWER_WINDOW: Duration = Duration::from_secs(6);

/// Answers heard that were none of yes, no or a correction before the
/// loop gives up (the plan stays in the editor).
pub const TRIES: u32 = 2;

/// A plan read back, waiting for its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadBack {
    /// When the microphone opens (the app's clock).
    pub listen_at: Instant,
    /// When it closes if no speech has started.
    pub answer_by: Instant,
    /// The editor's plan before the spoken one: what « non » puts back.
    pub before: WorkoutPlan,
    /// The microphone was opened for this answer.
    pub opened: bool,
    /// Answers heard that meant nothing.
    pub unclear: u32,
}

impl ReadBack {
    /// A read-back said at `now` for `said` long. The microphone opens at
    /// once, shut by the gate while the sentence sounds (a capture opened
    /// only after the speaker has played read nothing but silence through
    /// PulseAudio's ALSA plugin in the device tests); the answer window
    /// counts from the end of the sentence.
    pub fn new(now: Instant, said: Duration, before: WorkoutPlan) -> Self {
        let listen_at = now;
        Self {
            listen_at,
            answer_by: now + said + ECHO + ANSWER_WINDOW,
            before,
            opened: false,
            unclear: 0,
        }
    }

    /// Whether the microphone should open now.
    pub fn due(&self, now: Instant) -> bool {
        !self.opened && now >= self.listen_at
    }

    /// Whether the answer window passed with no speech begun.
    pub fn expired(&self, now: Instant) -> bool {
        now >= self.answer_by
    }
}
