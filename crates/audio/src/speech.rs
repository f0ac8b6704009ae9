//! The coach's voice: the bank of spoken clips (`assets/voice/bank.ogg`, made
//! by `scripts/make-voice-clips`, embedded), decoded once, and sentences
//! joined from its clips, shortened to fit the room before the next cue.

use std::collections::HashMap;
use std::io::Cursor;
use std::time::Duration;

/// The bank: every clip end to end, one Ogg Vorbis stream.
pub const BANK_OGG: &[u8] = include_bytes!("../../../assets/voice/bank.ogg");
/// Its index: name, first sample, samples, text (tab-separated).
const BANK_TSV: &str = include_str!("../../../assets/voice/bank.tsv");
/// Silence between two words of a sentence.
pub const WORD_GAP: Duration = Duration::from_millis(60);
/// Kept free before the next cue, so a sentence never runs into it.
pub const GUARD: Duration = Duration::from_millis(80);

/// Why the bank cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// The embedded Ogg stream could not be decoded.
    #[error("voix du coach illisible : {0}")]
    Decode(String),
    /// The index names a clip outside the decoded audio, or is malformed.
    #[error("index de la voix du coach faux : {0}")]
    Index(String),
}

/// How long the embedded bank takes to say `names` as [`Bank::sentence`]
/// joins them (no room limit), read from its index alone: the app knows
/// when the coach has finished speaking without decoding the bank. Names
/// the bank lacks take no time.
pub fn spoken_length(names: &[impl AsRef<str>]) -> Duration {
    let rate = BANK_TSV
        .lines()
        .next()
        .and_then(|h| h.split("(at ").nth(1))
        .and_then(|r| r.split(' ').next())
        .and_then(|r| r.parse::<u32>().ok())
        .unwrap_or(22_050);
    let clips: HashMap<&str, usize> = index(BANK_TSV)
        .filter_map(Result::ok)
        .map(|(name, _, len)| (name, len))
        .collect();
    let lens: Vec<usize> = names
        .iter()
        .filter_map(|n| clips.get(n.as_ref()).copied())
        .collect();
    let gaps = WORD_GAP * lens.len().saturating_sub(1) as u32;
    Duration::from_secs_f64(lens.iter().sum::<usize>() as f64 / f64::from(rate)) + gaps
}

/// The clips of a bank index: name, first sample, samples; a malformed
/// line is an error naming it.
fn index(tsv: &str) -> impl Iterator<Item = Result<(&str, usize, usize), SpeechError>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let bad = || SpeechError::Index(line.to_string());
            let mut f = line.split('\t');
            let name = f.next().ok_or_else(bad)?;
            let start = f.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
            let len = f.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
            Ok((name, start, len))
        })
}

/// An Ogg Vorbis stream decoded whole (symphonia, gapless as rodio plays
/// it): its rate, its channel count and its samples, interleaved.
pub fn decode_ogg(bytes: &'static [u8]) -> Result<(u32, usize, Vec<f32>), SpeechError> {
    use symphonia::core::audio::SampleBuffer;
    use symphonia::core::errors::Error;
    use symphonia::core::formats::FormatOptions;
    use symphonia::core::io::MediaSourceStream;
    let bad = |e: Error| SpeechError::Decode(e.to_string());
    let stream = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let mut hint = symphonia::core::probe::Hint::new();
    hint.with_extension("ogg");
    let format = FormatOptions {
        enable_gapless: true,
        ..Default::default()
    };
    let mut reader = symphonia::default::get_probe()
        .format(&hint, stream, &format, &Default::default())
        .map_err(bad)?
        .format;
    let track = reader
        .default_track()
        .ok_or_else(|| SpeechError::Decode("aucune piste".into()))?;
    let (id, params) = (track.id, track.codec_params.clone());
    let rate = params
        .sample_rate
        .ok_or_else(|| SpeechError::Decode("fréquence inconnue".into()))?;
    let channels = params.channels.map_or(1, |c| c.count());
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &Default::default())
        .map_err(bad)?;
    let mut samples = Vec::new();
    loop {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(bad(e)),
        };
        if packet.track_id() != id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(decoded) => {
                let mut buf = SampleBuffer::<f32>::new(decoded.capacity() as u64, *decoded.spec());
                buf.copy_interleaved_ref(decoded);
                samples.extend_from_slice(buf.samples());
            }
            // a damaged packet is skipped, as a player does
            Err(Error::DecodeError(e)) => tracing::debug!("voice bank: packet skipped: {e}"),
            Err(e) => return Err(bad(e)),
        }
    }
    Ok((rate, channels, samples))
}

/// The decoded clips, by name.
#[derive(Debug, Clone)]
pub struct Bank {
    rate: u32,
    samples: Vec<f32>,
    clips: HashMap<String, (usize, usize)>,
}

/// A sentence ready to play.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Mono samples at [`Bank::rate`].
    pub samples: Vec<f32>,
    /// How many of the words asked for are in it (the rest did not fit).
    pub words: usize,
    /// Names the bank does not hold (skipped).
    pub unknown: Vec<String>,
}

impl Bank {
    /// Decodes the embedded bank (about 20 ms of work for 76 s of audio).
    pub fn embedded() -> Result<Self, SpeechError> {
        let (rate, channels, samples) = decode_ogg(BANK_OGG)?;
        if channels != 1 {
            return Err(SpeechError::Decode(format!("{channels} canaux, 1 attendu")));
        }
        Self::from_parts(rate, samples, BANK_TSV)
    }

    /// A bank from decoded samples and its index.
    pub fn from_parts(rate: u32, samples: Vec<f32>, index: &str) -> Result<Self, SpeechError> {
        let mut clips = HashMap::new();
        for clip in self::index(index) {
            let (name, start, len) = clip?;
            if len == 0 || start + len > samples.len() {
                return Err(SpeechError::Index(format!("{name}\t{start}\t{len}")));
            }
            clips.insert(name.to_string(), (start, len));
        }
        Ok(Self {
            rate,
            samples,
            clips,
        })
    }

    /// Sample rate of every clip.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The names of the clips.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.clips.keys().map(String::as_str)
    }

    /// The samples of one clip.
    pub fn clip(&self, name: &str) -> Option<&[f32]> {
        self.clips
            .get(name)
            .map(|&(start, len)| &self.samples[start..start + len])
    }

    /// The length of one clip.
    pub fn duration(&self, name: &str) -> Option<Duration> {
        self.clip(name).map(|c| self.length(c.len()))
    }

    fn length(&self, samples: usize) -> Duration {
        Duration::from_secs_f64(samples as f64 / f64::from(self.rate))
    }

    /// The clips of `names` joined with [`WORD_GAP`] between them. With
    /// `room`, the sentence ends [`GUARD`] before it: words that do not fit
    /// are dropped from the end (never cut in the middle), and a first
    /// word that does not fit alone drops the sentence (better silent than
    /// over the countdown).
    pub fn sentence(&self, names: &[impl AsRef<str>], room: Option<Duration>) -> Sentence {
        let gap = vec![0.0; (WORD_GAP.as_secs_f64() * f64::from(self.rate)) as usize];
        let budget = room.map(|r| r.saturating_sub(GUARD));
        let mut out = Sentence {
            samples: Vec::new(),
            words: 0,
            unknown: Vec::new(),
        };
        for name in names {
            let name = name.as_ref();
            let Some(clip) = self.clip(name) else {
                out.unknown.push(name.to_string());
                continue;
            };
            let lead = if out.samples.is_empty() { 0 } else { gap.len() };
            let longer = out.samples.len() + lead + clip.len();
            if budget.is_some_and(|b| self.length(longer) > b) {
                break;
            }
            if lead > 0 {
                out.samples.extend_from_slice(&gap);
            }
            out.samples.extend_from_slice(clip);
            out.words += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank() -> Bank {
        Bank::embedded().expect("the embedded bank decodes")
    }

    #[test]
    fn the_length_read_from_the_index_is_the_sentence_s() {
        let b = bank();
        let names = [
            "n12",
            "rounds",
            "of_dur",
            "n02",
            "minutes",
            "go_question",
            "nope",
        ];
        let joined = b.sentence(&names, None).samples.len() as f64 / f64::from(b.rate());
        let read = spoken_length(&names).as_secs_f64();
        assert!((joined - read).abs() < 0.001, "{joined} against {read}");
        assert!(read > 1.0);
    }

    #[test]
    fn every_clip_decodes_with_a_sensible_length() {
        let b = bank();
        assert_eq!(b.rate(), 22_050);
        assert_eq!(b.names().count(), 135);
        for name in b.names() {
            let d = b.duration(name).unwrap();
            assert!(
                (Duration::from_millis(120)..=Duration::from_millis(1500)).contains(&d),
                "{name}: {d:?}"
            );
            let peak = b
                .clip(name)
                .unwrap()
                .iter()
                .fold(0f32, |m, s| m.max(s.abs()));
            assert!(peak > 0.3, "{name} is nearly silent ({peak})");
        }
    }

    #[test]
    fn a_sentence_drops_what_does_not_fit_never_cuts_a_word() {
        let b = bank();
        let words = ["work", "round", "n03", "of", "n12"];
        let full = b.sentence(&words, None);
        assert_eq!(full.words, 5);
        let whole = b.length(full.samples.len());
        // room for everything: the same sentence
        assert_eq!(b.sentence(&words, Some(whole + GUARD)), full);
        // room for « Travail » only
        let work = b.duration("work").unwrap();
        let short = b.sentence(&words, Some(work + GUARD + WORD_GAP));
        assert_eq!(short.words, 1);
        assert_eq!(short.samples.as_slice(), b.clip("work").unwrap());
        // no room for the first word: nothing
        let none = b.sentence(&words, Some(work / 2));
        assert_eq!((none.words, none.samples.len()), (0, 0));
        // an unknown name is skipped and said
        let odd = b.sentence(&["work", "nope"], None);
        assert_eq!((odd.words, odd.unknown), (1, vec!["nope".to_string()]));
    }

    #[test]
    fn a_broken_index_is_an_error_not_a_panic() {
        assert!(Bank::from_parts(22_050, vec![0.0; 10], "a\t5\t10\tx").is_err());
        assert!(Bank::from_parts(22_050, vec![0.0; 10], "a\tfive\t1\tx").is_err());
        assert!(Bank::from_parts(22_050, vec![0.0; 10], "# header only").is_ok());
    }

    #[test]
    fn the_bank_holds_every_word_the_coach_can_say() {
        use speechtimer_core::coach::{Word, schedule};
        use speechtimer_core::cues::clip_names;
        use speechtimer_core::plan::WorkoutPlan;
        let bank = bank();
        for w in Word::all() {
            assert!(bank.clip(&w.clip_name()).is_some(), "no clip for {w:?}");
        }
        // and every cue of a long plan finds its clips
        let plan = WorkoutPlan::new(
            12,
            Duration::from_secs(120),
            Duration::from_secs(30),
            Duration::from_secs(5),
        )
        .unwrap();
        for cue in schedule(&plan) {
            let s = bank.sentence(&clip_names(&cue.words), None);
            assert!(
                s.unknown.is_empty() && s.words == cue.words.len(),
                "{cue:?}"
            );
        }
    }
}
