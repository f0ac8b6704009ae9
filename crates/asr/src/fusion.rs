//! whisper.cpp's logits filter: the decoder held to the command grammar
//! (`speechtimer_lm::automaton`: tokens that leave it get `-inf`, free
//! words pay a penalty), then shallow fusion, `w · ln P_LM(token |
//! previous tokens)` added to every text token's logit and to end-of-text.
//! whisper.cpp calls the filter from one thread per beam at once, so what
//! it reads is shared and read-only, and what it writes is behind a lock
//! or atomic.

use speechtimer_lm::TokenLm;
use speechtimer_lm::automaton::{Automaton, Step};
use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use whisper_rs::{FullParams, WhisperTokenData};

/// The grammar the decoder is held to, and what a free word's token costs.
#[derive(Debug, Clone, Copy)]
pub struct Held<'a> {
    /// The command grammar over Whisper's tokens.
    pub automaton: &'a Automaton,
    /// Subtracted from the logit of a token only a free word allows.
    pub penalty: f32,
    /// Enforced; otherwise only watched (what it would cost is measured).
    pub enforce: bool,
}

/// What the filter reads: borrowed for the length of one `full` call.
pub struct Fusion<'a> {
    /// The domain language model (`None`: no fusion).
    pub lm: Option<&'a TokenLm>,
    /// `w`: how much of `ln P_LM` is added to each logit (0: no change).
    pub weight: f32,
    /// The grammar (`None`: free decoding).
    pub grammar: Option<Held<'a>>,
    /// Length of the logits row (Whisper's whole vocabulary).
    pub n_vocab: usize,
    /// When the filter was first called: the encoder and the prompt are
    /// done by then, so this splits Whisper's time in two.
    pub first_call: OnceLock<Instant>,
    /// What the grammar cost the audio at each history it was asked about.
    steps: Mutex<HashMap<Vec<u32>, Step>>,
    calls: AtomicU64,
    nanos: AtomicU64,
}

impl<'a> Fusion<'a> {
    /// A filter with the given language model, weight and grammar.
    pub fn new(
        lm: Option<&'a TokenLm>,
        weight: f32,
        grammar: Option<Held<'a>>,
        n_vocab: usize,
    ) -> Self {
        Self {
            lm,
            weight,
            grammar,
            n_vocab,
            first_call: OnceLock::new(),
            steps: Mutex::new(HashMap::new()),
            calls: AtomicU64::new(0),
            nanos: AtomicU64::new(0),
        }
    }

    /// Holds `logits` to the grammar, then adds the LM's opinion on the
    /// token after `history` (every text token written so far).
    pub fn apply(&self, history: &[u32], logits: &mut [f32]) {
        let t0 = Instant::now();
        if let Some(g) = &self.grammar
            && let Some(step) = if g.enforce {
                g.automaton.apply(history, logits, g.penalty)
            } else {
                g.automaton.observe(history, logits)
            }
        {
            self.steps
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(history.to_vec(), step);
        }
        if let Some(lm) = self.lm {
            let n = lm.order() - 1;
            lm.distribution(&history[history.len().saturating_sub(n)..])
                .add_to(logits, self.weight);
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.nanos
            .fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    /// Calls so far, and the time they took.
    pub fn cost(&self) -> (u64, Duration) {
        (
            self.calls.load(Ordering::Relaxed),
            Duration::from_nanos(self.nanos.load(Ordering::Relaxed)),
        )
    }

    /// What the grammar cost the audio along `tokens` (the text tokens
    /// written), end-of-text included: per step, `-ln P(the grammar's
    /// tokens)` under the unconstrained decoder (0 where it was not asked).
    pub fn path_costs(&self, tokens: &[u32]) -> Vec<f32> {
        let steps = self.steps.lock().unwrap_or_else(|e| e.into_inner());
        (0..=tokens.len())
            .map(|i| steps.get(&tokens[..i]).map_or(0.0, Step::cost))
            .collect()
    }

    /// Installs the filter on `params`.
    ///
    /// # Safety
    /// `self` must outlive every use of `params` (the `full` call).
    pub unsafe fn install(&self, params: &mut FullParams) {
        // SAFETY: the callback only reads `self` through a shared reference,
        // and the caller keeps `self` alive for as long as `params` is used.
        unsafe {
            params.set_filter_logits_callback(Some(filter));
            params.set_filter_logits_callback_user_data(self as *const Self as *mut c_void);
        }
    }
}

unsafe extern "C" fn filter(
    _ctx: *mut whisper_rs::WhisperSysContext,
    _state: *mut whisper_rs::WhisperSysState,
    tokens: *const WhisperTokenData,
    n_tokens: std::os::raw::c_int,
    logits: *mut f32,
    user_data: *mut c_void,
) {
    if user_data.is_null() || logits.is_null() {
        return;
    }
    // SAFETY: whisper.cpp passes the beam's tokens, its logits (n_vocab
    // floats) and our user data, a `Fusion` kept alive by `install`'s caller.
    let (fusion, logits, tokens) = unsafe {
        let fusion = &*(user_data as *const Fusion);
        let logits = std::slice::from_raw_parts_mut(logits, fusion.n_vocab);
        let tokens = if tokens.is_null() || n_tokens <= 0 {
            &[][..]
        } else {
            std::slice::from_raw_parts(tokens, n_tokens as usize)
        };
        (fusion, logits, tokens)
    };
    fusion.first_call.get_or_init(Instant::now);
    let history: Vec<u32> = tokens.iter().map(|t| t.id.max(0) as u32).collect();
    // a panic must not unwind into C
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fusion.apply(&history, logits)
    }));
}
