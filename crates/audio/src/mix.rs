//! Noise for training and measuring the ear: pink noise, babble (other
//! voices talking at once) and mixing at a chosen signal-to-noise ratio.
//! Pure functions over 16 kHz mono samples; the randomness comes from the
//! caller's seeded generator so a seed gives the same clips.

use rand::Rng;

/// Root mean square of `samples` (0 for none).
pub fn rms(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt() as f32
}

/// `len` samples of pink noise (1/f power, Paul Kellet's filter of white
/// noise), peak about 0.5.
pub fn pink(len: usize, rng: &mut impl Rng) -> Vec<f32> {
    let mut b = [0f32; 7];
    (0..len)
        .map(|_| {
            let white: f32 = rng.random_range(-1.0..1.0);
            b[0] = 0.99886 * b[0] + white * 0.0555179;
            b[1] = 0.99332 * b[1] + white * 0.0750759;
            b[2] = 0.96900 * b[2] + white * 0.153_852;
            b[3] = 0.86650 * b[3] + white * 0.3104856;
            b[4] = 0.55000 * b[4] + white * 0.5329522;
            b[5] = -0.7616 * b[5] - white * 0.0168980;
            let out = b.iter().sum::<f32>() + white * 0.5362;
            b[6] = white * 0.115926;
            out * 0.11
        })
        .collect()
}

/// `len` samples of babble: the `voices` summed, each started at a random
/// point and looped, as people talking over each other. Empty voices are
/// skipped; with none left it is silence.
pub fn babble(voices: &[&[f32]], len: usize, rng: &mut impl Rng) -> Vec<f32> {
    let mut out = vec![0f32; len];
    for v in voices.iter().filter(|v| !v.is_empty()) {
        let start = rng.random_range(0..v.len());
        for (i, o) in out.iter_mut().enumerate() {
            *o += v[(start + i) % v.len()];
        }
    }
    out
}

/// `speech` with `noise` added so that the speech's RMS is `snr_db` above
/// the noise's (the noise looped or cut to the speech's length). Speech
/// that is silent, or noise that is, comes back unchanged. The sum is
/// kept within [-1, 1] by scaling the whole clip down when it would clip.
pub fn add_at_snr(speech: &[f32], noise: &[f32], snr_db: f32) -> Vec<f32> {
    let (s, n) = (rms(speech), rms(noise));
    if s == 0.0 || n == 0.0 {
        return speech.to_vec();
    }
    let gain = s / n / 10f32.powf(snr_db / 20.0);
    let mut out: Vec<f32> = speech
        .iter()
        .enumerate()
        .map(|(i, &x)| x + gain * noise[i % noise.len()])
        .collect();
    let peak = out.iter().fold(0f32, |m, x| m.max(x.abs()));
    if peak > 1.0 {
        out.iter_mut().for_each(|x| *x /= peak);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{SeedableRng, rngs::StdRng};

    fn tone(len: usize) -> Vec<f32> {
        (0..len)
            .map(|i| 0.3 * (i as f32 * 440.0 * std::f32::consts::TAU / 16_000.0).sin())
            .collect()
    }

    #[test]
    fn noise_is_added_at_the_asked_ratio() {
        let mut rng = StdRng::seed_from_u64(3);
        let speech = tone(16_000);
        let noise = pink(8_000, &mut rng);
        for snr in [5.0f32, 10.0, 20.0] {
            let mixed = add_at_snr(&speech, &noise, snr);
            let added: Vec<f32> = mixed.iter().zip(&speech).map(|(m, s)| m - s).collect();
            let got = 20.0 * (rms(&speech) / rms(&added)).log10();
            assert!((got - snr).abs() < 0.05, "asked {snr} dB, got {got}");
        }
    }

    #[test]
    fn pink_noise_has_more_power_low_than_high() {
        let mut rng = StdRng::seed_from_u64(1);
        let p = pink(32_000, &mut rng);
        // first differences keep the high frequencies: white noise's are
        // 1.41 times its RMS, pink noise's much less (0.62 here)
        let diff: Vec<f32> = p.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(rms(&diff) < 0.8 * rms(&p), "{} vs {}", rms(&diff), rms(&p));
        assert!(p.iter().all(|x| x.abs() < 1.0));
    }

    #[test]
    fn silence_and_loud_mixes_stay_sound() {
        let mut rng = StdRng::seed_from_u64(2);
        assert_eq!(
            add_at_snr(&[0.0; 100], &pink(50, &mut rng), 10.0),
            vec![0.0; 100]
        );
        assert_eq!(add_at_snr(&[0.5; 10], &[], 10.0), vec![0.5; 10]);
        let loud = add_at_snr(&[0.99; 100], &pink(100, &mut rng), -10.0);
        assert!(loud.iter().all(|x| x.abs() <= 1.0));
        assert_eq!(babble(&[&[], &[]], 5, &mut rng), vec![0.0; 5]);
        let b = babble(&[&[1.0, 2.0], &[10.0]], 4, &mut rng);
        assert_eq!(b.len(), 4);
        assert!(b.iter().all(|&x| x == 11.0 || x == 12.0));
    }
}
