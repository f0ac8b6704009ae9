//! `POST /transcribe`: a WAV upload -> transcript + understanding.
//!
//! Whisper already uses every core, so one transcription runs at a time
//! (a one-permit semaphore, on a blocking thread); at most `max_waiting`
//! more wait for it, and past that the answer is 503 with `Retry-After`.

use super::body::{WavBody, limited};
use super::error::{ApiError, ErrorBody};
use super::parse::read;
use super::{AppState, Limits, blocking, ms_since};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use speechtimer_asr::{DecodeOptions, Transcriber, model_store};
use speechtimer_audio::wav;
use speechtimer_voice::HeardReport;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::sync::Semaphore;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The speech model as the server has it.
pub(crate) enum Asr {
    Ready(Worker),
    /// Why there is none, and what to do.
    Missing(String),
}

pub(crate) struct Worker {
    transcriber: Arc<Transcriber>,
    /// One transcription at a time.
    gate: Arc<Semaphore>,
    /// Transcriptions admitted and not finished (running + waiting).
    admitted: Arc<AtomicUsize>,
    max_waiting: usize,
}

/// A place in the line; given back when dropped.
struct Ticket(Arc<AtomicUsize>);

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Asr {
    /// Finds and loads Whisper like `speechtimer transcribe` does; a missing
    /// or damaged model is kept as a message, not an error.
    pub(crate) fn load(explicit: Option<&Path>, opts: DecodeOptions, max_waiting: usize) -> Self {
        let loaded = model_store::locate(explicit)
            .map_err(speechtimer_asr::AsrError::from)
            .and_then(|(path, origin)| {
                tracing::info!("whisper model from {origin}: {}", path.display());
                Transcriber::load(&path, opts)
            });
        match loaded {
            Ok(t) => Asr::Ready(Worker {
                transcriber: Arc::new(t),
                gate: Arc::new(Semaphore::new(1)),
                admitted: Arc::new(AtomicUsize::new(0)),
                max_waiting,
            }),
            Err(e) => {
                tracing::warn!("no speech recognition: {e}");
                let todo = if e.fetch_helps() {
                    "puis redémarrez `speechtimer serve`"
                } else {
                    "lancez `speechtimer model fetch` (ou corrigez le chemin) puis redémarrez `speechtimer serve`"
                };
                Asr::Missing(format!("reconnaissance vocale indisponible : {e} ; {todo}"))
            }
        }
    }

    pub(crate) fn unavailable(&self) -> Option<&str> {
        match self {
            Asr::Ready(_) => None,
            Asr::Missing(m) => Some(m),
        }
    }
}

impl Worker {
    fn admit(&self) -> Result<Ticket, ApiError> {
        let before = self.admitted.fetch_add(1, Ordering::SeqCst);
        let ticket = Ticket(Arc::clone(&self.admitted));
        if before > self.max_waiting {
            return Err(ApiError::unavailable(format!(
                "serveur occupé : {before} transcriptions en cours ou en attente, réessayez dans quelques secondes"
            ))
            .with_retry_after(5));
        }
        Ok(ticket)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TranscribeTimings {
    /// WAV decoding and resampling to 16 kHz.
    pub decode_ms: f64,
    /// Waiting for the transcriptions ahead.
    pub wait_ms: f64,
    /// Whisper's decoding.
    pub asr_ms: f64,
    /// Reading the plan in the transcript, with a doubtful round count
    /// heard again over the audio.
    pub nlu_ms: f64,
    /// From the body received to the answer ready.
    pub total_ms: f64,
}

/// The transcript and what it means (the report of `transcribe --json`),
/// with timings. A doubtful round count has been heard again over the
/// audio (`trust.rounds.why` is `rescored`).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TranscribeResponse {
    #[serde(flatten)]
    pub heard: HeardReport,
    /// Where the time went, in milliseconds.
    pub timings: TranscribeTimings,
}

/// Mono 16 kHz samples of an upload, and whether its data was cut short.
fn decode_upload(bytes: &[u8], max_seconds: f32) -> Result<(Vec<f32>, bool), ApiError> {
    let clip = wav::read_bytes(bytes).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    if clip.samples.is_empty() {
        return Err(ApiError::unprocessable(
            "le fichier WAV ne contient aucun échantillon",
        ));
    }
    let seconds = clip.duration_s();
    if seconds > max_seconds {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!("audio trop long : {seconds:.1} s, {max_seconds} s au plus"),
        ));
    }
    let samples = clip
        .to_whisper()
        .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    Ok((samples, clip.truncated))
}

/// Transcribes a spoken command and understands it.
#[utoipa::path(
    post,
    path = "/transcribe",
    tag = "speechtimer",
    request_body(
        description = "Un fichier WAV (PCM entier ou flottant, toute fréquence de 4 à 384 kHz, mono ou multicanal), 5 Mo et 30 s au plus",
        content(("audio/wav"), ("audio/x-wav"), ("audio/wave"))
    ),
    responses(
        (status = 200, description = "Transcription (vide et `no_speech` quand rien n'est dit), puis les champs de /parse", body = TranscribeResponse),
        (status = 400, description = "Corps vide", body = ErrorBody),
        (status = 413, description = "Plus de 5 Mo, ou plus de 30 s d'audio", body = ErrorBody),
        (status = 415, description = "Content-Type autre que audio/wav", body = ErrorBody),
        (status = 422, description = "Pas un WAV lisible, ou sans échantillon", body = ErrorBody),
        (status = 503, description = "Modèle Whisper absent (`speechtimer model fetch`), ou trop de transcriptions en attente (Retry-After)", body = ErrorBody),
    )
)]
pub(crate) async fn transcribe(
    State(app): State<Arc<AppState>>,
    WavBody(bytes): WavBody,
) -> Result<Json<TranscribeResponse>, ApiError> {
    let t0 = Instant::now();
    // the upload is checked first: a bad one is the client's to fix (4xx)
    let max_seconds = app.limits.audio_seconds;
    let (samples, truncated) = blocking(move || decode_upload(&bytes, max_seconds)).await?;
    let decode_ms = ms_since(t0);
    let worker = match &app.asr {
        Asr::Ready(w) => w,
        Asr::Missing(why) => return Err(ApiError::unavailable(why.clone())),
    };

    let ticket = worker.admit()?;
    let t_wait = Instant::now();
    let permit = Arc::clone(&worker.gate)
        .acquire_owned()
        .await
        .map_err(|_| ApiError::internal("file de transcription fermée"))?;
    let wait_ms = ms_since(t_wait);
    let transcriber = Arc::clone(&worker.transcriber);
    let nlu = Arc::clone(&app.nlu);
    // the ticket and permit go with the work: a client that hangs up does
    // not free Whisper before it is done; the same path as the window's
    // (a doubtful round count is heard again)
    let heard = blocking(move || {
        let _held = (ticket, permit);
        speechtimer_voice::hear(
            &transcriber,
            Some(&nlu),
            &samples,
            None,
            speechtimer_voice::Expect::Plan,
        )
        .map_err(ApiError::internal)
    })
    .await?;
    let mut report = heard.report();
    let (mut reading, nlu_ms) = match report.reading.take() {
        Some(r) => {
            let ms = (heard.nlu + heard.rescore).as_secs_f64() * 1e3;
            (r, (ms * 10.0).round() / 10.0)
        }
        None => read(&app.nlu, report.text.clone()).await?,
    };
    if truncated {
        reading.notes.push("fichier WAV tronqué : son en-tête annonce plus de données qu'il n'en contient, seule la partie présente a été lue".into());
    }
    report.reading = Some(reading);
    let timings = TranscribeTimings {
        decode_ms,
        wait_ms,
        asr_ms: (heard.transcript.elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        nlu_ms,
        total_ms: ms_since(t0),
    };
    Ok(Json(TranscribeResponse {
        heard: report,
        timings,
    }))
}

/// `/transcribe`, with its body limit.
pub(crate) fn routes(limits: &Limits) -> OpenApiRouter<Arc<AppState>> {
    let (schemas, paths, router) = routes!(transcribe);
    OpenApiRouter::new().routes((schemas, paths, limited(router, limits.audio_bytes)))
}
