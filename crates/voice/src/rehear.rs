//! The numbers of a transcript heard again, before it is tagged. Each slot
//! `slots.rs` finds is scored in place by Whisper's decoder over the same
//! audio: a count against every count (`count.rs`), any other number
//! against the values that sound like it (« trois » / « treize » /
//! « trente », « deux » / « douze » / « vingt », « six » / « dix » /
//! « seize », « un » / « huit »; digits and words, the unit after it as
//! context). A rival that leads clearly is written in its place
//! ([`rewrite`]); one that is close flags the field once the text is
//! tagged ([`mark`]).

use crate::count::{self, CLEAR_MARGIN, log_add};
use crate::slots::{Kind, Slot};
use speechtimer_asr::{AsrError, Decoded};
use speechtimer_core::values::{WordStyle, int_to_words, parse_number};
use speechtimer_nlu::{Parsed, Trust};

/// A number Whisper wrote with every token at least this probable is not
/// heard again (the rest cost about 0.1 s each).
pub const SURE_TOKEN: f32 = 0.9;

/// The values Whisper confuses with `v` (not `v` itself).
pub fn confusable(v: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let root = match v {
        1..=9 => Some(v),
        11..=19 => Some(v - 10),
        20..=90 if v.is_multiple_of(10) => Some(v / 10),
        _ => None,
    };
    if let Some(d) = root {
        out.extend([d, 10 + d, 10 * d]);
    }
    // « six » / « dix » / « seize », « un » / « huit »
    for group in [&[6u32, 10, 16][..], &[1, 8]] {
        if group.contains(&v) {
            out.extend_from_slice(group);
        }
    }
    out.sort_unstable();
    out.dedup();
    out.retain(|&x| x != v);
    out
}

/// A slot heard again: what Whisper wrote there, what the decoder
/// prefers over the same audio and by how much.
#[derive(Debug, Clone, PartialEq)]
pub struct Reheard {
    /// Where, and what was written (`slots.rs`).
    pub slot: Slot,
    /// The value the decoder prefers.
    pub best: u32,
    /// Its log-probability lead over the next value.
    pub margin: f32,
    /// The lead is clear enough to be trusted.
    pub clear: bool,
}

impl Reheard {
    /// The written word reads as a number (« Douce » is heard as 12 by the
    /// values): without a clear choice it stays for the tagger to read.
    fn written_reads(&self) -> bool {
        !self.slot.heard.is_empty() && parse_number(&self.slot.heard).is_ok()
    }

    /// The decoder's value is written in the transcript: a clear rival of
    /// the number read, or a count where none could be read (flagged
    /// unless clear).
    pub fn rewrites(&self) -> bool {
        match self.slot.read {
            Some(v) => self.best != v && self.clear,
            None => self.clear || !self.written_reads(),
        }
    }

    /// The field is to check: the decoder leans to another value without
    /// a clear lead.
    pub fn doubts(&self) -> bool {
        !self.clear
            && match self.slot.read {
                Some(v) => self.best != v,
                None => !self.written_reads(),
            }
    }

    /// The decoder chose these words again (confirmed, or replaced with a
    /// clear lead): they do not count against the fit (`fit.rs`).
    pub fn settles(&self) -> bool {
        match self.slot.read {
            Some(v) => self.best == v || self.clear,
            None => self.clear,
        }
    }
}

/// Hears `slot` of `text` again: a count against every count
/// (`count.rs`), another number against its sound-alikes. `None` when
/// nothing could be scored (a number with no sound-alike).
pub fn hear_slot(
    decoded: &mut Decoded,
    text: &str,
    slot: &Slot,
) -> Result<Option<Reheard>, AsrError> {
    let (best, margin, clear) = match (slot.kind, slot.read) {
        (Kind::Count, _) => match count::rescore(decoded, text, slot)? {
            Some(c) => (c.value, c.margin, c.clear),
            None => return Ok(None),
        },
        (Kind::Number, Some(read)) => match score_number(decoded, text, slot, read)? {
            Some((best, margin)) => (best, margin, margin >= CLEAR_MARGIN),
            None => return Ok(None),
        },
        (Kind::Number, None) => return Ok(None),
    };
    Ok(Some(Reheard {
        slot: slot.clone(),
        best,
        margin,
        clear,
    }))
}

/// Scores the number `read` at `slot` against its confusable values:
/// the best and its lead.
fn score_number(
    decoded: &mut Decoded,
    text: &str,
    slot: &Slot,
    read: u32,
) -> Result<Option<(u32, f32)>, AsrError> {
    let rivals = confusable(read);
    if rivals.is_empty() {
        return Ok(None);
    }
    let chars: Vec<char> = text.chars().collect();
    let before: String = chars[..slot.start].iter().collect();
    // the word after the number (its unit) tells the decoder what follows
    let rest: String = chars[slot.end..].iter().collect();
    let after: String = {
        let trimmed = rest.trim_start();
        let lead = rest.len() - trimmed.len();
        let word_end = trimmed
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(trimmed.len());
        rest[..lead + word_end].to_string()
    };
    let at_start = before.trim().is_empty();
    let mut values = vec![read];
    values.extend(rivals);
    let mut forms: Vec<(u32, String)> = Vec::new();
    for &v in &values {
        forms.push((v, v.to_string()));
        let w = int_to_words(v, false, WordStyle::Traditional);
        forms.push((v, if at_start { capitalise(&w) } else { w }));
        if v == 1 {
            forms.push((v, "une".into()));
        }
    }
    let texts: Vec<String> = forms.iter().map(|(_, t)| t.clone()).collect();
    let scores = decoded.score_slot(&before, &texts, &after)?;
    let mut by_value: Vec<(u32, f32)> = values.iter().map(|&v| (v, f32::NEG_INFINITY)).collect();
    for ((v, _), &s) in forms.iter().zip(&scores) {
        if let Some(slot) = by_value.iter_mut().find(|(x, _)| x == v) {
            slot.1 = log_add(slot.1, s);
        }
    }
    by_value.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (best, top) = by_value[0];
    if !top.is_finite() {
        return Ok(None);
    }
    let next = by_value.get(1).map_or(f32::NEG_INFINITY, |r| r.1);
    let margin = if next.is_finite() {
        top - next
    } else {
        f32::INFINITY
    };
    tracing::debug!("number {read} at {} heard again: {by_value:?}", slot.start);
    Ok(Some((best, margin)))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The transcript with the decoder's values written in, and where each
/// slot moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Rewritten {
    /// The text the tagger reads.
    pub text: String,
    /// Each rewritten slot: its range in Whisper's text and in `text`.
    moves: Vec<((usize, usize), (usize, usize))>,
}

impl Rewritten {
    /// Where code point `new` of the rewritten text was in Whisper's
    /// (inside a rewritten slot: the slot's start).
    pub fn to_old(&self, new: usize) -> usize {
        let mut shift: isize = 0;
        for &((os, oe), (ns, ne)) in &self.moves {
            if new < ns {
                break;
            }
            if new < ne {
                return os;
            }
            shift = oe as isize - ne as isize;
        }
        (new as isize + shift).max(0) as usize
    }

    /// Where Whisper's code-point range `start..end` is in the rewritten
    /// text (a rewritten slot: its new range).
    pub fn to_new(&self, start: usize, end: usize) -> (usize, usize) {
        if let Some(&(_, n)) = self.moves.iter().find(|(o, _)| *o == (start, end)) {
            return n;
        }
        let mut shift: isize = 0;
        for &((_, oe), (_, ne)) in &self.moves {
            if oe <= start {
                shift = ne as isize - oe as isize;
            }
        }
        let at = |p: usize| (p as isize + shift).max(0) as usize;
        (at(start), at(end))
    }
}

/// `text` with the values of the slots that [`Reheard::rewrites`] written
/// in digits (a count where none was written goes before its noun).
pub fn rewrite(text: &str, reheard: &[Reheard]) -> Rewritten {
    let chars: Vec<char> = text.chars().collect();
    let mut edits: Vec<&Reheard> = reheard.iter().filter(|r| r.rewrites()).collect();
    edits.sort_by_key(|r| r.slot.start);
    let mut out = String::new();
    let mut len = 0;
    let mut at = 0;
    let mut moves = Vec::new();
    for r in edits {
        let (s, e) = (r.slot.start, r.slot.end);
        if s < at || e > chars.len() {
            continue;
        }
        out.extend(&chars[at..s]);
        len += s - at;
        let value = r.best.to_string();
        let n = value.chars().count();
        out.push_str(&value);
        moves.push(((s, e), (len, len + n)));
        len += n;
        if s == e {
            out.push(' ');
            len += 1;
        }
        at = e;
    }
    out.extend(&chars[at..]);
    Rewritten { text: out, moves }
}

/// Says on `parsed` (the rewritten text, tagged) what hearing again did:
/// a field whose number was rewritten or doubted is `Trust::Rescored`,
/// with a note for each value written in.
pub fn mark(parsed: &mut Parsed, reheard: &[Reheard], rewritten: &Rewritten) {
    for r in reheard.iter().filter(|r| r.rewrites() || r.doubts()) {
        let (s, e) = rewritten.to_new(r.slot.start, r.slot.end);
        let Some(q) = parsed
            .entities
            .iter()
            .find(|x| x.start < e.max(s + 1) && x.end > s)
            .map(|x| x.label.quantity())
        else {
            continue;
        };
        if r.rewrites() {
            parsed.notes.push(if r.slot.heard.is_empty() {
                format!("nombre de séries réentendu : {}", r.best)
            } else {
                format!("« {} » réentendu comme {}", r.slot.heard, r.best)
            });
        }
        *parsed.trust.field_mut(q) = Trust::Rescored {
            heard: r.slot.heard.clone(),
            value: r.best,
            margin: (r.margin.min(NO_RIVAL_MARGIN) * 100.0).round() / 100.0,
            clear: r.clear,
        };
    }
}

/// The lead written when no other value could be scored (an infinite
/// lead, which JSON cannot carry).
const NO_RIVAL_MARGIN: f32 = 99.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusable_values_sound_alike() {
        assert_eq!(confusable(3), [13, 30]);
        assert_eq!(confusable(30), [3, 13]);
        assert_eq!(confusable(12), [2, 20]);
        assert_eq!(confusable(6), [10, 16, 60]);
        assert_eq!(confusable(1), [8, 10, 11]);
        assert_eq!(confusable(45), Vec::<u32>::new());
    }

    fn heard(start: usize, end: usize, heard: &str, read: Option<u32>, kind: Kind) -> Slot {
        Slot {
            start,
            end,
            heard: heard.into(),
            read,
            kind,
        }
    }

    fn again(slot: Slot, best: u32, margin: f32) -> Reheard {
        Reheard {
            slot,
            best,
            margin,
            clear: margin >= CLEAR_MARGIN,
        }
    }

    #[test]
    fn only_clear_leads_rewrite() {
        let text = "6 séries de 30 minutes, repos 2 minutes.";
        let clear = again(heard(12, 14, "30", Some(30), Kind::Number), 3, 4.0);
        let close = again(heard(30, 31, "2", Some(2), Kind::Number), 12, 0.5);
        let same = again(heard(0, 1, "6", Some(6), Kind::Count), 6, 0.5);
        assert!(clear.rewrites() && !clear.doubts() && clear.settles());
        assert!(close.doubts() && !close.rewrites() && !close.settles());
        assert!(!same.doubts() && !same.rewrites() && same.settles());
        let r = rewrite(text, &[same.clone(), clear, close.clone()]);
        assert_eq!(r.text, "6 séries de 3 minutes, repos 2 minutes.");
        // the close one is where it was, one code point to the left
        assert_eq!(r.to_new(30, 31), (29, 30));
        assert_eq!((r.to_old(29), r.to_old(12), r.to_old(5)), (30, 12, 5));
        assert_eq!(rewrite(text, &[close, same]).text, text);
    }

    #[test]
    fn a_count_where_none_was_read_is_written_in() {
        // misheard: written in, flagged unless the lead is clear
        let text = "D'au série de 2 minutes.";
        let unsure = again(heard(0, 4, "D'au", None, Kind::Count), 12, 1.0);
        assert!(unsure.rewrites() && unsure.doubts() && !unsure.settles());
        let r = rewrite(text, &[unsure]);
        assert_eq!(r.text, "12 série de 2 minutes.");
        assert_eq!((r.to_new(0, 4), r.to_new(14, 15)), ((0, 2), (12, 13)));
        assert_eq!(r.to_old(12), 14);
        // not written at all: the count goes before the noun
        let text = "Fais des séries de 45 secondes.";
        let missing = again(heard(9, 9, "", None, Kind::Count), 8, 3.0);
        assert!(missing.rewrites() && !missing.doubts() && missing.settles());
        assert_eq!(
            rewrite(text, &[missing]).text,
            "Fais des 8 séries de 45 secondes."
        );
        // a sound-alike the values read (« sets » is 7) stays unless clear
        let alike = again(heard(0, 4, "Sets", None, Kind::Count), 6, 1.0);
        assert!(!alike.rewrites() && !alike.doubts() && !alike.settles());
    }

    #[test]
    fn marks_say_which_field_was_heard_again() {
        use speechtimer_core::values::Label;
        let text = "D'au série de 30 minutes, repos 4 minutes.";
        let reheard = [
            again(heard(0, 4, "D'au", None, Kind::Count), 12, 5.0),
            again(heard(14, 16, "30", Some(30), Kind::Number), 3, 4.0),
            again(heard(32, 33, "4", Some(4), Kind::Number), 14, 0.5),
        ];
        let r = rewrite(text, &reheard);
        assert_eq!(r.text, "12 série de 3 minutes, repos 4 minutes.");
        let mut p = speechtimer_nlu::parsed_from_spans(
            &r.text,
            &[
                ("12", Label::NbRounds, 0.99),
                ("3", Label::DurationWtMin, 0.99),
                ("4", Label::DurationBrMin, 0.99),
            ],
        );
        mark(&mut p, &reheard, &r);
        assert!(matches!(
            p.trust.rounds,
            Trust::Rescored {
                value: 12,
                clear: true,
                ..
            }
        ));
        assert!(matches!(
            p.trust.work,
            Trust::Rescored {
                value: 3,
                clear: true,
                ..
            }
        ));
        assert!(matches!(
            p.trust.rest,
            Trust::Rescored {
                value: 14,
                clear: false,
                ..
            }
        ));
        assert_eq!(p.notes.len(), 2, "{:?}", p.notes);
    }
}
