//! The HTTP API (`speechtimer serve`): `/parse`, `/transcribe`, the Label
//! Studio ML backend (`/health`, `/setup`, `/predict`) and `/openapi.json`.
//! Knows nothing of the window; stands on `nlu`, `asr` and `audio`.
//!
//! Layers, outermost first: request log, JSON for bodiless errors, panic ->
//! 500, request timeout; each route has its own body limit.

mod body;
pub mod described;
mod error;
mod label_studio;
mod openapi;
mod parse;
mod transcribe;

pub use error::{ApiError, ErrorBody};

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use speechtimer_asr::DecodeOptions;
use speechtimer_nlu::{Nlu, NluError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

/// Sizes and waits the server holds to.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Body of `/parse`.
    pub parse_bytes: usize,
    /// Body of `/setup` and `/predict` (Label Studio sends batches of tasks).
    pub label_studio_bytes: usize,
    /// WAV upload of `/transcribe`.
    pub audio_bytes: usize,
    /// Audio length of `/transcribe`, in seconds (Whisper's window).
    pub audio_seconds: f32,
    /// Transcriptions allowed to wait behind the running one; past that, 503.
    pub max_waiting: usize,
    /// Whole request, body included.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            parse_bytes: 64 << 10,
            label_studio_bytes: 4 << 20,
            audio_bytes: 5 << 20,
            audio_seconds: speechtimer_asr::transcriber::MAX_SECONDS,
            max_waiting: 4,
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// What `App::load` needs.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// NER model directory; `None`: the embedded model.
    pub ner_model: Option<PathBuf>,
    /// Whisper model file; `None`: the usual lookup (`model_store::locate`).
    pub whisper_model: Option<PathBuf>,
    /// Whisper's decoding settings for `/transcribe`.
    pub decode: DecodeOptions,
    /// Body sizes, audio length, queue and timeout.
    pub limits: Limits,
}

/// Why the server could not start or stopped (French messages, for the
/// user).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The NER model could not be loaded.
    #[error(transparent)]
    Nlu(#[from] NluError),
    /// The address could not be listened on.
    #[error("impossible d'écouter sur {addr} : {source}")]
    Bind {
        /// `host:port` as asked.
        addr: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// Serving failed on an I/O error.
    #[error("le serveur s'est arrêté : {0}")]
    Serve(std::io::Error),
}

/// Shared by every request.
pub(crate) struct AppState {
    /// `/openapi.json`, set once the routes are assembled.
    pub openapi: std::sync::OnceLock<String>,
    pub nlu: Arc<Nlu>,
    pub asr: transcribe::Asr,
    pub projects: label_studio::Projects,
    pub model_version: String,
    pub limits: Limits,
}

/// The loaded models, ready to serve.
#[derive(Clone)]
pub struct App {
    state: Arc<AppState>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("model_version", &self.state.model_version)
            .finish()
    }
}

impl App {
    /// Loads the NER model (required) and the Whisper model (optional:
    /// without it `/transcribe` answers 503 with what to do).
    pub fn load(opts: &ServeOptions) -> Result<Self, ServeError> {
        let nlu = Nlu::load(opts.ner_model.as_deref())?;
        let model_version = nlu.version_name(opts.ner_model.as_deref());
        let asr = transcribe::Asr::load(
            opts.whisper_model.as_deref(),
            opts.decode.clone(),
            opts.limits.max_waiting,
        );
        Ok(Self {
            state: Arc::new(AppState {
                openapi: std::sync::OnceLock::new(),
                nlu: Arc::new(nlu),
                asr,
                projects: label_studio::Projects::default(),
                model_version,
                limits: opts.limits.clone(),
            }),
        })
    }

    /// Why `/transcribe` is off, when it is.
    pub fn asr_unavailable(&self) -> Option<&str> {
        self.state.asr.unavailable()
    }

    /// The version reported to Label Studio: `speechtimer-<version>-<arch>`,
    /// then `-<directory>` when a NER model directory was given.
    pub fn model_version(&self) -> &str {
        &self.state.model_version
    }

    /// The whole service (usable with `tower::ServiceExt::oneshot`).
    pub fn router(&self) -> Router {
        let limits = &self.state.limits;
        let (routes, api) = openapi::routes(limits).split_for_parts();
        // the same document for every router of this app
        let _ = self
            .state
            .openapi
            .set(api.to_pretty_json().unwrap_or_default());
        let routes = routes
            .fallback(not_found)
            .with_state(Arc::clone(&self.state));
        harden(routes, limits.request_timeout)
    }
}

/// The layers every route gets, outermost first: request log, JSON for
/// bodiless errors, panic -> 500, timeout -> 408.
fn harden(routes: Router, timeout: Duration) -> Router {
    routes
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(middleware::from_fn(error::json_errors))
        .layer(middleware::from_fn(log_request))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("adresse inconnue : {} (voir /openapi.json)", uri.path()),
    )
}

async fn log_request(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let t0 = Instant::now();
    let res = next.run(req).await;
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    let status = res.status();
    if status.is_server_error() {
        tracing::warn!("{method} {path} -> {} in {ms:.1} ms", status.as_u16());
    } else {
        tracing::info!("{method} {path} -> {} in {ms:.1} ms", status.as_u16());
    }
    res
}

/// A bound listener and the service behind it.
#[derive(Debug)]
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
}

/// Binds `host:port` (port 0: any free port; see `Server::local_addr`).
pub async fn bind(app: &App, host: &str, port: u16) -> Result<Server, ServeError> {
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|source| ServeError::Bind {
            addr: format!("{host}:{port}"),
            source,
        })?;
    Ok(Server {
        listener,
        router: app.router(),
    })
}

impl Server {
    /// The address actually bound (the port chosen when 0 was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until `shutdown` completes, then finishes the requests under way.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Serve)
    }
}

/// Milliseconds since `t0`, to 0.1 ms.
pub(crate) fn ms_since(t0: Instant) -> f64 {
    (t0.elapsed().as_secs_f64() * 10_000.0).round() / 10.0
}

/// Runs CPU work off the async workers; a panic inside becomes a 500.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!("worker task failed: {e}");
        ApiError::internal("erreur interne du serveur (voir son journal)")
    })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn call(router: Router, path: &str) -> (StatusCode, serde_json::Value) {
        let req = axum::http::Request::get(path).body(Body::empty()).unwrap();
        let res = router.oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    async fn boom() -> &'static str {
        panic!("boom")
    }

    #[test]
    fn panics_and_stalls_become_json_errors() {
        let router = harden(
            Router::new().route("/panic", get(boom)).route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late"
                }),
            ),
            Duration::from_millis(50),
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (status, v) = call(router.clone(), "/panic").await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert!(v["error"].as_str().unwrap().contains("erreur interne"));
            let (status, v) = call(router, "/slow").await;
            assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
            assert!(v["error"].as_str().unwrap().contains("délai"));
        });
    }
}
