//! Whisper's own tokenizer, as OpenAI's tiktoken runs it: the GPT-2 split
//! into words, then byte-pair merges where a token's rank is its id.
//! whisper.cpp's `whisper_tokenize` takes the longest known prefix instead
//! (and its regex splits accented words apart), which gives other ids than
//! the decoder writes (« récupération » as ` r é cup é ration` instead of
//! ` récup ération`): a language model over decoder tokens needs these.

use fancy_regex::Regex;
use std::collections::HashMap;

const SPLIT: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// Byte-pair encoder over a Whisper vocabulary.
pub struct Bpe {
    ranks: HashMap<Vec<u8>, u32>,
    split: Regex,
}

impl std::fmt::Debug for Bpe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bpe({} tokens)", self.ranks.len())
    }
}

impl Bpe {
    /// `tokens[id]` is the bytes of text token `id`.
    pub fn new(tokens: impl IntoIterator<Item = Vec<u8>>) -> Self {
        let mut ranks = HashMap::new();
        for (id, bytes) in tokens.into_iter().enumerate() {
            // the first id of a byte string wins, as in tiktoken
            ranks.entry(bytes).or_insert(id as u32);
        }
        Self {
            ranks,
            split: Regex::new(SPLIT).expect("valid pattern"),
        }
    }

    /// The ids of `text`. Bytes with no token of their own are skipped
    /// (a full vocabulary has all 256).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.encode_with(text, None)
    }

    /// One of the other spellings Whisper may write for `text`: each
    /// merge is skipped with chance `p` at each step (BPE-dropout), so a
    /// word comes out split into smaller tokens now and then.
    pub fn encode_dropout<R: rand::Rng>(&self, text: &str, rng: &mut R, p: f64) -> Vec<u32> {
        self.encode_with(text, Some(&mut |_| !rng.random_bool(p)))
    }

    /// `keep`: which merges may be made (`None`: all, and a piece that is
    /// a token is that token, as tiktoken does).
    fn encode_with(&self, text: &str, mut keep: Option<&mut dyn FnMut(u32) -> bool>) -> Vec<u32> {
        let mut out = Vec::new();
        for piece in self.split.find_iter(text).filter_map(Result::ok) {
            let bytes = piece.as_str().as_bytes();
            match (&mut keep, self.ranks.get(bytes)) {
                (None, Some(&id)) => out.push(id),
                (None, None) => self.encode_piece(bytes, &mut |_| true, &mut out),
                (Some(k), _) => self.encode_piece(bytes, *k, &mut out),
            }
        }
        out
    }

    /// Merges the adjacent pair of lowest rank until none is left (or
    /// every one left is refused by `keep`).
    fn encode_piece(&self, bytes: &[u8], keep: &mut dyn FnMut(u32) -> bool, out: &mut Vec<u32>) {
        let mut parts: Vec<Vec<u8>> = bytes.iter().map(|&b| vec![b]).collect();
        loop {
            let best = (0..parts.len().saturating_sub(1))
                .filter_map(|i| {
                    let mut joined = parts[i].clone();
                    joined.extend_from_slice(&parts[i + 1]);
                    self.ranks.get(&joined).map(|&r| (r, i))
                })
                .filter(|&(r, _)| keep(r))
                .min();
            let Some((_, i)) = best else { break };
            let next = parts.remove(i + 1);
            parts[i].extend(next);
        }
        out.extend(parts.iter().filter_map(|p| self.ranks.get(p)));
    }
}

#[cfg(test)]
impl Bpe {
    fn bytes_of(&self, id: u32) -> Vec<u8> {
        self.ranks
            .iter()
            .find(|(_, r)| **r == id)
            .map(|(b, _)| b.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Bpe {
        // bytes first, then merges in rank order
        let mut v: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        for m in [
            &b" r"[..],
            b"\xc3\xa9",
            b"cu",
            b"cup",
            b" r\xc3\xa9",
            b" r\xc3\xa9cup",
            b"os",
            b"ep",
            b" rep",
        ] {
            v.push(m.to_vec());
        }
        Bpe::new(v)
    }

    #[test]
    fn merges_follow_rank_order_and_keep_accented_words_whole() {
        let b = toy();
        let id = |s: &[u8]| b.ranks[s];
        // " récup": é is merged first, then " r", " ré", then "cup", " récup"
        assert_eq!(b.encode(" récup"), vec![id(b" r\xc3\xa9cup")]);
        assert_eq!(b.encode(" repos"), vec![id(b" rep"), id(b"os")]);
        // words split as GPT-2 does: the space goes with the word after it
        assert_eq!(b.encode("a b"), vec![id(b"a"), id(b" "), id(b"b")]);
        assert_eq!(
            b.encode("12 x"),
            vec![id(b"1"), id(b"2"), id(b" "), id(b"x")]
        );
    }

    #[test]
    fn dropout_spells_words_in_smaller_tokens_and_never_changes_the_text() {
        use rand::SeedableRng;
        let b = toy();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let ids = b.encode_dropout(" récup repos", &mut rng, 0.3);
            let text: Vec<u8> = ids.iter().flat_map(|&i| b.bytes_of(i)).collect();
            assert_eq!(text, " récup repos".as_bytes());
            seen.insert(ids);
        }
        assert!(seen.contains(&b.encode(" récup repos")));
        assert!(seen.len() > 3, "{}", seen.len());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        assert_eq!(
            b.encode_dropout(" récup", &mut rng, 0.0),
            b.encode(" récup")
        );
    }
}
