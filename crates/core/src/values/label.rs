//! The entity labels (the guide's seven and this project's fifteen, see
//! docs/annotation.md) and the entity span.

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
    /// How many sets (blocks of rounds) (`nb_sets`).
    Sets,
    /// The countdown before the first round (`duration_prep_*`).
    Prepare,
    /// The rest between two sets (`duration_sbr_*`).
    SetRest,
    /// The warm-up (`duration_wu_*`).
    Warmup,
    /// The cool-down (`duration_cd_*`).
    Cooldown,
    /// Repetitions to do in each round (`nb_reps`).
    Reps,
    /// A named format, a word rather than a number (`format`).
    Format,
}

impl Quantity {
    /// French name, as in "je n'ai pas compris la durée d'effort".
    pub fn french(self) -> &'static str {
        match self {
            Quantity::Rounds => "le nombre de séries",
            Quantity::Work => "la durée d'effort",
            Quantity::Rest => "la durée de repos",
            Quantity::Sets => "le nombre de blocs",
            Quantity::Prepare => "la préparation",
            Quantity::SetRest => "le repos entre blocs",
            Quantity::Warmup => "l'échauffement",
            Quantity::Cooldown => "le retour au calme",
            Quantity::Reps => "le nombre de répétitions",
            Quantity::Format => "le format",
        }
    }

    /// Short French name, as on a highlighted span: « séries », « effort ».
    pub fn short_french(self) -> &'static str {
        match self {
            Quantity::Rounds => "séries",
            Quantity::Work => "effort",
            Quantity::Rest => "repos",
            Quantity::Sets => "blocs",
            Quantity::Prepare => "préparation",
            Quantity::SetRest => "repos entre blocs",
            Quantity::Warmup => "échauffement",
            Quantity::Cooldown => "retour au calme",
            Quantity::Reps => "répétitions",
            Quantity::Format => "format",
        }
    }

    /// Whether the label's text is a count (rounds, sets, repetitions):
    /// of several spans only the surest is read, they are never summed.
    pub fn is_count(self) -> bool {
        matches!(self, Quantity::Rounds | Quantity::Sets | Quantity::Reps)
    }

    /// Whether the quantity is a duration, whose spans add up.
    pub fn is_duration(self) -> bool {
        !self.is_count() && self != Quantity::Format
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
    /// The number of sets (blocks of rounds).
    #[serde(rename = "nb_sets")]
    NbSets,
    /// Preparation before the first round, in seconds.
    #[serde(rename = "duration_prep_sd")]
    DurationPrepSd,
    /// Preparation, in minutes.
    #[serde(rename = "duration_prep_min")]
    DurationPrepMin,
    /// Preparation, in hours.
    #[serde(rename = "duration_prep_hr")]
    DurationPrepHr,
    /// Rest between two sets, in seconds.
    #[serde(rename = "duration_sbr_sd")]
    DurationSbrSd,
    /// Rest between two sets, in minutes.
    #[serde(rename = "duration_sbr_min")]
    DurationSbrMin,
    /// Rest between two sets, in hours.
    #[serde(rename = "duration_sbr_hr")]
    DurationSbrHr,
    /// Warm-up, in seconds.
    #[serde(rename = "duration_wu_sd")]
    DurationWuSd,
    /// Warm-up, in minutes.
    #[serde(rename = "duration_wu_min")]
    DurationWuMin,
    /// Warm-up, in hours.
    #[serde(rename = "duration_wu_hr")]
    DurationWuHr,
    /// Cool-down, in seconds.
    #[serde(rename = "duration_cd_sd")]
    DurationCdSd,
    /// Cool-down, in minutes.
    #[serde(rename = "duration_cd_min")]
    DurationCdMin,
    /// Cool-down, in hours.
    #[serde(rename = "duration_cd_hr")]
    DurationCdHr,
    /// Repetitions of an exercise in each round.
    #[serde(rename = "nb_reps")]
    NbReps,
    /// A named format word (Tabata, EMOM, AMRAP).
    #[serde(rename = "format")]
    Format,
}

/// A label name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("étiquette inconnue « {0} »")]
pub struct UnknownLabel(pub String);

impl Label {
    /// The guide's seven labels, in its order (the first of [`Label::ALL`]).
    pub const GUIDE: &'static [Label] = Label::ALL.split_at(7).0;

    /// Every label: the guide's seven, then docs/annotation.md's fifteen.
    pub const ALL: [Label; 22] = [
        Label::NbRounds,
        Label::DurationWtSd,
        Label::DurationWtMin,
        Label::DurationWtHr,
        Label::DurationBrSd,
        Label::DurationBrMin,
        Label::DurationBrHr,
        Label::NbSets,
        Label::DurationPrepSd,
        Label::DurationPrepMin,
        Label::DurationPrepHr,
        Label::DurationSbrSd,
        Label::DurationSbrMin,
        Label::DurationSbrHr,
        Label::DurationWuSd,
        Label::DurationWuMin,
        Label::DurationWuHr,
        Label::DurationCdSd,
        Label::DurationCdMin,
        Label::DurationCdHr,
        Label::NbReps,
        Label::Format,
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
            Label::NbSets => "nb_sets",
            Label::DurationPrepSd => "duration_prep_sd",
            Label::DurationPrepMin => "duration_prep_min",
            Label::DurationPrepHr => "duration_prep_hr",
            Label::DurationSbrSd => "duration_sbr_sd",
            Label::DurationSbrMin => "duration_sbr_min",
            Label::DurationSbrHr => "duration_sbr_hr",
            Label::DurationWuSd => "duration_wu_sd",
            Label::DurationWuMin => "duration_wu_min",
            Label::DurationWuHr => "duration_wu_hr",
            Label::DurationCdSd => "duration_cd_sd",
            Label::DurationCdMin => "duration_cd_min",
            Label::DurationCdHr => "duration_cd_hr",
            Label::NbReps => "nb_reps",
            Label::Format => "format",
        }
    }

    /// What the label's span says: a count, a duration of some part of
    /// the workout, or the format.
    pub fn quantity(self) -> Quantity {
        use Label::*;
        match self {
            NbRounds => Quantity::Rounds,
            DurationWtSd | DurationWtMin | DurationWtHr => Quantity::Work,
            DurationBrSd | DurationBrMin | DurationBrHr => Quantity::Rest,
            NbSets => Quantity::Sets,
            DurationPrepSd | DurationPrepMin | DurationPrepHr => Quantity::Prepare,
            DurationSbrSd | DurationSbrMin | DurationSbrHr => Quantity::SetRest,
            DurationWuSd | DurationWuMin | DurationWuHr => Quantity::Warmup,
            DurationCdSd | DurationCdMin | DurationCdHr => Quantity::Cooldown,
            NbReps => Quantity::Reps,
            Format => Quantity::Format,
        }
    }

    /// Whether this is one of the guide's seven labels.
    pub fn in_guide(self) -> bool {
        Label::GUIDE.contains(&self)
    }

    /// Seconds in one unit of this label; 1 for a count or the format.
    pub fn unit_seconds(self) -> u32 {
        Label::ALL
            .iter()
            .find_map(|&l| {
                [1, 60, 3600]
                    .into_iter()
                    .find(|&u| Label::duration(l.quantity(), u) == Some(self))
            })
            .unwrap_or(1)
    }

    /// The duration label for `quantity` in a unit of `unit_seconds` (1, 60, 3600).
    pub fn duration(quantity: Quantity, unit_seconds: u32) -> Option<Label> {
        use Label::*;
        let [sd, min, hr] = match quantity {
            Quantity::Work => [DurationWtSd, DurationWtMin, DurationWtHr],
            Quantity::Rest => [DurationBrSd, DurationBrMin, DurationBrHr],
            Quantity::Prepare => [DurationPrepSd, DurationPrepMin, DurationPrepHr],
            Quantity::SetRest => [DurationSbrSd, DurationSbrMin, DurationSbrHr],
            Quantity::Warmup => [DurationWuSd, DurationWuMin, DurationWuHr],
            Quantity::Cooldown => [DurationCdSd, DurationCdMin, DurationCdHr],
            Quantity::Rounds | Quantity::Sets | Quantity::Reps | Quantity::Format => {
                return None;
            }
        };
        match unit_seconds {
            1 => Some(sd),
            60 => Some(min),
            3600 => Some(hr),
            _ => None,
        }
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
    fn units_and_quantities_of_every_label() {
        use Label::*;
        assert_eq!(DurationWtMin.unit_seconds(), 60);
        assert_eq!(DurationCdHr.unit_seconds(), 3600);
        assert_eq!(DurationPrepSd.unit_seconds(), 1);
        assert_eq!(NbSets.unit_seconds(), 1);
        assert_eq!(DurationSbrMin.quantity(), Quantity::SetRest);
        assert!(Quantity::Reps.is_count() && !Quantity::Reps.is_duration());
        assert!(!Quantity::Format.is_duration() && !Quantity::Format.is_count());
        for l in Label::ALL {
            let q = l.quantity();
            if q.is_duration() {
                assert_eq!(Label::duration(q, l.unit_seconds()), Some(l));
            }
        }
        assert_eq!(Label::GUIDE.last(), Some(&Label::DurationBrHr));
        assert_eq!(Label::ALL.iter().filter(|l| l.in_guide()).count(), 7);
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
