//! ggml model files: header, hyper-parameters, vocabulary and tensors,
//! read and checked without loading the model.

use super::super::convert::GGML_MAGIC;
use super::StoreError;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

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
    /// Size of the file, in bytes.
    pub bytes: u64,
    /// Vocabulary size, special tokens included.
    pub n_vocab: i32,
    /// Encoder layers.
    pub n_audio_layer: i32,
    /// Decoder layers.
    pub n_text_layer: i32,
    /// Width of the encoder's hidden state.
    pub n_state: i32,
    /// Number of tensors.
    pub tensors: usize,
    /// Storage of the weights: [`FTYPE_F32`], [`FTYPE_F16`] or
    /// [`FTYPE_Q8_0`].
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
