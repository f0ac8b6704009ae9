//! One clip heard, in one pass: decode (held to or watched by the command
//! grammar) -> read Whisper's words (the tagger says where the numbers
//! are, `slots.rs`) -> every slot heard again over the same audio
//! (`rehear.rs`, `count.rs`) and the clear choices written in -> the
//! corrected text tagged (only when something was written in) -> trust
//! (what hearing again said, the durations Whisper hesitated over,
//! `clarity.rs`, how well the words fit the command language, `fit.rs`).
//! The verdict is then `Parsed::verdict`'s. Nothing calls back: each
//! stage reads what the one before it wrote. The endpointing (`endpoint.rs`), the worker,
//! `eval --audio` and `/transcribe` all go through [`hear`].

use super::expect::{Expect, closest_phrase};
use super::{clarity, fit, rehear, slots};
use speechtimer_asr::{Decoded, Transcriber, Transcript};
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
    /// The tagger's time: on Whisper's words, and on the corrected text
    /// when a number was written in.
    pub nlu: Duration,
    /// Hearing the numbers again (zero when none was).
    pub rescore: Duration,
    /// What the grammar cost the words the decoder did not choose again,
    /// summed and at its worst step (`fit.rs`); `None` when it was not
    /// watched.
    pub fit: Option<(f32, f32)>,
}

/// Transcribes `samples` and reads the plan in the transcript, in one
/// pass (see the module's doc). Setting `abort` stops Whisper (an early
/// run whose speaker went on talking). With a reply or a command
/// `expect`ed, one of its phrases that fits the audio better replaces
/// Whisper's text (`expect.rs`).
pub fn hear(
    asr: &Transcriber,
    nlu: Option<&Nlu>,
    samples: &[f32],
    abort: Option<&AtomicBool>,
    expect: Expect,
) -> Result<Understanding, String> {
    let (mut transcript, mut decoded) = asr
        .transcribe_keep(samples, abort)
        .map_err(|e| e.to_string())?;
    if let Some(d) = decoded.as_mut()
        && let Some((phrase, score, own)) =
            closest_phrase(d, &transcript.text, expect.phrases()).map_err(|e| e.to_string())?
    {
        tracing::info!(
            "heard {:?} as {phrase:?} (ln P {score:.1} against {own:.1})",
            transcript.text
        );
        transcript.text = phrase.to_string();
        // the decoder's tokens were of the other text
        transcript.tokens.clear();
        transcript.fit = None;
        decoded = None;
    }
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
    let read = nlu.parse(&out.transcript.text).map_err(|e| e.to_string())?;
    out.nlu = t0.elapsed();
    let tokens = asr.token_spans(&out.transcript);
    let t1 = Instant::now();
    let mut reheard = decoded
        .map(|mut d| hear_again(asr, &mut d, &read, &tokens))
        .unwrap_or_default();
    out.rescore = t1.elapsed();
    let mut rewritten = rehear::rewrite(&read.text, &reheard);
    let mut parsed = if rewritten.text == read.text {
        read
    } else {
        let t2 = Instant::now();
        let again = nlu.parse(&rewritten.text).map_err(|e| e.to_string())?;
        out.nlu += t2.elapsed();
        // what was written in must leave a plan to read, or it is not taken
        if again.plan.is_ok() || read.plan.is_err() {
            again
        } else {
            reheard.retain(|r| !r.rewrites());
            rewritten = rehear::rewrite(&read.text, &reheard);
            read
        }
    };
    rehear::mark(&mut parsed, &reheard, &rewritten);
    let probs = clarity::duration_probs(&parsed, &tokens, |p| rewritten.to_old(p));
    clarity::flag_unclear(&mut parsed, &probs);
    if let Some(f) = &out.transcript.fit {
        // the words the decoder chose again do not count against the fit
        let settled: Vec<(usize, usize)> = reheard
            .iter()
            .filter(|r| r.settles())
            .map(|r| (r.slot.start, r.slot.end))
            .collect();
        let places = asr.token_places(&out.transcript);
        let (cost, worst) = fit::unsettled(f, &places, &settled);
        out.fit = Some((cost, worst));
        fit::flag_misheard(&mut parsed, cost, worst);
    }
    out.parsed = Some(parsed);
    Ok(out)
}

/// The number slots of `read` heard again: the count (when the options
/// say so), and the other numbers Whisper wrote with some hesitation (a
/// token under [`rehear::SURE_TOKEN`]). A slot that cannot be scored is
/// left as written.
fn hear_again(
    asr: &Transcriber,
    decoded: &mut Decoded,
    read: &Parsed,
    tokens: &[(usize, usize, f32)],
) -> Vec<rehear::Reheard> {
    let opts = asr.options();
    let wanted = |s: &slots::Slot| match s.kind {
        slots::Kind::Count => opts.rescore_count,
        slots::Kind::Number => {
            opts.rescore_numbers
                && clarity::span_prob(tokens, s.start, s.end).is_none_or(|p| p < rehear::SURE_TOKEN)
        }
    };
    let mut out = Vec::new();
    for slot in slots::find(read).into_iter().filter(wanted) {
        match rehear::hear_slot(decoded, &read.text, &slot) {
            Ok(Some(r)) => out.push(r),
            Ok(None) => {}
            Err(e) => tracing::warn!("« {} » not heard again: {e}", slot.heard),
        }
    }
    out
}
