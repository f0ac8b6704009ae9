//! Making the domain language model: clean generated commands (as Whisper
//! writes them), split into Whisper's token ids, counted into an n-gram.

use rand::SeedableRng;
use rand::rngs::StdRng;
use speechtimer_corpus::generate::{Style, generate_styled};
use speechtimer_lm::LmError;
use speechtimer_lm::TokenLm;
use speechtimer_lm::bpe::Bpe;
use speechtimer_lm::grammar::Grammar;

/// How the LM is made; the defaults made the shipped `models/lm/domain.lm`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LmRecipe {
    /// Number of clean sentences generated.
    pub sentences: usize,
    /// Seed of the generator and of the BPE-dropout.
    pub seed: u64,
    /// The n of the n-gram: how many tokens, the predicted one included.
    pub order: usize,
    /// Other spellings counted per sentence (BPE-dropout).
    pub spellings: usize,
    /// Chance that a merge is skipped in those spellings.
    pub dropout: f64,
}

impl Default for LmRecipe {
    fn default() -> Self {
        Self {
            sentences: 30_000,
            seed: 1,
            order: 3,
            spellings: 3,
            dropout: 0.2,
        }
    }
}

/// Generates the recipe's sentences (with the leading space Whisper
/// writes), splits them with `bpe` and builds the model over ids below
/// `eot` (end-of-text, the last id the model predicts). `progress` gets
/// the count of sentences done so far.
///
/// Whisper does not always write the byte-pair encoding of its text: it
/// often spells a word in smaller pieces (` D` `ou` `ze` for ` Dou` `ze`,
/// ` s` `é` `ries` for ` sé` `ries`). A model that only knew the encoding
/// would punish those spellings and pull the decoder to other words
/// (` D` `'` `au`), so each sentence is also counted in
/// `recipe.spellings` other spellings drawn by BPE-dropout.
pub fn build_domain_lm(
    recipe: LmRecipe,
    eot: u32,
    bpe: &Bpe,
    mut progress: impl FnMut(usize),
) -> Result<TokenLm, LmError> {
    let examples = generate_styled(recipe.sentences, recipe.seed, Style::Clean, |_| {});
    let mut rng = StdRng::seed_from_u64(recipe.seed);
    let mut sentences = Vec::with_capacity(examples.len() * (1 + recipe.spellings));
    // special tokens never appear in a transcript's text
    let text_only = |ids: Vec<u32>| ids.into_iter().filter(|&t| t < eot).collect::<Vec<_>>();
    for (i, ex) in examples.iter().enumerate() {
        let text = format!(" {}", ex.text);
        sentences.push(text_only(bpe.encode(&text)));
        for _ in 0..recipe.spellings {
            sentences.push(text_only(bpe.encode_dropout(
                &text,
                &mut rng,
                recipe.dropout,
            )));
        }
        progress(i + 1);
    }
    TokenLm::build(&sentences, recipe.order, eot + 1, eot)
}

/// How the command grammar is made; the defaults made the shipped
/// `models/lm/commands.grammar`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrammarRecipe {
    /// Number of clean sentences generated.
    pub sentences: usize,
    /// Seed of the generator (another than the language model's).
    pub seed: u64,
}

impl Default for GrammarRecipe {
    fn default() -> Self {
        Self {
            sentences: 1_000_000,
            seed: 11,
        }
    }
}

/// The word grammar of the clean commands the generator writes (as
/// Whisper writes them), and how many sentences it had to skip.
pub fn build_grammar(recipe: GrammarRecipe, progress: impl FnMut(usize)) -> (Grammar, usize) {
    let examples = generate_styled(recipe.sentences, recipe.seed, Style::Clean, progress);
    Grammar::build(examples.iter().map(|e| e.text.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in vocabulary: the 256 bytes, then a few merges.
    fn toy() -> Bpe {
        let mut v: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        for m in [
            &b" s"[..],
            b"\xc3\xa9",
            b" s\xc3\xa9",
            b"ri",
            b"es",
            b"ries",
            b" 1",
            b" 12",
        ] {
            v.push(m.to_vec());
        }
        Bpe::new(v)
    }

    #[test]
    fn same_seed_same_model() {
        // since the generator says the whole workout, 300 sentences hold
        // too few « 12 séries » for the spelling test below
        let r = LmRecipe {
            sentences: 1000,
            seed: 4,
            ..LmRecipe::default()
        };
        let bpe = toy();
        let eot = 300;
        let a = build_domain_lm(r, eot, &bpe, |_| {}).unwrap();
        let b = build_domain_lm(r, eot, &bpe, |_| {}).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        let c = build_domain_lm(LmRecipe { seed: 5, ..r }, eot, &bpe, |_| {}).unwrap();
        assert_ne!(a.to_bytes(), c.to_bytes());
        // it learned the domain: after " 12" comes " s" (séries, secondes)
        let h = bpe.encode(" 12");
        let s = bpe.encode(" s")[0];
        let z = bpe.encode("z")[0];
        assert!(a.ln_prob(&h, s) > a.ln_prob(&h, z) + 2.0);
        // and the split spelling " s" "é" is far likelier than without
        // BPE-dropout, where only the canonical " sé" is seen
        let mut hs = h.clone();
        hs.push(s);
        let e = bpe.encode("é")[0];
        let canonical_only = LmRecipe { spellings: 0, ..r };
        let plain = build_domain_lm(canonical_only, eot, &bpe, |_| {}).unwrap();
        assert!(
            a.ln_prob(&hs, e) > plain.ln_prob(&hs, e) + 10f32.ln(),
            "{} vs {}",
            a.ln_prob(&hs, e),
            plain.ln_prob(&hs, e)
        );
    }

    #[test]
    fn the_shipped_grammar_accepts_fresh_generated_commands() {
        use speechtimer_lm::automaton::Automaton;
        let shipped = Grammar::embedded().unwrap();
        // counted over other sentences than these
        let fresh = generate_styled(3000, 20_261_207, Style::Clean, |_| {});
        let strict: Vec<&str> = fresh
            .iter()
            .map(|e| e.text.as_str())
            .filter(|t| !shipped.accepts(t))
            .collect();
        assert!(
            strict.len() <= fresh.len() / 100,
            "{} of {} outside the word grammar, e.g. {:?}",
            strict.len(),
            fresh.len(),
            &strict[..strict.len().min(5)]
        );
        // over byte tokens, with the free words the decoder may write,
        // the automaton takes every one
        let bytes: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        let automaton = Automaton::new(shipped, &bytes);
        for e in &fresh {
            let ids: Vec<u32> = format!(" {}", e.text).bytes().map(u32::from).collect();
            let c = automaton.check(&ids);
            assert!(c.accepted, "{}: {c:?}", e.text);
        }
        // and the recipe builds it from the generator
        let small = build_grammar(
            GrammarRecipe {
                sentences: 2000,
                seed: 3,
            },
            |_| {},
        )
        .0;
        for t in generate_styled(200, 3, Style::Clean, |_| {}).iter() {
            assert!(small.accepts(&t.text), "{}", t.text);
        }
        assert!(!small.accepts("Douze séries en trichac séries."));
    }
}
