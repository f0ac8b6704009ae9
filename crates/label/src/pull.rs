//! What `label pull` makes of a project's export: this project's examples
//! from the annotated tasks, each checked as `data check` does; the tasks
//! not yet annotated counted; every other task reported with why.

use speechtimer_corpus::label_studio::{LsError, import};
use speechtimer_corpus::{Example, validate};

/// An export, sorted out.
#[derive(Debug, Default)]
pub struct Pulled {
    /// The annotated tasks that make valid examples, in the export's order.
    pub examples: Vec<Example>,
    /// Tasks with no annotation yet (or only cancelled ones).
    pub unlabelled: usize,
    /// Annotated tasks that make no valid example, each with why (French).
    pub bad: Vec<String>,
}

/// Sorts out a Label Studio JSON export.
pub fn pulled(export_json: &str) -> Result<Pulled, LsError> {
    let import = import(export_json)?;
    let mut out = Pulled::default();
    for skipped in import.skipped {
        match skipped {
            LsError::NoAnnotation { .. } => out.unlabelled += 1,
            other => out.bad.push(other.to_string()),
        }
    }
    for ex in import.examples {
        let problems = validate(&ex);
        if problems.is_empty() {
            out.examples.push(ex);
        } else {
            let why: Vec<String> = problems.iter().map(ToString::to_string).collect();
            out.bad
                .push(format!("« {} » : {}", ex.text, why.join(" ; ")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotated_unlabelled_and_bad_tasks_are_each_accounted_for() {
        let export = r#"[
          {"id": 1, "data": {"text": "8 tours de 20 secondes"},
           "annotations": [{"result": [
             {"type": "labels", "from_name": "label", "to_name": "text",
              "value": {"start": 0, "end": 1, "text": "8", "labels": ["nb_rounds"]}},
             {"type": "labels", "from_name": "label", "to_name": "text",
              "value": {"start": 11, "end": 13, "text": "20", "labels": ["duration_wt_sd"]}}]}]},
          {"id": 2, "data": {"text": "pas encore vu"}, "annotations": []},
          {"id": 3, "data": {"text": "8 tours"},
           "annotations": [{"result": [
             {"type": "labels", "from_name": "label", "to_name": "text",
              "value": {"start": 0, "end": 1, "text": "8", "labels": ["nb_tours"]}}]}]}
        ]"#;
        let p = pulled(export).expect("an export");
        assert_eq!(p.examples.len(), 1);
        assert_eq!(p.examples[0].text, "8 tours de 20 secondes");
        assert_eq!(p.unlabelled, 1);
        assert_eq!(p.bad.len(), 1, "{:?}", p.bad);
        assert!(p.bad[0].contains("nb_tours"), "{:?}", p.bad);
    }

    #[test]
    fn an_export_that_is_no_list_is_an_error() {
        assert!(pulled("{\"detail\": \"x\"}").is_err());
    }
}
