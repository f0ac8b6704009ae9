//! Named formats (Tabata, EMOM, AMRAP): the word that names one, and the
//! one place where each expands into a plan. Explicit numbers override the
//! defaults (docs/annotation.md, "Named formats").

use super::number::strip_accents;
use serde::{Deserialize, Serialize};

/// A named interval format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// 8 rounds of 20 s work and 10 s rest.
    Tabata,
    /// Every minute on the minute: 60 s rounds, no rest; the duration said
    /// is the whole workout.
    Emom,
    /// As many rounds as possible in the duration said: one work phase,
    /// rounds counted by the athlete.
    Amrap,
}

/// What an utterance said of the three basic fields, before a format fills
/// in the rest: `None` where nothing was said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Said {
    /// The round count said.
    pub rounds: Option<u32>,
    /// The work said, in seconds.
    pub work_s: Option<u32>,
    /// The rest said, in seconds.
    pub rest_s: Option<u32>,
}

/// Rounds, work and rest once a format is applied; `work_s: None` when the
/// format needs a duration that was not said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expanded {
    /// Number of rounds.
    pub rounds: u32,
    /// Work of each round in seconds, if known.
    pub work_s: Option<u32>,
    /// Rest between rounds in seconds.
    pub rest_s: u32,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Tabata, Format::Emom, Format::Amrap];

    /// The format a word names, whatever its case, accents, dots or plural:
    /// `Tabata`, `tabatas`, `EMOM`, `E.M.O.M`, `Amrap`.
    pub fn from_word(word: &str) -> Option<Format> {
        let w: String = strip_accents(word)
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let w = w.strip_suffix('s').unwrap_or(&w);
        match w {
            "tabata" => Some(Format::Tabata),
            "emom" => Some(Format::Emom),
            "amrap" => Some(Format::Amrap),
            _ => None,
        }
    }

    /// The name shown to the athlete.
    pub fn name(self) -> &'static str {
        match self {
            Format::Tabata => "Tabata",
            Format::Emom => "EMOM",
            Format::Amrap => "AMRAP",
        }
    }

    /// The plan's rounds, work and rest: the format's defaults where
    /// nothing was said.
    pub fn expand(self, said: Said) -> Expanded {
        match self {
            Format::Tabata => Expanded {
                rounds: said.rounds.unwrap_or(8),
                work_s: Some(said.work_s.unwrap_or(20)),
                rest_s: said.rest_s.unwrap_or(10),
            },
            Format::Emom => Expanded {
                rounds: said
                    .rounds
                    .or(said.work_s.map(|total| total.div_ceil(60)))
                    .unwrap_or(10)
                    .max(1),
                work_s: Some(60),
                rest_s: said.rest_s.unwrap_or(0),
            },
            Format::Amrap => Expanded {
                rounds: 1,
                work_s: said.work_s,
                rest_s: 0,
            },
        }
    }

    /// Whether the athlete counts rounds by tapping.
    pub fn counts_taps(self) -> bool {
        self == Format::Amrap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(rounds: Option<u32>, work_s: Option<u32>, rest_s: Option<u32>) -> Said {
        Said {
            rounds,
            work_s,
            rest_s,
        }
    }

    #[test]
    fn words_name_formats() {
        for (w, f) in [
            ("Tabata", Format::Tabata),
            ("tabatas", Format::Tabata),
            ("TABATA", Format::Tabata),
            ("EMOM", Format::Emom),
            ("E.M.O.M", Format::Emom),
            ("emoms", Format::Emom),
            ("Amrap", Format::Amrap),
        ] {
            assert_eq!(Format::from_word(w), Some(f), "{w}");
        }
        assert_eq!(Format::from_word("tabac"), None);
        assert_eq!(Format::from_word(""), None);
        assert_eq!(serde_json::to_string(&Format::Emom).unwrap(), "\"emom\"");
    }

    #[test]
    fn each_format_expands_to_its_documented_plan() {
        let e = |rounds, work_s, rest_s| Expanded {
            rounds,
            work_s,
            rest_s,
        };
        assert_eq!(Format::Tabata.expand(Said::default()), e(8, Some(20), 10));
        assert_eq!(
            Format::Emom.expand(said(None, Some(720), None)),
            e(12, Some(60), 0)
        );
        assert_eq!(
            Format::Amrap.expand(said(None, Some(900), None)),
            e(1, Some(900), 0)
        );
        assert_eq!(Format::Amrap.expand(Said::default()).work_s, None);
    }

    #[test]
    fn explicit_numbers_override_the_defaults() {
        // « un Tabata de 10 séries »
        assert_eq!(Format::Tabata.expand(said(Some(10), None, None)).rounds, 10);
        let t = Format::Tabata.expand(said(None, Some(30), Some(15)));
        assert_eq!((t.rounds, t.work_s, t.rest_s), (8, Some(30), 15));
        // « EMOM 10 tours » and « EMOM de 12 minutes, 14 tours »
        assert_eq!(Format::Emom.expand(said(Some(10), None, None)).rounds, 10);
        assert_eq!(
            Format::Emom.expand(said(Some(14), Some(720), None)).rounds,
            14
        );
        // 90 s said for an EMOM is two minutes' rounds
        assert_eq!(Format::Emom.expand(said(None, Some(90), None)).rounds, 2);
    }
}
