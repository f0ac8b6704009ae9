//! The microphone shut while the app itself speaks: the app closes the
//! gate until its cue or sentence has left the speakers (plus the output
//! latency), and the blocks read meanwhile come out as silence, so that
//! hands-free listening never hears the coach as a command.

use crate::blocks::{Blocks, CaptureError, OpenBlocks};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shared between the app (which closes it) and the reading thread.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    until: Arc<Mutex<Option<Instant>>>,
}

impl Gate {
    /// Shuts the microphone until `until` (a later time than the one set
    /// already wins).
    pub fn close_until(&self, until: Instant) {
        if let Ok(mut u) = self.until.lock() {
            *u = Some(u.map_or(until, |old| old.max(until)));
        }
    }

    /// Whether blocks read at `now` are dropped.
    pub fn is_closed(&self, now: Instant) -> bool {
        self.until
            .lock()
            .ok()
            .and_then(|u| *u)
            .is_some_and(|u| now < u)
    }
}

/// `inner`'s blocks, silent while the gate is closed.
pub struct Gated {
    inner: Box<dyn Blocks>,
    gate: Gate,
}

impl Blocks for Gated {
    fn next_block(&mut self, timeout: Duration) -> Result<Vec<f32>, CaptureError> {
        let mut block = self.inner.next_block(timeout)?;
        if self.gate.is_closed(Instant::now()) {
            block.fill(0.0);
        }
        Ok(block)
    }
    fn paced(&self) -> bool {
        self.inner.paced()
    }
}

/// Opens `source` behind `gate`.
#[derive(Debug)]
pub struct GatedSource<S> {
    /// What is opened.
    pub source: S,
    /// What shuts it.
    pub gate: Gate,
}

impl<S: OpenBlocks> OpenBlocks for GatedSource<S> {
    fn open(&self) -> Result<Box<dyn Blocks>, CaptureError> {
        Ok(Box::new(Gated {
            inner: self.source.open()?,
            gate: self.gate.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::FileBlocks;

    #[derive(Debug)]
    struct Loud;
    impl OpenBlocks for Loud {
        fn open(&self) -> Result<Box<dyn Blocks>, CaptureError> {
            Ok(Box::new(FileBlocks::new(vec![0.5; 100_000], false)))
        }
    }

    #[test]
    fn blocks_are_silent_while_the_gate_is_closed() {
        let gate = Gate::default();
        let mut b = GatedSource {
            source: Loud,
            gate: gate.clone(),
        }
        .open()
        .unwrap();
        assert!(
            b.next_block(Duration::ZERO)
                .unwrap()
                .iter()
                .all(|&s| s == 0.5)
        );
        gate.close_until(Instant::now() + Duration::from_secs(60));
        // an earlier time does not open it sooner
        gate.close_until(Instant::now());
        assert!(
            b.next_block(Duration::ZERO)
                .unwrap()
                .iter()
                .all(|&s| s == 0.0)
        );
        assert!(!gate.is_closed(Instant::now() + Duration::from_secs(61)));
    }
}
