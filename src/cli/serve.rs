//! `speechtimer serve`: the HTTP API on a tokio runtime.

use super::asr::DecodeArgs;
use clap::Args;
use speechtimer_serve::{App, Limits, ServeOptions};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Adresse d'écoute : 127.0.0.1 (cette machine seulement) ou, pour
    /// ouvrir au réseau, 0.0.0.0.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port (0 : un port libre, affiché au démarrage).
    #[arg(long, default_value_t = 9090)]
    pub port: u16,
    /// Transcriptions en attente au plus ; au-delà, réponse 503.
    #[arg(long, default_value_t = 4)]
    pub max_waiting: usize,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

pub(crate) fn run(args: ServeArgs, ner_model: Option<PathBuf>) -> anyhow::Result<()> {
    let opts = ServeOptions {
        ner_model,
        whisper_model: args.decode.model.whisper_model.clone(),
        decode: args.decode.options(),
        limits: Limits {
            max_waiting: args.max_waiting,
            ..Limits::default()
        },
    };
    let app = App::load(&opts)?;
    if let Some(why) = app.asr_unavailable() {
        eprintln!("attention : {why} ; /transcribe répondra 503, le reste fonctionne.");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let server = speechtimer_serve::bind(&app, &args.host, args.port).await?;
        println!(
            "SpeechTimer écoute sur http://{} (modèle {}) ; Ctrl-C pour arrêter",
            server.local_addr(),
            app.model_version()
        );
        server.run(stop_signal()).await
    })?;
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix: the server then finishes what it is doing.
async fn stop_signal() {
    use std::future::Future;
    use std::task::Poll;
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    std::future::poll_fn(|cx| {
        if ctrl_c.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        #[cfg(unix)]
        if let Some(t) = term.as_mut()
            && t.poll_recv(cx).is_ready()
        {
            return Poll::Ready(());
        }
        Poll::Pending
    })
    .await;
    eprintln!("arrêt : fin des requêtes en cours…");
}
