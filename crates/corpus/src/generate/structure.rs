//! The whole workout beyond rounds, work and rest: named formats (Tabata,
//! EMOM, AMRAP), sets of rounds with their rest, preparation, warm-up,
//! cool-down and repetition targets (docs/annotation.md): each one's
//! phrases (how often each is drawn is `plan.rs`'s).

use super::grammar::Grammar;
use super::lexicon::*;
use super::plan::Spoken;
use super::sentence::Sentence;
use rand::Rng;
use speechtimer_core::values::{Format, Label, Quantity};

/// What the format phrase says besides the word; the rest of the plan is
/// said by the usual chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FormatSays {
    format: Format,
    /// `4 Tabatas`.
    sets: Option<u32>,
    /// `un Tabata de 10 séries`, `EMOM de 10 tours`.
    rounds: Option<u32>,
    /// `EMOM de 12 minutes`, `AMRAP de 15 minutes` (work spans).
    work_s: Option<u32>,
}

/// How a format word is written.
fn format_word<R: Rng>(rng: &mut R, f: Format, plural: bool) -> String {
    let w = match f {
        Format::Tabata => *pick(rng, &[("Tabata", 5), ("tabata", 2), ("TABATA", 1)]),
        Format::Emom => *pick(rng, &[("EMOM", 5), ("emom", 2), ("Emom", 1)]),
        Format::Amrap => *pick(rng, &[("AMRAP", 5), ("amrap", 2), ("Amrap", 1)]),
    };
    if plural {
        format!(
            "{w}{}",
            if w.ends_with(char::is_uppercase) {
                "S"
            } else {
                "s"
            }
        )
    } else {
        w.to_string()
    }
}

impl<R: Rng> Grammar<'_, R> {
    /// Decides what the format's phrase says of the plan, and takes it out
    /// of `left` (what the other chunks still have to say).
    pub(super) fn format_says(&mut self, format: Format, left: &mut Spoken) -> FormatSays {
        let mut says = FormatSays {
            format,
            sets: None,
            rounds: None,
            work_s: None,
        };
        match format {
            Format::Tabata => {
                if left.sets.is_some() && self.chance(0.85) {
                    says.sets = left.sets.take();
                }
                if left.rounds.is_some() && self.chance(0.5) {
                    says.rounds = left.rounds.take();
                }
            }
            Format::Emom | Format::Amrap => {
                if left.sets.is_some() && self.chance(0.8) {
                    says.sets = left.sets.take();
                }
                says.rounds = left.rounds.take();
                says.work_s = left.work_s.take();
            }
        }
        says
    }

    /// `un Tabata`, `4 Tabatas`, `un Tabata de 10 séries`, `EMOM de 12
    /// minutes`, `15 minutes d'AMRAP`.
    pub(super) fn format(&mut self, says: FormatSays) -> Sentence {
        let mut s = Sentence::default();
        let article = *pick(self.rng, &[("un", 5), ("", 3), ("en", 1)]);
        if let Some(n) = says.sets {
            s.span(self.nw.int(self.rng, n, false), Label::NbSets);
            // « 4 Tabatas », « trois EMOM »: the acronyms often stay singular
            let plural = says.format == Format::Tabata || self.chance(0.3);
            s.span(format_word(self.rng, says.format, plural), Label::Format);
            if self.chance(0.2) {
                s.word(*pick(self.rng, &[("de suite", 1), ("d'affilée", 1)]));
            }
        } else if let Some(secs) = says.work_s
            && self.chance(0.25)
        {
            // `12 minutes d'EMOM`, `20 minutes en AMRAP`
            s.extend(self.duration(secs, Quantity::Work, false));
            s.word(if self.chance(0.6) { "d'" } else { "en" });
            s.span(format_word(self.rng, says.format, false), Label::Format);
            if s.pieces.len() >= 2 && s.pieces[s.pieces.len() - 2].text == "d'" {
                s.glue_last();
            }
            return s;
        } else {
            s.word(article);
            s.span(format_word(self.rng, says.format, false), Label::Format);
        }
        if let Some(secs) = says.work_s {
            s.word(*pick(
                self.rng,
                &[("de", 6), ("", 3), ("sur", 1), ("pendant", 1), ("en", 1)],
            ));
            s.extend(self.duration(secs, Quantity::Work, false));
        }
        if let Some(n) = says.rounds {
            let (plural, singular, fem) = *pick(self.rng, ROUND_NOUNS);
            s.word(*pick(self.rng, &[("de", 4), ("", 2), ("en", 1)]));
            s.span(self.count(n, fem), Label::NbRounds);
            s.unit(if n == 1 { singular } else { plural });
        }
        s
    }

    /// `3 blocs de`, `2 fois`, `4 x` (the round count follows).
    pub(super) fn sets_of(&mut self, n: u32) -> Sentence {
        let mut s = Sentence::default();
        match self.rng.random_range(0..100) {
            0..70 => {
                let (plural, singular) = *pick(self.rng, SET_NOUNS);
                s.span(self.nw.int(self.rng, n, false), Label::NbSets);
                s.unit(if n == 1 { singular } else { plural });
                s.word("de");
            }
            70..85 => {
                s.span(self.nw.digits(n), Label::NbSets);
                s.word(*pick(self.rng, &[("x", 3), ("X", 1), ("×", 1)]));
            }
            _ => {
                s.span(self.nw.int(self.rng, n, true), Label::NbSets);
                s.unit("fois");
            }
        }
        s
    }

    /// `en 3 blocs`, `le tout 3 fois`, `3 circuits`; `3 fois` after a format.
    pub(super) fn sets(&mut self, n: u32, after_format: bool) -> Sentence {
        let mut s = Sentence::default();
        let (plural, singular) = *pick(self.rng, SET_NOUNS);
        let noun = if n == 1 { singular } else { plural };
        match self.rng.random_range(0..100) {
            0..30 if !after_format => {
                s.word(*pick(self.rng, &[("en", 3), ("sur", 1), ("", 2)]));
                s.span(self.nw.int(self.rng, n, false), Label::NbSets);
                s.unit(noun);
            }
            0..60 => {
                s.word(*pick(
                    self.rng,
                    &[
                        ("le tout", 4),
                        ("à faire", 1),
                        ("à répéter", 1),
                        ("et on répète le bloc", 1),
                        ("et tu refais ça", 1),
                    ],
                ));
                s.span(self.nw.int(self.rng, n, true), Label::NbSets);
                s.unit("fois");
            }
            60..75 => {
                s.word(*pick(self.rng, &[("le tout", 2), ("", 1)]));
                s.word("x");
                s.span(self.nw.digits(n), Label::NbSets).glue_last();
            }
            _ => {
                s.word(*pick(self.rng, &[("", 2), ("et", 1), ("avec", 1)]));
                s.span(self.nw.int(self.rng, n, false), Label::NbSets);
                s.unit(noun);
                if self.chance(0.4) {
                    s.word(*pick(self.rng, &[("au total", 1), ("en tout", 1)]));
                }
            }
        }
        s
    }

    /// `2 minutes entre les blocs`, `repos de 1 minute entre chaque
    /// circuit`; `avec 1 minute entre` after Tabatas.
    pub(super) fn set_rest(&mut self, secs: u32, format: Option<Format>) -> Sentence {
        let mut s = Sentence::default();
        let (plural, singular) = *pick(self.rng, SET_NOUNS);
        let between = match format {
            Some(_) => pick(
                self.rng,
                &[
                    ("entre", 4),
                    ("entre chaque", 2),
                    ("entre les deux", 1),
                    ("de pause entre", 1),
                    ("de récup entre", 2),
                    ("de repos entre", 2),
                    ("de repos entre chaque", 1),
                    ("de pause entre chaque", 1),
                ],
            )
            .to_string(),
            None => match self.rng.random_range(0..3) {
                0 => format!("entre les {plural}"),
                1 => format!("entre chaque {singular}"),
                _ => format!("de repos entre les {plural}"),
            },
        };
        if self.chance(0.4) {
            s.word(*pick(
                self.rng,
                &[
                    ("repos de", 2),
                    ("récup de", 1),
                    ("pause de", 1),
                    ("avec", 2),
                    ("et", 1),
                ],
            ));
        }
        s.extend(self.duration(secs, Quantity::SetRest, false));
        s.word(between);
        s
    }

    /// `10 secondes de préparation`, `départ dans 5 secondes`.
    pub(super) fn prepare(&mut self, secs: u32) -> Sentence {
        self.before_or_after(secs, Quantity::Prepare, PREP_BEFORE, PREP_AFTER)
    }

    /// `5 minutes d'échauffement`, `échauffement 10 min`.
    pub(super) fn warmup(&mut self, secs: u32) -> Sentence {
        self.before_or_after(secs, Quantity::Warmup, WARMUP_BEFORE, WARMUP_AFTER)
    }

    /// `5 minutes de retour au calme`, `cool down 3 min`.
    pub(super) fn cooldown(&mut self, secs: u32) -> Sentence {
        self.before_or_after(secs, Quantity::Cooldown, COOLDOWN_BEFORE, COOLDOWN_AFTER)
    }

    fn before_or_after(
        &mut self,
        secs: u32,
        q: Quantity,
        before: &[(&'static str, u32)],
        after: &[(&'static str, u32)],
    ) -> Sentence {
        let mut s = Sentence::default();
        if self.chance(0.4) {
            s.word(*pick(self.rng, before));
            // `prépa 15`: a bare number after the word is seconds
            let bare = secs < 100 && self.chance(0.25);
            s.extend(self.duration(secs, q, bare));
        } else {
            if self.chance(0.2) {
                s.word(*pick(
                    self.rng,
                    &[("avec", 2), ("puis", 1), ("et", 2), ("plus", 1)],
                ));
            }
            s.extend(self.duration(secs, q, false));
            s.word(*pick(self.rng, after));
        }
        s
    }

    /// `15 pompes`, `avec 10 burpees à chaque tour`, `20 reps de squats`.
    pub(super) fn reps(&mut self, n: u32) -> Sentence {
        let mut s = Sentence::default();
        s.word(*pick(self.rng, REPS_BEFORE));
        s.span(self.nw.int(self.rng, n, false), Label::NbReps);
        if self.chance(0.12) {
            s.word(*pick(self.rng, &[("reps de", 2), ("répétitions de", 1)]));
        }
        s.word(one(self.rng, EXERCISES));
        s.word(*pick(self.rng, REPS_AFTER));
        s
    }
}
