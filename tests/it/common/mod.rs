//! Shared by the tests that need the Whisper model and the audio fixtures.
#![allow(dead_code)]

use speechtimer_asr::model_store;
use std::path::PathBuf;

pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio")
}

/// One line of `manifest.jsonl`.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct Clip {
    pub file: String,
    pub text: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub numbers: Vec<u32>,
    /// What the clip asks for (absent for silence, noise...).
    #[serde(default)]
    pub plan: Option<ClipPlan>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct ClipPlan {
    pub rounds: u32,
    pub work_s: u32,
    pub rest_s: u32,
}

pub(crate) fn manifest() -> Vec<Clip> {
    let text = std::fs::read_to_string(fixtures().join("manifest.jsonl")).expect("manifest");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("manifest line"))
        .collect()
}

/// Whether this runs in CI (`CI=true`), where a missing piece fails a
/// test instead of skipping it.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The model path, or `None` (outside CI) with a loud message. In CI a
/// missing model fails the test.
pub(crate) fn model_or_skip(test: &str) -> Option<PathBuf> {
    match model_store::locate(None) {
        Ok((path, _)) => Some(path),
        Err(e) => {
            if in_ci() {
                panic!("{test}: Whisper model required in CI: {e}");
            }
            eprintln!(
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !!! SKIPPED {test}: no Whisper model ({e})\n\
                 !!! run `cargo run -- model fetch` to enable this test\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
            None
        }
    }
}

const UNITS: [&str; 17] = [
    "zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize",
];
const TENS: [&str; 7] = [
    "",
    "dix",
    "vingt",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
];

/// French words for 0..=199, space separated ("quatre vingt dix").
pub(crate) fn french(n: u32) -> String {
    match n {
        0..=16 => UNITS[n as usize].to_string(),
        17..=19 => format!("dix {}", UNITS[n as usize - 10]),
        20..=69 => {
            let (t, u) = (n / 10, n % 10);
            match u {
                0 => TENS[t as usize].to_string(),
                1 => format!("{} et un", TENS[t as usize]),
                _ => format!("{} {}", TENS[t as usize], UNITS[u as usize]),
            }
        }
        70..=79 => {
            if n == 71 {
                "soixante et onze".into()
            } else {
                format!("soixante {}", french(n - 60))
            }
        }
        80 => "quatre vingts".into(),
        81..=99 => format!("quatre vingt {}", french(n - 80)),
        100 => "cent".into(),
        _ => format!("cent {}", french(n - 100)),
    }
}

/// Lowercase words, accents kept, hyphens and punctuation as spaces.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w == "zéro" {
                "zero".to_string()
            } else {
                w.to_string()
            }
        })
        .collect()
}

/// How many times `n` occurs in `text`, as digits or as words.
pub(crate) fn occurrences(text: &str, n: u32) -> usize {
    let w = words(text);
    let digits = n.to_string();
    let mut count = w.iter().filter(|t| **t == digits).count();
    let mut forms = vec![words(&french(n))];
    if n == 1 {
        forms.push(vec!["une".to_string()]);
    }
    if n == 80 {
        forms.push(vec!["quatre".into(), "vingt".into()]);
    }
    for form in forms {
        count += w
            .windows(form.len())
            .filter(|win| *win == &form[..])
            .count();
    }
    count
}

/// (numbers found, numbers spoken) for one clip.
pub(crate) fn numbers_found(text: &str, spoken: &[u32]) -> (usize, usize) {
    let mut distinct = spoken.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let found = distinct
        .iter()
        .map(|n| {
            let want = spoken.iter().filter(|m| *m == n).count();
            occurrences(text, *n).min(want)
        })
        .sum();
    (found, spoken.len())
}

/// Held by each test that runs Whisper: the tests of one binary run in
/// parallel, and two decoders on 2 cores make whisper.cpp's threads spin at
/// their barriers (ten times slower than one after the other).
pub(crate) fn one_whisper_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}
