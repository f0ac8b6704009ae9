//! `speechtimer label push|pull`: the labelling loop on a Label Studio
//! server (`speechtimer_label`): texts go in as tasks with the model's
//! predictions, least certain first; annotated tasks come back as JSONL.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use speechtimer_corpus::label_studio::LabelConfig;
use speechtimer_label::{Client, LabelError, Predicted, pulled, push_tasks};
use speechtimer_nlu::Nlu;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub(crate) struct LabelArgs {
    /// Adresse de Label Studio.
    #[arg(
        long,
        env = "LABEL_STUDIO_URL",
        default_value = "http://localhost:8080",
        global = true
    )]
    url: String,
    /// Jeton d'accès de Label Studio (Account & Settings : « Legacy Token »
    /// ou « Personal Access Token »).
    #[arg(
        long,
        env = "LABEL_STUDIO_API_KEY",
        hide_env_values = true,
        global = true
    )]
    token: Option<String>,
    #[command(subcommand)]
    command: LabelCommand,
}

#[derive(Debug, Subcommand)]
enum LabelCommand {
    /// Importe des textes (un par ligne) comme tâches, avec les prédictions
    /// du modèle, les moins sûres d'abord.
    Push {
        /// Numéro du projet.
        #[arg(long)]
        project: u64,
        /// Fichier texte, une phrase par ligne (lignes vides ignorées).
        texts: PathBuf,
    },
    /// Exporte les tâches annotées en JSONL, vérifiées comme par `data check`.
    Pull {
        /// Numéro du projet.
        #[arg(long)]
        project: u64,
        /// Fichier JSONL écrit (en entier ou pas du tout).
        #[arg(long)]
        out: PathBuf,
    },
}

pub(crate) fn run(args: LabelArgs, ner_model: Option<&Path>) -> Result<()> {
    let client = Client::new(&args.url, args.token.as_deref().unwrap_or(""))?;
    match args.command {
        LabelCommand::Push { project, texts } => push(&client, project, &texts, ner_model),
        LabelCommand::Pull { project, out } => pull(&client, project, &out),
    }
}

/// The project's labelling config, refused when it lacks a label of the
/// guide.
fn checked_config(client: &Client, project: u64) -> Result<LabelConfig, LabelError> {
    let p = client.project(project)?;
    let config = LabelConfig::parse(&p.label_config)
        .map_err(|reason| LabelError::Config { project, reason })?;
    let missing = config.missing_guide_labels();
    if !missing.is_empty() {
        return Err(LabelError::Config {
            project,
            reason: format!(
                "sa configuration n'offre pas les étiquettes {} (assets/label-studio/config.xml les a toutes)",
                missing.join(", ")
            ),
        });
    }
    Ok(config)
}

fn read_texts(path: &Path) -> Result<Vec<String>> {
    let all = std::fs::read_to_string(path)
        .with_context(|| format!("impossible de lire {}", path.display()))?;
    let texts: Vec<String> = all
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if texts.is_empty() {
        bail!("{} : aucun texte (une phrase par ligne)", path.display());
    }
    Ok(texts)
}

fn push(client: &Client, project: u64, texts: &Path, ner_model: Option<&Path>) -> Result<()> {
    let texts = read_texts(texts)?;
    let config = checked_config(client, project)?;
    let nlu = Nlu::load(ner_model)?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let parsed = nlu.parse_batch(&refs)?;
    let items: Vec<Predicted> = parsed
        .into_iter()
        .map(|p| Predicted {
            entities: p
                .entities
                .into_iter()
                .filter(|e| config.labels.iter().any(|l| l == e.label.as_str()))
                .collect(),
            confidence: p.confidence,
            text: p.text,
        })
        .collect();
    let least = items
        .iter()
        .map(|p| p.confidence)
        .fold(f32::INFINITY, f32::min);
    let tasks = push_tasks(
        items,
        &config.from_name,
        &config.to_name,
        &nlu.version_name(ner_model),
    );
    let made = client.import_tasks(project, &tasks)?;
    println!(
        "{made} tâches importées dans le projet {project}, les moins sûres d'abord (confiance la plus basse : {least:.2})"
    );
    Ok(())
}

fn pull(client: &Client, project: u64, out: &Path) -> Result<()> {
    checked_config(client, project)?;
    let export = client.export(project)?;
    let got = pulled(&export)?;
    for why in &got.bad {
        eprintln!("tâche refusée : {why}");
    }
    // written whole or not at all: a temporary file beside, then renamed
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("impossible d'écrire dans {}", dir.display()))?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        speechtimer_corpus::write_jsonl(&mut w, &got.examples)?;
        w.flush()?;
    }
    tmp.persist(out)
        .with_context(|| format!("impossible d'écrire {}", out.display()))?;
    println!(
        "{} exemples écrits dans {}, {} tâches pas encore annotées, {} refusées",
        got.examples.len(),
        out.display(),
        got.unlabelled,
        got.bad.len()
    );
    Ok(())
}
