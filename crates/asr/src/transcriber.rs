//! Whisper speech-to-text on whisper-rs: the model is loaded once, one
//! decoder state is kept between utterances (or made fresh for each), a
//! run can be aborted from another thread, and the domain language model
//! is fused into the decoder (see `fusion.rs`).

use super::cpu;
use super::error::AsrError;
use super::fusion::{Fusion, Held};
use super::logs;
use super::model_store;
use super::rescore::{Decoded, tokens_of};
use speechtimer_audio::vad;
use speechtimer_lm::automaton::Automaton;
use speechtimer_lm::bpe::Bpe;
use speechtimer_lm::grammar::Grammar;
use speechtimer_lm::{LmError, TokenLm};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

/// Input sample rate Whisper expects.
pub const SAMPLE_RATE: u32 = 16_000;
/// Whisper's window: longer input is cut to this.
pub const MAX_SECONDS: f32 = 30.0;

/// Prompt of count words that measured best with beam 5 (ASR-NOTES).
pub const COUNT_PROMPT: &str =
    "Dix séries, huit répétitions, onze tours, six rounds de trente secondes, une minute de repos.";

/// How many encoder frames (20 ms each) Whisper looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioCtx {
    /// The whole 30 s window (1500 frames).
    Full,
    /// At least this many, raised to cover the clip.
    AtLeast(u32),
    /// The clip's own length plus [`CLIP_CTX_MARGIN`] frames.
    Clip,
}

/// Frames added after the clip in [`AudioCtx::Clip`] (ASR-NOTES: 64 made
/// the decoder fall back, 128 held).
pub const CLIP_CTX_MARGIN: u32 = 128;

impl AudioCtx {
    /// The `audio_ctx` given to whisper.cpp for `n` samples (0 = full).
    pub fn frames(self, n: usize) -> i32 {
        let clip = (n as u64 * 50).div_ceil(SAMPLE_RATE as u64) as u32;
        match self {
            Self::Full => 0,
            Self::AtLeast(f) => f.max(clip + 16).min(1500) as i32,
            Self::Clip => (clip + CLIP_CTX_MARGIN).min(1500) as i32,
        }
    }
}

impl std::str::FromStr for AudioCtx {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "auto" | "clip" => Ok(Self::Clip),
            "0" | "1500" | "full" => Ok(Self::Full),
            n => n
                .parse::<u32>()
                .ok()
                .filter(|f| (1..1500).contains(f))
                .map(Self::AtLeast)
                .ok_or_else(|| format!("« {s} » : un nombre de trames de 1 à 1500, ou « auto »")),
        }
    }
}

impl std::fmt::Display for AudioCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Full => f.write_str("1500"),
            Self::AtLeast(n) => write!(f, "{n}"),
            Self::Clip => f.write_str("auto"),
        }
    }
}

/// Decoding settings; every one is a command-line option.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeOptions {
    /// Beam width; 0 or 1 decodes greedily.
    pub beam_size: u32,
    /// Encoder frames: fixed (raised to cover a longer clip), the full
    /// window, or the clip's own length.
    pub audio_ctx: AudioCtx,
    /// Initial prompt (`None` or empty: no prompt).
    pub prompt: Option<String>,
    /// Cap on generated tokens: a confused decoder can loop on one word.
    pub max_tokens: u32,
    /// Decoder threads; with `adapt_threads`, the most used.
    pub threads: usize,
    /// Fewer threads while other processes keep cores busy (`cpu.rs`);
    /// off when a thread count is asked for.
    pub adapt_threads: bool,
    /// The domain language model fused into the decoder.
    pub lm: LmChoice,
    /// Weight of `ln P_LM` added to each logit (0: the filter runs but
    /// changes nothing).
    pub lm_weight: f32,
    /// Whisper's temperature fallback: decode again, sampling, when the
    /// mean log probability is under -1. Off by default: the fused LM
    /// lowers log probabilities, and the re-decoding drops the prompt.
    pub fallback: bool,
    /// Hold the decoder to the command grammar (`speechtimer_lm::grammar`).
    pub grammar: bool,
    /// When not held to it, still measure what the grammar would cost the
    /// audio (`Transcript::fit`, the trust of `voice::fit`); the text is
    /// the same either way.
    pub watch_grammar: bool,
    /// What a free word's token (outside the grammar) loses in its logit.
    pub grammar_penalty: f32,
    /// Hear the round count again with the decoder (`voice::count`).
    pub rescore_count: bool,
    /// Hear the other numbers again (`voice::rehear`).
    pub rescore_numbers: bool,
    /// Keep one decoder state between utterances (its buffers are
    /// allocated once) instead of making one per utterance. Off: measured
    /// no faster, and it changes what beam search writes (docs/results.md).
    pub keep_state: bool,
    /// whisper.cpp's flash attention; read when the model is loaded.
    pub flash_attn: bool,
}

/// Which language model the decoder listens to.
#[derive(Debug, Clone, PartialEq)]
pub enum LmChoice {
    /// The one built into the binary.
    Embedded,
    /// A model file, as `speechtimer lm build` writes it.
    File(PathBuf),
    /// Plain Whisper.
    Off,
}

/// Encoder frames (20 ms each) by default: 384 (7.7 s) covers a command,
/// and a longer clip raises it. Against 768, the encoder takes half the
/// time, and plan exact over dev audio and both held-out voices (600 clips)
/// is within one point (0.497 against 0.505), with no more wrong plans
/// shown (docs/results.md, « Answering in half a second »).
pub const DEFAULT_AUDIO_CTX: u32 = 384;

/// Fusion weight that measured best on the dev audio (docs/results.md, "Voice to plan, end to end").
pub const DEFAULT_LM_WEIGHT: f32 = 0.3;

/// What a free word's token pays, in logit (docs/asr.md, "The command grammar").
pub const DEFAULT_GRAMMAR_PENALTY: f32 = 3.0;

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            beam_size: 5,
            audio_ctx: AudioCtx::AtLeast(DEFAULT_AUDIO_CTX),
            prompt: Some(COUNT_PROMPT.to_string()),
            max_tokens: 48,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            adapt_threads: true,
            lm: LmChoice::Embedded,
            lm_weight: DEFAULT_LM_WEIGHT,
            fallback: false,
            grammar: false,
            watch_grammar: true,
            grammar_penalty: DEFAULT_GRAMMAR_PENALTY,
            rescore_count: true,
            rescore_numbers: true,
            keep_state: false,
            flash_attn: false,
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
    /// Of which the encoder and the prompt, up to the decoder's first
    /// text step (known when the language model is fused).
    pub encoded: Option<Duration>,
    /// Mean probability of the text tokens, 0..1.
    pub confidence: f32,
    /// Nothing was said: the energy gate found no speech (silence, steady
    /// noise), or Whisper wrote nothing. (Whisper's own no-speech
    /// probability is not used: whisper.cpp 1.8.3 never fills it in.)
    pub no_speech: bool,
    /// The clip was longer than 30 s and only its start was decoded.
    pub cut: bool,
    /// The text tokens Whisper wrote, with their log-probabilities.
    pub tokens: Vec<(i32, f32)>,
    /// How the text fits the command grammar, when the decoder was held
    /// to it.
    pub fit: Option<GrammarFit>,
    /// Calls to the logits filter, and their time.
    pub filter: (u64, Duration),
}

/// What holding the decoder to the grammar cost the audio.
#[derive(Debug, Clone, PartialEq)]
pub struct GrammarFit {
    /// `-ln P(the grammar's tokens)` under the free decoder, summed over
    /// the steps of the text written (end-of-text included).
    pub cost: f32,
    /// That cost at each step: before each text token, then before
    /// end-of-text (0 where the filter was not asked).
    pub steps: Vec<f32>,
    /// The largest of those steps.
    pub worst: f32,
    /// Tokens written as free words (outside the grammar).
    pub free_tokens: usize,
    /// The text is a whole command of the grammar.
    pub accepted: bool,
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
    /// The command grammar over the decoder's tokens (`None`: it could
    /// not be read).
    automaton: Option<Automaton>,
    /// The decoder state kept between utterances; its lock also makes
    /// runs on one `Transcriber` take turns.
    state: Mutex<Option<WhisperState>>,
    /// CPU counters at the start of the span the next run looks back on,
    /// and the thread count chosen last.
    cpu: Mutex<(Option<cpu::Sample>, usize)>,
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
        logs::install();
        let t0 = Instant::now();
        model_store::check_ggml(path)?;
        let mut cparams = WhisperContextParameters::default();
        cparams.flash_attn(opts.flash_attn);
        let ctx = WhisperContext::new_with_params(path, cparams).map_err(|e| {
            tracing::error!("whisper init failed: {e}");
            AsrError::Load {
                path: path.display().to_string(),
            }
        })?;
        let eot = ctx.token_eot().max(0);
        let token_bytes: Vec<Vec<u8>> = (0..eot)
            .map(|id| ctx.token_to_bytes(id).unwrap_or_default().to_vec())
            .collect();
        let bpe = Bpe::new(token_bytes.iter().cloned());
        let automaton = match Grammar::embedded() {
            Ok(g) => Some(Automaton::new(g, &token_bytes)),
            Err(e) => {
                tracing::warn!("{e} ; transcription sans grammaire");
                None
            }
        };
        let load_time = t0.elapsed();
        tracing::info!("whisper model {} loaded in {load_time:?}", path.display());
        let mut t = Self {
            ctx,
            opts: DecodeOptions::default(),
            lm: None,
            lm_problem: None,
            bpe,
            automaton,
            state: Mutex::new(None),
            cpu: Mutex::new((None, opts.threads.max(1))),
            load_time,
        };
        t.set_options(opts);
        Ok(t)
    }

    /// The settings in use.
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

    /// The loaded whisper.cpp model (special token ids, token text).
    pub fn context(&self) -> &WhisperContext {
        &self.ctx
    }

    /// The command grammar over the decoder's tokens.
    pub fn automaton(&self) -> Option<&Automaton> {
        self.automaton.as_ref()
    }

    /// The decoder's byte-pair encoder.
    pub fn bpe(&self) -> &Bpe {
        &self.bpe
    }

    /// The token ids the decoder writes for `text` (byte-pair encoding).
    pub fn tokenize(&self, text: &str) -> Vec<i32> {
        tokens_of(&self.bpe, text)
    }

    /// `text` split as whisper.cpp splits the initial prompt.
    pub fn tokenize_prompt(&self, text: &str) -> Result<Vec<i32>, AsrError> {
        self.ctx
            .tokenize(text, text.len() + 16)
            .map_err(|e| AsrError::Decode(e.to_string()))
    }

    /// Where each token Whisper wrote lies in `t.text` (code points) and
    /// how sure the decoder was of it (`(start, end, probability)`).
    /// Tokens that are not whole characters, or that `clean` removed, are
    /// left out.
    pub fn token_spans(&self, t: &Transcript) -> Vec<(usize, usize, f32)> {
        self.token_places(t)
            .into_iter()
            .zip(&t.tokens)
            .filter_map(|(place, &(_, plog))| place.map(|(s, e)| (s, e, plog.exp())))
            .collect()
    }

    /// Where each token of `t.tokens` lies in `t.text` (code points), in
    /// order; `None` for a token that is no whole characters or that
    /// `clean` removed.
    pub fn token_places(&self, t: &Transcript) -> Vec<Option<(usize, usize)>> {
        let mut out = Vec::with_capacity(t.tokens.len());
        let mut cursor = 0; // byte offset in t.text
        for &(id, _) in &t.tokens {
            let piece = self
                .ctx
                .token_to_bytes(id)
                .ok()
                .and_then(|b| std::str::from_utf8(b).ok())
                .map(str::trim)
                .filter(|p| !p.is_empty());
            let at = piece.and_then(|p| t.text[cursor..].find(p).map(|a| (a + cursor, p)));
            out.push(at.map(|(at, piece)| {
                let start = t.text[..at].chars().count();
                cursor = at + piece.len();
                (start, start + piece.chars().count())
            }));
        }
        out
    }

    /// Transcribes one clip of mono samples at 16 kHz (the first
    /// [`MAX_SECONDS`] of a longer one).
    pub fn transcribe(&self, samples: &[f32]) -> Result<Transcript, AsrError> {
        Ok(self.transcribe_keep(samples, None)?.0)
    }

    /// Starts the span over which the next run sees how busy the machine
    /// is (the voice worker calls it when it starts listening).
    pub fn mark_cpu(&self) {
        if self.opts.adapt_threads {
            self.cpu.lock().unwrap_or_else(|e| e.into_inner()).0 = cpu::Sample::read();
        }
    }

    /// Threads for a run starting now: the configured count, fewer while
    /// other processes keep cores busy (since the last mark, or the last
    /// run when that was long enough ago).
    pub fn threads_now(&self) -> usize {
        let o = &self.opts;
        if !o.adapt_threads {
            return o.threads.max(1);
        }
        let mut cpu = self.cpu.lock().unwrap_or_else(|e| e.into_inner());
        let Some(now) = cpu::Sample::read() else {
            return o.threads.max(1);
        };
        match cpu.0 {
            Some(then) if now.at.duration_since(then.at) < cpu::MIN_SPAN => {}
            Some(then) => {
                let others = then.others_busy(&now);
                let chosen = cpu::threads_for(o.threads, others);
                if chosen != cpu.1 {
                    tracing::info!("{others:.1} cores busy elsewhere: whisper on {chosen} threads");
                }
                *cpu = (Some(now), chosen);
            }
            None => cpu.0 = Some(now),
        }
        cpu.1
    }

    /// The decoder state for the next run: the kept one, or a new one.
    fn take_state(&self) -> Result<MutexGuard<'_, Option<WhisperState>>, AsrError> {
        let mut slot = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() || !self.opts.keep_state {
            // the old one goes first: two states at once is 100 MB more
            *slot = None;
            *slot = Some(
                self.ctx
                    .create_state()
                    .map_err(|e| AsrError::Decode(e.to_string()))?,
            );
        }
        Ok(slot)
    }

    /// Transcribes and keeps the decoder state, so that words can be
    /// scored again over the same audio ([`Decoded`]); `None` when the clip
    /// held no speech. Setting `abort` stops the run within one step of
    /// the encoder or decoder ([`AsrError::Aborted`]).
    pub fn transcribe_keep(
        &self,
        samples: &[f32],
        abort: Option<&AtomicBool>,
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
            encoded: None,
            confidence: 0.0,
            no_speech: true,
            cut,
            tokens: Vec::new(),
            fit: None,
            filter: (0, Duration::ZERO),
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
        params.set_n_threads(self.threads_now() as i32);
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
        params.set_audio_ctx(o.audio_ctx.frames(input.len()));
        let prompt = o.prompt.as_deref().filter(|p| !p.trim().is_empty());
        if let Some(p) = prompt {
            params.set_initial_prompt(p);
        }
        // lives until the end of this function, past `full`, which reads it
        // off, the grammar is still watched: what it would cost the audio
        // tells a command from other speech
        let held = self
            .automaton
            .as_ref()
            .filter(|_| o.grammar || o.watch_grammar)
            .map(|automaton| Held {
                automaton,
                penalty: o.grammar_penalty,
                enforce: o.grammar,
            });
        let fusion = (self.lm.is_some() || held.is_some()).then(|| {
            let n_vocab = self.ctx.n_vocab().max(0) as usize;
            Fusion::new(self.lm.as_ref(), o.lm_weight, held, n_vocab)
        });
        if let Some(f) = &fusion {
            // SAFETY: `fusion` is not dropped before `full` returns.
            unsafe { f.install(&mut params) };
        }
        if let Some(flag) = abort {
            // SAFETY: `flag` outlives `full`, and the callback only reads it.
            unsafe {
                params.set_abort_callback(Some(abort_requested));
                params.set_abort_callback_user_data(flag as *const AtomicBool as *mut _);
            }
        }
        let mut slot = self.take_state()?;
        let state = slot.as_mut().expect("just filled");
        let watch = logs::Watch::new(abort);
        let ran = state.full(params, input);
        drop(watch);
        if let Err(e) = ran {
            // a state left half-way is not reused
            *slot = None;
            return Err(if abort.is_some_and(|f| f.load(Ordering::Relaxed)) {
                AsrError::Aborted
            } else {
                AsrError::Decode(e.to_string())
            });
        }
        let eot = self.ctx.token_eot();
        let mut text = String::new();
        let (mut psum, mut pn) = (0f32, 0usize);
        let mut tokens = Vec::new();
        for i in 0..state.full_n_segments() {
            let Some(seg) = state.get_segment(i) else {
                continue;
            };
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
        let ids: Vec<u32> = tokens.iter().map(|&(t, _)| t.max(0) as u32).collect();
        let fit = held.zip(fusion.as_ref()).map(|(h, f)| {
            let costs = f.path_costs(&ids);
            let check = h.automaton.check(&ids);
            GrammarFit {
                cost: costs.iter().sum(),
                worst: costs.iter().copied().fold(0.0, f32::max),
                steps: costs,
                free_tokens: check.free_tokens,
                accepted: check.accepted,
            }
        });
        let filter = fusion.as_ref().map_or((0, Duration::ZERO), Fusion::cost);
        if let Some(f) = &fit {
            tracing::debug!(
                "grammar: cost {:.2}, worst step {:.2}, {} free tokens, accepted {}; filter {} calls, {:?}",
                f.cost,
                f.worst,
                f.free_tokens,
                f.accepted,
                filter.0,
                filter.1
            );
        }
        let confidence = if pn > 0 { psum / pn as f32 } else { 0.0 };
        let no_speech = text.is_empty();
        let transcript = Transcript {
            text: if no_speech { String::new() } else { text },
            audio_s,
            elapsed: t0.elapsed(),
            encoded: fusion
                .as_ref()
                .and_then(|f| f.first_call.get())
                .map(|t| t.saturating_duration_since(t0)),
            confidence,
            no_speech,
            cut,
            tokens,
            fit,
            filter,
        };
        if no_speech && !o.keep_state {
            *slot = None;
        }
        // one thread: a one-token decode is too small to share, and ggml's
        // threads spin at each of its barriers
        let decoded = (!no_speech).then(|| {
            // the prompt is tokenized as whisper.cpp does it: no space added
            let prompt = prompt
                .and_then(|p| self.tokenize_prompt(p).ok())
                .unwrap_or_default();
            Decoded::new(&self.ctx, &self.bpe, o.keep_state, slot, &prompt, 1)
        });
        Ok((transcript, decoded))
    }
}

/// whisper.cpp's abort callback: `data` is the `AtomicBool` given to
/// [`Transcriber::transcribe_keep`].
unsafe extern "C" fn abort_requested(data: *mut std::ffi::c_void) -> bool {
    // SAFETY: set from a live `&AtomicBool` that outlives the run.
    unsafe { (*(data as *const AtomicBool)).load(Ordering::Relaxed) }
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
        let ctx = AudioCtx::AtLeast(768);
        assert_eq!(ctx.frames(16_000 * 3), 768);
        assert_eq!(ctx.frames(16_000 * 20), 1016);
        assert_eq!(ctx.frames(16_000 * 30), 1500);
        assert_eq!(AudioCtx::Full.frames(16_000 * 3), 0);
        assert_eq!(AudioCtx::Clip.frames(16_000 * 4), 328);
        assert_eq!(AudioCtx::Clip.frames(16_000 * 30), 1500);
    }

    #[test]
    fn audio_ctx_reads_as_on_the_command_line() {
        assert_eq!("auto".parse(), Ok(AudioCtx::Clip));
        assert_eq!("768".parse(), Ok(AudioCtx::AtLeast(768)));
        assert_eq!("0".parse(), Ok(AudioCtx::Full));
        assert!("-3".parse::<AudioCtx>().is_err());
        assert!("2000".parse::<AudioCtx>().is_err());
        for c in [AudioCtx::Clip, AudioCtx::AtLeast(512), AudioCtx::Full] {
            assert_eq!(c.to_string().parse(), Ok(c));
        }
    }
}
