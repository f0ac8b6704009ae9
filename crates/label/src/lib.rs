//! The labelling loop of the original campaign, on Label Studio's REST API:
//! a small client ([`Client`]: projects, task import, export, annotations,
//! the ML backend), the tasks `label push` sends (the model's predictions
//! attached, least certain first) and what `label pull` makes of an export
//! (this project's examples, validated, every other task accounted for).
//! Knows nothing of models: the caller tags the texts.

mod client;
mod error;
mod pull;
mod push;

pub use client::{Client, Project, StoredPrediction, TaskText};
pub use error::LabelError;
pub use pull::{Pulled, pulled};
pub use push::{Predicted, push_tasks};
