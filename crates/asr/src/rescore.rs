//! Scoring words again over the audio Whisper just heard: after `full`, the
//! state keeps the encoder's output, so `decode` can run other token
//! sequences through the decoder and tell how well each fits the sound.
//! Used to choose the round count when the transcript's is unreadable.

use super::error::AsrError;
use speechtimer_lm::bpe::Bpe;
use std::sync::MutexGuard;
use whisper_rs::{WhisperContext, WhisperState};

/// The token ids the decoder writes for `text` (byte-pair encoding).
pub(crate) fn tokens_of(bpe: &Bpe, text: &str) -> Vec<i32> {
    bpe.encode(text).into_iter().map(|t| t as i32).collect()
}

/// A finished transcription whose decoder can still be asked questions.
/// It holds the transcriber's decoder state (its lock) until dropped.
pub struct Decoded<'a> {
    ctx: &'a WhisperContext,
    bpe: &'a Bpe,
    /// The state stays for the next run (`DecodeOptions::keep_state`).
    keep_state: bool,
    state: MutexGuard<'a, Option<WhisperState>>,
    /// What whisper.cpp put before the text: `<|startofprev|>` and the
    /// prompt, then `<|startoftranscript|><|fr|><|transcribe|><|notimestamps|>`.
    prefix: Vec<i32>,
    /// The tokens whose keys and values the decoder's cache holds, from
    /// position 0 (the prefix, then the last text scored): a scoring that
    /// starts the same way decodes only from where it differs. At first,
    /// the prefix whisper.cpp decoded before the text (every beam starts
    /// with it, and the first beam's cache is sequence 0, which scoring
    /// uses).
    cached: Vec<i32>,
    threads: usize,
}

impl Drop for Decoded<'_> {
    /// A state not kept for the next run is freed now, not when the next
    /// run replaces it: the window idles without it.
    fn drop(&mut self) {
        if !self.keep_state {
            *self.state = None;
        }
    }
}

/// How many candidates get their whole text scored, after a first cut on
/// their first token.
const FULL_SCORES: usize = 4;

impl<'a> Decoded<'a> {
    /// The decoder of `ctx` over the audio `state` holds; `prompt` is
    /// the initial prompt's tokens as whisper.cpp split them.
    pub(super) fn new(
        ctx: &'a WhisperContext,
        bpe: &'a Bpe,
        keep_state: bool,
        state: MutexGuard<'a, Option<WhisperState>>,
        prompt: &[i32],
        threads: usize,
    ) -> Self {
        let mut prefix = Vec::new();
        if !prompt.is_empty() {
            prefix.push(ctx.token_prev());
            let max = (ctx.n_text_ctx() / 2 - 1).max(1) as usize;
            prefix.extend_from_slice(&prompt[prompt.len().saturating_sub(max)..]);
        }
        prefix.push(ctx.token_sot());
        prefix.push(ctx.token_lang(whisper_rs::get_lang_id("fr").unwrap_or(0)));
        prefix.push(ctx.token_transcribe());
        prefix.push(ctx.token_not());
        Self {
            ctx,
            bpe,
            keep_state,
            state,
            cached: prefix.clone(),
            prefix,
            threads,
        }
    }

    /// Forgets what the decoder's cache holds: the next scoring decodes
    /// the prefix again. Scores do not change (a test holds it); this is
    /// for that test and for measuring what the cache saves.
    pub fn forget_cache(&mut self) {
        self.cached.clear();
    }

    fn state(&mut self) -> Result<&mut WhisperState, AsrError> {
        self.state
            .as_mut()
            .ok_or_else(|| AsrError::Decode("état du décodeur perdu".into()))
    }

    /// `ln P(token)` for every text token and end-of-text after `tokens`
    /// (which follow the prefix).
    fn next_ln_probs(&mut self, tokens: &[i32]) -> Result<Vec<f32>, AsrError> {
        let mut all = self.prefix.clone();
        all.extend_from_slice(tokens);
        self.decode_up_to(&all)?;
        self.read_ln_probs()
    }

    /// Leaves the decoder just after `all` (prefix included), decoding
    /// only what the cache does not already hold. The cache drops every
    /// position from where a decode starts, so what it holds is always
    /// one sequence from position 0.
    fn decode_up_to(&mut self, all: &[i32]) -> Result<(), AsrError> {
        let Some(last) = all.len().checked_sub(1) else {
            return Err(AsrError::Decode("rien à décoder".into()));
        };
        let kept = self
            .cached
            .iter()
            .zip(all)
            .take_while(|(a, b)| a == b)
            .count()
            .min(last);
        let err = |e: whisper_rs::WhisperError| AsrError::Decode(e.to_string());
        let threads = self.threads;
        // a failed decode leaves the cache unknown
        self.cached.clear();
        let state = self.state()?;
        // the batch fills the cache; only row 0 of the logits can be read,
        // so the last token is decoded on its own
        if last > kept {
            state.decode(&all[kept..last], kept, threads).map_err(err)?;
        }
        state.decode(&all[last..], last, threads).map_err(err)?;
        self.cached.extend_from_slice(all);
        Ok(())
    }

    fn read_ln_probs(&self) -> Result<Vec<f32>, AsrError> {
        let eot = self.ctx.token_eot() as usize;
        let logits = self
            .state
            .as_ref()
            .ok_or_else(|| AsrError::Decode("état du décodeur perdu".into()))?
            .get_logits()
            .map_err(|e| AsrError::Decode(e.to_string()))?;
        let text = &logits[..=eot.min(logits.len() - 1)];
        let max = text.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let ln_sum = text.iter().map(|l| (l - max).exp()).sum::<f32>().ln() + max;
        Ok(text.iter().map(|l| l - ln_sum).collect())
    }

    /// `ln P` of `tokens` right after `context` (both text tokens).
    fn ln_prob_of(
        &mut self,
        context: &[i32],
        first: &[f32],
        tokens: &[i32],
    ) -> Result<f32, AsrError> {
        let Some(&t0) = tokens.first() else {
            return Ok(0.0);
        };
        let mut sum = first.get(t0 as usize).copied().unwrap_or(f32::NEG_INFINITY);
        // each token is decoded after the one before it; the prefix and
        // the context stay in the cache
        let mut all = self.prefix.clone();
        all.extend_from_slice(context);
        for pair in tokens.windows(2) {
            all.push(pair[0]);
            self.decode_up_to(&all)?;
            let lp = self.read_ln_probs()?;
            sum += lp
                .get(pair[1] as usize)
                .copied()
                .unwrap_or(f32::NEG_INFINITY);
        }
        Ok(sum)
    }

    /// How well each of `candidates` fits the audio between `before` and
    /// `after` (text as in the transcript; `after` is usually the next
    /// word or two). Returns `ln P(candidate + after | before)` per
    /// candidate; candidates whose first token scores poorly get
    /// `-inf` without being decoded in full.
    pub fn score_slot(
        &mut self,
        before: &str,
        candidates: &[String],
        after: &str,
    ) -> Result<Vec<f32>, AsrError> {
        let before = before.trim_end();
        let context = if before.is_empty() {
            Vec::new()
        } else {
            tokens_of(self.bpe, &format!(" {before}"))
        };
        let first = self.next_ln_probs(&context)?;
        let mut texts = Vec::with_capacity(candidates.len());
        for c in candidates {
            texts.push(tokens_of(self.bpe, &format!(" {}{after}", c.trim())));
        }
        let mut order: Vec<usize> = (0..texts.len()).collect();
        let head = |i: usize| {
            texts[i]
                .first()
                .and_then(|&t| first.get(t as usize))
                .copied()
                .unwrap_or(f32::NEG_INFINITY)
        };
        order.sort_by(|&a, &b| head(b).total_cmp(&head(a)));
        let mut scores = vec![f32::NEG_INFINITY; texts.len()];
        for &i in order.iter().take(FULL_SCORES) {
            scores[i] = self.ln_prob_of(&context, &first, &texts[i])?;
        }
        Ok(scores)
    }

    /// `ln P` of `text` (as Whisper would write it) as all that was said:
    /// its tokens, then the end of the text. Compares short replies
    /// (« Oui. ») with a longer transcript over the same audio.
    pub fn score_utterance(&mut self, text: &str) -> Result<f32, AsrError> {
        let mut tokens = tokens_of(self.bpe, &format!(" {}", text.trim()));
        tokens.push(self.ctx.token_eot());
        let first = self.next_ln_probs(&[])?;
        self.ln_prob_of(&[], &first, &tokens)
    }

    /// `ln P` of the whole `text` (as Whisper would write it) over the
    /// audio: checks that the prefix is rebuilt as whisper.cpp builds it.
    pub fn score_text(&mut self, text: &str) -> Result<f32, AsrError> {
        let tokens = tokens_of(self.bpe, &format!(" {}", text.trim()));
        let first = self.next_ln_probs(&[])?;
        self.ln_prob_of(&[], &first, &tokens)
    }
}
