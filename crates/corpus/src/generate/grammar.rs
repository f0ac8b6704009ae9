//! The grammar: a plan is sampled, then each quantity is said in one of many
//! ways, the chunks are put in some order with connectors, openers, closers
//! and distractors. Every choice is weighted.

use super::lexicon::*;
use super::numbers::{NumberWriter, sound_alike_for};
use super::sentence::{Kind, Sentence};
use rand::Rng;
use speechtimer_core::values::{Label, Quantity};

/// Chance that a round count is written as one of its sound-alikes
/// (besides the rarer sound-alikes of any number in words).
const COUNT_SOUND_ALIKE: f64 = 0.05;

/// Says one utterance.
pub(super) struct Grammar<'r, R: Rng> {
    pub rng: &'r mut R,
    pub nw: NumberWriter,
    /// Say it as written, with no word an ASR got wrong (sound-alike
    /// counts, garbled round nouns): the language model learns from these.
    pub clean: bool,
}

impl<R: Rng> Grammar<'_, R> {
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// A round count as said or as an ASR heard it: the count leading a
    /// command is the word Whisper most often turns into a sound-alike
    /// (`sept` -> `cette`, `dix` -> `d'y`), so it gets one more often than
    /// other numbers do.
    pub(super) fn count(&mut self, n: u32, feminine: bool) -> String {
        if self.clean {
            return self.nw.int(self.rng, n, feminine);
        }
        match sound_alike_for(self.rng, n, COUNT_SOUND_ALIKE) {
            Some(alike) => alike.to_string(),
            None => self.nw.int(self.rng, n, feminine),
        }
    }

    /// The counted noun of a round count: (plural, singular, feminine);
    /// now and then a word an ASR wrote for it.
    pub(super) fn round_noun(&mut self) -> (&'static str, &'static str, bool) {
        if !self.clean && self.chance(0.04) {
            *pick(self.rng, GARBLED_NOUNS)
        } else {
            *pick(self.rng, ROUND_NOUNS)
        }
    }

    /// `12 séries`, `en 5 rounds`, `à répéter 8 fois`, `x8`.
    pub(super) fn rounds(&mut self, n: u32) -> Sentence {
        let mut s = Sentence::default();
        let (plural, singular, fem) = self.round_noun();
        let noun = if n == 1 { singular } else { plural };
        match self.rng.random_range(0..100) {
            0..70 => {
                s.word(*pick(self.rng, ROUND_PREFIXES));
                s.span(self.count(n, fem), Label::NbRounds);
                s.unit(noun);
                s.word(*pick(self.rng, ROUND_SUFFIXES));
            }
            70..82 => {
                s.word(*pick(self.rng, REPEAT_VERBS));
                s.span(self.nw.int(self.rng, n, true), Label::NbRounds);
                s.unit("fois");
            }
            82..88 => {
                let x = if self.chance(0.5) { "x" } else { "X" };
                if self.chance(0.5) {
                    s.word(x);
                    s.span(self.nw.digits(n), Label::NbRounds).glue_last();
                } else {
                    s.span(self.nw.digits(n), Label::NbRounds);
                    s.word(x).glue_last();
                }
            }
            88..94 => {
                let lead = *pick(self.rng, &[("nombre de", 3), ("", 2)]);
                s.word(lead);
                s.unit(plural);
                if self.chance(0.5) {
                    s.punct(":");
                }
                s.span(self.nw.int(self.rng, n, fem), Label::NbRounds);
            }
            _ => {
                let verb = *pick(
                    self.rng,
                    &[
                        ("on en fait", 2),
                        ("j'en veux", 1),
                        ("il en faut", 1),
                        ("je fais", 1),
                        ("fais-en", 1),
                    ],
                );
                s.word(verb);
                s.span(self.nw.int(self.rng, n, fem), Label::NbRounds);
                if self.chance(0.5) {
                    s.unit(noun);
                }
            }
        }
        s
    }

    /// `8 séries de 30 secondes`, `4 fois 4 minutes`, `10 x 1 min`.
    pub(super) fn rounds_of_work(&mut self, n: u32, work_s: u32) -> Sentence {
        let mut s = Sentence::default();
        let (plural, singular, fem) = self.round_noun();
        let noun = if n == 1 { singular } else { plural };
        let nb = self.count(n, fem);
        match self.rng.random_range(0..100) {
            0..62 => {
                s.word(*pick(self.rng, ROUND_PREFIXES));
                s.span(nb, Label::NbRounds);
                s.unit(if noun == "fois" { "séries" } else { noun });
                let mut d = self.duration(work_s, Quantity::Work, false);
                self.de_before(&mut s, &mut d);
                s.extend(d);
                if self.chance(0.35) {
                    s.word(*pick(self.rng, WORK_AFTER));
                } else if self.chance(0.1) {
                    s.word(if fem { "chacune" } else { "chacun" });
                }
            }
            62..70 => {
                // `5 tours de 400 mètres en 2 minutes`: the count inside is not labelled
                s.span(nb, Label::NbRounds);
                s.unit(noun);
                s.word("de");
                let inner = self.inner_count();
                s.extend(inner);
                s.word(*pick(self.rng, &[("en", 5), ("pendant", 1), ("sur", 1)]));
                s.extend(self.duration(work_s, Quantity::Work, false));
            }
            70..80 => {
                s.span(nb, Label::NbRounds);
                s.unit("fois");
                s.extend(self.duration(work_s, Quantity::Work, false));
                if self.chance(0.3) {
                    s.word(*pick(self.rng, WORK_AFTER));
                }
            }
            80..90 => {
                s.span(self.nw.digits(n), Label::NbRounds);
                let x = *pick(self.rng, &[("x", 3), ("X", 1), ("fois", 1)]);
                s.word(x);
                if x != "fois" && self.chance(0.3) {
                    s.glue_last();
                }
                s.extend(self.duration(work_s, Quantity::Work, false));
            }
            _ => {
                // the work first: `30 secondes d'effort, 8 fois`
                s.extend(self.work(work_s, true));
                if self.chance(0.4) {
                    s.punct(",");
                }
                s.word(*pick(
                    self.rng,
                    &[("", 3), ("le tout", 1), ("à faire", 1), ("répété", 1)],
                ));
                s.span(nb, Label::NbRounds);
                s.unit(noun);
            }
        }
        s
    }

    /// Adds `de` or `d'` before a duration (`séries de 30 s`, `séries d'une minute`).
    pub(super) fn de_before(&mut self, s: &mut Sentence, d: &mut Sentence) {
        let first = d.pieces.first().map(|p| p.text.as_str()).unwrap_or("");
        let vowel = first.starts_with(['u', 'o', 'a', 'e', 'i', 'U', 'O', 'A', 'E', 'I'])
            || (first.starts_with('h') && !first.starts_with("hui"));
        if vowel && self.chance(0.8) {
            s.word("d'");
            if let Some(p) = d.pieces.first_mut() {
                p.glued = true;
            }
        } else {
            s.word("de");
        }
    }

    /// A work chunk: `30 secondes d'effort`, `travail 45`, `pendant 2 min`.
    pub(super) fn work(&mut self, secs: u32, after_only: bool) -> Sentence {
        let mut s = Sentence::default();
        let r = self.rng.random_range(0..100);
        if r < 40 && !after_only {
            s.word(*pick(self.rng, WORK_BEFORE));
            let bare = secs < 100 && self.chance(0.2);
            s.extend(self.duration(secs, Quantity::Work, bare));
        } else if r < 78 {
            s.extend(self.duration(secs, Quantity::Work, false));
            s.word(*pick(self.rng, WORK_AFTER));
        } else {
            s.extend(self.duration(secs, Quantity::Work, false));
        }
        s
    }

    /// `20s/10s`, `30 s / 30 s`, `30/30` (bare: seconds), `1 min / 30 s`.
    pub(super) fn work_slash_rest(&mut self, work_s: u32, rest_s: u32) -> Sentence {
        let mut s = Sentence::default();
        let bare = work_s < 100 && rest_s < 100 && self.chance(0.3);
        s.extend(self.duration(work_s, Quantity::Work, bare));
        let spaced = self.chance(0.4);
        s.push("/", Kind::Word, !spaced);
        let mut rest = self.duration(rest_s, Quantity::Rest, bare);
        if !spaced && let Some(p) = rest.pieces.first_mut() {
            p.glued = true;
        }
        s.extend(rest);
        if self.chance(0.2) {
            s.word(*pick(
                self.rng,
                &[("de repos", 1), ("de récup", 1), ("off", 1)],
            ));
        }
        s
    }

    /// A rest chunk: `30 secondes de repos`, `récup 20`, `sans repos`.
    pub(super) fn rest(&mut self, secs: u32) -> Sentence {
        let mut s = Sentence::default();
        if secs == 0 {
            s.word(*pick(self.rng, NO_REST));
            return s;
        }
        if self.chance(0.45) {
            s.word(*pick(self.rng, REST_BEFORE));
            let bare = secs < 100 && self.chance(0.25);
            s.extend(self.duration(secs, Quantity::Rest, bare));
            if self.chance(0.12) {
                s.word(*pick(
                    self.rng,
                    &[
                        ("entre chaque série", 2),
                        ("entre les séries", 1),
                        ("entre chaque", 1),
                        ("entre", 1),
                    ],
                ));
            }
        } else {
            if self.chance(0.15) {
                s.word(*pick(
                    self.rng,
                    &[("avec", 2), ("et", 2), ("puis", 1), ("plus", 1)],
                ));
            }
            s.extend(self.duration(secs, Quantity::Rest, false));
            s.word(*pick(self.rng, REST_AFTER));
        }
        s
    }

    /// `400 mètres`, `1 km`: a distance inside one round, never a duration
    /// (a count of an exercise is a repetition target, `nb_reps`).
    fn inner_count(&mut self) -> Sentence {
        let mut s = Sentence::default();
        let n = *pick(
            self.rng,
            &[
                (1u32, 2),
                (2, 1),
                (3, 1),
                (5, 1),
                (10, 1),
                (100, 1),
                (200, 2),
                (300, 1),
                (400, 3),
                (500, 1),
                (800, 1),
                (1000, 1),
            ],
        );
        let num = self.nw.int(self.rng, n, false);
        s.word(num);
        s.word(if n >= 100 {
            *pick(self.rng, &[("mètres", 3), ("m", 2)])
        } else {
            *pick(self.rng, &[("km", 2), ("kilomètres", 1), ("bornes", 1)])
        });
        s
    }

    /// Numbers that are not about the workout: clock times, weights,
    /// distances, repetitions inside an exercise.
    pub(super) fn distractor(&mut self) -> Sentence {
        let mut s = Sentence::default();
        let n = *pick(
            self.rng,
            &[
                (2u32, 1),
                (5, 1),
                (8, 1),
                (10, 2),
                (12, 1),
                (15, 2),
                (20, 2),
                (25, 1),
                (30, 1),
                (50, 1),
                (100, 1),
            ],
        );
        let num = self.nw.int(self.rng, n, false);
        match self.rng.random_range(0..9) {
            0 if self.chance(0.3) => return self.clock_distractor(),
            0 => {
                let h = self.rng.random_range(6..=21);
                s.word(*pick(
                    self.rng,
                    &[("à", 3), ("demain à", 1), ("ce soir à", 1), ("vers", 1)],
                ));
                match self.rng.random_range(0..3) {
                    0 => {
                        s.word(h.to_string()).word("heures");
                    }
                    1 => {
                        s.word(format!("{h}h"));
                    }
                    _ => {
                        s.word(format!(
                            "{h}h{}",
                            ["00", "15", "30", "45"][self.rng.random_range(0..4)]
                        ));
                    }
                }
            }
            1 => {
                s.word(*pick(
                    self.rng,
                    &[
                        ("avec", 2),
                        ("à", 1),
                        ("haltères de", 1),
                        ("avec un kettlebell de", 1),
                    ],
                ));
                s.word(num).word(*pick(
                    self.rng,
                    &[("kilos", 2), ("kg", 2), ("kilos de charge", 1)],
                ));
            }
            2 if self.chance(0.3) => return self.distance_phase_distractor(),
            2 => {
                s.word(*pick(self.rng, &[("sur", 2), ("", 1)]));
                s.word(num).word(*pick(
                    self.rng,
                    &[("mètres", 2), ("km", 2), ("m", 1), ("kilomètres", 1)],
                ));
            }
            3 => {
                s.word(*pick(
                    self.rng,
                    &[("en côte à", 1), ("à", 1), ("inclinaison", 1)],
                ));
                s.word(num)
                    .word(*pick(self.rng, &[("%", 1), ("pour cent", 1)]));
            }
            4 => return self.body_distractor(),
            5 => {
                // a date: `le 3 mai`, `pour la course du 14 juin`, `1er mars`
                s.word(*pick(
                    self.rng,
                    &[
                        ("le", 4),
                        ("du", 2),
                        ("lundi", 1),
                        ("samedi", 1),
                        ("dimanche", 1),
                        ("pour le", 1),
                        ("avant le", 1),
                        ("jusqu'au", 1),
                        ("prévu le", 1),
                        ("pour la course du", 1),
                        ("pour la compétition du", 1),
                        ("", 1),
                    ],
                ));
                let day = self.rng.random_range(1..=31);
                if day == 1 && self.chance(0.5) {
                    s.word("1er");
                } else if self.chance(0.2) {
                    s.word(self.nw.int(self.rng, day, false));
                } else {
                    s.word(day.to_string());
                }
                s.word(one(self.rng, MONTHS));
            }
            6 => {
                s.word(*pick(
                    self.rng,
                    &[("niveau", 2), ("vitesse", 1), ("inclinaison", 1), ("à", 1)],
                ));
                s.word(num);
                if self.chance(0.4) {
                    s.word(*pick(
                        self.rng,
                        &[("km/h", 1), ("bpm", 1), ("pour cent", 1)],
                    ));
                }
            }
            7 => {
                if self.chance(0.35) {
                    return self.days_distractor();
                }
                if self.chance(0.5) {
                    s.word(*pick(
                        self.rng,
                        &[("semaine", 1), ("jour", 1), ("séance", 1)],
                    ));
                    s.word(self.rng.random_range(1..=12).to_string());
                } else {
                    // `deux fois par semaine`: a count that is not the rounds
                    let k = self.rng.random_range(2..=5);
                    s.word(*pick(self.rng, &[("je fais ça", 1), ("", 2), ("comme", 1)]));
                    s.word(self.nw.int(self.rng, k, true));
                    s.word(*pick(
                        self.rng,
                        &[
                            ("fois par semaine", 3),
                            ("fois par jour", 1),
                            ("fois cette semaine", 1),
                        ],
                    ));
                }
            }
            _ => {
                s.word("pour");
                s.word(num).word(*pick(
                    self.rng,
                    &[("calories", 1), ("personnes", 1), ("kilos", 1)],
                ));
            }
        }
        s
    }

    /// A duration in one of many spoken or written forms, labelled by unit.
    /// `bare`: a number of seconds with no unit (`repos 45`).
    pub(super) fn duration(&mut self, secs: u32, q: Quantity, bare: bool) -> Sentence {
        let label = |unit| Label::duration(q, unit).unwrap_or(Label::DurationWtSd);
        let (sd, mn, hr) = (label(1), label(60), label(3600));
        let mut s = Sentence::default();
        if bare {
            s.span(self.nw.int(self.rng, secs, false), sd);
            return s;
        }
        let (h, m, sec) = (secs / 3600, (secs / 60) % 60, secs % 60);
        let total_min = secs / 60;
        // special fractions first
        match secs {
            30 if self.chance(0.08) => {
                self.demi(&mut s, mn, "minute");
                return s;
            }
            1800 if self.chance(0.4) => {
                self.demi(&mut s, hr, "heure");
                return s;
            }
            900 if self.chance(0.5) => {
                s.span(
                    if self.chance(0.8) {
                        "un quart"
                    } else {
                        "quart"
                    },
                    hr,
                );
                s.word("d'heure");
                return s;
            }
            2700 if self.chance(0.5) => {
                s.span(
                    if self.chance(0.85) {
                        "trois quarts"
                    } else {
                        "3 quarts"
                    },
                    hr,
                );
                s.word("d'heure");
                return s;
            }
            _ => {}
        }
        if secs == 30 && self.chance(0.06) {
            s.span(self.nw.decimal(0, 5), mn);
            s.unit(if self.chance(0.5) { "minute" } else { "min" });
            return s;
        }
        if secs < 60 {
            self.seconds(&mut s, secs, sd);
            return s;
        }
        if secs < 3600 {
            if sec == 0 {
                if total_min <= 3 && self.chance(0.1) {
                    self.seconds(&mut s, secs, sd);
                } else {
                    self.minutes(&mut s, total_min, mn);
                }
                return s;
            }
            if sec == 30 && self.chance(0.35) {
                if self.chance(0.75) {
                    self.minutes(&mut s, total_min, mn);
                    s.span(
                        if self.chance(0.7) {
                            "et demie"
                        } else {
                            "et demi"
                        },
                        mn,
                    );
                } else {
                    s.span(self.nw.decimal(total_min, 5), mn);
                    s.unit(self.minute_unit(total_min + 1));
                }
                return s;
            }
            if sec == 15 && self.chance(0.15) {
                self.minutes(&mut s, total_min, mn);
                s.span("et quart", mn);
                return s;
            }
            if secs <= 300 && self.chance(0.15) {
                self.seconds(&mut s, secs, sd);
                return s;
            }
            self.min_sec(&mut s, total_min, sec, mn, sd);
            return s;
        }
        // an hour or more
        if m == 0 && sec == 0 {
            if h <= 2 && self.chance(0.15) {
                self.minutes(&mut s, total_min, mn);
            } else {
                self.hours(&mut s, h, hr);
            }
            return s;
        }
        if sec == 0 && m == 30 && self.chance(0.4) {
            if self.chance(0.7) {
                self.hours(&mut s, h, hr);
                s.span(
                    if self.chance(0.7) {
                        "et demie"
                    } else {
                        "et demi"
                    },
                    hr,
                );
            } else {
                s.span(self.nw.decimal(h, 5), hr);
                s.unit(if self.chance(0.5) { "heure" } else { "heures" });
            }
            return s;
        }
        if sec == 0 && m == 15 && self.chance(0.4) {
            self.hours(&mut s, h, hr);
            s.span("et quart", hr);
            return s;
        }
        if sec == 0 && m == 45 && self.chance(0.4) {
            self.hours(&mut s, h + 1, hr);
            s.span(
                if self.chance(0.7) {
                    "moins le quart"
                } else {
                    "moins quart"
                },
                hr,
            );
            return s;
        }
        if sec == 0 && total_min <= 150 && self.chance(0.2) {
            self.minutes(&mut s, total_min, mn);
            return s;
        }
        self.hours_minutes(&mut s, h, m, hr, mn);
        if sec > 0 {
            s.span(self.nw.int(self.rng, sec, true), sd);
            s.unit("secondes");
        }
        s
    }

    fn demi(&mut self, s: &mut Sentence, label: Label, unit: &str) {
        s.span(
            *pick(self.rng, &[("une demi", 8), ("demi", 1), ("1 demi", 1)]),
            label,
        );
        if self.chance(0.6) {
            s.push(format!("-{unit}"), Kind::Unit, true);
        } else {
            s.unit(unit);
        }
    }

    fn seconds(&mut self, s: &mut Sentence, n: u32, label: Label) {
        const UNITS: &[((&str, bool), u32)] = &[
            (("secondes", false), 12),
            (("seconde", false), 1),
            (("s", false), 4),
            (("s", true), 3),
            (("sec", false), 4),
            (("sec", true), 1),
            (("secs", false), 1),
            (("''", true), 1),
            (("\"", true), 1),
            (("secondes", true), 1),
        ];
        self.number_with_unit(s, n, label, UNITS, ("secondes", "seconde"));
    }

    fn minute_unit(&mut self, n: u32) -> &'static str {
        if n <= 1 { "minute" } else { "minutes" }
    }

    fn minutes(&mut self, s: &mut Sentence, n: u32, label: Label) {
        const UNITS: &[((&str, bool), u32)] = &[
            (("minutes", false), 14),
            (("min", false), 5),
            (("min", true), 2),
            (("mn", false), 2),
            (("mn", true), 1),
            (("'", true), 1),
            (("minutes", true), 1),
        ];
        self.number_with_unit(s, n, label, UNITS, ("minutes", "minute"));
    }

    fn hours(&mut self, s: &mut Sentence, n: u32, label: Label) {
        const UNITS: &[((&str, bool), u32)] = &[
            (("heures", false), 10),
            (("h", true), 4),
            (("h", false), 2),
            (("heures", true), 1),
        ];
        self.number_with_unit(s, n, label, UNITS, ("heures", "heure"));
    }

    /// The number as a span (digits when glued to its unit, else digits or
    /// words), then a unit drawn from `units`; the full plural word becomes
    /// singular for 0 and 1.
    fn number_with_unit(
        &mut self,
        s: &mut Sentence,
        n: u32,
        label: Label,
        units: &[((&'static str, bool), u32)],
        (plural, singular): (&str, &'static str),
    ) {
        let (unit, glued) = *pick(self.rng, units);
        let text = if glued {
            self.nw.digits(n)
        } else {
            self.nw.int(self.rng, n, true)
        };
        s.span(text, label);
        let unit = if n <= 1 && unit == plural {
            singular
        } else {
            unit
        };
        s.push(unit, Kind::Unit, glued);
    }

    /// `1 minute 30`, `1 min 30 s`, `1'30`, `1mn30`, `1:30`, `une minute trente`.
    fn min_sec(&mut self, s: &mut Sentence, m: u32, sec: u32, mn: Label, sd: Label) {
        match self.rng.random_range(0..100) {
            0..40 => {
                self.minutes(s, m, mn);
                if self.chance(0.12) {
                    s.word("et");
                }
                let words = self.nw.int(self.rng, sec, true);
                s.span(words, sd);
                match self.rng.random_range(0..3) {
                    0 => {}
                    1 => {
                        s.unit(if sec == 1 { "seconde" } else { "secondes" });
                    }
                    _ => {
                        s.unit(if self.chance(0.5) { "s" } else { "sec" });
                    }
                }
            }
            40..60 => {
                // glued: 1min30, 1mn30, 1m30, 1'30, 1'30''
                let unit = *pick(self.rng, &[("'", 3), ("min", 2), ("mn", 2), ("m", 1)]);
                s.span(self.nw.digits(m), mn);
                s.push(unit, Kind::Unit, true);
                s.span(self.nw.digits(sec), sd).glue_last();
                if unit == "'" && self.chance(0.3) {
                    s.push("''", Kind::Unit, true);
                } else if unit != "'" && self.chance(0.25) {
                    s.push("s", Kind::Unit, true);
                }
            }
            60..75 => {
                // 1:30, as Whisper writes it
                s.span(self.nw.digits(m), mn);
                s.push(":", Kind::Word, true);
                s.span(format!("{sec:02}"), sd).glue_last();
                if self.chance(0.3) {
                    s.unit(*pick(self.rng, &[("minutes", 2), ("min", 1)]));
                }
            }
            _ => {
                self.minutes(s, m, mn);
                self.seconds(s, sec, sd);
            }
        }
    }

    /// `1h30`, `1 heure 30`, `2 h 15 min`, `une heure trente minutes`.
    fn hours_minutes(&mut self, s: &mut Sentence, h: u32, m: u32, hr: Label, mn: Label) {
        match self.rng.random_range(0..100) {
            0..45 => {
                s.span(self.nw.digits(h), hr);
                s.push("h", Kind::Unit, true);
                s.span(format!("{m:02}"), mn).glue_last();
            }
            45..75 => {
                self.hours(s, h, hr);
                if self.chance(0.1) {
                    s.word("et");
                }
                s.span(self.nw.int(self.rng, m, true), mn);
            }
            _ => {
                self.hours(s, h, hr);
                if self.chance(0.15) {
                    s.word("et");
                }
                self.minutes(s, m, mn);
            }
        }
    }
}
