//! Every failure of the API as `{"error": "<message en français>"}` with
//! its status, including the bodiless errors axum and tower-http produce
//! themselves (405, timeouts...), which `json_errors` rewrites.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do, in French.
    #[schema(example = "champ « text » manquant")]
    pub error: String,
}

/// An error answer: a status and a French message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status, 4xx or 5xx.
    pub status: StatusCode,
    /// What went wrong and what to do, in French (the body's `error`).
    pub message: String,
    /// Seconds for a `Retry-After` header (busy server).
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// An error with `status` and `message`, no `Retry-After`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 413, naming the limit when it is known.
    pub fn too_large(limit: Option<usize>) -> Self {
        let message = match limit {
            Some(n) => format!("corps de requête trop gros : {} au plus", human_bytes(n)),
            None => "corps de requête trop gros".to_string(),
        };
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, message)
    }

    /// 415: the body's content type is not accepted.
    pub fn unsupported_media(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
    }

    /// 422: the body came through but cannot be used (an unreadable WAV).
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 503: the service cannot answer now (no Whisper model, busy).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// 500: a failure on the server's side.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// The same error with a `Retry-After` of `seconds`.
    pub fn with_retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} : {}", self.status, self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!("{}: {}", self.status, self.message);
        } else {
            tracing::debug!("{}: {}", self.status, self.message);
        }
        let mut res = (
            self.status,
            Json(ErrorBody {
                error: self.message,
            }),
        )
            .into_response();
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

/// `1.5 Mo`, `64 Ko`.
pub(crate) fn human_bytes(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{:.1} Mo", n as f64 / (1 << 20) as f64).replace('.', ",")
    } else {
        format!("{} Ko", n.div_ceil(1 << 10))
    }
}

/// A French message for an error status that came without one.
fn default_message(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => "adresse inconnue : voir /openapi.json".into(),
        StatusCode::METHOD_NOT_ALLOWED => {
            "méthode non autorisée pour cette adresse : voir /openapi.json".into()
        }
        StatusCode::REQUEST_TIMEOUT => "délai dépassé : la requête n'a pas abouti à temps".into(),
        StatusCode::PAYLOAD_TOO_LARGE => "corps de requête trop gros".into(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "type de contenu non pris en charge".into(),
        StatusCode::INTERNAL_SERVER_ERROR => "erreur interne du serveur".into(),
        s => format!(
            "erreur {} ({})",
            s.as_u16(),
            s.canonical_reason().unwrap_or("?")
        ),
    }
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Middleware: an error response whose body is not JSON (axum's 405,
/// tower-http's timeout) becomes `{"error": ...}`, keeping its headers
/// (`Allow`, `Retry-After`).
pub(crate) async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&res) {
        return res;
    }
    let (parts, _) = res.into_parts();
    let mut out = ApiError::new(status, default_message(status)).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            // append: a header may repeat (`Vary`, `Set-Cookie`…)
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// For `CatchPanicLayer`: a panic in a handler is a 500, logged.
pub(crate) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("?");
    tracing::error!("handler panicked: {what}");
    ApiError::internal("erreur interne du serveur (voir son journal)").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_french() {
        assert_eq!(human_bytes(64 * 1024), "64 Ko");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5,0 Mo");
    }

    #[test]
    fn every_error_status_has_a_message() {
        for s in [404, 405, 408, 413, 415, 418, 500, 502] {
            let m = default_message(StatusCode::from_u16(s).unwrap());
            assert!(!m.is_empty());
        }
    }

    #[test]
    fn a_bodiless_error_becomes_json_and_keeps_repeated_headers() {
        use axum::Router;
        use axum::body::Body;
        use axum::routing::get;
        use tower::ServiceExt;
        let teapot = || async {
            let mut res = StatusCode::IM_A_TEAPOT.into_response();
            for v in ["accept", "origin"] {
                res.headers_mut()
                    .append(header::VARY, HeaderValue::from_static(v));
            }
            res
        };
        let router = Router::new()
            .route("/", get(teapot))
            .layer(axum::middleware::from_fn(json_errors));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let res = rt.block_on(async {
            let req = axum::http::Request::get("/").body(Body::empty()).unwrap();
            router.oneshot(req).await.unwrap()
        });
        assert_eq!(res.status(), StatusCode::IM_A_TEAPOT);
        let vary: Vec<_> = res.headers().get_all(header::VARY).iter().collect();
        assert_eq!(vary, ["accept", "origin"]);
        assert!(is_json(&res));
    }
}
