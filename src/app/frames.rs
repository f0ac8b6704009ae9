//! How late the window's frames come against the repaints it asked for: a
//! frame drawn more than one display frame (16.7 ms) after it was due is a
//! dropped frame. The voice path logs it for each utterance (the voice
//! worker runs Whisper beside the UI thread on the same cores): measured,
//! never asserted as a timing.

use std::time::{Duration, Instant};

/// One frame at 60 Hz.
pub const FRAME: Duration = Duration::from_micros(16_667);

/// Counts the frames drawn late against the repaints asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameWatch {
    due: Option<Instant>,
    /// Frames drawn at or after the time they were asked for.
    pub due_frames: u32,
    /// Of which later than one frame.
    pub late: u32,
    /// Largest lateness among the frames counted.
    pub worst: Duration,
}

impl FrameWatch {
    /// A frame is drawn at `now`. A frame drawn before the repaint asked
    /// for (an event came first) replaces the request and is not counted.
    pub fn frame(&mut self, now: Instant) {
        let Some(due) = self.due.take() else {
            return;
        };
        if now < due {
            return;
        }
        let lateness = now - due;
        self.due_frames += 1;
        if lateness > FRAME {
            self.late += 1;
        }
        self.worst = self.worst.max(lateness);
    }

    /// A repaint was asked for at `at`.
    pub fn expect(&mut self, at: Instant) {
        self.due = Some(self.due.map_or(at, |d| d.min(at)));
    }

    /// Starts counting again (the request pending is kept).
    pub fn restart(&mut self) {
        *self = Self {
            due: self.due,
            ..Self::default()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_late_by_more_than_one_frame_are_counted() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut w = FrameWatch::default();
        w.frame(t0); // nothing asked for
        w.expect(t0 + ms(250));
        w.frame(t0 + ms(100)); // an event came first: not counted
        w.expect(t0 + ms(350));
        w.frame(t0 + ms(355)); // on time
        w.expect(t0 + ms(600));
        w.frame(t0 + ms(640)); // 40 ms late
        assert_eq!((w.due_frames, w.late, w.worst), (2, 1, ms(40)));
        w.expect(t0 + ms(900));
        w.restart();
        assert_eq!((w.due_frames, w.late), (0, 0));
        w.frame(t0 + ms(901));
        assert_eq!((w.due_frames, w.late, w.worst), (1, 0, ms(1)));
    }
}
