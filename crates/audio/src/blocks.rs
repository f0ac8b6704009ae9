//! Audio as a stream of blocks, whatever it comes from: a microphone
//! (`speechtimer-devices`) or a file played as if it were one
//! ([`FileBlocks`]). Blocks are mono f32 at 16 kHz; the endpointing of the
//! voice path reads them one at a time.

use super::resample::{ResampleError, TARGET_RATE};
use super::wav::WavError;
use std::time::{Duration, Instant};

/// Why a source could not be opened or stopped delivering sound; the
/// messages are French, for the user.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error(
        "Aucun micro détecté : branchez-en un, tapez la commande, ou faites entendre un fichier (`speechtimer --audio-file FICHIER.wav`)"
    )]
    /// The host has no input device, or no default one.
    NoDevice,
    #[error("micro « {0} » introuvable : `speechtimer devices` liste ceux qui sont disponibles")]
    /// No input device matches the requested name.
    NotFound(String),
    #[error("impossible d'ouvrir le micro « {name} » : {reason}")]
    /// The device was found but its stream could not be built or started.
    Open {
        /// Device name.
        name: String,
        /// The backend's error.
        reason: String,
    },
    #[error(
        "le micro « {name} » a cessé de répondre ({reason}) : vérifiez qu'il est toujours branché"
    )]
    /// An open stream reported an error, closed, or sent nothing in time.
    Lost {
        /// Device name.
        name: String,
        /// The backend's error, or what was missing.
        reason: String,
    },
    /// The device's sample rate cannot be resampled to 16 kHz.
    #[error(transparent)]
    Resample(#[from] ResampleError),
    /// The file could not be read as 16 kHz mono.
    #[error(transparent)]
    Wav(#[from] WavError),
}

/// Input level for a meter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// dBFS of the last block.
    pub db: f32,
    /// An utterance is being recorded.
    pub speaking: bool,
}

/// Where audio blocks come from: a microphone, or a file played as if it
/// were one. Blocks are mono f32 at 16 kHz.
pub trait Blocks {
    /// The next block; may be empty while a resampler fills. No data for
    /// `timeout` is an error (the device is gone).
    fn next_block(&mut self, timeout: Duration) -> Result<Vec<f32>, CaptureError>;
    /// Blocks come at the pace of speech (a microphone), so the wall clock
    /// tells when words were said.
    fn paced(&self) -> bool {
        true
    }
}

/// Something that opens a stream of [`Blocks`] on the thread that will
/// read it (a cpal stream stays on its thread): the voice worker is handed
/// one per utterance, and knows nothing of devices.
pub trait OpenBlocks: Send + std::fmt::Debug {
    /// Opens the device or reads the file.
    fn open(&self) -> Result<Box<dyn Blocks>, CaptureError>;
}

/// Samples handed out in 30 ms blocks, then silence for ever.
pub struct FileBlocks {
    samples: Vec<f32>,
    pos: usize,
    realtime: bool,
    started: Instant,
}

/// 30 ms at 16 kHz.
pub const BLOCK: usize = 480;

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
}
