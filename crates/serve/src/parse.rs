//! `POST /parse`: a typed command -> entities, plan, confidence, timings.

use super::body::{ApiJson, limited};
use super::error::{ApiError, ErrorBody};
use super::{AppState, Limits, blocking, ms_since};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use speechtimer_nlu::{Nlu, ParseReport, Reading};
use std::sync::Arc;
use std::time::Instant;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ParseRequest {
    /// The command, as typed or transcribed.
    #[schema(example = "12 séries de 2 minutes, 30 secondes entre série")]
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ParseTimings {
    /// Reading the plan in the text, in milliseconds.
    pub nlu_ms: f64,
}

/// `speechtimer parse --json` of the text, with timings.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ParseResponse {
    #[serde(flatten)]
    pub report: ParseReport,
    /// Where the time went.
    pub timings: ParseTimings,
}

/// What `text` means (the fields of `speechtimer parse --json`), and the
/// milliseconds it took.
pub(crate) async fn understand(
    nlu: &Arc<Nlu>,
    text: String,
) -> Result<(ParseReport, f64), ApiError> {
    let nlu = Arc::clone(nlu);
    blocking(move || {
        let t0 = Instant::now();
        let parsed = nlu
            .parse(&text)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok((parsed.report(), ms_since(t0)))
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
) -> Result<Json<ParseResponse>, ApiError> {
    let (report, nlu_ms) = understand(&app.nlu, req.text).await?;
    Ok(Json(ParseResponse {
        report,
        timings: ParseTimings { nlu_ms },
    }))
}

/// `/parse`, with its body limit.
pub(crate) fn routes(limits: &Limits) -> OpenApiRouter<Arc<AppState>> {
    let (schemas, paths, router) = routes!(parse);
    OpenApiRouter::new().routes((schemas, paths, limited(router, limits.parse_bytes)))
}

/// The reading of `text`, for a transcript that gave none.
pub(crate) async fn read(nlu: &Arc<Nlu>, text: String) -> Result<(Reading, f64), ApiError> {
    let (report, ms) = understand(nlu, text).await?;
    Ok((report.reading, ms))
}
