//! What the athlete hears for each timer event, in the chosen mode: beeps,
//! the coach's voice (`coach::words_for`, clips of the bank), both, or
//! nothing.

use crate::coach::{Word, words_for};
use crate::plan::WorkoutPlan;
use crate::timer::Event;
use serde::{Deserialize, Serialize};

/// A beep, by what it means (the tones are `speechtimer_audio::beep`'s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cue {
    /// Short beep at 3, 2, 1 s before a phase ends.
    Countdown,
    /// Long high beep: go.
    WorkStart,
    /// Lower two-note tone: breathe.
    RestStart,
    /// Rising chime: finished.
    Done,
}

impl Cue {
    /// Every cue, in the order above.
    pub const ALL: [Cue; 4] = [Cue::Countdown, Cue::WorkStart, Cue::RestStart, Cue::Done];
}

/// How cues sound, chosen in settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CueMode {
    /// Everything spoken: phases, rounds, half-way, « 3, 2, 1 », the end.
    Voice,
    /// Beeps only, as before the coach's voice.
    Beeps,
    /// Phases spoken, the countdown beeped.
    #[default]
    Both,
    /// Nothing at all.
    Silent,
}

impl CueMode {
    /// Every mode, in the order the settings list them.
    pub const ALL: [CueMode; 4] = [
        CueMode::Both,
        CueMode::Voice,
        CueMode::Beeps,
        CueMode::Silent,
    ];

    /// The mode's name in the settings.
    pub fn label_fr(self) -> &'static str {
        match self {
            CueMode::Voice => "Voix",
            CueMode::Beeps => "Bips",
            CueMode::Both => "Voix et bips",
            CueMode::Silent => "Silence",
        }
    }
}

/// One thing to play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sound {
    /// A beep.
    Beep(Cue),
    /// A sentence of the coach.
    Say(Vec<Word>),
}

/// The beep for a timer event; the start of the preparation and the
/// half-way point are silent (the athlete just pressed the button; a beep
/// mid-effort would read as a phase change).
pub fn cue_for(event: &Event) -> Option<Cue> {
    match event {
        Event::WarmupStart | Event::PrepareStart | Event::Halfway { .. } => None,
        Event::SetRestStart { .. } | Event::CooldownStart => Some(Cue::RestStart),
        Event::Countdown { .. } => Some(Cue::Countdown),
        Event::WorkStart { .. } => Some(Cue::WorkStart),
        Event::RestStart { .. } => Some(Cue::RestStart),
        Event::Done => Some(Cue::Done),
    }
}

/// What to play for `event` of `plan` in `mode`.
pub fn sounds_for(event: &Event, plan: &WorkoutPlan, mode: CueMode) -> Vec<Sound> {
    let beep = || cue_for(event).map(Sound::Beep);
    let say = || {
        let words = words_for(event, plan);
        (!words.is_empty()).then_some(Sound::Say(words))
    };
    let countdown = matches!(event, Event::Countdown { .. });
    let one = match mode {
        CueMode::Silent => None,
        CueMode::Beeps => beep(),
        CueMode::Voice => say(),
        CueMode::Both if countdown => beep(),
        CueMode::Both => say(),
    };
    one.into_iter().collect()
}

/// The bank's clip names of `words`.
pub fn clip_names(words: &[Word]) -> Vec<String> {
    words.iter().map(|w| w.clip_name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn plan() -> WorkoutPlan {
        WorkoutPlan::new(
            12,
            Duration::from_secs(120),
            Duration::from_secs(30),
            Duration::from_secs(5),
        )
        .unwrap()
    }

    #[test]
    fn events_map_to_distinct_cues() {
        assert_eq!(cue_for(&Event::PrepareStart), None);
        assert_eq!(cue_for(&Event::Halfway { round: 1 }), None);
        assert_eq!(
            cue_for(&Event::WorkStart { round: 2, set: 1 }),
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

    #[test]
    fn each_mode_plays_what_it_says() {
        let p = plan();
        let work = Event::WorkStart { round: 3, set: 1 };
        let three = Event::Countdown { seconds_left: 3 };
        let said = |e: &Event, m| sounds_for(e, &p, m);
        assert_eq!(said(&work, CueMode::Beeps), [Sound::Beep(Cue::WorkStart)]);
        assert_eq!(
            said(&work, CueMode::Voice),
            [Sound::Say(vec![
                Word::Work,
                Word::Round,
                Word::Number(3),
                Word::Of,
                Word::Number(12)
            ])]
        );
        assert_eq!(said(&work, CueMode::Both), said(&work, CueMode::Voice));
        assert_eq!(said(&three, CueMode::Both), [Sound::Beep(Cue::Countdown)]);
        assert_eq!(
            said(&three, CueMode::Voice),
            [Sound::Say(vec![Word::Number(3)])]
        );
        assert!(said(&work, CueMode::Silent).is_empty());
        assert!(said(&Event::Halfway { round: 1 }, CueMode::Beeps).is_empty());
    }
}
