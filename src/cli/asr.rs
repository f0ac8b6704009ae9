//! `speechtimer transcribe`, `listen` and `devices`.

use super::model::ModelArgs;
use anyhow::Context;
use clap::Args;
use speechtimer_asr::{AudioCtx, DecodeOptions, LmChoice, Transcriber};
use speechtimer_audio::blocks::Level;
use speechtimer_audio::vad::EndpointConfig;
use speechtimer_audio::wav;
use speechtimer_devices::capture::{self, Capture};
use speechtimer_voice::HeardReport;
use speechtimer_voice::endpoint::{Event, listen_and_hear};
use speechtimer_voice::worker::EARLY_MS;
use speechtimer_voice::{Expect, Understanding, hear};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Whisper decoding settings.
#[derive(Debug, Clone, Args)]
pub(crate) struct DecodeArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Largeur du faisceau (1 = glouton).
    #[arg(long, default_value_t = 5)]
    pub beam: u32,
    /// Contexte audio de l'encodeur en trames de 20 ms (1500 = 30 s ;
    /// « auto » = la durée de l'extrait plus 128 trames).
    #[arg(long, default_value_t = DecodeOptions::default().audio_ctx)]
    pub audio_ctx: AudioCtx,
    /// Amorce donnée au décodeur (défaut : des mots de comptage).
    #[arg(long, conflicts_with = "no_prompt")]
    pub prompt: Option<String>,
    /// Aucune amorce.
    #[arg(long)]
    pub no_prompt: bool,
    /// Nombre maximal de jetons produits.
    #[arg(long, default_value_t = 48)]
    pub max_tokens: u32,
    /// Fils de calcul (défaut : tous les cœurs, un de moins par cœur que
    /// d'autres programmes occupent).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Modèle de langue du domaine (défaut : celui intégré).
    #[arg(long, value_name = "FICHIER", conflicts_with = "no_lm")]
    pub lm: Option<PathBuf>,
    /// Whisper seul, sans modèle de langue.
    #[arg(long)]
    pub no_lm: bool,
    /// Poids du modèle de langue ajouté aux logits de Whisper.
    #[arg(long, default_value_t = speechtimer_asr::transcriber::DEFAULT_LM_WEIGHT)]
    pub lm_weight: f32,
    /// Redécode en échantillonnant quand Whisper est peu sûr (repli en
    /// température de whisper.cpp ; désactivé par défaut).
    #[arg(long)]
    pub fallback: bool,
    /// Tient le décodeur à la grammaire des commandes (sinon elle ne fait
    /// que mesurer ce que la phrase lui coûte).
    #[arg(long)]
    pub grammar: bool,
    /// Pénalité (logit) d'un jeton de mot hors grammaire.
    #[arg(long, default_value_t = speechtimer_asr::transcriber::DEFAULT_GRAMMAR_PENALTY)]
    pub grammar_penalty: f32,
    /// Ne réécoute pas le nombre de séries avec le décodeur de Whisper.
    #[arg(long)]
    pub no_rescore: bool,
    /// Ne réécoute pas les autres nombres (durées, blocs, répétitions).
    #[arg(long)]
    pub no_rehear: bool,
    /// Garde un seul état du décodeur d'un extrait à l'autre (au lieu
    /// d'un nouveau pour chacun).
    #[arg(long)]
    pub keep_state: bool,
    /// Attention « flash » de whisper.cpp.
    #[arg(long)]
    pub flash_attn: bool,
}

impl DecodeArgs {
    pub(crate) fn options(&self) -> DecodeOptions {
        let d = DecodeOptions::default();
        DecodeOptions {
            beam_size: self.beam,
            audio_ctx: self.audio_ctx,
            prompt: if self.no_prompt {
                None
            } else {
                self.prompt.clone().or(d.prompt.clone())
            },
            max_tokens: self.max_tokens,
            threads: self.threads.unwrap_or(d.threads),
            adapt_threads: self.threads.is_none(),
            lm: match (&self.lm, self.no_lm) {
                (_, true) => LmChoice::Off,
                (Some(f), _) => LmChoice::File(f.clone()),
                (None, false) => LmChoice::Embedded,
            },
            lm_weight: self.lm_weight,
            fallback: self.fallback,
            grammar: self.grammar,
            watch_grammar: d.watch_grammar,
            grammar_penalty: self.grammar_penalty,
            rescore_count: !self.no_rescore,
            rescore_numbers: !self.no_rehear,
            keep_state: self.keep_state,
            flash_attn: self.flash_attn,
        }
    }

    /// Loads Whisper; a language model that cannot be read is said once
    /// on stderr, and decoding goes on without it.
    pub(crate) fn load(&self) -> anyhow::Result<Transcriber> {
        let path = self.model.locate()?;
        let t = Transcriber::load(&path, self.options())?;
        if let Some(problem) = t.lm_problem() {
            eprintln!("{problem}");
        }
        Ok(t)
    }
}

#[derive(Debug, Args)]
pub(crate) struct TranscribeCmd {
    /// Fichiers WAV (toute fréquence, mono ou stéréo).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Une ligne JSON par fichier : {"file","time_s","text","no_speech","audio_s",
    /// "asr_confidence","cut"}, plus les champs de `parse --json` (comme /transcribe).
    #[arg(long)]
    pub json: bool,
    /// Ce qui est attendu : plan (défaut), reply (« oui », « non »… après
    /// une relecture) ou command (« pause », « suivant »… pendant la séance).
    #[arg(long, default_value = "plan", value_parser = expect_parser())]
    pub expect: Expect,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

/// `--expect`: plan, reply or command.
fn expect_parser() -> impl clap::builder::TypedValueParser<Value = Expect> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["plan", "reply", "command"]).map(|s| {
        match s.as_str() {
            "reply" => Expect::Reply,
            "command" => Expect::Command,
            _ => Expect::Plan,
        }
    })
}

/// The NER model (`--ner-model`, else the embedded one); transcripts are
/// printed without a plan when it cannot be loaded.
fn load_nlu(ner_model: Option<&Path>) -> Option<speechtimer_nlu::Nlu> {
    speechtimer_nlu::Nlu::load(ner_model)
        .map_err(|e| eprintln!("compréhension indisponible : {e}"))
        .ok()
}

/// One line of `transcribe --json`: the file, the decoding time, and the
/// report `/transcribe` serves too.
#[derive(serde::Serialize)]
struct JsonLine<'a> {
    file: &'a str,
    time_s: f64,
    #[serde(flatten)]
    heard: HeardReport,
}

pub(crate) fn transcribe(cmd: TranscribeCmd, ner_model: Option<&Path>) -> anyhow::Result<()> {
    let asr = cmd.decode.load()?;
    let nlu = load_nlu(ner_model);
    let mut failures = 0;
    let stdout = std::io::stdout();
    for file in &cmd.files {
        let name = file.display().to_string();
        let result = wav::read_16k_mono(file)
            .map_err(anyhow::Error::from)
            .and_then(|s| {
                hear(&asr, nlu.as_ref(), &s, None, cmd.expect).map_err(anyhow::Error::msg)
            });
        let mut out = stdout.lock();
        match result {
            Ok(heard) => {
                let Understanding {
                    transcript: t,
                    parsed,
                    ..
                } = &heard;
                if t.cut {
                    eprintln!(
                        "{name} : clip de {:.1} s, seules les 30 premières secondes sont transcrites",
                        t.audio_s
                    );
                }
                if cmd.json {
                    let line = JsonLine {
                        file: &name,
                        time_s: (t.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
                        heard: heard.report(),
                    };
                    writeln!(out, "{}", serde_json::to_string(&line)?)?;
                } else {
                    let text = match parsed {
                        _ if t.no_speech => "(aucune parole)",
                        Some(p) => p.text.as_str(),
                        None => t.text.as_str(),
                    };
                    writeln!(
                        out,
                        "{name}\t{text}\t[{:.2} s pour {:.1} s d'audio, confiance {:.2}]",
                        t.elapsed.as_secs_f32(),
                        t.audio_s,
                        t.confidence
                    )?;
                    if let Some(p) = parsed {
                        write!(out, "{}", super::ner::describe(p))?;
                    }
                }
            }
            Err(e) => {
                failures += 1;
                eprintln!("{name} : {e:#}");
            }
        }
    }
    if failures > 0 {
        anyhow::bail!("{failures} fichier(s) non transcrit(s)");
    }
    Ok(())
}

#[derive(Debug, Args)]
pub(crate) struct ListenCmd {
    /// Micro à utiliser (nom ou partie du nom, voir `speechtimer devices`).
    #[arg(long)]
    pub device: Option<String>,
    /// Appuyer sur Entrée pour commencer puis pour arrêter, au lieu de la
    /// détection de fin de parole.
    #[arg(long)]
    pub push_to_talk: bool,
    /// Silence qui termine la phrase, en millisecondes.
    #[arg(long, default_value_t = 800)]
    pub hangover_ms: u32,
    /// Enregistre aussi ce qui a été capté (WAV 16 kHz mono).
    #[arg(long, value_name = "FICHIER")]
    pub save: Option<PathBuf>,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

/// The level meter of `listen` on stderr: redrawn in place on a terminal;
/// in a log or a pipe, one line when speech starts and one when it stops
/// (not thousands of `\r` frames).
struct Meter {
    terminal: bool,
    speaking: Option<bool>,
}

impl Meter {
    fn new() -> Self {
        Self {
            terminal: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            speaking: None,
        }
    }

    fn show(&mut self, level: Level) {
        let what = if level.speaking {
            "● parole"
        } else {
            "○ écoute"
        };
        if self.terminal {
            let bars = ((level.db + 60.0) / 3.0).clamp(0.0, 20.0) as usize;
            eprint!("\r{what} [{:<20}] {:>4.0} dB", "#".repeat(bars), level.db);
        } else if self.speaking != Some(level.speaking) {
            self.speaking = Some(level.speaking);
            eprintln!("{what}");
        }
    }

    /// Ends the line drawn in place.
    fn done(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

/// One utterance from the microphone, ended as the window ends it (the
/// voice path's endpointing, early runs included), then what it means.
pub(crate) fn listen(cmd: ListenCmd, ner_model: Option<&Path>) -> anyhow::Result<()> {
    // load first: a missing model is reported before the mic opens
    let asr = cmd.decode.load()?;
    let nlu = load_nlu(ner_model);
    let mic = Capture::open(cmd.device.as_deref())?;
    eprintln!("Micro : {}", mic.name());
    let mut meter = Meter::new();
    let stop = Arc::new(AtomicBool::new(false));
    let mut cfg = EndpointConfig {
        hangover_ms: cmd.hangover_ms,
        ..EndpointConfig::default()
    };
    let (early_ms, wait) = if cmd.push_to_talk {
        eprintln!("Entrée pour commencer…");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        let flag = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        eprintln!("Parlez, puis Entrée pour arrêter.");
        // only Enter (or the length cap) ends the recording
        cfg.hangover_ms = cfg.max_ms;
        (0, Duration::from_secs(15))
    } else {
        eprintln!("Parlez (fin détectée après un silence)…");
        (EARLY_MS, Duration::from_secs(10))
    };
    let listened = listen_and_hear(
        Box::new(mic),
        &cfg,
        early_ms,
        wait,
        &stop,
        &asr,
        nlu.as_ref(),
        Expect::Plan,
        &mut |event| {
            if let Event::Level { level, .. } = event {
                meter.show(level);
            }
        },
    )
    .map_err(anyhow::Error::msg)?;
    meter.done();
    if let Some(path) = &cmd.save {
        wav::write_mono_i16(path, &listened.samples, wav::WRITE_RATE)
            .with_context(|| format!("enregistrement de {}", path.display()))?;
    }
    let Some(Understanding {
        transcript: t,
        parsed,
        ..
    }) = listened.understanding
    else {
        println!("(aucune parole entendue)");
        return Ok(());
    };
    if t.no_speech {
        println!("(aucune parole reconnue)");
    } else {
        println!(
            "{}",
            parsed.as_ref().map_or(t.text.as_str(), |p| p.text.as_str())
        );
        if let Some(p) = &parsed {
            print!("{}", super::ner::describe(p));
        }
    }
    eprintln!(
        "[{:.2} s pour {:.1} s d'audio, confiance {:.2}]",
        t.elapsed.as_secs_f32(),
        t.audio_s,
        t.confidence
    );
    Ok(())
}

pub(crate) fn devices() -> anyhow::Result<()> {
    let list = capture::list_devices()?;
    if list.is_empty() {
        println!("Aucun micro détecté.");
    }
    for d in list {
        println!(
            "{} {}{}",
            if d.is_default { "*" } else { " " },
            d.name,
            d.config.map(|c| format!("  ({c})")).unwrap_or_default()
        );
    }
    Ok(())
}
