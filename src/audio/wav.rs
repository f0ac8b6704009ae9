//! WAV files in and out: any rate, mono or multichannel, int or float in;
//! mono f32 16 kHz out of `read_16k_mono`.

use super::resample::{self, TARGET_RATE};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("lecture de {path} impossible : {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("écriture de {path} impossible : {reason}")]
    Write { path: PathBuf, reason: String },
    #[error(transparent)]
    Resample(#[from] resample::ResampleError),
}

/// Decoded samples, interleaved, as f32 in -1..1.
#[derive(Debug, Clone)]
pub struct Clip {
    pub samples: Vec<f32>,
    pub channels: usize,
    pub rate: u32,
}

/// Reads any PCM or float WAV.
pub fn read(path: &Path) -> Result<Clip, WavError> {
    let err = |reason: String| WavError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let reader = hound::WavReader::open(path).map_err(|e| err(e.to_string()))?;
    let spec = reader.spec();
    let samples: Result<Vec<f32>, _> = match spec.sample_format {
        hound::SampleFormat::Float => reader.into_samples::<f32>().collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect()
        }
    };
    let samples = samples.map_err(|e| err(e.to_string()))?;
    if spec.channels == 0 {
        return Err(err("aucun canal".into()));
    }
    Ok(Clip {
        samples,
        channels: spec.channels as usize,
        rate: spec.sample_rate,
    })
}

/// Reads a WAV as mono f32 at 16 kHz.
pub fn read_16k_mono(path: &Path) -> Result<Vec<f32>, WavError> {
    let clip = read(path)?;
    Ok(resample::to_whisper(
        &clip.samples,
        clip.channels,
        clip.rate,
    )?)
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

    #[test]
    fn not_a_wav_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.wav");
        std::fs::write(&path, b"hello").unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("lecture"), "{e}");
    }
}
