//! `speechtimer data hear`: generated sentences spoken by espeak-ng (MBROLA
//! and espeak's own French voices, several speeds and pitches), transcribed
//! with the app's decoding, and their labels projected onto what Whisper
//! wrote (`corpus::project`): the tagger's training data as Whisper
//! writes it. Never fed `dev.jsonl`: the sentences come from the generator.
//! `--augment` puts a share of the clips through a drawn condition (tempo,
//! pitch shift, reverb, pink or babble noise, a microphone's round trip).

use super::asr::DecodeArgs;
use super::progress;
use anyhow::{Context, Result, bail};
use rand::{Rng, SeedableRng, rngs::StdRng};
use speechtimer_audio::{mix, resample, wav};
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
    /// Voix espeak-ng, séparées par des virgules (`fr+f3` : une variante).
    #[arg(long, default_value = "mb-fr1,mb-fr4,fr")]
    pub voices: String,
    /// Part des extraits passés par une condition tirée au sort (tempo,
    /// hauteur, réverbération, bruit rose ou brouhaha de 5 à 20 dB, aller-retour
    /// par un micro à 44,1 ou 48 kHz) ; 0 : aucun. Au-dessus de 0, les voix
    /// parlent aussi plus ou moins vite (120-190 mots/min, hauteur 25-75).
    #[arg(long, default_value_t = 0.0)]
    pub augment: f64,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

/// One spoken sentence, ready for Whisper.
struct Spoken {
    gold: Example,
    samples: Vec<f32>,
    voice: String,
    condition: Condition,
}

/// What a clip goes through after espeak-ng: sox effects on the speech,
/// then noise over the whole clip, then a capture device's round trip.
#[derive(Debug, Default, Clone, PartialEq)]
struct Condition {
    /// sox `tempo`: faster or slower, same pitch
    tempo: Option<f32>,
    /// sox `pitch`, in cents: the voice higher or lower, formants included
    shift: Option<i32>,
    /// sox `reverb`, its reverberance (%)
    reverb: Option<u32>,
    /// pink noise (`false`) or babble (`true`), and the SNR in dB
    noise: Option<(bool, f32)>,
    /// a device's sample rate the clip goes to and back from
    capture: Option<u32>,
}

impl Condition {
    /// Each part drawn on its own; `None` parts leave the clip alone.
    fn draw(rng: &mut impl Rng) -> Self {
        Condition {
            tempo: rng.random_bool(0.4).then(|| rng.random_range(0.85..1.15)),
            shift: rng.random_bool(0.3).then(|| rng.random_range(-300..=300)),
            reverb: rng.random_bool(0.3).then(|| rng.random_range(20..=60)),
            noise: rng
                .random_bool(0.6)
                .then(|| (rng.random_bool(0.4), rng.random_range(5.0..20.0))),
            capture: rng
                .random_bool(0.5)
                .then(|| if rng.random_bool(0.5) { 44_100 } else { 48_000 }),
        }
    }

    /// sox's effect arguments (empty: no sox).
    fn effects(&self) -> Vec<String> {
        let mut e = Vec::new();
        if let Some(t) = self.tempo {
            e.extend(["tempo".into(), format!("{t:.3}")]);
        }
        if let Some(c) = self.shift {
            e.extend(["pitch".into(), c.to_string()]);
        }
        if let Some(r) = self.reverb {
            e.extend(["reverb".into(), r.to_string()]);
        }
        e
    }

    /// Short words for the manifest and the logs (« clean » for none).
    fn describe(&self) -> String {
        let mut parts = self.effects();
        if let Some((babble, snr)) = self.noise {
            let kind = if babble { "babble" } else { "pink" };
            parts.push(format!("{kind} {snr:.0}dB"));
        }
        if let Some(r) = self.capture {
            parts.push(format!("capture {r}"));
        }
        if parts.is_empty() {
            "clean".into()
        } else {
            parts.join(" ")
        }
    }
}

/// Puts a padded clip through `cond`'s noise and capture; `voices` are the
/// babble's other speakers.
fn degrade(
    clip: Vec<f32>,
    cond: &Condition,
    voices: &[Vec<f32>],
    rng: &mut impl Rng,
) -> Result<Vec<f32>> {
    let noisy = match cond.noise {
        Some((true, snr)) if !voices.is_empty() => {
            let others: Vec<&[f32]> = voices.iter().map(Vec::as_slice).collect();
            mix::add_at_snr(&clip, &mix::babble(&others, clip.len(), rng), snr)
        }
        Some((_, snr)) => mix::add_at_snr(&clip, &mix::pink(clip.len(), rng), snr),
        None => clip,
    };
    Ok(match cond.capture {
        Some(rate) => resample::through_capture(&noisy, rate)?,
        None => noisy,
    })
}

/// Speaks `text` with espeak-ng into 16 kHz mono, through sox's `effects`
/// when there are any, with the silence around it that a recording has
/// (0.3 s before, 0.6 s after) and 4 dB less gain.
fn speak(
    voice: &str,
    speed: u32,
    pitch: u32,
    text: &str,
    effects: &[String],
    tmp: &Path,
) -> Result<Vec<f32>> {
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
    if !effects.is_empty() {
        let shaped = tmp.with_extension("sox.wav");
        let status = Command::new("sox")
            .arg(tmp)
            .arg(&shaped)
            .args(effects)
            .stderr(std::process::Stdio::null())
            .status()
            .context("sox introuvable (apt-get install sox, voir docs/asr.md)")?;
        if !status.success() {
            bail!("sox {} a échoué ({status})", effects.join(" "));
        }
        std::fs::rename(&shaped, tmp)?;
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
        speak(
            v,
            150,
            50,
            "Dix séries.",
            &[],
            &dir.path().join("probe.wav"),
        )?;
    }
    if !(0.0..=1.0).contains(&args.augment) {
        bail!("--augment : une part entre 0 et 1");
    }
    if args.augment > 0.0 {
        // sox is tried once too, with every effect a condition can draw
        let probe = Condition {
            tempo: Some(1.1),
            shift: Some(100),
            reverb: Some(30),
            ..Condition::default()
        };
        let tmp = dir.path().join("probe.wav");
        speak(&voices[0], 150, 50, "Dix séries.", &probe.effects(), &tmp)?;
    }
    let augment = args.augment;
    let asr = args.decode.load()?;
    let sentences = generate_styled(args.n, args.seed, Style::Clean, |_| {});
    let (tx, rx) = mpsc::sync_channel::<Result<Spoken>>(4);
    let seed = args.seed;
    let tmp = dir.path().join("clip.wav");
    // espeak-ng speaks the next sentences while Whisper hears this one
    let speaker = std::thread::spawn(move || {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        // the babble's speakers: the last clean sentences spoken
        let mut recent: Vec<Vec<f32>> = Vec::new();
        for (i, gold) in sentences.into_iter().enumerate() {
            let voice = &voices[i % voices.len()];
            // augmenting also widens the voices' speeds and pitches; without
            // it the draws are the shipped tagger's recipe's, seed for seed
            let (speed, pitch, condition) = if augment > 0.0 {
                let speed = rng.random_range(120..=190);
                let pitch = rng.random_range(25..=75);
                let condition = if rng.random_bool(augment) {
                    Condition::draw(&mut rng)
                } else {
                    Condition::default()
                };
                (speed, pitch, condition)
            } else {
                let speed = rng.random_range(125..=185);
                (speed, rng.random_range(30..=70), Condition::default())
            };
            let spoken = speak(voice, speed, pitch, &gold.text, &condition.effects(), &tmp)
                .and_then(|clip| {
                    let out = degrade(clip.clone(), &condition, &recent, &mut rng)?;
                    if condition.effects().is_empty() {
                        recent.push(clip);
                        if recent.len() > 3 {
                            recent.remove(0);
                        }
                    }
                    Ok(out)
                })
                .map(|samples| Spoken {
                    gold,
                    samples,
                    voice: voice.clone(),
                    condition,
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
    // per voice and per clean/degraded: (kept, spoken)
    let mut tally: BTreeMap<(String, bool), (usize, usize)> = BTreeMap::new();
    for (i, spoken) in rx.into_iter().enumerate() {
        let spoken = spoken?;
        bar.set_position(i as u64 + 1);
        let entry = tally
            .entry((
                spoken.voice.clone(),
                spoken.condition != Condition::default(),
            ))
            .or_default();
        entry.1 += 1;
        if let (Some(d), Some(m)) = (&args.keep_audio, &mut manifest) {
            let file = format!("heard{i:05}-{}.wav", spoken.voice);
            wav::write_mono_i16(&d.join(&file), &spoken.samples, 16_000)?;
            let line = serde_json::json!({
                "file": file,
                "text": spoken.gold.text,
                "plan": spoken.gold.plan,
                "voice": spoken.voice,
                "condition": spoken.condition.describe(),
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
                entry.0 += 1;
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
    for ((voice, degraded), (k, n)) in &tally {
        let how = if *degraded { "dégradés" } else { "propres" };
        println!("  {voice}, {how} : {k} gardés sur {n}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_condition_says_what_it_does() {
        assert_eq!(Condition::default().describe(), "clean");
        assert!(Condition::default().effects().is_empty());
        let c = Condition {
            tempo: Some(0.9),
            shift: Some(-120),
            reverb: None,
            noise: Some((true, 7.4)),
            capture: Some(48_000),
        };
        assert_eq!(c.effects(), ["tempo", "0.900", "pitch", "-120"]);
        assert_eq!(
            c.describe(),
            "tempo 0.900 pitch -120 babble 7dB capture 48000"
        );
    }

    #[test]
    fn drawn_conditions_cover_every_part_within_their_ranges() {
        let mut rng = StdRng::seed_from_u64(7);
        let drawn: Vec<Condition> = (0..400).map(|_| Condition::draw(&mut rng)).collect();
        assert!(drawn.iter().any(|c| *c == Condition::default()));
        assert!(
            drawn
                .iter()
                .filter_map(|c| c.tempo)
                .all(|t| (0.85..1.15).contains(&t))
        );
        assert!(drawn.iter().filter_map(|c| c.shift).all(|s| s.abs() <= 300));
        assert!(
            drawn
                .iter()
                .filter_map(|c| c.noise)
                .all(|(_, snr)| (5.0..20.0).contains(&snr))
        );
        assert!(drawn.iter().any(|c| matches!(c.noise, Some((true, _)))));
        assert!(drawn.iter().any(|c| matches!(c.noise, Some((false, _)))));
        assert!(drawn.iter().any(|c| c.reverb.is_some()));
        assert!(drawn.iter().any(|c| c.capture == Some(44_100)));
        assert!(drawn.iter().any(|c| c.capture == Some(48_000)));
    }

    #[test]
    fn a_degraded_clip_keeps_its_length_and_silence_stays_silent() {
        let mut rng = StdRng::seed_from_u64(1);
        let clip: Vec<f32> = (0..16_000).map(|i| 0.2 * (i as f32 * 0.05).sin()).collect();
        let cond = Condition {
            noise: Some((false, 10.0)),
            capture: Some(44_100),
            ..Condition::default()
        };
        let out = degrade(clip.clone(), &cond, &[], &mut rng).unwrap();
        // the capture's round trip adds its resampler's tail, no more than 0.2 s
        assert!(
            out.len() >= clip.len() && out.len() <= clip.len() + 3_200,
            "{}",
            out.len()
        );
        assert_ne!(out[..clip.len()], clip[..]);
        let babble = Condition {
            noise: Some((true, 10.0)),
            ..Condition::default()
        };
        // babble with no other voice yet: pink noise instead, never silence
        let quiet = degrade(clip.clone(), &babble, &[], &mut rng).unwrap();
        assert_ne!(quiet, clip);
        assert_eq!(
            degrade(vec![0.0; 100], &babble, &[clip], &mut rng).unwrap(),
            vec![0.0; 100]
        );
    }
}
