//! Whisper speech-to-text on whisper-rs: the model is loaded once, each
//! utterance gets a fresh decoder state.

use super::model_store::{self, StoreError};
use crate::audio::vad;
use std::path::Path;
use std::time::{Duration, Instant};
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

/// Input sample rate Whisper expects.
pub const SAMPLE_RATE: u32 = 16_000;
/// Whisper's window: longer input is cut to this.
pub const MAX_SECONDS: f32 = 30.0;

/// Prompt of count words that measured best with beam 5 (ASR-NOTES).
pub const COUNT_PROMPT: &str =
    "Dix séries, huit répétitions, onze tours, six rounds de trente secondes, une minute de repos.";

#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("modèle Whisper illisible ({path}) : relancez `speechtimer model fetch`")]
    Load { path: String },
    #[error("la transcription a échoué : {0}")]
    Decode(String),
}

/// Decoding settings; every one is a command-line option.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeOptions {
    /// Beam width; 0 or 1 decodes greedily.
    pub beam_size: u32,
    /// Encoder frames (20 ms each, at most 1500); 0 = the full 30 s window.
    /// Raised automatically when a clip is longer than it covers.
    pub audio_ctx: u32,
    /// Initial prompt (`None` or empty: no prompt).
    pub prompt: Option<String>,
    /// Cap on generated tokens: a confused decoder can loop on one word.
    pub max_tokens: u32,
    pub threads: usize,
    /// Above this no-speech probability (and with low confidence) the
    /// result is flagged as no speech.
    pub no_speech_threshold: f32,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            beam_size: 5,
            audio_ctx: 768,
            prompt: Some(COUNT_PROMPT.to_string()),
            max_tokens: 48,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            no_speech_threshold: 0.6,
        }
    }
}

/// One utterance's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// Trimmed text; empty when `no_speech`.
    pub text: String,
    /// Seconds of audio given (before any cut).
    pub audio_s: f32,
    /// Wall time spent decoding.
    pub elapsed: Duration,
    /// Mean probability of the text tokens, 0..1.
    pub confidence: f32,
    /// Whisper's own no-speech probability.
    pub no_speech_prob: f32,
    /// Nothing was said (silence, steady noise, or Whisper says so).
    pub no_speech: bool,
    /// The clip was longer than 30 s and only its start was decoded.
    pub cut: bool,
}

/// A loaded Whisper model.
pub struct Transcriber {
    ctx: WhisperContext,
    opts: DecodeOptions,
    /// Time taken by `load`.
    pub load_time: Duration,
}

impl std::fmt::Debug for Transcriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transcriber")
            .field("opts", &self.opts)
            .field("load_time", &self.load_time)
            .finish()
    }
}

impl Transcriber {
    /// Loads the ggml model at `path` (checked first, so a damaged file gives
    /// a clear message instead of a crash deep in whisper.cpp).
    pub fn load(path: &Path, opts: DecodeOptions) -> Result<Self, AsrError> {
        whisper_rs::install_logging_hooks();
        let t0 = Instant::now();
        model_store::check_ggml(path)?;
        let ctx = WhisperContext::new_with_params(path, WhisperContextParameters::default())
            .map_err(|e| {
                tracing::error!("whisper init failed: {e}");
                AsrError::Load {
                    path: path.display().to_string(),
                }
            })?;
        let load_time = t0.elapsed();
        tracing::info!("whisper model {} loaded in {load_time:?}", path.display());
        Ok(Self {
            ctx,
            opts,
            load_time,
        })
    }

    pub fn options(&self) -> &DecodeOptions {
        &self.opts
    }

    pub fn set_options(&mut self, opts: DecodeOptions) {
        self.opts = opts;
    }

    /// Transcribes mono f32 samples at 16 kHz.
    pub fn transcribe(&self, samples: &[f32]) -> Result<Transcript, AsrError> {
        let t0 = Instant::now();
        let audio_s = samples.len() as f32 / SAMPLE_RATE as f32;
        let max = (MAX_SECONDS * SAMPLE_RATE as f32) as usize;
        let cut = samples.len() > max;
        if cut {
            tracing::warn!("clip of {audio_s:.1} s cut to {MAX_SECONDS} s");
        }
        let samples = &samples[..samples.len().min(max)];
        let silent = Transcript {
            text: String::new(),
            audio_s,
            elapsed: Duration::ZERO,
            confidence: 0.0,
            no_speech_prob: 1.0,
            no_speech: true,
            cut,
        };
        // cheap gate first: silence or steady noise never reaches the decoder,
        // which would happily hallucinate a sentence
        if !vad::contains_speech(samples, SAMPLE_RATE) {
            tracing::debug!("no speech in {audio_s:.2} s clip (energy gate)");
            return Ok(Transcript {
                elapsed: t0.elapsed(),
                ..silent
            });
        }
        // whisper.cpp wants at least 1 s; pad short clips with silence
        let min_len = SAMPLE_RATE as usize + SAMPLE_RATE as usize / 10;
        let padded;
        let mut input = samples;
        if samples.len() < min_len {
            let mut p = samples.to_vec();
            p.resize(min_len, 0.0);
            padded = p;
            input = &padded;
        }
        let o = &self.opts;
        let strategy = if o.beam_size > 1 {
            SamplingStrategy::BeamSearch {
                beam_size: o.beam_size as i32,
                patience: -1.0,
            }
        } else {
            SamplingStrategy::Greedy { best_of: 1 }
        };
        let mut params = FullParams::new(strategy);
        params.set_language(Some("fr"));
        params.set_n_threads(o.threads.max(1) as i32);
        params.set_no_timestamps(true);
        params.set_single_segment(true);
        params.set_no_context(true);
        params.set_max_tokens(o.max_tokens as i32);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_audio_ctx(audio_ctx_for(o.audio_ctx, input.len()));
        if let Some(p) = o.prompt.as_deref().filter(|p| !p.trim().is_empty()) {
            params.set_initial_prompt(p);
        }
        let mut state = self
            .ctx
            .create_state()
            .map_err(|e| AsrError::Decode(e.to_string()))?;
        state
            .full(params, input)
            .map_err(|e| AsrError::Decode(e.to_string()))?;
        let eot = self.ctx.token_eot();
        let mut text = String::new();
        let (mut psum, mut pn) = (0f32, 0usize);
        let mut no_speech_prob = 0f32;
        for i in 0..state.full_n_segments() {
            let Some(seg) = state.get_segment(i) else {
                continue;
            };
            no_speech_prob = no_speech_prob.max(seg.no_speech_probability());
            if let Ok(t) = seg.to_str_lossy() {
                text.push_str(&t);
            }
            for j in 0..seg.n_tokens() {
                if let Some(tok) = seg.get_token(j)
                    && tok.token_id() < eot
                {
                    psum += tok.token_probability();
                    pn += 1;
                }
            }
        }
        let text = clean(&text);
        let confidence = if pn > 0 { psum / pn as f32 } else { 0.0 };
        let no_speech =
            text.is_empty() || (no_speech_prob > o.no_speech_threshold && confidence < 0.5);
        Ok(Transcript {
            text: if no_speech { String::new() } else { text },
            audio_s,
            elapsed: t0.elapsed(),
            confidence,
            no_speech_prob,
            no_speech,
            cut,
        })
    }
}

/// The encoder context for `n` samples: the configured one, raised to cover
/// the clip (20 ms per frame), at most 1500.
pub fn audio_ctx_for(configured: u32, n: usize) -> i32 {
    if configured == 0 {
        return 0;
    }
    let needed = (n as u64 * 50).div_ceil(SAMPLE_RATE as u64) as u32 + 16;
    configured.max(needed).min(1500) as i32
}

/// Trims and drops whisper's non-speech annotations ("[Musique]", "(rires)").
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = (depth - 1).max(0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_are_dropped() {
        assert_eq!(clean(" [Musique] "), "");
        assert_eq!(
            clean(" 12 séries (rires) de 2 minutes."),
            "12 séries de 2 minutes."
        );
    }

    #[test]
    fn audio_ctx_grows_with_the_clip() {
        assert_eq!(audio_ctx_for(768, 16_000 * 3), 768);
        assert_eq!(audio_ctx_for(768, 16_000 * 20), 1016);
        assert_eq!(audio_ctx_for(768, 16_000 * 30), 1500);
        assert_eq!(audio_ctx_for(0, 16_000 * 3), 0);
    }
}
