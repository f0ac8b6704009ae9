//! One clip heard: Whisper's transcript, the plan the tagger reads in it,
//! a doubtful round count heard again and hesitant durations flagged. The
//! one path from samples to plan: the endpointing (`endpoint.rs`), the
//! worker, `eval --audio` and `/transcribe` all go through [`hear`].

use super::{clarity, count, rehear};
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
    let mut decoded = decoded;
    let t1 = Instant::now();
    if let (Some(slot), Some(decoded)) = (slot, decoded.as_mut()) {
        match count::hear_again(nlu, decoded, &parsed, &slot) {
            Ok(Some(better)) => parsed = better,
            Ok(None) => {}
            Err(e) => tracing::warn!("count not rescored: {e}"),
        }
    }
    let mut reheard = Vec::new();
    if let Some(decoded) = decoded.as_mut().filter(|_| asr.options().rescore_numbers) {
        match rehear::hear_numbers(decoded, &parsed) {
            Ok(r) => reheard = r,
            Err(e) => tracing::warn!("numbers not heard again: {e}"),
        }
    }
    out.rescore = t1.elapsed();
    let chars: Vec<char> = parsed.text.chars().collect();
    if let Some(text) = rehear::rewrite(&parsed.text, &reheard) {
        let rounds = parsed.trust.rounds.clone();
        let mut notes = std::mem::take(&mut parsed.notes);
        let t2 = Instant::now();
        match nlu.parse(&text) {
            Ok(again) if again.plan.is_ok() => {
                parsed = again;
                parsed.trust.rounds = rounds;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("reheard transcript not tagged: {e}"),
        }
        out.nlu += t2.elapsed();
        notes.append(&mut parsed.notes);
        parsed.notes = notes;
    }
    for r in &reheard {
        let heard: String = chars
            .get(r.start..r.end)
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        if r.replaces() {
            parsed
                .notes
                .push(format!("« {heard} » réentendu comme {}", r.best));
        }
        if r.replaces() || r.doubts() {
            *parsed.trust.field_mut(r.quantity) = speechtimer_nlu::Trust::Rescored {
                heard,
                value: r.best,
                margin: (r.margin.min(99.0) * 100.0).round() / 100.0,
                clear: r.replaces(),
            };
        }
    }
    clarity::flag_unclear(&mut parsed, &clarity);
    out.parsed = Some(parsed);
    Ok(out)
}
