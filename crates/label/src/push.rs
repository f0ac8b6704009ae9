//! What `label push` sends: one task per text with the model's regions
//! attached as a prediction, the least certain first (uncertainty
//! sampling: the score is the least sure token's CRF marginal), so the
//! annotators' queue starts where the model needs them most.

use serde_json::Value;
use speechtimer_core::values::Entity;
use speechtimer_corpus::label_studio::prediction_task;

/// A text as the model tagged it.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicted {
    /// The text.
    pub text: String,
    /// The model's spans.
    pub entities: Vec<Entity>,
    /// The model's confidence in the whole tagging, 0 to 1.
    pub confidence: f32,
}

/// The tasks to import, least certain first (texts of equal confidence
/// keep their order); regions from `from_name` (`<Labels>`) to `to_name`
/// (`<Text>`) of the project's config.
pub fn push_tasks(
    mut items: Vec<Predicted>,
    from_name: &str,
    to_name: &str,
    model_version: &str,
) -> Value {
    items.sort_by(|a, b| a.confidence.total_cmp(&b.confidence));
    Value::Array(
        items
            .iter()
            .map(|p| {
                prediction_task(
                    &p.text,
                    &p.entities,
                    Some(p.confidence),
                    (from_name, to_name),
                    model_version,
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::Label;

    fn item(text: &str, confidence: f32) -> Predicted {
        Predicted {
            text: text.into(),
            entities: vec![Entity::new(0, 1, Label::NbRounds, "8")],
            confidence,
        }
    }

    #[test]
    fn least_certain_first_with_scores_and_regions() {
        let tasks = push_tasks(
            vec![
                item("8 a", 0.99),
                item("8 b", 0.41),
                item("8 c", 0.73),
                item("8 d", 0.41),
            ],
            "label",
            "text",
            "v1",
        );
        let texts: Vec<&str> = tasks
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|t| t.pointer("/data/text").and_then(Value::as_str))
            .collect();
        assert_eq!(texts, ["8 b", "8 d", "8 c", "8 a"]);
        let first = &tasks[0]["predictions"][0];
        assert_eq!(first["model_version"], "v1");
        assert!((first["score"].as_f64().unwrap_or(0.0) - 0.41).abs() < 1e-6);
        assert_eq!(first["result"][0]["value"]["labels"][0], "nb_rounds");
        assert_eq!(first["result"][0]["value"]["start"], 0);
    }
}
