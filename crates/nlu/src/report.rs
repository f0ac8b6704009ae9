//! What a parse says, as every client reads it: `parse --json`, `/parse`,
//! and (with the transcript's fields) `transcribe --json` and
//! `/transcribe`. One struct, serialized by serde and described by utoipa.

use crate::{Assumed, Parsed, PlanTrust};
use serde::Serialize;
use speechtimer_core::values::{Entity, PlanValues};

/// What a text means: the spans, the plan or why there is none, and how far
/// each field of it is trusted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Reading {
    /// Spans in code points, in order, each with the tagger's score.
    pub entities: Vec<Entity>,
    /// `null` when the command is incomplete (see `error`).
    pub plan: Option<PlanValues>,
    /// What could not be understood, in French (only without a plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Confidence of the whole tagging: the least sure token's marginal.
    pub confidence: f32,
    /// Remarks (text cut, nothing to read, WAV cut short...), when any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Sound-alikes read as numbers, when any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumed: Vec<Assumed>,
    /// Why each field of the plan is trusted.
    pub trust: PlanTrust,
    /// The plan fields to check before running it (`rounds`, `work_s`,
    /// `rest_s`); empty when the plan is sure. The window says « À vérifier »
    /// and never starts such a plan by itself.
    #[cfg_attr(feature = "schema", schema(example = json!(["rounds"])))]
    pub uncertain: Vec<String>,
}

/// A text and what it means: what `speechtimer parse --json` prints and
/// `/parse` serves (with its timings).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ParseReport {
    /// The command, as typed or transcribed.
    #[cfg_attr(
        feature = "schema",
        schema(example = "12 séries de 2 minutes, 30 secondes entre série")
    )]
    pub text: String,
    /// The spans, plan and trust read from the text, as fields of this object.
    #[serde(flatten)]
    pub reading: Reading,
}

impl Parsed {
    /// Every field a client reads, without the text.
    pub fn reading(&self) -> Reading {
        Reading {
            entities: self.entities.clone(),
            plan: self.plan.as_ref().ok().copied(),
            error: self.plan.as_ref().err().map(|e| e.to_string()),
            confidence: self.confidence,
            notes: self.notes.clone(),
            assumed: self.assumed.clone(),
            trust: self.trust.clone(),
            uncertain: self
                .trust
                .uncertain_fields()
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }

    /// The text and its reading.
    pub fn report(&self) -> ParseReport {
        ParseReport {
            text: self.text.clone(),
            reading: self.reading(),
        }
    }
}
