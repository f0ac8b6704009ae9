//! Numbers said about the body, the calendar and the clock, never plan
//! values: heart rates, powers, spans of days, the time it is now.

use super::grammar::Grammar;
use super::lexicon::pick;
use super::sentence::Sentence;
use rand::Rng;

impl<R: Rng> Grammar<'_, R> {
    /// `à 150 bpm`, `200 watts`, `fréquence cardiaque 160`, `zone 2`.
    pub(super) fn body_distractor(&mut self) -> Sentence {
        let mut s = Sentence::default();
        match self.rng.random_range(0..4) {
            0 => {
                let bpm = 5 * self.rng.random_range(24..=38);
                s.word(*pick(
                    self.rng,
                    &[
                        ("à", 2),
                        ("sous", 1),
                        ("en restant sous", 1),
                        ("cardio à", 1),
                        ("fréquence cardiaque", 1),
                    ],
                ));
                s.word(self.nw.int(self.rng, bpm, false));
                s.word(*pick(
                    self.rng,
                    &[("bpm", 3), ("pulsations", 1), ("battements", 1), ("", 1)],
                ));
            }
            1 => {
                let watts = 10 * self.rng.random_range(8..=40);
                s.word(*pick(self.rng, &[("à", 3), ("puissance", 1), ("", 1)]));
                s.word(self.nw.int(self.rng, watts, false));
                s.word(*pick(self.rng, &[("watts", 3), ("W", 1)]));
            }
            2 => {
                s.word(*pick(self.rng, &[("en zone", 2), ("zone", 1)]));
                s.word(self.rng.random_range(1..=5).to_string());
            }
            _ => {
                let kg = 2 * self.rng.random_range(2..=50);
                s.word(*pick(
                    self.rng,
                    &[
                        ("avec", 2),
                        ("à", 1),
                        ("avec une barre de", 1),
                        ("charge", 1),
                    ],
                ));
                s.word(self.nw.int(self.rng, kg, false));
                s.word(*pick(self.rng, &[("kilos", 2), ("kg", 2)]));
            }
        }
        s
    }

    /// `depuis 3 jours`, `pour les 5 prochains jours`, `ça fait 2 semaines`.
    pub(super) fn days_distractor(&mut self) -> Sentence {
        let mut s = Sentence::default();
        let n = self.rng.random_range(2..=10);
        let num = self.nw.int(self.rng, n, false);
        match self.rng.random_range(0..4) {
            0 => {
                s.word(*pick(
                    self.rng,
                    &[
                        ("depuis", 3),
                        ("ça fait", 1),
                        ("je n'ai pas couru depuis", 1),
                    ],
                ));
                s.word(num);
                s.word(*pick(
                    self.rng,
                    &[("jours", 3), ("semaines", 1), ("mois", 1)],
                ));
            }
            1 => {
                s.word("pour les");
                s.word(num);
                s.word(*pick(
                    self.rng,
                    &[("prochains jours", 3), ("prochaines semaines", 1)],
                ));
            }
            2 => {
                s.word(*pick(
                    self.rng,
                    &[("pendant", 1), ("sur", 1), ("tous les jours pendant", 1)],
                ));
                s.word(num);
                s.word(*pick(self.rng, &[("jours", 2), ("semaines", 1)]));
            }
            _ => {
                s.word(*pick(self.rng, &[("dans", 2), ("il y a", 1)]));
                s.word(num);
                s.word("jours");
            }
        }
        s
    }

    /// `2 km d'échauffement`, `1,5 bornes pour s'échauffer`, `800 mètres de
    /// retour au calme`: a warm-up or cool-down said as a distance, which is
    /// no duration and so no plan value.
    pub(super) fn distance_phase_distractor(&mut self) -> Sentence {
        let mut s = Sentence::default();
        if self.chance(0.35) {
            let m = 100 * self.rng.random_range(2..=15);
            s.word(self.nw.int(self.rng, m, false));
            s.word(*pick(self.rng, &[("mètres", 3), ("m", 1)]));
        } else {
            let km = self.rng.random_range(1..=5);
            if self.chance(0.4) {
                s.word(self.nw.decimal(km, 5));
            } else {
                s.word(self.nw.int(self.rng, km, false));
            }
            s.word(*pick(
                self.rng,
                &[("km", 3), ("kilomètres", 1), ("bornes", 1)],
            ));
        }
        s.word(*pick(
            self.rng,
            &[
                ("d'échauffement", 4),
                ("de footing pour s'échauffer", 1),
                ("de footing", 1),
                ("de retour au calme", 2),
                ("au calme pour finir", 1),
                ("de warm-up", 1),
            ],
        ));
        s
    }

    /// `il est 6h`, `il est 18 heures 30`, `à partir de 7h`.
    pub(super) fn clock_distractor(&mut self) -> Sentence {
        let mut s = Sentence::default();
        let h = self.rng.random_range(5..=22);
        s.word(*pick(
            self.rng,
            &[
                ("il est", 3),
                ("à partir de", 1),
                ("jusqu'à", 1),
                ("avant", 1),
            ],
        ));
        match self.rng.random_range(0..3) {
            0 => {
                s.word(format!("{h}h"));
            }
            1 => {
                s.word(self.nw.int(self.rng, h, true));
                s.word("heures");
                if self.chance(0.4) {
                    s.word(*pick(self.rng, &[("30", 1), ("et demie", 1), ("15", 1)]));
                }
            }
            _ => {
                s.word(format!("{h}h{:02}", 5 * self.rng.random_range(0..12)));
            }
        }
        s
    }
}
