//! Semantic endpointing: listening and hearing at once. After a short
//! pause (`early_ms`) Whisper starts on what was said so far while the
//! recorder keeps listening. Speech that resumes aborts that run. A run
//! that ends on a complete plan with nothing to check is shown at once
//! ([`Event::Early`]); the utterance still only ends after the full
//! hangover, and words said before then amend what was shown. When the
//! pause does end the utterance, the early run heard the whole of it, so
//! its result is the final one and nothing is decoded twice.

use super::hear::{Understanding, hear};
use crate::expect::Expect;
use speechtimer_asr::Transcriber;
use speechtimer_audio::blocks::{Blocks, Level};
use speechtimer_audio::resample::TARGET_RATE;
use speechtimer_audio::vad::{Endpoint, EndpointConfig, Endpointer, EnergyVad, VoiceDetector};
use speechtimer_nlu::Nlu;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ScopedJoinHandle;
use std::time::{Duration, Instant};

/// What happens while listening: levels, `Early` when an early run gave a
/// sure plan, `Resumed` when speech came back after an early run started,
/// and `Transcribing` once, when the utterance is over.
pub enum Event<'a> {
    /// The input level after each block, for the meter; `hearing`: an
    /// early run is at work (the meter may be drawn less often, leaving
    /// the processor to Whisper).
    Level {
        /// The level.
        level: Level,
        /// An early run is decoding.
        hearing: bool,
    },
    /// The utterance is over; what is left is Whisper's (or nothing, when
    /// an early run already heard it all).
    Transcribing,
    /// A complete plan with nothing to check, before the hangover is over
    /// (and when the last word arrived, for paced sources).
    Early(&'a Understanding, Option<Instant>),
    /// Speech came back after a run started: the microphone listens again.
    Resumed,
}

/// How the early runs went for one utterance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Speculation {
    /// Early runs started.
    pub started: u32,
    /// Of which aborted because speech resumed.
    pub aborted: u32,
    /// An early result was shown (`Event::Early`).
    pub shown_early: bool,
    /// The final result is an early run's (the pause ended the utterance).
    pub final_is_early: bool,
}

/// One utterance heard.
pub struct Listened {
    /// `None`: no speech before `wait` ran out.
    pub understanding: Option<Understanding>,
    /// Silence waited after the last word before the run that gave the
    /// result started (zero when the recording was stopped by hand).
    pub hangover: Duration,
    /// When the block holding the last word arrived (paced sources only).
    pub speech_ended: Option<Instant>,
    /// How the early runs went.
    pub speculation: Speculation,
    /// The utterance as recorded, 16 kHz mono (empty when no speech).
    pub samples: Vec<f32>,
}

/// A sure plan ([`speechtimer_nlu::Verdict::Sure`]): may be shown early.
fn is_sure(u: &Understanding) -> bool {
    u.parsed.as_ref().is_some_and(|p| p.verdict().is_sure())
}

/// How long the first block of a stream may take to come.
const FIRST_BLOCK: Duration = Duration::from_secs(5);
/// How long the next ones may: longer is a lost device.
const NEXT_BLOCK: Duration = Duration::from_secs(2);

struct Run<'s> {
    handle: ScopedJoinHandle<'s, Result<Understanding, String>>,
    abort: &'s AtomicBool,
}

/// Records one utterance from `blocks` and hears it (see the module
/// comment). `early_ms` 0 turns early runs off; so does a source that is
/// not paced (a file read at once is all there before Whisper could
/// start). Ends by silence (`cfg.hangover_ms`), length (`cfg.max_ms`) or
/// `stop`; gives up after `wait` of audio without speech. `blocks` is
/// closed as soon as the utterance is over.
#[allow(clippy::too_many_arguments)]
pub fn listen_and_hear(
    mut blocks: Box<dyn Blocks>,
    cfg: &EndpointConfig,
    early_ms: u32,
    wait: Duration,
    stop: &AtomicBool,
    asr: &Transcriber,
    nlu: Option<&Nlu>,
    expect: Expect,
    on: &mut dyn FnMut(Event),
) -> Result<Listened, String> {
    let cfg = EndpointConfig {
        rate: TARGET_RATE,
        ..cfg.clone()
    };
    let hangover = Duration::from_millis(cfg.hangover_ms.into());
    let early = Duration::from_millis(early_ms.into());
    let wait_samples = (wait.as_secs_f32() * TARGET_RATE as f32) as usize;
    let paced = blocks.paced();
    let early_ms = if paced { early_ms } else { 0 };
    asr.mark_cpu();
    // one flag per early run (an aborted run may still be winding down
    // while the next one starts); a command rarely has more than a few
    let flags: Vec<AtomicBool> = (0..32).map(|_| AtomicBool::new(false)).collect();
    std::thread::scope(|s| {
        let mut ep = Endpointer::new(EnergyVad::default(), cfg.clone());
        let mut spec = Speculation::default();
        let mut running: Option<Run> = None;
        let mut ready: Option<Understanding> = None;
        let mut speech_ended = None;
        let mut heard = 0;
        let mut stopped = false;
        let abort_running = |running: &mut Option<Run>, spec: &mut Speculation| {
            if let Some(r) = running.take() {
                r.abort.store(true, Ordering::Relaxed);
                spec.aborted += 1;
                tracing::debug!("early run aborted: speech resumed");
                // the scope joins it; its result is not wanted
                drop(r.handle);
            }
        };
        loop {
            if stop.load(Ordering::Relaxed) {
                stopped = true;
                break;
            }
            // a stream just opened may take a while to start (the ALSA
            // PulseAudio plugin took 1.2 s here); once sound flows, 2 s
            // without any is a lost microphone
            let wait_block = if heard == 0 { FIRST_BLOCK } else { NEXT_BLOCK };
            let block = match blocks.next_block(wait_block) {
                Ok(b) => b,
                Err(e) => {
                    abort_running(&mut running, &mut spec);
                    return Err(e.to_string());
                }
            };
            heard += block.len();
            let silence_before = ep.silence_ms();
            let state = ep.push(&block);
            on(Event::Level {
                level: Level {
                    db: ep.detector().level_db(),
                    speaking: ep.started(),
                },
                hearing: running.is_some(),
            });
            if (ep.started() && ep.silence_ms() == 0) || state == Endpoint::Started {
                speech_ended = paced.then(Instant::now);
            }
            if ep.started() && ep.silence_ms() < silence_before {
                let was_busy = running.is_some() || ready.is_some();
                abort_running(&mut running, &mut spec);
                ready = None;
                if was_busy {
                    on(Event::Resumed);
                }
            }
            if let Some(r) = running.take_if(|r| r.handle.is_finished()) {
                match r.handle.join() {
                    Ok(Ok(u)) => {
                        if is_sure(&u) && !spec.shown_early {
                            spec.shown_early = true;
                            on(Event::Early(&u, speech_ended));
                        }
                        ready = Some(u);
                    }
                    Ok(Err(e)) => tracing::warn!("early run failed: {e}"),
                    Err(_) => tracing::error!("early run panicked"),
                }
            }
            match state {
                Endpoint::Ended | Endpoint::MaxLength => break,
                Endpoint::Waiting if heard > wait_samples => {
                    return Ok(Listened {
                        understanding: None,
                        hangover: Duration::ZERO,
                        speech_ended: None,
                        speculation: spec,
                        samples: Vec::new(),
                    });
                }
                _ => {}
            }
            let n = spec.started as usize;
            if early_ms > 0
                && running.is_none()
                && ready.is_none()
                && ep.started()
                && ep.silence_ms() >= early_ms
                && n < flags.len()
            {
                let samples = ep.utterance().to_vec();
                let abort = &flags[n];
                spec.started += 1;
                // a run left to finish on its own must not take the
                // worker down with it, should it panic
                let handle = s.spawn(move || {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        hear(asr, nlu, &samples, Some(abort), expect)
                    }))
                    .unwrap_or_else(|_| Err("la transcription a paniqué".into()))
                });
                running = Some(Run { handle, abort });
            }
        }
        // the microphone is off while Whisper finishes
        drop(blocks);
        if !ep.started() {
            abort_running(&mut running, &mut spec);
            return Ok(Listened {
                understanding: None,
                hangover: Duration::ZERO,
                speech_ended: None,
                speculation: spec,
                samples: Vec::new(),
            });
        }
        // the utterance is over: say so at once, whatever is left to do
        on(Event::Transcribing);
        // the early run (if any) heard everything that was said
        if let Some(r) = running.take() {
            match r.handle.join() {
                Ok(Ok(u)) => ready = Some(u),
                Ok(Err(e)) => tracing::warn!("early run failed: {e}"),
                Err(_) => tracing::error!("early run panicked"),
            }
        }
        let waited = |full: Duration| if stopped { Duration::ZERO } else { full };
        if let Some(u) = ready {
            spec.final_is_early = true;
            return Ok(Listened {
                understanding: Some(u),
                hangover: waited(early),
                speech_ended,
                speculation: spec,
                samples: ep.into_utterance(),
            });
        }
        let u = hear(asr, nlu, ep.utterance(), None, expect)?;
        Ok(Listened {
            understanding: Some(u),
            hangover: waited(hangover),
            speech_ended,
            speculation: spec,
            samples: ep.into_utterance(),
        })
    })
}
