//! The `speechtimer` binary: opens the window, or runs one of the
//! command-line tools (`cli`) given as a subcommand.

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// SpeechTimer: minuteur d'intervalles à commande vocale, hors ligne.
#[derive(Debug, Parser)]
#[command(name = "speechtimer", version, about)]
struct Cli {
    #[command(flatten)]
    window: WindowArgs,
    /// Dossier d'un modèle de compréhension entraîné (sinon le modèle
    /// intégré) : fenêtre, parse, eval, transcribe, listen, serve.
    #[arg(long, global = true, value_name = "DOSSIER")]
    ner_model: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

/// What only the window takes (`speechtimer [window] --mute`), so that the
/// other commands' help does not list it.
#[derive(Debug, Default, clap::Args)]
struct WindowArgs {
    /// Sans bips (aucune sortie audio n'est ouverte).
    #[arg(long)]
    mute: bool,
    /// Écoute ce fichier WAV au lieu du micro (démonstration, essais).
    #[arg(long, value_name = "FICHIER.wav")]
    audio_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ouvre la fenêtre du minuteur (ce que fait `speechtimer` seul).
    Window(WindowArgs),
    /// Données annotées : vérifier, générer, importer/exporter Label Studio.
    Data(cli::data::DataArgs),
    /// Note des prédictions contre des exemples de référence.
    Eval(cli::eval::EvalArgs),
    /// Comprend une commande tapée : séries, effort, repos.
    Parse(cli::ner::ParseArgs),
    /// Entraîne le modèle de compréhension (lstm-crf ou transformer).
    Train(cli::ner::TrainArgs),
    /// Modèle Whisper : télécharger, vérifier, localiser.
    Model(cli::model::ModelCmd),
    /// Modèle de langue du domaine fusionné dans Whisper : construire, décrire.
    Lm(cli::lm::LmCmd),
    /// Transcrit des fichiers WAV.
    Transcribe(cli::asr::TranscribeCmd),
    /// Écoute le micro et affiche ce qui a été dit.
    Listen(cli::asr::ListenCmd),
    /// Liste les micros.
    Devices,
    /// Ce que le minuteur fera entendre pour un plan, et quand.
    Cues(cli::cues::CuesArgs),
    /// Sert l'API HTTP : /parse, /transcribe, backend ML Label Studio.
    Serve(cli::serve::ServeArgs),
    /// Boucle d'étiquetage avec un serveur Label Studio : envoyer des
    /// textes pré-étiquetés, rapatrier les annotations.
    Label(cli::label::LabelArgs),
    /// Écrit les pages de manuel (roff) dans DOSSIER (paquet).
    #[command(hide = true)]
    Manpage {
        /// Dossier où écrire speechtimer.1 et speechtimer-<commande>.1.
        dir: std::path::PathBuf,
    },
}

/// The manual pages, from the clap definitions (`scripts/package`): one
/// for `speechtimer`, one for each subcommand it lists.
fn manpages(dir: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context;
    use clap::CommandFactory;
    let write = |name: &str, cmd: clap::Command| -> anyhow::Result<()> {
        let path = dir.join(format!("{name}.1"));
        let mut file = std::fs::File::create(&path)
            .with_context(|| format!("impossible d'écrire {}", path.display()))?;
        clap_mangen::Man::new(cmd).render(&mut file)?;
        Ok(())
    };
    let cli = Cli::command();
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("speechtimer-{}", sub.get_name());
        let page = sub
            .clone()
            .display_name(name.clone())
            .version(env!("CARGO_PKG_VERSION"))
            .bin_name(format!("speechtimer {}", sub.get_name()));
        write(&name, page)?;
    }
    write("speechtimer", cli)
}

fn window(args: WindowArgs, ner_model: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    speechtimer::app::run(speechtimer::app::WindowOptions {
        mute: args.mute,
        ner_model,
        audio_file: args.audio_file,
    })
}

/// glibc gives each thread that allocates an arena of its own and keeps
/// what was freed there for it: with Whisper decoding on a new thread for
/// each utterance, the window grew by about 19 MB an utterance, 293 MB to
/// 1.45 GB in a 10-minute soak (`scripts/soak`). Two arenas serve this app;
/// set before any thread starts.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called first thing
    // in main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Status of a program ended by a closed pipe (128 + SIGPIPE), as the
/// shell reports it for other Unix tools.
const CLOSED_PIPE: u8 = 141;

/// The commands that only write to their standard output die quietly
/// when it is a closed pipe (`speechtimer data generate --out - | head`),
/// as other Unix tools do. The window, the server and the commands that
/// talk to a sound server or the network keep SIGPIPE ignored (Rust's
/// default): a peer closing its socket is an error there, not the end.
fn die_on_closed_pipe(command: &Option<Command>) {
    let writes_only = matches!(
        command,
        Some(
            Command::Data(_)
                | Command::Eval(_)
                | Command::Parse(_)
                | Command::Transcribe(_)
                | Command::Cues(_)
                | Command::Lm(_)
        )
    );
    #[cfg(unix)]
    if writes_only {
        // SAFETY: restores the default action of one signal, before any
        // other thread exists; no handler is installed.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
}

/// Whether `e` comes from writing to a closed pipe.
fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    die_on_closed_pipe(&cli.command);
    // the server logs each request unless RUST_LOG says otherwise
    let default_filter = match cli.command {
        Some(Command::Serve(_)) => "warn,speechtimer_serve=info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        // no colour codes in a log file or a pipe
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let ner = cli.ner_model.clone();
    let ner = ner.as_deref();
    let result = match cli.command {
        None => window(cli.window, cli.ner_model),
        Some(Command::Window(args)) => window(
            WindowArgs {
                mute: args.mute || cli.window.mute,
                audio_file: args.audio_file.or(cli.window.audio_file),
            },
            cli.ner_model,
        ),
        Some(Command::Data(args)) => cli::data::run(args),
        Some(Command::Eval(args)) => cli::eval::run(args, ner),
        Some(Command::Parse(args)) => cli::ner::parse(args, ner),
        Some(Command::Train(args)) => cli::ner::run_train(args),
        Some(Command::Model(cmd)) => cli::model::run(cmd),
        Some(Command::Lm(cmd)) => cli::lm::run(cmd),
        Some(Command::Transcribe(cmd)) => cli::asr::transcribe(cmd, ner),
        Some(Command::Listen(cmd)) => cli::asr::listen(cmd, ner),
        Some(Command::Devices) => cli::asr::devices(),
        Some(Command::Cues(args)) => cli::cues::run(args),
        Some(Command::Serve(args)) => cli::serve::run(args, cli.ner_model),
        Some(Command::Label(args)) => cli::label::run(args, ner),
        Some(Command::Manpage { dir }) => manpages(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // the reader went away: nothing to say to anyone
        Err(e) if is_closed_pipe(&e) => ExitCode::from(CLOSED_PIPE),
        Err(e) => {
            eprintln!("speechtimer : {e:#}");
            ExitCode::FAILURE
        }
    }
}
