//! One clip heard: Whisper's transcript, the plan the tagger reads in it,
//! a doubtful round count heard again and hesitant durations flagged. The
//! one path from samples to plan: the endpointing (`endpoint.rs`), the
//! worker, `eval --audio` and `/transcribe` all go through [`hear`].

use super::{clarity, count};
use speechtimer_asr::{Transcriber, Transcript};
use speechtimer_nlu::{Nlu, Parsed};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// What one clip gave: Whisper's transcript and, when a tagger is given
/// and something was said, what it means.
#[derive(Debug, Clone)]
pub struct Understanding {
    /// Whisper's output.
    pub transcript: Transcript,
    /// What the tagger read; `None` without a tagger or when nothing was
    /// said.
    pub parsed: Option<Parsed>,
    /// The tagger's time on the transcript (tagging again after a count
    /// is heard again counts in `rescore`).
    pub nlu: Duration,
    /// Hearing a doubtful round count again (zero when it was not).
    pub rescore: Duration,
}

/// Transcribes `samples` and reads the plan in the transcript; a doubtful
/// round count is heard again over the same audio (`count.rs`), and a
/// duration Whisper hesitated over is flagged (`clarity.rs`). The one
/// path from samples to plan: the window, `eval --audio` and `/transcribe`
/// all go through it. Setting `abort` stops Whisper (an early run whose
/// speaker went on talking).
pub fn hear(
    asr: &Transcriber,
    nlu: Option<&Nlu>,
    samples: &[f32],
    abort: Option<&AtomicBool>,
) -> Result<Understanding, String> {
    let (transcript, decoded) = asr
        .transcribe_keep(samples, abort)
        .map_err(|e| e.to_string())?;
    let mut out = Understanding {
        transcript,
        parsed: None,
        nlu: Duration::ZERO,
        rescore: Duration::ZERO,
    };
    let Some(nlu) = nlu.filter(|_| !out.transcript.no_speech) else {
        return Ok(out);
    };
    let t0 = Instant::now();
    let mut parsed = nlu.parse(&out.transcript.text).map_err(|e| e.to_string())?;
    out.nlu = t0.elapsed();
    let clarity = clarity::duration_probs(&parsed, &asr.token_spans(&out.transcript));
    let slot = count::count_slot(&parsed).filter(|_| asr.options().rescore_count);
    if let (Some(slot), Some(mut decoded)) = (slot, decoded) {
        let t1 = Instant::now();
        match count::hear_again(nlu, &mut decoded, &parsed, &slot) {
            Ok(Some(better)) => parsed = better,
            Ok(None) => {}
            Err(e) => tracing::warn!("count not rescored: {e}"),
        }
        out.rescore = t1.elapsed();
    }
    clarity::flag_unclear(&mut parsed, &clarity);
    out.parsed = Some(parsed);
    Ok(out)
}
