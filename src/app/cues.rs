//! What the athlete hears for each timer event: the app's reading of the
//! timer's events as the sound layer's cues.

use crate::audio::beep::Cue;
use crate::timer::Event;

/// The cue for a timer event; the start of the preparation is silent (the
/// athlete just pressed the button).
pub fn cue_for(event: &Event) -> Option<Cue> {
    match event {
        Event::PrepareStart => None,
        Event::Countdown { .. } => Some(Cue::Countdown),
        Event::WorkStart { .. } => Some(Cue::WorkStart),
        Event::RestStart { .. } => Some(Cue::RestStart),
        Event::Done => Some(Cue::Done),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_map_to_distinct_cues() {
        assert_eq!(cue_for(&Event::PrepareStart), None);
        assert_eq!(
            cue_for(&Event::WorkStart { round: 2 }),
            Some(Cue::WorkStart)
        );
        assert_eq!(
            cue_for(&Event::RestStart { round: 2 }),
            Some(Cue::RestStart)
        );
        assert_eq!(
            cue_for(&Event::Countdown { seconds_left: 1 }),
            Some(Cue::Countdown)
        );
        assert_eq!(cue_for(&Event::Done), Some(Cue::Done));
    }
}
