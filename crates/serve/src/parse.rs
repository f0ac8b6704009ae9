//! `POST /parse`: a typed command -> entities, plan, confidence, timings.

use super::body::ApiJson;
use super::error::{ApiError, ErrorBody};
use super::openapi::ParseResponse;
use super::{AppState, JsonResult, blocking, ms_since};
use speechtimer_nlu::Nlu;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Instant;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ParseRequest {
    /// The command, as typed or transcribed.
    #[schema(example = "12 séries de 2 minutes, 30 secondes entre série")]
    pub text: String,
}

/// `Parsed::to_json()` of `text` (the fields of `speechtimer parse --json`),
/// and the milliseconds it took.
pub(crate) async fn understand(
    nlu: &Arc<Nlu>,
    text: String,
) -> Result<(serde_json::Value, f64), ApiError> {
    let nlu = Arc::clone(nlu);
    blocking(move || {
        let t0 = Instant::now();
        let parsed = nlu
            .parse(&text)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok((parsed.to_json(), ms_since(t0)))
    })
    .await
}

/// Understands a typed command.
#[utoipa::path(
    post,
    path = "/parse",
    tag = "speechtimer",
    request_body = ParseRequest,
    responses(
        (status = 200, description = "Entités (décalages en points de code), plan ou erreur, confiance", body = ParseResponse),
        (status = 400, description = "JSON mal formé, corps vide, champ `text` manquant ou pas une chaîne", body = ErrorBody),
        (status = 413, description = "Corps de plus de 64 Ko", body = ErrorBody),
        (status = 415, description = "Content-Type autre que application/json", body = ErrorBody),
    )
)]
pub(crate) async fn parse(
    State(app): State<Arc<AppState>>,
    ApiJson(req): ApiJson<ParseRequest>,
) -> JsonResult {
    let (mut v, nlu_ms) = understand(&app.nlu, req.text).await?;
    v["timings"] = serde_json::json!({ "nlu_ms": nlu_ms });
    Ok(Json(v))
}
