//! Voice activity: a small per-frame detector ([`VoiceDetector`]) and a
//! smoothing layer ([`Endpointer`]) that turns its yes/no frames into an
//! utterance (onset frames, hangover, pre-roll, length cap). Each piece can
//! be tested alone.

use std::collections::VecDeque;

/// Says whether one frame of audio holds voice.
pub trait VoiceDetector {
    /// Whether `frame` holds voice; a detector may adapt to every frame it
    /// is shown (a noise floor).
    fn is_voice(&mut self, frame: &[f32]) -> bool;
    /// Level of the last frame in dBFS, for a meter.
    fn level_db(&self) -> f32;
}

/// Root-mean-square level in dBFS (-100 for silence).
pub fn rms_db(frame: &[f32]) -> f32 {
    if frame.is_empty() {
        return -100.0;
    }
    let ms = frame.iter().map(|x| x * x).sum::<f32>() / frame.len() as f32;
    (10.0 * ms.max(1e-10).log10()).max(-100.0)
}

/// Energy against an adaptive noise floor: the floor follows quiet frames
/// down at once and rises slowly, so steady noise stops counting as voice.
#[derive(Debug, Clone)]
pub struct EnergyVad {
    floor_db: Option<f32>,
    /// A frame is voice when this far above the floor…
    pub margin_db: f32,
    /// …and above this absolute level.
    pub min_db: f32,
    /// Floor rise per non-voice frame (fraction of the gap).
    pub rise: f32,
    last_db: f32,
}

impl Default for EnergyVad {
    fn default() -> Self {
        Self {
            floor_db: None,
            margin_db: 10.0,
            min_db: -50.0,
            rise: 0.05,
            last_db: -100.0,
        }
    }
}

impl EnergyVad {
    /// The current noise floor in dBFS; `None` before the first frame.
    pub fn floor_db(&self) -> Option<f32> {
        self.floor_db
    }
}

impl VoiceDetector for EnergyVad {
    fn is_voice(&mut self, frame: &[f32]) -> bool {
        let db = rms_db(frame);
        self.last_db = db;
        let floor = *self.floor_db.get_or_insert(db);
        let voice = db > self.min_db && db > floor + self.margin_db;
        let floor = if db < floor {
            db
        } else if voice {
            floor + self.rise * 0.05 * (db - floor)
        } else {
            floor + self.rise * (db - floor)
        };
        self.floor_db = Some(floor);
        voice
    }
    fn level_db(&self) -> f32 {
        self.last_db
    }
}

/// Timing of the smoothing layer.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointConfig {
    /// Sample rate of the audio pushed, in Hz.
    pub rate: u32,
    /// Length of one detector frame, in milliseconds.
    pub frame_ms: u32,
    /// Voice frames in a row needed to start an utterance.
    pub onset_frames: u32,
    /// Silence after the last voice frame that ends the utterance.
    pub hangover_ms: u32,
    /// Audio kept from before the onset.
    pub preroll_ms: u32,
    /// Hard cap on the utterance.
    pub max_ms: u32,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            rate: 16_000,
            frame_ms: 30,
            onset_frames: 3,
            hangover_ms: 800,
            preroll_ms: 300,
            max_ms: 15_000,
        }
    }
}

impl EndpointConfig {
    /// Samples in one frame at `rate`.
    pub fn frame_len(&self) -> usize {
        (self.rate * self.frame_ms / 1000) as usize
    }
}

/// What a pushed frame changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Still waiting for speech.
    Waiting,
    /// Speech started on this frame.
    Started,
    /// Inside an utterance.
    Speaking,
    /// The utterance ended after enough silence.
    Ended,
    /// The utterance hit the length cap.
    MaxLength,
}

/// Smoothing layer over any [`VoiceDetector`].
pub struct Endpointer<D: VoiceDetector> {
    /// The timing in use.
    pub cfg: EndpointConfig,
    detector: D,
    preroll: VecDeque<f32>,
    onset_run: u32,
    /// Frames buffered while the onset run builds up.
    onset_buf: Vec<f32>,
    utterance: Vec<f32>,
    started: bool,
    done: bool,
    silence_ms: u32,
    partial: Vec<f32>,
}

impl<D: VoiceDetector> Endpointer<D> {
    /// An endpointer waiting for speech, judging frames with `detector`.
    pub fn new(detector: D, cfg: EndpointConfig) -> Self {
        Self {
            cfg,
            detector,
            preroll: VecDeque::new(),
            onset_run: 0,
            onset_buf: Vec::new(),
            utterance: Vec::new(),
            started: false,
            done: false,
            silence_ms: 0,
            partial: Vec::new(),
        }
    }

    /// The frame detector (for its level).
    pub fn detector(&self) -> &D {
        &self.detector
    }

    /// An utterance has started (detected or forced); stays true once it
    /// has ended.
    pub fn started(&self) -> bool {
        self.started
    }

    /// The utterance has ended (silence or length cap); later samples are
    /// ignored.
    pub fn done(&self) -> bool {
        self.done
    }

    /// Forces the start of an utterance (push-to-talk).
    pub fn force_start(&mut self) {
        if !self.started {
            self.started = true;
            self.utterance.extend(self.preroll.drain(..));
            self.utterance.append(&mut self.onset_buf);
        }
    }

    /// Feeds samples of any length; returns the last state reached.
    pub fn push(&mut self, samples: &[f32]) -> Endpoint {
        let n = self.cfg.frame_len();
        let mut state = if self.started {
            Endpoint::Speaking
        } else {
            Endpoint::Waiting
        };
        self.partial.extend_from_slice(samples);
        let mut off = 0;
        while self.partial.len() - off >= n && !self.done {
            let frame: Vec<f32> = self.partial[off..off + n].to_vec();
            off += n;
            state = match self.frame(&frame) {
                Endpoint::Speaking if state == Endpoint::Started => Endpoint::Started,
                s => s,
            };
        }
        self.partial.drain(..off);
        state
    }

    fn frame(&mut self, frame: &[f32]) -> Endpoint {
        let voice = self.detector.is_voice(frame);
        if self.done {
            return Endpoint::Ended;
        }
        if !self.started {
            if voice {
                self.onset_run += 1;
                self.onset_buf.extend_from_slice(frame);
                if self.onset_run >= self.cfg.onset_frames {
                    self.force_start();
                    return Endpoint::Started;
                }
            } else {
                // the would-be onset was a click: it becomes pre-roll
                let buf = std::mem::take(&mut self.onset_buf);
                self.preroll.extend(buf);
                self.preroll.extend(frame.iter().copied());
                self.onset_run = 0;
                let keep = (self.cfg.rate * self.cfg.preroll_ms / 1000) as usize;
                while self.preroll.len() > keep {
                    self.preroll.pop_front();
                }
            }
            return Endpoint::Waiting;
        }
        self.utterance.extend_from_slice(frame);
        self.silence_ms = if voice {
            0
        } else {
            self.silence_ms + self.cfg.frame_ms
        };
        let len_ms = (self.utterance.len() as u64 * 1000 / self.cfg.rate as u64) as u32;
        if self.silence_ms >= self.cfg.hangover_ms {
            self.done = true;
            Endpoint::Ended
        } else if len_ms >= self.cfg.max_ms {
            self.done = true;
            Endpoint::MaxLength
        } else {
            Endpoint::Speaking
        }
    }

    /// Silence since the last voice frame of the utterance.
    pub fn silence_ms(&self) -> u32 {
        self.silence_ms
    }

    /// The utterance so far (pre-roll included).
    pub fn utterance(&self) -> &[f32] {
        &self.utterance
    }

    /// The utterance recorded (pre-roll included), consuming the endpointer.
    pub fn into_utterance(self) -> Vec<f32> {
        self.utterance
    }
}

/// True when an energy endpointer finds the start of speech anywhere in the
/// clip (silence and steady noise give false).
pub fn contains_speech(samples: &[f32], rate: u32) -> bool {
    let cfg = EndpointConfig {
        rate,
        max_ms: u32::MAX,
        ..EndpointConfig::default()
    };
    let mut ep = Endpointer::new(EnergyVad::default(), cfg);
    ep.push(samples);
    ep.started()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(ms: u32, amp: f32) -> Vec<f32> {
        (0..16 * ms)
            .map(|i| amp * (i as f32 * 0.13).sin() * (1.0 + 0.3 * (i as f32 * 0.002).sin()))
            .collect()
    }

    fn noise(ms: u32, amp: f32, seed: u32) -> Vec<f32> {
        let mut s = seed.max(1);
        (0..16 * ms)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                amp * ((s as f32 / u32::MAX as f32) * 2.0 - 1.0)
            })
            .collect()
    }

    #[test]
    fn energy_vad_ignores_steady_noise_and_hears_a_tone() {
        let mut v = EnergyVad::default();
        let n = noise(1000, 0.01, 7);
        let voiced = n.chunks(480).filter(|f| v.is_voice(f)).count();
        assert_eq!(voiced, 0);
        let t = tone(300, 0.3);
        assert!(t.chunks(480).all(|f| v.is_voice(f)));
        assert!(v.level_db() > -20.0);
    }

    #[test]
    fn speech_then_silence_ends_within_a_second() {
        let mut signal = noise(500, 0.002, 3);
        signal.extend(tone(1500, 0.3));
        let speech_end = signal.len();
        signal.extend(noise(3000, 0.002, 5));
        let mut ep = Endpointer::new(EnergyVad::default(), EndpointConfig::default());
        let mut started_at = None;
        let mut ended_at = None;
        for (i, chunk) in signal.chunks(160).enumerate() {
            match ep.push(chunk) {
                Endpoint::Started => started_at = Some(i * 160),
                Endpoint::Ended => {
                    ended_at = Some((i + 1) * 160);
                    break;
                }
                _ => {}
            }
        }
        let started_at = started_at.expect("speech detected");
        assert!(
            (8_000..8_000 + 16 * 150).contains(&started_at),
            "{started_at}"
        );
        let ended_at = ended_at.expect("end detected");
        let lag_ms = (ended_at - speech_end) * 1000 / 16_000;
        assert!(
            (700..1000).contains(&lag_ms),
            "ended {lag_ms} ms after the speech"
        );
        // pre-roll: about 300 ms kept before the onset
        let u = ep.utterance();
        assert!(u.len() > (1500 + 300 + 700) * 16, "{}", u.len());
    }

    #[test]
    fn a_click_does_not_start_an_utterance() {
        let mut signal = noise(500, 0.002, 9);
        signal.extend(tone(40, 0.5));
        signal.extend(noise(1000, 0.002, 11));
        let mut ep = Endpointer::new(EnergyVad::default(), EndpointConfig::default());
        ep.push(&signal);
        assert!(!ep.started());
    }

    #[test]
    fn length_is_capped() {
        let cfg = EndpointConfig {
            max_ms: 2_000,
            ..EndpointConfig::default()
        };
        let mut ep = Endpointer::new(EnergyVad::default(), cfg);
        let mut last = Endpoint::Waiting;
        let mut signal = noise(200, 0.002, 1);
        signal.extend(tone(5000, 0.3));
        for c in signal.chunks(480) {
            last = ep.push(c);
            if ep.done() {
                break;
            }
        }
        assert_eq!(last, Endpoint::MaxLength);
        assert!(ep.utterance().len() <= 2_030 * 16);
    }

    #[test]
    fn silence_and_noise_hold_no_speech() {
        assert!(!contains_speech(&vec![0.0; 32_000], 16_000));
        assert!(!contains_speech(&noise(3000, 0.1, 42), 16_000));
        let mut s = noise(300, 0.001, 2);
        s.extend(tone(800, 0.2));
        assert!(contains_speech(&s, 16_000));
    }
}
