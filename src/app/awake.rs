//! The machine stays awake during a workout: the screen saver and screen
//! blanking are inhibited while the timer runs (the desktop's inhibit API,
//! org.freedesktop.ScreenSaver and systemd's idle lock, through the
//! `keepawake` crate), and released on pause, at the end and at exit.

use std::sync::mpsc::{self, Sender};

/// Where the app says whether the screen must stay on.
pub trait StayAwake {
    /// `true` while the workout runs; `false` on pause, end and reset.
    fn set(&self, on: bool);
}

/// The desktop's inhibitor, held on a thread of its own: a D-Bus call never
/// runs on the UI thread. Dropping it (the window closing) releases it.
pub struct Inhibitor {
    tx: Sender<bool>,
}

impl Inhibitor {
    /// Starts the thread ("awake"); without a desktop session (no D-Bus),
    /// asking for it is logged once and nothing else happens.
    pub fn spawn() -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<bool>();
        std::thread::Builder::new()
            .name("awake".into())
            .spawn(move || {
                let mut held: Option<keepawake::KeepAwake> = None;
                let mut said = false;
                while let Ok(on) = rx.recv() {
                    if !on {
                        held = None;
                        continue;
                    }
                    if held.is_some() {
                        continue;
                    }
                    match keepawake::Builder::default()
                        .display(true)
                        .idle(true)
                        .reason("Séance en cours")
                        .app_name("SpeechTimer")
                        .app_reverse_domain("io.github.speechtimer")
                        .create()
                    {
                        Ok(k) => held = Some(k),
                        Err(e) if !said => {
                            said = true;
                            tracing::info!("the screen may blank during a workout: {e}");
                        }
                        Err(_) => {}
                    }
                }
            })?;
        Ok(Self { tx })
    }
}

impl StayAwake for Inhibitor {
    fn set(&self, on: bool) {
        let _ = self.tx.send(on);
    }
}
