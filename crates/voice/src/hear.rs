//! One clip heard: Whisper's transcript, the plan the tagger reads in it,
//! a doubtful round count heard again and hesitant durations flagged. The
//! one path from samples to plan: the endpointing (`endpoint.rs`), the
//! worker, `eval --audio` and `/transcribe` all go through [`hear`].

use super::{clarity, count, fit, rehear};
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
    /// What the grammar cost the words the decoder did not choose again,
    /// summed and at its worst step (`fit.rs`); `None` when it was not
    /// watched.
    pub fit: Option<(f32, f32)>,
}

/// Transcribes `samples` and reads the plan in the transcript: the numbers
/// Whisper hesitated over are heard again against the values that sound
/// like them (`rehear.rs`), then a doubtful round count against every
/// count (`count.rs`); a duration Whisper hesitated over is flagged
/// (`clarity.rs`), and so is every value of a transcript that fits the
/// command language badly (`fit.rs`). The one
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
        fit: None,
    };
    let Some(nlu) = nlu.filter(|_| !out.transcript.no_speech) else {
        return Ok(out);
    };
    let t0 = Instant::now();
    let mut parsed = nlu.parse(&out.transcript.text).map_err(|e| e.to_string())?;
    out.nlu = t0.elapsed();
    let tokens = asr.token_spans(&out.transcript);
    let clarity = clarity::duration_probs(&parsed, &tokens);
    let mut decoded = decoded;
    let t1 = Instant::now();
    // the numbers first, on Whisper's own text (the spans match its
    // tokens): only those Whisper wrote with some hesitation
    let mut reheard = Vec::new();
    if let Some(decoded) = decoded.as_mut().filter(|_| asr.options().rescore_numbers) {
        let doubtful = |start: usize, end: usize| {
            clarity::span_prob(&tokens, start, end).is_none_or(|p| p < rehear::SURE_TOKEN)
        };
        match rehear::hear_numbers(decoded, &parsed, doubtful) {
            Ok(r) => reheard = r,
            Err(e) => tracing::warn!("numbers not heard again: {e}"),
        }
    }
    let read_text: Vec<char> = parsed.text.chars().collect();
    // the words the decoder chose again do not count against the fit
    let count_range = count::count_slot(&parsed).map(|s| (s.start, s.end));
    let mut settled: Vec<(usize, usize)> = reheard
        .iter()
        .filter(|r| !r.doubts())
        .map(|r| (r.start, r.end))
        .collect();
    let rewritten = reheard.iter().any(|r| r.replaces());
    if let Some(text) = rehear::rewrite(&parsed.text, &reheard) {
        let t2 = Instant::now();
        match nlu.parse(&text) {
            Ok(again) if again.plan.is_ok() => parsed = again,
            Ok(_) => reheard.retain(|r| !r.replaces()),
            Err(e) => tracing::warn!("reheard transcript not tagged: {e}"),
        }
        out.nlu += t2.elapsed();
    }
    let slot = count::count_slot(&parsed).filter(|_| asr.options().rescore_count);
    if let (Some(slot), Some(decoded)) = (slot, decoded.as_mut()) {
        match count::hear_again(nlu, decoded, &parsed, &slot) {
            Ok(Some(better)) => parsed = better,
            Ok(None) => {}
            Err(e) => tracing::warn!("count not rescored: {e}"),
        }
    }
    out.rescore = t1.elapsed();
    if !rewritten
        && asr.options().rescore_count
        && decoded.is_some()
        && !parsed.trust.rounds.is_uncertain()
        && let Some(range) = count_range
    {
        settled.push(range);
    }
    for r in &reheard {
        let heard: String = read_text
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
    if let Some(f) = &out.transcript.fit {
        let places = asr.token_places(&out.transcript);
        let (cost, worst) = fit::unsettled(f, &places, &settled);
        out.fit = Some((cost, worst));
        fit::flag_misheard(&mut parsed, cost, worst);
    }
    out.parsed = Some(parsed);
    Ok(out)
}
