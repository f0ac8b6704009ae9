//! Plays cues on the default output device from a background thread (the
//! app starts it: [`Speaker::run`]), so the UI never waits on audio: beeps,
//! and the coach's sentences joined from the clip bank (`speech.rs`). Each
//! new cue cuts the sentence being said, so speech never covers the next
//! cue. With no device the player stays silent and says so once through
//! [`CueSink::unavailable`]; a device lost mid-workout is opened again
//! (`output.rs` holds the stream).

use super::output::Output;
use speechtimer_audio::beep::{SAMPLE_RATE, samples};
use speechtimer_audio::speech::Bank;
use speechtimer_core::cues::Cue;
use std::collections::HashMap;
use std::num::NonZero;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Where the app sends its cues.
pub trait CueSink {
    /// Plays `cue` without waiting for it to finish.
    fn play(&self, cue: Cue);
    /// Says the clips `names` of the bank one after the other, ending before
    /// `room` when given (words that do not fit are dropped); cuts whatever
    /// was being said.
    fn say(&self, names: Vec<String>, room: Option<Duration>);
    /// Loudness of every cue from now on, 0 (silent) to 1 (full scale).
    fn set_volume(&self, volume: f32);
    /// A French message once sound could not be played, `None` while it
    /// always could.
    fn unavailable(&self) -> Option<String>;
}

/// What a [`Silent`] sink was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Asked {
    /// A beep.
    Beep(Cue),
    /// A sentence of the coach: its clip names.
    Say(Vec<String>),
    /// A new volume.
    Volume(f32),
}

/// Plays nothing; remembers what it was asked (tests, `--mute`).
#[derive(Debug, Default)]
pub struct Silent {
    asked: Mutex<Vec<Asked>>,
}

impl Silent {
    /// Everything asked so far, oldest first.
    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn push(&self, a: Asked) {
        if let Ok(mut p) = self.asked.lock() {
            p.push(a);
        }
    }
}

impl CueSink for Silent {
    fn play(&self, cue: Cue) {
        self.push(Asked::Beep(cue));
    }
    fn say(&self, names: Vec<String>, _room: Option<Duration>) {
        self.push(Asked::Say(names));
    }
    fn set_volume(&self, volume: f32) {
        self.push(Asked::Volume(volume));
    }
    fn unavailable(&self) -> Option<String> {
        None
    }
}

/// What goes to the output thread.
enum Msg {
    Beep(Cue),
    Say(Vec<String>, Option<Duration>),
    Volume(f32),
}

/// rodio output: the handle the app plays cues through; the [`Speaker`]
/// plays them on a thread the app starts.
pub struct Player {
    tx: Sender<Msg>,
    failure: Arc<OnceLock<String>>,
}

/// The output loop of a [`Player`], for the thread that runs it.
pub struct Speaker {
    rx: Receiver<Msg>,
    failure: Arc<OnceLock<String>>,
}

impl Player {
    /// The handle and its output loop; nothing is opened until
    /// [`Speaker::run`] runs.
    pub fn new() -> (Self, Speaker) {
        let (tx, rx) = mpsc::channel::<Msg>();
        let failure = Arc::new(OnceLock::new());
        let speaker = Speaker {
            rx,
            failure: Arc::clone(&failure),
        };
        (Self { tx, failure }, speaker)
    }

    /// Says why there is no sound when the output thread could not start.
    pub fn thread_failed(&self, err: &std::io::Error) {
        let _ = self.failure.set(format!("Son indisponible ({err})."));
    }
}

/// How often the output loop looks at its stream between cues.
const WATCH_EVERY: Duration = Duration::from_millis(200);
/// How often a lost output is tried again.
const RETRY_EVERY: Duration = Duration::from_secs(5);
/// A cue held up longer than this by reopening the device is not played.
const LATE: Duration = Duration::from_millis(150);
/// The notice when sound went away mid-workout.
const LOST: &str = "La sortie audio a disparu : le minuteur continue sans bips.";

impl Speaker {
    /// Opens the default output device and plays each cue sent, until the
    /// [`Player`] is dropped; with no device, says so once and returns.
    /// A stream that fails (the device unplugged, the sound server gone)
    /// is opened again at once; when that fails too the athlete is told
    /// once, the timer goes on without sound, and the device is tried
    /// again every few seconds.
    pub fn run(self) {
        let out = match Output::open() {
            Ok(out) => out,
            Err(err) => {
                tracing::warn!("no audio output: {err}");
                let _ = self
                    .failure
                    .set("Pas de sortie audio : le minuteur fonctionne sans bips.".to_string());
                return;
            }
        };
        let bank = match Bank::embedded() {
            Ok(b) => Some(b),
            Err(e) => {
                tracing::warn!("{e}");
                let _ = self
                    .failure
                    .set(format!("{e} : les bips restent, sans la voix."));
                None
            }
        };
        let mut state = Playing {
            out: Some(out),
            retry_at: None,
            volume: 1.0,
            saying: None,
            bank,
            buffers: Cue::ALL.iter().map(|c| (*c, samples(*c))).collect(),
        };
        loop {
            match self.rx.recv_timeout(WATCH_EVERY) {
                Ok(msg) => {
                    if self.keep_open(&mut state) {
                        state.play(msg);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.keep_open(&mut state);
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
    }

    /// Opens the output again after a fault, or when its retry time has
    /// come; true when the message in hand is still worth playing (no
    /// slow reopening held it up).
    fn keep_open(&self, state: &mut Playing) -> bool {
        let fault = state.out.as_ref().and_then(Output::fault);
        let due = state.out.is_none()
            && state
                .retry_at
                .is_some_and(|at| std::time::Instant::now() >= at);
        if fault.is_none() && !due {
            return true;
        }
        state.saying = None;
        // closes the old stream on its own thread
        state.out = None;
        let started = std::time::Instant::now();
        match Output::open() {
            Ok(out) => {
                match &fault {
                    Some(f) => tracing::info!("audio output opened again after: {f}"),
                    None => tracing::info!("audio output is back"),
                }
                state.out = Some(out);
                state.retry_at = None;
            }
            Err(err) => {
                if let Some(f) = &fault
                    && self.failure.set(LOST.to_string()).is_ok()
                {
                    tracing::warn!("audio output lost: {f} (opening it again: {err})");
                }
                state.retry_at = Some(std::time::Instant::now() + RETRY_EVERY);
            }
        }
        if started.elapsed() < LATE {
            return true;
        }
        // cues sent while the device was being opened are late now: only
        // the volume is kept
        while let Ok(msg) = self.rx.try_recv() {
            if let Msg::Volume(v) = msg {
                state.play(Msg::Volume(v));
            }
        }
        false
    }
}

/// What the output loop holds between cues.
struct Playing {
    /// `None` while the device is lost.
    out: Option<Output>,
    /// When to try a lost device again.
    retry_at: Option<std::time::Instant>,
    volume: f32,
    /// The sentence being said: dropping it stops it.
    saying: Option<rodio::Player>,
    bank: Option<Bank>,
    buffers: HashMap<Cue, Vec<f32>>,
}

impl Playing {
    fn play(&mut self, msg: Msg) {
        let mono = NonZero::new(1u16).expect("non-zero channels");
        match msg {
            Msg::Volume(v) => {
                self.volume = v.clamp(0.0, 1.0);
                if let Some(p) = &self.saying {
                    p.set_volume(self.volume);
                }
            }
            Msg::Beep(cue) => {
                self.saying = None;
                let Some(out) = &self.out else { return };
                let rate = NonZero::new(SAMPLE_RATE).expect("non-zero rate");
                let samples = self.buffers.get(&cue).cloned().unwrap_or_default();
                let beep = rodio::buffer::SamplesBuffer::new(mono, rate, samples);
                out.mixer().add(rodio::Source::amplify(beep, self.volume));
            }
            Msg::Say(names, room) => {
                self.saying = None;
                let (Some(out), Some(bank)) = (&self.out, &self.bank) else {
                    return;
                };
                let sentence = bank.sentence(&names, room);
                if !sentence.unknown.is_empty() {
                    tracing::warn!("no clip for {:?}", sentence.unknown);
                }
                if sentence.samples.is_empty() {
                    return;
                }
                let Some(speech_rate) = NonZero::new(bank.rate()) else {
                    return;
                };
                let player = rodio::Player::connect_new(out.mixer());
                player.set_volume(self.volume);
                player.append(rodio::buffer::SamplesBuffer::new(
                    mono,
                    speech_rate,
                    sentence.samples,
                ));
                self.saying = Some(player);
            }
        }
    }
}

impl CueSink for Player {
    fn play(&self, cue: Cue) {
        // a closed channel means the device is gone: stay silent
        let _ = self.tx.send(Msg::Beep(cue));
    }
    fn say(&self, names: Vec<String>, room: Option<Duration>) {
        let _ = self.tx.send(Msg::Say(names, room));
    }
    fn set_volume(&self, volume: f32) {
        let _ = self.tx.send(Msg::Volume(volume));
    }
    fn unavailable(&self) -> Option<String> {
        self.failure.get().cloned()
    }
}

#[cfg(test)]
mod tests {
    use speechtimer_audio::speech::{BANK_OGG, decode_ogg};

    /// The bank the player says its sentences from is decoded without a
    /// device (`speechtimer-audio`): the samples rodio itself would play,
    /// but for the end of the last Ogg page, which rodio plays as silence
    /// and the gapless decode leaves out.
    #[test]
    fn the_bank_decodes_as_rodio_plays_it() {
        let rodio = rodio::Decoder::new_vorbis(std::io::Cursor::new(BANK_OGG)).unwrap();
        let rate = rodio::Source::sample_rate(&rodio).get();
        let theirs: Vec<f32> = rodio.collect();
        let (ours_rate, channels, ours) = decode_ogg(BANK_OGG).unwrap();
        assert_eq!((ours_rate, channels), (rate, 1));
        assert!(ours.len() > rate as usize * 10, "{} samples", ours.len());
        assert!(
            ours.len() <= theirs.len(),
            "{} > {}",
            ours.len(),
            theirs.len()
        );
        let first = ours.iter().zip(&theirs).position(|(a, b)| a != b);
        assert_eq!(first, None, "the samples differ from {first:?} on");
        let tail = &theirs[ours.len()..];
        assert!(
            tail.len() < rate as usize / 10,
            "{} samples more",
            tail.len()
        );
        assert!(
            tail.iter().all(|s| s.abs() < 1e-3),
            "rodio's last samples are not silence"
        );
    }
}
