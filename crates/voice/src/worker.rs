//! The voice worker: one thread that owns the Whisper model, opens the
//! source when asked, and reports each stage over a channel.

use super::endpoint::{self, Event, Speculation};
use super::hear::{Understanding, hear};
use crate::expect::Expect;
use speechtimer_asr::{DecodeOptions, Transcriber};
use speechtimer_audio::blocks::{Level, OpenBlocks};
use speechtimer_audio::vad::EndpointConfig;
use speechtimer_nlu::{Nlu, Parsed};
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
    /// Whisper's decoding settings.
    pub decode: DecodeOptions,
    /// The tagger; without it transcripts come back not understood.
    pub nlu: Option<Arc<Nlu>>,
    /// End-of-speech detection (silence, pre-roll, length cap).
    pub endpoint: EndpointConfig,
    /// Audio without speech after which listening gives up.
    pub wait: Duration,
    /// Pause after which Whisper starts on what was said so far while
    /// the recorder keeps listening (`endpoint.rs`); 0 = only at the end.
    pub early_ms: u32,
}

/// The pause that starts an early run. 200 ms measured 70 ms faster than
/// 300 with the same plans (docs/results.md); shorter pauses between words only
/// start runs that are aborted.
pub const EARLY_MS: u32 = 200;

impl VoiceConfig {
    /// Default settings for this model and tagger: default decoding and
    /// endpointing, 8 s of waiting for speech, early runs after
    /// [`EARLY_MS`].
    pub fn new(whisper: PathBuf, nlu: Option<Arc<Nlu>>) -> Self {
        Self {
            whisper,
            decode: DecodeOptions::default(),
            nlu,
            endpoint: EndpointConfig::default(),
            wait: Duration::from_secs(8),
            early_ms: EARLY_MS,
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
    /// Whisper's wall time on the clip.
    pub asr: Duration,
    /// The tagger's time on the transcript.
    pub nlu: Duration,
    /// Of `asr`, the encoder and the prompt (when the LM is fused).
    pub encoder: Option<Duration>,
    /// The round count heard again (zero when it was not doubtful).
    pub rescore: Duration,
    /// Measured on the wall clock from the block holding the last word to
    /// this result being sent (a microphone or a paced file only).
    pub shown_after: Option<Duration>,
}

impl Timings {
    /// From the moment the athlete stopped talking to the plan being
    /// shown: measured when the source is paced, else the sum of the parts.
    pub fn end_of_speech_to_plan(&self) -> Duration {
        self.shown_after
            .unwrap_or(self.hangover + self.asr + self.nlu + self.rescore)
    }
}

/// One utterance, transcribed and (when possible) understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// The text as read: Whisper's, with a count heard again written in;
    /// empty when no speech was heard.
    pub transcript: String,
    /// `None` when nothing was said or no tagger is loaded.
    pub parsed: Option<Parsed>,
    /// Where the time went.
    pub timings: Timings,
    /// How the early runs went (`endpoint.rs`).
    pub speculation: Speculation,
}

/// What the worker reports, in order: `Loading` (first time), `Listening`
/// (many; maybe an `Early` plan among them, heard in a pause while the
/// hangover runs), `Transcribing` when the utterance is over, then one of
/// the last three.
#[derive(Debug, Clone, PartialEq)]
pub enum VoiceMsg {
    /// The Whisper model is loading (first request only).
    Loading,
    /// Recording; the input level, at most every 40 ms.
    Listening(Level),
    /// The utterance is over; Whisper and the tagger are at work.
    Transcribing,
    /// A complete plan with nothing to check, heard after a short pause:
    /// show it, but the final result follows (the same plan, or what the
    /// words said after the pause amend it) and only that one may start.
    Early(Heard),
    /// A complete, valid plan.
    Understood(Heard),
    /// Speech, silence or a partial plan: `missing` says what was not got.
    NotUnderstood {
        /// What was heard.
        heard: Heard,
        /// What was not got, in French, for the user.
        missing: String,
    },
    /// The model, the source or the transcription failed; the message,
    /// for the user.
    Error(String),
}

enum Request {
    Listen(Box<dyn OpenBlocks>, Expect),
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
/// The same while an early run decodes: each report redraws the window,
/// and a redraw drawn in software (no graphics card, Xvfb) takes the
/// processor Whisper is using; the meter only shows the pause then.
const LEVEL_EVERY_HEARING: Duration = Duration::from_millis(250);

/// The worker's loop, for the thread the caller starts for it (the app
/// owns its threads): [`VoiceLoop::run`] serves the [`Voice`] handle until
/// it is dropped.
pub struct VoiceLoop {
    worker: Worker,
    requests: Receiver<Request>,
    messages: Sender<VoiceMsg>,
    notify: Box<dyn Fn() + Send>,
}

impl VoiceLoop {
    /// Listens, transcribes and reports, one request after the other;
    /// returns when the handle is gone.
    pub fn run(self) {
        let VoiceLoop {
            worker,
            requests,
            messages,
            notify,
        } = self;
        let send = |m: VoiceMsg| {
            let _ = messages.send(m);
            notify();
        };
        worker.run(requests, &send);
    }
}

impl Voice {
    /// The handle and the loop to run on a thread of the caller's.
    /// `notify` is called after each message (the window passes its
    /// repaint request).
    pub fn new(config: VoiceConfig, notify: impl Fn() + Send + 'static) -> (Self, VoiceLoop) {
        let (requests, rx) = mpsc::channel();
        let (tx, messages) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            config,
            asr: None,
            stop: Arc::clone(&stop),
        };
        let work = VoiceLoop {
            worker,
            requests: rx,
            messages: tx,
            notify: Box::new(notify),
        };
        (
            Self {
                requests,
                messages,
                stop,
            },
            work,
        )
    }

    /// Listens to one utterance from `source` (a microphone or a file,
    /// `speechtimer_devices::Source`), ended by silence or by
    /// [`Voice::stop_listening`].
    pub fn listen(&self, source: impl OpenBlocks + 'static) {
        self.listen_for(source, Expect::Plan);
    }

    /// Listens to one utterance as [`Voice::listen`] does, `expect`ing a
    /// plan, a reply to a read-back or a workout command.
    pub fn listen_for(&self, source: impl OpenBlocks + 'static, expect: Expect) {
        self.stop.store(false, Ordering::Relaxed);
        // the worker only goes away with this handle
        let _ = self
            .requests
            .send(Request::Listen(Box::new(source), expect));
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

/// How long hands-free listening waits for speech before the recording
/// is opened again.
pub const COMMAND_WAIT: Duration = Duration::from_secs(3600);

struct Worker {
    config: VoiceConfig,
    asr: Option<Transcriber>,
    stop: Arc<AtomicBool>,
}

/// Gives what the utterance's decoding freed back to the system. Early
/// runs decode on threads of their own, and glibc keeps what a thread
/// freed in that thread's arena for the next one: without this the window
/// grew by about 19 MB an utterance, to 1.45 GB after 60 (`scripts/soak`).
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator's own
    // arenas to the system; it takes no pointer and may be called any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Worker {
    fn run(mut self, rx: Receiver<Request>, send: &dyn Fn(VoiceMsg)) {
        while let Ok(Request::Listen(source, expect)) = rx.recv() {
            let msg = self
                .utterance(source.as_ref(), expect, send)
                .unwrap_or_else(VoiceMsg::Error);
            send(msg);
            release_freed_memory();
        }
    }

    fn utterance(
        &mut self,
        source: &dyn OpenBlocks,
        expect: Expect,
        send: &dyn Fn(VoiceMsg),
    ) -> Result<VoiceMsg, String> {
        if self.asr.is_none() {
            send(VoiceMsg::Loading);
            let t = Transcriber::load(&self.config.whisper, self.config.decode.clone())
                .map_err(|e| e.to_string())?;
            self.asr = Some(t);
        }
        let blocks = source.open().map_err(|e| e.to_string())?;
        let asr = self.asr.as_ref().expect("loaded above");
        let nlu = self.config.nlu.as_deref();
        let mut last = Instant::now() - LEVEL_EVERY;
        // listening for commands through a whole workout: the level only
        // when speech starts or stops (each level redraws the window,
        // which cost 80 % of a core under Xvfb at one every 40 ms)
        let mut speaking: Option<bool> = None;
        let mut early: Option<Heard> = None;
        let listened = endpoint::listen_and_hear(
            blocks,
            &self.config.endpoint,
            self.config.early_ms,
            // commands are listened for through the whole workout: the
            // microphone stays open until something is said or the app
            // stops it (opening the capture again every few seconds cost
            // about a quarter of a core through PulseAudio's ALSA plugin)
            if expect == Expect::Command {
                COMMAND_WAIT
            } else {
                self.config.wait
            },
            &self.stop,
            asr,
            nlu,
            expect,
            &mut |event| match event {
                Event::Level { level, .. } if expect == Expect::Command => {
                    if speaking != Some(level.speaking) {
                        speaking = Some(level.speaking);
                        send(VoiceMsg::Listening(level));
                    }
                }
                Event::Level { level, hearing } => {
                    let every = if hearing {
                        LEVEL_EVERY_HEARING
                    } else {
                        LEVEL_EVERY
                    };
                    if last.elapsed() >= every {
                        last = Instant::now();
                        send(VoiceMsg::Listening(level));
                    }
                }
                Event::Transcribing => send(VoiceMsg::Transcribing),
                Event::Resumed => {
                    last = Instant::now() - LEVEL_EVERY;
                }
                Event::Early(u, speech_ended) => {
                    let hangover = Duration::from_millis(self.config.early_ms.into());
                    if let VoiceMsg::Understood(h) = report(u, hangover, speech_ended) {
                        early = Some(h.clone());
                        send(VoiceMsg::Early(h));
                    }
                }
            },
        )?;
        let Some(u) = &listened.understanding else {
            return Ok(VoiceMsg::NotUnderstood {
                heard: Heard {
                    transcript: String::new(),
                    parsed: None,
                    timings: Timings::default(),
                    speculation: listened.speculation,
                },
                missing: "je n'ai rien entendu : parlez après avoir appuyé sur le micro".into(),
            });
        };
        let spec = listened.speculation;
        let mut msg = report(u, listened.hangover, listened.speech_ended);
        if let VoiceMsg::Understood(h) | VoiceMsg::NotUnderstood { heard: h, .. } = &mut msg {
            h.speculation = spec;
            // the plan shown early was the final one: it was shown then
            if let Some(e) = early.filter(|_| spec.final_is_early) {
                h.timings.shown_after = e.timings.shown_after;
            }
        }
        Ok(msg)
    }
}

/// [`hear`], as the report the window gets.
pub fn understand(
    asr: &Transcriber,
    nlu: Option<&Nlu>,
    samples: &[f32],
    hangover: Duration,
) -> VoiceMsg {
    match hear(asr, nlu, samples, None, Expect::Plan) {
        Ok(u) => report(&u, hangover, None),
        Err(e) => VoiceMsg::Error(e),
    }
}

/// What the window is told of `u`; `speech_ended` (paced sources) times
/// the report on the wall clock.
pub fn report(u: &Understanding, hangover: Duration, speech_ended: Option<Instant>) -> VoiceMsg {
    let t = &u.transcript;
    let timings = Timings {
        audio_s: t.audio_s,
        hangover,
        asr: t.elapsed,
        encoder: t.encoded,
        nlu: u.nlu,
        rescore: u.rescore,
        shown_after: speech_ended.map(|at| at.elapsed()),
    };
    let not_understood = |transcript: String, missing: &str| VoiceMsg::NotUnderstood {
        heard: Heard {
            transcript,
            parsed: None,
            timings,
            speculation: Speculation::default(),
        },
        missing: missing.to_string(),
    };
    if t.no_speech {
        return not_understood(String::new(), "je n'ai pas reconnu de parole");
    }
    let Some(parsed) = u.parsed.clone() else {
        return not_understood(t.text.clone(), "modèle de compréhension indisponible");
    };
    let missing = parsed.verdict().problem();
    let heard = Heard {
        transcript: parsed.text.clone(),
        parsed: Some(parsed),
        timings,
        speculation: Speculation::default(),
    };
    match missing {
        None => VoiceMsg::Understood(heard),
        Some(missing) => VoiceMsg::NotUnderstood { heard, missing },
    }
}
