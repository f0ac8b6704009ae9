//! `speechtimer data ...`: check, generate, and Label Studio import/export
//! (`hear` is in `data_hear.rs`).

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use speechtimer::corpus::{self, Example, generate, label_studio};
use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub(crate) struct DataArgs {
    #[command(subcommand)]
    pub command: DataCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DataCommand {
    /// Vérifie un fichier JSONL d'exemples annotés (toutes les lignes fautives).
    Check {
        /// Le fichier JSONL.
        file: PathBuf,
    },
    /// Génère des exemples annotés.
    Generate {
        /// Nombre d'exemples.
        #[arg(long, default_value_t = 20_000)]
        n: usize,
        /// Graine : la même graine donne le même fichier.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Fichier de sortie (JSONL).
        #[arg(long)]
        out: PathBuf,
    },
    /// Convertit un export JSON de Label Studio en JSONL.
    ImportLs {
        /// L'export JSON de Label Studio.
        export: PathBuf,
        /// Fichier de sortie (sinon la sortie standard).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Convertit un JSONL en tâches Label Studio pré-annotées (`predictions`).
    ExportLs {
        /// Le fichier JSONL.
        file: PathBuf,
        /// Fichier de sortie (sinon la sortie standard).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Nom du modèle inscrit dans les prédictions.
        #[arg(long, default_value = "speechtimer")]
        model_version: String,
    },
    /// Dit des phrases générées (espeak-ng), les transcrit comme l'application
    /// et y reporte les annotations : des exemples écrits comme Whisper écrit.
    Hear(super::data_hear::HearArgs),
}

pub(crate) fn run(args: DataArgs) -> Result<()> {
    match args.command {
        DataCommand::Check { file } => check(&file),
        DataCommand::Generate { n, seed, out } => generate_cmd(n, seed, &out),
        DataCommand::ImportLs { export, out } => import_ls(&export, out.as_deref()),
        DataCommand::ExportLs {
            file,
            out,
            model_version,
        } => export_ls(&file, out.as_deref(), &model_version),
        DataCommand::Hear(args) => super::data_hear::run(args),
    }
}

fn check(path: &Path) -> Result<()> {
    let file =
        File::open(path).with_context(|| format!("impossible d'ouvrir {}", path.display()))?;
    let report = corpus::check_lines(BufReader::new(file));
    for (line, problem) in &report.problems {
        println!("{}:{line}: {problem}", path.display());
    }
    if report.lines == 0 {
        bail!("{} : fichier vide, aucun exemple", path.display());
    }
    let bad = report.lines - report.valid;
    println!(
        "{} : {} exemples, {} valides, {bad} fautifs",
        path.display(),
        report.lines,
        report.valid
    );
    if bad > 0 {
        bail!("{bad} lignes ne suivent pas le guide d'annotation");
    }
    Ok(())
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
pub(crate) fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() && len >= 1000 {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({per_sec}, {eta})")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

fn generate_cmd(n: usize, seed: u64, out: &Path) -> Result<()> {
    let bar = progress_bar(n as u64, "génération");
    let start = std::time::Instant::now();
    let (examples, rejected) =
        generate::generate_counted(n, seed, generate::Style::Transcript, |i| {
            if i % 256 == 0 {
                bar.set_position(i as u64);
            }
        });
    bar.finish_and_clear();
    let elapsed = start.elapsed();
    write_jsonl_file(out, &examples)?;
    let summary = generate::summarise(&examples);
    println!(
        "{} exemples écrits dans {}",
        summary.examples,
        out.display()
    );
    println!(
        "{} formes de phrase distinctes ; {:.0} exemples/s",
        summary.shapes,
        n as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    println!(
        "tirages rejetés : {} invalides, {} dont les spans disent un autre plan",
        rejected.invalid, rejected.mismatched
    );
    println!("étiquettes :");
    for (label, count) in &summary.labels {
        println!("  {:<16} {count}", label.to_string());
    }
    Ok(())
}

fn write_jsonl_file(out: &Path, examples: &[Example]) -> Result<()> {
    let file =
        File::create(out).with_context(|| format!("impossible d'écrire {}", out.display()))?;
    corpus::write_jsonl(BufWriter::new(file), examples)
        .with_context(|| format!("impossible d'écrire {}", out.display()))
}

fn import_ls(export: &Path, out: Option<&Path>) -> Result<()> {
    let json = std::fs::read_to_string(export)
        .with_context(|| format!("impossible de lire {}", export.display()))?;
    let import = label_studio::import(&json)?;
    for skipped in &import.skipped {
        eprintln!("ignorée : {skipped}");
    }
    match out {
        Some(path) => write_jsonl_file(path, &import.examples)?,
        None => corpus::write_jsonl(std::io::stdout().lock(), &import.examples)?,
    }
    eprintln!(
        "{} exemples importés, {} tâches ignorées",
        import.examples.len(),
        import.skipped.len()
    );
    Ok(())
}

fn export_ls(file: &Path, out: Option<&Path>, model_version: &str) -> Result<()> {
    let examples = corpus::read_jsonl_file(file)?;
    let json = label_studio::export(&examples, model_version);
    match out {
        Some(path) => std::fs::write(path, json + "\n")
            .with_context(|| format!("impossible d'écrire {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{json}")?;
        }
    }
    Ok(())
}
