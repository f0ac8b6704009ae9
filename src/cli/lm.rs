//! `speechtimer lm build|info`: the domain language model fused into Whisper.

use super::model::ModelArgs;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use indicatif::ProgressBar;
use speechtimer_asr::{DecodeOptions, LmChoice, TokenLm, Transcriber};
use speechtimer_train::lm::{GrammarRecipe, LmRecipe, build_domain_lm, build_grammar};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct LmCmd {
    #[command(subcommand)]
    pub action: LmAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LmAction {
    /// Construit le modèle de langue à partir de phrases générées propres,
    /// découpées avec les jetons du modèle Whisper.
    Build {
        /// Nombre de phrases générées.
        #[arg(long, default_value_t = LmRecipe::default().sentences)]
        n: usize,
        #[arg(long, default_value_t = LmRecipe::default().seed)]
        seed: u64,
        /// Ordre du n-gramme (2 à 4).
        #[arg(long, default_value_t = LmRecipe::default().order)]
        order: usize,
        /// Autres découpages comptés par phrase (BPE-dropout).
        #[arg(long, default_value_t = LmRecipe::default().spellings)]
        spellings: usize,
        /// Probabilité de sauter une fusion dans ces découpages.
        #[arg(long, default_value_t = LmRecipe::default().dropout)]
        dropout: f64,
        /// Fichier écrit.
        #[arg(long, default_value = "models/lm/domain.lm")]
        out: PathBuf,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Construit la grammaire des commandes (les paires de mots des
    /// phrases générées propres) qui tient le décodeur à la langue.
    Grammar {
        /// Nombre de phrases générées.
        #[arg(long, default_value_t = GrammarRecipe::default().sentences)]
        n: usize,
        #[arg(long, default_value_t = GrammarRecipe::default().seed)]
        seed: u64,
        /// Fichier écrit.
        #[arg(long, default_value = "models/lm/commands.grammar")]
        out: PathBuf,
    },
    /// Décrit un modèle de langue (sans fichier : celui intégré).
    Info { file: Option<PathBuf> },
}

pub(crate) fn run(cmd: LmCmd) -> Result<()> {
    match cmd.action {
        LmAction::Build {
            n,
            seed,
            order,
            spellings,
            dropout,
            out,
            model,
        } => {
            let opts = DecodeOptions {
                lm: LmChoice::Off,
                ..DecodeOptions::default()
            };
            let asr = Transcriber::load(&model.locate()?, opts)?;
            let eot = asr.context().token_eot() as u32;
            let bar = ProgressBar::new(n as u64);
            let recipe = LmRecipe {
                sentences: n,
                seed,
                order,
                spellings,
                dropout,
            };
            let lm = build_domain_lm(recipe, eot, asr.bpe(), |i| bar.set_position(i as u64))?;
            bar.finish_and_clear();
            let bytes = lm.to_bytes();
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&out, &bytes)
                .with_context(|| format!("écriture de {}", out.display()))?;
            println!(
                "{} : ordre {order}, {n} phrases (graine {seed}), n-grammes {:?}, {:.2} Mo",
                out.display(),
                lm.sizes(),
                bytes.len() as f64 / 1e6
            );
            Ok(())
        }
        LmAction::Grammar { n, seed, out } => {
            let bar = ProgressBar::new(n as u64);
            let recipe = GrammarRecipe { sentences: n, seed };
            let (grammar, skipped) = build_grammar(recipe, |i| bar.set_position(i as u64));
            bar.finish_and_clear();
            let text = grammar.to_text();
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&out, &text)
                .with_context(|| format!("écriture de {}", out.display()))?;
            println!(
                "{} : {n} phrases (graine {seed}, {skipped} écartées), {} classes, {} paires, {:.0} ko",
                out.display(),
                grammar.classes(),
                grammar.pairs(),
                text.len() as f64 / 1e3
            );
            Ok(())
        }
        LmAction::Info { file } => {
            let (lm, name, bytes) = match &file {
                Some(f) => (
                    TokenLm::load(f)?,
                    f.display().to_string(),
                    std::fs::metadata(f)?.len() as usize,
                ),
                None => (
                    TokenLm::embedded()?,
                    "intégré".to_string(),
                    speechtimer_lm::EMBEDDED.len(),
                ),
            };
            println!(
                "{name} : ordre {}, vocabulaire {}, n-grammes {:?}, {:.2} Mo",
                lm.order(),
                lm.vocab(),
                lm.sizes(),
                bytes as f64 / 1e6
            );
            Ok(())
        }
    }
}
