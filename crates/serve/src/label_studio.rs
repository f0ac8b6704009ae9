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
use quick_xml::events::{BytesStart, Event};
use serde::{Deserialize, Serialize};
use speechtimer_corpus::label_studio::{FROM_NAME, ResultItem, TO_NAME};
use speechtimer_nlu::Parsed;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The project's config the labeling tool ships with.
const DEFAULT_CONFIG: &str = include_str!("../../../assets/label-studio/config.xml");
/// Tasks tagged in one pass of the network.
const BATCH: usize = 16;
/// `model_class` of `/health`.
pub(crate) const MODEL_CLASS: &str = "SpeechTimerNer";

/// What a labeling config tells the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelConfig {
    /// `name` of the `<Labels>` tag.
    pub from_name: String,
    /// `name` of the `<Text>` tag it labels.
    pub to_name: String,
    /// The task data key of that text (`$key` without the `$`).
    pub data_key: String,
    /// The label values the config offers; predictions keep only these.
    pub labels: Vec<String>,
}

impl Default for LabelConfig {
    fn default() -> Self {
        parse_config(DEFAULT_CONFIG).unwrap_or_else(|_| LabelConfig {
            from_name: FROM_NAME.into(),
            to_name: TO_NAME.into(),
            data_key: "text".into(),
            labels: Vec::new(),
        })
    }
}

#[derive(Debug, Default)]
struct LabelsTag {
    name: String,
    to_names: Vec<String>,
    values: Vec<String>,
}

fn attr(tag: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.trim().to_string())
        })
}

/// Reads the tags that matter in a labeling config; any XML error or a
/// config with no `<Labels>` on a `<Text>` is a French message.
pub(crate) fn parse_config(xml: &str) -> Result<LabelConfig, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut texts: Vec<(String, String)> = Vec::new(); // name, data key
    let mut labels: Vec<LabelsTag> = Vec::new();
    let mut open_labels = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "configuration d'étiquetage illisible (octet {}) : {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(ref t) | Event::Empty(ref t) => {
                let empty = matches!(event, Event::Empty(_));
                match t.name().as_ref() {
                    b"Labels" => {
                        labels.push(LabelsTag {
                            name: attr(t, b"name").unwrap_or_default(),
                            to_names: attr(t, b"toName")
                                .unwrap_or_default()
                                .split(',')
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty())
                                .collect(),
                            values: Vec::new(),
                        });
                        open_labels = !empty;
                    }
                    b"Label" if open_labels => {
                        if let (Some(l), Some(v)) = (labels.last_mut(), attr(t, b"value")) {
                            l.values.push(v);
                        }
                    }
                    b"Text" => {
                        if let (Some(n), Some(v)) = (attr(t, b"name"), attr(t, b"value")) {
                            texts.push((n, v.trim_start_matches('$').to_string()));
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref t) if t.name().as_ref() == b"Labels" => open_labels = false,
            Event::Eof => break,
            _ => {}
        }
    }
    labels
        .into_iter()
        .filter(|l| !l.name.is_empty())
        .find_map(|l| {
            let (to_name, data_key) = texts.iter().find(|(n, _)| l.to_names.contains(n))?;
            Some(LabelConfig {
                from_name: l.name.clone(),
                to_name: to_name.clone(),
                data_key: data_key.clone(),
                labels: l.values.clone(),
            })
        })
        .ok_or_else(|| {
            "configuration d'étiquetage sans balise <Labels name=\"…\" toName=\"…\"> reliée à une balise <Text name=\"…\" value=\"$…\">".to_string()
        })
}

/// The config a request carries, if any (blank counts as none); 400 when
/// it cannot be read.
fn given_config(xml: Option<&str>) -> Result<Option<LabelConfig>, ApiError> {
    match xml {
        Some(x) if !x.trim().is_empty() => parse_config(x).map(Some).map_err(ApiError::bad_request),
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
    use speechtimer_core::values::Label;

    #[test]
    fn shipped_config_gives_the_corpus_names() {
        let c = LabelConfig::default();
        assert_eq!(
            (c.from_name.as_str(), c.to_name.as_str()),
            (FROM_NAME, TO_NAME)
        );
        assert_eq!(c.data_key, "text");
        assert_eq!(c.labels.len(), Label::ALL.len());
    }

    #[test]
    fn names_come_from_the_labels_on_a_text() {
        let xml = r#"<View>
          <!-- a comment -->
          <Header value="Étiquetez &amp; vérifiez"/>
          <Image name="img" value="$image"/>
          <Labels name="boxes" toName="img"><Label value="cat"/></Labels>
          <Labels name="ner" toName="utt">
            <Label value="nb_rounds"></Label>
            <Label value="duration_wt_min"/>
          </Labels>
          <Text name="utt" value="$sentence"/>
        </View>"#;
        let c = parse_config(xml).unwrap();
        assert_eq!(c.from_name, "ner");
        assert_eq!(c.to_name, "utt");
        assert_eq!(c.data_key, "sentence");
        assert_eq!(c.labels, vec!["nb_rounds", "duration_wt_min"]);
    }

    #[test]
    fn bad_configs_are_messages() {
        assert!(parse_config("<View><Text name='t' value='$t'/></View>").is_err());
        assert!(parse_config("<View><Labels name='a' toName='t'></View>").is_err());
        assert!(parse_config("not xml at all <<<").is_err());
        assert!(parse_config("").is_err());
    }

    #[test]
    fn project_ids() {
        let v = |s: &str| Some(serde_json::from_str(s).unwrap());
        assert_eq!(project_key(&v("\"12.1718000000\"")), "12");
        assert_eq!(project_key(&v("7")), "7");
        assert_eq!(project_key(&None), "");
    }
}
