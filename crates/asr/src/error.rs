//! Why the speech side fails, in French for the athlete.

use super::model_store::StoreError;

/// Why a model could not be loaded or a clip transcribed.
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    /// The model file cannot be opened or fails its check.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file passed the check but whisper.cpp could not load it.
    #[error("modèle Whisper illisible ({path}) : relancez `speechtimer model fetch`")]
    Load {
        /// The model file, as displayed.
        path: String,
    },
    /// whisper.cpp failed to make a decoder state, tokenize the prompt or
    /// run.
    #[error("la transcription a échoué : {0}")]
    Decode(String),
    /// The run was stopped from outside (speech resumed).
    #[error("transcription interrompue")]
    Aborted,
}

impl AsrError {
    /// Whether `speechtimer model fetch` is the way out, which the message
    /// already says (a missing, damaged or unreadable model).
    pub fn fetch_helps(&self) -> bool {
        match self {
            AsrError::Store(e) => e.fetch_helps(),
            AsrError::Load { .. } => true,
            AsrError::Decode(_) | AsrError::Aborted => false,
        }
    }
}
