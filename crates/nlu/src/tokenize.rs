//! Words and their characters, with exact character offsets.
//!
//! The `tokenizers` pipeline folds case and accents (NFD + strip accents +
//! lowercase: ASR output often drops accents), splits on white space, then
//! isolates punctuation and splits digits from letters, so `1h30` gives `1`,
//! `h`, `30` and `2'30` gives `2`, `'`, `30`. Offsets come back in code
//! points of the original text. The word vocabulary is trained on generated
//! text; each token also carries its characters (ids in a small character
//! vocabulary), so unknown words still carry signal.

use std::collections::HashMap;
use tokenizers::models::TrainerWrapper;
use tokenizers::models::wordlevel::{WordLevel, WordLevelTrainer};
use tokenizers::normalizers::{Lowercase, NFD, Sequence as NormSeq, StripAccents};
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::punctuation::Punctuation;
use tokenizers::pre_tokenizers::sequence::Sequence as PreSeq;
use tokenizers::pre_tokenizers::whitespace::WhitespaceSplit;
use tokenizers::{AddedToken, SplitDelimiterBehavior, Tokenizer};

/// The padding word; its id is [`PAD_ID`].
pub const PAD: &str = "[PAD]";
/// The word that stands for any word out of the vocabulary.
pub const UNK: &str = "[UNK]";
/// Id of padding, for words and characters alike.
pub const PAD_ID: u32 = 0;
/// Id of an unknown character.
pub const UNK_CHAR: u32 = 1;
/// Ids before the first character of the vocabulary (padding, unknown).
const FIRST_CHAR: u32 = 2;

/// Size of the character embedding for the vocabulary `chars` (one
/// character per id, after padding and unknown).
pub fn char_vocab_size(chars: &str) -> usize {
    chars.chars().count() + FIRST_CHAR as usize
}
/// Characters kept per token.
pub const MAX_CHARS: usize = 16;
/// Tokens read from one text; the rest is ignored (and said so).
pub const MAX_TOKENS: usize = 256;

/// Why the tokenizer cannot be loaded, saved, trained or run. Messages are French.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    /// `tokenizer.json` is unreadable or lacks `[PAD]`/`[UNK]` (also when
    /// saving fails).
    #[error("tokeniseur illisible : {0}")]
    Load(String),
    /// The text could not be split into words.
    #[error("échec du découpage en mots : {0}")]
    Encode(String),
    /// The vocabulary could not be learned.
    #[error("échec de l'apprentissage du vocabulaire : {0}")]
    Train(String),
}

/// One token: its word id, character ids and code-point span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Word id; [`UNK`]'s for a word out of the vocabulary.
    pub id: u32,
    /// Ids of its first [`MAX_CHARS`] characters, lowercased with accents
    /// kept ([`UNK_CHAR`] for one out of the vocabulary).
    pub chars: Vec<u32>,
    /// Code-point offset of its first character in the text.
    pub start: usize,
    /// Code-point offset just after its last character (exclusive).
    pub end: usize,
}

/// Text to tokens: the word vocabulary (a `tokenizers` pipeline) and the
/// character vocabulary.
#[derive(Clone)]
pub struct NerTokenizer {
    words: Tokenizer,
    chars: HashMap<char, u32>,
    /// The character vocabulary in id order (id = index + `FIRST_CHAR`).
    char_list: String,
}

impl std::fmt::Debug for NerTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NerTokenizer")
            .field("vocab", &self.vocab_size())
            .field("chars", &self.char_list.chars().count())
            .finish()
    }
}

fn pipeline(model: WordLevel) -> Result<Tokenizer, TokenizeError> {
    let mut tk = Tokenizer::new(model);
    tk.with_normalizer(Some(NormSeq::new(vec![
        NFD.into(),
        StripAccents.into(),
        Lowercase.into(),
    ])))
    .map_err(|e| TokenizeError::Train(e.to_string()))?;
    tk.with_pre_tokenizer(Some(PreSeq::new(vec![
        WhitespaceSplit.into(),
        Punctuation::new(SplitDelimiterBehavior::Isolated).into(),
        Digits::new(false).into(),
    ])));
    Ok(tk)
}

/// What the character view sees of a token: lowercase, accents kept.
fn char_form(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

impl NerTokenizer {
    /// Learns the word vocabulary (words seen at least `min_frequency`
    /// times) and the character vocabulary from `texts`.
    pub fn train(texts: &[String], min_frequency: u64) -> Result<Self, TokenizeError> {
        let mut words = pipeline(WordLevel::default())?;
        let mut trainer = TrainerWrapper::WordLevelTrainer(
            WordLevelTrainer::builder()
                .min_frequency(min_frequency)
                .vocab_size(50_000)
                .show_progress(false)
                .special_tokens(vec![
                    AddedToken::from(PAD, true),
                    AddedToken::from(UNK, true),
                ])
                .build()
                .map_err(|e| TokenizeError::Train(e.to_string()))?,
        );
        words
            .train(&mut trainer, texts.iter())
            .map_err(|e| TokenizeError::Train(e.to_string()))?;
        // the trainer drops the unknown token setting: rebuild the model with it
        let vocab = words.get_vocab(false);
        let model = WordLevel::builder()
            .vocab(vocab.into_iter().collect())
            .unk_token(UNK.to_string())
            .build()
            .map_err(|e| TokenizeError::Train(e.to_string()))?;
        let words = pipeline(model)?;
        let mut counts: HashMap<char, usize> = HashMap::new();
        for t in texts {
            for c in t.chars().filter(|c| !c.is_whitespace()) {
                *counts.entry(char_form(c)).or_default() += 1;
            }
        }
        let mut list: Vec<(char, usize)> = counts.into_iter().filter(|(_, n)| *n >= 2).collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let char_list: String = list.into_iter().map(|(c, _)| c).collect();
        Self::from_parts(words, char_list)
    }

    fn from_parts(words: Tokenizer, char_list: String) -> Result<Self, TokenizeError> {
        if words.token_to_id(PAD) != Some(PAD_ID) || words.token_to_id(UNK).is_none() {
            return Err(TokenizeError::Load(format!(
                "le vocabulaire doit commencer par {PAD} et contenir {UNK}"
            )));
        }
        let chars = char_list
            .chars()
            .enumerate()
            .map(|(i, c)| (c, i as u32 + FIRST_CHAR))
            .collect();
        Ok(Self {
            words,
            chars,
            char_list,
        })
    }

    /// Loads a saved `tokenizer.json` and the character list from the config.
    pub fn from_json(tokenizer_json: &[u8], char_list: &str) -> Result<Self, TokenizeError> {
        let words = Tokenizer::from_bytes(tokenizer_json)
            .map_err(|e| TokenizeError::Load(e.to_string()))?;
        Self::from_parts(words, char_list.to_string())
    }

    /// The `tokenizer.json` text.
    pub fn to_json(&self) -> Result<String, TokenizeError> {
        self.words
            .to_string(true)
            .map_err(|e| TokenizeError::Load(e.to_string()))
    }

    /// The character vocabulary in id order, as `config.json` keeps it.
    pub fn char_list(&self) -> &str {
        &self.char_list
    }

    /// Words in the word vocabulary, `[PAD]` and `[UNK]` included.
    pub fn vocab_size(&self) -> usize {
        self.words.get_vocab_size(true)
    }

    /// The tokens of `text` (at most [`MAX_TOKENS`]; the flag says whether
    /// some were left out).
    pub fn encode(&self, text: &str) -> Result<(Vec<Token>, bool), TokenizeError> {
        let enc = self
            .words
            .encode_char_offsets(text, false)
            .map_err(|e| TokenizeError::Encode(e.to_string()))?;
        let chars: Vec<char> = text.chars().collect();
        let truncated = enc.get_ids().len() > MAX_TOKENS;
        let tokens = enc
            .get_ids()
            .iter()
            .zip(enc.get_offsets())
            .take(MAX_TOKENS)
            .map(|(&id, &(start, end))| {
                let end = end.min(chars.len());
                let start = start.min(end);
                let char_ids = chars[start..end]
                    .iter()
                    .take(MAX_CHARS)
                    .map(|c| self.chars.get(&char_form(*c)).copied().unwrap_or(UNK_CHAR))
                    .collect();
                Token {
                    id,
                    chars: char_ids,
                    start,
                    end,
                }
            })
            .collect();
        Ok((tokens, truncated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer() -> NerTokenizer {
        let texts: Vec<String> = [
            "12 séries de 2 minutes, 30 secondes entre série",
            "1h30 de travail et 2'30 de repos",
            "vingt-cinq rounds de 45s, récup 20",
            "douze séries de deux minutes",
        ]
        .iter()
        .flat_map(|s| [s.to_string(), s.to_string()])
        .collect();
        NerTokenizer::train(&texts, 2).unwrap()
    }

    fn pieces(tk: &NerTokenizer, text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        tk.encode(text)
            .unwrap()
            .0
            .iter()
            .map(|t| chars[t.start..t.end].iter().collect())
            .collect()
    }

    #[test]
    fn offsets_map_back_exactly() {
        let tk = tokenizer();
        assert_eq!(pieces(&tk, "1h30"), ["1", "h", "30"]);
        assert_eq!(pieces(&tk, "2'30"), ["2", "'", "30"]);
        assert_eq!(
            pieces(&tk, "Éé 12 séries, récup 20s!"),
            ["Éé", "12", "séries", ",", "récup", "20", "s", "!"]
        );
        assert_eq!(pieces(&tk, "vingt-cinq"), ["vingt", "-", "cinq"]);
        assert_eq!(pieces(&tk, "  1,5 min "), ["1", ",", "5", "min"]);
        assert!(pieces(&tk, "").is_empty());
        assert_eq!(pieces(&tk, "💪 3 séries"), ["💪", "3", "séries"]);
    }

    #[test]
    fn accents_and_case_fold_to_known_words() {
        let tk = tokenizer();
        let id = |t: &str| tk.encode(t).unwrap().0[0].id;
        assert_eq!(id("SÉRIES"), id("séries"));
        assert_eq!(id("series"), id("séries"));
        assert_ne!(id("séries"), id("inconnu"));
        assert_eq!(tk.words.id_to_token(id("inconnu")).as_deref(), Some(UNK));
        // the character view still tells unknown words apart
        let a = &tk.encode("sérios").unwrap().0[0];
        let b = &tk.encode("zzz").unwrap().0[0];
        assert_eq!(a.id, b.id);
        assert_ne!(a.chars, b.chars);
    }

    #[test]
    fn saves_and_loads() {
        let tk = tokenizer();
        let json = tk.to_json().unwrap();
        let back = NerTokenizer::from_json(json.as_bytes(), tk.char_list()).unwrap();
        let text = "12 séries de 2 minutes, 30 secondes entre série";
        assert_eq!(back.encode(text).unwrap(), tk.encode(text).unwrap());
        assert!(NerTokenizer::from_json(b"{not json", "ab").is_err());
    }

    #[test]
    fn long_texts_are_cut() {
        let tk = tokenizer();
        let long = "douze ".repeat(1000);
        let (tokens, truncated) = tk.encode(&long).unwrap();
        assert_eq!(tokens.len(), MAX_TOKENS);
        assert!(truncated);
    }
}
