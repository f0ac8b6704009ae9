//! Words that drive a running workout ("pause", "reprends", "stop",
//! "suivant", "combien de temps ?"), matched on the transcript: no second model.

use speechtimer_core::values::strip_accents;

/// What a spoken word asks of the timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerCommand {
    /// Hold the running phase (« pause »).
    Pause,
    /// Carry on after a pause (« reprends », « continue »).
    Resume,
    /// Stop the workout and go back to the start of the plan (« stop »,
    /// « arrête »).
    Stop,
    /// Skip to the next phase (« suivant », « passe »).
    Next,
    /// One round done, in an AMRAP (« tour », said alone or nearly).
    Lap,
    /// The time left, answered by voice (« combien de temps ? »,
    /// « combien il reste ? »).
    HowLong,
}

impl TimerCommand {
    /// What the window says it did.
    pub fn french(self) -> &'static str {
        match self {
            Self::Pause => "pause",
            Self::Resume => "reprise",
            Self::Stop => "arrêt",
            Self::Next => "phase suivante",
            Self::Lap => "un tour de plus",
            Self::HowLong => "temps restant",
        }
    }
}

/// Lowercase, without accents: what a word is compared as.
pub(crate) fn fold(word: &str) -> String {
    strip_accents(&word.to_lowercase())
}

/// The words of a transcript, punctuation dropped, folded as [`fold`].
pub(crate) fn folded_words(transcript: &str) -> Vec<String> {
    transcript
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect()
}

fn command_of(word: &str) -> Option<TimerCommand> {
    use TimerCommand::*;
    Some(match word {
        "pause" | "pauses" => Pause,
        "reprends" | "reprend" | "reprendre" | "reprenons" | "reprenez" | "continue"
        | "continues" | "continuer" | "continuons" | "continuez" => Resume,
        "stop" | "stoppe" | "stopper" | "arrete" | "arretez" | "arreter" | "arretons" => Stop,
        "suivant" | "suivante" | "suivants" | "passe" | "passer" | "passez" => Next,
        "tour" | "tours" => Lap,
        "combien" => HowLong,
        _ => return None,
    })
}

/// Most words around « tour » for it to count a round: « un tour »,
/// « encore un tour » do, « 8 tours de 30 secondes » does not.
const LAP_WORDS: usize = 3;

/// The timer command a transcript gives, if any. When several are said
/// ("pause… non, continue"), the last one wins: people correct themselves.
pub fn timer_command(transcript: &str) -> Option<TimerCommand> {
    let words = folded_words(transcript);
    words
        .iter()
        .rev()
        .filter_map(|w| command_of(w))
        .find(|c| *c != TimerCommand::Lap || words.len() <= LAP_WORDS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TimerCommand::*;

    #[test]
    fn the_four_words_and_their_forms() {
        assert_eq!(timer_command("Pause."), Some(Pause));
        assert_eq!(timer_command("reprends"), Some(Resume));
        assert_eq!(timer_command("On continue !"), Some(Resume));
        assert_eq!(timer_command("STOP"), Some(Stop));
        assert_eq!(timer_command("Arrête."), Some(Stop));
        assert_eq!(timer_command("suivant"), Some(Next));
        assert_eq!(timer_command("Passe à la suivante"), Some(Next));
        assert_eq!(timer_command("Combien de temps ?"), Some(HowLong));
        assert_eq!(timer_command("il reste combien"), Some(HowLong));
    }

    #[test]
    fn a_lap_is_tour_said_alone_or_nearly() {
        assert_eq!(timer_command("Tour !"), Some(Lap));
        assert_eq!(timer_command("encore un tour"), Some(Lap));
        assert_eq!(timer_command("8 tours de 30 secondes"), None);
        assert_eq!(timer_command("un tour, pause"), Some(Pause));
    }

    #[test]
    fn other_words_are_not_commands() {
        assert_eq!(timer_command("bonjour"), None);
        assert_eq!(timer_command(""), None);
        assert_eq!(timer_command("12 séries de 2 minutes"), None);
        // a word containing a command is not the command
        assert_eq!(timer_command("repausez"), None);
        assert_eq!(timer_command("suivantes impasse"), None);
    }

    #[test]
    fn the_last_command_wins() {
        assert_eq!(timer_command("pause, non, continue"), Some(Resume));
    }
}
