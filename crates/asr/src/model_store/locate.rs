//! Which model file to load, and where `model fetch` puts it.

use super::super::quantize;
use super::{ENV_VAR, FTYPE_Q8_0, MODEL_FILE, StoreError, check_ggml};
use std::path::{Path, PathBuf};

/// Where a model was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The path given by `--whisper-model`.
    Argument,
    /// The path in `$SPEECHTIMER_WHISPER_MODEL`.
    Env,
    /// `models/whisper/` under the working directory.
    WorkDir,
    /// The platform data directory ([`data_dir_model`]).
    DataDir,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Origin::Argument => "--whisper-model",
            Origin::Env => ENV_VAR,
            Origin::WorkDir => "le dossier courant",
            Origin::DataDir => "le dossier de données",
        })
    }
}

/// The platform data directory's model path (`…/speechtimer/models/ggml-base.bin`).
pub fn data_dir_model() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "speechtimer")
        .map(|d| d.data_dir().join("models").join(MODEL_FILE))
}

/// Finds the model with the process's environment and working directory.
pub fn locate(explicit: Option<&Path>) -> Result<(PathBuf, Origin), StoreError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    locate_with(
        explicit,
        std::env::var_os(ENV_VAR)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
        &cwd,
        data_dir_model(),
    )
}

/// The lookup itself, every input passed in (testable).
pub fn locate_with(
    explicit: Option<&Path>,
    env: Option<PathBuf>,
    cwd: &Path,
    data_dir: Option<PathBuf>,
) -> Result<(PathBuf, Origin), StoreError> {
    for (path, origin) in [
        (explicit.map(Path::to_path_buf), Origin::Argument),
        (env, Origin::Env),
    ] {
        if let Some(path) = path {
            return if path.is_file() {
                Ok((path, origin))
            } else {
                Err(StoreError::Missing {
                    origin: origin.to_string(),
                    path,
                })
            };
        }
    }
    let mut looked = Vec::new();
    for (path, origin) in [
        (
            Some(cwd.join("models").join("whisper").join(MODEL_FILE)),
            Origin::WorkDir,
        ),
        (data_dir, Origin::DataDir),
    ] {
        if let Some(path) = path {
            // the q8_0 copy decodes as well and faster (docs/results.md): it wins
            let q8 = path.with_file_name(quantize::OUT_FILE);
            if q8.is_file() {
                return Ok((q8, origin));
            }
            if path.is_file() {
                return Ok((path, origin));
            }
            looked.push(path);
        }
    }
    Err(StoreError::NotFound { looked })
}

/// Makes the q8_0 copy beside the f16 model at `f16` unless a valid one is
/// there; `None` (logged) when it cannot be made: the f16 model still works.
pub fn ensure_quantized(f16: &Path) -> Option<PathBuf> {
    let q8 = f16.with_file_name(quantize::OUT_FILE);
    if check_ggml(&q8).is_ok_and(|i| i.ftype == FTYPE_Q8_0) {
        return Some(q8);
    }
    match quantize::quantize_file(f16, &q8, &|_, _| {}) {
        Ok(stats) => {
            tracing::info!("q8_0 copy made in {:?}: {}", stats.elapsed, q8.display());
            Some(q8)
        }
        Err(e) => {
            tracing::warn!("no q8_0 copy of {}: {e}", f16.display());
            None
        }
    }
}
