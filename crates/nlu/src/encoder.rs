//! A small pre-norm Transformer encoder on candle-nn pieces.
//!
//! candle-transformers' BERT encoder cannot be trained from scratch in
//! candle 0.11: its layer norm is candle-nn's fused op, which has no
//! backward pass (`apply_op3_no_bwd`), so gradients stop at the first norm.
//! The blocks here use a layer norm written with differentiable tensor ops.

use candle_core::{D, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};

/// Layer normalisation over the last dimension, differentiable.
pub struct Norm {
    weight: Tensor,
    bias: Tensor,
}

impl Norm {
    /// A layer norm over `size` features (`weight` and `bias` in `vb`; 1 and
    /// 0 when new).
    pub fn new(size: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            weight: vb.get_with_hints(size, "weight", candle_nn::Init::Const(1.0))?,
            bias: vb.get_with_hints(size, "bias", candle_nn::Init::Const(0.0))?,
        })
    }
}

impl Module for Norm {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mean = x.mean_keepdim(D::Minus1)?;
        let centered = x.broadcast_sub(&mean)?;
        let var = centered.sqr()?.mean_keepdim(D::Minus1)?;
        centered
            .broadcast_div(&(var + 1e-5)?.sqrt()?)?
            .broadcast_mul(&self.weight)?
            .broadcast_add(&self.bias)
    }
}

/// Self-attention + feed-forward, each behind a norm and a residual.
pub struct Block {
    heads: usize,
    qkv: Linear,
    out: Linear,
    ff_in: Linear,
    ff_out: Linear,
    norm_att: Norm,
    norm_ff: Norm,
}

impl Block {
    /// A block of width `hidden` with `heads` attention heads; `hidden` must
    /// be a multiple of `heads`.
    pub fn new(hidden: usize, heads: usize, vb: VarBuilder) -> Result<Self> {
        if heads == 0 || !hidden.is_multiple_of(heads) {
            candle_core::bail!("hidden size {hidden} is not a multiple of {heads} heads");
        }
        Ok(Self {
            heads,
            qkv: candle_nn::linear(hidden, 3 * hidden, vb.pp("qkv"))?,
            out: candle_nn::linear(hidden, hidden, vb.pp("out"))?,
            ff_in: candle_nn::linear(hidden, 2 * hidden, vb.pp("ff_in"))?,
            ff_out: candle_nn::linear(2 * hidden, hidden, vb.pp("ff_out"))?,
            norm_att: Norm::new(hidden, vb.pp("norm_att"))?,
            norm_ff: Norm::new(hidden, vb.pp("norm_ff"))?,
        })
    }

    /// `x` `[B, T, H]`; `mask` `[B, 1, 1, T]`, 0 on tokens and a large
    /// negative number on padding.
    pub fn forward(&self, x: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (b, t, h) = x.dims3()?;
        let d = h / self.heads;
        let qkv = self
            .qkv
            .forward(&self.norm_att.forward(x)?)?
            .reshape((b, t, 3, self.heads, d))?
            .permute((2, 0, 3, 1, 4))?; // [3, B, heads, T, d]
        let q = qkv.get(0)?.contiguous()?;
        let k = qkv.get(1)?.contiguous()?;
        let v = qkv.get(2)?.contiguous()?;
        let scores = (q.matmul(&k.t()?)? / (d as f64).sqrt())?.broadcast_add(mask)?;
        let att = candle_nn::ops::softmax_last_dim(&scores)?.matmul(&v)?; // [B, heads, T, d]
        let att = att.transpose(1, 2)?.reshape((b, t, h))?;
        let x = x.add(&self.out.forward(&att)?)?;
        let ff = self
            .ff_out
            .forward(&self.ff_in.forward(&self.norm_ff.forward(&x)?)?.gelu_erf()?)?;
        x.add(&ff)
    }
}
