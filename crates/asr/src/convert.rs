//! CTranslate2 Whisper `model.bin` -> whisper.cpp ggml converter.
//!
//! The layout of both formats and the tensor mapping are described in
//! `docs/asr.md`. The converter streams: it reads the CTranslate2 variables
//! one by one, keeps them in memory (about 145 MB for base) and writes the
//! ggml file in one pass.

use super::mel;
use std::collections::HashMap;
use std::io::{self, Read, Write};

/// The `ggml` magic of the legacy whisper.cpp format ("lmgg" little-endian).
pub const GGML_MAGIC: u32 = 0x6767_6d6c;
const CT2_BINARY_VERSION: u32 = 6;

/// Why a CTranslate2 model could not be read or converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// Reading the model failed (a truncated file, say), or writing the
    /// ggml file did.
    #[error("lecture du modèle CTranslate2 impossible : {0}")]
    Io(#[from] io::Error),
    /// The model or the vocabulary is not laid out as a Whisper
    /// CTranslate2 model is: version, spec, names, types, sizes, shapes,
    /// layers or tokens.
    #[error("modèle CTranslate2 invalide : {0}")]
    Format(String),
    /// A variable the ggml file needs is neither in the model nor an alias
    /// of one (its CTranslate2 name).
    #[error("tenseur manquant dans le modèle CTranslate2 : {0}")]
    Missing(String),
}

fn bad(msg: impl Into<String>) -> ConvertError {
    ConvertError::Format(msg.into())
}

/// Element types of CTranslate2 (`ctranslate2::DataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// 32-bit float.
    F32 = 0,
    /// 8-bit signed integer.
    I8 = 1,
    /// 16-bit signed integer.
    I16 = 2,
    /// 32-bit signed integer.
    I32 = 3,
    /// IEEE half-precision float.
    F16 = 4,
    /// bfloat16: the top 16 bits of an f32.
    BF16 = 5,
}

impl DType {
    /// The type stored as `id` in `model.bin`; `None` for an unknown id.
    pub fn from_id(id: u8) -> Option<Self> {
        Some(match id {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::BF16,
            _ => return None,
        })
    }
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::BF16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }
}

/// One CTranslate2 variable.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Shape, outermost dimension first (empty for a scalar).
    pub dims: Vec<usize>,
    /// Element type of `data`.
    pub dtype: DType,
    /// The elements as stored, little-endian: `dims`' product times
    /// `dtype.size()` bytes.
    pub data: Vec<u8>,
}

impl Variable {
    fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// Element `i` as f32, whatever the stored type.
    fn get(&self, i: usize) -> f32 {
        let s = self.dtype.size();
        let b = &self.data[i * s..(i + 1) * s];
        match self.dtype {
            DType::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            DType::I8 => b[0] as i8 as f32,
            DType::I16 => i16::from_le_bytes([b[0], b[1]]) as f32,
            DType::I32 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
            DType::F16 => f16_to_f32(u16::from_le_bytes([b[0], b[1]])),
            DType::BF16 => f32::from_bits((u16::from_le_bytes([b[0], b[1]]) as u32) << 16),
        }
    }

    /// A scalar read as an integer (`num_heads` and friends).
    pub fn scalar(&self) -> Option<i64> {
        (self.len() == 1).then(|| self.get(0) as i64)
    }
}

/// A parsed CTranslate2 model: variables by name, plus aliases.
#[derive(Debug, Default)]
pub struct Ct2Model {
    /// The model spec's name: `WhisperSpec` for a Whisper model.
    pub spec: String,
    /// Variables by name (`encoder/layer_0/...`).
    pub vars: HashMap<String, Variable>,
    /// `(alias, target)`: a name that stands for the variable `target`.
    pub aliases: Vec<(String, String)>,
}

fn read_u8(r: &mut impl Read) -> io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}
fn read_u16(r: &mut impl Read) -> io::Result<u16> {
    let mut b = [0u8; 2];
    r.read_exact(&mut b)?;
    Ok(u16::from_le_bytes(b))
}
fn read_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}
fn read_string(r: &mut impl Read) -> Result<String, ConvertError> {
    let n = read_u16(r)? as usize;
    let mut b = vec![0u8; n];
    r.read_exact(&mut b)?;
    if b.pop() != Some(0) {
        return Err(bad("chaîne sans zéro final"));
    }
    String::from_utf8(b).map_err(|_| bad("nom non UTF-8"))
}

impl Ct2Model {
    /// Parses a whole `model.bin` (binary version 6).
    pub fn read(mut r: impl Read) -> Result<Self, ConvertError> {
        let version = read_u32(&mut r)?;
        if version != CT2_BINARY_VERSION {
            return Err(bad(format!(
                "version binaire {version}, {CT2_BINARY_VERSION} attendue"
            )));
        }
        let spec = read_string(&mut r)?;
        let _revision = read_u32(&mut r)?;
        let count = read_u32(&mut r)?;
        if count > 100_000 {
            return Err(bad(format!("{count} variables annoncées")));
        }
        let mut vars = HashMap::new();
        for _ in 0..count {
            let name = read_string(&mut r)?;
            let rank = read_u8(&mut r)? as usize;
            let mut dims = Vec::with_capacity(rank);
            for _ in 0..rank {
                dims.push(read_u32(&mut r)? as usize);
            }
            let id = read_u8(&mut r)?;
            let dtype =
                DType::from_id(id).ok_or_else(|| bad(format!("type {id} inconnu pour {name}")))?;
            let nbytes = read_u32(&mut r)? as usize;
            let expected = dims.iter().product::<usize>() * dtype.size();
            if nbytes != expected {
                return Err(bad(format!(
                    "{name} : {nbytes} octets, {expected} attendus"
                )));
            }
            let mut data = vec![0u8; nbytes];
            r.read_exact(&mut data)?;
            vars.insert(name, Variable { dims, dtype, data });
        }
        let mut aliases = Vec::new();
        // the alias table is optional in old files: a clean EOF here is fine
        if let Ok(n) = read_u32(&mut r) {
            for _ in 0..n {
                let a = read_string(&mut r)?;
                let b = read_string(&mut r)?;
                aliases.push((a, b));
            }
        }
        Ok(Self {
            spec,
            vars,
            aliases,
        })
    }

    fn var(&self, name: &str) -> Result<&Variable, ConvertError> {
        if let Some(v) = self.vars.get(name) {
            return Ok(v);
        }
        let target = self
            .aliases
            .iter()
            .find(|(a, _)| a == name)
            .map(|(_, b)| b.as_str());
        target
            .and_then(|t| self.vars.get(t))
            .ok_or_else(|| ConvertError::Missing(name.to_string()))
    }

    /// Number of `layer_<n>/` blocks under `prefix/`.
    fn layer_count(&self, prefix: &str) -> usize {
        let head = format!("{prefix}/layer_");
        self.vars
            .keys()
            .filter_map(|k| k.strip_prefix(&head))
            .filter_map(|rest| {
                let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                (!digits.is_empty() && rest[digits.len()..].starts_with('/'))
                    .then(|| digits.parse::<usize>().ok())
                    .flatten()
            })
            .map(|n| n + 1)
            .max()
            .unwrap_or(0)
    }
}

/// IEEE half (its bits, as stored) -> single.
pub fn f16_to_f32(h: u16) -> f32 {
    half::f16::from_bits(h).to_f32()
}

/// Single -> IEEE half's bits, rounding to nearest even.
pub fn f32_to_f16(f: f32) -> u16 {
    half::f16::from_f32(f).to_bits()
}

/// GPT-2 byte-level alphabet: char -> byte.
fn byte_decoder() -> HashMap<char, u8> {
    let mut bs: Vec<u32> = (b'!' as u32..=b'~' as u32)
        .chain(0xa1..=0xac)
        .chain(0xae..=0xff)
        .collect();
    let mut cs = bs.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !bs.contains(&b) {
            bs.push(b);
            cs.push(256 + n);
            n += 1;
        }
    }
    bs.into_iter()
        .zip(cs)
        .filter_map(|(b, c)| char::from_u32(c).map(|c| (c, b as u8)))
        .collect()
}

/// The plain-text tokens of `vocabulary.txt` (one per line, id = line
/// number) up to the first special token, decoded to raw bytes.
pub fn vocabulary_bytes(vocabulary: &str) -> Result<Vec<Vec<u8>>, ConvertError> {
    let dec = byte_decoder();
    let mut out = Vec::new();
    for line in vocabulary.split('\n') {
        if line.starts_with("<|") && line.ends_with("|>") {
            return Ok(out);
        }
        let bytes = line
            .chars()
            .map(|c| dec.get(&c).copied())
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| bad(format!("jeton hors alphabet octet : {line:?}")))?;
        out.push(bytes);
    }
    Err(bad("vocabulaire sans jeton spécial <|endoftext|>"))
}

/// What a conversion produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertStats {
    /// Tensors written.
    pub tensors: usize,
    /// Size of the ggml file written, in bytes.
    pub bytes: u64,
    /// Encoder layers.
    pub layers: usize,
    /// Rows of the token embedding: the whole vocabulary, special tokens
    /// included.
    pub n_vocab: usize,
}

/// The ggml file being written, counting the bytes and tensors written.
struct Out<'a> {
    w: &'a mut dyn Write,
    bytes: u64,
    tensors: usize,
}

impl Out<'_> {
    fn i32(&mut self, v: i32) -> io::Result<()> {
        self.bytes += 4;
        self.w.write_all(&v.to_le_bytes())
    }
    fn raw(&mut self, b: &[u8]) -> io::Result<()> {
        self.bytes += b.len() as u64;
        self.w.write_all(b)
    }

    /// Writes rows `rows` (of the leading dimension) of `v` as tensor `name`
    /// with PyTorch shape `shape`. `force_f32` forces single precision.
    fn tensor(
        &mut self,
        name: &str,
        v: &Variable,
        rows: std::ops::Range<usize>,
        shape: &[usize],
        force_f32: bool,
    ) -> Result<(), ConvertError> {
        let row = if v.dims.is_empty() {
            1
        } else {
            v.dims[1..].iter().product::<usize>()
        };
        let lead = v.dims.first().copied().unwrap_or(1);
        if rows.end > lead || (rows.end - rows.start) * row != shape.iter().product::<usize>() {
            return Err(bad(format!("forme inattendue pour {name} : {:?}", v.dims)));
        }
        let f32_out = force_f32 || shape.len() < 2;
        self.i32(shape.len() as i32)?;
        self.i32(name.len() as i32)?;
        self.i32(if f32_out { 0 } else { 1 })?;
        for d in shape.iter().rev() {
            self.i32(*d as i32)?;
        }
        self.raw(name.as_bytes())?;
        let range = rows.start * row..rows.end * row;
        let mut buf = Vec::with_capacity(range.len() * 4);
        if !f32_out && v.dtype == DType::F16 {
            buf.extend_from_slice(&v.data[range.start * 2..range.end * 2]);
        } else {
            for i in range {
                let x = v.get(i);
                if f32_out {
                    buf.extend_from_slice(&x.to_le_bytes());
                } else {
                    buf.extend_from_slice(&f32_to_f16(x).to_le_bytes());
                }
            }
        }
        self.raw(&buf)?;
        self.tensors += 1;
        Ok(())
    }
}

/// Converts a CTranslate2 Whisper model to whisper.cpp's ggml file (f16).
pub fn convert(
    model: &Ct2Model,
    vocabulary: &str,
    w: &mut dyn Write,
) -> Result<ConvertStats, ConvertError> {
    if model.spec != "WhisperSpec" {
        return Err(bad(format!(
            "spécification {:?}, WhisperSpec attendue",
            model.spec
        )));
    }
    let conv1 = model.var("encoder/conv1/weight")?;
    let enc_pos = model.var("encoder/position_encodings/encodings")?;
    let dec_pos = model.var("decoder/position_encodings/encodings")?;
    let emb = model.var("decoder/embeddings/weight")?;
    let dims2 = |v: &Variable, what: &str| -> Result<(usize, usize), ConvertError> {
        match v.dims[..] {
            [a, b] => Ok((a, b)),
            _ => Err(bad(format!("{what} : forme {:?}", v.dims))),
        }
    };
    let (n_audio_ctx, n_state) = dims2(enc_pos, "encoder/position_encodings")?;
    let (n_text_ctx, n_text_state) = dims2(dec_pos, "decoder/position_encodings")?;
    let (n_vocab, _) = dims2(emb, "decoder/embeddings")?;
    let n_mels = *conv1
        .dims
        .get(1)
        .ok_or_else(|| bad("conv1 sans dimension"))?;
    let heads = |name: &str| -> Result<usize, ConvertError> {
        model
            .var(name)?
            .scalar()
            .filter(|h| *h > 0)
            .map(|h| h as usize)
            .ok_or_else(|| bad(format!("{name} n'est pas un entier positif")))
    };
    let n_audio_head = heads("encoder/num_heads")?;
    let n_text_head = heads("decoder/num_heads")?;
    let n_audio_layer = model.layer_count("encoder");
    let n_text_layer = model.layer_count("decoder");
    if n_audio_layer == 0 || n_text_layer == 0 {
        return Err(bad("aucune couche trouvée"));
    }
    let tokens = vocabulary_bytes(vocabulary)?;

    let mut o = Out {
        w,
        bytes: 0,
        tensors: 0,
    };
    o.raw(&GGML_MAGIC.to_le_bytes())?;
    for v in [
        n_vocab,
        n_audio_ctx,
        n_state,
        n_audio_head,
        n_audio_layer,
        n_text_ctx,
        n_text_state,
        n_text_head,
        n_text_layer,
        n_mels,
        1, // ftype f16
    ] {
        o.i32(v as i32)?;
    }
    // mel filterbank
    let filters = mel::filterbank(16_000, mel::N_FFT, n_mels);
    o.i32(n_mels as i32)?;
    o.i32((mel::N_FFT / 2 + 1) as i32)?;
    let mut buf = Vec::with_capacity(filters.len() * 4);
    for x in &filters {
        buf.extend_from_slice(&x.to_le_bytes());
    }
    o.raw(&buf)?;
    // vocabulary
    o.i32(tokens.len() as i32)?;
    for t in &tokens {
        o.i32(t.len() as i32)?;
        o.raw(t)?;
    }

    // tensors
    let full = |o: &mut Out, ggml: &str, ct2: &str, force_f32: bool| -> Result<(), ConvertError> {
        let v = model.var(ct2)?;
        let lead = v.dims.first().copied().unwrap_or(1);
        let shape: Vec<usize> = if v.dims.is_empty() {
            vec![1]
        } else {
            v.dims.clone()
        };
        o.tensor(ggml, v, 0..lead, &shape, force_f32)
    };
    let slice = |o: &mut Out,
                 ggml: &str,
                 ct2: &str,
                 part: usize,
                 width: usize|
     -> Result<(), ConvertError> {
        let v = model.var(ct2)?;
        let mut shape = v.dims.clone();
        shape[0] = width;
        o.tensor(ggml, v, part * width..(part + 1) * width, &shape, false)
    };
    full(
        &mut o,
        "encoder.positional_embedding",
        "encoder/position_encodings/encodings",
        true,
    )?;
    for c in ["conv1", "conv2"] {
        full(
            &mut o,
            &format!("encoder.{c}.weight"),
            &format!("encoder/{c}/weight"),
            false,
        )?;
        let b = model.var(&format!("encoder/{c}/bias"))?;
        o.tensor(
            &format!("encoder.{c}.bias"),
            b,
            0..b.dims[0],
            &[b.dims[0], 1],
            true,
        )?;
    }
    let n = n_state;
    let attn = |o: &mut Out, g: &str, c: &str| -> Result<(), ConvertError> {
        // fused q,k,v projection; key has no bias in Whisper
        let (w, b) = (format!("{c}/linear_0/weight"), format!("{c}/linear_0/bias"));
        slice(o, &format!("{g}.query.weight"), &w, 0, n)?;
        slice(o, &format!("{g}.query.bias"), &b, 0, n)?;
        slice(o, &format!("{g}.key.weight"), &w, 1, n)?;
        slice(o, &format!("{g}.value.weight"), &w, 2, n)?;
        slice(o, &format!("{g}.value.bias"), &b, 2, n)?;
        full(
            o,
            &format!("{g}.out.weight"),
            &format!("{c}/linear_1/weight"),
            false,
        )?;
        full(
            o,
            &format!("{g}.out.bias"),
            &format!("{c}/linear_1/bias"),
            false,
        )
    };
    let norm = |o: &mut Out, g: &str, c: &str| -> Result<(), ConvertError> {
        full(o, &format!("{g}.weight"), &format!("{c}/gamma"), false)?;
        full(o, &format!("{g}.bias"), &format!("{c}/beta"), false)
    };
    let mlp = |o: &mut Out, g: &str, c: &str| -> Result<(), ConvertError> {
        norm(o, &format!("{g}.mlp_ln"), &format!("{c}/ffn/layer_norm"))?;
        for (gi, ci) in [(0, 0), (2, 1)] {
            full(
                o,
                &format!("{g}.mlp.{gi}.weight"),
                &format!("{c}/ffn/linear_{ci}/weight"),
                false,
            )?;
            full(
                o,
                &format!("{g}.mlp.{gi}.bias"),
                &format!("{c}/ffn/linear_{ci}/bias"),
                false,
            )?;
        }
        Ok(())
    };
    for i in 0..n_audio_layer {
        let (g, c) = (format!("encoder.blocks.{i}"), format!("encoder/layer_{i}"));
        attn(&mut o, &format!("{g}.attn"), &format!("{c}/self_attention"))?;
        norm(
            &mut o,
            &format!("{g}.attn_ln"),
            &format!("{c}/self_attention/layer_norm"),
        )?;
        mlp(&mut o, &g, &c)?;
    }
    norm(&mut o, "encoder.ln_post", "encoder/layer_norm")?;

    full(
        &mut o,
        "decoder.positional_embedding",
        "decoder/position_encodings/encodings",
        true,
    )?;
    full(
        &mut o,
        "decoder.token_embedding.weight",
        "decoder/embeddings/weight",
        false,
    )?;
    let n = n_text_state;
    for i in 0..n_text_layer {
        let (g, c) = (format!("decoder.blocks.{i}"), format!("decoder/layer_{i}"));
        attn(&mut o, &format!("{g}.attn"), &format!("{c}/self_attention"))?;
        norm(
            &mut o,
            &format!("{g}.attn_ln"),
            &format!("{c}/self_attention/layer_norm"),
        )?;
        let (x, ca) = (format!("{g}.cross_attn"), format!("{c}/attention"));
        full(
            &mut o,
            &format!("{x}.query.weight"),
            &format!("{ca}/linear_0/weight"),
            false,
        )?;
        full(
            &mut o,
            &format!("{x}.query.bias"),
            &format!("{ca}/linear_0/bias"),
            false,
        )?;
        slice(
            &mut o,
            &format!("{x}.key.weight"),
            &format!("{ca}/linear_1/weight"),
            0,
            n,
        )?;
        slice(
            &mut o,
            &format!("{x}.value.weight"),
            &format!("{ca}/linear_1/weight"),
            1,
            n,
        )?;
        slice(
            &mut o,
            &format!("{x}.value.bias"),
            &format!("{ca}/linear_1/bias"),
            1,
            n,
        )?;
        full(
            &mut o,
            &format!("{x}.out.weight"),
            &format!("{ca}/linear_2/weight"),
            false,
        )?;
        full(
            &mut o,
            &format!("{x}.out.bias"),
            &format!("{ca}/linear_2/bias"),
            false,
        )?;
        norm(
            &mut o,
            &format!("{g}.cross_attn_ln"),
            &format!("{ca}/layer_norm"),
        )?;
        mlp(&mut o, &g, &c)?;
    }
    norm(&mut o, "decoder.ln", "decoder/layer_norm")?;

    Ok(ConvertStats {
        tensors: o.tensors,
        bytes: o.bytes,
        layers: n_audio_layer,
        n_vocab,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a CTranslate2 file in memory.
    #[derive(Default)]
    pub(crate) struct Ct2Builder {
        vars: Vec<u8>,
        count: u32,
    }

    fn put_str(b: &mut Vec<u8>, s: &str) {
        b.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        b.extend_from_slice(s.as_bytes());
        b.push(0);
    }

    impl Ct2Builder {
        pub(crate) fn var(&mut self, name: &str, dims: &[usize], dtype: DType, data: Vec<u8>) {
            put_str(&mut self.vars, name);
            self.vars.push(dims.len() as u8);
            for d in dims {
                self.vars.extend_from_slice(&(*d as u32).to_le_bytes());
            }
            self.vars.push(dtype as u8);
            self.vars
                .extend_from_slice(&(data.len() as u32).to_le_bytes());
            self.vars.extend_from_slice(&data);
            self.count += 1;
        }
        /// f16 tensor whose element i is `base + i / 4`.
        pub(crate) fn f16(&mut self, name: &str, dims: &[usize], base: f32) {
            let n: usize = dims.iter().product();
            let data = (0..n)
                .flat_map(|i| f32_to_f16(base + i as f32 / 4.0).to_le_bytes())
                .collect();
            self.var(name, dims, DType::F16, data);
        }
        pub(crate) fn finish(self, aliases: &[(&str, &str)]) -> Vec<u8> {
            let mut b = Vec::new();
            b.extend_from_slice(&6u32.to_le_bytes());
            put_str(&mut b, "WhisperSpec");
            b.extend_from_slice(&3u32.to_le_bytes());
            b.extend_from_slice(&self.count.to_le_bytes());
            b.extend_from_slice(&self.vars);
            b.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
            for (a, t) in aliases {
                put_str(&mut b, a);
                put_str(&mut b, t);
            }
            b
        }
    }

    /// A Whisper-shaped model with state 4, one layer each side, 2 mels.
    pub(crate) fn tiny_model() -> Vec<u8> {
        tiny_model_with(4)
    }

    /// The same with state `n`.
    pub(crate) fn tiny_model_with(n: usize) -> Vec<u8> {
        let mut m = Ct2Builder::default();
        m.var("decoder/activation", &[], DType::I8, vec![3]);
        m.var(
            "decoder/alignment_heads",
            &[],
            DType::I16,
            1i16.to_le_bytes().to_vec(),
        );
        m.var("encoder/num_heads", &[], DType::I8, vec![2]);
        m.var("decoder/num_heads", &[], DType::I8, vec![2]);
        m.f16("encoder/conv1/weight", &[n, 2, 3], 0.0);
        m.f16("encoder/conv1/bias", &[n], 1.0);
        m.f16("encoder/conv2/weight", &[n, n, 3], 0.0);
        m.f16("encoder/conv2/bias", &[n], 2.0);
        // one tensor stored as f32, to cover that path
        let pos: Vec<u8> = (0..6 * n)
            .flat_map(|i| (i as f32 * 0.1).to_le_bytes())
            .collect();
        m.var(
            "encoder/position_encodings/encodings",
            &[6, n],
            DType::F32,
            pos,
        );
        m.f16("decoder/position_encodings/encodings", &[5, n], 0.5);
        m.f16("decoder/embeddings/weight", &[7, n], 0.0);
        for side in ["encoder", "decoder"] {
            let l = format!("{side}/layer_0");
            m.f16(
                &format!("{l}/self_attention/linear_0/weight"),
                &[3 * n, n],
                0.0,
            );
            m.f16(&format!("{l}/self_attention/linear_0/bias"), &[3 * n], 10.0);
            m.f16(&format!("{l}/self_attention/linear_1/weight"), &[n, n], 0.0);
            m.f16(&format!("{l}/self_attention/linear_1/bias"), &[n], 0.0);
            m.f16(&format!("{l}/self_attention/layer_norm/gamma"), &[n], 1.0);
            m.f16(&format!("{l}/self_attention/layer_norm/beta"), &[n], 0.0);
            m.f16(&format!("{l}/ffn/linear_0/weight"), &[2 * n, n], 0.0);
            m.f16(&format!("{l}/ffn/linear_0/bias"), &[2 * n], 0.0);
            m.f16(&format!("{l}/ffn/linear_1/weight"), &[n, 2 * n], 0.0);
            m.f16(&format!("{l}/ffn/linear_1/bias"), &[n], 0.0);
            m.f16(&format!("{l}/ffn/layer_norm/gamma"), &[n], 1.0);
            m.f16(&format!("{l}/ffn/layer_norm/beta"), &[n], 0.0);
            m.f16(&format!("{side}/layer_norm/gamma"), &[n], 1.0);
            m.f16(&format!("{side}/layer_norm/beta"), &[n], 0.0);
        }
        let a = "decoder/layer_0/attention";
        m.f16(&format!("{a}/linear_0/weight"), &[n, n], 0.0);
        m.f16(&format!("{a}/linear_0/bias"), &[n], 0.0);
        m.f16(&format!("{a}/linear_1/weight"), &[2 * n, n], 0.0);
        m.f16(&format!("{a}/linear_1/bias"), &[2 * n], 20.0);
        m.f16(&format!("{a}/linear_2/weight"), &[n, n], 0.0);
        m.f16(&format!("{a}/linear_2/bias"), &[n], 0.0);
        m.f16(&format!("{a}/layer_norm/gamma"), &[n], 1.0);
        m.f16(&format!("{a}/layer_norm/beta"), &[n], 0.0);
        m.finish(&[("decoder/projection/weight", "decoder/embeddings/weight")])
    }

    /// Vocabulary: byte-level tokens, an empty one, then specials.
    pub(crate) const TINY_VOCAB: &str = "a\nĠb\nÃ©\n\n<|endoftext|>\n<|startoftranscript|>\n<|fr|>";

    /// ggml tensors by name: (dims innermost first, type, data); f32, f16
    /// or q8_0.
    pub(crate) fn read_ggml_tensors(b: &[u8]) -> HashMap<String, (Vec<i32>, i32, Vec<u8>)> {
        let i = |o: &mut usize| {
            let v = i32::from_le_bytes(b[*o..*o + 4].try_into().unwrap());
            *o += 4;
            v
        };
        let mut o = 4 + 11 * 4;
        let (nm, nf) = (i(&mut o), i(&mut o));
        o += (nm * nf * 4) as usize;
        let nt = i(&mut o);
        for _ in 0..nt {
            let l = i(&mut o);
            o += l as usize;
        }
        let mut out = HashMap::new();
        while o < b.len() {
            let (nd, nl, t) = (i(&mut o), i(&mut o), i(&mut o));
            let dims: Vec<i32> = (0..nd).map(|_| i(&mut o)).collect();
            let name = String::from_utf8(b[o..o + nl as usize].to_vec()).unwrap();
            o += nl as usize;
            let len = crate::model_store::tensor_data_bytes(t, &dims).unwrap() as usize;
            out.insert(name, (dims, t, b[o..o + len].to_vec()));
            o += len;
        }
        out
    }

    fn f16s(b: &[u8]) -> Vec<f32> {
        b.chunks(2)
            .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
            .collect()
    }
    fn f32s(b: &[u8]) -> Vec<f32> {
        b.chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    #[test]
    fn half_precision_round_trips() {
        for x in [0.0f32, 1.0, -2.5, 0.1, 65504.0, 1e-5, -3.0e-7] {
            let back = f16_to_f32(f32_to_f16(x));
            assert!((back - x).abs() <= x.abs() * 1e-3 + 6e-8, "{x} -> {back}");
        }
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f32_to_f16(1e6), 0x7c00);
    }

    #[test]
    fn converts_a_synthetic_model() {
        let model = Ct2Model::read(&tiny_model()[..]).unwrap();
        let mut out = Vec::new();
        let stats = convert(&model, TINY_VOCAB, &mut out).unwrap();
        assert_eq!(stats.tensors, 7 + 15 + 4 + 24);
        assert_eq!(stats.bytes, out.len() as u64);
        assert_eq!(stats.n_vocab, 7);
        // header
        let h: Vec<i32> = out[..48]
            .chunks(4)
            .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(h[0] as u32, GGML_MAGIC);
        assert_eq!(&h[1..], &[7, 6, 4, 2, 1, 5, 4, 2, 1, 2, 1]);
        let t = read_ggml_tensors(&out);
        assert_eq!(t.len(), 50);
        // fused q/k/v split, key bias dropped
        let (dims, ty, q) = &t["encoder.blocks.0.attn.query.weight"];
        assert_eq!((dims.clone(), *ty), (vec![4, 4], 1));
        assert_eq!(f16s(q)[0], 0.0);
        let (_, _, k) = &t["encoder.blocks.0.attn.key.weight"];
        assert_eq!(f16s(k)[0], 16.0 / 4.0);
        let (_, _, v) = &t["decoder.blocks.0.attn.value.weight"];
        assert_eq!(f16s(v)[0], 32.0 / 4.0);
        assert!(!t.contains_key("encoder.blocks.0.attn.key.bias"));
        // 1-D tensors are f32
        let (dims, ty, vb) = &t["encoder.blocks.0.attn.value.bias"];
        assert_eq!((dims.clone(), *ty), (vec![4], 0));
        assert_eq!(f32s(vb), vec![12.0, 12.25, 12.5, 12.75]);
        let (_, _, cv) = &t["decoder.blocks.0.cross_attn.value.bias"];
        assert_eq!(f32s(cv)[0], 21.0);
        let (_, _, ck) = &t["decoder.blocks.0.cross_attn.key.weight"];
        assert_eq!(f16s(ck).len(), 16);
        // conv bias as [n, 1] f32, positional embeddings f32
        let (dims, ty, cb) = &t["encoder.conv1.bias"];
        assert_eq!((dims.clone(), *ty), (vec![1, 4], 0));
        assert_eq!(f32s(cb)[3], 1.75);
        let (dims, ty, pe) = &t["encoder.positional_embedding"];
        assert_eq!((dims.clone(), *ty), (vec![4, 6], 0));
        assert!((f32s(pe)[5] - 0.5).abs() < 1e-6);
        let (dims, ty, _) = &t["encoder.conv1.weight"];
        assert_eq!((dims.clone(), *ty), (vec![3, 2, 4], 1));
        let (dims, _, _) = &t["decoder.token_embedding.weight"];
        assert_eq!(dims, &vec![4, 7]);
        for name in [
            "decoder.ln.weight",
            "encoder.ln_post.bias",
            "decoder.blocks.0.cross_attn_ln.weight",
            "decoder.blocks.0.mlp.2.weight",
        ] {
            assert!(t.contains_key(name), "{name}");
        }
    }

    #[test]
    fn vocabulary_is_decoded_to_bytes() {
        let v = vocabulary_bytes(TINY_VOCAB).unwrap();
        assert_eq!(
            v,
            vec![
                b"a".to_vec(),
                b" b".to_vec(),
                "é".as_bytes().to_vec(),
                vec![]
            ]
        );
    }

    #[test]
    fn damaged_input_is_refused() {
        let bytes = tiny_model();
        let e = Ct2Model::read(&bytes[..bytes.len() / 2]).unwrap_err();
        assert!(matches!(e, ConvertError::Io(_)), "{e}");
        let mut wrong = bytes.clone();
        wrong[0] = 5;
        assert!(
            Ct2Model::read(&wrong[..])
                .unwrap_err()
                .to_string()
                .contains("version")
        );
        let mut model = Ct2Model::read(&bytes[..]).unwrap();
        model.vars.remove("decoder/layer_0/attention/linear_2/bias");
        let e = convert(&model, TINY_VOCAB, &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("linear_2/bias"), "{e}");
    }
}
