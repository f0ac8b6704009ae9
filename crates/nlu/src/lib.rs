//! Inference: transcript -> entities -> plan, with a model trained by this
//! project. Knows nothing of the corpus, audio or GUI.

pub mod crf;
pub mod encoder;
pub mod model;
mod report;
pub mod store;
pub mod tags;
pub mod tokenize;
pub mod trust;
mod verdict;

use candle_core::Device;
use crf::CrfScores;
pub use model::{Arch, NerConfig};
use model::{Batch, NerNet};
pub use report::{ParseReport, Reading};
use speechtimer_core::values::{
    Entity, Label, PlanValues, Quantity, ValueError, parse_number, plan_values, sound_alike,
};
pub use store::{LoadError, ModelFiles};
use tokenize::{NerTokenizer, Token};
pub use trust::{FieldTrust, PlanTrust, Trust};
pub use verdict::Verdict;

/// What a transcript means.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The transcript, as given.
    pub text: String,
    /// Spans in code points, in order, each with its confidence.
    pub entities: Vec<Entity>,
    /// The plan, or what could not be understood.
    pub plan: Result<PlanValues, ValueError>,
    /// Confidence of the whole tagging: the least sure token's marginal.
    pub confidence: f32,
    /// Remarks for the athlete (text cut, nothing to read...).
    pub notes: Vec<String>,
    /// Words read as the number they sound like (`si` -> 6): the window
    /// asks the athlete to check them.
    pub assumed: Vec<Assumed>,
    /// Why each field of the plan is trusted or not.
    pub trust: PlanTrust,
}

/// A sound-alike read as a number.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Assumed {
    /// The word as written in the transcript.
    #[cfg_attr(feature = "schema", schema(example = "Cesse"))]
    pub text: String,
    /// The number it was read as.
    #[cfg_attr(feature = "schema", schema(example = 16))]
    pub value: u32,
}

impl std::fmt::Display for Assumed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "« {} » compris comme {}", self.text, self.value)
    }
}

impl Parsed {
    /// A plan was read, but some field of it needs checking.
    pub fn is_uncertain(&self) -> bool {
        self.plan.is_ok() && self.trust.is_uncertain()
    }

    /// Reads the plan and its trust again after the spans changed.
    pub fn refresh_plan(&mut self) {
        self.plan = plan_values(&self.entities);
        self.trust = PlanTrust::of(&self.entities);
    }
}

/// Why the tagger cannot be loaded or run. Messages are French: the athlete reads them.
#[derive(Debug, thiserror::Error)]
pub enum NluError {
    /// The model files are missing or corrupt.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The network failed to run or to give its scores.
    #[error("erreur du modèle de compréhension : {0}")]
    Model(#[from] candle_core::Error),
    /// The tokenizer failed to split the text.
    #[error(transparent)]
    Tokenize(#[from] tokenize::TokenizeError),
}

/// The loaded tagger.
pub struct Nlu {
    net: NerNet,
    tokenizer: NerTokenizer,
    crf: CrfScores,
    device: Device,
}

impl std::fmt::Debug for Nlu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nlu")
            .field("arch", &self.net.config.arch)
            .field("tokenizer", &self.tokenizer)
            .finish()
    }
}

impl Nlu {
    /// The tagger from a built network and its tokenizer.
    pub fn new(net: NerNet, tokenizer: NerTokenizer) -> Result<Self, NluError> {
        let crf = net.crf.scores()?;
        Ok(Self {
            net,
            tokenizer,
            crf,
            device: Device::Cpu,
        })
    }

    /// The model shipped inside the binary.
    pub fn embedded() -> Result<Self, NluError> {
        Self::from_files(&ModelFiles::embedded())
    }

    /// A model directory (`model.safetensors`, `config.json`, `tokenizer.json`).
    pub fn load_dir(dir: &std::path::Path) -> Result<Self, NluError> {
        Self::from_files(&ModelFiles::read_dir(dir)?)
    }

    /// `--ner-model DIR` when given, else the embedded model.
    pub fn load(dir: Option<&std::path::Path>) -> Result<Self, NluError> {
        match dir {
            Some(d) => Self::load_dir(d),
            None => Self::embedded(),
        }
    }

    /// A model from its three files, already in memory.
    pub fn from_files(files: &ModelFiles) -> Result<Self, NluError> {
        let (net, tokenizer) = files.build(&Device::Cpu)?;
        Self::new(net, tokenizer)
    }

    /// The network (training drives it through the same `Nlu`).
    pub fn net(&self) -> &NerNet {
        &self.net
    }

    /// Re-reads the CRF scores after the weights changed (training).
    pub fn refresh(&mut self) -> Result<(), NluError> {
        self.crf = self.net.crf.scores()?;
        Ok(())
    }

    /// The version shown to Label Studio: `speechtimer-<version>-<arch>`,
    /// then `-<directory>` when the model was loaded from `dir`.
    pub fn version_name(&self, dir: Option<&std::path::Path>) -> String {
        let mut name = format!(
            "speechtimer-{}-{}",
            env!("CARGO_PKG_VERSION"),
            self.config().arch.as_str()
        );
        if let Some(d) = dir.and_then(|d| d.file_name()) {
            name.push('-');
            name.push_str(&d.to_string_lossy());
        }
        name
    }

    /// The model's configuration (`config.json`).
    pub fn config(&self) -> &NerConfig {
        &self.net.config
    }

    /// The model's tokenizer.
    pub fn tokenizer(&self) -> &NerTokenizer {
        &self.tokenizer
    }

    /// Tags one transcript.
    pub fn parse(&self, text: &str) -> Result<Parsed, NluError> {
        Ok(self
            .parse_batch(&[text])?
            .pop()
            .expect("one result per text"))
    }

    /// Tags several transcripts in one pass of the network.
    pub fn parse_batch(&self, texts: &[&str]) -> Result<Vec<Parsed>, NluError> {
        let mut encoded = Vec::with_capacity(texts.len());
        for t in texts {
            encoded.push(self.tokenizer.encode(t)?);
        }
        let nonempty: Vec<&[Token]> = encoded
            .iter()
            .filter(|(toks, _)| !toks.is_empty())
            .map(|(toks, _)| toks.as_slice())
            .collect();
        let mut emissions = if nonempty.is_empty() {
            Vec::new()
        } else {
            let batch = Batch::new(&nonempty, &self.device)?;
            let em = self.net.emissions(&batch, None)?;
            crf::split_emissions(&em, &batch.lengths)?
        }
        .into_iter();
        let mut out = Vec::with_capacity(texts.len());
        for (text, (tokens, truncated)) in texts.iter().zip(&encoded) {
            let mut notes = Vec::new();
            if *truncated {
                notes.push(format!(
                    "texte trop long : seuls les {} premiers mots ont été lus",
                    tokenize::MAX_TOKENS
                ));
            }
            let (entities, confidence) = if tokens.is_empty() {
                notes.push("rien à comprendre : le texte est vide".to_string());
                (Vec::new(), 0.0)
            } else {
                let em = emissions
                    .next()
                    .expect("one emission row per non-empty text");
                self.decode(text, tokens, &em)
            };
            let (entities, dropped) = drop_stray_words(entities);
            let entities = rest_of_a_single_set(sets_of_single_rounds(entities));
            for e in &dropped {
                notes.push(format!(
                    "« {} » ignoré : ce n'est pas un nombre, et {} est dit ailleurs",
                    e.text,
                    e.label.quantity().french()
                ));
            }
            let plan = plan_values(&entities);
            let assumed = entities
                .iter()
                .filter_map(|e| {
                    sound_alike(&e.text).map(|value| Assumed {
                        text: e.text.clone(),
                        value,
                    })
                })
                .collect();
            if entities.is_empty() && !tokens.is_empty() {
                notes.push("aucun nombre de séries ni durée reconnu".to_string());
            }
            let trust = PlanTrust::of(&entities);
            out.push(Parsed {
                text: text.to_string(),
                entities,
                plan,
                confidence,
                notes,
                assumed,
                trust,
            });
        }
        Ok(out)
    }

    fn decode(&self, text: &str, tokens: &[Token], em: &[f32]) -> (Vec<Entity>, f32) {
        let k = self.crf.k;
        let path = self.crf.viterbi(em);
        let marg = self.crf.marginals(em);
        let conf: Vec<f32> = path
            .iter()
            .enumerate()
            .map(|(t, &j)| marg[t * k + j])
            .collect();
        let chars: Vec<char> = text.chars().collect();
        let mut entities: Vec<Entity> = Vec::new();
        let mut open: Option<(usize, usize, f32, usize)> = None; // first, last, sum, count
        let close = |open: &mut Option<(usize, usize, f32, usize)>, entities: &mut Vec<Entity>| {
            if let Some((first, last, sum, n)) = open.take()
                && let Some(label) = tags::label_of(path[first])
            {
                let (start, end) = (tokens[first].start, tokens[last].end);
                entities.push(Entity {
                    start,
                    end,
                    label,
                    text: chars[start..end].iter().collect(),
                    score: Some(sum / n as f32),
                });
            }
        };
        for (t, &tag) in path.iter().enumerate() {
            if tag == tags::O || !tags::is_inside(tag) {
                close(&mut open, &mut entities);
            }
            if tag != tags::O {
                let (first, _, sum, n) = open.unwrap_or((t, t, 0.0, 0));
                open = Some((first, t, sum + conf[t], n + 1));
            }
        }
        close(&mut open, &mut entities);
        let confidence = conf.iter().copied().fold(1.0, f32::min);
        (entities, confidence)
    }
}

/// Splits off the spans that are no number (nor a known sound-alike) when
/// another span of the same quantity is one: the tagger sometimes takes a
/// short word (`ma`, `ai`) for a misheard count beside the real count, and
/// one stray word must not cost the whole plan. A lone unreadable span is
/// kept, so the plan says what it could not read instead of guessing.
fn drop_stray_words(entities: Vec<Entity>) -> (Vec<Entity>, Vec<Entity>) {
    let readable = |e: &Entity| parse_number(&e.text).is_ok();
    let backed: Vec<_> = entities
        .iter()
        .filter(|e| readable(e))
        .map(|e| e.label.quantity())
        .collect();
    entities
        .into_iter()
        .partition(|e| readable(e) || !backed.contains(&e.label.quantity()))
}

/// Sets with no round count and no format are rounds: a block of one round
/// is a round, and the rest between such blocks is the rest between rounds
/// (« 5 blocs de 6 minutes, 2 minutes entre les blocs », « une minute de
/// gainage, 30 s de repos, quatre fois »). The timer runs the same either
/// way; this is how the plan is written. With a rest and a rest between
/// sets both said, the two differ, and the sets stay.
fn sets_of_single_rounds(mut entities: Vec<Entity>) -> Vec<Entity> {
    let has = |q: Quantity| entities.iter().any(|e| e.label.quantity() == q);
    if !has(Quantity::Sets)
        || has(Quantity::Rounds)
        || (has(Quantity::Rest) && has(Quantity::SetRest))
        || entities.iter().any(|e| e.label == Label::Format)
    {
        return entities;
    }
    for e in &mut entities {
        let rounds = match e.label.quantity() {
            Quantity::Sets => Some(Label::NbRounds),
            Quantity::SetRest => Label::duration(Quantity::Rest, e.label.unit_seconds()),
            _ => None,
        };
        if let Some(label) = rounds {
            e.label = label;
        }
    }
    entities
}

/// A rest « between » with no set count said, and no other rest, is the
/// rest between rounds: with a single set there is nothing else it can be
/// between (« 4 rounds de 5 minutes, 2 minutes de repos entre les rounds »).
fn rest_of_a_single_set(mut entities: Vec<Entity>) -> Vec<Entity> {
    let has = |q: Quantity| entities.iter().any(|e| e.label.quantity() == q);
    if has(Quantity::Sets) || has(Quantity::Rest) {
        return entities;
    }
    for e in entities
        .iter_mut()
        .filter(|e| e.label.quantity() == Quantity::SetRest)
    {
        if let Some(rest) = Label::duration(Quantity::Rest, e.label.unit_seconds()) {
            e.label = rest;
        }
    }
    entities
}

/// A parse as the tagger would give it for `spans` (text, label, score),
/// each the first occurrence of its text (panics when a span is not in the
/// text): for the tests of the stages after tagging, here and in `voice`.
pub fn parsed_from_spans(
    text: &str,
    spans: &[(&str, speechtimer_core::values::Label, f32)],
) -> Parsed {
    let entities: Vec<Entity> = spans
        .iter()
        .map(|&(t, l, s)| {
            let b = text.find(t).expect("span in text");
            let start = text[..b].chars().count();
            Entity {
                score: Some(s),
                ..Entity::new(start, start + t.chars().count(), l, t)
            }
        })
        .collect();
    Parsed {
        text: text.into(),
        plan: plan_values(&entities),
        trust: PlanTrust::of(&entities),
        entities,
        confidence: 1.0,
        notes: vec![],
        assumed: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::Label::*;

    fn e(label: speechtimer_core::values::Label, text: &str) -> Entity {
        Entity::new(0, text.chars().count(), label, text)
    }

    #[test]
    fn a_stray_word_beside_a_real_count_is_dropped() {
        let (kept, dropped) = drop_stray_words(vec![
            e(NbRounds, "ma"),
            e(NbRounds, "5"),
            e(DurationWtMin, "6"),
        ]);
        assert_eq!(dropped, vec![e(NbRounds, "ma")]);
        assert_eq!(plan_values(&kept).unwrap().rounds, 5);
    }

    #[test]
    fn a_rest_between_with_a_single_set_is_the_rest_between_rounds() {
        let one_set = rest_of_a_single_set(vec![
            e(NbRounds, "4"),
            e(DurationWtMin, "5"),
            e(DurationSbrMin, "2"),
        ]);
        assert_eq!(one_set[2].label, DurationBrMin);
        // with a set count, or a rest already said, it stays between sets
        let sets = vec![
            e(NbSets, "3"),
            e(DurationWtSd, "30"),
            e(DurationSbrMin, "2"),
        ];
        assert_eq!(rest_of_a_single_set(sets.clone()), sets);
        let rest = vec![
            e(DurationWtSd, "30"),
            e(DurationBrSd, "10"),
            e(DurationSbrMin, "2"),
        ];
        assert_eq!(rest_of_a_single_set(rest.clone()), rest);
    }

    #[test]
    fn sets_of_one_round_are_rounds() {
        let blocks = sets_of_single_rounds(vec![
            e(NbSets, "5"),
            e(DurationWtMin, "6"),
            e(DurationSbrMin, "2"),
        ]);
        let labels: Vec<Label> = blocks.iter().map(|x| x.label).collect();
        assert_eq!(labels, vec![NbRounds, DurationWtMin, DurationBrMin]);
        let times = sets_of_single_rounds(vec![
            e(DurationWtMin, "1"),
            e(DurationBrSd, "30"),
            e(NbSets, "4"),
        ]);
        assert_eq!(plan_values(&times).unwrap().rounds, 4);
        // with rounds said, a format, or both rests, the sets stay
        for kept in [
            vec![e(NbSets, "3"), e(NbRounds, "8"), e(DurationWtSd, "20")],
            vec![e(NbSets, "4"), e(Format, "Tabatas"), e(DurationSbrMin, "1")],
            vec![
                e(NbSets, "3"),
                e(DurationWtMin, "1"),
                e(DurationBrSd, "30"),
                e(DurationSbrMin, "2"),
            ],
        ] {
            assert_eq!(sets_of_single_rounds(kept.clone()), kept);
        }
    }

    #[test]
    fn a_lone_unreadable_count_is_kept_so_the_plan_says_so() {
        let ents = vec![e(NbRounds, "Bous"), e(DurationWtMin, "2")];
        let (kept, dropped) = drop_stray_words(ents.clone());
        assert!(dropped.is_empty());
        assert_eq!(kept, ents);
        assert!(plan_values(&kept).is_err());
        // a sound-alike is a number: kept beside another count
        let (kept, dropped) = drop_stray_words(vec![e(NbRounds, "si"), e(NbRounds, "4")]);
        assert!(dropped.is_empty());
        assert_eq!(kept.len(), 2);
    }
}
