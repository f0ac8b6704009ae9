//! `speechtimer eval`: scores predictions against gold examples.

use anyhow::{Result, bail};
use clap::Args;
use speechtimer_corpus::metrics::{self, Report, show_spans};
use speechtimer_corpus::read_jsonl_file;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// Exemples de référence (JSONL).
    #[arg(long, required_unless_present = "audio", conflicts_with = "audio")]
    pub data: Option<PathBuf>,
    /// Banc d'essai audio : manifeste JSONL (lignes {"file","text","plan"},
    /// fichiers relatifs au manifeste), chaque extrait passant par le même
    /// chemin que la fenêtre (Whisper, modèle de langue, compréhension).
    #[arg(long, value_name = "MANIFESTE.jsonl")]
    pub audio: Option<PathBuf>,
    /// Prédictions à noter (JSONL, même format, appariées par ligne ou par
    /// texte). Sans ce fichier, le modèle de compréhension prédit.
    #[arg(long)]
    pub pred: Option<PathBuf>,
    /// Rapport en JSON sur la sortie standard.
    #[arg(long)]
    pub json: bool,
    /// Nombre d'exemples fautifs à montrer.
    #[arg(long, default_value_t = 0)]
    pub errors: usize,
    /// Banc audio en temps réel : chaque extrait est joué au rythme d'un
    /// micro à travers le fil de la voix de la fenêtre (détection de fin,
    /// lancement anticipé, Whisper, compréhension) ; le temps rapporté va
    /// de la fin de la parole au plan montré.
    #[arg(long, requires = "audio")]
    pub realtime: bool,
    /// Pause (ms) après laquelle Whisper démarre pendant que le micro
    /// écoute encore (0 = seulement à la fin). Avec --realtime.
    #[arg(long, default_value_t = speechtimer_voice::worker::EARLY_MS, requires = "realtime")]
    pub early_ms: u32,
    /// Silence (ms) qui termine une commande. Avec --realtime.
    #[arg(long, requires = "realtime")]
    pub hangover_ms: Option<u32>,
    /// Fait passer chaque extrait par le chemin du micro : porté à cette
    /// fréquence (Hz, celle d'une carte son, 44100 ou 48000), puis ramené
    /// à 16 kHz par le rééchantillonneur de la capture.
    #[arg(
        long,
        value_name = "HZ",
        requires = "audio",
        conflicts_with = "realtime"
    )]
    pub capture: Option<u32>,
    /// Écrit le résultat de chaque extrait dans ce fichier (JSONL).
    #[arg(long, value_name = "FICHIER", requires = "audio")]
    pub clips: Option<PathBuf>,
    #[command(flatten)]
    pub decode: super::asr::DecodeArgs,
}

/// `ner_model`: the global `--ner-model` (with `--pred` there is no model
/// to choose).
pub(crate) fn run(args: EvalArgs, ner_model: Option<&Path>) -> Result<()> {
    if args.pred.is_some() && ner_model.is_some() {
        bail!("--ner-model et --pred s'excluent : les prédictions sont déjà faites");
    }
    if let Some(manifest) = &args.audio {
        let realtime = args.realtime.then_some(super::eval_audio::Realtime {
            early_ms: args.early_ms,
            hangover_ms: args.hangover_ms,
        });
        return super::eval_audio::run(
            manifest,
            ner_model,
            &args.decode,
            realtime,
            args.capture,
            super::eval_audio::Output {
                json: args.json,
                errors: args.errors,
                clips: args.clips.as_deref(),
            },
        );
    }
    let data = args
        .data
        .as_ref()
        .expect("clap requires --data without --audio");
    let gold = read_jsonl_file(data)?;
    if gold.is_empty() {
        bail!("{} : aucun exemple de référence", data.display());
    }
    let (pred, model) = match &args.pred {
        Some(path) => (read_jsonl_file(path)?, None),
        None => {
            let (pred, figures) = run_model(ner_model, &gold)?;
            (pred, Some(figures))
        }
    };
    let mut report = metrics::evaluate(&gold, &pred);
    if args.json {
        report.errors.truncate(args.errors);
        let mut v = serde_json::to_value(&report)?;
        if let Some(m) = &model {
            v["model"] = serde_json::to_value(m)?;
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        if let Some(m) = &model {
            println!(
                "modèle : {} ({}), {:.2} Mo, chargé en {:.1} ms, {:.3} ms/phrase (p50, p95 {:.3} ms, une phrase à la fois, {} threads)",
                m.arch, m.source, m.megabytes, m.load_ms, m.p50_ms, m.p95_ms, m.threads
            );
        }
        print_report(&report, args.errors);
    }
    Ok(())
}

/// Size and speed of the model that made the predictions.
#[derive(Debug, serde::Serialize)]
struct ModelFigures {
    arch: String,
    source: String,
    megabytes: f64,
    load_ms: f64,
    p50_ms: f64,
    p95_ms: f64,
    threads: usize,
}

/// Predicts every gold text one sentence at a time, as the app does, timing each.
fn run_model(
    dir: Option<&std::path::Path>,
    gold: &[speechtimer_corpus::Example],
) -> Result<(Vec<speechtimer_corpus::Example>, ModelFigures)> {
    use speechtimer_nlu::{ModelFiles, Nlu};
    let files = match dir {
        Some(d) => ModelFiles::read_dir(d)?,
        None => ModelFiles::embedded(),
    };
    let t0 = Instant::now();
    let nlu = Nlu::from_files(&files)?;
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    let bar = indicatif::ProgressBar::new(gold.len() as u64);
    let mut times = Vec::with_capacity(gold.len());
    let mut pred = Vec::with_capacity(gold.len());
    for ex in gold {
        let t = Instant::now();
        let p = nlu.parse(&ex.text)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        pred.push(speechtimer_corpus::Example {
            text: p.text,
            entities: p.entities,
            plan: p.plan.ok(),
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    times.sort_by(f64::total_cmp);
    let pct = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let bytes = files.weights.len() + files.config.len() + files.tokenizer.len();
    Ok((
        pred,
        ModelFigures {
            arch: nlu.config().arch.as_str().to_string(),
            source: dir.map_or("intégré".to_string(), |d| d.display().to_string()),
            megabytes: bytes as f64 / 1e6,
            load_ms,
            p50_ms: pct(0.5),
            p95_ms: pct(0.95),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        },
    ))
}

fn print_report(r: &Report, errors: usize) {
    println!("exemples : {}", r.examples);
    if r.missing_predictions > 0 {
        println!("sans prédiction : {}", r.missing_predictions);
    }
    println!(
        "plan exact : {:.3} ({}/{}) (séries, effort, repos)",
        r.plan_exact_match, r.plan_matches, r.examples
    );
    println!(
        "plan exact, tous les champs : {:.3} ({}/{})",
        r.plan_exact_all, r.plan_all_matches, r.examples
    );
    println!(
        "entités F1-micro : {:.3} (précision {:.3}, rappel {:.3})",
        r.micro.f1, r.micro.precision, r.micro.recall
    );
    println!(
        "{:<18} {:>9} {:>7} {:>6} {:>8}",
        "étiquette", "précision", "rappel", "F1", "support"
    );
    for (label, s) in &r.per_label {
        println!(
            "{label:<18} {:>9.3} {:>7.3} {:>6.3} {:>8}",
            s.precision, s.recall, s.f1, s.support
        );
    }
    if errors > 0 {
        println!(
            "\n{} exemples fautifs ; les {} premiers :",
            r.errors.len(),
            errors.min(r.errors.len())
        );
        for e in r.errors.iter().take(errors) {
            println!("#{} {}", e.index, e.text);
            println!(
                "  attendu : {}  {:?}",
                show_spans(&e.gold),
                e.gold_plan
                    .map(|p| serde_json::to_string(&p).unwrap_or_default())
            );
            println!(
                "  prédit  : {}  {:?}",
                show_spans(&e.pred),
                e.pred_plan
                    .map(|p| serde_json::to_string(&p).unwrap_or_default())
            );
        }
    }
}
