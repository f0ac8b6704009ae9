//! Every colour the window uses, in one place.

use egui::Color32;
use speechtimer_core::timer::Phase;
use speechtimer_core::values::Label;

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

/// Background of the countdown for each phase. Each one holds white text
/// at a WCAG contrast ratio of at least 4.5:1 (AA for text of any size):
/// prepare 5.38, work 5.44, rest 5.28, done 5.35, warm-up 6.19, rest
/// between blocks 8.35, cool-down 6.30 (tested below).
pub fn phase(phase: Phase) -> Color32 {
    match phase {
        Phase::Warmup => Color32::from_rgb(0x9C, 0x4A, 0x00),
        Phase::SetRest => Color32::from_rgb(0x2E, 0x4F, 0x7A),
        Phase::Cooldown => Color32::from_rgb(0x16, 0x69, 0x7A),
        Phase::Prepare => Color32::from_rgb(0x8A, 0x64, 0x00),
        Phase::Work => Color32::from_rgb(0xC0, 0x39, 0x2B),
        Phase::Rest => Color32::from_rgb(0x1F, 0x6F, 0xB2),
        Phase::Done => Color32::from_rgb(0x1E, 0x7A, 0x44),
    }
}

/// WCAG 2 contrast ratio of two opaque colours (1 to 21).
pub fn contrast(a: Color32, b: Color32) -> f32 {
    fn luminance(c: Color32) -> f32 {
        let lin = |v: u8| {
            let v = f32::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
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
        Label::NbSets => Color32::from_rgb(0x6C, 0x34, 0x83),
        Label::DurationPrepSd | Label::DurationPrepMin | Label::DurationPrepHr => {
            Color32::from_rgb(0x5D, 0x6D, 0x7E)
        }
        Label::DurationSbrSd | Label::DurationSbrMin | Label::DurationSbrHr => {
            Color32::from_rgb(0x1A, 0x52, 0x76)
        }
        Label::DurationWuSd | Label::DurationWuMin | Label::DurationWuHr => {
            Color32::from_rgb(0x9C, 0x64, 0x0C)
        }
        Label::DurationCdSd | Label::DurationCdMin | Label::DurationCdHr => {
            Color32::from_rgb(0x11, 0x78, 0x64)
        }
        Label::NbReps => Color32::from_rgb(0xA9, 0x32, 0x6E),
        Label::Format => Color32::from_rgb(0x78, 0x42, 0x12),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_colour_holds_white_text_at_wcag_aa() {
        let ratios: Vec<f32> = [
            Phase::Prepare,
            Phase::Work,
            Phase::Rest,
            Phase::Done,
            Phase::Warmup,
            Phase::SetRest,
            Phase::Cooldown,
        ]
        .into_iter()
        .map(|p| contrast(phase(p), ON_COLOUR))
        .collect();
        for r in &ratios {
            assert!(*r >= 4.5, "{ratios:?}");
        }
        // the figures the doc comment states
        let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        assert_eq!(
            shown,
            ["5.38", "5.44", "5.28", "5.35", "6.19", "8.35", "6.30"]
        );
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
    }
}
