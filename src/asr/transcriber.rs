//! Whisper speech-to-text on whisper-rs: the model is loaded once, each
//! utterance gets a fresh decoder state, and the domain language model is
//! fused into the decoder (see `fusion.rs`).

use super::bpe::Bpe;
use super::fusion::Fusion;
use super::lm::{LmError, TokenLm};
use super::model_store::{self, StoreError};
use super::rescore::Decoded;
use crate::audio::vad;
use std::path::{Path, PathBuf};
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
    /// The domain language model fused into the decoder.
    pub lm: LmChoice,
    /// Weight of `ln P_LM` added to each logit (0: the filter runs but
    /// changes nothing).
    pub lm_weight: f32,
    /// Whisper's temperature fallback: decode again, sampling, when the
    /// mean log probability is under -1. Off by default: the fused LM
    /// lowers log probabilities, and the re-decoding drops the prompt.
    pub fallback: bool,
    /// Hear the round count again with the decoder (`voice::count`).
    pub rescore_count: bool,
}

/// Which language model the decoder listens to.
#[derive(Debug, Clone, PartialEq)]
pub enum LmChoice {
    /// The one built into the binary.
    Embedded,
    File(PathBuf),
    /// Plain Whisper.
    Off,
}

/// Fusion weight that measured best on the dev audio (README, "Talk to it").
pub const DEFAULT_LM_WEIGHT: f32 = 0.3;

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
            lm: LmChoice::Embedded,
            lm_weight: DEFAULT_LM_WEIGHT,
            fallback: false,
            rescore_count: true,
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
    /// The text tokens Whisper wrote, with their log-probabilities.
    pub tokens: Vec<(i32, f32)>,
}

/// A loaded Whisper model.
pub struct Transcriber {
    ctx: WhisperContext,
    opts: DecodeOptions,
    /// The fused language model (`None`: off, or it could not be read).
    lm: Option<TokenLm>,
    /// Why the chosen language model is not used, when it is not.
    lm_problem: Option<String>,
    /// The decoder's own tokenizer (for the LM and rescoring).
    bpe: Bpe,
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
        let eot = ctx.token_eot().max(0);
        let bpe = Bpe::new((0..eot).map(|id| ctx.token_to_bytes(id).unwrap_or_default().to_vec()));
        let load_time = t0.elapsed();
        tracing::info!("whisper model {} loaded in {load_time:?}", path.display());
        let mut t = Self {
            ctx,
            opts: DecodeOptions::default(),
            lm: None,
            lm_problem: None,
            bpe,
            load_time,
        };
        t.set_options(opts);
        Ok(t)
    }

    pub fn options(&self) -> &DecodeOptions {
        &self.opts
    }

    /// Changes the settings, reading the language model again if another
    /// one is chosen. A missing or damaged LM is logged once and decoding
    /// goes on without fusion.
    pub fn set_options(&mut self, opts: DecodeOptions) {
        if opts.lm != self.opts.lm || (self.lm.is_none() && self.lm_problem.is_none()) {
            let read: Result<Option<TokenLm>, LmError> = match &opts.lm {
                LmChoice::Off => Ok(None),
                LmChoice::Embedded => TokenLm::embedded().map(Some),
                LmChoice::File(p) => TokenLm::load(p).map(Some),
            };
            (self.lm, self.lm_problem) = match read {
                Ok(lm) => (lm, None),
                Err(e) => {
                    let msg = format!("{e} ; transcription sans modèle de langue");
                    tracing::warn!("{msg}");
                    (None, Some(msg))
                }
            };
            let text_vocab = self.ctx.token_eot().max(0) as u32 + 1;
            if let Some(lm) = &self.lm
                && lm.vocab() != text_vocab
            {
                let msg = format!(
                    "modèle de langue fait pour un autre vocabulaire ({} jetons, Whisper en écrit {text_vocab}) ; transcription sans modèle de langue",
                    lm.vocab(),
                );
                tracing::warn!("{msg}");
                (self.lm, self.lm_problem) = (None, Some(msg));
            }
        }
        self.opts = opts;
    }

    /// Why the chosen language model is not fused, if it is not.
    pub fn lm_problem(&self) -> Option<&str> {
        self.lm_problem.as_deref()
    }

    /// Whether a language model is fused.
    pub fn has_lm(&self) -> bool {
        self.lm.is_some()
    }

    pub fn context(&self) -> &WhisperContext {
        &self.ctx
    }

    /// The decoder's byte-pair encoder.
    pub fn bpe(&self) -> &Bpe {
        &self.bpe
    }

    /// The token ids the decoder writes for `text` (byte-pair encoding).
    pub fn tokenize(&self, text: &str) -> Vec<i32> {
        self.bpe
            .encode(text)
            .into_iter()
            .map(|t| t as i32)
            .collect()
    }

    /// `text` split as whisper.cpp splits the initial prompt.
    pub fn tokenize_prompt(&self, text: &str) -> Result<Vec<i32>, AsrError> {
        self.ctx
            .tokenize(text, text.len() + 16)
            .map_err(|e| AsrError::Decode(e.to_string()))
    }

    /// Transcribes mono f32 samples at 16 kHz.
    /// Where each token Whisper wrote lies in `t.text` (code points) and
    /// how sure the decoder was of it (`(start, end, probability)`).
    /// Tokens that are not whole characters, or that `clean` removed, are
    /// left out.
    pub fn token_spans(&self, t: &Transcript) -> Vec<(usize, usize, f32)> {
        let mut out = Vec::with_capacity(t.tokens.len());
        let mut cursor = 0; // byte offset in t.text
        for &(id, plog) in &t.tokens {
            let Ok(bytes) = self.ctx.token_to_bytes(id) else {
                continue;
            };
            let Ok(piece) = std::str::from_utf8(bytes) else {
                continue;
            };
            let piece = piece.trim();
            if piece.is_empty() {
                continue;
            }
            let Some(at) = t.text[cursor..].find(piece).map(|a| a + cursor) else {
                continue;
            };
            let start = t.text[..at].chars().count();
            out.push((start, start + piece.chars().count(), plog.exp()));
            cursor = at + piece.len();
        }
        out
    }

    pub fn transcribe(&self, samples: &[f32]) -> Result<Transcript, AsrError> {
        Ok(self.transcribe_keep(samples)?.0)
    }

    /// Transcribes and keeps the decoder state, so that words can be
    /// scored again over the same audio ([`Decoded`]); `None` when the clip
    /// held no speech.
    pub fn transcribe_keep(
        &self,
        samples: &[f32],
    ) -> Result<(Transcript, Option<Decoded<'_>>), AsrError> {
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
            tokens: Vec::new(),
        };
        // cheap gate first: silence or steady noise never reaches the decoder,
        // which would happily hallucinate a sentence
        if !vad::contains_speech(samples, SAMPLE_RATE) {
            tracing::debug!("no speech in {audio_s:.2} s clip (energy gate)");
            return Ok((
                Transcript {
                    elapsed: t0.elapsed(),
                    ..silent
                },
                None,
            ));
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
        if !o.fallback {
            params.set_temperature_inc(0.0);
        }
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_audio_ctx(audio_ctx_for(o.audio_ctx, input.len()));
        let prompt = o.prompt.as_deref().filter(|p| !p.trim().is_empty());
        if let Some(p) = prompt {
            params.set_initial_prompt(p);
        }
        // lives until the end of this function, past `full`, which reads it
        let fusion = self.lm.as_ref().map(|lm| Fusion {
            lm,
            weight: o.lm_weight,
            n_vocab: self.ctx.n_vocab().max(0) as usize,
        });
        if let Some(f) = &fusion {
            // SAFETY: `fusion` is not dropped before `full` returns.
            unsafe { f.install(&mut params) };
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
        let mut tokens = Vec::new();
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
                    tokens.push((tok.token_id(), tok.token_data().plog));
                }
            }
        }
        let text = clean(&text);
        let confidence = if pn > 0 { psum / pn as f32 } else { 0.0 };
        let no_speech =
            text.is_empty() || (no_speech_prob > o.no_speech_threshold && confidence < 0.5);
        let transcript = Transcript {
            text: if no_speech { String::new() } else { text },
            audio_s,
            elapsed: t0.elapsed(),
            confidence,
            no_speech_prob,
            no_speech,
            cut,
            tokens,
        };
        // one thread: a one-token decode is too small to share, and ggml's
        // threads spin at each of its barriers
        let decoded = (!no_speech).then(|| Decoded::new(self, state, prompt, 1));
        Ok((transcript, decoded))
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
