//! The tagging network: token features (word embedding + character CNN),
//! an encoder (BiLSTM or a small BERT encoder), a linear layer to tag
//! scores, and the CRF on top. Built from a `VarBuilder`, so the same code
//! trains (VarMap) and loads (safetensors).

use super::crf::Crf;
use super::encoder::{Block, Norm};
use super::tags;
use super::tokenize::{PAD_ID, Token};
use candle_core::{D, DType, Device, Module, Result, Tensor};
use candle_nn::rnn::{LSTM, LSTMConfig, RNN};
use candle_nn::{Conv1d, Embedding, Linear, VarBuilder};
use rand::Rng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

/// Which encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// Character CNN + word embeddings + BiLSTM + CRF.
    LstmCrf,
    /// Character CNN + word embeddings + a small Transformer encoder + CRF.
    Transformer,
}

impl Arch {
    /// Both encoders, in the order the command line lists them.
    pub const ALL: [Arch; 2] = [Arch::LstmCrf, Arch::Transformer];

    /// The name on the command line and in `config.json`: `lstm-crf` or `transformer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::LstmCrf => "lstm-crf",
            Arch::Transformer => "transformer",
        }
    }
}

impl std::str::FromStr for Arch {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Arch::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("architecture inconnue « {s} » (lstm-crf ou transformer)"))
    }
}

/// `config.json` of a saved model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NerConfig {
    /// Which encoder.
    pub arch: Arch,
    /// Words in the word vocabulary, `[PAD]` and `[UNK]` included.
    pub vocab_size: usize,
    /// The character vocabulary, in id order (ids start at 2).
    pub chars: String,
    /// Width of the word embedding.
    pub word_dim: usize,
    /// Width of the character embedding.
    pub char_dim: usize,
    /// Filters of the character CNN: the width of its feature per token.
    pub char_filters: usize,
    /// LSTM: hidden size per direction; transformer: model width.
    pub hidden: usize,
    /// Transformer layers and heads (unused by the LSTM).
    pub layers: usize,
    /// Attention heads of each transformer layer (unused by the LSTM).
    pub heads: usize,
    /// Most tokens the transformer's position embedding covers (unused by the LSTM).
    pub max_len: usize,
    /// Dropout probability while training.
    pub dropout: f32,
    /// Tag names in id order; a saved model must match this build's tags.
    pub tags: Vec<String>,
}

impl NerConfig {
    /// This build's tag names in id order (`O`, `B-nb_rounds`,
    /// `I-nb_rounds`...): what `tags` must be.
    pub fn tag_names() -> Vec<String> {
        (0..tags::NUM_TAGS).map(tags::name).collect()
    }
}

/// A batch of token sequences as tensors (left-aligned, padded).
pub struct Batch {
    /// `[B, T]` u32 word ids.
    pub words: Tensor,
    /// `[B, T, C]` u32 character ids of each token, `C` the longest token's.
    pub chars: Tensor,
    /// `[B, T]` f32: 1 on real tokens, 0 on padding.
    pub mask: Tensor,
    /// `[B, T]` u32: position of each token when its sequence is reversed.
    pub reverse: Tensor,
    /// Tokens in each sequence.
    pub lengths: Vec<usize>,
}

impl Batch {
    /// Pads `seqs` to the longest sequence and the longest token of the batch.
    pub fn new(seqs: &[&[Token]], device: &Device) -> Result<Self> {
        let b = seqs.len();
        let t_max = seqs.iter().map(|s| s.len()).max().unwrap_or(0).max(1);
        let c_max = seqs
            .iter()
            .flat_map(|s| s.iter().map(|t| t.chars.len()))
            .max()
            .unwrap_or(0)
            .max(1);
        let mut words = vec![PAD_ID; b * t_max];
        let mut chars = vec![PAD_ID; b * t_max * c_max];
        let mut mask = vec![0f32; b * t_max];
        let mut reverse = vec![0u32; b * t_max];
        for (i, seq) in seqs.iter().enumerate() {
            let len = seq.len();
            for t in 0..t_max {
                reverse[i * t_max + t] = if t < len {
                    (len - 1 - t) as u32
                } else {
                    t as u32
                };
            }
            for (t, tok) in seq.iter().enumerate() {
                words[i * t_max + t] = tok.id;
                mask[i * t_max + t] = 1.0;
                for (c, &ch) in tok.chars.iter().enumerate() {
                    chars[(i * t_max + t) * c_max + c] = ch;
                }
            }
        }
        Ok(Self {
            words: Tensor::from_vec(words, (b, t_max), device)?,
            chars: Tensor::from_vec(chars, (b, t_max, c_max), device)?,
            mask: Tensor::from_vec(mask, (b, t_max), device)?,
            reverse: Tensor::from_vec(reverse, (b, t_max), device)?,
            lengths: seqs.iter().map(|s| s.len()).collect(),
        })
    }
}

enum Encoder {
    Lstm {
        fwd: Box<LSTM>,
        bwd: Box<LSTM>,
    },
    Transformer {
        /// Width-3 convolution from token features to the model width: each
        /// token starts with its neighbours in view (unit words follow numbers).
        proj: Conv1d,
        pos: Embedding,
        blocks: Vec<Block>,
        norm: Norm,
    },
}

/// The tagging network, with the CRF on top.
pub struct NerNet {
    /// The configuration it was built from.
    pub config: NerConfig,
    words: Embedding,
    chars: Embedding,
    conv: Conv1d,
    encoder: Encoder,
    head: Linear,
    /// The CRF over the tag scores.
    pub crf: Crf,
}

/// Inverted dropout with a seeded mask.
fn dropout(xs: &Tensor, p: f32, rng: &mut StdRng) -> Result<Tensor> {
    if p <= 0.0 {
        return Ok(xs.clone());
    }
    let keep = 1.0 - p;
    let mask: Vec<f32> = (0..xs.elem_count())
        .map(|_| {
            if rng.random::<f32>() < keep {
                1.0 / keep
            } else {
                0.0
            }
        })
        .collect();
    xs.mul(&Tensor::from_vec(mask, xs.shape(), xs.device())?)
}

/// Reorders each sequence of `xs` `[B, T, F]` by `index` `[B, T]`.
fn gather_time(xs: &Tensor, index: &Tensor) -> Result<Tensor> {
    let (b, t, f) = xs.dims3()?;
    let idx = index.unsqueeze(2)?.broadcast_as((b, t, f))?.contiguous()?;
    xs.contiguous()?.gather(&idx, 1)
}

impl NerNet {
    /// Builds the network from `vb`; errors when `config.tags` are not this
    /// build's tags or a weight is missing or misshaped.
    pub fn new(vb: VarBuilder, config: &NerConfig) -> Result<Self> {
        if config.tags != NerConfig::tag_names() {
            candle_core::bail!("the model's tags do not match this program's labels");
        }
        let n_chars = crate::tokenize::char_vocab_size(&config.chars);
        let words = candle_nn::embedding(config.vocab_size, config.word_dim, vb.pp("words"))?;
        let chars = candle_nn::embedding(n_chars, config.char_dim, vb.pp("chars"))?;
        let conv = candle_nn::conv1d(
            config.char_dim,
            config.char_filters,
            3,
            candle_nn::Conv1dConfig {
                padding: 1,
                ..Default::default()
            },
            vb.pp("char_conv"),
        )?;
        let features = config.word_dim + config.char_filters;
        let (encoder, out_dim) = match config.arch {
            Arch::LstmCrf => {
                let fwd = candle_nn::lstm(
                    features,
                    config.hidden,
                    LSTMConfig::default(),
                    vb.pp("lstm_fwd"),
                )?;
                let bwd = candle_nn::lstm(
                    features,
                    config.hidden,
                    LSTMConfig::default(),
                    vb.pp("lstm_bwd"),
                )?;
                (
                    Encoder::Lstm {
                        fwd: Box::new(fwd),
                        bwd: Box::new(bwd),
                    },
                    2 * config.hidden,
                )
            }
            Arch::Transformer => {
                let proj = candle_nn::conv1d(
                    features,
                    config.hidden,
                    3,
                    candle_nn::Conv1dConfig {
                        padding: 1,
                        ..Default::default()
                    },
                    vb.pp("proj"),
                )?;
                let pos = candle_nn::embedding(config.max_len, config.hidden, vb.pp("pos"))?;
                let blocks = (0..config.layers)
                    .map(|i| Block::new(config.hidden, config.heads, vb.pp(format!("block{i}"))))
                    .collect::<Result<Vec<_>>>()?;
                let norm = Norm::new(config.hidden, vb.pp("norm"))?;
                (
                    Encoder::Transformer {
                        proj,
                        pos,
                        blocks,
                        norm,
                    },
                    config.hidden,
                )
            }
        };
        let head = candle_nn::linear(out_dim, tags::NUM_TAGS, vb.pp("head"))?;
        let crf = Crf::new(
            vb.pp("crf"),
            tags::NUM_TAGS,
            tags::allowed,
            tags::allowed_start,
        )?;
        Ok(Self {
            config: config.clone(),
            words,
            chars,
            conv,
            encoder,
            head,
            crf,
        })
    }

    /// Tag scores `[B, T, K]`; with a random generator (training), dropout
    /// is applied, seeded so that a training run can be repeated.
    pub fn emissions(&self, batch: &Batch, mut train: Option<&mut StdRng>) -> Result<Tensor> {
        let (b, t) = batch.words.dims2()?;
        let c = batch.chars.dim(2)?;
        let w = self.words.forward(&batch.words)?;
        let ch = self
            .chars
            .forward(&batch.chars.reshape((b * t, c))?)? // [BT, C, E]
            .transpose(1, 2)?
            .contiguous()?;
        let ch = self
            .conv
            .forward(&ch)?
            .relu()?
            .max(D::Minus1)?
            .reshape((b, t, ()))?;
        let mut x = Tensor::cat(&[w, ch], D::Minus1)?;
        if let Some(rng) = train.as_deref_mut() {
            x = dropout(&x, self.config.dropout, rng)?;
        }
        let h = match &self.encoder {
            Encoder::Lstm { fwd, bwd } => {
                let hf = fwd.states_to_tensor(&fwd.seq(&x)?)?;
                let xr = gather_time(&x, &batch.reverse)?;
                let hb = gather_time(&bwd.states_to_tensor(&bwd.seq(&xr)?)?, &batch.reverse)?;
                Tensor::cat(&[hf, hb], D::Minus1)?
            }
            Encoder::Transformer {
                proj,
                pos,
                blocks,
                norm,
            } => {
                if t > self.config.max_len {
                    candle_core::bail!("sequence of {t} tokens, more than {}", self.config.max_len);
                }
                let positions = Tensor::arange(0u32, t as u32, x.device())?;
                let mixed = proj
                    .forward(&x.transpose(1, 2)?.contiguous()?)?
                    .transpose(1, 2)?;
                let mut h = mixed.broadcast_add(&pos.forward(&positions)?)?;
                // additive attention mask: 0 on tokens, large negative on padding
                let ext = batch
                    .mask
                    .affine(10_000.0, -10_000.0)?
                    .reshape((b, 1, 1, t))?
                    .to_dtype(DType::F32)?;
                for block in blocks {
                    h = block.forward(&h, &ext)?;
                }
                norm.forward(&h)?
            }
        };
        let h = match train {
            Some(rng) => dropout(&h, self.config.dropout, rng)?,
            None => h,
        };
        self.head.forward(&h)
    }
}
