//! Shallow fusion: `w · ln P_LM(token | previous tokens)` added to every
//! text token's logit and to end-of-text, through whisper.cpp's logits
//! filter. whisper.cpp calls the filter from one thread per beam at once,
//! so everything it reads is shared and read-only.

use speechtimer_lm::TokenLm;
use std::ffi::c_void;
use std::sync::OnceLock;
use std::time::Instant;
use whisper_rs::{FullParams, WhisperTokenData};

/// What the filter reads: borrowed for the length of one `full` call.
pub struct Fusion<'a> {
    /// The domain language model.
    pub lm: &'a TokenLm,
    /// `w`: how much of `ln P_LM` is added to each logit (0: no change).
    pub weight: f32,
    /// Length of the logits row (Whisper's whole vocabulary).
    pub n_vocab: usize,
    /// When the filter was first called: the encoder and the prompt are
    /// done by then, so this splits Whisper's time in two.
    pub first_call: OnceLock<Instant>,
}

impl Fusion<'_> {
    /// Adds the LM's opinion on the token after `history` to `logits`.
    pub fn apply(&self, history: &[u32], logits: &mut [f32]) {
        self.lm.distribution(history).add_to(logits, self.weight);
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
    let n = fusion.lm.order() - 1;
    let history: Vec<u32> = tokens[tokens.len().saturating_sub(n)..]
        .iter()
        .map(|t| t.id.max(0) as u32)
        .collect();
    // a panic must not unwind into C
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fusion.apply(&history, logits)
    }));
}
