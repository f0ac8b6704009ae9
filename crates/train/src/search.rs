//! Random hyper-parameter search: short runs with sampled settings, the best
//! validation F1 wins (of equal ones, the last tried: `max_by` keeps the
//! last maximum).

use super::{TrainConfig, TrainOutcome, train};
use rand::{Rng, SeedableRng, rngs::StdRng};
use speechtimer_corpus::Example;
use std::path::Path;

/// One sampled setting around `base`.
pub fn sample(base: &TrainConfig, rng: &mut StdRng) -> TrainConfig {
    let mut c = base.clone();
    c.lr = base.lr * [0.5, 1.0, 2.0][rng.random_range(0..3)];
    c.dropout = [0.1, 0.25, 0.4][rng.random_range(0..3)];
    c.word_dim = [32, 64, 96][rng.random_range(0..3)];
    c.char_filters = [32, 48, 64][rng.random_range(0..3)];
    c.hidden = match base.arch {
        speechtimer_nlu::Arch::LstmCrf => [48, 64, 96][rng.random_range(0..3)],
        speechtimer_nlu::Arch::Transformer => [96, 128, 192][rng.random_range(0..3)],
    };
    c.seed = rng.random();
    c
}

/// The setting kept, its full run, and every trial with its validation F1.
pub type SearchResult = (TrainConfig, TrainOutcome, Vec<(TrainConfig, f64)>);

/// Runs `trials` sampled settings (each with `trial_epochs` epochs), then
/// trains the best setting fully into `out`.
pub fn search(
    train_set: &[Example],
    valid_set: &[Example],
    base: &TrainConfig,
    trials: usize,
    trial_epochs: usize,
    out: &Path,
    show_progress: bool,
) -> anyhow::Result<SearchResult> {
    let mut rng = StdRng::seed_from_u64(base.seed);
    let mut tried = Vec::new();
    for _ in 0..trials {
        let mut c = sample(base, &mut rng);
        c.epochs = trial_epochs;
        let outcome = train(train_set, valid_set, &c, None, show_progress)?;
        tracing::info!("trial {:?}: F1 {:.4}", c, outcome.valid.micro.f1);
        tried.push((c, outcome.valid.micro.f1));
    }
    let best = tried
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c.clone())
        .unwrap_or_else(|| base.clone());
    let mut final_cfg = best;
    final_cfg.epochs = base.epochs;
    let outcome = train(train_set, valid_set, &final_cfg, Some(out), show_progress)?;
    Ok((final_cfg, outcome, tried))
}
