//! What the coach says back when a plan is understood by voice (« Douze
//! séries de deux minutes, trente secondes de repos. On y va ? »), the
//! fields to check said on their own (« Le repos : trente secondes. C'est
//! bien ça ? »), and the time left when asked (« Encore une minute et
//! vingt secondes, série 5 sur 12 »). Words of the clip bank; pure.

use crate::coach::{Word, count_of, duration_words};
use crate::plan::WorkoutPlan;
use crate::timer::{RunState, Status};
use crate::values::Quantity;

/// The plan as the coach reads it back, then the fields of `to_check`
/// asked about one by one, then the question: « On y va ? » when nothing
/// is to check, else « C'est bien ça ? ».
pub fn read_back(plan: &WorkoutPlan, to_check: &[Quantity]) -> Vec<Word> {
    let mut w = Vec::new();
    if plan.sets > 1 {
        push_count(&mut w, plan.sets, Word::Blocks);
        w.push(Word::Of_);
    }
    match plan.rounds {
        1 => w.extend([Word::OneFem, Word::Round]),
        n => push_count(&mut w, n, Word::Rounds),
    }
    w.push(Word::Of_);
    w.extend(duration_words(plan.work));
    if plan.rest.is_zero() {
        if plan.total_rounds() > 1 {
            w.push(Word::NoRest);
        }
    } else {
        w.extend(duration_words(plan.rest));
        w.push(Word::OfRest);
    }
    if plan.sets > 1 && !plan.set_rest.is_zero() {
        w.push(Word::SetRest);
        w.extend(duration_words(plan.set_rest));
    }
    if !plan.warmup.is_zero() {
        w.push(Word::Warmup);
        w.extend(duration_words(plan.warmup));
    }
    if !plan.cooldown.is_zero() {
        w.push(Word::Cooldown);
        w.extend(duration_words(plan.cooldown));
    }
    let mut checked = false;
    for q in to_check {
        let said = field(plan, *q);
        if !said.is_empty() {
            w.extend(said);
            checked = true;
        }
    }
    w.push(if checked {
        Word::IsThatRight
    } else {
        Word::GoQuestion
    });
    w
}

/// A count said with its noun (« douze séries »); the noun alone past 99,
/// which the bank cannot say.
fn push_count(w: &mut Vec<Word>, n: u32, noun: Word) {
    match count_of(n.into(), noun, noun) {
        Some(words) => w.extend(words),
        None => w.push(noun),
    }
}

/// One field named and said (« Le repos : trente secondes »); nothing for
/// a field the bank has no name for.
fn field(plan: &WorkoutPlan, q: Quantity) -> Vec<Word> {
    let number = |n: u32| match u8::try_from(n) {
        Ok(n @ 1..=99) => vec![Word::Number(n)],
        _ => vec![],
    };
    let (name, value) = match q {
        Quantity::Rounds => (Word::CheckRounds, number(plan.rounds)),
        Quantity::Sets => (Word::CheckSets, number(plan.sets)),
        Quantity::Reps => (Word::CheckReps, plan.reps.map(number).unwrap_or_default()),
        Quantity::Work => (Word::CheckWork, duration_words(plan.work)),
        Quantity::Rest => (Word::CheckRest, rest_words(plan.rest)),
        Quantity::Prepare => (Word::CheckPrepare, duration_words(plan.prepare)),
        Quantity::SetRest => (Word::SetRest, rest_words(plan.set_rest)),
        Quantity::Warmup => (Word::Warmup, duration_words(plan.warmup)),
        Quantity::Cooldown => (Word::Cooldown, duration_words(plan.cooldown)),
        Quantity::Format => return vec![],
    };
    if value.is_empty() {
        return vec![];
    }
    let mut w = vec![name];
    w.extend(value);
    w
}

fn rest_words(d: std::time::Duration) -> Vec<Word> {
    if d.is_zero() {
        vec![Word::NoRest]
    } else {
        duration_words(d)
    }
}

/// The answer to « combien de temps ? »: the time left in the workout,
/// then where it stands (« série 5 sur 12 »); nothing when it is not
/// running.
pub fn time_left(status: &Status, plan: &WorkoutPlan) -> Vec<Word> {
    if !matches!(status.state, RunState::Running | RunState::Paused) {
        return vec![];
    }
    let left = status.total.saturating_sub(status.elapsed);
    let mut w = vec![Word::Left];
    // whole seconds, rounded up: « encore une seconde » until the end
    w.extend(duration_words(std::time::Duration::from_secs(
        left.as_secs_f64().ceil() as u64,
    )));
    if plan.rounds > 1
        && let (Ok(round @ 1..=99), Ok(of @ 1..=99)) =
            (u8::try_from(status.round), u8::try_from(plan.rounds))
    {
        w.extend([Word::Round, Word::Number(round), Word::Of, Word::Number(of)]);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use Word::*;
    use std::time::Duration;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    #[test]
    fn the_headline_plan_is_read_back() {
        let plan = WorkoutPlan::new(12, s(120), s(30), s(10)).unwrap();
        assert_eq!(
            read_back(&plan, &[]),
            vec![
                Number(12),
                Rounds,
                Of_,
                Number(2),
                Minutes,
                Number(30),
                Seconds,
                OfRest,
                GoQuestion
            ]
        );
    }

    #[test]
    fn a_field_to_check_is_named_and_asked() {
        let plan = WorkoutPlan::new(12, s(120), s(30), s(10)).unwrap();
        let w = read_back(&plan, &[Quantity::Rest]);
        assert_eq!(
            w[w.len() - 4..],
            [CheckRest, Number(30), Seconds, IsThatRight]
        );
    }

    #[test]
    fn blocks_no_rest_one_round_warm_up() {
        let plan = WorkoutPlan {
            sets: 3,
            set_rest: s(60),
            warmup: s(300),
            ..WorkoutPlan::new(10, s(40), s(0), s(10)).unwrap()
        };
        assert_eq!(
            read_back(&plan, &[]),
            vec![
                Number(3),
                Blocks,
                Of_,
                Number(10),
                Rounds,
                Of_,
                Number(40),
                Seconds,
                NoRest,
                SetRest,
                OneFem,
                Minute,
                Warmup,
                Number(5),
                Minutes,
                GoQuestion
            ]
        );
        let one = WorkoutPlan::new(1, s(1800), s(0), s(10)).unwrap();
        assert_eq!(
            read_back(&one, &[]),
            vec![OneFem, Round, Of_, Number(30), Minutes, GoQuestion]
        );
    }

    #[test]
    fn the_time_left_and_the_round() {
        let plan = WorkoutPlan::new(12, s(60), s(20), s(10)).unwrap();
        let mut timer = crate::timer::Timer::new(plan);
        let t0 = std::time::Instant::now();
        timer.start(t0);
        assert_eq!(time_left(&timer.status(t0), &plan)[..1], [Left]);
        // 10 s of preparation, 4 rounds of 80 s, then 5 s into round 5
        let at = t0 + s(10 + 4 * 80 + 5);
        let total = plan.total().as_secs() - (10 + 4 * 80 + 5);
        assert_eq!(
            time_left(&timer.status(at), &plan),
            [
                vec![Left],
                duration_words(s(total)),
                vec![Round, Number(5), Of, Number(12)]
            ]
            .concat()
        );
        assert!(time_left(&crate::timer::Timer::new(plan).status(t0), &plan).is_empty());
    }

    #[test]
    fn every_word_of_a_read_back_is_in_the_bank_list() {
        let plan = WorkoutPlan {
            sets: 2,
            set_rest: s(90),
            cooldown: s(120),
            reps: Some(15),
            ..WorkoutPlan::new(150, s(65), s(45), s(10)).unwrap()
        };
        let all = Word::all();
        let quantities = [
            Quantity::Rounds,
            Quantity::Work,
            Quantity::Rest,
            Quantity::Sets,
            Quantity::Prepare,
            Quantity::SetRest,
            Quantity::Warmup,
            Quantity::Cooldown,
            Quantity::Reps,
            Quantity::Format,
        ];
        for w in read_back(&plan, &quantities) {
            assert!(all.contains(&w), "{w:?}");
        }
    }
}
