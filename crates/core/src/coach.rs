//! What the coach says: the spoken cue of each timer event, as words of the
//! clip bank, and the cues of a whole plan with the room each has before
//! the next one. Pure: the sound layer turns words into samples.

use crate::plan::WorkoutPlan;
use crate::timer::{Event, Timer};
use std::time::Duration;

/// One clip of the bank (`assets/voice/bank.tsv` names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Word {
    /// « Préparez-vous »
    Prepare,
    /// « Travail »
    Work,
    /// « Repos »
    Rest,
    /// « Série »
    Round,
    /// « sur »
    Of,
    /// « Dernière série »
    LastRound,
    /// « À mi-parcours »
    Halfway,
    /// « Échauffement »
    Warmup,
    /// « Repos entre les blocs »
    SetRest,
    /// « Retour au calme »
    Cooldown,
    /// « Bloc »
    Block,
    /// « Terminé, bravo ! »
    Done,
    /// « Temps total »
    Total,
    /// « une » (before minute, heure, seconde)
    OneFem,
    /// « heure »
    Hour,
    /// « heures »
    Hours,
    /// « minute »
    Minute,
    /// « minutes »
    Minutes,
    /// « seconde »
    Second,
    /// « secondes »
    Seconds,
    /// « et »
    And,
    /// « séries » (the read-back: « douze séries de… »)
    Rounds,
    /// « blocs »
    Blocks,
    /// « de »
    Of_,
    /// « de repos »
    OfRest,
    /// « sans repos »
    NoRest,
    /// « On y va ? »
    GoQuestion,
    /// « C'est bien ça ? »
    IsThatRight,
    /// « Annulé »
    Cancelled,
    /// « Encore » (« encore une minute vingt »: the time left)
    Left,
    /// « Le nombre de séries » (a field to check)
    CheckRounds,
    /// « L'effort »
    CheckWork,
    /// « Le repos »
    CheckRest,
    /// « Le nombre de blocs »
    CheckSets,
    /// « La préparation »
    CheckPrepare,
    /// « Les répétitions »
    CheckReps,
    /// A number, 1 to 99, said as a number (« soixante et onze »).
    Number(u8),
}

impl Word {
    /// Every word the bank must hold.
    pub fn all() -> Vec<Word> {
        let mut all = vec![
            Word::Prepare,
            Word::Work,
            Word::Rest,
            Word::Round,
            Word::Of,
            Word::LastRound,
            Word::Halfway,
            Word::Warmup,
            Word::SetRest,
            Word::Cooldown,
            Word::Block,
            Word::Done,
            Word::Total,
            Word::OneFem,
            Word::Hour,
            Word::Hours,
            Word::Minute,
            Word::Minutes,
            Word::Second,
            Word::Seconds,
            Word::And,
            Word::Rounds,
            Word::Blocks,
            Word::Of_,
            Word::OfRest,
            Word::NoRest,
            Word::GoQuestion,
            Word::IsThatRight,
            Word::Cancelled,
            Word::Left,
            Word::CheckRounds,
            Word::CheckWork,
            Word::CheckRest,
            Word::CheckSets,
            Word::CheckPrepare,
            Word::CheckReps,
        ];
        all.extend((1..=99).map(Word::Number));
        all
    }

    /// The clip's name in the bank's index.
    pub fn clip_name(self) -> String {
        match self {
            Word::Prepare => "prepare".into(),
            Word::Work => "work".into(),
            Word::Rest => "rest".into(),
            Word::Round => "round".into(),
            Word::Of => "of".into(),
            Word::LastRound => "last_round".into(),
            Word::Halfway => "halfway".into(),
            Word::Warmup => "warmup".into(),
            Word::SetRest => "set_rest".into(),
            Word::Cooldown => "cooldown".into(),
            Word::Block => "block".into(),
            Word::Done => "done".into(),
            Word::Total => "total".into(),
            Word::OneFem => "one_fem".into(),
            Word::Hour => "hour".into(),
            Word::Hours => "hours".into(),
            Word::Minute => "minute".into(),
            Word::Minutes => "minutes".into(),
            Word::Second => "second".into(),
            Word::Seconds => "seconds".into(),
            Word::And => "and".into(),
            Word::Rounds => "rounds".into(),
            Word::Blocks => "blocks".into(),
            Word::Of_ => "of_dur".into(),
            Word::OfRest => "of_rest".into(),
            Word::NoRest => "no_rest".into(),
            Word::GoQuestion => "go_question".into(),
            Word::IsThatRight => "is_that_right".into(),
            Word::Cancelled => "cancelled".into(),
            Word::Left => "left".into(),
            Word::CheckRounds => "check_rounds".into(),
            Word::CheckWork => "check_work".into(),
            Word::CheckRest => "check_rest".into(),
            Word::CheckSets => "check_sets".into(),
            Word::CheckPrepare => "check_prepare".into(),
            Word::CheckReps => "check_reps".into(),
            Word::Number(n) => format!("n{n:02}"),
        }
    }
}

/// A count said with its unit, feminine where French wants it
/// (« une minute », « deux minutes »); `None` for zero or above 99.
pub(crate) fn count_of(n: u64, one: Word, many: Word) -> Option<Vec<Word>> {
    match n {
        0 => None,
        1 => Some(vec![Word::OneFem, one]),
        2..=99 => Some(vec![Word::Number(n as u8), many]),
        _ => None,
    }
}

/// A duration as the coach says it: « 29 minutes et 35 secondes »,
/// « 1 heure et 5 minutes », « 45 secondes ». Whole seconds; under 100
/// hours (longer ones are said in hours alone, rounded down, or not at
/// all past 99).
pub fn duration_words(d: Duration) -> Vec<Word> {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let parts: Vec<Vec<Word>> = if h > 0 {
        [
            count_of(h, Word::Hour, Word::Hours),
            count_of(m, Word::Minute, Word::Minutes),
        ]
        .into_iter()
        .flatten()
        .collect()
    } else {
        [
            count_of(m, Word::Minute, Word::Minutes),
            count_of(s, Word::Second, Word::Seconds),
        ]
        .into_iter()
        .flatten()
        .collect()
    };
    let mut out = Vec::new();
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(Word::And);
        }
        out.extend(p);
    }
    out
}

/// What the coach says for `event` of `plan`; nothing for an event it
/// leaves to silence. The countdown is « 3, 2, 1 »; each work phase is
/// « Travail, série 3 sur 12 », the first of a block « Travail, bloc 2 sur
/// 3 », the very last « Travail, dernière série » (a one-round plan:
/// « Travail »); the end is « Terminé, bravo ! Temps total 29 minutes et
/// 35 secondes ».
pub fn words_for(event: &Event, plan: &WorkoutPlan) -> Vec<Word> {
    let sets = plan.sets.max(1);
    match *event {
        Event::WarmupStart => vec![Word::Warmup],
        Event::PrepareStart => vec![Word::Prepare],
        Event::SetRestStart { .. } => vec![Word::SetRest],
        Event::CooldownStart => vec![Word::Cooldown],
        Event::WorkStart { round, set } => {
            let mut w = vec![Word::Work];
            let last = round == plan.rounds && set == sets;
            if plan.total_rounds() > 1 && last {
                w.push(Word::LastRound);
            } else if sets > 1 && round == 1 && sets <= 99 {
                // a new block: « Travail, bloc 2 sur 3 »
                w.extend([
                    Word::Block,
                    Word::Number(set as u8),
                    Word::Of,
                    Word::Number(sets as u8),
                ]);
            } else if plan.rounds > 1 && plan.rounds <= 99 {
                w.extend([
                    Word::Round,
                    Word::Number(round as u8),
                    Word::Of,
                    Word::Number(plan.rounds as u8),
                ]);
            }
            w
        }
        Event::RestStart { .. } => vec![Word::Rest],
        Event::Halfway { .. } => vec![Word::Halfway],
        Event::Countdown { seconds_left } => match u8::try_from(seconds_left) {
            Ok(n @ 1..=99) => vec![Word::Number(n)],
            _ => vec![],
        },
        Event::Done => {
            let mut w = vec![Word::Done, Word::Total];
            w.extend(duration_words(plan.total()));
            w
        }
    }
}

/// One spoken cue of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spoken {
    /// Workout time at which it starts.
    pub at: Duration,
    /// The timer event it says.
    pub event: Event,
    /// The clips, in order.
    pub words: Vec<Word>,
    /// Time until the next cue (`None` for the last): a longer sentence is
    /// shortened to fit, never allowed to delay or cover the next cue.
    pub room: Option<Duration>,
}

/// Every spoken cue of `plan`, in order, as an unpaused run says them.
pub fn schedule(plan: &WorkoutPlan) -> Vec<Spoken> {
    let events: Vec<(Duration, Event)> = Timer::new(*plan)
        .schedule()
        .into_iter()
        .filter(|(_, e)| !words_for(e, plan).is_empty())
        .collect();
    events
        .iter()
        .enumerate()
        .map(|(i, &(at, event))| Spoken {
            at,
            event,
            words: words_for(&event, plan),
            room: events.get(i + 1).map(|(next, _)| *next - at),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    #[test]
    fn a_short_plan_is_said_in_order() {
        let plan = WorkoutPlan::new(2, s(5), s(3), s(4)).unwrap();
        let said: Vec<(u64, Vec<Word>)> = schedule(&plan)
            .into_iter()
            .map(|c| (c.at.as_millis() as u64, c.words))
            .collect();
        use Word::*;
        assert_eq!(
            said,
            vec![
                (0, vec![Prepare]),
                (1000, vec![Number(3)]),
                (2000, vec![Number(2)]),
                (3000, vec![Number(1)]),
                (4000, vec![Work, Round, Number(1), Of, Number(2)]),
                (6000, vec![Number(3)]),
                (7000, vec![Number(2)]),
                (8000, vec![Number(1)]),
                (9000, vec![Rest]),
                // a 3 s rest counts down from 2, as the beeps do
                (10_000, vec![Number(2)]),
                (11_000, vec![Number(1)]),
                (12_000, vec![Work, LastRound]),
                (14_000, vec![Number(3)]),
                (15_000, vec![Number(2)]),
                (16_000, vec![Number(1)]),
                (17_000, vec![Done, Total, Number(17), Seconds]),
            ]
        );
    }

    #[test]
    fn last_round_only_once_and_halfway_only_in_long_work() {
        let plan = WorkoutPlan::new(12, s(120), s(30), s(5)).unwrap();
        let cues = schedule(&plan);
        let last = cues.iter().filter(|c| c.words.contains(&Word::LastRound));
        assert_eq!(last.count(), 1);
        let last = cues
            .iter()
            .find(|c| c.words.contains(&Word::LastRound))
            .unwrap();
        assert_eq!(last.event, Event::WorkStart { round: 12, set: 1 });
        let halfway = cues.iter().filter(|c| c.words == [Word::Halfway]).count();
        assert_eq!(halfway, 12);
        // « Série 11 sur 12 » before it
        assert!(cues.iter().any(|c| c.words
            == [
                Word::Work,
                Word::Round,
                Word::Number(11),
                Word::Of,
                Word::Number(12)
            ]));
        let short = WorkoutPlan::new(8, s(19), s(10), s(0)).unwrap();
        assert!(!schedule(&short).iter().any(|c| c.words == [Word::Halfway]));
    }

    #[test]
    fn nothing_after_the_end_and_every_cue_has_room_until_the_next() {
        for plan in [
            WorkoutPlan::new(3, s(20), s(10), s(5)).unwrap(),
            WorkoutPlan::new(1, s(45), s(0), s(0)).unwrap(),
            WorkoutPlan::new(40, s(3), s(1), s(2)).unwrap(),
        ] {
            let cues = schedule(&plan);
            let end = cues.last().unwrap();
            assert_eq!(end.event, Event::Done);
            assert_eq!(end.at, plan.total());
            assert_eq!(end.room, None);
            for w in cues.windows(2) {
                assert!(w[0].at <= w[1].at);
                assert_eq!(w[0].room, Some(w[1].at - w[0].at));
            }
            assert!(cues.iter().all(|c| c.at <= plan.total()));
        }
    }

    #[test]
    fn blocks_are_announced_and_the_last_round_is_the_last_of_the_last_block() {
        let plan = WorkoutPlan::new(3, s(20), s(10), s(5))
            .and_then(|p| p.with_sets(2, s(60)))
            .and_then(|p| p.with_warmup_cooldown(s(60), s(60)))
            .unwrap();
        let said: Vec<Vec<Word>> = schedule(&plan)
            .into_iter()
            .map(|c| c.words)
            .filter(|w| w.len() > 1 || !matches!(w[0], Word::Number(_)))
            .collect();
        use Word::*;
        assert_eq!(said[0], [Warmup]);
        assert_eq!(said[1], [Prepare]);
        assert_eq!(said[2], [Work, Block, Number(1), Of, Number(2)]);
        assert!(said.contains(&vec![Work, Round, Number(2), Of, Number(3)]));
        assert!(said.contains(&vec![SetRest]));
        assert!(said.contains(&vec![Work, Block, Number(2), Of, Number(2)]));
        assert_eq!(said.iter().filter(|w| w.contains(&LastRound)).count(), 1);
        assert!(said.contains(&vec![Cooldown]));
        assert_eq!(said.last().unwrap()[0], Done);
    }

    #[test]
    fn one_round_says_no_series_and_big_counts_no_numbers() {
        let one = WorkoutPlan::new(1, s(30), s(0), s(0)).unwrap();
        assert_eq!(
            words_for(&Event::WorkStart { round: 1, set: 1 }, &one),
            [Word::Work]
        );
        let many = WorkoutPlan::new(150, s(5), s(0), s(0)).unwrap();
        assert_eq!(
            words_for(&Event::WorkStart { round: 3, set: 1 }, &many),
            [Word::Work]
        );
        assert_eq!(
            words_for(&Event::WorkStart { round: 150, set: 1 }, &many),
            [Word::Work, Word::LastRound]
        );
    }

    #[test]
    fn durations_are_said_as_people_say_them() {
        use Word::*;
        assert_eq!(
            duration_words(s(29 * 60 + 35)),
            [Number(29), Minutes, And, Number(35), Seconds]
        );
        assert_eq!(duration_words(s(60)), [OneFem, Minute]);
        assert_eq!(
            duration_words(s(3600 + 5 * 60 + 7)),
            [OneFem, Hour, And, Number(5), Minutes]
        );
        assert_eq!(duration_words(s(45)), [Number(45), Seconds]);
        assert_eq!(duration_words(s(0)), []);
    }

    #[test]
    fn every_word_has_a_distinct_clip_name() {
        let all = Word::all();
        assert_eq!(all.len(), 36 + 99);
        let names: std::collections::HashSet<String> = all.iter().map(|w| w.clip_name()).collect();
        assert_eq!(names.len(), all.len());
    }
}
