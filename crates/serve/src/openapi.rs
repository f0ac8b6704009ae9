//! The routes with their OpenAPI 3 description (utoipa), and
//! `GET /openapi.json`.
//!
//! `/parse` and `/transcribe` answer with `Parsed::to_json()` plus a few
//! fields: the response types below only describe that JSON for the
//! document (tests/serve.rs checks every field served is described).

use super::body::limited;
use super::{AppState, Limits, label_studio, parse, transcribe};
use axum::routing::MethodRouter;
use serde::Serialize;
use std::sync::Arc;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// One entity: a span of the text in code points, `end` exclusive.
#[derive(Serialize, ToSchema)]
pub(crate) struct Entity {
    #[schema(example = 0)]
    pub start: usize,
    #[schema(example = 2)]
    pub end: usize,
    /// One of the 7 labels of ANNOTATION.md.
    #[schema(example = "nb_rounds")]
    pub label: String,
    #[schema(example = "12")]
    pub text: String,
    /// Mean marginal probability of the entity's tokens.
    #[schema(example = 0.998)]
    pub score: f32,
}

/// The workout the command means.
#[derive(Serialize, ToSchema)]
pub(crate) struct Plan {
    #[schema(example = 12)]
    pub rounds: u32,
    #[schema(example = 120)]
    pub work_s: u32,
    #[schema(example = 30)]
    pub rest_s: u32,
}

/// A word read as the number it sounds like.
#[derive(Serialize, ToSchema)]
pub(crate) struct Assumed {
    #[schema(example = "Cesse")]
    pub text: String,
    #[schema(example = 16)]
    pub value: u32,
}

/// Why one field of the plan is trusted, or must be checked.
#[derive(Serialize, ToSchema)]
pub(crate) struct FieldTrust {
    /// `heard` (said plainly), `default` (not said, 0 s of rest),
    /// `assumed` (not heard: 1 round), `sound_alike`, `low_score` (tagger
    /// unsure), `conflict` (two counts; the surest kept), `summed` (two
    /// whole numbers of one unit added up), `unclear` (Whisper unsure of
    /// the words), `rescored`
    /// (chosen again by Whisper over the audio). Every one but `heard`,
    /// `default` and a `rescored` with `clear` is uncertain.
    #[schema(example = "sound_alike")]
    pub why: String,
    /// The words behind the value (`sound_alike`, `low_score`, `unclear`).
    pub text: Option<String>,
    /// The value read (`sound_alike`, `rescored`).
    pub value: Option<u32>,
    /// The tagger's marginal probability (`low_score`).
    pub score: Option<f32>,
    /// Whisper's least token probability under the words (`unclear`).
    pub p: Option<f32>,
    /// The count kept and those ignored (`conflict`).
    pub kept: Option<String>,
    pub dropped: Option<Vec<String>>,
    /// The spans added up (`summed`).
    pub texts: Option<Vec<String>>,
    /// What Whisper first wrote in the count's place (`rescored`).
    pub heard: Option<String>,
    /// Log-probability lead of the chosen count over the next (`rescored`).
    pub margin: Option<f32>,
    /// Whether that lead is clear enough to trust the count (`rescored`).
    pub clear: Option<bool>,
}

/// The trust of each field of the plan.
#[derive(Serialize, ToSchema)]
pub(crate) struct PlanTrust {
    pub rounds: FieldTrust,
    pub work: FieldTrust,
    pub rest: FieldTrust,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ParseTimings {
    pub nlu_ms: f64,
}

/// `speechtimer parse --json` of the text, with timings.
#[derive(Serialize, ToSchema)]
pub(crate) struct ParseResponse {
    pub text: String,
    pub entities: Vec<Entity>,
    /// `null` when the command is incomplete (see `error`).
    pub plan: Option<Plan>,
    /// What could not be understood, in French (only without a plan).
    pub error: Option<String>,
    /// Confidence of the whole tagging: the least sure token's marginal.
    pub confidence: f32,
    /// Remarks (text cut, nothing to read...), when any.
    pub notes: Option<Vec<String>>,
    /// Sound-alikes read as numbers, when any.
    pub assumed: Option<Vec<Assumed>>,
    /// Why each field of the plan is trusted.
    pub trust: PlanTrust,
    /// The plan fields to check before running it (`rounds`, `work_s`,
    /// `rest_s`); empty when the plan is sure. The window says « À vérifier »
    /// and never starts such a plan by itself.
    #[schema(example = json!(["rounds"]))]
    pub uncertain: Vec<String>,
    pub timings: ParseTimings,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct TranscribeTimings {
    /// WAV decoding and resampling to 16 kHz.
    pub decode_ms: f64,
    /// Waiting for the transcriptions ahead.
    pub wait_ms: f64,
    pub asr_ms: f64,
    pub nlu_ms: f64,
    pub total_ms: f64,
}

/// The transcript, then the fields of `/parse` for it.
#[derive(Serialize, ToSchema)]
pub(crate) struct TranscribeResponse {
    /// The transcript (empty when nothing was said).
    pub text: String,
    pub no_speech: bool,
    /// Seconds of audio received.
    pub audio_s: f32,
    /// Whisper's mean token probability.
    pub asr_confidence: f32,
    pub entities: Vec<Entity>,
    pub plan: Option<Plan>,
    pub error: Option<String>,
    /// Confidence of the tagging (see /parse).
    pub confidence: f32,
    pub notes: Option<Vec<String>>,
    pub assumed: Option<Vec<Assumed>>,
    /// Why each field is trusted (see /parse); a doubtful round count has
    /// been heard again over the audio (`rescored`).
    pub trust: PlanTrust,
    /// The plan fields to check (see /parse).
    pub uncertain: Vec<String>,
    pub timings: TranscribeTimings,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SetupResponse {
    #[schema(example = "speechtimer-0.1.0-lstm-crf")]
    pub model_version: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct RegionValue {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// One label.
    pub labels: Vec<String>,
}

/// A Label Studio `labels` region.
#[derive(Serialize, ToSchema)]
pub(crate) struct Region {
    #[schema(example = "e0")]
    pub id: String,
    /// `name` of the config's `<Labels>`.
    #[schema(example = "label")]
    pub from_name: String,
    /// `name` of the `<Text>` it labels.
    #[schema(example = "text")]
    pub to_name: String,
    #[schema(example = "labels")]
    #[serde(rename = "type")]
    pub kind: String,
    pub value: RegionValue,
    pub score: f32,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Prediction {
    pub result: Vec<Region>,
    /// Parse confidence (least sure token): sort ascending for uncertainty sampling.
    pub score: f32,
    pub model_version: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PredictResponse {
    pub results: Vec<Prediction>,
    pub model_version: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "SpeechTimer",
        description = "Comprendre une commande de minuteur d'intervalles en français (texte ou WAV), et pré-annoter pour Label Studio. Les erreurs sont `{\"error\": \"…\"}`.",
    ),
    paths(openapi_json),
    tags(
        (name = "speechtimer", description = "Commande tapée ou dite -> séries, effort, repos"),
        (name = "label-studio", description = "Backend ML de Label Studio"),
    )
)]
struct ApiDoc;

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "speechtimer",
    responses((status = 200, description = "La description OpenAPI 3 de l'API", content_type = "application/json"))
)]
#[allow(dead_code)] // described here, served by `serve_json`
async fn openapi_json() {}

/// `GET /openapi.json` with the finished document.
pub(super) fn serve_json(doc: Arc<str>) -> MethodRouter<Arc<AppState>> {
    axum::routing::get(move || {
        let doc = Arc::clone(&doc);
        async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                doc.to_string(),
            )
        }
    })
}

fn with_limit(
    (schemas, paths, router): UtoipaMethodRouter<Arc<AppState>>,
    max: usize,
) -> UtoipaMethodRouter<Arc<AppState>> {
    (schemas, paths, limited(router, max))
}

/// Every documented route, each with its body limit.
pub(super) fn routes(limits: &Limits) -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(with_limit(routes!(parse::parse), limits.parse_bytes))
        .routes(with_limit(
            routes!(transcribe::transcribe),
            limits.audio_bytes,
        ))
        .routes(routes!(label_studio::health))
        .routes(routes!(label_studio::root))
        .routes(with_limit(
            routes!(label_studio::setup),
            limits.label_studio_bytes,
        ))
        .routes(with_limit(
            routes!(label_studio::predict),
            limits.label_studio_bytes,
        ))
}
