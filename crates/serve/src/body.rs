//! Request bodies: the JSON and WAV extractors (content type, size, empty
//! body and JSON errors answered as `ApiError`, never axum's plain-text 422)
//! and the per-route size limit.

use super::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The body limit of the route, for the 413 message.
#[derive(Debug, Clone, Copy)]
struct BodyLimit(usize);

/// Oversized bodies up to this size are read and dropped before the 413
/// goes out, so that a client still sending (most do not wait for an
/// answer) reads the 413 instead of a reset connection.
const DRAIN_MAX: u64 = 32 << 20;
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// `method_router` with a body limit of `max` bytes: a declared
/// `Content-Length` over it is refused at once (413), a streamed body when
/// the limit is reached.
pub(crate) fn limited<S>(method_router: MethodRouter<S>, max: usize) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    method_router
        .layer(DefaultBodyLimit::max(max))
        .layer(middleware::from_fn_with_state(max, refuse_oversized))
}

async fn refuse_oversized(State(max): State<usize>, mut req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(n) = declared
        && n > max as u64
    {
        let waits_for_go = req
            .headers()
            .get(header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if !waits_for_go && n <= DRAIN_MAX {
            drain(req.into_body()).await;
        }
        return ApiError::too_large(Some(max)).into_response();
    }
    req.extensions_mut().insert(BodyLimit(max));
    next.run(req).await
}

async fn drain(body: Body) {
    let read = axum::body::to_bytes(body, DRAIN_MAX as usize);
    let _ = tokio::time::timeout(DRAIN_TIME, read).await;
}

/// The media type of a request, lowercase, without parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = v
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// The body as bytes once its content type passes `accepts`; `wanted`
/// says what to send, in the messages.
async fn read_body<S: Send + Sync>(
    req: Request,
    state: &S,
    accepts: fn(&str) -> bool,
    wanted: &str,
) -> Result<Bytes, ApiError> {
    match media_type(req.headers()) {
        Some(t) if accepts(&t) => {}
        Some(t) => {
            return Err(ApiError::unsupported_media(format!(
                "type de contenu « {t} » non pris en charge : envoyez {wanted}"
            )));
        }
        None => {
            return Err(ApiError::unsupported_media(format!(
                "en-tête Content-Type absent : envoyez {wanted}"
            )));
        }
    }
    let limit = req.extensions().get::<BodyLimit>().map(|l| l.0);
    let bytes = Bytes::from_request(req, state).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit)
        } else {
            ApiError::bad_request(format!("corps de requête illisible : {}", r.body_text()))
        }
    })?;
    if bytes.is_empty() {
        return Err(ApiError::bad_request(format!(
            "corps de requête vide : envoyez {wanted}"
        )));
    }
    Ok(bytes)
}

fn is_json_type(t: &str) -> bool {
    t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
}

/// The media types `/transcribe` accepts.
pub(crate) const WAV_TYPES: [&str; 4] =
    ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"];

fn is_wav_type(t: &str) -> bool {
    WAV_TYPES.contains(&t)
}

/// A JSON body: 415 without `application/json`, 400 when empty, malformed,
/// or missing a field or with one of the wrong type.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state, is_json_type, "un objet JSON (application/json)").await?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(json_error)
    }
}

/// serde_json's error, said in French.
fn json_error(e: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let at = format!("ligne {}, colonne {}", e.line(), e.column());
    let message = match e.classify() {
        Category::Syntax | Category::Eof => format!("JSON mal formé ({at})"),
        Category::Io => format!("JSON illisible ({at})"),
        Category::Data => {
            let detail = e.to_string();
            let detail = detail
                .split(" at line ")
                .next()
                .unwrap_or(&detail)
                .to_string();
            if let Some(field) = detail
                .strip_prefix("missing field `")
                .and_then(|r| r.strip_suffix('`'))
            {
                format!("champ « {field} » manquant")
            } else if let Some(rest) = detail.strip_prefix("invalid type: ") {
                format!("valeur de mauvais type ({at}) : {rest}")
            } else {
                format!("contenu JSON inattendu ({at}) : {detail}")
            }
        }
    };
    ApiError::bad_request(message)
}

/// A WAV body (`audio/wav`, `audio/x-wav`, `audio/wave`).
#[derive(Debug)]
pub(crate) struct WavBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for WavBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_body(
            req,
            state,
            is_wav_type,
            "un fichier WAV (Content-Type: audio/wav)",
        )
        .await
        .map(WavBody)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct T {
        text: String,
    }

    fn err(body: &str) -> String {
        json_error(serde_json::from_str::<T>(body).unwrap_err()).message
    }

    #[test]
    fn json_errors_are_french() {
        assert_eq!(err("{}"), "champ « text » manquant");
        assert!(err(r#"{"text": 5}"#).starts_with("valeur de mauvais type"));
        assert!(err("{\"text\": ").starts_with("JSON mal formé"));
        assert!(
            err("[1]").starts_with("valeur de mauvais type"),
            "{}",
            err("[1]")
        );
    }

    #[test]
    fn media_types() {
        assert!(is_json_type("application/json"));
        assert!(is_json_type("application/problem+json"));
        assert!(!is_json_type("text/plain"));
        assert!(is_wav_type("audio/x-wav"));
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "Application/JSON; charset=utf-8".parse().unwrap(),
        );
        assert_eq!(media_type(&h).as_deref(), Some("application/json"));
    }
}
