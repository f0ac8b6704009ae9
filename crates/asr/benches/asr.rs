//! Whisper speed on the audio fixtures: model load time, then time per
//! clip and real-time factor for audio_ctx 1500 / 768 / 512 / 384 (the
//! default) / auto (beam 5 with the count prompt, the default), plus
//! greedy at 768 for reference;
//! then the f16 model against its q8_0 copy, clip by clip in turn (so the
//! machine's drift falls on both), with the encoder's share.
//!
//! `cargo bench --bench asr` (needs the model: `speechtimer model fetch`).
//! `ASR_BENCH_CLIPS=N` limits the number of clips.

use speechtimer_asr::{AudioCtx, DecodeOptions, Transcriber, model_store};
use speechtimer_audio::wav;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let path = match model_store::locate(None) {
        Ok((p, _)) => p,
        Err(e) => {
            eprintln!("asr bench skipped: {e}");
            return;
        }
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/audio");
    // `cargo test --all-targets` runs this binary without `--bench`: then a
    // smoke run (one clip, one setting) shows it works without the long bench.
    let full = std::env::args().any(|a| a == "--bench");
    let limit: usize = if full {
        std::env::var("ASR_BENCH_CLIPS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(usize::MAX)
    } else {
        1
    };
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).expect("manifest");
    let clips: Vec<(String, Vec<f32>)> = manifest
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("kind").is_none())
        .take(limit)
        .map(|v| {
            let f = v["file"].as_str().unwrap_or_default().to_string();
            let s = wav::read_16k_mono(&dir.join(&f)).expect("fixture");
            (f, s)
        })
        .collect();
    let audio_s: f64 = clips.iter().map(|(_, s)| s.len() as f64 / 16_000.0).sum();

    let loads: Vec<Duration> = (0..3)
        .map(|_| {
            Transcriber::load(&path, DecodeOptions::default())
                .expect("model loads")
                .load_time
        })
        .collect();
    let load_mean = loads.iter().sum::<Duration>() / loads.len() as u32;
    println!(
        "model load: mean {:.3} s over 3 ({})",
        load_mean.as_secs_f64(),
        path.display()
    );

    let mut asr = Transcriber::load(&path, DecodeOptions::default()).expect("model loads");
    let configs = [
        ("beam 5, audio_ctx 1500", 5, AudioCtx::Full),
        ("beam 5, audio_ctx 768", 5, AudioCtx::AtLeast(768)),
        ("beam 5, audio_ctx 512", 5, AudioCtx::AtLeast(512)),
        ("beam 5, audio_ctx 384", 5, AudioCtx::AtLeast(384)),
        ("beam 5, audio_ctx auto", 5, AudioCtx::Clip),
        ("greedy, audio_ctx 768", 1, AudioCtx::AtLeast(768)),
    ];
    println!(
        "{} clips, {:.1} s of audio, {} threads",
        clips.len(),
        audio_s,
        DecodeOptions::default().threads
    );
    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>8}",
        "setting", "mean s", "median s", "max s", "RTF"
    );
    let configs = if full { &configs[..] } else { &configs[1..2] };
    for &(label, beam, ctx) in configs {
        asr.set_options(DecodeOptions {
            beam_size: beam,
            audio_ctx: ctx,
            ..DecodeOptions::default()
        });
        // warm-up
        let _ = asr.transcribe(&clips[0].1);
        let mut times: Vec<f64> = Vec::new();
        let t0 = Instant::now();
        for (_, s) in &clips {
            let t = asr.transcribe(s).expect("transcribes");
            times.push(t.elapsed.as_secs_f64());
        }
        let total = t0.elapsed().as_secs_f64();
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{:<24} {:>10.3} {:>10.3} {:>10.3} {:>8.3}",
            label,
            total / clips.len() as f64,
            times[times.len() / 2],
            times[times.len() - 1],
            total / audio_s
        );
    }
    drop(asr);
    compare_precisions(&path, &clips);
}

/// f16 against q8_0 (default decoding), one clip each in turn.
fn compare_precisions(found: &std::path::Path, clips: &[(String, Vec<f32>)]) {
    let f16 = found.with_file_name(model_store::MODEL_FILE);
    let q8 = found.with_file_name(speechtimer_asr::quantize::OUT_FILE);
    if !(f16.is_file() && q8.is_file()) {
        println!(
            "f16 / q8_0: one of the two is missing beside {}",
            found.display()
        );
        return;
    }
    let models: Vec<(&str, Transcriber)> = [("f16", &f16), ("q8_0", &q8)]
        .into_iter()
        .map(|(l, p)| {
            (
                l,
                Transcriber::load(p, DecodeOptions::default()).expect("loads"),
            )
        })
        .collect();
    let mut times = vec![Vec::new(); models.len()];
    let mut encoder = vec![Duration::ZERO; models.len()];
    for (_, s) in clips {
        for (i, (_, asr)) in models.iter().enumerate() {
            let t = asr.transcribe(s).expect("transcribes");
            times[i].push(t.elapsed.as_secs_f64());
            encoder[i] += t.encoded.unwrap_or_default();
        }
    }
    println!(
        "{:<24} {:>10} {:>10} {:>12}",
        "model (defaults)", "mean s", "median s", "encoder s"
    );
    for (i, (label, _)) in models.iter().enumerate() {
        let t = &mut times[i];
        t.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{:<24} {:>10.3} {:>10.3} {:>12.3}",
            label,
            t.iter().sum::<f64>() / t.len() as f64,
            t[t.len() / 2],
            encoder[i].as_secs_f64() / t.len() as f64
        );
    }
}
