//! A sentence under construction: pieces of text, some of them labelled.
//! Offsets are computed when the pieces are joined, so they are right by
//! construction whatever the noise did to the pieces before.

use crate::Example;
use speechtimer_core::values::{Entity, Label, plan_values};

/// What a piece is, so that noise knows what it may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A labelled quantity.
    Span(Label),
    /// A unit or counted noun that may take a plural slip (`minutes`, `séries`).
    Unit,
    /// Any other word(s).
    Word,
    /// Punctuation, glued to what precedes it.
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Piece {
    pub text: String,
    pub kind: Kind,
    /// No space before this piece (`1h30`, `45s`, `,`).
    pub glued: bool,
}

/// Pieces in order.
#[derive(Debug, Clone, Default)]
pub(super) struct Sentence {
    pub pieces: Vec<Piece>,
}

impl Sentence {
    pub(super) fn word(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(text, Kind::Word, false)
    }
    pub(super) fn unit(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(text, Kind::Unit, false)
    }
    pub(super) fn span(&mut self, text: impl Into<String>, label: Label) -> &mut Self {
        self.push(text, Kind::Span(label), false)
    }
    pub(super) fn punct(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(text, Kind::Punct, true)
    }
    pub(super) fn push(&mut self, text: impl Into<String>, kind: Kind, glued: bool) -> &mut Self {
        let text = text.into();
        if !text.is_empty() {
            self.pieces.push(Piece { text, kind, glued });
        }
        self
    }
    /// Glues the last piece to the one before it.
    pub(super) fn glue_last(&mut self) -> &mut Self {
        if let Some(p) = self.pieces.last_mut() {
            p.glued = true;
        }
        self
    }
    pub(super) fn extend(&mut self, other: Sentence) -> &mut Self {
        self.pieces.extend(other.pieces);
        self
    }

    /// Joins the pieces and records the spans; the plan is what the spans
    /// mean. `None` when the spans give no plan.
    pub(super) fn render(&self) -> Option<Example> {
        let mut text = String::new();
        let mut chars = 0usize;
        let mut entities = Vec::new();
        for p in &self.pieces {
            let piece = p.text.trim();
            if piece.is_empty() {
                continue;
            }
            if !text.is_empty() && !p.glued && !text.ends_with(' ') {
                text.push(' ');
                chars += 1;
            }
            let len = piece.chars().count();
            if let Kind::Span(label) = p.kind {
                entities.push(Entity::new(chars, chars + len, label, piece));
            }
            text.push_str(piece);
            chars += len;
        }
        let plan = plan_values(&entities).ok()?;
        Some(Example {
            text,
            entities,
            plan: Some(plan),
        })
    }
}
