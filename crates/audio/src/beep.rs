//! Timer tones synthesized in code: sines under a raised-cosine envelope, so
//! every tone starts and ends at zero and never clicks.

use speechtimer_core::cues::Cue;
use std::time::Duration;

/// Sample rate of every synthesized buffer.
pub const SAMPLE_RATE: u32 = 44_100;
/// Attack and release of each tone.
pub const RAMP: Duration = Duration::from_millis(8);

/// One sine tone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tone {
    /// Frequency in hertz; with a zero amplitude the tone is a gap.
    pub freq_hz: f32,
    /// How long the tone lasts, ramps included.
    pub duration: Duration,
    /// Peak amplitude, 0..=1.
    pub amplitude: f32,
}

impl Tone {
    /// A tone of `freq_hz` hertz lasting `millis` milliseconds, peaking at
    /// `amplitude` (0..=1).
    pub const fn new(freq_hz: f32, millis: u64, amplitude: f32) -> Self {
        Self {
            freq_hz,
            duration: Duration::from_millis(millis),
            amplitude,
        }
    }
}

/// The tones of `cue`, played one after the other (a zero amplitude is a
/// gap).
pub fn tones(cue: Cue) -> Vec<Tone> {
    match cue {
        Cue::Countdown => vec![Tone::new(880.0, 120, 0.5)],
        Cue::WorkStart => vec![Tone::new(1320.0, 600, 0.6)],
        Cue::RestStart => vec![
            Tone::new(660.0, 200, 0.5),
            Tone::new(0.0, 60, 0.0),
            Tone::new(440.0, 350, 0.5),
        ],
        Cue::Done => vec![
            Tone::new(523.25, 180, 0.5),
            Tone::new(659.25, 180, 0.5),
            Tone::new(783.99, 180, 0.5),
            Tone::new(1046.5, 600, 0.5),
        ],
    }
}

/// `cue` as mono samples at [`SAMPLE_RATE`].
pub fn samples(cue: Cue) -> Vec<f32> {
    tones(cue)
        .iter()
        .flat_map(|t| synth(*t, SAMPLE_RATE))
        .collect()
}

/// One tone as mono samples; the envelope is 0 at the first and last sample.
pub fn synth(tone: Tone, sample_rate: u32) -> Vec<f32> {
    let n = (tone.duration.as_secs_f64() * f64::from(sample_rate)).round() as usize;
    if n < 2 {
        return vec![0.0; n];
    }
    let ramp = ((RAMP.as_secs_f64() * f64::from(sample_rate)) as usize).clamp(1, n / 2);
    let amp = tone.amplitude.clamp(0.0, 1.0);
    let step = std::f64::consts::TAU * f64::from(tone.freq_hz) / f64::from(sample_rate);
    (0..n)
        .map(|i| {
            let edge = i.min(n - 1 - i);
            let env = if edge >= ramp {
                1.0
            } else {
                // raised cosine from 0 to 1 over the ramp
                0.5 - 0.5 * (std::f64::consts::PI * edge as f64 / ramp as f64).cos()
            };
            (f64::from(amp) * env * (step * i as f64).sin()) as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zero_crossings(samples: &[f32]) -> usize {
        samples
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count()
    }

    #[test]
    fn tone_has_the_requested_frequency() {
        for freq in [440.0_f32, 880.0, 1320.0] {
            let samples = synth(Tone::new(freq, 1000, 0.8), SAMPLE_RATE);
            assert_eq!(samples.len(), SAMPLE_RATE as usize);
            // two crossings per period over one second
            let measured = zero_crossings(&samples) as f32 / 2.0;
            assert!(
                (measured - freq).abs() <= 2.0,
                "{freq} Hz measured {measured}"
            );
        }
    }

    #[test]
    fn no_sample_above_one_and_envelope_starts_and_ends_at_zero() {
        for cue in Cue::ALL {
            let buffer = samples(cue);
            assert!(!buffer.is_empty());
            assert!(buffer.iter().all(|s| s.abs() <= 1.0), "{cue:?}");
            for tone in tones(cue) {
                let t = synth(tone, SAMPLE_RATE);
                assert_eq!(t[0], 0.0);
                assert!(
                    t[t.len() - 1].abs() < 1e-6,
                    "{cue:?} ends at {}",
                    t[t.len() - 1]
                );
            }
        }
        let loud = synth(Tone::new(1000.0, 50, 7.0), SAMPLE_RATE);
        assert!(loud.iter().all(|s| s.abs() <= 1.0));
    }

    #[test]
    fn envelope_ramps_smoothly() {
        let t = synth(Tone::new(440.0, 200, 1.0), SAMPLE_RATE);
        // no jump between neighbours larger than a full-scale sine step allows
        let max_step = std::f32::consts::TAU * 440.0 / SAMPLE_RATE as f32 + 1e-3;
        assert!(t.windows(2).all(|w| (w[1] - w[0]).abs() <= max_step));
        // peak reaches the amplitude in the middle
        assert!(t.iter().fold(0.0_f32, |m, s| m.max(s.abs())) > 0.99);
    }

    #[test]
    fn cues_sound_distinct() {
        assert_ne!(tones(Cue::WorkStart), tones(Cue::RestStart));
        let work = samples(Cue::WorkStart).len();
        let beep = samples(Cue::Countdown).len();
        assert!(work > 3 * beep, "the work beep is long");
    }
}
