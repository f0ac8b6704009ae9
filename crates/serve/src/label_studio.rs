//! Label Studio ML backend, as HumanSignal's `label-studio-ml-backend`
//! speaks it: `GET /health` (and `/`), `POST /setup`, `POST /predict`.
//!
//! Region names and the task's data key come from the project's labeling
//! config: the first `<Labels name=.. toName=..>` pointing at a
//! `<Text name=.. value="$key">`. The config given to `/setup` is kept per
//! project; a `label_config` in `/predict` wins; without either, the one of
//! `assets/label-studio/config.xml`.

use super::body::{ApiJson, limited};
use super::error::{ApiError, ErrorBody};
use super::{AppState, Limits, blocking};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use speechtimer_corpus::label_studio::{LabelConfig, ResultItem};
use speechtimer_nlu::Parsed;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Tasks tagged in one pass of the network.
const BATCH: usize = 16;
/// `model_class` of `/health`.
pub(crate) const MODEL_CLASS: &str = "SpeechTimerNer";

/// The config a request carries, if any (blank counts as none); 400 when
/// it cannot be read.
fn given_config(xml: Option<&str>) -> Result<Option<LabelConfig>, ApiError> {
    match xml {
        Some(x) if !x.trim().is_empty() => LabelConfig::parse(x)
            .map(Some)
            .map_err(ApiError::bad_request),
        _ => Ok(None),
    }
}

/// The configs given to `/setup`, by project id.
#[derive(Debug, Default)]
pub(crate) struct Projects(Mutex<HashMap<String, LabelConfig>>);

impl Projects {
    /// The map; a request that panicked while holding it (it never does:
    /// inserts and clones only) left it whole, so it is used as it is.
    fn map(&self) -> MutexGuard<'_, HashMap<String, LabelConfig>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, project: String, config: LabelConfig) {
        self.map().insert(project, config);
    }

    fn get(&self, project: &str) -> Option<LabelConfig> {
        self.map().get(project).cloned()
    }
}

/// Label Studio sends the project as `"<id>.<created timestamp>"` (or a
/// bare number): the id names it.
fn project_key(project: &Option<serde_json::Value>) -> String {
    match project {
        Some(serde_json::Value::String(s)) => s.split('.').next().unwrap_or("").to_string(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HealthResponse {
    /// Always `UP` when the server answers.
    #[schema(example = "UP")]
    pub status: &'static str,
    /// The backend's class name, as Label Studio shows it.
    #[schema(example = "SpeechTimerNer")]
    pub model_class: &'static str,
    /// `speechtimer-<version>-<architecture>[-<model directory>]`.
    #[schema(example = "speechtimer-0.1.0-lstm-crf")]
    pub model_version: String,
    /// Whether `/transcribe` can run (the Whisper model is loaded).
    pub transcribe: bool,
}

fn health_body(app: &AppState) -> Json<HealthResponse> {
    Json(HealthResponse {
        status: "UP",
        model_class: MODEL_CLASS,
        model_version: app.model_version.clone(),
        transcribe: app.asr.unavailable().is_none(),
    })
}

/// Backend health, as Label Studio checks it when connecting.
#[utoipa::path(
    get,
    path = "/health",
    tag = "label-studio",
    responses((status = 200, description = "Le serveur répond", body = HealthResponse))
)]
pub(crate) async fn health(State(app): State<Arc<AppState>>) -> Json<HealthResponse> {
    health_body(&app)
}

/// Same as `/health` (Label Studio also asks `/`).
#[utoipa::path(
    get,
    path = "/",
    tag = "label-studio",
    responses((status = 200, description = "Le serveur répond", body = HealthResponse))
)]
pub(crate) async fn root(State(app): State<Arc<AppState>>) -> Json<HealthResponse> {
    health_body(&app)
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SetupResponse {
    /// The model that will pre-annotate the project (as in `/health`).
    #[schema(example = "speechtimer-0.1.0-lstm-crf")]
    pub model_version: String,
}

/// One task's pre-annotation.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Prediction {
    /// `labels` regions, each with the entity's score.
    pub result: Vec<ResultItem>,
    /// Parse confidence (least sure token): sort ascending for uncertainty sampling.
    pub score: f32,
    /// The model that made the prediction (as in `/health`).
    pub model_version: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PredictResponse {
    /// One per task, in the order of the tasks.
    pub results: Vec<Prediction>,
    /// The model that made the predictions (as in `/health`).
    pub model_version: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SetupRequest {
    /// `"<id>.<timestamp>"` or an id.
    #[schema(value_type = Option<String>, example = "1.1718000000")]
    #[serde(default)]
    pub project: Option<serde_json::Value>,
    /// The project's labeling config (XML).
    #[serde(default)]
    pub schema: Option<String>,
}

/// Label Studio connects a project: its labeling config is kept.
#[utoipa::path(
    post,
    path = "/setup",
    tag = "label-studio",
    request_body = SetupRequest,
    responses(
        (status = 200, description = "Configuration retenue pour le projet", body = SetupResponse),
        (status = 400, description = "JSON mal formé, ou configuration sans <Labels> sur un <Text>", body = ErrorBody),
        (status = 415, description = "Content-Type autre que application/json", body = ErrorBody),
    )
)]
pub(crate) async fn setup(
    State(app): State<Arc<AppState>>,
    ApiJson(req): ApiJson<SetupRequest>,
) -> Result<Json<SetupResponse>, ApiError> {
    let key = project_key(&req.project);
    let config = given_config(req.schema.as_deref())?.unwrap_or_default();
    tracing::info!(
        "label studio project {key:?}: {} -> {} on data.{}",
        config.from_name,
        config.to_name,
        config.data_key
    );
    app.projects.set(key, config);
    Ok(Json(SetupResponse {
        model_version: app.model_version.clone(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PredictTask {
    #[schema(value_type = Option<u64>)]
    #[serde(default)]
    pub id: Option<serde_json::Value>,
    /// The task's data; the text is under the key the config names
    /// (`<Text value="$text">` -> `data.text`).
    #[schema(value_type = Object)]
    #[serde(default)]
    pub data: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PredictRequest {
    pub tasks: Vec<PredictTask>,
    /// The labeling config (XML); else the one given to /setup.
    #[serde(default)]
    pub label_config: Option<String>,
    #[schema(value_type = Option<String>, example = "1.1718000000")]
    #[serde(default)]
    pub project: Option<serde_json::Value>,
}

/// One task's prediction: the regions, and the parse confidence as the
/// score (the least sure token's marginal, low = worth a human look).
fn prediction(parsed: Option<&Parsed>, config: &LabelConfig, version: &str) -> Prediction {
    let Some(p) = parsed else {
        return Prediction {
            result: vec![],
            score: 0.0,
            model_version: version.into(),
        };
    };
    let result: Vec<ResultItem> = p
        .entities
        .iter()
        .filter(|e| config.labels.is_empty() || config.labels.iter().any(|l| l == e.label.as_str()))
        .enumerate()
        .map(|(i, e)| ResultItem::labels(i, e, &config.from_name, &config.to_name))
        .collect();
    Prediction {
        result,
        score: p.confidence,
        model_version: version.into(),
    }
}

/// Pre-labels tasks.
#[utoipa::path(
    post,
    path = "/predict",
    tag = "label-studio",
    request_body = PredictRequest,
    responses(
        (status = 200, description = "Une prédiction par tâche, dans l'ordre des tâches", body = PredictResponse),
        (status = 400, description = "JSON mal formé, `tasks` manquant, ou configuration illisible", body = ErrorBody),
        (status = 413, description = "Corps de plus de 4 Mo", body = ErrorBody),
        (status = 415, description = "Content-Type autre que application/json", body = ErrorBody),
    )
)]
pub(crate) async fn predict(
    State(app): State<Arc<AppState>>,
    ApiJson(req): ApiJson<PredictRequest>,
) -> Result<Json<PredictResponse>, ApiError> {
    let config = match given_config(req.label_config.as_deref())? {
        Some(c) => c,
        None => app
            .projects
            .get(&project_key(&req.project))
            .unwrap_or_default(),
    };
    let texts: Vec<Option<String>> = req
        .tasks
        .iter()
        .map(|t| {
            let text = t.data.get(&config.data_key).and_then(|v| v.as_str());
            if text.is_none() {
                tracing::warn!("task {:?} has no text under data.{}", t.id, config.data_key);
            }
            text.map(str::to_string)
        })
        .collect();
    let nlu = Arc::clone(&app.nlu);
    let present: Vec<String> = texts.iter().flatten().cloned().collect();
    let parsed = blocking(move || {
        let mut out = Vec::with_capacity(present.len());
        for chunk in present.chunks(BATCH) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            out.extend(
                nlu.parse_batch(&refs)
                    .map_err(|e| ApiError::internal(e.to_string()))?,
            );
        }
        Ok(out)
    })
    .await?;
    let mut parsed = parsed.iter();
    let results: Vec<Prediction> = texts
        .iter()
        .map(|t| {
            let p = t.as_ref().and_then(|_| parsed.next());
            prediction(p, &config, &app.model_version)
        })
        .collect();
    Ok(Json(PredictResponse {
        results,
        model_version: app.model_version.clone(),
    }))
}

/// The ML backend's routes, with their body limits.
pub(crate) fn routes(limits: &Limits) -> OpenApiRouter<Arc<AppState>> {
    let max = limits.label_studio_bytes;
    let (s1, p1, setup) = routes!(setup);
    let (s2, p2, predict) = routes!(predict);
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(root))
        .routes((s1, p1, limited(setup, max)))
        .routes((s2, p2, limited(predict, max)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_ids() {
        let v = |s: &str| Some(serde_json::from_str(s).unwrap());
        assert_eq!(project_key(&v("\"12.1718000000\"")), "12");
        assert_eq!(project_key(&v("7")), "7");
        assert_eq!(project_key(&None), "");
    }
}
