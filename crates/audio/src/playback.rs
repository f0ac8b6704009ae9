//! Plays cues on the default output device from a background thread (the
//! app starts it: [`Speaker::run`]), so the UI never waits on audio: beeps,
//! and the coach's sentences joined from the clip bank (`speech.rs`). Each
//! new cue cuts the sentence being said, so speech never covers the next
//! cue. With no device the player stays silent and says so once through
//! [`CueSink::unavailable`].

use super::beep::{Cue, SAMPLE_RATE};
use super::speech::Bank;
use std::collections::HashMap;
use std::num::NonZero;
use std::sync::mpsc::{self, Receiver, Sender};
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
    /// A French message when sound cannot be played, `None` while it can.
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

impl Speaker {
    /// Opens the default output device and plays each cue sent, until the
    /// [`Player`] is dropped; with no device, says so once and returns.
    pub fn run(self) {
        // a stream error (the device unplugged, the sound server gone) is
        // told once; the timer goes on without sound
        let lost = Arc::clone(&self.failure);
        let on_error = move |err: cpal::Error| {
            if lost
                .set("La sortie audio a disparu : le minuteur continue sans bips.".to_string())
                .is_ok()
            {
                tracing::warn!("audio output lost: {err}");
            }
        };
        let opened = rodio::DeviceSinkBuilder::from_default_device()
            .map(|b| b.with_error_callback(on_error))
            .and_then(|b| b.open_sink_or_fallback())
            .or_else(|_| rodio::DeviceSinkBuilder::open_default_sink());
        let mut sink = match opened {
            Ok(sink) => sink,
            Err(err) => {
                tracing::warn!("no audio output: {err}");
                let _ = self
                    .failure
                    .set("Pas de sortie audio : le minuteur fonctionne sans bips.".to_string());
                return;
            }
        };
        sink.log_on_drop(false);
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
        let buffers: HashMap<Cue, Vec<f32>> = Cue::ALL.iter().map(|c| (*c, c.samples())).collect();
        let rate = NonZero::new(SAMPLE_RATE).expect("non-zero rate");
        let mono = NonZero::new(1u16).expect("non-zero channels");
        let mut volume = 1.0f32;
        // the sentence being said: dropping it stops it
        let mut saying: Option<rodio::Player> = None;
        while let Ok(msg) = self.rx.recv() {
            match msg {
                Msg::Volume(v) => {
                    volume = v.clamp(0.0, 1.0);
                    if let Some(p) = &saying {
                        p.set_volume(volume);
                    }
                }
                Msg::Beep(cue) => {
                    saying = None;
                    let samples = buffers.get(&cue).cloned().unwrap_or_default();
                    let beep = rodio::buffer::SamplesBuffer::new(mono, rate, samples);
                    sink.mixer().add(rodio::Source::amplify(beep, volume));
                }
                Msg::Say(names, room) => {
                    saying = None;
                    let Some(bank) = &bank else { continue };
                    let sentence = bank.sentence(&names, room);
                    if !sentence.unknown.is_empty() {
                        tracing::warn!("no clip for {:?}", sentence.unknown);
                    }
                    if sentence.samples.is_empty() {
                        continue;
                    }
                    let Some(speech_rate) = NonZero::new(bank.rate()) else {
                        continue;
                    };
                    let player = rodio::Player::connect_new(sink.mixer());
                    player.set_volume(volume);
                    player.append(rodio::buffer::SamplesBuffer::new(
                        mono,
                        speech_rate,
                        sentence.samples,
                    ));
                    saying = Some(player);
                }
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
