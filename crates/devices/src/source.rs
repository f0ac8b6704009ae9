//! Where the pipeline hears from: the microphone, or a WAV file played as
//! if it were one (demos and tests without a microphone). Both go through
//! the same end-of-speech detection (`speechtimer-voice`).

use super::capture::Capture;
use speechtimer_audio::blocks::{Blocks, CaptureError, FileBlocks, OpenBlocks};
use speechtimer_audio::wav;
use std::path::PathBuf;

/// What the voice worker listens to.
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

impl OpenBlocks for Source {
    /// Opens the device or reads the file. Call on the thread that will
    /// read the blocks (a cpal stream stays on its thread).
    fn open(&self) -> Result<Box<dyn Blocks>, CaptureError> {
        Ok(match self {
            Self::Microphone(device) => Box::new(Capture::open(device.as_deref())?),
            Self::File { path, realtime } => {
                Box::new(FileBlocks::new(wav::read_16k_mono(path)?, *realtime))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_an_error() {
        let src = Source::File {
            path: "/nonexistent/clip.wav".into(),
            realtime: false,
        };
        assert!(matches!(src.open(), Err(CaptureError::Wav(_))));
    }
}
