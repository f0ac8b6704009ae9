//! Why each field of a plan is trusted, or not: a value that was heard
//! plainly is shown as understood; one that was assumed, read from a
//! sound-alike, chosen with a small margin, tagged with low confidence or
//! said twice differently is shown « À vérifier ».

use serde::Serialize;
use speechtimer_core::values::{Entity, Format, Quantity, kept, parse_number, sound_alike};

/// Below this marginal probability a span is not trusted.
pub const LOW_SCORE: f32 = 0.6;

/// Where a field's value comes from.
///
/// Every one but `heard`, `default` and a `rescored` with `clear` is
/// uncertain: the window says « À vérifier » and never starts such a plan
/// by itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Trust {
    /// Said plainly and tagged with confidence.
    Heard,
    /// Not said, and the usual default is right (no rest: 0).
    Default,
    /// Not heard: the plan assumes a value (no count: 1 round).
    Assumed,
    /// A word read as the number it sounds like (`Cesse` -> 16).
    SoundAlike {
        /// The word as written in the transcript.
        text: String,
        /// The number it sounds like.
        value: u32,
    },
    /// The tagger was unsure of the span.
    LowScore {
        /// The span's text.
        text: String,
        /// The tagger's confidence in the span (mean marginal probability of
        /// its tokens), below 0.6.
        score: f32,
    },
    /// Two spans say different counts; the surest one is kept.
    Conflict {
        /// The text of the count the plan reads.
        kept: String,
        /// The texts of the other counts, which say another number.
        dropped: Vec<String>,
    },
    /// Two whole numbers of the same unit were added up (« 40 secondes,
    /// 20 secondes »): people say one duration once, so one of them is
    /// likely another field misheard. (`1 minute et demie` is no sum of
    /// this kind: a half is not whole.)
    Summed {
        /// The texts of the two spans added up.
        texts: Vec<String>,
    },
    /// Whisper itself was unsure of the words (`p`: the least probability
    /// its decoder gave one of their tokens).
    Unclear {
        /// The field's spans, joined by spaces.
        text: String,
        /// The least token probability, to two decimals.
        p: f32,
    },
    /// The sentence fits the command language badly: Whisper most likely
    /// heard something else than what was said, so every value it gave
    /// is to check.
    Misheard {
        /// What holding the transcript to the command grammar cost the
        /// audio (nats, summed over its tokens), to two decimals.
        cost: f32,
    },
    /// Chosen again by Whisper's decoder over the audio: `margin` is the
    /// log-probability lead of the chosen value over the next one.
    Rescored {
        /// What Whisper wrote where the count goes; empty when no count was said.
        heard: String,
        /// The count the decoder prefers. The plan reads it, except when a
        /// count heard plainly disagrees and the choice is not `clear`: then
        /// it is only a suggestion.
        value: u32,
        /// Log-probability lead of `value` over the next count, to two
        /// decimals (99 when no other count could be scored).
        margin: f32,
        /// The lead is wide enough to trust `value`: the field is not uncertain.
        clear: bool,
    },
}

impl Trust {
    /// Whether the athlete must check the field before the plan runs.
    pub fn is_uncertain(&self) -> bool {
        match self {
            Trust::Heard | Trust::Default => false,
            Trust::Rescored { clear, .. } => !clear,
            _ => true,
        }
    }

    /// What the athlete should check, in French (`None` when trusted).
    pub fn french(&self) -> Option<String> {
        match self {
            Trust::Heard | Trust::Default => None,
            Trust::Assumed => Some("non entendu, 1 supposé".into()),
            Trust::SoundAlike { text, value } => Some(format!("« {text} » compris comme {value}")),
            Trust::LowScore { text, .. } => Some(format!("« {text} » peu sûr")),
            Trust::Conflict { kept, dropped } => Some(format!(
                "« {kept} » gardé, « {} » ignoré",
                dropped.join(" », « ")
            )),
            Trust::Unclear { text, .. } => Some(format!("« {text} » mal entendu ?")),
            Trust::Summed { texts } => Some(format!("« {} » additionnés", texts.join(" » + « "))),
            Trust::Misheard { .. } => Some("phrase mal entendue ?".into()),
            Trust::Rescored {
                heard,
                value,
                clear,
                ..
            } => (!clear).then(|| {
                if heard.is_empty() {
                    format!("{value} deviné")
                } else {
                    format!("« {heard} » : peut-être {value}")
                }
            }),
        }
    }
}

/// The trust of each field of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PlanTrust {
    /// How the round count was read.
    pub rounds: Trust,
    /// How the work duration was read.
    pub work: Trust,
    /// How the rest duration was read.
    pub rest: Trust,
    /// How the other fields said (sets, preparation, warm-up, cool-down,
    /// repetitions, format) were read, in plan order; only those said.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<FieldTrust>,
}

/// The trust of one of the fields beyond rounds, work and rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FieldTrust {
    /// The field's name in the JSON plan (`sets`, `warmup_s`, `format`…).
    #[cfg_attr(feature = "schema", schema(example = "sets"))]
    pub field: &'static str,
    /// How it was read.
    pub trust: Trust,
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schema(ignore))]
    quantity: Quantity,
}

/// The fields beyond the guide's three, in plan order.
const MORE: [Quantity; 7] = [
    Quantity::Sets,
    Quantity::SetRest,
    Quantity::Prepare,
    Quantity::Warmup,
    Quantity::Cooldown,
    Quantity::Reps,
    Quantity::Format,
];

impl PlanTrust {
    /// Reads the trust of each field off the tagged spans. With a format
    /// word, what is not said is the format's default, not a guess.
    pub fn of(entities: &[Entity]) -> Self {
        let format = entities.iter().any(|e| {
            e.label.quantity() == Quantity::Format && Format::from_word(&e.text).is_some()
        });
        let unsaid = |fallback: Trust| if format { Trust::Default } else { fallback };
        let more = MORE
            .into_iter()
            .filter(|&q| entities.iter().any(|e| e.label.quantity() == q))
            .map(|quantity| FieldTrust {
                field: field_name(quantity),
                trust: if quantity.is_count() {
                    count_trust(entities, quantity, Trust::Default)
                } else {
                    span_trust(entities, quantity, Trust::Default)
                },
                quantity,
            })
            .collect();
        Self {
            rounds: count_trust(entities, Quantity::Rounds, unsaid(Trust::Assumed)),
            work: span_trust(entities, Quantity::Work, unsaid(Trust::Assumed)),
            rest: span_trust(entities, Quantity::Rest, Trust::Default),
            more,
        }
    }

    /// Every field with its quantity, in plan order: the three, then those
    /// of `more`.
    pub fn fields(&self) -> Vec<(Quantity, &Trust)> {
        let mut all = vec![
            (Quantity::Rounds, &self.rounds),
            (Quantity::Work, &self.work),
            (Quantity::Rest, &self.rest),
        ];
        all.extend(self.more.iter().map(|f| (f.quantity, &f.trust)));
        all
    }

    /// The trust of the field of `q`, to change it (a field not said
    /// until now is added, as a default).
    pub fn field_mut(&mut self, q: Quantity) -> &mut Trust {
        match q {
            Quantity::Rounds => &mut self.rounds,
            Quantity::Work => &mut self.work,
            Quantity::Rest => &mut self.rest,
            _ => {
                let at = match self.more.iter().position(|f| f.quantity == q) {
                    Some(at) => at,
                    None => {
                        self.more.push(FieldTrust {
                            field: field_name(q),
                            trust: Trust::Default,
                            quantity: q,
                        });
                        self.more.len() - 1
                    }
                };
                &mut self.more[at].trust
            }
        }
    }

    /// Some field needs checking.
    pub fn is_uncertain(&self) -> bool {
        self.fields().iter().any(|(_, t)| t.is_uncertain())
    }

    /// The machine names of the uncertain fields (`rounds`, `work_s`, `rest_s`).
    pub fn uncertain_fields(&self) -> Vec<&'static str> {
        self.fields()
            .iter()
            .filter(|(_, t)| t.is_uncertain())
            .map(|(q, _)| field_name(*q))
            .collect()
    }

    /// « nombre de séries : « Cesse » compris comme 16 ; … », or `None`.
    pub fn french(&self) -> Option<String> {
        let parts: Vec<String> = self
            .fields()
            .iter()
            .filter_map(|(q, t)| {
                t.french()
                    .map(|why| format!("{} ({why})", q.short_french()))
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// The plan field a quantity fills, as named in the JSON plan.
pub fn field_name(q: Quantity) -> &'static str {
    match q {
        Quantity::Rounds => "rounds",
        Quantity::Work => "work_s",
        Quantity::Rest => "rest_s",
        Quantity::Sets => "sets",
        Quantity::Prepare => "prepare_s",
        Quantity::SetRest => "set_rest_s",
        Quantity::Warmup => "warmup_s",
        Quantity::Cooldown => "cooldown_s",
        Quantity::Reps => "reps",
        Quantity::Format => "format",
    }
}

/// A count (rounds, sets, repetitions): the surest span is read; others
/// that say another number are a conflict.
fn count_trust(entities: &[Entity], q: Quantity, absent: Trust) -> Trust {
    let counts: Vec<&Entity> = entities
        .iter()
        .filter(|e| e.label.quantity() == q)
        .collect();
    let Some(kept) = kept(entities, q) else {
        return absent;
    };
    let value = |e: &Entity| parse_number(&e.text).ok();
    let dropped: Vec<String> = counts
        .iter()
        .filter(|e| !std::ptr::eq(**e, kept) && value(e) != value(kept))
        .map(|e| e.text.clone())
        .collect();
    if !dropped.is_empty() {
        return Trust::Conflict {
            kept: kept.text.clone(),
            dropped,
        };
    }
    entity_trust(kept).unwrap_or(Trust::Heard)
}

fn span_trust(entities: &[Entity], q: Quantity, absent: Trust) -> Trust {
    let spans: Vec<&Entity> = entities
        .iter()
        .filter(|e| e.label.quantity() == q)
        .collect();
    if spans.is_empty() {
        return absent;
    }
    let whole = |e: &Entity| parse_number(&e.text).is_ok_and(|v| v >= 1.0 && v.fract() == 0.0);
    let twice = spans.iter().enumerate().find_map(|(i, a)| {
        spans[i + 1..]
            .iter()
            .find(|b| b.label == a.label && whole(a) && whole(b))
            .map(|b| (a, b))
    });
    if let Some((a, b)) = twice {
        return Trust::Summed {
            texts: vec![a.text.clone(), b.text.clone()],
        };
    }
    spans
        .into_iter()
        .find_map(entity_trust)
        .unwrap_or(Trust::Heard)
}

/// Why one span is doubtful, if it is.
fn entity_trust(e: &Entity) -> Option<Trust> {
    if let Some(value) = sound_alike(&e.text) {
        return Some(Trust::SoundAlike {
            text: e.text.clone(),
            value,
        });
    }
    match e.score {
        Some(score) if score < LOW_SCORE => Some(Trust::LowScore {
            text: e.text.clone(),
            score,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::Label::{self, *};

    fn e(label: Label, text: &str, score: f32) -> Entity {
        Entity {
            score: Some(score),
            ..Entity::new(0, text.chars().count(), label, text)
        }
    }

    #[test]
    fn the_other_fields_have_their_trust_and_a_format_fills_the_unsaid() {
        let t = PlanTrust::of(&[
            e(NbSets, "4", 0.99),
            e(Format, "Tabatas", 0.97),
            e(DurationSbrMin, "1", 0.4),
        ]);
        assert_eq!((&t.rounds, &t.work), (&Trust::Default, &Trust::Default));
        let fields: Vec<_> = t.more.iter().map(|f| f.field).collect();
        assert_eq!(fields, vec!["sets", "set_rest_s", "format"]);
        assert!(matches!(t.more[1].trust, Trust::LowScore { .. }));
        assert_eq!(t.uncertain_fields(), vec!["set_rest_s"]);
        assert!(t.french().unwrap().contains("repos entre blocs"));
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["more"][0]["field"], "sets");
        // no format: an unsaid work is a guess; two repetition counts conflict
        let t = PlanTrust::of(&[e(NbReps, "10", 0.9), e(NbReps, "15", 0.8)]);
        assert_eq!(t.work, Trust::Assumed);
        assert!(matches!(t.more[0].trust, Trust::Conflict { .. }));
        // with no more fields, the JSON is as before
        let plain = PlanTrust::of(&[e(DurationWtSd, "30", 0.99)]);
        assert!(serde_json::to_value(&plain).unwrap().get("more").is_none());
    }

    #[test]
    fn plain_numbers_are_trusted_and_no_rest_is_a_default() {
        let t = PlanTrust::of(&[e(NbRounds, "12", 0.99), e(DurationWtMin, "2", 0.98)]);
        assert_eq!(t.rounds, Trust::Heard);
        assert_eq!(t.rest, Trust::Default);
        assert!(!t.is_uncertain());
        assert_eq!(t.french(), None);
    }

    #[test]
    fn assumed_sound_alike_low_score_and_conflicts_are_uncertain() {
        let t = PlanTrust::of(&[e(DurationWtSd, "45", 0.99)]);
        assert_eq!(t.rounds, Trust::Assumed);
        assert_eq!(t.uncertain_fields(), vec!["rounds"]);
        let t = PlanTrust::of(&[e(NbRounds, "Cesse", 0.9), e(DurationWtSd, "12", 0.99)]);
        assert!(matches!(t.rounds, Trust::SoundAlike { value: 16, .. }));
        assert!(t.french().unwrap().contains("« Cesse » compris comme 16"));
        let t = PlanTrust::of(&[e(NbRounds, "8", 0.99), e(DurationWtSd, "30", 0.41)]);
        assert!(matches!(t.work, Trust::LowScore { .. }));
        assert_eq!(t.uncertain_fields(), vec!["work_s"]);
        let t = PlanTrust::of(&[
            e(NbRounds, "3", 0.6),
            e(NbRounds, "7", 0.95),
            e(DurationWtSd, "30", 0.99),
        ]);
        assert_eq!(
            t.rounds,
            Trust::Conflict {
                kept: "7".into(),
                dropped: vec!["3".into()]
            }
        );
        // the same count said twice is no conflict
        let t = PlanTrust::of(&[
            e(NbRounds, "7", 0.9),
            e(NbRounds, "sept", 0.95),
            e(DurationWtSd, "30", 0.99),
        ]);
        assert_eq!(t.rounds, Trust::Heard);
    }

    #[test]
    fn two_whole_durations_of_one_unit_added_up_are_uncertain() {
        let t = PlanTrust::of(&[
            e(NbRounds, "10", 0.99),
            e(DurationWtSd, "40", 0.99),
            e(DurationWtSd, "20", 0.9),
        ]);
        assert_eq!(
            t.work,
            Trust::Summed {
                texts: vec!["40".into(), "20".into()]
            }
        );
        assert!(t.french().unwrap().contains("« 40 » + « 20 » additionnés"));
        // minutes and seconds, or a half, are one duration said in parts
        for spans in [
            [e(DurationWtMin, "1", 0.99), e(DurationWtSd, "30", 0.99)],
            [
                e(DurationWtMin, "3", 0.99),
                e(DurationWtMin, "et demie", 0.99),
            ],
        ] {
            assert_eq!(PlanTrust::of(&spans).work, Trust::Heard);
        }
    }

    #[test]
    fn a_clear_rescoring_is_trusted_a_close_one_is_not() {
        let clear = Trust::Rescored {
            heard: "Douce".into(),
            value: 12,
            margin: 6.0,
            clear: true,
        };
        assert!(!clear.is_uncertain());
        let close = Trust::Rescored {
            heard: "Douce".into(),
            value: 12,
            margin: 0.3,
            clear: false,
        };
        assert!(close.is_uncertain());
        assert!(close.french().unwrap().contains("peut-être 12"));
    }
}
