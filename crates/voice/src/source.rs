//! Where the pipeline hears from: the microphone, or a WAV file played as
//! if it were one (demos and tests without a microphone). Both go through
//! the same end-of-speech detection.

use speechtimer_audio::capture::{Blocks, Capture, CaptureError};
use speechtimer_audio::resample::TARGET_RATE;
use speechtimer_audio::wav::{self, WavError};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What the worker listens to.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// The default input, or the device whose name contains this.
    Microphone(Option<String>),
    /// A WAV file, followed by silence. `realtime` paces it like a
    /// microphone (the level meter moves); otherwise it is read at once.
    File {
        /// The WAV file, any rate or channel count.
        path: PathBuf,
        /// Pace the blocks like a microphone.
        realtime: bool,
    },
}

impl Default for Source {
    fn default() -> Self {
        Self::Microphone(None)
    }
}

/// Why a [`Source`] could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The microphone could not be opened.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// The file could not be read as 16 kHz mono.
    #[error(transparent)]
    Wav(#[from] WavError),
}

impl Source {
    /// Opens the device or reads the file. Call on the thread that will
    /// read the blocks (a cpal stream stays on its thread).
    pub fn open(&self) -> Result<Box<dyn Blocks>, SourceError> {
        Ok(match self {
            Self::Microphone(device) => Box::new(Capture::open(device.as_deref())?),
            Self::File { path, realtime } => {
                Box::new(FileBlocks::new(wav::read_16k_mono(path)?, *realtime))
            }
        })
    }
}

/// Samples handed out in 30 ms blocks, then silence for ever.
pub struct FileBlocks {
    samples: Vec<f32>,
    pos: usize,
    realtime: bool,
    started: Instant,
}

/// 30 ms at 16 kHz.
const BLOCK: usize = 480;

impl FileBlocks {
    /// Blocks of `samples` (mono, 16 kHz), paced like a microphone when
    /// `realtime`, else handed out at once.
    pub fn new(samples: Vec<f32>, realtime: bool) -> Self {
        Self {
            samples,
            pos: 0,
            realtime,
            started: Instant::now(),
        }
    }
}

impl Blocks for FileBlocks {
    fn next_block(&mut self, _timeout: Duration) -> Result<Vec<f32>, CaptureError> {
        let end = (self.pos + BLOCK).min(self.samples.len());
        let mut block = self.samples[self.pos.min(end)..end].to_vec();
        block.resize(BLOCK, 0.0);
        self.pos += BLOCK;
        if self.realtime {
            let due = self.started + Duration::from_secs_f64(self.pos as f64 / TARGET_RATE as f64);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        Ok(block)
    }
    fn paced(&self) -> bool {
        self.realtime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_plays_in_blocks_then_silence() {
        let mut b = FileBlocks::new(vec![0.5; 1000], false);
        let a = b.next_block(Duration::ZERO).unwrap();
        let c = b.next_block(Duration::ZERO).unwrap();
        let d = b.next_block(Duration::ZERO).unwrap();
        let e = b.next_block(Duration::ZERO).unwrap();
        assert_eq!([a.len(), c.len(), d.len(), e.len()], [BLOCK; 4]);
        assert!(a.iter().chain(&c).all(|&s| s == 0.5));
        assert_eq!(d.iter().filter(|&&s| s == 0.5).count(), 1000 - 2 * BLOCK);
        assert!(e.iter().all(|&s| s == 0.0));
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let src = Source::File {
            path: "/nonexistent/clip.wav".into(),
            realtime: false,
        };
        assert!(matches!(src.open(), Err(SourceError::Wav(_))));
    }
}
