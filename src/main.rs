use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cli;

/// SpeechTimer: minuteur d'intervalles à commande vocale, hors ligne.
#[derive(Debug, Parser)]
#[command(name = "speechtimer", version, about)]
struct Cli {
    /// Sans bips (aucune sortie audio n'est ouverte).
    #[arg(long, global = true)]
    mute: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ouvre la fenêtre du minuteur (ce que fait `speechtimer` seul).
    Window,
    /// Modèle Whisper : télécharger, vérifier, localiser.
    Model(cli::model::ModelCmd),
    /// Transcrit des fichiers WAV.
    Transcribe(cli::asr::TranscribeCmd),
    /// Écoute le micro et affiche ce qui a été dit.
    Listen(cli::asr::ListenCmd),
    /// Liste les micros.
    Devices,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        None | Some(Command::Window) => {
            speechtimer::app::run(speechtimer::app::WindowOptions { mute: cli.mute })
        }
        Some(Command::Model(cmd)) => cli::model::run(cmd),
        Some(Command::Transcribe(cmd)) => cli::asr::transcribe(cmd),
        Some(Command::Listen(cmd)) => cli::asr::listen(cmd),
        Some(Command::Devices) => cli::asr::devices(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("speechtimer : {e:#}");
            ExitCode::FAILURE
        }
    }
}
