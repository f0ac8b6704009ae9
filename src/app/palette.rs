//! Every colour the window uses, in one place.

use crate::timer::Phase;
use crate::values::Label;
use egui::Color32;

/// Notices and incomplete plans.
pub const WARNING: Color32 = Color32::from_rgb(0xE6, 0x7E, 0x22);
/// Refused plans, failed downloads, editor errors.
pub const ERROR: Color32 = Color32::from_rgb(0xE7, 0x4C, 0x3C);
/// The level meter while speech is heard.
pub const SPEAKING: Color32 = Color32::from_rgb(0x27, 0xAE, 0x60);
/// The level meter between words.
pub const QUIET: Color32 = Color32::from_gray(120);
/// The phase's progress bar on the countdown.
pub const PHASE_BAR: Color32 = Color32::from_gray(90);
/// The whole workout's progress bar on the countdown.
pub const SESSION_BAR: Color32 = Color32::from_gray(40);
/// Text on a phase's or a label's colour.
pub const ON_COLOUR: Color32 = Color32::WHITE;

/// Background of the countdown for each phase.
pub fn phase(phase: Phase) -> Color32 {
    match phase {
        Phase::Prepare => Color32::from_rgb(0xB8, 0x86, 0x0B),
        Phase::Work => Color32::from_rgb(0xC0, 0x39, 0x2B),
        Phase::Rest => Color32::from_rgb(0x1F, 0x6F, 0xB2),
        Phase::Done => Color32::from_rgb(0x27, 0x8E, 0x4F),
    }
}

/// Colour of each label's highlight.
pub fn label(label: Label) -> Color32 {
    match label {
        Label::NbRounds => Color32::from_rgb(0x8E, 0x44, 0xAD),
        Label::DurationWtSd => Color32::from_rgb(0xC0, 0x39, 0x2B),
        Label::DurationWtMin => Color32::from_rgb(0xD3, 0x54, 0x00),
        Label::DurationWtHr => Color32::from_rgb(0x93, 0x2E, 0x1F),
        Label::DurationBrSd => Color32::from_rgb(0x1F, 0x6F, 0xB2),
        Label::DurationBrMin => Color32::from_rgb(0x16, 0xA0, 0x85),
        Label::DurationBrHr => Color32::from_rgb(0x2C, 0x3E, 0x50),
    }
}
