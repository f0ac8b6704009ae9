//! The seven entity labels of the annotation guide and the entity span.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a labelled number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// How many rounds (`nb_rounds`).
    Rounds,
    /// How long each round's work lasts (`duration_wt_*`).
    Work,
    /// How long the rest between rounds lasts (`duration_br_*`).
    Rest,
}

impl Quantity {
    /// French name, as in "je n'ai pas compris la durée d'effort".
    pub fn french(self) -> &'static str {
        match self {
            Quantity::Rounds => "le nombre de séries",
            Quantity::Work => "la durée d'effort",
            Quantity::Rest => "la durée de repos",
        }
    }
}

/// An entity label, named exactly as in ANNOTATION.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Label {
    /// The number of rounds.
    #[serde(rename = "nb_rounds")]
    NbRounds,
    /// Work duration, in seconds.
    #[serde(rename = "duration_wt_sd")]
    DurationWtSd,
    /// Work duration, in minutes.
    #[serde(rename = "duration_wt_min")]
    DurationWtMin,
    /// Work duration, in hours.
    #[serde(rename = "duration_wt_hr")]
    DurationWtHr,
    /// Rest (break) duration, in seconds.
    #[serde(rename = "duration_br_sd")]
    DurationBrSd,
    /// Rest (break) duration, in minutes.
    #[serde(rename = "duration_br_min")]
    DurationBrMin,
    /// Rest (break) duration, in hours.
    #[serde(rename = "duration_br_hr")]
    DurationBrHr,
}

/// A label name that is not one of the seven.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("étiquette inconnue « {0} »")]
pub struct UnknownLabel(pub String);

impl Label {
    /// Every label, in the guide's order.
    pub const ALL: [Label; 7] = [
        Label::NbRounds,
        Label::DurationWtSd,
        Label::DurationWtMin,
        Label::DurationWtHr,
        Label::DurationBrSd,
        Label::DurationBrMin,
        Label::DurationBrHr,
    ];

    /// The guide's name, e.g. `duration_wt_min`.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::NbRounds => "nb_rounds",
            Label::DurationWtSd => "duration_wt_sd",
            Label::DurationWtMin => "duration_wt_min",
            Label::DurationWtHr => "duration_wt_hr",
            Label::DurationBrSd => "duration_br_sd",
            Label::DurationBrMin => "duration_br_min",
            Label::DurationBrHr => "duration_br_hr",
        }
    }

    /// What the label's number counts: rounds, work or rest.
    pub fn quantity(self) -> Quantity {
        match self {
            Label::NbRounds => Quantity::Rounds,
            Label::DurationWtSd | Label::DurationWtMin | Label::DurationWtHr => Quantity::Work,
            Label::DurationBrSd | Label::DurationBrMin | Label::DurationBrHr => Quantity::Rest,
        }
    }

    /// Seconds in one unit of this label; 1 for `nb_rounds` (a plain count).
    pub fn unit_seconds(self) -> u32 {
        match self {
            Label::NbRounds | Label::DurationWtSd | Label::DurationBrSd => 1,
            Label::DurationWtMin | Label::DurationBrMin => 60,
            Label::DurationWtHr | Label::DurationBrHr => 3600,
        }
    }

    /// The duration label for `quantity` in a unit of `unit_seconds` (1, 60, 3600).
    pub fn duration(quantity: Quantity, unit_seconds: u32) -> Option<Label> {
        Some(match (quantity, unit_seconds) {
            (Quantity::Work, 1) => Label::DurationWtSd,
            (Quantity::Work, 60) => Label::DurationWtMin,
            (Quantity::Work, 3600) => Label::DurationWtHr,
            (Quantity::Rest, 1) => Label::DurationBrSd,
            (Quantity::Rest, 60) => Label::DurationBrMin,
            (Quantity::Rest, 3600) => Label::DurationBrHr,
            _ => return None,
        })
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Label {
    type Err = UnknownLabel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Label::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownLabel(s.to_string()))
    }
}

/// A labelled span. `start`/`end` are code-point offsets (end exclusive) in
/// the utterance, and `text` is the covered text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Entity {
    /// Code-point offset of the span's first character in the text.
    #[cfg_attr(feature = "schema", schema(example = 0))]
    pub start: usize,
    /// Code-point offset just after the span's last character (exclusive).
    #[cfg_attr(feature = "schema", schema(example = 2))]
    pub end: usize,
    /// One of the labels of ANNOTATION.md.
    pub label: Label,
    /// The text the span covers, as written.
    #[cfg_attr(feature = "schema", schema(example = "12"))]
    pub text: String,
    /// A model's confidence, when the entity is a prediction (the mean
    /// marginal probability of its tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(example = 0.998))]
    pub score: Option<f32>,
}

impl Entity {
    /// A span with no score, as annotated rather than predicted.
    pub fn new(start: usize, end: usize, label: Label, text: impl Into<String>) -> Self {
        Self {
            start,
            end,
            label,
            text: text.into(),
            score: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for l in Label::ALL {
            assert_eq!(l.as_str().parse::<Label>(), Ok(l));
            let json = serde_json::to_string(&l).unwrap();
            assert_eq!(json, format!("\"{}\"", l.as_str()));
        }
        assert_eq!(
            "duration_wt_ms".parse::<Label>(),
            Err(UnknownLabel("duration_wt_ms".into()))
        );
    }

    #[test]
    fn entity_json_skips_missing_score() {
        let e = Entity::new(0, 2, Label::NbRounds, "12");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"start":0,"end":2,"label":"nb_rounds","text":"12"}"#
        );
        let scored = Entity {
            score: Some(0.5),
            ..e
        };
        assert!(
            serde_json::to_string(&scored)
                .unwrap()
                .contains("\"score\":0.5")
        );
    }
}
