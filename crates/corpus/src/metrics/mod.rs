//! Scores predictions against gold examples: entity F1 with seqeval
//! semantics (an entity counts only with its exact label and offsets),
//! per-label precision/recall/F1/support, and plan exact match.
//!
//! The predictor is whatever produced `pred`: a file today, a model later
//! (`evaluate` does not care where predictions come from).

pub mod heard;

use super::example::Example;
use serde::Serialize;
use speechtimer_core::values::{Entity, Label, PlanValues, plan_values};
use std::collections::{BTreeMap, HashMap};

/// Counts and rates for one label, or for all (micro average).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    /// Predicted entities that match a gold one (same label and offsets).
    pub true_pos: usize,
    /// Predicted entities that match no gold one.
    pub false_pos: usize,
    /// Gold entities that no prediction matches.
    pub false_neg: usize,
    /// `true_pos / (true_pos + false_pos)`, 0 when nothing was predicted.
    pub precision: f64,
    /// `true_pos / support`, 0 when there is no gold entity.
    pub recall: f64,
    /// Harmonic mean of precision and recall, 0 when both are 0.
    pub f1: f64,
    /// Gold entities of this label.
    pub support: usize,
}

impl Scores {
    fn from_counts(true_pos: usize, false_pos: usize, false_neg: usize) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(true_pos, true_pos + false_pos);
        let recall = ratio(true_pos, true_pos + false_neg);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Self {
            true_pos,
            false_pos,
            false_neg,
            precision,
            recall,
            f1,
            support: true_pos + false_neg,
        }
    }
}

/// One example the predictor got wrong (entities or plan).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorCase {
    /// 1-based index of the gold example.
    pub index: usize,
    /// The gold example's text.
    pub text: String,
    /// The gold entities.
    pub gold: Vec<Entity>,
    /// The predicted entities (none when the prediction is missing).
    pub pred: Vec<Entity>,
    /// The gold plan.
    pub gold_plan: Option<PlanValues>,
    /// The plan the prediction means (see [`predicted_plan`]), if any.
    pub pred_plan: Option<PlanValues>,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Number of gold examples.
    pub examples: usize,
    /// Gold examples with no prediction (scored as predicting nothing).
    pub missing_predictions: usize,
    /// Scores over all labels together (micro average).
    pub micro: Scores,
    /// Scores of each label, keyed by its name; every label is present.
    pub per_label: BTreeMap<String, Scores>,
    /// Gold examples with a plan whose prediction means the same rounds,
    /// work and rest: the guide's plan exact.
    pub plan_matches: usize,
    /// `plan_matches / examples`, 0 when there is no example.
    pub plan_exact_match: f64,
    /// Gold examples whose prediction means the same plan in every field
    /// (sets, warm-up, format… included, docs/annotation.md).
    pub plan_all_matches: usize,
    /// `plan_all_matches / examples`, 0 when there is no example.
    pub plan_exact_all: f64,
    /// The examples the predictor got wrong, in gold order.
    pub errors: Vec<ErrorCase>,
}

/// The plan a prediction means: its own if given, else computed from its spans.
pub fn predicted_plan(pred: &Example) -> Option<PlanValues> {
    pred.plan.or_else(|| plan_values(&pred.entities).ok())
}

/// Pairs each gold example with its prediction: line by line when both
/// files have the same texts in the same order, else by text.
pub fn align<'a>(gold: &[Example], pred: &'a [Example]) -> Vec<Option<&'a Example>> {
    if gold.len() == pred.len() && gold.iter().zip(pred).all(|(g, p)| g.text == p.text) {
        return pred.iter().map(Some).collect();
    }
    let mut by_text: HashMap<&str, Vec<&Example>> = HashMap::new();
    for p in pred.iter().rev() {
        by_text.entry(p.text.as_str()).or_default().push(p);
    }
    gold.iter()
        .map(|g| by_text.get_mut(g.text.as_str()).and_then(|v| v.pop()))
        .collect()
}

/// Scores `pred` against `gold` (aligned with [`align`]).
pub fn evaluate(gold: &[Example], pred: &[Example]) -> Report {
    let aligned = align(gold, pred);
    let mut counts: BTreeMap<Label, (usize, usize, usize)> =
        Label::ALL.iter().map(|&l| (l, (0, 0, 0))).collect();
    let (mut plan_matches, mut plan_all_matches, mut missing) = (0, 0, 0);
    let mut errors = Vec::new();
    let empty = Vec::new();
    for (i, (g, p)) in gold.iter().zip(&aligned).enumerate() {
        let pred_entities = p.map_or(&empty, |p| &p.entities);
        if p.is_none() {
            missing += 1;
        }
        let key = |e: &Entity| (e.start, e.end, e.label);
        let mut gold_left: HashMap<(usize, usize, Label), usize> = HashMap::new();
        for e in &g.entities {
            *gold_left.entry(key(e)).or_default() += 1;
        }
        let mut all_right = g.entities.len() == pred_entities.len();
        for e in pred_entities {
            let c = counts.entry(e.label).or_default();
            match gold_left.get_mut(&key(e)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    c.0 += 1;
                }
                _ => {
                    c.1 += 1;
                    all_right = false;
                }
            }
        }
        for ((_, _, label), n) in gold_left {
            counts.entry(label).or_default().2 += n;
            if n > 0 {
                all_right = false;
            }
        }
        let pred_plan = p.and_then(predicted_plan);
        let basics_ok = matches!((&g.plan, &pred_plan), (Some(g), Some(p)) if g.same_basics(p));
        let plan_ok = g.plan.is_some() && pred_plan == g.plan;
        plan_matches += usize::from(basics_ok);
        plan_all_matches += usize::from(plan_ok);
        if !plan_ok || !all_right {
            errors.push(ErrorCase {
                index: i + 1,
                text: g.text.clone(),
                gold: g.entities.clone(),
                pred: pred_entities.clone(),
                gold_plan: g.plan,
                pred_plan,
            });
        }
    }
    let (tp, fp, fn_) = counts
        .values()
        .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    Report {
        examples: gold.len(),
        missing_predictions: missing,
        micro: Scores::from_counts(tp, fp, fn_),
        per_label: counts
            .into_iter()
            .map(|(l, (tp, fp, fn_))| (l.as_str().to_string(), Scores::from_counts(tp, fp, fn_)))
            .collect(),
        plan_matches,
        plan_exact_match: share(plan_matches, gold.len()),
        plan_all_matches,
        plan_exact_all: share(plan_all_matches, gold.len()),
        errors,
    }
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

/// `[12 nb_rounds] [2 duration_wt_min]`: spans for a person to read.
pub fn show_spans(entities: &[Entity]) -> String {
    if entities.is_empty() {
        return "(rien)".into();
    }
    entities
        .iter()
        .map(|e| format!("[{} {} {}..{}]", e.text, e.label, e.start, e.end))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;

    fn ex(text: &str, spans: &[(usize, usize, Label)], plan: Option<(u32, u32, u32)>) -> Example {
        Example {
            text: text.into(),
            entities: spans
                .iter()
                .map(|&(s, e, l)| {
                    Entity::new(
                        s,
                        e,
                        l,
                        text.chars().skip(s).take(e - s).collect::<String>(),
                    )
                })
                .collect(),
            plan: plan.map(|(rounds, work_s, rest_s)| PlanValues::new(rounds, work_s, rest_s)),
        }
    }

    const T: &str = "12 séries de 2 minutes, 30 secondes entre série";

    #[test]
    fn perfect_prediction() {
        let g = vec![ex(
            T,
            &[
                (0, 2, NbRounds),
                (12, 13, DurationWtMin),
                (24, 26, DurationBrSd),
            ],
            Some((12, 120, 30)),
        )];
        let r = evaluate(&g, &g);
        assert_eq!(r.micro.f1, 1.0);
        assert_eq!(r.plan_exact_match, 1.0);
        assert!(r.errors.is_empty());
    }

    #[test]
    fn hand_computed_f1() {
        // gold: 3 entities. pred: one exact, one wrong label, one partial
        // overlap (offsets 24..25), one extra. tp=1, fp=3, fn=2.
        let g = vec![ex(
            T,
            &[
                (0, 2, NbRounds),
                (12, 13, DurationWtMin),
                (24, 26, DurationBrSd),
            ],
            Some((12, 120, 30)),
        )];
        let p = vec![ex(
            T,
            &[
                (0, 2, NbRounds),
                (12, 13, DurationWtSd),
                (24, 25, DurationBrSd),
                (27, 35, DurationBrSd),
            ],
            None,
        )];
        let r = evaluate(&g, &p);
        assert_eq!(
            (r.micro.true_pos, r.micro.false_pos, r.micro.false_neg),
            (1, 3, 2)
        );
        assert!((r.micro.precision - 0.25).abs() < 1e-12);
        assert!((r.micro.recall - 1.0 / 3.0).abs() < 1e-12);
        // 2pr/(p+r) = 2*(1/12)/(7/12) = 2/7
        assert!((r.micro.f1 - 2.0 / 7.0).abs() < 1e-12);
        let nb = r.per_label["nb_rounds"];
        assert_eq!(
            (nb.precision, nb.recall, nb.f1, nb.support),
            (1.0, 1.0, 1.0, 1)
        );
        let wt_min = r.per_label["duration_wt_min"];
        assert_eq!((wt_min.f1, wt_min.support), (0.0, 1));
        let wt_sd = r.per_label["duration_wt_sd"];
        assert_eq!(
            (wt_sd.false_pos, wt_sd.support, wt_sd.precision),
            (1, 0, 0.0)
        );
        let br = r.per_label["duration_br_sd"];
        assert_eq!((br.true_pos, br.false_pos, br.false_neg), (0, 2, 1));
        assert_eq!(r.plan_exact_match, 0.0);
        assert_eq!(r.errors.len(), 1);
    }

    #[test]
    fn two_examples_micro_and_plan_rate() {
        let g = vec![
            ex(
                "4 fois 30 s",
                &[(0, 1, NbRounds), (7, 9, DurationWtSd)],
                Some((4, 30, 0)),
            ),
            ex("1 minute", &[(0, 1, DurationWtMin)], Some((1, 60, 0))),
        ];
        // second prediction misses its only entity: no plan
        let p = vec![
            ex(
                "4 fois 30 s",
                &[(0, 1, NbRounds), (7, 9, DurationWtSd)],
                None,
            ),
            ex("1 minute", &[], None),
        ];
        let r = evaluate(&g, &p);
        assert_eq!(
            (r.micro.true_pos, r.micro.false_pos, r.micro.false_neg),
            (2, 0, 1)
        );
        assert!((r.micro.f1 - 0.8).abs() < 1e-12);
        assert_eq!(r.plan_matches, 1);
        assert_eq!(r.plan_exact_match, 0.5);
        assert_eq!(r.errors[0].index, 2);
        // a right plan from wrong spans still counts for the plan
        let p2 = vec![
            ex(
                "4 fois 30 s",
                &[(0, 1, NbRounds), (7, 9, DurationWtSd)],
                None,
            ),
            ex("1 minute", &[(0, 1, DurationWtMin)], Some((1, 60, 0))),
        ];
        assert_eq!(evaluate(&g, &p2).plan_exact_match, 1.0);
    }

    #[test]
    fn aligns_by_text_when_order_differs() {
        let a = ex("1 minute", &[(0, 1, DurationWtMin)], Some((1, 60, 0)));
        let b = ex("2 minutes", &[(0, 1, DurationWtMin)], Some((1, 120, 0)));
        let r = evaluate(&[a.clone(), b.clone()], &[b, a]);
        assert_eq!(r.micro.f1, 1.0);
        assert_eq!(r.missing_predictions, 0);
        let r = evaluate(&[ex("x", &[], Some((1, 1, 0)))], &[]);
        assert_eq!((r.missing_predictions, r.plan_matches), (1, 0));
    }
}
