//! The Whisper model as the window sees it: found, missing (with a download
//! offer), downloading (progress from a worker thread) or failed. The
//! download never runs on the UI thread.

use speechtimer_asr::model_store::{self, FetchOptions, Progress, Source};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Where the Whisper model stands.
#[derive(Debug, Clone, PartialEq)]
pub enum WhisperStatus {
    /// The model file, found.
    Present(PathBuf),
    /// Not found: the window offers the download.
    Missing,
    /// `step` says what is happening; `done`/`total` in bytes when known.
    Downloading {
        /// What is happening, in French.
        step: String,
        /// Bytes of the current file received (0 outside a download).
        done: u64,
        /// Size of the current file in bytes (0 when unknown).
        total: u64,
    },
    /// The download could not be done; why, in French.
    Failed(String),
}

/// Shared between the UI and the download thread.
#[derive(Debug, Clone)]
pub struct WhisperModel(Arc<Mutex<WhisperStatus>>);

impl WhisperModel {
    /// Looks the model up the usual way (`$SPEECHTIMER_WHISPER_MODEL`,
    /// ./models/whisper, the data directory; the window has no option).
    pub fn locate() -> Self {
        let status = match model_store::locate(None) {
            Ok((path, _)) => WhisperStatus::Present(path),
            Err(_) => WhisperStatus::Missing,
        };
        Self::with(status)
    }

    /// A model in `status` (tests, or a status already known).
    pub fn with(status: WhisperStatus) -> Self {
        Self(Arc::new(Mutex::new(status)))
    }

    /// The status now (a copy; the download thread may change it).
    pub fn status(&self) -> WhisperStatus {
        self.0
            .lock()
            .map(|s| s.clone())
            .unwrap_or(WhisperStatus::Missing)
    }

    fn set(&self, status: WhisperStatus) {
        if let Ok(mut s) = self.0.lock() {
            *s = status;
        }
    }

    /// Starts the download into the data directory on a worker thread;
    /// `repaint` is called on each progress step so the window follows.
    pub fn start_download(&self, repaint: impl Fn() + Send + 'static) {
        if matches!(
            self.status(),
            WhisperStatus::Downloading { .. } | WhisperStatus::Present(_)
        ) {
            return;
        }
        let Some(dest) = model_store::data_dir_model() else {
            self.set(WhisperStatus::Failed(
                "aucun dossier de données sur ce système".into(),
            ));
            return;
        };
        self.set(WhisperStatus::Downloading {
            step: "connexion…".into(),
            done: 0,
            total: 0,
        });
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("whisper-fetch".into())
            .spawn(move || {
                let progress = |p: Progress| {
                    let (step, done, total) = match p {
                        Progress::Contacting(host) => (format!("connexion à {host}…"), 0, 0),
                        Progress::Download { file, done, total } => {
                            (format!("téléchargement de {file}"), done, total)
                        }
                        Progress::Converting => ("conversion…".to_string(), 0, 0),
                        Progress::Verifying => ("vérification…".to_string(), 0, 0),
                    };
                    me.set(WhisperStatus::Downloading { step, done, total });
                    repaint();
                };
                let result =
                    model_store::fetch(&dest, Source::Auto, &FetchOptions::default(), &progress);
                me.set(match result {
                    Ok(_) => WhisperStatus::Present(dest),
                    Err(e) => WhisperStatus::Failed(e.to_string()),
                });
                repaint();
            });
        if let Err(e) = spawned {
            self.set(WhisperStatus::Failed(e.to_string()));
        }
    }
}
