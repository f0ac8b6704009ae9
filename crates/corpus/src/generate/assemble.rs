//! Putting a drawn plan into words: its chunks (rounds, work, rest, the
//! format, the structure's parts, a distractor) in some order, with
//! connectors, openers and closers. The phrases themselves are
//! `grammar.rs`'s (rounds, durations) and `structure.rs`'s (the rest of
//! the workout).

use super::grammar::Grammar;
use super::lexicon::*;
use super::plan::Spoken;
use super::sentence::Sentence;
use super::structure::FormatSays;
use rand::Rng;
use rand::seq::SliceRandom;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Rounds,
    Work,
    RoundsOfWork,
    Rest,
    Distractor,
    /// The format word with what its phrase says (see `structure.rs`).
    Format(FormatSays),
    /// `3 blocs de` right before the round count.
    SetsOf,
    Sets,
    SetRest,
    Prepare,
    Warmup,
    Cooldown,
    Reps,
    /// `20s/10s`, `30/30`: work then rest, a slash between.
    WorkSlashRest,
}

impl<R: Rng> Grammar<'_, R> {
    /// The chunks of `plan`, in the order they are said.
    fn chunks(&mut self, plan: &Spoken) -> Vec<Chunk> {
        let mut left = *plan;
        let mut chunks = Vec::new();
        let mut leading = None;
        if let Some(f) = plan.format {
            leading = Some(Chunk::Format(self.format_says(f, &mut left)));
        }
        let mut rounds_with_work = false;
        let sets_of = left.sets.is_some() && left.rounds.is_some() && self.chance(0.45);
        if left.rounds.is_some() {
            rounds_with_work = left.work_s.is_some() && self.chance(0.45);
            chunks.push(if rounds_with_work {
                Chunk::RoundsOfWork
            } else {
                Chunk::Rounds
            });
        }
        let slash = !rounds_with_work
            && left.work_s.is_some()
            && left.rest_s.is_some_and(|r| r > 0)
            && self.chance(0.07);
        if slash {
            chunks.push(Chunk::WorkSlashRest);
        } else {
            if !rounds_with_work && left.work_s.is_some() {
                chunks.push(Chunk::Work);
            }
            if left.rest_s.is_some() {
                chunks.push(Chunk::Rest);
            }
        }
        if left.reps.is_some() {
            chunks.push(Chunk::Reps);
        }
        if left.sets.is_some() && !sets_of {
            chunks.push(Chunk::Sets);
        }
        if left.set_rest_s.is_some() {
            chunks.push(Chunk::SetRest);
        }
        // canonical order most of the time, any order otherwise
        if self.chance(0.45) {
            chunks.shuffle(self.rng);
        }
        if sets_of {
            let at = chunks
                .iter()
                .position(|c| matches!(c, Chunk::Rounds | Chunk::RoundsOfWork))
                .unwrap_or(0);
            chunks.insert(at, Chunk::SetsOf);
        }
        if let Some(f) = leading {
            let at = if self.chance(0.85) {
                0
            } else {
                self.rng.random_range(0..=chunks.len())
            };
            chunks.insert(at, f);
        }
        // the warm-up first, the cool-down last, the preparation either
        for (said, chunk, first) in [
            (plan.warmup_s, Chunk::Warmup, 0.8),
            (plan.prepare_s, Chunk::Prepare, 0.45),
            (plan.cooldown_s, Chunk::Cooldown, 0.1),
        ] {
            if said.is_none() {
                continue;
            }
            let at = match self.rng.random_range(0..100) {
                0..85 if self.chance(first) => 0,
                0..85 => chunks.len(),
                _ => self.rng.random_range(0..=chunks.len()),
            };
            chunks.insert(at, chunk);
        }
        if self.chance(0.12) {
            let at = self.rng.random_range(0..=chunks.len());
            chunks.insert(at, Chunk::Distractor);
        }
        chunks
    }

    /// The whole utterance, before noise.
    pub(super) fn utterance(&mut self, plan: Spoken) -> Sentence {
        let chunks = self.chunks(&plan);
        let mut s = Sentence::default();
        let opener = *pick(self.rng, OPENERS);
        s.word(opener);
        if !opener.is_empty() && self.chance(0.08) {
            s.punct(if self.chance(0.5) { ":" } else { "," });
        }
        let first_is_work = matches!(chunks.first(), Some(Chunk::Work));
        if first_is_work || matches!(chunks.first(), Some(Chunk::RoundsOfWork)) {
            s.word(*pick(self.rng, INTROS));
        }
        let work_s = plan.work_s.unwrap_or(0);
        for (i, chunk) in chunks.iter().enumerate() {
            if i > 0 && chunks[i - 1] != Chunk::SetsOf {
                let c = *pick(self.rng, CONNECTORS);
                if c.starts_with([',', '.', ';']) {
                    s.punct(&c[..1]);
                    s.word(c[1..].trim());
                } else {
                    s.word(c);
                }
            }
            let part = match *chunk {
                Chunk::Rounds => self.rounds(plan.rounds.unwrap_or(1)),
                Chunk::Work => self.work(work_s, false),
                Chunk::RoundsOfWork => self.rounds_of_work(plan.rounds.unwrap_or(1), work_s),
                Chunk::Rest => self.rest(plan.rest_s.unwrap_or(0)),
                Chunk::Distractor => self.distractor(),
                Chunk::Format(says) => self.format(says),
                Chunk::SetsOf => self.sets_of(plan.sets.unwrap_or(2)),
                Chunk::Sets => self.sets(plan.sets.unwrap_or(2), plan.format.is_some()),
                Chunk::SetRest => self.set_rest(plan.set_rest_s.unwrap_or(0), plan.format),
                Chunk::Prepare => self.prepare(plan.prepare_s.unwrap_or(10)),
                Chunk::Warmup => self.warmup(plan.warmup_s.unwrap_or(300)),
                Chunk::Cooldown => self.cooldown(plan.cooldown_s.unwrap_or(300)),
                Chunk::Reps => self.reps(plan.reps.unwrap_or(10)),
                Chunk::WorkSlashRest => self.work_slash_rest(work_s, plan.rest_s.unwrap_or(10)),
            };
            s.extend(part);
        }
        if self.chance(0.05) {
            let d = self.distractor();
            s.extend(d);
        }
        s.word(*pick(self.rng, CLOSERS));
        s
    }
}
