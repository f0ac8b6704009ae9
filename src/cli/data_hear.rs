//! `speechtimer data hear`: generated sentences spoken by espeak-ng (MBROLA
//! and espeak's own French voices, several speeds and pitches), transcribed
//! with the app's decoding, and their labels projected onto what Whisper
//! wrote (`corpus::project`): the tagger's training data as Whisper
//! writes it. Never fed `dev.jsonl`: the sentences come from the generator.

use super::asr::DecodeArgs;
use super::progress;
use anyhow::{Context, Result, bail};
use rand::{Rng, SeedableRng, rngs::StdRng};
use speechtimer_audio::wav;
use speechtimer_corpus::generate::{Style, generate_styled};
use speechtimer_corpus::{Example, Unprojected, project};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;

#[derive(Debug, clap::Args)]
pub(crate) struct HearArgs {
    /// Nombre de phrases dites (toutes ne sont pas gardées).
    #[arg(long, default_value_t = 2000)]
    pub n: usize,
    /// Graine des phrases, des voix, vitesses et hauteurs.
    #[arg(long, default_value_t = 11)]
    pub seed: u64,
    /// Fichier de sortie (JSONL, écrit au fil de l'eau).
    #[arg(long)]
    pub out: PathBuf,
    /// Garde aussi chaque extrait et son manifeste (`eval --audio`) dans ce dossier.
    #[arg(long, value_name = "DOSSIER")]
    pub keep_audio: Option<PathBuf>,
    /// Voix espeak-ng, séparées par des virgules.
    #[arg(long, default_value = "mb-fr1,mb-fr4,fr")]
    pub voices: String,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

/// One spoken sentence, ready for Whisper.
struct Spoken {
    gold: Example,
    samples: Vec<f32>,
    voice: String,
}

/// Speaks `text` with espeak-ng into 16 kHz mono, with the silence around
/// it that a recording has (0.3 s before, 0.6 s after) and 4 dB less gain.
fn speak(voice: &str, speed: u32, pitch: u32, text: &str, tmp: &Path) -> Result<Vec<f32>> {
    let status = Command::new("espeak-ng")
        .args([
            "-v",
            voice,
            "-s",
            &speed.to_string(),
            "-p",
            &pitch.to_string(),
        ])
        .arg("-w")
        .arg(tmp)
        .arg(text)
        .stderr(std::process::Stdio::null())
        .status()
        .context("espeak-ng introuvable (apt-get install espeak-ng, voir docs/asr.md)")?;
    if !status.success() {
        bail!("espeak-ng -v {voice} a échoué ({status}) : voix installée ? (docs/asr.md)");
    }
    let speech = wav::read_16k_mono(tmp)?;
    let gain = 10f32.powf(-4.0 / 20.0);
    let mut out = vec![0.0; 4800];
    out.extend(speech.iter().map(|s| s * gain));
    out.extend(std::iter::repeat_n(0.0, 9600));
    Ok(out)
}

pub(crate) fn run(args: HearArgs) -> Result<()> {
    let voices: Vec<String> = args
        .voices
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if voices.is_empty() {
        bail!("--voices : aucune voix");
    }
    let dir = tempfile::tempdir()?;
    // every voice is tried once before the long run
    for v in &voices {
        speak(v, 150, 50, "Dix séries.", &dir.path().join("probe.wav"))?;
    }
    let asr = args.decode.load()?;
    let sentences = generate_styled(args.n, args.seed, Style::Clean, |_| {});
    let (tx, rx) = mpsc::sync_channel::<Result<Spoken>>(4);
    let seed = args.seed;
    let tmp = dir.path().join("clip.wav");
    // espeak-ng speaks the next sentences while Whisper hears this one
    let speaker = std::thread::spawn(move || {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        for (i, gold) in sentences.into_iter().enumerate() {
            let voice = &voices[i % voices.len()];
            let speed = rng.random_range(125..=185);
            let pitch = rng.random_range(30..=70);
            let spoken = speak(voice, speed, pitch, &gold.text, &tmp).map(|samples| Spoken {
                gold,
                samples,
                voice: voice.clone(),
            });
            if tx.send(spoken).is_err() {
                break;
            }
        }
    });
    let file = File::create(&args.out)
        .with_context(|| format!("impossible d'écrire {}", args.out.display()))?;
    let mut out = BufWriter::new(file);
    let mut manifest = match &args.keep_audio {
        Some(d) => {
            std::fs::create_dir_all(d)
                .with_context(|| format!("impossible de créer {}", d.display()))?;
            Some(BufWriter::new(File::create(d.join("manifest.jsonl"))?))
        }
        None => None,
    };
    let bar = progress::items(args.n as u64, "transcription");
    let mut kept = 0usize;
    let mut dropped: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut unchanged = 0usize;
    for (i, spoken) in rx.into_iter().enumerate() {
        let spoken = spoken?;
        bar.set_position(i as u64 + 1);
        if let (Some(d), Some(m)) = (&args.keep_audio, &mut manifest) {
            let file = format!("heard{i:05}-{}.wav", spoken.voice);
            wav::write_mono_i16(&d.join(&file), &spoken.samples, 16_000)?;
            let line = serde_json::json!({
                "file": file,
                "text": spoken.gold.text,
                "plan": spoken.gold.plan,
                "voice": spoken.voice,
            });
            writeln!(m, "{line}")?;
            m.flush()?;
        }
        let t = asr.transcribe(&spoken.samples)?;
        if t.no_speech {
            *dropped.entry("rien entendu").or_default() += 1;
            continue;
        }
        match project(&spoken.gold, &t.text) {
            Ok(ex) => {
                kept += 1;
                unchanged += usize::from(ex.text == spoken.gold.text);
                writeln!(out, "{}", ex.to_json_line())?;
                out.flush()?;
            }
            Err(e) => {
                tracing::debug!("« {} » -> « {} » : {e}", spoken.gold.text, t.text);
                let why = match e {
                    Unprojected::Lost(_) => "nombre perdu",
                    Unprojected::Changed { .. } => "nombre mal entendu",
                    Unprojected::Unit(_) => "unité changée",
                    Unprojected::Plan => "plan différent",
                };
                *dropped.entry(why).or_default() += 1;
            }
        }
    }
    bar.finish_and_clear();
    if speaker.join().is_err() {
        bail!("la synthèse s'est arrêtée");
    }
    println!(
        "{kept} exemples sur {} écrits dans {} ({unchanged} transcrits mot pour mot)",
        args.n,
        args.out.display()
    );
    for (why, n) in &dropped {
        println!("  écartés, {why} : {n}");
    }
    Ok(())
}
