//! `speechtimer data ...`: check, generate, and Label Studio import/export
//! (`hear` is in `data_hear.rs`).

use super::{progress, stdio};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use speechtimer_corpus::{Example, generate, label_studio};
use std::io::Write;
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
        /// Le fichier JSONL (« - » : l'entrée standard).
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
        /// Fichier de sortie (JSONL ; « - » : la sortie standard).
        #[arg(long)]
        out: PathBuf,
        /// Phrases propres, comme Whisper écrit une commande bien entendue
        /// (sans fautes ni mots mal entendus) : à faire dire par une voix.
        #[arg(long)]
        clean: bool,
    },
    /// Convertit un export JSON de Label Studio en JSONL.
    ImportLs {
        /// L'export JSON de Label Studio (« - » : l'entrée standard).
        export: PathBuf,
        /// Fichier de sortie (sinon la sortie standard).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Convertit un JSONL en tâches Label Studio pré-annotées (`predictions`).
    ExportLs {
        /// Le fichier JSONL (« - » : l'entrée standard).
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
        DataCommand::Generate {
            n,
            seed,
            out,
            clean,
        } => generate_cmd(n, seed, &out, clean),
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
    let bytes = stdio::read_bytes(path)?;
    let report = speechtimer_corpus::check_lines(&bytes[..]);
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

fn generate_cmd(n: usize, seed: u64, out: &Path, clean: bool) -> Result<()> {
    let bar = progress::items(n as u64, "génération");
    let start = std::time::Instant::now();
    let style = if clean {
        generate::Style::Clean
    } else {
        generate::Style::Transcript
    };
    let (examples, rejected) = generate::generate_counted(n, seed, style, |i| {
        if i % 256 == 0 {
            bar.set_position(i as u64);
        }
    });
    bar.finish_and_clear();
    let elapsed = start.elapsed();
    write_jsonl_file(out, &examples)?;
    let summary = generate::summarise(&examples);
    let say = |line: String| stdio::report(out, &line);
    say(format!(
        "{} exemples écrits dans {}",
        summary.examples,
        out.display()
    ));
    say(format!(
        "{} formes de phrase distinctes ; {:.0} exemples/s",
        summary.shapes,
        n as f64 / elapsed.as_secs_f64().max(1e-9)
    ));
    say(format!(
        "tirages rejetés : {} invalides, {} dont les spans disent un autre plan",
        rejected.invalid, rejected.mismatched
    ));
    say("étiquettes :".into());
    for (label, count) in &summary.labels {
        say(format!("  {:<16} {count}", label.to_string()));
    }
    Ok(())
}

/// Writes `examples` to `out` (`-`: standard output).
fn write_jsonl_file(out: &Path, examples: &[Example]) -> Result<()> {
    speechtimer_corpus::write_jsonl(stdio::create(out)?, examples)
        .with_context(|| format!("impossible d'écrire {}", out.display()))
}

fn import_ls(export: &Path, out: Option<&Path>) -> Result<()> {
    let json = stdio::read_to_string(export)?;
    let import = label_studio::import(&json)?;
    for skipped in &import.skipped {
        eprintln!("ignorée : {skipped}");
    }
    write_jsonl_file(out.unwrap_or(Path::new("-")), &import.examples)?;
    eprintln!(
        "{} exemples importés, {} tâches ignorées",
        import.examples.len(),
        import.skipped.len()
    );
    Ok(())
}

fn export_ls(file: &Path, out: Option<&Path>, model_version: &str) -> Result<()> {
    let examples = stdio::read_examples(file)?;
    let json = label_studio::export(&examples, model_version);
    let out = out.unwrap_or(Path::new("-"));
    let mut w = stdio::create(out)?;
    writeln!(w, "{json}")
        .and_then(|()| w.flush())
        .with_context(|| format!("impossible d'écrire {}", out.display()))
}
