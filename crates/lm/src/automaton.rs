//! The command grammar (`grammar.rs`) over Whisper's tokens: which text
//! tokens may come next after the tokens written so far, for the logits
//! filter that holds the decoder to the language.
//!
//! The machine reads bytes (a token may hold half a character). Its states
//! are sets of elements: between lexemes, inside a lexeme of the grammar
//! (a node of the spellings' trie), inside a number written in digits, or
//! inside a free word (any letters: exercise names, « s'il te plaît »),
//! which costs a penalty and may not run more than [`MAX_FREE`] words in
//! a row. The grammar's tokens of a state are found by walking the tokens'
//! own trie beside the machine, once per state (then kept); the tokens a
//! free word may take depend on no word and are computed once.

use super::grammar::{BOS, EOS, Grammar, MAX_DIGITS, NUM};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Free words allowed in a row.
pub const MAX_FREE: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum After {
    Space,
    Punct,
    Letter,
    Digit,
    Joiner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Elem {
    /// Between lexemes; `prev` is the class of the last one.
    Boundary { prev: u16, after: After, frees: u8 },
    /// Inside a lexeme of the grammar, at a node of the spellings' trie.
    Word { prev: u16, node: u32 },
    /// Inside a run of `n` digits.
    Digits { prev: u16, n: u8 },
    /// Inside the `frees`-th free word in a row.
    Free { prev: u16, frees: u8 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Byte {
    Space,
    Punct,
    Letter,
    Digit,
    Joiner,
    Other,
}

fn kind(b: u8) -> Byte {
    match b {
        b' ' => Byte::Space,
        b',' | b'.' | b'!' | b'?' | b';' | b':' => Byte::Punct,
        b'\'' | b'-' => Byte::Joiner,
        b'0'..=b'9' => Byte::Digit,
        b if b.is_ascii_alphabetic() || b >= 0x80 => Byte::Letter,
        _ => Byte::Other,
    }
}

/// A byte trie.
#[derive(Debug, Default)]
struct Trie {
    /// Sorted `(byte, child)` per node.
    children: Vec<Vec<(u8, u32)>>,
    /// What ends at each node: a lexeme's class, or the tokens spelled so.
    ends: Vec<Vec<u32>>,
}

impl Trie {
    fn new() -> Self {
        Self {
            children: vec![Vec::new()],
            ends: vec![Vec::new()],
        }
    }

    fn insert(&mut self, bytes: &[u8], value: u32) {
        let mut node = 0usize;
        for &b in bytes {
            node = match self.children[node].binary_search_by_key(&b, |c| c.0) {
                Ok(i) => self.children[node][i].1 as usize,
                Err(i) => {
                    let new = self.children.len();
                    self.children.push(Vec::new());
                    self.ends.push(Vec::new());
                    self.children[node].insert(i, (b, new as u32));
                    new
                }
            };
        }
        if !self.ends[node].contains(&value) {
            self.ends[node].push(value);
        }
    }

    fn child(&self, node: u32, b: u8) -> Option<u32> {
        let c = &self.children[node as usize];
        c.binary_search_by_key(&b, |c| c.0).ok().map(|i| c[i].1)
    }
}

/// What may come after one state.
#[derive(Debug, Default)]
struct Allowed {
    /// Text tokens the grammar allows, sorted.
    grammar: Vec<u32>,
    /// End-of-text is allowed.
    eot: bool,
    /// Which free-word token sets apply (bits: after a space, at once,
    /// inside one).
    free: u8,
}

#[derive(Debug, Default)]
struct Cache {
    sets: Vec<Vec<Elem>>,
    ids: HashMap<Vec<Elem>, u32>,
    trans: HashMap<(u32, u32), u32>,
    allowed: HashMap<u32, Arc<Allowed>>,
}

/// The empty set: the tokens so far left the language.
const DEAD: u32 = 0;
/// The state before the first token.
const START: u32 = 1;

/// What the filter does to one row of logits, and what it cost the audio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// `ln Σ exp(logit)` over every text token and end-of-text, before.
    pub lse_all: f32,
    /// The same over what the grammar allows (free words left out).
    pub lse_kept: f32,
}

impl Step {
    /// `-ln P(the grammar's next token)` under the unconstrained decoder.
    pub fn cost(&self) -> f32 {
        (self.lse_all - self.lse_kept).max(0.0)
    }
}

/// The grammar compiled over a token vocabulary.
#[derive(Debug)]
pub struct Automaton {
    grammar: Grammar,
    lexicon: Trie,
    /// Per node of `lexicon`: the sorted classes of the lexemes below it.
    below: Vec<Vec<u16>>,
    /// Nodes whose lexeme ends with a joiner.
    joined: Vec<bool>,
    tokens: Trie,
    /// The bytes of each text token.
    token_text: Vec<Vec<u8>>,
    n_text: usize,
    /// Free-word token sets for each combination of `Allowed::free`.
    free_sets: Vec<Vec<bool>>,
    bos: u16,
    eos: u16,
    num: u16,
    num_joined: [Option<u16>; 2],
    cache: Mutex<Cache>,
}

impl Automaton {
    /// Compiles `grammar` over `tokens` (the bytes of each text token, id
    /// = index; end-of-text is the id after the last).
    pub fn new(grammar: Grammar, tokens: &[Vec<u8>]) -> Self {
        let mut lexicon = Trie::new();
        for (w, c) in grammar.spellings() {
            lexicon.insert(w.as_bytes(), u32::from(c));
        }
        let n = lexicon.children.len();
        let mut below = vec![Vec::new(); n];
        let mut joined = vec![false; n];
        // every node on a spelling's path holds its class
        for (w, c) in grammar.spellings() {
            let mut node = 0u32;
            below[0].push(c);
            for &b in w.as_bytes() {
                node = lexicon.child(node, b).expect("just inserted");
                below[node as usize].push(c);
            }
            // a joiner ends its lexeme, and a sign is one by itself
            let sign = w.chars().count() == 1 && w.chars().all(super::grammar::is_sign);
            joined[node as usize] = sign || w.ends_with(['\'', '’', '-']);
        }
        for b in &mut below {
            b.sort_unstable();
            b.dedup();
        }
        let mut token_trie = Trie::new();
        for (id, bytes) in tokens.iter().enumerate() {
            if !bytes.is_empty() {
                token_trie.insert(bytes, id as u32);
            }
        }
        let free_kinds: [Vec<bool>; 3] = [
            tokens.iter().map(|t| free_shape(t, true)).collect(),
            tokens.iter().map(|t| free_shape(t, false)).collect(),
            tokens.iter().map(|t| free_inside(t)).collect(),
        ];
        let free_sets = (0..8u8)
            .map(|bits| {
                (0..tokens.len())
                    .map(|t| (0..3).any(|k| bits & (1 << k) != 0 && free_kinds[k][t]))
                    .collect()
            })
            .collect();
        let class = |n: &str| grammar.class(n);
        let (bos, eos, num) = (
            class(BOS).unwrap_or(0),
            class(EOS).unwrap_or(1),
            class(NUM).unwrap_or(2),
        );
        let num_joined = [class(&format!("{NUM}'")), class(&format!("{NUM}-"))];
        let a = Self {
            lexicon,
            below,
            joined,
            tokens: token_trie,
            token_text: tokens.to_vec(),
            n_text: tokens.len(),
            free_sets,
            bos,
            eos,
            num,
            num_joined,
            grammar,
            cache: Mutex::new(Cache::default()),
        };
        {
            let mut c = a.cache.lock().unwrap_or_else(|e| e.into_inner());
            a.intern(&mut c, Vec::new());
            let start = vec![Elem::Boundary {
                prev: a.bos,
                after: After::Punct,
                frees: 0,
            }];
            a.intern(&mut c, start);
        }
        a
    }

    /// The word grammar it was compiled from.
    pub fn grammar(&self) -> &Grammar {
        &self.grammar
    }

    fn intern(&self, c: &mut Cache, mut set: Vec<Elem>) -> u32 {
        set.sort_unstable();
        set.dedup();
        if let Some(&id) = c.ids.get(&set) {
            return id;
        }
        let id = c.sets.len() as u32;
        c.sets.push(set.clone());
        c.ids.insert(set, id);
        id
    }

    /// Some lexeme below `node` may follow `prev`.
    fn alive(&self, prev: u16, node: u32) -> bool {
        let (mut a, mut b) = (
            self.below[node as usize].iter().peekable(),
            self.grammar.successors(prev).iter().peekable(),
        );
        while let (Some(&&x), Some(&&y)) = (a.peek(), b.peek()) {
            match x.cmp(&y) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Less => {
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                }
            }
        }
        false
    }

    fn lexeme_class(&self, node: u32) -> Option<u16> {
        self.lexicon.ends[node as usize].first().map(|&c| c as u16)
    }

    fn step(&self, e: Elem, b: u8, free: bool, out: &mut Vec<Elem>) {
        let g = &self.grammar;
        match e {
            Elem::Boundary { prev, after, frees } => match kind(b) {
                Byte::Space if after != After::Space => out.push(Elem::Boundary {
                    prev,
                    after: After::Space,
                    frees,
                }),
                Byte::Punct => out.push(Elem::Boundary {
                    prev,
                    after: After::Punct,
                    frees,
                }),
                Byte::Digit if after != After::Digit && g.follows(prev, self.num) => {
                    out.push(Elem::Digits { prev, n: 1 })
                }
                Byte::Other | Byte::Joiner => {
                    if let Some(node) = self.lexicon.child(0, b)
                        && self.alive(prev, node)
                    {
                        out.push(Elem::Word { prev, node });
                    }
                }
                Byte::Letter if after != After::Letter => {
                    if let Some(node) = self.lexicon.child(0, b)
                        && self.alive(prev, node)
                    {
                        out.push(Elem::Word { prev, node });
                    }
                    if free && frees < MAX_FREE && matches!(after, After::Space | After::Punct) {
                        out.push(Elem::Free {
                            prev,
                            frees: frees + 1,
                        });
                    }
                }
                _ => {}
            },
            Elem::Word { prev, node } => {
                if let Some(next) = self.lexicon.child(node, b)
                    && self.alive(prev, next)
                {
                    out.push(Elem::Word { prev, node: next });
                }
                if let Some(c) = self.lexeme_class(node)
                    && g.follows(prev, c)
                {
                    // a joiner ends its lexeme at once; a letter would go on
                    let after = if self.joined[node as usize] {
                        Some(After::Joiner)
                    } else {
                        (kind(b) != Byte::Letter).then_some(After::Letter)
                    };
                    if let Some(after) = after {
                        let ended = Elem::Boundary {
                            prev: c,
                            after,
                            frees: 0,
                        };
                        self.step(ended, b, free, out);
                    }
                }
            }
            Elem::Digits { prev, n } => match kind(b) {
                Byte::Digit if (n as usize) < MAX_DIGITS => {
                    out.push(Elem::Digits { prev, n: n + 1 })
                }
                Byte::Joiner => {
                    let c = self.num_joined[usize::from(b == b'-')];
                    if let Some(c) = c.filter(|&c| g.follows(prev, c)) {
                        out.push(Elem::Boundary {
                            prev: c,
                            after: After::Joiner,
                            frees: 0,
                        });
                    }
                }
                Byte::Digit => {}
                _ => {
                    if g.follows(prev, self.num) {
                        let (prev, after) = (self.num, After::Digit);
                        self.step(
                            Elem::Boundary {
                                prev,
                                after,
                                frees: 0,
                            },
                            b,
                            free,
                            out,
                        );
                    }
                }
            },
            Elem::Free { prev, frees } => match kind(b) {
                Byte::Letter | Byte::Joiner if free => out.push(Elem::Free { prev, frees }),
                Byte::Space | Byte::Punct => {
                    let after = After::Letter;
                    self.step(Elem::Boundary { prev, after, frees }, b, free, out);
                }
                _ => {}
            },
        }
    }

    fn step_all(&self, set: &[Elem], b: u8, free: bool) -> Vec<Elem> {
        let mut out = Vec::new();
        for &e in set {
            self.step(e, b, free, &mut out);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn ends(&self, e: Elem) -> bool {
        let g = &self.grammar;
        match e {
            Elem::Boundary { prev, .. } | Elem::Free { prev, .. } => g.follows(prev, self.eos),
            Elem::Word { prev, node } => {
                !self.joined[node as usize]
                    && self
                        .lexeme_class(node)
                        .is_some_and(|c| g.follows(prev, c) && g.follows(c, self.eos))
            }
            Elem::Digits { prev, .. } => g.follows(prev, self.num) && g.follows(self.num, self.eos),
        }
    }

    /// The state after `history` (text tokens; others are skipped).
    fn state_of(&self, c: &mut Cache, history: &[u32]) -> u32 {
        let mut s = START;
        for &t in history {
            if s == DEAD {
                return DEAD;
            }
            s = self.next_state(c, s, t);
        }
        s
    }

    fn next_state(&self, c: &mut Cache, s: u32, t: u32) -> u32 {
        if (t as usize) >= self.n_text {
            return s;
        }
        if let Some(&n) = c.trans.get(&(s, t)) {
            return n;
        }
        let mut set = c.sets[s as usize].clone();
        for &b in self.token_bytes(t) {
            set = self.step_all(&set, b, true);
            if set.is_empty() {
                break;
            }
        }
        let n = self.intern(c, set);
        c.trans.insert((s, t), n);
        n
    }

    fn token_bytes(&self, t: u32) -> &[u8] {
        &self.token_text[t as usize]
    }

    /// The grammar's tokens after `set`: the tokens' trie walked beside
    /// the machine (free words left out).
    fn walk(&self, node: u32, set: &[Elem], out: &mut Vec<u32>) {
        for &(b, child) in &self.tokens.children[node as usize] {
            let next = self.step_all(set, b, false);
            if next.is_empty() {
                continue;
            }
            out.extend_from_slice(&self.tokens.ends[child as usize]);
            self.walk(child, &next, out);
        }
    }

    fn allowed(&self, c: &mut Cache, s: u32) -> Arc<Allowed> {
        if let Some(a) = c.allowed.get(&s) {
            return a.clone();
        }
        let set = c.sets[s as usize].clone();
        let mut grammar = Vec::new();
        if !set.is_empty() {
            self.walk(0, &set, &mut grammar);
        }
        grammar.sort_unstable();
        grammar.dedup();
        let starts_free = |set: &[Elem]| set.iter().any(|e| matches!(e, Elem::Free { .. }));
        let mut free = 0u8;
        for &e in &set {
            if matches!(e, Elem::Free { .. }) {
                free |= 4;
                // a free word ends with a space: the next may start after it
            }
            let spaced = self.step_all(&[e], b' ', true);
            if starts_free(&self.step_all(&spaced, b'a', true)) {
                free |= 1;
            }
            if !matches!(e, Elem::Free { .. }) && starts_free(&self.step_all(&[e], b'a', true)) {
                free |= 2;
            }
        }
        let a = Arc::new(Allowed {
            grammar,
            eot: set.iter().any(|&e| self.ends(e)),
            free,
        });
        c.allowed.insert(s, a.clone());
        a
    }

    /// Holds one row of logits to the grammar, given the text tokens the
    /// beam wrote so far: a token that leaves the language gets `-inf`, a
    /// free word's token loses `penalty`, end-of-text is kept only where a
    /// command may end. `logits` holds the text tokens, then end-of-text
    /// (later ids are left alone). `None`, and the row untouched, when the
    /// tokens so far already left the language.
    pub fn apply(&self, history: &[u32], logits: &mut [f32], penalty: f32) -> Option<Step> {
        self.filter(history, logits, Some(penalty))
    }

    /// What [`Automaton::apply`] would cost the audio, the row left as it
    /// is (the grammar watched, not enforced).
    pub fn observe(&self, history: &[u32], logits: &mut [f32]) -> Option<Step> {
        self.filter(history, logits, None)
    }

    fn filter(&self, history: &[u32], logits: &mut [f32], penalty: Option<f32>) -> Option<Step> {
        let eot = self.n_text;
        if logits.len() <= eot {
            return None;
        }
        let allowed = {
            let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            let s = self.state_of(&mut c, history);
            if s == DEAD {
                return None;
            }
            self.allowed(&mut c, s)
        };
        let lse_all = log_sum_exp(logits[..=eot].iter().copied());
        let kept: Vec<f32> = allowed
            .grammar
            .iter()
            .map(|&t| logits[t as usize])
            .collect();
        let eot_logit = logits[eot];
        let lse_kept = log_sum_exp(kept.iter().copied().chain(allowed.eot.then_some(eot_logit)));
        let Some(penalty) = penalty else {
            return Some(Step { lse_all, lse_kept });
        };
        let free = &self.free_sets[usize::from(allowed.free)];
        for (l, &f) in logits[..eot].iter_mut().zip(free) {
            if f {
                *l -= penalty;
            } else {
                *l = f32::NEG_INFINITY;
            }
        }
        for (&t, &l) in allowed.grammar.iter().zip(&kept) {
            logits[t as usize] = l;
        }
        let stuck = allowed.grammar.is_empty() && allowed.free == 0;
        if !allowed.eot && !stuck {
            logits[eot] = f32::NEG_INFINITY;
        }
        Some(Step { lse_all, lse_kept })
    }

    /// How `ids` (text tokens) read in the language: whether they are a
    /// whole command, and how many of them were free words' tokens.
    pub fn check(&self, ids: &[u32]) -> Check {
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let mut s = START;
        let mut free_tokens = 0;
        for (i, &t) in ids.iter().enumerate() {
            if (t as usize) >= self.n_text {
                continue;
            }
            let a = self.allowed(&mut c, s);
            let grammar = a.grammar.binary_search(&t).is_ok();
            if !grammar && !self.free_sets[usize::from(a.free)][t as usize] {
                return Check {
                    accepted: false,
                    strict: false,
                    free_tokens,
                    left_at: Some(i),
                };
            }
            free_tokens += usize::from(!grammar);
            s = self.next_state(&mut c, s, t);
        }
        let ends = self.allowed(&mut c, s).eot;
        let strict = c.sets[s as usize].iter().any(|&e| {
            self.ends(e) && !matches!(e, Elem::Free { .. } | Elem::Boundary { frees: 1.., .. })
        });
        Check {
            accepted: ends,
            strict: strict && free_tokens == 0,
            free_tokens,
            left_at: (!ends).then_some(ids.len()),
        }
    }

    /// Whether `token` is the grammar's (not only a free word's) after
    /// `history`.
    pub fn in_grammar(&self, history: &[u32], token: u32) -> bool {
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let s = self.state_of(&mut c, history);
        s != DEAD
            && self
                .allowed(&mut c, s)
                .grammar
                .binary_search(&token)
                .is_ok()
    }

    /// States made so far (each one's tokens are kept).
    pub fn states(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .sets
            .len()
    }
}

/// How a token sequence reads in the language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The tokens make a whole command (free words allowed).
    pub accepted: bool,
    /// They do without any free word.
    pub strict: bool,
    /// Tokens taken as a free word's.
    pub free_tokens: usize,
    /// Where the sequence left the language (its length: it stopped
    /// where no command may end).
    pub left_at: Option<usize>,
}

fn log_sum_exp(xs: impl Iterator<Item = f32> + Clone) -> f32 {
    let max = xs.clone().fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY {
        return max;
    }
    max + xs.map(|x| (x - max).exp()).sum::<f32>().ln()
}

/// A free word's token: letters, apostrophes and hyphens (a letter
/// first), then maybe punctuation; `space`: with one leading space.
fn free_shape(t: &[u8], space: bool) -> bool {
    let rest = if space {
        match t.split_first() {
            Some((b' ', r)) => r,
            _ => return false,
        }
    } else {
        t
    };
    rest.first().is_some_and(|&b| kind(b) == Byte::Letter) && free_inside(rest)
}

/// Letters, apostrophes and hyphens, then maybe punctuation.
fn free_inside(t: &[u8]) -> bool {
    let word = t
        .iter()
        .take_while(|&&b| matches!(kind(b), Byte::Letter | Byte::Joiner))
        .count();
    word > 0 && t[word..].iter().all(|&b| kind(b) == Byte::Punct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpe::Bpe;
    use rand::{Rng, SeedableRng};

    /// The 256 bytes, then a few merges, as Whisper's vocabulary has.
    fn vocab() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        for m in [
            " 12", " s", " séries", " de", " 2", " minutes", " repos", ",", " trichac",
        ] {
            v.push(m.as_bytes().to_vec());
        }
        v
    }

    fn automaton() -> (Automaton, Bpe) {
        let (g, _) = Grammar::build([
            "12 séries de 2 minutes, 30 secondes de repos.",
            "Lance un tabata.",
            "8 tours de 45 secondes.",
        ]);
        let v = vocab();
        (Automaton::new(g, &v), Bpe::new(v.iter().cloned()))
    }

    fn ids(bpe: &Bpe, text: &str) -> Vec<u32> {
        bpe.encode(text)
    }

    #[test]
    fn commands_are_accepted_token_by_token() {
        let (a, bpe) = automaton();
        for text in [
            " Douze séries de deux minutes, trente secondes de repos.",
            " 12 séries de 2 minutes, 30 secondes de repos.",
            " Lance un tabata.",
            " 8 tours de 45 secondes.",
            " Huit tours de 4 secondes",
        ] {
            let c = a.check(&ids(&bpe, text));
            assert!(c.strict, "{text}: {c:?}");
        }
        let c = a.check(&ids(&bpe, " 12 séries de 2 minutes, 30 secondes de"));
        // a command does not end on « de », unless « de » is a free word
        assert!(c.accepted && !c.strict, "{c:?}");
        let c = a.check(&ids(&bpe, " 12 séries de 2 minutes, 30 tours de"));
        assert!(!c.accepted, "{c:?}");
        // a free word is taken, and counted
        let c = a.check(&ids(&bpe, " 12 séries de burpees de 2 minutes."));
        assert!(!c.accepted || c.free_tokens > 0, "{c:?}");
        let c = a.check(&ids(&bpe, " 8 tours trichac de 45 secondes."));
        assert!(c.free_tokens > 0, "{c:?}");
    }

    #[test]
    fn random_token_strings_are_refused() {
        let (a, _) = automaton();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let n = vocab().len() as u32;
        let mut accepted = 0;
        for _ in 0..2000 {
            let len = rng.random_range(3..12);
            let seq: Vec<u32> = (0..len).map(|_| rng.random_range(0..n)).collect();
            accepted += usize::from(a.check(&seq).accepted);
        }
        assert!(accepted <= 2, "{accepted} of 2000 random strings accepted");
    }

    #[test]
    fn the_filter_masks_what_leaves_the_language() {
        let (a, bpe) = automaton();
        let eot = vocab().len();
        let mut logits = vec![0.0f32; eot + 3];
        let history = ids(&bpe, " 12");
        let step = a.apply(&history, &mut logits, 3.0).unwrap();
        let s = ids(&bpe, " séries")[0] as usize;
        assert_eq!(logits[s], 0.0, "the grammar's next word is untouched");
        assert_eq!(logits[b'7' as usize], 0.0, "« 127 » is a number still");
        assert_eq!(
            logits[b'z' as usize],
            f32::NEG_INFINITY,
            "no space: no new word"
        );
        assert_eq!(logits[eot], f32::NEG_INFINITY, "no end after a bare number");
        let t = ids(&bpe, " trichac")[0] as usize;
        assert_eq!(logits[t], -3.0, "a free word pays the penalty");
        assert_eq!(logits[eot + 1], 0.0, "ids past end-of-text are left alone");
        assert!(step.cost() > 0.0);
        // at the end of a command, end-of-text is allowed
        let mut logits = vec![0.0f32; eot + 1];
        a.apply(&ids(&bpe, " Lance un tabata."), &mut logits, 3.0)
            .unwrap();
        assert_eq!(logits[eot], 0.0);
        assert!(a.in_grammar(&ids(&bpe, " 12"), s as u32));
        assert!(a.states() > 2);
    }
}
