//! Channel mixing and sample-rate conversion to Whisper's 16 kHz mono
//! (rubato's sinc resampler).

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, FixedAsync, Resampler, SincInterpolationParameters};

/// The rate everything downstream of capture works at.
pub const TARGET_RATE: u32 = 16_000;

/// Why audio could not be resampled (French messages, for the user).
#[derive(Debug, thiserror::Error)]
pub enum ResampleError {
    /// The input rate, in Hz, is outside [`MIN_RATE`]..=[`MAX_RATE`].
    #[error("fréquence d'échantillonnage non prise en charge : {0} Hz")]
    Rate(u32),
    /// The resampler failed; its message.
    #[error("rééchantillonnage impossible : {0}")]
    Failed(String),
}

/// Averages interleaved frames of `channels` samples into one channel.
pub fn mix_to_mono(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    interleaved
        .chunks_exact(channels)
        .map(|f| f.iter().sum::<f32>() / channels as f32)
        .collect()
}

const CHUNK: usize = 1024;
/// Input rates accepted: below this nothing is speech, and the upsampling
/// ratio (and its buffers) would grow without bound.
pub const MIN_RATE: u32 = 4_000;
/// Highest input rate accepted, in Hz.
pub const MAX_RATE: u32 = 384_000;

fn sinc(from: u32, to: u32) -> Result<Async<f32>, ResampleError> {
    if !(MIN_RATE..=MAX_RATE).contains(&from) {
        return Err(ResampleError::Rate(from));
    }
    Async::<f32>::new_sinc(
        to as f64 / from as f64,
        1.1,
        &SincInterpolationParameters::default(),
        CHUNK,
        1,
        FixedAsync::Input,
    )
    .map_err(|e| ResampleError::Failed(e.to_string()))
}

/// Resamples a whole mono clip from `from` Hz to `to` Hz.
pub fn resample(mono: &[f32], from: u32, to: u32) -> Result<Vec<f32>, ResampleError> {
    if from == to {
        return Ok(mono.to_vec());
    }
    if mono.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = sinc(from, to)?;
    let input = InterleavedSlice::new(mono, 1, mono.len())
        .map_err(|e| ResampleError::Failed(e.to_string()))?;
    let out = r
        .process_all(&input, mono.len(), None)
        .map_err(|e| ResampleError::Failed(e.to_string()))?;
    Ok(out.take_data())
}

/// Interleaved input at any rate and channel count -> mono 16 kHz.
pub fn to_whisper(
    interleaved: &[f32],
    channels: usize,
    rate: u32,
) -> Result<Vec<f32>, ResampleError> {
    resample(&mix_to_mono(interleaved, channels), rate, TARGET_RATE)
}

/// `mono` (16 kHz) as the microphone path hears it: raised to a device's
/// `rate` (as a sound server hands a 16 kHz stream to a 44.1 kHz device),
/// then brought back to 16 kHz by the capture's own [`StreamResampler`],
/// fed in blocks of 10 ms. Silence is pushed after the clip so that the
/// resampler's delay does not cut its end.
pub fn through_capture(mono: &[f32], rate: u32) -> Result<Vec<f32>, ResampleError> {
    let mut device = resample(mono, TARGET_RATE, rate)?;
    device.resize(device.len() + rate as usize / 5, 0.0);
    let mut r = StreamResampler::new(rate)?;
    let mut out = Vec::with_capacity(mono.len() + TARGET_RATE as usize / 5);
    for block in device.chunks((rate as usize / 100).max(1)) {
        out.extend(r.push(block)?);
    }
    Ok(out)
}

/// Streaming mono resampler for capture: feed any number of samples, get
/// whatever output is ready.
pub struct StreamResampler {
    inner: Option<Async<f32>>,
    pending: Vec<f32>,
}

impl StreamResampler {
    /// A resampler from `from` Hz to 16 kHz (a pass-through when `from` is
    /// already 16 kHz); fails for rates outside [`MIN_RATE`]..=[`MAX_RATE`].
    pub fn new(from: u32) -> Result<Self, ResampleError> {
        let inner = if from == TARGET_RATE {
            None
        } else {
            Some(sinc(from, TARGET_RATE)?)
        };
        Ok(Self {
            inner,
            pending: Vec::new(),
        })
    }

    /// Appends `mono` and returns the 16 kHz samples now available.
    pub fn push(&mut self, mono: &[f32]) -> Result<Vec<f32>, ResampleError> {
        let Some(r) = self.inner.as_mut() else {
            return Ok(mono.to_vec());
        };
        self.pending.extend_from_slice(mono);
        let mut out = Vec::new();
        loop {
            let need = r.input_frames_next();
            if self.pending.len() < need {
                break;
            }
            let input = InterleavedSlice::new(&self.pending[..need], 1, need)
                .map_err(|e| ResampleError::Failed(e.to_string()))?;
            let chunk = r
                .process(&input, None)
                .map_err(|e| ResampleError::Failed(e.to_string()))?;
            out.extend_from_slice(&chunk.take_data());
            self.pending.drain(..need);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frequency from zero crossings over the middle of the signal.
    pub(super) fn zero_crossing_hz(x: &[f32], rate: u32) -> f32 {
        let mid = &x[x.len() / 4..x.len() * 3 / 4];
        let crossings = mid
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        crossings as f32 / 2.0 / (mid.len() as f32 / rate as f32)
    }

    #[test]
    fn stereo_48k_sine_becomes_16k_mono_same_frequency() {
        let f = 440.0f32;
        let n = 48_000;
        let mut interleaved = Vec::with_capacity(n * 2);
        for i in 0..n {
            let s = 0.5 * (2.0 * std::f32::consts::PI * f * i as f32 / 48_000.0).sin();
            interleaved.push(s);
            interleaved.push(s);
        }
        let out = to_whisper(&interleaved, 2, 48_000).unwrap();
        assert!((out.len() as i64 - 16_000).abs() < 50, "len {}", out.len());
        let hz = zero_crossing_hz(&out, TARGET_RATE);
        assert!((hz - f).abs() < 3.0, "{hz} Hz");
        let peak = out[4000..12000].iter().fold(0f32, |m, x| m.max(x.abs()));
        assert!((peak - 0.5).abs() < 0.05, "peak {peak}");
    }

    #[test]
    fn streaming_matches_rate() {
        let mut r = StreamResampler::new(44_100).unwrap();
        let x: Vec<f32> = (0..44_100)
            .map(|i| (2.0 * std::f32::consts::PI * 300.0 * i as f32 / 44_100.0).sin())
            .collect();
        let mut out = Vec::new();
        for c in x.chunks(441) {
            out.extend(r.push(c).unwrap());
        }
        assert!(out.len() > 14_500 && out.len() <= 16_000, "{}", out.len());
        let hz = zero_crossing_hz(&out, TARGET_RATE);
        assert!((hz - 300.0).abs() < 3.0, "{hz} Hz");
    }

    #[test]
    fn the_capture_round_trip_keeps_length_and_pitch() {
        let x: Vec<f32> = (0..16_000)
            .map(|i| 0.4 * (2.0 * std::f32::consts::PI * 500.0 * i as f32 / 16_000.0).sin())
            .collect();
        let out = through_capture(&x, 44_100).unwrap();
        assert!(
            out.len() >= 16_000 && out.len() < 16_000 + 3_300,
            "{}",
            out.len()
        );
        let hz = zero_crossing_hz(&out[..16_000], TARGET_RATE);
        assert!((hz - 500.0).abs() < 5.0, "{hz} Hz");
        assert!(through_capture(&x, 7).is_err());
    }

    #[test]
    fn channels_are_averaged() {
        assert_eq!(mix_to_mono(&[1.0, 0.0, 0.5, 0.5], 2), vec![0.5, 0.5]);
    }
}
