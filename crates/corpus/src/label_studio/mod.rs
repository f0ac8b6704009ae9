//! Label Studio interop: its JSON export of NER annotations -> our examples,
//! and our examples -> Label Studio tasks with `predictions`, so a team can
//! correct pre-labelled data. Label Studio offsets are code points, like ours.

mod config;

pub use config::LabelConfig;

use super::example::Example;
use serde::{Deserialize, Serialize};
use serde_json::json;
use speechtimer_core::values::{Entity, Label, plan_values};

/// The `from_name` / `to_name` of `assets/label-studio/config.xml`.
pub const FROM_NAME: &str = "label";
/// The `to_name` of `assets/label-studio/config.xml`: the `<Text>` labelled.
pub const TO_NAME: &str = "text";

#[derive(Debug, Deserialize)]
struct Task {
    #[serde(default)]
    id: Option<serde_json::Value>,
    data: TaskData,
    #[serde(default)]
    annotations: Vec<Annotation>,
}

#[derive(Debug, Deserialize)]
struct TaskData {
    text: String,
}

#[derive(Debug, Deserialize)]
struct Annotation {
    #[serde(default)]
    was_cancelled: bool,
    #[serde(default)]
    ground_truth: bool,
    #[serde(default)]
    result: Vec<ResultItem>,
}

/// One region of an annotation or prediction (`"type": "labels"`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ResultItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The region's id (`e{index}` in our exports), if any.
    #[cfg_attr(feature = "schema", schema(example = "e0"))]
    pub id: Option<String>,
    /// The region's `type`; only `labels` regions are imported.
    #[serde(rename = "type", default)]
    #[cfg_attr(feature = "schema", schema(example = "labels"))]
    pub kind: String,
    /// `name` of the config's `<Labels>`.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schema(example = "label"))]
    pub from_name: String,
    /// `name` of the `<Text>` it labels.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schema(example = "text"))]
    pub to_name: String,
    /// Where the region is and what label it has.
    pub value: ResultValue,
    /// The model's confidence in the region (predictions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
}

/// The span and label of a [`ResultItem`].
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ResultValue {
    /// Code points, `end` exclusive.
    pub start: usize,
    /// Code point just after the region.
    pub end: usize,
    /// The text the region covers; on import, when given, it must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// One label.
    pub labels: Vec<String>,
}

impl ResultItem {
    /// The `labels` region of `entity`, `e{index}` as its id, with the
    /// entity's score when it has one.
    pub fn labels(index: usize, entity: &Entity, from_name: &str, to_name: &str) -> Self {
        ResultItem {
            id: Some(format!("e{index}")),
            kind: "labels".into(),
            from_name: from_name.into(),
            to_name: to_name.into(),
            value: ResultValue {
                start: entity.start,
                end: entity.end,
                text: Some(entity.text.clone()),
                labels: vec![entity.label.as_str().into()],
            },
            score: entity.score,
        }
    }
}

/// Why a Label Studio export cannot be read, or why one task is skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LsError {
    /// The export is not a JSON list of tasks (the parser's message).
    #[error("export Label Studio illisible : {0}")]
    Json(String),
    /// The task has no annotation that was not cancelled.
    #[error("tâche {task} : aucune annotation (ou seulement des annulées)")]
    NoAnnotation {
        /// The task's `id`, or `n°` and its 1-based position when it has none.
        task: String,
    },
    /// A region's label is none of the known labels.
    #[error("tâche {task} : étiquette inconnue « {label} »")]
    UnknownLabel {
        /// The task's `id`, or `n°` and its 1-based position when it has none.
        task: String,
        /// The label as written.
        label: String,
    },
    /// A region is empty, reversed or runs past the end of the text.
    #[error("tâche {task} : région {start}..{end} hors du texte ou mal formée")]
    BadRegion {
        /// The task's `id`, or `n°` and its 1-based position when it has none.
        task: String,
        /// The region's first code point.
        start: usize,
        /// The code point just after the region.
        end: usize,
    },
    /// A region's `text` is not the text its offsets cover.
    #[error("tâche {task} : la région {start}..{end} couvre « {covered} », pas « {said} »")]
    TextMismatch {
        /// The task's `id`, or `n°` and its 1-based position when it has none.
        task: String,
        /// The region's first code point.
        start: usize,
        /// The code point just after the region.
        end: usize,
        /// The text the offsets cover.
        covered: String,
        /// The text the region gives.
        said: String,
    },
    /// Two regions of the task overlap.
    #[error("tâche {task} : régions qui se chevauchent")]
    Overlap {
        /// The task's `id`, or `n°` and its 1-based position when it has none.
        task: String,
    },
    /// The regions give no plan.
    #[error("tâche {task} : pas de plan ({reason})")]
    NoPlan {
        /// The task's `id`, or `n°` and its 1-based position when it has none.
        task: String,
        /// Why, in French (the plan error's message).
        reason: String,
    },
}

/// What an import gives: the examples, and the tasks skipped with why.
#[derive(Debug, Default)]
pub struct Import {
    /// One example per task that gave a valid one, in the export's order.
    pub examples: Vec<Example>,
    /// Why each other task was skipped, in the export's order.
    pub skipped: Vec<LsError>,
}

/// Reads a Label Studio JSON export (a list of tasks). Each task gives one
/// example from its ground-truth annotation, else its last annotation that
/// was not cancelled; labels other
/// than `labels` regions of `label` -> `text` are ignored. Tasks that cannot
/// become a valid example are listed in `skipped`.
pub fn import(json: &str) -> Result<Import, LsError> {
    let tasks: Vec<Task> = serde_json::from_str(json).map_err(|e| LsError::Json(e.to_string()))?;
    let mut out = Import::default();
    for (i, task) in tasks.into_iter().enumerate() {
        match import_task(i, task) {
            Ok(ex) => out.examples.push(ex),
            Err(e) => out.skipped.push(e),
        }
    }
    Ok(out)
}

fn import_task(index: usize, task: Task) -> Result<Example, LsError> {
    let name = match &task.id {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => format!("n°{}", index + 1),
    };
    let kept = || task.annotations.iter().rev().filter(|a| !a.was_cancelled);
    let annotation = kept()
        .find(|a| a.ground_truth)
        .or_else(|| kept().next())
        .ok_or_else(|| LsError::NoAnnotation { task: name.clone() })?;
    let text = task.data.text;
    let chars: Vec<char> = text.chars().collect();
    let mut entities = Vec::new();
    for item in &annotation.result {
        if item.kind != "labels" || item.from_name != FROM_NAME {
            continue;
        }
        let v = &item.value;
        let Some(label_name) = v.labels.first() else {
            continue;
        };
        let label: Label = label_name.parse().map_err(|_| LsError::UnknownLabel {
            task: name.clone(),
            label: label_name.clone(),
        })?;
        if v.start >= v.end || v.end > chars.len() {
            return Err(LsError::BadRegion {
                task: name.clone(),
                start: v.start,
                end: v.end,
            });
        }
        let covered: String = chars[v.start..v.end].iter().collect();
        if let Some(said) = &v.text
            && *said != covered
        {
            return Err(LsError::TextMismatch {
                task: name.clone(),
                start: v.start,
                end: v.end,
                covered,
                said: said.clone(),
            });
        }
        // a mouse selection often takes a space at an edge: the span is the
        // words alone (a region of white space only is no span)
        let lead = chars[v.start..v.end]
            .iter()
            .take_while(|c| c.is_whitespace())
            .count();
        let trail = chars[v.start + lead..v.end]
            .iter()
            .rev()
            .take_while(|c| c.is_whitespace())
            .count();
        let (start, end) = (v.start + lead, v.end - trail);
        if start >= end {
            return Err(LsError::BadRegion {
                task: name.clone(),
                start: v.start,
                end: v.end,
            });
        }
        let words: String = chars[start..end].iter().collect();
        entities.push(Entity::new(start, end, label, words));
    }
    entities.sort_by_key(|e| (e.start, e.end));
    if entities.windows(2).any(|w| w[1].start < w[0].end) {
        return Err(LsError::Overlap { task: name });
    }
    let plan = plan_values(&entities).map_err(|e| LsError::NoPlan {
        task: name,
        reason: e.to_string(),
    })?;
    Ok(Example {
        text,
        entities,
        plan: Some(plan),
    })
}

/// One Label Studio task: `text`, and `entities` as the regions (from
/// `names.0`, the `<Labels>`, to `names.1`, the `<Text>`) of a prediction
/// by `model_version`, with its `score` when given.
pub fn prediction_task(
    text: &str,
    entities: &[Entity],
    score: Option<f32>,
    names: (&str, &str),
    model_version: &str,
) -> serde_json::Value {
    let result: Vec<ResultItem> = entities
        .iter()
        .enumerate()
        .map(|(i, e)| ResultItem::labels(i, e, names.0, names.1))
        .collect();
    let mut prediction = json!({ "model_version": model_version, "result": result });
    if let Some(s) = score {
        prediction["score"] = json!(s);
    }
    json!({
        "data": { "text": text },
        "predictions": [prediction],
    })
}

/// Label Studio tasks with our entities as `predictions` (pretty JSON).
pub fn export(examples: &[Example], model_version: &str) -> String {
    let tasks: Vec<serde_json::Value> = examples
        .iter()
        .map(|ex| {
            prediction_task(
                &ex.text,
                &ex.entities,
                None,
                (FROM_NAME, TO_NAME),
                model_version,
            )
        })
        .collect();
    serde_json::to_string_pretty(&tasks).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_then_import_as_annotations() {
        let ex = Example {
            text: "récup 20, 3 séries de 1 min".into(),
            entities: vec![
                Entity::new(6, 8, Label::DurationBrSd, "20"),
                Entity::new(10, 11, Label::NbRounds, "3"),
                Entity::new(22, 23, Label::DurationWtMin, "1"),
            ],
            plan: plan_values(&[
                Entity::new(6, 8, Label::DurationBrSd, "20"),
                Entity::new(10, 11, Label::NbRounds, "3"),
                Entity::new(22, 23, Label::DurationWtMin, "1"),
            ])
            .ok(),
        };
        let exported = export(std::slice::from_ref(&ex), "gen");
        // a team accepts the predictions: they become annotations
        let as_annotations = exported.replace("\"predictions\"", "\"annotations\"");
        let back = import(&as_annotations).unwrap();
        assert!(back.skipped.is_empty(), "{:?}", back.skipped);
        assert_eq!(back.examples, vec![ex]);
    }

    #[test]
    fn bad_exports_are_errors_not_panics() {
        assert!(matches!(import("{"), Err(LsError::Json(_))));
        assert!(matches!(import("{}"), Err(LsError::Json(_))));
        assert_eq!(import("[]").unwrap().examples.len(), 0);
        let bad = r#"[{"id": 1, "data": {"text": "abc"}, "annotations": [{"result": [
            {"from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 2, "end": 99, "labels": ["nb_rounds"]}}]}]}]"#;
        let r = import(bad).unwrap();
        assert!(matches!(r.skipped[..], [LsError::BadRegion { .. }]));
    }
}
