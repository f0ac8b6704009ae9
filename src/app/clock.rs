//! The app's source of time: the system's monotonic clock, or a hand-driven
//! one so tests can fast-forward a workout.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where the app reads the time; clones of a manual clock share its time.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The system's monotonic clock.
    #[default]
    System,
    /// A clock that shows this instant until [`Clock::advance`] moves it.
    Manual(Arc<Mutex<Instant>>),
}

impl Clock {
    /// A clock that only moves when [`Clock::advance`] is called.
    pub fn manual() -> Self {
        Clock::Manual(Arc::new(Mutex::new(Instant::now())))
    }

    /// The time on this clock.
    pub fn now(&self) -> Instant {
        match self {
            Clock::System => Instant::now(),
            Clock::Manual(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Moves a manual clock forward; the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(t) = self {
            let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
            *t += by;
        }
    }
}
