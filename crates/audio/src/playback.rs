//! Plays cues on the default output device from a background thread (the
//! app starts it: [`Speaker::run`]), so the UI never waits on audio. With no
//! device the player stays silent and says so once through
//! [`CueSink::unavailable`].

use super::beep::{Cue, SAMPLE_RATE};
use std::collections::HashMap;
use std::num::NonZero;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, OnceLock};

/// Where the app sends its cues.
pub trait CueSink {
    /// Plays `cue` without waiting for it to finish.
    fn play(&self, cue: Cue);
    /// A French message when sound cannot be played, `None` while it can.
    fn unavailable(&self) -> Option<String>;
}

/// Plays nothing; remembers what it was asked to play (tests, `--mute`).
#[derive(Debug, Default)]
pub struct Silent {
    played: std::sync::Mutex<Vec<Cue>>,
}

impl Silent {
    /// The cues asked for so far, oldest first.
    pub fn played(&self) -> Vec<Cue> {
        self.played.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

impl CueSink for Silent {
    fn play(&self, cue: Cue) {
        if let Ok(mut p) = self.played.lock() {
            p.push(cue);
        }
    }
    fn unavailable(&self) -> Option<String> {
        None
    }
}

/// rodio output: the handle the app plays cues through; the [`Speaker`]
/// plays them on a thread the app starts.
pub struct Player {
    tx: Sender<Cue>,
    failure: Arc<OnceLock<String>>,
}

/// The output loop of a [`Player`], for the thread that runs it.
pub struct Speaker {
    rx: Receiver<Cue>,
    failure: Arc<OnceLock<String>>,
}

impl Player {
    /// The handle and its output loop; nothing is opened until
    /// [`Speaker::run`] runs.
    pub fn new() -> (Self, Speaker) {
        let (tx, rx) = mpsc::channel::<Cue>();
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
        let mut sink = match rodio::DeviceSinkBuilder::open_default_sink() {
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
        let buffers: HashMap<Cue, Vec<f32>> = Cue::ALL.iter().map(|c| (*c, c.samples())).collect();
        let rate = NonZero::new(SAMPLE_RATE).expect("non-zero rate");
        let mono = NonZero::new(1u16).expect("non-zero channels");
        while let Ok(cue) = self.rx.recv() {
            let samples = buffers.get(&cue).cloned().unwrap_or_default();
            sink.mixer()
                .add(rodio::buffer::SamplesBuffer::new(mono, rate, samples));
        }
    }
}

impl CueSink for Player {
    fn play(&self, cue: Cue) {
        // a closed channel means the device is gone: stay silent
        let _ = self.tx.send(cue);
    }
    fn unavailable(&self) -> Option<String> {
        self.failure.get().cloned()
    }
}
