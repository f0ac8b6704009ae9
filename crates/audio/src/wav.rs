//! WAV files in and out: any rate, mono or multichannel, int or float in;
//! mono f32 16 kHz out of `read_16k_mono`.

use super::resample::{self, TARGET_RATE};
use std::path::{Path, PathBuf};

/// Why a WAV could not be read or written (French messages, for the user).
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// A file could not be opened or decoded.
    #[error("lecture de {path} impossible : {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong, in French.
        reason: String,
    },
    /// Bytes held in memory are not a readable WAV; why, in French.
    #[error("audio illisible : {0}")]
    Invalid(String),
    /// A file could not be created or written.
    #[error("écriture de {path} impossible : {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The encoder's error.
        reason: String,
    },
    /// The clip's rate cannot be converted to 16 kHz.
    #[error(transparent)]
    Resample(#[from] resample::ResampleError),
}

/// Decoded samples, interleaved, as f32 in -1..1.
#[derive(Debug, Clone)]
pub struct Clip {
    /// The samples, frame after frame; whole frames only.
    pub samples: Vec<f32>,
    /// Channels per frame.
    pub channels: usize,
    /// Sample rate, in Hz.
    pub rate: u32,
    /// The data ended before the length the header announced: `samples`
    /// holds the whole frames that were there.
    pub truncated: bool,
}

impl Clip {
    /// Length in seconds.
    pub fn duration_s(&self) -> f32 {
        let frames = self.samples.len() / self.channels.max(1);
        frames as f32 / self.rate.max(1) as f32
    }

    /// Mono f32 at 16 kHz, through `resample::to_whisper`.
    pub fn to_whisper(&self) -> Result<Vec<f32>, WavError> {
        Ok(resample::to_whisper(
            &self.samples,
            self.channels,
            self.rate,
        )?)
    }
}

/// Decodes any PCM or float WAV from a reader: the one decode path behind
/// [`read`] (files) and [`read_bytes`] (memory). A header that announces
/// more data than there is gives the samples that are there, flagged
/// `truncated`; it never waits for more.
pub fn decode<R: std::io::Read>(input: R) -> Result<Clip, String> {
    let reader = hound::WavReader::new(input).map_err(french)?;
    let spec = reader.spec();
    if spec.channels == 0 {
        return Err("aucun canal".into());
    }
    let channels = spec.channels as usize;
    let int_scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
    let samples: Box<dyn Iterator<Item = hound::Result<f32>>> = match spec.sample_format {
        hound::SampleFormat::Float => Box::new(reader.into_samples::<f32>()),
        hound::SampleFormat::Int => Box::new(
            reader
                .into_samples::<i32>()
                .map(move |s| s.map(|v| v as f32 * int_scale)),
        ),
    };
    let mut out = Vec::new();
    let mut truncated = false;
    for s in samples {
        match s {
            Ok(v) => out.push(v),
            // hound reports missing data as an io error: keep what was read
            Err(hound::Error::IoError(e)) => {
                tracing::warn!("WAV data ends early ({e}): {} samples kept", out.len());
                truncated = true;
                break;
            }
            Err(e) => return Err(french(e)),
        }
    }
    out.truncate(out.len() - out.len() % channels);
    Ok(Clip {
        samples: out,
        channels,
        rate: spec.sample_rate,
        truncated,
    })
}

/// hound's error, said in French.
fn french(e: hound::Error) -> String {
    match e {
        hound::Error::IoError(e) => format!("erreur de lecture ({e})"),
        hound::Error::FormatError(what) => format!("pas un fichier WAV valide ({what})"),
        hound::Error::Unsupported => {
            "encodage WAV non pris en charge : seuls le PCM entier et le flottant le sont".into()
        }
        hound::Error::TooWide | hound::Error::InvalidSampleFormat => {
            "taille d'échantillon non prise en charge".into()
        }
        hound::Error::UnfinishedSample => "dernier échantillon incomplet".into(),
    }
}

/// Reads any PCM or float WAV file.
pub fn read(path: &Path) -> Result<Clip, WavError> {
    let err = |reason: String| WavError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    decode(std::io::BufReader::new(file)).map_err(err)
}

/// Reads a WAV held in memory (an upload).
pub fn read_bytes(bytes: &[u8]) -> Result<Clip, WavError> {
    decode(std::io::Cursor::new(bytes)).map_err(WavError::Invalid)
}

/// Reads a WAV as mono f32 at 16 kHz.
pub fn read_16k_mono(path: &Path) -> Result<Vec<f32>, WavError> {
    read(path)?.to_whisper()
}

/// Writes mono samples as 16-bit PCM.
pub fn write_mono_i16(path: &Path, samples: &[f32], rate: u32) -> Result<(), WavError> {
    let err = |e: hound::Error| WavError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(err)?;
    for s in samples {
        w.write_sample((s.clamp(-1.0, 1.0) * i16::MAX as f32) as i16)
            .map_err(err)?;
    }
    w.finalize().map_err(err)
}

/// Default rate for files this crate writes.
pub const WRITE_RATE: u32 = TARGET_RATE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stereo_float_44k_reads_as_16k_mono() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..44_100 {
            let s = 0.25 * (i as f32 * 0.05).sin();
            w.write_sample(s).unwrap();
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        let x = read_16k_mono(&path).unwrap();
        assert!((x.len() as i64 - 16_000).abs() < 50, "{}", x.len());
    }

    #[test]
    fn i16_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.wav");
        let x: Vec<f32> = (0..1600)
            .map(|i| ((i % 100) as f32 / 100.0) - 0.5)
            .collect();
        write_mono_i16(&path, &x, 16_000).unwrap();
        let y = read_16k_mono(&path).unwrap();
        assert_eq!(y.len(), x.len());
        assert!(x.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-3));
    }

    /// 16-bit mono PCM bytes, as a client would upload them.
    fn wav_bytes(samples: &[i16]) -> Vec<u8> {
        let mut cursor = std::io::Cursor::new(Vec::new());
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
        for s in samples {
            w.write_sample(*s).unwrap();
        }
        w.finalize().unwrap();
        cursor.into_inner()
    }

    #[test]
    fn bytes_decode_like_files() {
        let x: Vec<i16> = (0..800).map(|i| (i * 37 % 2000) as i16 - 1000).collect();
        let bytes = wav_bytes(&x);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.wav");
        std::fs::write(&path, &bytes).unwrap();
        let (a, b) = (read_bytes(&bytes).unwrap(), read(&path).unwrap());
        assert_eq!(a.samples, b.samples);
        assert_eq!((a.rate, a.channels, a.truncated), (8_000, 1, false));
        assert!((a.duration_s() - 0.1).abs() < 1e-6);
    }

    #[test]
    fn header_longer_than_data_keeps_what_is_there() {
        let x: Vec<i16> = vec![1000; 800];
        let mut bytes = wav_bytes(&x);
        bytes.truncate(44 + 2 * 300); // header says 800 samples, 300 remain
        let clip = read_bytes(&bytes).unwrap();
        assert!(clip.truncated);
        assert_eq!(clip.samples.len(), 300);
    }

    #[test]
    fn not_a_wav_is_an_error() {
        assert!(matches!(read_bytes(b"hello"), Err(WavError::Invalid(_))));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.wav");
        std::fs::write(&path, b"hello").unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("lecture"), "{e}");
    }
}
