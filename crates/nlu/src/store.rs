//! A saved model: `model.safetensors` + `config.json` + `tokenizer.json`,
//! read from a directory or from the copy embedded in the binary.

use super::model::{NerConfig, NerNet};
use super::tokenize::NerTokenizer;
use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use std::path::{Path, PathBuf};

/// File name of the weights in a model directory.
pub const WEIGHTS: &str = "model.safetensors";
/// File name of the [`NerConfig`] in a model directory.
pub const CONFIG: &str = "config.json";
/// File name of the word tokenizer in a model directory.
pub const TOKENIZER: &str = "tokenizer.json";

/// Why a model cannot be loaded. Messages are French: the user reads them.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file of the model could not be read.
    #[error("modèle de compréhension introuvable : {path} ({source})")]
    Missing {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// A file of the model was read but cannot be used.
    #[error(
        "modèle de compréhension corrompu ({what}) : {detail}. Réentraînez-le avec `speechtimer train` ou retirez --ner-model"
    )]
    Corrupt {
        /// Which file: [`WEIGHTS`], [`CONFIG`] or [`TOKENIZER`].
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

/// The three files of a model, in memory.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    /// `model.safetensors`.
    pub weights: Vec<u8>,
    /// `config.json`.
    pub config: Vec<u8>,
    /// `tokenizer.json`.
    pub tokenizer: Vec<u8>,
}

impl ModelFiles {
    /// The shipped model, compiled into the binary.
    pub fn embedded() -> Self {
        Self {
            weights: include_bytes!("../../../models/ner/model.safetensors").to_vec(),
            config: include_bytes!("../../../models/ner/config.json").to_vec(),
            tokenizer: include_bytes!("../../../models/ner/tokenizer.json").to_vec(),
        }
    }

    /// Reads the three files from `dir`.
    pub fn read_dir(dir: &Path) -> Result<Self, LoadError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| LoadError::Missing { path, source })
        };
        Ok(Self {
            weights: read(WEIGHTS)?,
            config: read(CONFIG)?,
            tokenizer: read(TOKENIZER)?,
        })
    }

    /// Writes the three files into `dir`, creating it if needed.
    pub fn write_dir(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(WEIGHTS), &self.weights)?;
        std::fs::write(dir.join(CONFIG), &self.config)?;
        std::fs::write(dir.join(TOKENIZER), &self.tokenizer)
    }

    /// The configuration, parsed from `config.json`.
    pub fn config(&self) -> Result<NerConfig, LoadError> {
        serde_json::from_slice(&self.config).map_err(|e| LoadError::Corrupt {
            what: CONFIG,
            detail: e.to_string(),
        })
    }

    /// The network and tokenizer; every mismatch is an error, never a panic.
    pub fn build(&self, device: &Device) -> Result<(NerNet, NerTokenizer), LoadError> {
        let config = self.config()?;
        let tokenizer = NerTokenizer::from_json(&self.tokenizer, &config.chars).map_err(|e| {
            LoadError::Corrupt {
                what: TOKENIZER,
                detail: e.to_string(),
            }
        })?;
        if tokenizer.vocab_size() != config.vocab_size {
            return Err(LoadError::Corrupt {
                what: TOKENIZER,
                detail: format!(
                    "{} mots au vocabulaire, la configuration en attend {}",
                    tokenizer.vocab_size(),
                    config.vocab_size
                ),
            });
        }
        // check the container before building: a truncated file must not
        // reach the lazy loader
        safetensors::SafeTensors::deserialize(&self.weights).map_err(|e| LoadError::Corrupt {
            what: WEIGHTS,
            detail: e.to_string(),
        })?;
        let vb = VarBuilder::from_buffered_safetensors(self.weights.clone(), DType::F32, device)
            .map_err(|e| LoadError::Corrupt {
                what: WEIGHTS,
                detail: e.to_string(),
            })?;
        let net = NerNet::new(vb, &config).map_err(|e| LoadError::Corrupt {
            what: WEIGHTS,
            detail: e.to_string(),
        })?;
        Ok((net, tokenizer))
    }
}
