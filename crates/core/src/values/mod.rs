//! French spoken quantities -> numbers, and labelled entities -> a plan.
//!
//! Knows nothing of files or models: it takes entity texts and labels and
//! gives values, or a typed error with a French message for the athlete.

mod format;
mod label;
mod number;
mod plan_values;
mod words;

pub use format::{Expanded, Format, Said};
pub use label::{Entity, Label, Quantity, UnknownLabel};
pub use number::{NumberError, parse_number, sound_alike, sound_alikes_of, strip_accents};
pub use plan_values::{
    PlanValues, SaidValues, ValueError, kept, kept_count, plan_values, said_values,
};
pub use words::{WordStyle, int_to_words};
