//! Gold labels carried over to what Whisper wrote for a spoken example:
//! the example's words and the transcript's are aligned by edit distance,
//! each entity goes to the transcript words aligned with its own, and the
//! example is kept only when every projected span still says the same
//! number and the plan comes out the same.

use super::Example;
use super::validate::validate;
use speechtimer_core::values::{Entity, parse_number, strip_accents};

/// Why a transcript cannot carry the example's labels.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unprojected {
    /// No transcript word stands for any word of this entity (its gold text).
    #[error("« {0} » n'a pas d'équivalent dans la transcription")]
    Lost(String),
    /// The projected span says another number than the entity.
    #[error("« {gold} » est devenu « {heard} »")]
    Changed {
        /// The entity's text in the example.
        gold: String,
        /// The transcript's text in its place.
        heard: String,
    },
    /// The unit after this entity (its gold text) is not written as said.
    #[error("l'unité après « {0} » a changé")]
    Unit(String),
    /// The projected example fails the checks of `validate` (for instance,
    /// its spans no longer give the example's plan).
    #[error("le plan ne se retrouve pas dans la transcription")]
    Plan,
}

/// The unit a word names: 1 (seconds), 60 (minutes), 3600 (hours).
fn unit(key: &str) -> Option<u32> {
    match key {
        "s" | "sec" | "secs" | "seconde" | "secondes" => Some(1),
        "min" | "mn" | "mins" | "minute" | "minutes" => Some(60),
        "h" | "heure" | "heures" => Some(3600),
        _ => None,
    }
}

/// One word: a run of letters or a run of digits (so `1h30` is three
/// words and `vingt-cinq` two), with code-point offsets.
#[derive(Debug)]
struct Word {
    start: usize,
    end: usize,
    key: String,
    /// The number the word says alone, if it is one.
    number: Option<f64>,
}

fn words(text: &str) -> Vec<Word> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        let digit = c.is_ascii_digit();
        let start = i;
        while i < chars.len() && chars[i].is_alphanumeric() && chars[i].is_ascii_digit() == digit {
            i += 1;
        }
        let raw: String = chars[start..i].iter().collect();
        out.push(Word {
            start,
            end: i,
            number: parse_number(&raw).ok(),
            key: strip_accents(&raw.to_lowercase()),
        });
    }
    out
}

/// Cost of writing `b` where `a` was said: nothing for the same word (or
/// number: `six` and `6`), less for a number heard as another number than
/// for unrelated words, the most for a number turned into a word (or
/// back); `s` and `secondes` are nearly the same word.
fn substitution(a: &Word, b: &Word) -> f64 {
    if a.key == b.key {
        0.0
    } else if unit(&a.key).is_some() && unit(&a.key) == unit(&b.key) {
        0.05
    } else if let (Some(x), Some(y)) = (a.number, b.number) {
        if (x - y).abs() < 1e-9 { 0.05 } else { 0.4 }
    } else if a.number.is_some() != b.number.is_some() {
        // dearer than dropping one and adding the other
        2.0 * GAP + 0.1
    } else {
        (1.0 - strsim::normalized_levenshtein(&a.key, &b.key)).max(0.1)
    }
}

const GAP: f64 = 0.7;

/// For each gold word, the transcript word written in its place (none
/// when it was dropped).
fn align(gold: &[Word], heard: &[Word]) -> Vec<Option<usize>> {
    let (n, m) = (gold.len(), heard.len());
    let mut cost = vec![vec![0.0f64; m + 1]; n + 1];
    for (i, row) in cost.iter_mut().enumerate() {
        row[0] = i as f64 * GAP;
    }
    for (j, c) in cost[0].iter_mut().enumerate() {
        *c = j as f64 * GAP;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = cost[i - 1][j - 1] + substitution(&gold[i - 1], &heard[j - 1]);
            let del = cost[i - 1][j] + GAP;
            let ins = cost[i][j - 1] + GAP;
            cost[i][j] = sub.min(del).min(ins);
        }
    }
    let mut out = vec![None; n];
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        let here = cost[i][j];
        if (here - (cost[i - 1][j - 1] + substitution(&gold[i - 1], &heard[j - 1]))).abs() < 1e-9 {
            out[i - 1] = Some(j - 1);
            i -= 1;
            j -= 1;
        } else if (here - (cost[i - 1][j] + GAP)).abs() < 1e-9 {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    out
}

fn same_number(a: &str, b: &str) -> bool {
    matches!((parse_number(a), parse_number(b)), (Ok(x), Ok(y)) if (x - y).abs() < 1e-9)
}

/// `gold` as if its text were `transcript`: the same entities on the words
/// Whisper wrote for them, the same plan.
pub fn project(gold: &Example, transcript: &str) -> Result<Example, Unprojected> {
    let gold_words = words(&gold.text);
    let heard_words = words(transcript);
    let aligned = align(&gold_words, &heard_words);
    let chars: Vec<char> = transcript.chars().collect();
    let mut entities = Vec::with_capacity(gold.entities.len());
    for e in &gold.entities {
        let mut span: Option<(usize, usize)> = None;
        for (w, a) in gold_words.iter().zip(&aligned) {
            if w.start >= e.start
                && w.end <= e.end
                && let Some(h) = a.map(|j| &heard_words[j])
            {
                span = Some(match span {
                    None => (h.start, h.end),
                    Some((s, t)) => (s.min(h.start), t.max(h.end)),
                });
            }
        }
        let (start, end) = span.ok_or_else(|| Unprojected::Lost(e.text.clone()))?;
        // the unit said right after the number must be the unit written
        let said_unit = gold_words
            .iter()
            .position(|w| w.start >= e.end)
            .and_then(|i| unit(&gold_words[i].key).map(|u| (u, aligned[i])));
        let written_unit = heard_words
            .iter()
            .find(|w| w.start >= end)
            .and_then(|w| unit(&w.key));
        let unit_kept = match said_unit {
            Some((u, Some(j))) => unit(&heard_words[j].key) == Some(u),
            Some((_, None)) => false,
            None => written_unit.is_none_or(|u| u == e.label.unit_seconds()),
        };
        if !unit_kept {
            return Err(Unprojected::Unit(e.text.clone()));
        }
        let heard: String = chars[start..end].iter().collect();
        if !same_number(&e.text, &heard) {
            return Err(Unprojected::Changed {
                gold: e.text.clone(),
                heard,
            });
        }
        entities.push(Entity::new(start, end, e.label, &heard));
    }
    let ex = Example {
        text: transcript.to_string(),
        entities,
        plan: gold.plan,
    };
    if validate(&ex).is_empty() {
        Ok(ex)
    } else {
        Err(Unprojected::Plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::{Label, plan_values};

    fn example(text: &str, spans: &[(&str, Label)]) -> Example {
        let mut from = 0;
        let entities: Vec<Entity> = spans
            .iter()
            .map(|&(t, l)| {
                let b = from + text[from..].find(t).unwrap();
                from = b + t.len();
                let start = text[..b].chars().count();
                Entity::new(start, start + t.chars().count(), l, t)
            })
            .collect();
        Example {
            text: text.into(),
            plan: plan_values(&entities).ok(),
            entities,
        }
    }

    fn spans(ex: &Example) -> Vec<(&str, Label)> {
        ex.entities
            .iter()
            .map(|e| (ex.span_text(e).unwrap(), e.label))
            .collect()
    }

    #[test]
    fn garbled_words_around_the_numbers_keep_the_labels() {
        let gold = example(
            "Dix fois quarante secondes, vingt secondes de récup.",
            &[
                ("Dix", Label::NbRounds),
                ("quarante", Label::DurationWtSd),
                ("vingt", Label::DurationBrSd),
            ],
        );
        let got = project(
            &gold,
            "On part sur 10 fois 40 secondes, 20 secondes de breakup.",
        )
        .unwrap();
        assert_eq!(
            spans(&got),
            [
                ("10", Label::NbRounds),
                ("40", Label::DurationWtSd),
                ("20", Label::DurationBrSd)
            ]
        );
        assert_eq!(got.plan, gold.plan);
    }

    #[test]
    fn a_number_in_several_words_becomes_one_in_digits_and_back() {
        let gold = example(
            "Six tours de quatre-vingt-dix secondes, repos 1 minute 30.",
            &[
                ("Six", Label::NbRounds),
                ("quatre-vingt-dix", Label::DurationWtSd),
                ("1", Label::DurationBrMin),
                ("30", Label::DurationBrSd),
            ],
        );
        let got = project(&gold, "6 tours de 90 secondes, repos une minute trente.").unwrap();
        assert_eq!(
            spans(&got),
            [
                ("6", Label::NbRounds),
                ("90", Label::DurationWtSd),
                ("une", Label::DurationBrMin),
                ("trente", Label::DurationBrSd)
            ]
        );
        // a spurious number Whisper added stays outside every span
        let got = project(
            &gold,
            "6, 7 tours de 90 secondes, des 4, repos 1 minute 30.",
        )
        .unwrap();
        assert_eq!(got.entities[0].text, "6");
        assert_eq!(got.entities.len(), 4);
    }

    #[test]
    fn a_misheard_or_missing_number_drops_the_example() {
        let gold = example(
            "3 rounds de 3 minutes, 1 minute de repos.",
            &[
                ("3", Label::NbRounds),
                ("3", Label::DurationWtMin),
                ("1", Label::DurationBrMin),
            ],
        );
        assert_eq!(
            project(&gold, "3 rounds de 30 minutes, 1 minute de repos."),
            Err(Unprojected::Changed {
                gold: "3".into(),
                heard: "30".into()
            })
        );
        assert_eq!(
            project(&gold, "Trois rounds de trois minutes."),
            Err(Unprojected::Lost("1".into()))
        );
        assert!(project(&gold, "").is_err());
        // a unit heard as another, or lost, teaches the wrong unit
        assert_eq!(
            project(&gold, "3 rounds de 3 heures, 1 minute de repos."),
            Err(Unprojected::Unit("3".into()))
        );
        assert_eq!(
            project(&gold, "3 rounds de 3, 1 minute de repos."),
            Err(Unprojected::Unit("3".into()))
        );
    }
}
