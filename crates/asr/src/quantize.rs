//! f16 ggml Whisper file -> q8_0 ggml file (`speechtimer model quantize`).
//!
//! What whisper.cpp's own `quantize` tool does for `q8_0`, in Rust over
//! ggml's `ggml_quantize_chunk`: the header is copied with `ftype` 2007
//! (`GGML_FTYPE_MOSTLY_Q8_0` + `GGML_QNT_VERSION` x 1000), the mel filters
//! and the vocabulary byte for byte, and every 2-D f16 tensor (the weight
//! matrices and the token embedding) becomes q8_0: blocks of 32 values
//! stored as an f16 scale `d` and 32 i8 `q`, value = `d * q`. Everything
//! else (biases, layer norms, the 3-D convolution weights, positional
//! embeddings, f32 tensors) is copied unchanged. For base: 148 MB -> 82 MB.
//!
//! The file is written to a temporary file beside the output, checked with
//! `check_ggml`, then renamed: the output path never holds half a model.

use super::convert::GGML_MAGIC;
use super::model_store::{
    self, FTYPE_F16, FTYPE_Q8_0, GgmlReader, StoreError, TYPE_F16, TYPE_Q8_0, TensorHeader,
};
use half::f16;
use half::slice::HalfFloatSliceExt;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Default name of the quantized model, beside the f16 one.
pub const OUT_FILE: &str = "ggml-base-q8_0.bin";

/// Rows converted and quantized at a time (bounds memory: the token
/// embedding alone is 51865 rows).
const CHUNK_ROWS: usize = 1024;

/// Why a model could not be quantized.
#[derive(Debug, thiserror::Error)]
pub enum QuantizeError {
    /// The input is missing, unreadable or not a valid ggml file.
    #[error(transparent)]
    Input(#[from] StoreError),
    /// The input is a valid ggml file but not f16 (an f32 one).
    #[error(
        "{path} n'est pas un modèle f16 (ftype {ftype}) : la quantification part du ggml-base.bin f16"
    )]
    NotF16 {
        /// The input file.
        path: PathBuf,
        /// Its `ftype`.
        ftype: i32,
    },
    /// The input is already a q8_0 file.
    #[error("{path} est déjà quantifié en q8_0")]
    AlreadyQuantized {
        /// The input file.
        path: PathBuf,
    },
    /// The output path names the input file itself; holds the output path.
    #[error("la sortie {0} est le modèle d'entrée : choisissez un autre `--out`")]
    SameFile(PathBuf),
    /// The input could not be opened again to copy its header.
    #[error("lecture de {path} impossible : {source}")]
    Read {
        /// The input file.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The output's directory, its temporary file or the output itself
    /// could not be created, written or renamed.
    #[error("erreur d'écriture ({path}) : {source}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The file written fails `check_ggml`; the output is left untouched.
    #[error("le modèle quantifié ne passe pas la vérification : {0}")]
    Output(StoreError),
}

/// What a quantization did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantizeStats {
    /// Size of the f16 input, in bytes.
    pub input_bytes: u64,
    /// Size of the q8_0 output, in bytes.
    pub output_bytes: u64,
    /// Tensors written as q8_0.
    pub quantized: usize,
    /// Tensors copied unchanged.
    pub copied: usize,
    /// 2-D f16 tensors left in f16 because their rows are no whole number
    /// of 32-value blocks (none in Whisper's models).
    pub kept_f16: usize,
    /// Wall time of the whole quantization, checks included.
    pub elapsed: Duration,
}

/// Bytes of `n_per_row` values in q8_0, from ggml itself.
fn q8_row_bytes(n_per_row: usize) -> usize {
    // SAFETY: a pure function of its arguments
    unsafe {
        whisper_rs_sys::ggml_row_size(whisper_rs_sys::ggml_type_GGML_TYPE_Q8_0, n_per_row as i64)
    }
}

/// Values per q8_0 block, from ggml itself (32).
fn q8_block() -> usize {
    // SAFETY: a pure function of its argument
    unsafe { whisper_rs_sys::ggml_blck_size(whisper_rs_sys::ggml_type_GGML_TYPE_Q8_0) as usize }
}

/// Quantizes `rows` rows of `n_per_row` f32 values into `dst` (q8_0).
fn quantize_rows(src: &[f32], n_per_row: usize, dst: &mut Vec<u8>) {
    let rows = src.len() / n_per_row;
    assert_eq!(rows * n_per_row, src.len());
    assert!(n_per_row.is_multiple_of(q8_block()));
    let len = q8_row_bytes(n_per_row) * rows;
    dst.clear();
    dst.resize(len, 0);
    // SAFETY: `src` holds rows x n_per_row f32, `dst` the row size ggml
    // gives for that many values; q8_0 needs no importance matrix, and
    // n_per_row is a multiple of the block size (ggml asserts start 0 is)
    let written = unsafe {
        whisper_rs_sys::ggml_quantize_chunk(
            whisper_rs_sys::ggml_type_GGML_TYPE_Q8_0,
            src.as_ptr(),
            dst.as_mut_ptr().cast(),
            0,
            rows as i64,
            n_per_row as i64,
            std::ptr::null(),
        )
    };
    assert_eq!(
        written, len,
        "ggml_quantize_chunk wrote {written} bytes of {len}"
    );
}

/// Little-endian f16 bytes -> f32.
fn f16_bytes_to_f32(bytes: &[u8], bits: &mut Vec<u16>, out: &mut Vec<f32>) {
    bits.clear();
    bits.extend(
        bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]])),
    );
    out.clear();
    out.resize(bits.len(), 0.0);
    let halves: &[f16] = half::slice::HalfBitsSliceExt::reinterpret_cast(&bits[..]);
    halves.convert_to_f32_slice(out);
}

/// Whether a tensor becomes q8_0: 2-D, f16, rows of whole blocks.
fn quantizable(t: &TensorHeader) -> bool {
    t.dims.len() == 2 && t.ttype == TYPE_F16 && (t.dims[0] as usize).is_multiple_of(q8_block())
}

/// Quantizes the f16 ggml Whisper file `input` into `output` (q8_0).
/// `progress(done, total)` gets bytes of the input read so far.
pub fn quantize_file(
    input: &Path,
    output: &Path,
    progress: &dyn Fn(u64, u64),
) -> Result<QuantizeStats, QuantizeError> {
    let t0 = Instant::now();
    // the whole input first: a truncated or damaged file is refused before
    // anything is written
    let info = model_store::check_ggml(input)?;
    match info.ftype {
        FTYPE_F16 => {}
        FTYPE_Q8_0 => {
            return Err(QuantizeError::AlreadyQuantized {
                path: input.to_path_buf(),
            });
        }
        ftype => {
            return Err(QuantizeError::NotF16 {
                path: input.to_path_buf(),
                ftype,
            });
        }
    }
    if let (Ok(a), Ok(b)) = (input.canonicalize(), output.canonicalize())
        && a == b
    {
        return Err(QuantizeError::SameFile(output.to_path_buf()));
    }
    let dir = output
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let write_err = |source: io::Error| QuantizeError::Write {
        path: output.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(write_err)?;
    let tmp = tempfile::Builder::new()
        .prefix(".quantize-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(write_err)?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp);
    let mut stats = QuantizeStats {
        input_bytes: info.bytes,
        output_bytes: 0,
        quantized: 0,
        copied: 0,
        kept_f16: 0,
        elapsed: Duration::ZERO,
    };

    let mut g = GgmlReader::open(input)?;
    // magic and hparams, ftype changed; mel filters and vocabulary as they are
    let mut head = Vec::with_capacity(48);
    head.extend_from_slice(&GGML_MAGIC.to_le_bytes());
    for (i, v) in g.hparams.iter().enumerate() {
        let v = if i == 10 { FTYPE_Q8_0 } else { *v };
        head.extend_from_slice(&v.to_le_bytes());
    }
    w.write_all(&head).map_err(write_err)?;
    {
        let read_err = |source: io::Error| QuantizeError::Read {
            path: input.to_path_buf(),
            source,
        };
        let mut f = File::open(input).map_err(read_err)?;
        f.seek(SeekFrom::Start(head.len() as u64))
            .map_err(read_err)?;
        let want = g.tensors_at - head.len() as u64;
        let copied = io::copy(&mut f.take(want), &mut w).map_err(write_err)?;
        if copied != want {
            return Err(g.corrupt("fichier tronqué").into());
        }
    }

    let (mut data, mut bits, mut values, mut q) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut done = g.tensors_at;
    progress(done, info.bytes);
    while let Some(t) = g.next_tensor()? {
        let n_per_row = t.dims[0] as usize;
        if quantizable(&t) {
            t.write_as(TYPE_Q8_0, &mut w).map_err(write_err)?;
            done += t.header_bytes();
            let rows = t.dims[1] as usize;
            let mut row = 0;
            while row < rows {
                let n = CHUNK_ROWS.min(rows - row);
                data.resize(n * n_per_row * 2, 0);
                g.read_exact(&mut data)?;
                f16_bytes_to_f32(&data, &mut bits, &mut values);
                quantize_rows(&values, n_per_row, &mut q);
                w.write_all(&q).map_err(write_err)?;
                row += n;
                done += data.len() as u64;
                progress(done, info.bytes);
            }
            stats.quantized += 1;
        } else {
            if t.dims.len() == 2 && t.ttype == TYPE_F16 {
                tracing::warn!(
                    "{}: rows of {n_per_row} values, not whole q8_0 blocks: kept in f16",
                    String::from_utf8_lossy(&t.name)
                );
                stats.kept_f16 += 1;
            }
            t.write_as(t.ttype, &mut w).map_err(write_err)?;
            done += t.header_bytes();
            data.resize(t.data_bytes as usize, 0);
            g.read_exact(&mut data)?;
            w.write_all(&data).map_err(write_err)?;
            stats.copied += 1;
            done += t.data_bytes;
            progress(done, info.bytes);
        }
    }
    g.finish()?;

    let tmp = w.into_inner().map_err(|e| write_err(e.into_error()))?;
    tmp.as_file().sync_all().map_err(write_err)?;
    // a temporary file is private (0600): the model gets the input's mode
    if let Ok(meta) = std::fs::metadata(input) {
        std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(write_err)?;
    }
    let checked = model_store::check_ggml(tmp.path()).map_err(QuantizeError::Output)?;
    tmp.persist(output).map_err(|e| write_err(e.error))?;
    stats.output_bytes = checked.bytes;
    stats.elapsed = t0.elapsed();
    tracing::info!(
        "quantized {} tensors, copied {}: {} -> {} bytes in {:?}",
        stats.quantized,
        stats.copied,
        stats.input_bytes,
        stats.output_bytes,
        stats.elapsed
    );
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::tests::{TINY_VOCAB, read_ggml_tensors, tiny_model_with};
    use crate::convert::{self, Ct2Model};
    use crate::model_store::{Q8_0_BLOCK, Q8_0_BLOCK_BYTES, TYPE_F32, check_ggml};
    use std::fs;

    /// A Whisper-shaped f16 ggml file, state 32 (so its matrices have rows
    /// of one q8_0 block), one layer each side.
    fn tiny_ggml(dir: &Path) -> PathBuf {
        let model = Ct2Model::read(&tiny_model_with(32)[..]).unwrap();
        let mut out = Vec::new();
        convert::convert(&model, TINY_VOCAB, &mut out).unwrap();
        let p = dir.join("ggml-base.bin");
        fs::write(&p, out).unwrap();
        p
    }

    fn f16s(b: &[u8]) -> Vec<f32> {
        b.chunks(2)
            .map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect()
    }

    /// q8_0 blocks -> values: f16 scale then 32 i8 per block.
    fn dequantize(b: &[u8]) -> Vec<f32> {
        b.chunks(Q8_0_BLOCK_BYTES as usize)
            .flat_map(|blk| {
                let d = f16::from_le_bytes([blk[0], blk[1]]).to_f32();
                blk[2..].iter().map(move |q| d * *q as i8 as f32)
            })
            .collect()
    }

    #[test]
    fn the_ggml_constants_are_ggmls() {
        assert_eq!(q8_block() as i64, Q8_0_BLOCK);
        assert_eq!(q8_row_bytes(64) as i64, 2 * Q8_0_BLOCK_BYTES);
        assert_eq!(TYPE_Q8_0 as u32, whisper_rs_sys::ggml_type_GGML_TYPE_Q8_0);
        assert_eq!(
            FTYPE_Q8_0 as u32,
            whisper_rs_sys::ggml_ftype_GGML_FTYPE_MOSTLY_Q8_0 as u32
                + whisper_rs_sys::GGML_QNT_VERSION * whisper_rs_sys::GGML_QNT_VERSION_FACTOR
        );
    }

    #[test]
    fn quantizes_the_matrices_and_copies_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let input = tiny_ggml(dir.path());
        let output = dir.path().join(OUT_FILE);
        let seen = std::cell::Cell::new((0u64, 0u64));
        let stats = quantize_file(&input, &output, &|d, t| seen.set((d, t))).unwrap();
        let (a, b) = (fs::read(&input).unwrap(), fs::read(&output).unwrap());
        assert_eq!(seen.get(), (a.len() as u64, a.len() as u64));
        assert_eq!(
            (stats.input_bytes, stats.output_bytes),
            (a.len() as u64, b.len() as u64)
        );
        assert!(b.len() < a.len());

        let info = check_ggml(&output).unwrap();
        assert_eq!(
            (info.ftype, info.precision(), info.tensors),
            (2007, "q8_0", 50)
        );
        assert_eq!(check_ggml(&input).unwrap().precision(), "f16");

        // header: only ftype differs; mel filters and vocabulary identical
        let at = GgmlReader::open(&input).unwrap().tensors_at as usize;
        assert_eq!(a[..44], b[..44]);
        assert_eq!(i32::from_le_bytes(b[44..48].try_into().unwrap()), 2007);
        assert_eq!(a[48..at], b[48..at]);

        let (ta, tb) = (read_ggml_tensors(&a), read_ggml_tensors(&b));
        assert_eq!(ta.len(), tb.len());
        let (mut quantized, mut copied, mut f32_2d, mut conv) = (0, 0, 0, 0);
        for (name, (dims, ttype, data)) in &ta {
            let (qdims, qtype, qdata) = &tb[name];
            assert_eq!(dims, qdims, "{name}");
            if dims.len() == 2 && *ttype == TYPE_F16 {
                quantized += 1;
                assert_eq!(*qtype, TYPE_Q8_0, "{name}");
                let n: i32 = dims.iter().product();
                assert_eq!(qdata.len(), n as usize / 32 * 34, "{name}");
                let (x, y) = (f16s(data), dequantize(qdata));
                assert_eq!(x.len(), y.len());
                for (bx, by) in x.chunks(32).zip(y.chunks(32)) {
                    let amax = bx.iter().fold(0f32, |m, v| m.max(v.abs()));
                    // half a step, plus the scale's own f16 rounding
                    let tol = amax / 127.0 * 0.6 + 1e-6;
                    for (u, v) in bx.iter().zip(by) {
                        assert!((u - v).abs() <= tol, "{name}: {u} -> {v} (tol {tol})");
                    }
                }
            } else {
                copied += 1;
                assert_eq!((ttype, data), (qtype, qdata), "{name} unchanged");
                f32_2d += usize::from(dims.len() == 2 && *ttype == TYPE_F32);
                conv += usize::from(dims.len() == 3);
            }
        }
        // encoder layer: 4 attention matrices and 2 MLP; decoder layer: 4
        // more for cross attention; the token embedding
        assert_eq!(quantized, 6 + 10 + 1);
        assert_eq!(
            (stats.quantized, stats.copied, stats.kept_f16),
            (quantized, copied, 0)
        );
        assert!(
            f32_2d >= 4,
            "positional embeddings and conv biases stay f32"
        );
        assert_eq!(conv, 2, "conv weights stay f16");
        // no temporary file left
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn damaged_or_wrong_inputs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = tiny_ggml(dir.path());
        let good = fs::read(&input).unwrap();
        let out = dir.path().join("out").join(OUT_FILE);
        let case = |what: &str, bytes: &[u8]| -> QuantizeError {
            let p = dir.path().join(format!("{what}.bin"));
            fs::write(&p, bytes).unwrap();
            let e = quantize_file(&p, &out, &|_, _| {}).unwrap_err();
            assert!(!out.exists(), "{what}: nothing written");
            e
        };
        let e = case("truncated", &good[..good.len() - 100]);
        assert!(e.to_string().contains("tronqué"), "{e}");
        let e = case("garbage", b"pas un modele");
        assert!(e.to_string().contains("corrompu"), "{e}");
        let e = case("empty", b"");
        assert!(matches!(e, QuantizeError::Input(_)), "{e}");

        let q = dir.path().join("q.bin");
        quantize_file(&input, &q, &|_, _| {}).unwrap();
        let e = quantize_file(&q, &out, &|_, _| {}).unwrap_err();
        assert!(matches!(e, QuantizeError::AlreadyQuantized { .. }), "{e}");
        assert!(e.to_string().contains("déjà quantifié"), "{e}");

        let mut f32_file = good.clone();
        f32_file[44..48].copy_from_slice(&0i32.to_le_bytes());
        let e = case("f32", &f32_file);
        assert!(matches!(e, QuantizeError::NotF16 { ftype: 0, .. }), "{e}");

        let e = quantize_file(&input, &input, &|_, _| {}).unwrap_err();
        assert!(matches!(e, QuantizeError::SameFile(_)), "{e}");
        assert_eq!(fs::read(&input).unwrap(), good);
        assert!(!out.exists());
    }

    #[test]
    fn damaged_quantized_files_are_refused_by_the_checker() {
        let dir = tempfile::tempdir().unwrap();
        let input = tiny_ggml(dir.path());
        let q = dir.path().join("q.bin");
        quantize_file(&input, &q, &|_, _| {}).unwrap();
        let good = fs::read(&q).unwrap();
        let at = GgmlReader::open(&q).unwrap().tensors_at as usize;
        let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("cut", good[..good.len() - 17].to_vec(), "tronqué"),
            ("trailing", [good.clone(), vec![0; 34]].concat(), "invalide"),
        ];
        // a q8_0 tensor in a file that says f16
        let mut f16_header = good.clone();
        f16_header[44..48].copy_from_slice(&1i32.to_le_bytes());
        cases.push(("f16 header", f16_header, "q8_0"));
        // the first q8_0 tensor's rows made 33 wide: no whole block
        let t = read_ggml_tensors(&good);
        assert!(t.values().any(|(_, ty, _)| *ty == TYPE_Q8_0));
        let mut o = at;
        let i = |b: &[u8], o: usize| i32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        loop {
            let (nd, nl, ty) = (i(&good, o), i(&good, o + 4), i(&good, o + 8));
            let dims: Vec<i32> = (0..nd as usize).map(|k| i(&good, o + 12 + 4 * k)).collect();
            if ty == TYPE_Q8_0 {
                let mut bad = good.clone();
                bad[o + 12..o + 16].copy_from_slice(&33i32.to_le_bytes());
                cases.push(("odd rows", bad, "blocs q8_0"));
                break;
            }
            let len = model_store::tensor_data_bytes(ty, &dims).unwrap() as usize;
            o += 12 + 4 * nd as usize + nl as usize + len;
        }
        for (what, bytes, says) in cases {
            let p = dir.path().join(format!("{what}.bin"));
            fs::write(&p, &bytes).unwrap();
            let msg = check_ggml(&p).unwrap_err().to_string();
            assert!(
                msg.contains("corrompu") && msg.contains(says),
                "{what}: {msg}"
            );
        }
    }
}
