//! The workshop's data: labelled examples, their JSONL files and checks, the
//! generator, the metrics, Label Studio interop, and labels projected onto
//! transcripts (`project`). Knows nothing of models,
//! audio or the GUI; values come from [`speechtimer_core::values`].

mod example;
pub mod generate;
pub mod label_studio;
pub mod metrics;
mod project;
mod validate;

pub use example::{
    Example, FileError, ReadError, byte_to_char, char_to_byte, read_jsonl, read_jsonl_file,
    write_jsonl,
};
pub use project::{Unprojected, project};
pub use validate::{CheckReport, Problem, check_lines, validate};
