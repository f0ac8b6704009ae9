//! A domain language model over Whisper token ids: an interpolated
//! Kneser-Ney n-gram trained on clean generated commands, fused into
//! Whisper's decoder (see `fusion.rs`). Pure Rust: building, saving,
//! loading and scoring need no Whisper model, only token ids.
//!
//! `P_k(w | h) = max(c_k(h w) - D_k, 0) / c_k(h ·) + γ_k(h) P_{k-1}(w | h')`
//! with raw counts at the highest order, continuation counts (distinct
//! left neighbours) below, one discount per order `D_k = n1 / (n1 + 2 n2)`,
//! and the unigram mixed with the uniform distribution over the vocabulary.

pub mod automaton;
pub mod bpe;
pub mod grammar;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The file's first bytes.
const MAGIC: &[u8; 4] = b"STLM";
const VERSION: u32 = 1;
/// Token ids are packed 16 bits each into a context key.
const MAX_ORDER: usize = 4;

/// The model shipped inside the binary (built by `speechtimer lm build`).
pub const EMBEDDED: &[u8] = include_bytes!("../../../models/lm/domain.lm");

/// Why a language model could not be built, read or loaded.
#[derive(Debug, thiserror::Error)]
pub enum LmError {
    /// [`TokenLm::load`] could not read the file, or its bytes are not a
    /// valid model.
    #[error("modèle de langue illisible ({path}) : {why}")]
    Read {
        /// The file, as displayed.
        path: String,
        /// The I/O error, or what is wrong with the bytes.
        why: String,
    },
    /// The bytes are truncated, too long, or hold an invalid field.
    #[error("modèle de langue corrompu : {0}")]
    Corrupt(String),
    /// [`TokenLm::build`] got an order outside `2..=4`, a vocabulary too
    /// large or without `eos`, a token outside it, or no sentence.
    #[error("modèle de langue : {0}")]
    Build(String),
}

/// One context's continuations: `a(w) = max(c - D, 0) / total`, and the
/// weight `γ` given to the lower order.
#[derive(Debug, Clone, PartialEq)]
struct Context {
    gamma: f32,
    next: Vec<(u32, f32)>,
}

/// A trained n-gram model, ready to score.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenLm {
    order: usize,
    /// Ids `0..vocab` are predicted (text tokens and end-of-text).
    vocab: u32,
    /// Stands before the first token of a sentence (never predicted).
    bos: u32,
    /// `P_1(w)` for every id, uniform mixed in.
    unigram: Vec<f32>,
    ln_unigram: Vec<f32>,
    /// `contexts[k - 2]`: contexts of `k - 1` tokens, for orders `2..=order`.
    contexts: Vec<HashMap<u64, Context>>,
}

fn key(ids: &[u32]) -> u64 {
    ids.iter().fold(ids.len() as u64, |k, &id| {
        (k << 16) | u64::from(id & 0xFFFF)
    })
}

impl TokenLm {
    /// Trains an `order`-gram on `sentences` (token ids, each `< vocab`,
    /// without the end-of-text, which is `eos`). Deterministic: the same
    /// sentences give the same model, byte for byte once saved.
    pub fn build(
        sentences: &[Vec<u32>],
        order: usize,
        vocab: u32,
        eos: u32,
    ) -> Result<Self, LmError> {
        if !(2..=MAX_ORDER).contains(&order) {
            return Err(LmError::Build(format!(
                "ordre {order} : entre 2 et {MAX_ORDER}"
            )));
        }
        if vocab >= 0xFFFF || eos >= vocab {
            return Err(LmError::Build(format!(
                "vocabulaire de {vocab} jetons, fin {eos}"
            )));
        }
        let bos = vocab;
        // highest-order counts, over padded sentences
        let mut top: BTreeMap<Vec<u32>, u32> = BTreeMap::new();
        for s in sentences {
            if let Some(bad) = s.iter().find(|&&t| t >= vocab) {
                return Err(LmError::Build(format!("jeton {bad} hors du vocabulaire")));
            }
            let mut padded = vec![bos; order - 1];
            padded.extend_from_slice(s);
            padded.push(eos);
            for w in padded.windows(order) {
                *top.entry(w.to_vec()).or_default() += 1;
            }
        }
        if top.is_empty() {
            return Err(LmError::Build("aucune phrase".into()));
        }
        // counts per order: raw at the top, continuation counts below
        let mut counts: Vec<BTreeMap<Vec<u32>, u32>> = vec![BTreeMap::new(); order + 1];
        counts[order] = top;
        for k in (1..order).rev() {
            let mut lower: BTreeMap<Vec<u32>, u32> = BTreeMap::new();
            for gram in counts[k + 1].keys() {
                *lower.entry(gram[1..].to_vec()).or_default() += 1;
            }
            counts[k] = lower;
        }
        let discount = |c: &BTreeMap<Vec<u32>, u32>| {
            let n1 = c.values().filter(|&&v| v == 1).count() as f64;
            let n2 = c.values().filter(|&&v| v == 2).count() as f64;
            if n1 + n2 == 0.0 {
                0.5
            } else {
                (n1 / (n1 + 2.0 * n2)).clamp(0.05, 0.95)
            }
        };
        // unigram
        let d1 = discount(&counts[1]);
        let total: f64 = counts[1].values().map(|&c| f64::from(c)).sum();
        let types = counts[1].len() as f64;
        let uniform = d1 * types / total / f64::from(vocab);
        let mut unigram = vec![uniform as f32; vocab as usize];
        for (gram, &c) in &counts[1] {
            unigram[gram[0] as usize] += ((f64::from(c) - d1).max(0.0) / total) as f32;
        }
        // higher orders, grouped by context
        let mut contexts = Vec::with_capacity(order - 1);
        for c in counts.iter().skip(2) {
            let d = discount(c);
            let mut by_ctx: BTreeMap<&[u32], Vec<(u32, u32)>> = BTreeMap::new();
            for (gram, &n) in c {
                let (h, w) = gram.split_at(gram.len() - 1);
                by_ctx.entry(h).or_default().push((w[0], n));
            }
            let mut map = HashMap::with_capacity(by_ctx.len());
            for (h, next) in by_ctx {
                let total: f64 = next.iter().map(|&(_, n)| f64::from(n)).sum();
                let gamma = (d * next.len() as f64 / total) as f32;
                let next = next
                    .into_iter()
                    .map(|(w, n)| (w, ((f64::from(n) - d).max(0.0) / total) as f32))
                    .collect();
                map.insert(key(h), Context { gamma, next });
            }
            contexts.push(map);
        }
        Ok(Self::assemble(order, vocab, bos, unigram, contexts))
    }

    fn assemble(
        order: usize,
        vocab: u32,
        bos: u32,
        unigram: Vec<f32>,
        contexts: Vec<HashMap<u64, Context>>,
    ) -> Self {
        let ln_unigram = unigram.iter().map(|p| p.ln()).collect();
        Self {
            order,
            vocab,
            bos,
            unigram,
            ln_unigram,
            contexts,
        }
    }

    /// The `n` of the n-gram: how many tokens a prediction looks at,
    /// counting the predicted one (2 to 4).
    pub fn order(&self) -> usize {
        self.order
    }

    /// Ids `0..vocab` are scored.
    pub fn vocab(&self) -> u32 {
        self.vocab
    }

    /// Number of stored n-grams of each order above one.
    pub fn sizes(&self) -> Vec<usize> {
        self.contexts
            .iter()
            .map(|m| m.values().map(|c| c.next.len()).sum())
            .collect()
    }

    /// The last `order - 1` tokens of `history`, sentence start padded.
    fn padded_history(&self, history: &[u32]) -> Vec<u32> {
        let n = self.order - 1;
        let mut h = vec![self.bos; n.saturating_sub(history.len())];
        h.extend_from_slice(&history[history.len().saturating_sub(n)..]);
        h
    }

    /// The distribution after `history` as `ln P(w) = ln(scale · P_1(w) +
    /// extra(w))`: `extra` holds the few ids seen after the context.
    pub fn distribution(&self, history: &[u32]) -> Distribution<'_> {
        let h = self.padded_history(history);
        let mut scale = 1f64;
        let mut extra: HashMap<u32, f64> = HashMap::new();
        // from the highest order down: each level's mass is scaled by the
        // gammas of the levels above it
        for k in (2..=self.order).rev() {
            let ctx = &h[h.len() - (k - 1)..];
            if let Some(c) = self.contexts[k - 2].get(&key(ctx)) {
                for &(w, a) in &c.next {
                    *extra.entry(w).or_default() += scale * f64::from(a);
                }
                scale *= f64::from(c.gamma);
            }
        }
        let mut extra: Vec<(u32, f32)> = extra
            .into_iter()
            .map(|(w, e)| {
                let p = scale * f64::from(self.unigram[w as usize]) + e;
                (w, p.ln() as f32)
            })
            .collect();
        extra.sort_unstable_by_key(|&(w, _)| w);
        Distribution {
            ln_scale: scale.ln() as f32,
            ln_unigram: &self.ln_unigram,
            exact: extra,
        }
    }

    /// `ln P(w | history)`.
    pub fn ln_prob(&self, history: &[u32], w: u32) -> f32 {
        self.distribution(history).ln_prob(w)
    }

    /// Writes the model (little-endian; contexts in sorted order, so the
    /// same model gives the same bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        for v in [VERSION, self.order as u32, self.vocab, self.bos] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for p in &self.unigram {
            out.extend_from_slice(&p.to_le_bytes());
        }
        for (i, map) in self.contexts.iter().enumerate() {
            let len = i + 1;
            let mut keys: Vec<(&u64, &Context)> = map.iter().collect();
            keys.sort_unstable_by_key(|(k, _)| **k);
            out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
            for (k, c) in keys {
                for j in (0..len).rev() {
                    out.extend_from_slice(&(((k >> (16 * j)) & 0xFFFF) as u16).to_le_bytes());
                }
                out.extend_from_slice(&c.gamma.to_le_bytes());
                out.extend_from_slice(&(c.next.len() as u32).to_le_bytes());
                for &(w, a) in &c.next {
                    out.extend_from_slice(&(w as u16).to_le_bytes());
                    out.extend_from_slice(&a.to_le_bytes());
                }
            }
        }
        out
    }

    /// Reads a model written by [`TokenLm::to_bytes`], checking every field:
    /// a damaged file is an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LmError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err(LmError::Corrupt(
                "ce n'est pas un modèle SpeechTimer".into(),
            ));
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(LmError::Corrupt(format!("version {version} inconnue")));
        }
        let order = r.u32()? as usize;
        let vocab = r.u32()?;
        let bos = r.u32()?;
        if !(2..=MAX_ORDER).contains(&order) || vocab == 0 || vocab >= 0xFFFF || bos != vocab {
            return Err(LmError::Corrupt(format!(
                "en-tête invalide (ordre {order}, vocabulaire {vocab})"
            )));
        }
        let mut unigram = Vec::with_capacity(vocab as usize);
        for _ in 0..vocab {
            unigram.push(r.prob()?);
        }
        if unigram.iter().any(|&p| p <= 0.0) {
            return Err(LmError::Corrupt("probabilité nulle".into()));
        }
        let mut contexts = Vec::with_capacity(order - 1);
        for len in 1..order {
            let n = r.u32()? as usize;
            // every context takes at least 8 bytes: a bad count cannot allocate much
            let mut map = HashMap::with_capacity(n.min(r.left() / 8));
            for _ in 0..n {
                let mut ids = Vec::with_capacity(len);
                for _ in 0..len {
                    let id = u32::from(r.u16()?);
                    if id > bos {
                        return Err(LmError::Corrupt(format!("jeton {id} hors du vocabulaire")));
                    }
                    ids.push(id);
                }
                let gamma = r.prob()?;
                let m = r.u32()? as usize;
                let mut next = Vec::with_capacity(m.min(r.left() / 6));
                for _ in 0..m {
                    let w = u32::from(r.u16()?);
                    if w >= vocab {
                        return Err(LmError::Corrupt(format!("jeton {w} hors du vocabulaire")));
                    }
                    next.push((w, r.prob()?));
                }
                map.insert(key(&ids), Context { gamma, next });
            }
            contexts.push(map);
        }
        if r.left() != 0 {
            return Err(LmError::Corrupt(format!("{} octets en trop", r.left())));
        }
        Ok(Self::assemble(order, vocab, bos, unigram, contexts))
    }

    /// Reads a model file written from [`TokenLm::to_bytes`].
    pub fn load(path: &Path) -> Result<Self, LmError> {
        let bytes = std::fs::read(path).map_err(|e| LmError::Read {
            path: path.display().to_string(),
            why: e.to_string(),
        })?;
        Self::from_bytes(&bytes).map_err(|e| LmError::Read {
            path: path.display().to_string(),
            why: e.to_string(),
        })
    }

    /// The model shipped inside the binary ([`EMBEDDED`]).
    pub fn embedded() -> Result<Self, LmError> {
        Self::from_bytes(EMBEDDED)
    }

    /// Mean `-ln P` per token (and end of sentence) over `sentences`.
    pub fn cross_entropy(&self, sentences: &[Vec<u32>], eos: u32) -> f64 {
        let (mut sum, mut n) = (0f64, 0usize);
        for s in sentences {
            for i in 0..=s.len() {
                let w = if i < s.len() { s[i] } else { eos };
                sum -= f64::from(self.ln_prob(&s[..i], w));
                n += 1;
            }
        }
        if n == 0 { 0.0 } else { sum / n as f64 }
    }
}

/// The LM's distribution after one history, cheap to apply to logits.
#[derive(Debug)]
pub struct Distribution<'a> {
    ln_scale: f32,
    ln_unigram: &'a [f32],
    /// `(id, ln P)` for the ids seen after the context, sorted by id.
    exact: Vec<(u32, f32)>,
}

impl Distribution<'_> {
    /// `ln P(w)`; `-inf` for an id outside the vocabulary.
    pub fn ln_prob(&self, w: u32) -> f32 {
        match self.exact.binary_search_by_key(&w, |&(id, _)| id) {
            Ok(i) => self.exact[i].1,
            Err(_) => self
                .ln_unigram
                .get(w as usize)
                .map_or(f32::NEG_INFINITY, |l| self.ln_scale + l),
        }
    }

    /// `logits[w] += weight · ln P(w)` for every scored id.
    pub fn add_to(&self, logits: &mut [f32], weight: f32) {
        let n = logits.len().min(self.ln_unigram.len());
        let base = weight * self.ln_scale;
        for (l, u) in logits[..n].iter_mut().zip(&self.ln_unigram[..n]) {
            *l += base + weight * u;
        }
        for &(w, lp) in &self.exact {
            if let Some(l) = logits.get_mut(w as usize) {
                *l += weight * (lp - self.ln_scale - self.ln_unigram[w as usize]);
            }
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], LmError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| LmError::Corrupt("fichier tronqué".into()))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }
    fn u16(&mut self) -> Result<u16, LmError> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    fn u32(&mut self) -> Result<u32, LmError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn prob(&mut self) -> Result<f32, LmError> {
        let p = f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"));
        if p.is_finite() && (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(LmError::Corrupt(format!("probabilité invalide {p}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: u32 = 50;
    const EOS: u32 = 49;

    fn corpus() -> Vec<Vec<u32>> {
        vec![
            vec![1, 2, 3, 4],
            vec![1, 2, 3, 5],
            vec![6, 2, 3, 4],
            vec![1, 7, 3, 4, 8],
            vec![9, 2, 3],
        ]
    }

    #[test]
    fn distributions_sum_to_one_at_every_history() {
        for order in 2..=4 {
            let lm = TokenLm::build(&corpus(), order, V, EOS).unwrap();
            for h in [&[][..], &[1], &[1, 2], &[2, 3], &[42, 43], &[1, 2, 3, 4]] {
                let d = lm.distribution(h);
                let sum: f64 = (0..V).map(|w| f64::from(d.ln_prob(w)).exp()).sum();
                assert!(
                    (sum - 1.0).abs() < 1e-4,
                    "order {order} history {h:?}: {sum}"
                );
            }
        }
    }

    #[test]
    fn context_sharpens_the_prediction() {
        let lm = TokenLm::build(&corpus(), 3, V, EOS).unwrap();
        // after "1 2" comes 3 in every sentence
        assert!(lm.ln_prob(&[1, 2], 3) > lm.ln_prob(&[], 3));
        assert!(lm.ln_prob(&[1, 2], 3) > (0.5f32).ln());
        // an unseen token keeps a small, finite probability
        let unseen = lm.ln_prob(&[1, 2], 30);
        assert!(unseen.is_finite() && unseen < -5.0, "{unseen}");
        // sentence start: 1 is the most frequent first token
        let first = lm.distribution(&[]);
        assert!(first.ln_prob(1) > first.ln_prob(6));
        assert!(lm.cross_entropy(&corpus(), EOS) < (V as f64).ln());
    }

    #[test]
    fn adding_to_logits_matches_ln_prob() {
        let lm = TokenLm::build(&corpus(), 3, V, EOS).unwrap();
        let d = lm.distribution(&[2, 3]);
        let mut logits = vec![0f32; V as usize + 3];
        logits[7] = f32::NEG_INFINITY;
        d.add_to(&mut logits, 0.5);
        for w in [0u32, 4, 5, 30, EOS] {
            assert!(
                (logits[w as usize] - 0.5 * d.ln_prob(w)).abs() < 1e-5,
                "{w}"
            );
        }
        assert_eq!(logits[7], f32::NEG_INFINITY);
        // ids past the vocabulary (special tokens) are left alone
        assert_eq!(logits[V as usize + 1], 0.0);
    }

    #[test]
    fn same_sentences_same_bytes_and_round_trip() {
        let a = TokenLm::build(&corpus(), 3, V, EOS).unwrap();
        let b = TokenLm::build(&corpus(), 3, V, EOS).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        let back = TokenLm::from_bytes(&a.to_bytes()).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn damaged_files_are_errors() {
        let bytes = TokenLm::build(&corpus(), 3, V, EOS).unwrap().to_bytes();
        assert!(TokenLm::from_bytes(b"").is_err());
        assert!(TokenLm::from_bytes(b"GGML not a model").is_err());
        for cut in [5, 20, bytes.len() / 2, bytes.len() - 1] {
            let e = TokenLm::from_bytes(&bytes[..cut]).unwrap_err();
            assert!(e.to_string().contains("corrompu"), "{e}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(TokenLm::from_bytes(&longer).is_err());
        let mut nan = bytes.clone();
        nan[24..28].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(TokenLm::from_bytes(&nan).is_err());
        let e = TokenLm::load(Path::new("/nonexistent/domain.lm")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/domain.lm"), "{e}");
    }

    #[test]
    fn bad_build_input_is_an_error() {
        assert!(TokenLm::build(&[], 3, V, EOS).is_err());
        assert!(TokenLm::build(&corpus(), 1, V, EOS).is_err());
        assert!(TokenLm::build(&[vec![V + 3]], 3, V, EOS).is_err());
    }
}
