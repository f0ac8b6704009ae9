//! Checks an example against ANNOTATION.md: offsets inside the text, span
//! texts equal to what the offsets cover, sorted and disjoint spans, known
//! labels (enforced when reading), and a plan equal to what the spans mean.

use super::example::{Example, ReadError, read_jsonl};
use speechtimer_core::values::{PlanValues, plan_values};
use std::io::BufRead;

/// One thing wrong with an example. Messages are French: annotators read them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The line cannot be read as an example (see [`ReadError`]).
    #[error("{0}")]
    Unreadable(ReadError),
    /// The text is empty or only whitespace.
    #[error("texte vide")]
    EmptyText,
    /// An entity does not start before its end (reversed or empty).
    #[error("entité {index} : début {start} après la fin {end}")]
    Reversed {
        /// 0-based position of the entity in the example.
        index: usize,
        /// The entity's start offset, in code points.
        start: usize,
        /// The entity's end offset, in code points.
        end: usize,
    },
    /// An entity ends past the end of the text.
    #[error("entité {index} : la fin {end} dépasse le texte ({len} caractères)")]
    OutOfText {
        /// 0-based position of the entity in the example.
        index: usize,
        /// The code point just after the entity.
        end: usize,
        /// Length of the text, in code points.
        len: usize,
    },
    /// An entity's `text` is not the text its offsets cover.
    #[error("entité {index} : le texte couvert est « {covered} », pas « {said} »")]
    TextMismatch {
        /// 0-based position of the entity in the example.
        index: usize,
        /// The text the offsets cover.
        covered: String,
        /// The entity's `text`.
        said: String,
    },
    /// An entity starts or ends with whitespace.
    #[error("entité {index} : des espaces en bord d'entité « {text} »")]
    Padded {
        /// 0-based position of the entity in the example.
        index: usize,
        /// The text the entity covers, whitespace included.
        text: String,
    },
    /// An entity starts before the one listed before it.
    #[error("entité {index} : pas dans l'ordre (commence à {start}, avant {prev_start})")]
    Unsorted {
        /// 0-based position of the entity in the example.
        index: usize,
        /// The entity's first code point.
        start: usize,
        /// The previous entity's first code point.
        prev_start: usize,
    },
    /// An entity starts before the previous one ends.
    #[error(
        "entité {index} : chevauche la précédente (commence à {start}, avant sa fin {prev_end})"
    )]
    Overlap {
        /// 0-based position of the entity in the example.
        index: usize,
        /// The entity's first code point.
        start: usize,
        /// The code point just after the previous entity.
        prev_end: usize,
    },
    /// The example has no `plan`.
    #[error("plan absent")]
    NoPlan,
    /// The entities give no plan (why, in French).
    #[error("les entités ne donnent pas de plan : {0}")]
    NoValues(String),
    /// The written plan is not the one the entities give.
    #[error("plan {written:?} alors que les entités donnent {computed:?}")]
    PlanMismatch {
        /// The example's `plan`.
        written: PlanValues,
        /// The plan the entities give.
        computed: PlanValues,
    },
}

/// Every problem of one example; empty when it follows the guide.
pub fn validate(ex: &Example) -> Vec<Problem> {
    let mut problems = Vec::new();
    if ex.text.trim().is_empty() {
        problems.push(Problem::EmptyText);
    }
    let len = ex.text.chars().count();
    let mut prev: Option<(usize, usize)> = None;
    let mut spans_ok = true;
    for (index, e) in ex.entities.iter().enumerate() {
        if e.start >= e.end {
            problems.push(Problem::Reversed {
                index,
                start: e.start,
                end: e.end,
            });
            spans_ok = false;
        } else if e.end > len {
            problems.push(Problem::OutOfText {
                index,
                end: e.end,
                len,
            });
            spans_ok = false;
        } else if let Some(covered) = ex.span_text(e) {
            if covered != e.text {
                problems.push(Problem::TextMismatch {
                    index,
                    covered: covered.to_string(),
                    said: e.text.clone(),
                });
                spans_ok = false;
            } else if covered.trim() != covered {
                problems.push(Problem::Padded {
                    index,
                    text: covered.to_string(),
                });
            }
        }
        if let Some((prev_start, prev_end)) = prev {
            if e.start < prev_start {
                problems.push(Problem::Unsorted {
                    index,
                    start: e.start,
                    prev_start,
                });
            } else if e.start < prev_end {
                problems.push(Problem::Overlap {
                    index,
                    start: e.start,
                    prev_end,
                });
            }
        }
        prev = Some((e.start, e.end));
    }
    match (ex.plan, spans_ok) {
        (None, _) => problems.push(Problem::NoPlan),
        (Some(_), false) => {}
        (Some(written), true) => match plan_values(&ex.entities) {
            Err(e) => problems.push(Problem::NoValues(e.to_string())),
            Ok(computed) if computed != written => {
                problems.push(Problem::PlanMismatch { written, computed })
            }
            Ok(_) => {}
        },
    }
    problems
}

/// What `data check` found in a file.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Non-blank lines read.
    pub lines: usize,
    /// Lines that follow the guide.
    pub valid: usize,
    /// `(line number, problem)` for every problem of every bad line.
    pub problems: Vec<(usize, Problem)>,
}

impl CheckReport {
    /// True when at least one line was read and no line has a problem.
    pub fn is_clean(&self) -> bool {
        self.lines > 0 && self.problems.is_empty()
    }
}

/// Checks every line of a JSONL stream; a bad line never stops the others.
pub fn check_lines<R: BufRead>(reader: R) -> CheckReport {
    let mut report = CheckReport::default();
    for (n, result) in read_jsonl(reader) {
        report.lines += 1;
        let problems = match result {
            Ok(ex) => validate(&ex),
            Err(e) => vec![Problem::Unreadable(e)],
        };
        if problems.is_empty() {
            report.valid += 1;
        }
        report.problems.extend(problems.into_iter().map(|p| (n, p)));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::{Entity, Label};

    fn ex(text: &str, entities: Vec<Entity>, plan: Option<(u32, u32, u32)>) -> Example {
        Example {
            text: text.into(),
            entities,
            plan: plan.map(|(rounds, work_s, rest_s)| PlanValues::new(rounds, work_s, rest_s)),
        }
    }

    #[test]
    fn guide_example_offset_slip_is_reported() {
        let guide = r#"{"text": "12 séries de 2 minutes, 30 secondes entre série", "entities": [{"start": 0, "end": 2, "label": "nb_rounds", "text": "12"}, {"start": 12, "end": 13, "label": "duration_wt_min", "text": "2"}, {"start": 24, "end": 26, "label": "duration_br_sd", "text": "30"}], "plan": {"rounds": 12, "work_s": 120, "rest_s": 30}}"#;
        let mut ex = Example::from_json_line(guide).unwrap();
        assert!(matches!(
            validate(&ex)[..],
            [Problem::TextMismatch { index: 1, .. }]
        ));
        ex.entities[1].start = 13;
        ex.entities[1].end = 14;
        assert_eq!(validate(&ex), vec![]);
    }

    #[test]
    fn good_example_has_no_problem() {
        let e = ex(
            "3 séries de 45 s, récup 15",
            vec![
                Entity::new(0, 1, Label::NbRounds, "3"),
                Entity::new(12, 14, Label::DurationWtSd, "45"),
                Entity::new(24, 26, Label::DurationBrSd, "15"),
            ],
            Some((3, 45, 15)),
        );
        assert_eq!(validate(&e), vec![]);
    }

    #[test]
    fn finds_each_kind_of_problem() {
        let t = "3 séries de 45 s";
        let p = |ents, plan| validate(&ex(t, ents, plan));
        assert!(matches!(
            p(
                vec![Entity::new(12, 30, Label::DurationWtSd, "45")],
                Some((1, 45, 0))
            )[..],
            [Problem::OutOfText { .. }]
        ));
        assert!(matches!(
            p(
                vec![Entity::new(11, 13, Label::DurationWtSd, "45")],
                Some((1, 45, 0))
            )[..],
            [Problem::TextMismatch { .. }]
        ));
        assert!(matches!(
            p(
                vec![Entity::new(5, 5, Label::DurationWtSd, "")],
                Some((1, 45, 0))
            )[..],
            [Problem::Reversed { .. }]
        ));
        let unsorted = vec![
            Entity::new(12, 14, Label::DurationWtSd, "45"),
            Entity::new(0, 1, Label::NbRounds, "3"),
        ];
        assert!(matches!(
            p(unsorted, Some((3, 45, 0)))[..],
            [Problem::Unsorted { .. }]
        ));
        let overlap = vec![
            Entity::new(12, 14, Label::DurationWtSd, "45"),
            Entity::new(13, 14, Label::DurationBrSd, "5"),
        ];
        assert!(matches!(
            p(overlap, Some((1, 45, 5)))[..],
            [Problem::Overlap { .. }]
        ));
        let good = || {
            vec![
                Entity::new(0, 1, Label::NbRounds, "3"),
                Entity::new(12, 14, Label::DurationWtSd, "45"),
            ]
        };
        assert!(matches!(
            p(good(), Some((3, 46, 0)))[..],
            [Problem::PlanMismatch { .. }]
        ));
        assert_eq!(p(good(), None), vec![Problem::NoPlan]);
        assert!(matches!(
            p(
                vec![Entity::new(0, 1, Label::NbRounds, "3")],
                Some((3, 0, 0))
            )[..],
            [Problem::NoValues(_)]
        ));
        assert_eq!(
            validate(&ex(" ", vec![], Some((1, 1, 0))))[0],
            Problem::EmptyText
        );
    }

    #[test]
    fn check_reports_every_bad_line_by_number() {
        let data = "{\"text\": \"1 minute\", \"entities\": [{\"start\": 0, \"end\": 1, \"label\": \"duration_wt_min\", \"text\": \"1\"}], \"plan\": {\"rounds\": 1, \"work_s\": 60, \"rest_s\": 0}}\n\
                    [1,2]\n\
                    {\"text\": \"1 minute\", \"entities\": [{\"start\": 0, \"end\": 1, \"label\": \"duration_wt_min\", \"text\": \"1\"}], \"plan\": {\"rounds\": 1, \"work_s\": 61, \"rest_s\": 0}}\n";
        let r = check_lines(data.as_bytes());
        assert_eq!((r.lines, r.valid), (3, 1));
        let lines: Vec<usize> = r.problems.iter().map(|(n, _)| *n).collect();
        assert_eq!(lines, [2, 3]);
        assert!(!r.is_clean());
        assert!(!check_lines(&b""[..]).is_clean());
    }
}
