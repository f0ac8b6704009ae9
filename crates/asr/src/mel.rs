//! Whisper's mel filterbank: librosa's Slaney filterbank (`htk=False`,
//! area-normalised), which whisper.cpp reads from the ggml file.

/// Whisper's FFT size (25 ms at 16 kHz).
pub const N_FFT: usize = 400;

fn hz_to_mel(hz: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let (min_log_hz, min_log_mel) = (1000.0, 1000.0 / f_sp);
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= min_log_hz {
        min_log_mel + (hz / min_log_hz).ln() / logstep
    } else {
        hz / f_sp
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let (min_log_hz, min_log_mel) = (1000.0, 1000.0 / f_sp);
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel {
        min_log_hz * (logstep * (mel - min_log_mel)).exp()
    } else {
        f_sp * mel
    }
}

/// `n_mels` x (`n_fft`/2 + 1) weights, row-major, as `librosa.filters.mel(sr,
/// n_fft, n_mels)` computes them.
pub fn filterbank(sr: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let n_bins = n_fft / 2 + 1;
    let sr = sr as f64;
    let fft_freqs: Vec<f64> = (0..n_bins).map(|k| k as f64 * sr / n_fft as f64).collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut w = vec![0f32; n_mels * n_bins];
    for m in 0..n_mels {
        let (f0, f1, f2) = (mel_f[m], mel_f[m + 1], mel_f[m + 2]);
        let enorm = 2.0 / (f2 - f0);
        for (k, &f) in fft_freqs.iter().enumerate() {
            let lower = (f - f0) / (f1 - f0);
            let upper = (f2 - f) / (f2 - f1);
            let v = lower.min(upper).max(0.0);
            w[m * n_bins + k] = (v * enorm) as f32;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() <= 5e-6 * b.abs().max(1e-3)
    }

    /// Reference values from librosa (ASR-NOTES).
    #[test]
    fn matches_librosa_reference() {
        let w = filterbank(16_000, N_FFT, 80);
        let nb = 201;
        assert_eq!(w.len(), 80 * nb);
        let sum: f64 = w.iter().map(|x| *x as f64).sum();
        assert!((sum - 1.99902).abs() < 1e-4, "sum {sum}");
        let nz = |m: usize| -> Vec<usize> { (0..nb).filter(|k| w[m * nb + k] > 0.0).collect() };
        assert_eq!(nz(0), vec![1]);
        assert!(close(w[1], 0.0248626), "{}", w[1]);
        assert_eq!(nz(40), vec![42, 43, 44]);
        assert!(close(w[40 * nb + 43], 0.0147356), "{}", w[40 * nb + 43]);
        assert_eq!(nz(79), (186..=199).collect::<Vec<_>>());
        let row79 = &w[79 * nb..80 * nb];
        let peak = (0..nb)
            .max_by(|a, b| row79[*a].total_cmp(&row79[*b]))
            .unwrap();
        assert_eq!(peak, 192);
        assert!(close(row79[192], 0.00316471), "{}", row79[192]);
        let max = w.iter().copied().fold(0f32, f32::max);
        assert!(close(max, 0.0258807), "{max}");
    }
}
