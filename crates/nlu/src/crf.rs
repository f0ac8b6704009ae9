//! Linear-chain CRF: the training loss on candle tensors (forward
//! algorithm), and decoding on plain numbers (Viterbi, forward-backward
//! marginals). Forbidden transitions (an `I-x` not after `B-x`/`I-x`) get a
//! large negative score, so no decoded path breaks BIO.

use candle_core::{DType, Device, Result, Tensor};
use candle_nn::VarBuilder;

/// Score added to forbidden transitions.
const FORBIDDEN: f32 = -10_000.0;

/// Linear-chain CRF over `k` tags: learned transition, start and end scores,
/// forbidden moves masked.
pub struct Crf {
    k: usize,
    transitions: Tensor,
    start: Tensor,
    end: Tensor,
    trans_mask: Tensor,
    start_mask: Tensor,
}

/// A batch's gold paths, as index tensors built on the host.
pub struct GoldPaths {
    /// `[B, T]` u32 tag ids (anything on padding).
    pub tags: Tensor,
    /// `[B, T-1]` u32: `tag[t] * K + tag[t+1]`, for t+1 < T.
    pub pairs: Tensor,
    /// `[B]` u32: first real tag of each sequence.
    pub first: Tensor,
    /// `[B]` u32: last real tag of each sequence (within `t_max`).
    pub last: Tensor,
}

impl GoldPaths {
    /// From per-sequence tag lists, padded to `t_max`.
    pub fn new(paths: &[Vec<usize>], t_max: usize, k: usize, device: &Device) -> Result<Self> {
        let b = paths.len();
        let mut tags = vec![0u32; b * t_max];
        let mut pairs = vec![0u32; b * t_max.saturating_sub(1)];
        for (i, p) in paths.iter().enumerate() {
            for (t, &tag) in p.iter().enumerate().take(t_max) {
                tags[i * t_max + t] = tag as u32;
                if t + 1 < p.len().min(t_max) {
                    pairs[i * (t_max - 1) + t] = (tag * k + p[t + 1]) as u32;
                }
            }
        }
        let first: Vec<u32> = paths
            .iter()
            .map(|p| p.first().copied().unwrap_or(0) as u32)
            .collect();
        let last: Vec<u32> = paths
            .iter()
            .map(|p| {
                p.get(p.len().min(t_max).saturating_sub(1))
                    .copied()
                    .unwrap_or(0) as u32
            })
            .collect();
        Ok(Self {
            tags: Tensor::from_vec(tags, (b, t_max), device)?,
            pairs: Tensor::from_vec(pairs, (b, t_max.saturating_sub(1)), device)?,
            first: Tensor::from_vec(first, b, device)?,
            last: Tensor::from_vec(last, b, device)?,
        })
    }
}

impl Crf {
    /// `k` tags; `allowed(from, to)` and `allowed_start(tag)` say which moves
    /// a path may make, the others are forbidden. The scores are
    /// `transitions`, `start` and `end` in `vb`.
    pub fn new(
        vb: VarBuilder,
        k: usize,
        allowed: impl Fn(usize, usize) -> bool,
        allowed_start: impl Fn(usize) -> bool,
    ) -> Result<Self> {
        let init = candle_nn::Init::Uniform { lo: -0.1, up: 0.1 };
        let transitions = vb.get_with_hints((k, k), "transitions", init)?;
        let start = vb.get_with_hints(k, "start", init)?;
        let end = vb.get_with_hints(k, "end", init)?;
        let mut tm = vec![0f32; k * k];
        for from in 0..k {
            for to in 0..k {
                if !allowed(from, to) {
                    tm[from * k + to] = FORBIDDEN;
                }
            }
        }
        let sm: Vec<f32> = (0..k)
            .map(|t| if allowed_start(t) { 0.0 } else { FORBIDDEN })
            .collect();
        let device = vb.device();
        Ok(Self {
            k,
            transitions,
            start,
            end,
            trans_mask: Tensor::from_vec(tm, (k, k), device)?,
            start_mask: Tensor::from_vec(sm, k, device)?,
        })
    }

    fn trans(&self) -> Result<Tensor> {
        self.transitions.add(&self.trans_mask)
    }

    fn start_scores(&self) -> Result<Tensor> {
        self.start.add(&self.start_mask)
    }

    /// log Z for each sequence: `em` `[B, T, K]`, `mask` `[B, T]` f32 with
    /// ones on real tokens (left-aligned, at least one per sequence).
    pub fn log_partition(&self, em: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (_b, t_max, _k) = em.dims3()?;
        let trans = self.trans()?.unsqueeze(0)?;
        let mut alpha = em
            .narrow(1, 0, 1)?
            .squeeze(1)?
            .broadcast_add(&self.start_scores()?)?;
        for t in 1..t_max {
            let emit = em.narrow(1, t, 1)?; // [B,1,K]
            let scores = alpha
                .unsqueeze(2)?
                .broadcast_add(&trans)?
                .broadcast_add(&emit)?;
            let next = scores.log_sum_exp(1)?;
            let m = mask.narrow(1, t, 1)?; // [B,1]
            let keep = m.affine(-1.0, 1.0)?;
            alpha = next.broadcast_mul(&m)?.add(&alpha.broadcast_mul(&keep)?)?;
        }
        alpha.broadcast_add(&self.end)?.log_sum_exp(1)
    }

    /// Score of the gold path of each sequence.
    pub fn path_score(&self, em: &Tensor, mask: &Tensor, gold: &GoldPaths) -> Result<Tensor> {
        let (b, t_max, _k) = em.dims3()?;
        let emit = em
            .gather(&gold.tags.unsqueeze(2)?.contiguous()?, 2)?
            .squeeze(2)?
            .mul(mask)?
            .sum(1)?;
        let mut score = emit
            .add(&self.start_scores()?.index_select(&gold.first, 0)?)?
            .add(&self.end.index_select(&gold.last, 0)?)?;
        if t_max > 1 {
            let flat = self.trans()?.flatten_all()?;
            let pair_scores = flat
                .index_select(&gold.pairs.flatten_all()?, 0)?
                .reshape((b, t_max - 1))?
                .mul(&mask.narrow(1, 1, t_max - 1)?)?
                .sum(1)?;
            score = score.add(&pair_scores)?;
        }
        Ok(score)
    }

    /// Mean negative log-likelihood of the gold paths.
    pub fn nll(&self, em: &Tensor, mask: &Tensor, gold: &GoldPaths) -> Result<Tensor> {
        self.log_partition(em, mask)?
            .sub(&self.path_score(em, mask, gold)?)?
            .mean(0)
    }

    /// The scores as plain numbers, for decoding.
    pub fn scores(&self) -> Result<CrfScores> {
        Ok(CrfScores {
            k: self.k,
            trans: self
                .trans()?
                .flatten_all()?
                .to_dtype(DType::F32)?
                .to_vec1()?,
            start: self.start_scores()?.to_dtype(DType::F32)?.to_vec1()?,
            end: self.end.to_dtype(DType::F32)?.to_vec1()?,
        })
    }
}

/// Transition, start and end scores (forbidden moves included).
#[derive(Debug, Clone)]
pub struct CrfScores {
    /// Number of tags.
    pub k: usize,
    /// `k * k` row-major: score of tag `to` following tag `from` at `from * k + to`.
    pub trans: Vec<f32>,
    /// Score of a path starting with each tag.
    pub start: Vec<f32>,
    /// Score of a path ending with each tag.
    pub end: Vec<f32>,
}

/// Terms further than this below the largest are left out of a
/// log-sum-exp: each weighs under 1e-13 beside the largest one's 1, far
/// under what an f32 sum can hold, and their `exp` (the forbidden moves'
/// large negative scores underflow) was half of a sentence's tagging time.
const NEGLIGIBLE: f32 = -30.0;

/// Under this, `exp` gives 0 or a subnormal (f32's smallest normal is
/// e^-87.3): taken as 0 without calling it.
const UNDERFLOW: f32 = -88.0;

fn log_sum_exp(xs: impl Iterator<Item = f32> + Clone) -> f32 {
    let m = xs.clone().fold(f32::NEG_INFINITY, f32::max);
    if m == f32::NEG_INFINITY {
        return m;
    }
    m + xs
        .map(|x| x - m)
        .filter(|d| *d > NEGLIGIBLE)
        .map(f32::exp)
        .sum::<f32>()
        .ln()
}

impl CrfScores {
    /// The best path for emissions `em` (`T * K`, row-major).
    pub fn viterbi(&self, em: &[f32]) -> Vec<usize> {
        let k = self.k;
        let t_max = em.len() / k;
        if t_max == 0 {
            return Vec::new();
        }
        let mut score: Vec<f32> = (0..k).map(|j| self.start[j] + em[j]).collect();
        let mut back = vec![0usize; t_max * k];
        for t in 1..t_max {
            let mut next = vec![f32::NEG_INFINITY; k];
            for to in 0..k {
                for (from, prev) in score.iter().enumerate() {
                    let s = prev + self.trans[from * k + to];
                    if s > next[to] {
                        next[to] = s;
                        back[t * k + to] = from;
                    }
                }
                next[to] += em[t * k + to];
            }
            score = next;
        }
        let mut best = (0..k)
            .max_by(|&a, &b| (score[a] + self.end[a]).total_cmp(&(score[b] + self.end[b])))
            .unwrap_or(0);
        let mut path = vec![0; t_max];
        for t in (0..t_max).rev() {
            path[t] = best;
            best = back[t * k + best];
        }
        path
    }

    fn alphas(&self, em: &[f32]) -> Vec<f32> {
        let k = self.k;
        let t_max = em.len() / k;
        let mut a = vec![0f32; t_max * k];
        for j in 0..k {
            a[j] = self.start[j] + em[j];
        }
        for t in 1..t_max {
            for to in 0..k {
                let prev = &a[(t - 1) * k..t * k];
                a[t * k + to] =
                    log_sum_exp((0..k).map(|f| prev[f] + self.trans[f * k + to])) + em[t * k + to];
            }
        }
        a
    }

    /// log Z from the forward scores `alphas` of a non-empty sequence.
    fn log_z(&self, alphas: &[f32]) -> f32 {
        let last = &alphas[alphas.len() - self.k..];
        log_sum_exp(last.iter().zip(&self.end).map(|(a, e)| a + e))
    }

    /// log Z of one sequence.
    pub fn log_partition(&self, em: &[f32]) -> f32 {
        if em.len() < self.k {
            return 0.0;
        }
        self.log_z(&self.alphas(em))
    }

    /// P(tag at t = j) for every t, j (`T * K`), by forward-backward.
    pub fn marginals(&self, em: &[f32]) -> Vec<f32> {
        let k = self.k;
        let t_max = em.len() / k;
        if t_max == 0 {
            return Vec::new();
        }
        let a = self.alphas(em);
        let mut b = vec![0f32; t_max * k];
        b[(t_max - 1) * k..].copy_from_slice(&self.end);
        for t in (0..t_max - 1).rev() {
            for from in 0..k {
                b[t * k + from] = log_sum_exp((0..k).map(|to| {
                    self.trans[from * k + to] + em[(t + 1) * k + to] + b[(t + 1) * k + to]
                }));
            }
        }
        let z = self.log_z(&a);
        // f32 rounding can put a sure tag a hair above 1
        a.iter()
            .zip(&b)
            .map(|(x, y)| {
                let d = x + y - z;
                if d < UNDERFLOW { 0.0 } else { d.exp().min(1.0) }
            })
            .collect()
    }
}

/// Emissions `[B, T, K]` to per-sequence row-major vectors cut at `lengths`.
pub fn split_emissions(em: &Tensor, lengths: &[usize]) -> Result<Vec<Vec<f32>>> {
    let rows: Vec<Vec<Vec<f32>>> = em.to_dtype(DType::F32)?.to_vec3()?;
    Ok(rows
        .into_iter()
        .zip(lengths)
        .map(|(seq, &len)| seq.into_iter().take(len).flatten().collect::<Vec<f32>>())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags;
    use candle_nn::VarMap;
    use rand::{Rng, SeedableRng};

    fn all_paths(k: usize, t: usize) -> Vec<Vec<usize>> {
        let mut out = vec![vec![]];
        for _ in 0..t {
            out = out
                .into_iter()
                .flat_map(|p| {
                    (0..k).map(move |j| {
                        let mut q = p.clone();
                        q.push(j);
                        q
                    })
                })
                .collect();
        }
        out
    }

    fn path_score(s: &CrfScores, em: &[f32], p: &[usize]) -> f32 {
        let k = s.k;
        let mut total = s.start[p[0]] + s.end[p[p.len() - 1]];
        for (t, &j) in p.iter().enumerate() {
            total += em[t * k + j];
            if t > 0 {
                total += s.trans[p[t - 1] * k + j];
            }
        }
        total
    }

    fn random_crf(k: usize, constrained: bool, seed: u64) -> (Crf, VarMap) {
        let vm = VarMap::new();
        let vb = VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu);
        let crf = if constrained {
            Crf::new(vb, k, tags::allowed, tags::allowed_start).unwrap()
        } else {
            Crf::new(vb, k, |_, _| true, |_| true).unwrap()
        };
        // spread the parameters so paths differ clearly
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        for (_, var) in vm.data().lock().unwrap().iter() {
            let n = var.elem_count();
            let vals: Vec<f32> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
            var.set(&Tensor::from_vec(vals, var.shape(), &Device::Cpu).unwrap())
                .unwrap();
        }
        (crf, vm)
    }

    fn random_em(t: usize, k: usize, rng: &mut impl Rng) -> Vec<f32> {
        (0..t * k).map(|_| rng.random_range(-3.0..3.0)).collect()
    }

    #[test]
    fn forward_algorithm_equals_brute_force() {
        for (k, t, constrained) in [(3, 4, false), (tags::NUM_TAGS, 3, true)] {
            let (crf, _vm) = random_crf(k, constrained, 11);
            let scores = crf.scores().unwrap();
            let mut rng = rand::rngs::StdRng::seed_from_u64(3);
            let em = random_em(t, k, &mut rng);
            let brute = log_sum_exp(all_paths(k, t).iter().map(|p| path_score(&scores, &em, p)));
            assert!((scores.log_partition(&em) - brute).abs() < 1e-3);
            // the batched tensor version, with a padded second sequence
            let em2 = random_em(t, k, &mut rng);
            let short = t - 1;
            let brute2 = log_sum_exp(
                all_paths(k, short)
                    .iter()
                    .map(|p| path_score(&scores, &em2[..short * k], p)),
            );
            let batch =
                Tensor::from_vec([em.clone(), em2].concat(), (2, t, k), &Device::Cpu).unwrap();
            let mut mask = vec![1f32; 2 * t];
            mask[2 * t - 1] = 0.0;
            let mask = Tensor::from_vec(mask, (2, t), &Device::Cpu).unwrap();
            let z: Vec<f32> = crf.log_partition(&batch, &mask).unwrap().to_vec1().unwrap();
            assert!((z[0] - brute).abs() < 1e-3, "{} vs {brute}", z[0]);
            assert!((z[1] - brute2).abs() < 1e-3, "{} vs {brute2}", z[1]);
            // gold path score matches the hand sum
            let gold_path: Vec<usize> = scores.viterbi(&em);
            let gold = GoldPaths::new(
                &[gold_path.clone(), gold_path[..short].to_vec()],
                t,
                k,
                &Device::Cpu,
            )
            .unwrap();
            let ps: Vec<f32> = crf
                .path_score(&batch, &mask, &gold)
                .unwrap()
                .to_vec1()
                .unwrap();
            assert!((ps[0] - path_score(&scores, &em, &gold_path)).abs() < 1e-3);
        }
    }

    #[test]
    fn viterbi_equals_brute_force_argmax_and_respects_bio() {
        let k = tags::NUM_TAGS;
        let (crf, _vm) = random_crf(k, true, 5);
        let scores = crf.scores().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        for _ in 0..20 {
            let em = random_em(3, k, &mut rng);
            let best = all_paths(k, 3)
                .into_iter()
                .max_by(|a, b| path_score(&scores, &em, a).total_cmp(&path_score(&scores, &em, b)))
                .unwrap();
            assert_eq!(scores.viterbi(&em), best);
        }
        // longer random sequences: every decoded path is valid BIO
        for _ in 0..200 {
            let t = rng.random_range(1..30);
            let em = random_em(t, k, &mut rng);
            let path = scores.viterbi(&em);
            assert!(tags::allowed_start(path[0]));
            assert!(
                path.windows(2).all(|w| tags::allowed(w[0], w[1])),
                "{path:?}"
            );
        }
    }

    #[test]
    fn marginals_are_probabilities() {
        let k = 4;
        let (crf, _vm) = random_crf(k, false, 2);
        let scores = crf.scores().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let em = random_em(5, k, &mut rng);
        let m = scores.marginals(&em);
        assert!(m.iter().all(|p| (0.0..=1.0).contains(p)), "{m:?}");
        for t in 0..5 {
            let row = &m[t * k..(t + 1) * k];
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        }
        // brute force marginal of tag 2 at position 1
        let z = scores.log_partition(&em);
        let p: f32 = all_paths(k, 5)
            .iter()
            .filter(|p| p[1] == 2)
            .map(|p| (path_score(&scores, &em, p) - z).exp())
            .sum();
        assert!((m[k + 2] - p).abs() < 1e-4);
    }

    #[test]
    fn marginals_with_forbidden_moves_equal_brute_force() {
        let k = tags::NUM_TAGS;
        let (crf, _vm) = random_crf(k, true, 8);
        let scores = crf.scores().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let t = 3;
        let em = random_em(t, k, &mut rng);
        let m = scores.marginals(&em);
        let z = scores.log_partition(&em);
        let mut brute = vec![0f64; t * k];
        for p in all_paths(k, t) {
            let w = f64::from(path_score(&scores, &em, &p) - z).exp();
            for (i, &j) in p.iter().enumerate() {
                brute[i * k + j] += w;
            }
        }
        for (got, want) in m.iter().zip(&brute) {
            assert!((f64::from(*got) - want).abs() < 1e-4, "{got} vs {want}");
        }
    }

    #[test]
    fn negligible_terms_left_out_change_no_sum() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(6);
        for _ in 0..2000 {
            let xs: Vec<f32> = (0..tags::NUM_TAGS)
                .map(|_| match rng.random_range(0..4) {
                    0 => -10_000.0 + rng.random_range(-5.0..5.0),
                    1 => rng.random_range(-60.0..0.0),
                    _ => rng.random_range(-8.0..8.0),
                })
                .collect();
            let m = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let every_term = m + xs.iter().map(|x| (x - m).exp()).sum::<f32>().ln();
            let got = log_sum_exp(xs.iter().copied());
            assert!(
                (got - every_term).abs() <= f32::EPSILON * every_term.abs().max(1.0),
                "{got} vs {every_term}"
            );
        }
    }
}
