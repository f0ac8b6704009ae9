//! The voice worker: one thread that owns the Whisper model, opens the
//! source when asked, and reports each stage over a channel.

use super::source::Source;
use super::{clarity, count};
use crate::asr::{DecodeOptions, Transcriber, Transcript};
use crate::audio::capture::{self, Level};
use crate::audio::vad::EndpointConfig;
use crate::nlu::{Nlu, Parsed};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

/// How the worker hears and understands.
#[derive(Debug, Clone)]
pub struct VoiceConfig {
    /// The Whisper model file (loaded on the first request).
    pub whisper: PathBuf,
    pub decode: DecodeOptions,
    /// The tagger; without it transcripts come back not understood.
    pub nlu: Option<Arc<Nlu>>,
    pub endpoint: EndpointConfig,
    /// Audio without speech after which listening gives up.
    pub wait: Duration,
}

impl VoiceConfig {
    pub fn new(whisper: PathBuf, nlu: Option<Arc<Nlu>>) -> Self {
        Self {
            whisper,
            decode: DecodeOptions::default(),
            nlu,
            endpoint: EndpointConfig::default(),
            wait: Duration::from_secs(8),
        }
    }
}

/// Where the time went between the end of speech and the plan.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Seconds of audio transcribed.
    pub audio_s: f32,
    /// Silence waited for before deciding the speaker had finished (zero
    /// when the athlete stopped the recording).
    pub hangover: Duration,
    pub asr: Duration,
    pub nlu: Duration,
    /// The round count heard again (zero when it was not doubtful).
    pub rescore: Duration,
}

impl Timings {
    /// From the moment the athlete stopped talking to the plan being ready.
    pub fn end_of_speech_to_plan(&self) -> Duration {
        self.hangover + self.asr + self.nlu + self.rescore
    }
}

/// One utterance, transcribed and (when possible) understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    pub transcript: String,
    /// `None` when nothing was said or no tagger is loaded.
    pub parsed: Option<Parsed>,
    pub timings: Timings,
}

/// What the worker reports, in order: `Loading` (first time), `Listening`
/// (many), `Transcribing`, then one of the last three.
#[derive(Debug, Clone, PartialEq)]
pub enum VoiceMsg {
    Loading,
    Listening(Level),
    Transcribing,
    /// A complete, valid plan.
    Understood(Heard),
    /// Speech, silence or a partial plan: `missing` says what was not got.
    NotUnderstood {
        heard: Heard,
        missing: String,
    },
    Error(String),
}

enum Request {
    Listen(Source),
}

/// The UI's handle on the worker. Dropping it ends the worker once its
/// current utterance is done.
pub struct Voice {
    requests: Sender<Request>,
    messages: Receiver<VoiceMsg>,
    stop: Arc<AtomicBool>,
}

/// Shortest gap between two level reports (a file is read much faster than
/// the window draws).
const LEVEL_EVERY: Duration = Duration::from_millis(40);

impl Voice {
    /// Starts the worker. `notify` is called after each message (the window
    /// passes its repaint request).
    pub fn spawn(config: VoiceConfig, notify: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (requests, rx) = mpsc::channel();
        let (tx, messages) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("voice".into())
            .spawn(move || {
                let send = |m: VoiceMsg| {
                    let _ = tx.send(m);
                    notify();
                };
                Worker {
                    config,
                    asr: None,
                    stop: flag,
                }
                .run(rx, &send)
            })?;
        Ok(Self {
            requests,
            messages,
            stop,
        })
    }

    /// Listens to one utterance from `source` (ended by silence or by
    /// [`Voice::stop_listening`]).
    pub fn listen(&self, source: Source) {
        self.stop.store(false, Ordering::Relaxed);
        // the worker only goes away with this handle
        let _ = self.requests.send(Request::Listen(source));
    }

    /// Ends the current recording now; what was said is still transcribed.
    pub fn stop_listening(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// The next message, if one is waiting.
    pub fn try_recv(&self) -> Option<VoiceMsg> {
        self.messages.try_recv().ok()
    }

    /// Waits up to `timeout` for the next message.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<VoiceMsg> {
        self.messages.recv_timeout(timeout).ok()
    }
}

impl Drop for Voice {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

struct Worker {
    config: VoiceConfig,
    asr: Option<Transcriber>,
    stop: Arc<AtomicBool>,
}

impl Worker {
    fn run(mut self, rx: Receiver<Request>, send: &dyn Fn(VoiceMsg)) {
        while let Ok(Request::Listen(source)) = rx.recv() {
            let msg = self
                .utterance(&source, send)
                .unwrap_or_else(VoiceMsg::Error);
            send(msg);
        }
    }

    fn utterance(&mut self, source: &Source, send: &dyn Fn(VoiceMsg)) -> Result<VoiceMsg, String> {
        if self.asr.is_none() {
            send(VoiceMsg::Loading);
            let t = Transcriber::load(&self.config.whisper, self.config.decode.clone())
                .map_err(|e| e.to_string())?;
            self.asr = Some(t);
        }
        let mut blocks = source.open().map_err(|e| e.to_string())?;
        let mut last = Instant::now() - LEVEL_EVERY;
        let samples = capture::listen(
            blocks.as_mut(),
            self.config.endpoint.clone(),
            self.config.wait,
            &self.stop,
            &mut |level| {
                if last.elapsed() >= LEVEL_EVERY {
                    last = Instant::now();
                    send(VoiceMsg::Listening(level));
                }
            },
        )
        .map_err(|e| e.to_string())?;
        drop(blocks); // the microphone is off while Whisper works
        let hangover = if self.stop.load(Ordering::Relaxed) {
            Duration::ZERO
        } else {
            Duration::from_millis(self.config.endpoint.hangover_ms.into())
        };
        if samples.is_empty() {
            return Ok(VoiceMsg::NotUnderstood {
                heard: Heard {
                    transcript: String::new(),
                    parsed: None,
                    timings: Timings::default(),
                },
                missing: "je n'ai rien entendu : parlez après avoir appuyé sur le micro".into(),
            });
        }
        send(VoiceMsg::Transcribing);
        let asr = self.asr.as_ref().expect("loaded above");
        Ok(understand(
            asr,
            self.config.nlu.as_deref(),
            &samples,
            hangover,
        ))
    }
}

/// What one clip gave: Whisper's transcript and, when a tagger is given
/// and something was said, what it means.
#[derive(Debug)]
pub struct Understanding {
    pub transcript: Transcript,
    pub parsed: Option<Parsed>,
    pub nlu: Duration,
    /// Hearing a doubtful round count again (zero when it was not).
    pub rescore: Duration,
}

/// Transcribes `samples` and reads the plan in the transcript; a doubtful
/// round count is heard again over the same audio (`count.rs`), and a
/// duration Whisper hesitated over is flagged (`clarity.rs`). The one
/// path from samples to plan: the window, `eval --audio` and `/transcribe`
/// all go through it.
pub fn hear(
    asr: &Transcriber,
    nlu: Option<&Nlu>,
    samples: &[f32],
) -> Result<Understanding, String> {
    let (transcript, decoded) = asr.transcribe_keep(samples).map_err(|e| e.to_string())?;
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

/// [`hear`], as the report the window gets.
pub fn understand(
    asr: &Transcriber,
    nlu: Option<&Nlu>,
    samples: &[f32],
    hangover: Duration,
) -> VoiceMsg {
    let u = match hear(asr, nlu, samples) {
        Ok(u) => u,
        Err(e) => return VoiceMsg::Error(e),
    };
    let t = &u.transcript;
    let timings = Timings {
        audio_s: t.audio_s,
        hangover,
        asr: t.elapsed,
        nlu: u.nlu,
        rescore: u.rescore,
    };
    let not_understood = |transcript: String, missing: &str| VoiceMsg::NotUnderstood {
        heard: Heard {
            transcript,
            parsed: None,
            timings,
        },
        missing: missing.to_string(),
    };
    if t.no_speech {
        return not_understood(String::new(), "je n'ai pas reconnu de parole");
    }
    let Some(parsed) = u.parsed else {
        return not_understood(t.text.clone(), "modèle de compréhension indisponible");
    };
    let missing = match &parsed.plan {
        Ok(values) => values.to_workout_plan().err().map(|e| e.to_string()),
        Err(e) => Some(e.to_string()),
    };
    let heard = Heard {
        transcript: parsed.text.clone(),
        parsed: Some(parsed),
        timings,
    };
    match missing {
        None => VoiceMsg::Understood(heard),
        Some(missing) => VoiceMsg::NotUnderstood { heard, missing },
    }
}
