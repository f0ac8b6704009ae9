//! The workshop that makes the NER model: tokenizer vocabulary, batches,
//! AdamW with warm-up and linear decay, early stopping on the F1 of a
//! generated validation set, metrics log and curve, random search.
//! Builds on `nlu` (the network) and `corpus` (examples, metrics); `lm.rs`
//! makes the domain language model fused into Whisper.

pub mod align;
pub mod curve;
pub mod lm;
pub mod search;

use anyhow::Context;
use candle_core::{DType, Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use curve::EpochLog;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};
use speechtimer_corpus::Example;
use speechtimer_corpus::metrics::{Report, evaluate};
use speechtimer_nlu::model::{Batch, NerConfig, NerNet};
use speechtimer_nlu::store::ModelFiles;
use speechtimer_nlu::tokenize::{NerTokenizer, Token};
use speechtimer_nlu::{Arch, Nlu, crf::GoldPaths, tags};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Hyper-parameters of one training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Which encoder to train.
    pub arch: Arch,
    /// Seed of the initial weights, the shuffling and the dropout: the same
    /// seed gives the same run.
    pub seed: u64,
    /// Most passes over the training set (early stopping may end sooner).
    pub epochs: usize,
    /// Examples per optimiser step.
    pub batch_size: usize,
    /// Peak learning rate, reached at the end of the warm-up.
    pub lr: f64,
    /// AdamW's weight decay.
    pub weight_decay: f64,
    /// Share of the steps spent warming the learning rate up.
    pub warmup: f64,
    /// Epochs without a better validation F1 before stopping.
    pub patience: usize,
    /// Words seen fewer times than this are unknown to the vocabulary.
    pub min_word_freq: u64,
    /// Size of the word embeddings.
    pub word_dim: usize,
    /// Size of the character embeddings.
    pub char_dim: usize,
    /// Filters of the character CNN (its output size per token).
    pub char_filters: usize,
    /// LSTM: hidden size per direction; transformer: model width.
    pub hidden: usize,
    /// Transformer layers (unused by the LSTM).
    pub layers: usize,
    /// Transformer attention heads (unused by the LSTM).
    pub heads: usize,
    /// Dropout probability while training.
    pub dropout: f32,
    /// Stop after this many minutes whatever the epoch.
    pub max_minutes: f64,
}

impl TrainConfig {
    /// The default settings for `arch` (the learning rate and hidden size
    /// depend on it).
    pub fn default_for(arch: Arch) -> Self {
        let (lr, hidden) = match arch {
            Arch::LstmCrf => (3e-3, 64),
            Arch::Transformer => (1e-3, 128),
        };
        Self {
            arch,
            seed: 1,
            epochs: 12,
            batch_size: 32,
            lr,
            weight_decay: 0.01,
            warmup: 0.05,
            patience: 3,
            min_word_freq: 2,
            word_dim: 64,
            char_dim: 24,
            char_filters: 48,
            hidden,
            layers: 2,
            heads: 4,
            dropout: 0.25,
            max_minutes: 18.0,
        }
    }
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct TrainOutcome {
    /// The model of the best epoch, in memory.
    pub files: ModelFiles,
    /// The epoch (1-based) with the best validation F1.
    pub best_epoch: usize,
    /// The validation report of that epoch.
    pub valid: Report,
    /// One entry per finished epoch, in order.
    pub logs: Vec<EpochLog>,
    /// Wall-clock time of the whole run, in seconds.
    pub seconds: f64,
    /// Training examples left out: no token, truncated, or spans the tokens
    /// cannot carry (see [`align::tag_path`]).
    pub skipped_examples: usize,
    /// Number of trainable weights (scalars) of the network.
    pub parameters: usize,
}

struct Encoded {
    tokens: Vec<Token>,
    path: Vec<usize>,
}

fn encode_all(tk: &NerTokenizer, examples: &[Example]) -> anyhow::Result<(Vec<Encoded>, usize)> {
    let mut out = Vec::with_capacity(examples.len());
    let mut skipped = 0;
    for ex in examples {
        let (tokens, truncated) = tk.encode(&ex.text)?;
        match align::tag_path(&tokens, &ex.entities) {
            Some(path) if !tokens.is_empty() && !truncated => out.push(Encoded { tokens, path }),
            _ => skipped += 1,
        }
    }
    Ok((out, skipped))
}

/// Replaces candle's unseeded initial values by seeded ones of the same
/// mean and spread, so a seed gives the same run.
fn seed_weights(vm: &VarMap, rng: &mut StdRng) -> anyhow::Result<()> {
    let data = vm
        .data()
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned var map"))?;
    let mut names: Vec<&String> = data.keys().collect();
    names.sort();
    for name in names {
        let var = &data[name];
        let v: Vec<f32> = var.flatten_all()?.to_vec1()?;
        let n = v.len() as f32;
        let mean = v.iter().sum::<f32>() / n;
        let std = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / n).sqrt();
        if std == 0.0 {
            continue;
        }
        let fresh: Vec<f32> = (0..v.len())
            .map(|_| {
                // Box-Muller
                let (u1, u2): (f32, f32) = (rng.random_range(1e-7..1.0), rng.random());
                mean + std * (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
            })
            .collect();
        var.set(&Tensor::from_vec(fresh, var.shape(), &Device::Cpu)?)?;
    }
    Ok(())
}

/// Tags `examples` with `nlu`, as predictions for the metrics.
pub fn predict(nlu: &Nlu, examples: &[Example]) -> anyhow::Result<Vec<Example>> {
    let mut out = Vec::with_capacity(examples.len());
    for chunk in examples.chunks(64) {
        let texts: Vec<&str> = chunk.iter().map(|e| e.text.as_str()).collect();
        for p in nlu.parse_batch(&texts)? {
            out.push(Example {
                text: p.text,
                entities: p.entities,
                plan: p.plan.ok(),
            });
        }
    }
    Ok(out)
}

fn model_files(vm: &VarMap, config: &NerConfig, tk: &NerTokenizer) -> anyhow::Result<ModelFiles> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("model.safetensors");
    vm.save(&path)?;
    Ok(ModelFiles {
        weights: std::fs::read(&path)?,
        config: serde_json::to_vec_pretty(config)?,
        tokenizer: tk.to_json()?.into_bytes(),
    })
}

/// Trains one model. With `out`, writes the best model, `metrics.jsonl`,
/// `curve.png` and `train-config.json` there.
pub fn train(
    train_set: &[Example],
    valid_set: &[Example],
    cfg: &TrainConfig,
    out: Option<&Path>,
    show_progress: bool,
) -> anyhow::Result<TrainOutcome> {
    let started = Instant::now();
    anyhow::ensure!(!train_set.is_empty(), "aucun exemple d'entraînement");
    anyhow::ensure!(!valid_set.is_empty(), "aucun exemple de validation");
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let texts: Vec<String> = train_set.iter().map(|e| e.text.clone()).collect();
    let tk = NerTokenizer::train(&texts, cfg.min_word_freq)?;
    let (mut data, skipped) = encode_all(&tk, train_set)?;
    anyhow::ensure!(!data.is_empty(), "aucun exemple utilisable après découpage");
    let config = NerConfig {
        arch: cfg.arch,
        vocab_size: tk.vocab_size(),
        chars: tk.char_list().to_string(),
        word_dim: cfg.word_dim,
        char_dim: cfg.char_dim,
        char_filters: cfg.char_filters,
        hidden: cfg.hidden,
        layers: cfg.layers,
        heads: cfg.heads,
        max_len: speechtimer_nlu::tokenize::MAX_TOKENS,
        dropout: cfg.dropout,
        tags: NerConfig::tag_names(),
    };
    let device = Device::Cpu;
    let vm = VarMap::new();
    let net = NerNet::new(VarBuilder::from_varmap(&vm, DType::F32, &device), &config)?;
    seed_weights(&vm, &mut rng)?;
    let parameters = vm.all_vars().iter().map(|v| v.elem_count()).sum();
    let mut nlu = Nlu::new(net, tk.clone())?;
    let mut opt = AdamW::new(
        vm.all_vars(),
        ParamsAdamW {
            lr: cfg.lr,
            weight_decay: cfg.weight_decay,
            ..Default::default()
        },
    )?;
    let steps_per_epoch = data.len().div_ceil(cfg.batch_size);
    let total_steps = (steps_per_epoch * cfg.epochs).max(1);
    let warmup = ((total_steps as f64 * cfg.warmup) as usize).max(1);
    let bar = if show_progress {
        indicatif::ProgressBar::new(total_steps as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_prefix(cfg.arch.as_str());
    if let Some(dir) = out {
        std::fs::create_dir_all(dir)?;
        std::fs::write(
            dir.join("train-config.json"),
            serde_json::to_vec_pretty(cfg)?,
        )?;
    }
    let mut metrics_file = match out {
        Some(dir) => Some(std::fs::File::create(dir.join("metrics.jsonl"))?),
        None => None,
    };
    let mut logs = Vec::new();
    let mut best: Option<(f64, usize, ModelFiles, Report)> = None;
    let mut step = 0usize;
    let mut stale = 0;
    'epochs: for epoch in 1..=cfg.epochs {
        data.shuffle(&mut rng);
        let mut loss_sum = 0.0;
        let mut loss_n = 0usize;
        let mut lr = cfg.lr;
        for chunk in data.chunks(cfg.batch_size) {
            lr = if step < warmup {
                cfg.lr * (step + 1) as f64 / warmup as f64
            } else {
                cfg.lr
                    * (1.0 - (step - warmup) as f64 / (total_steps - warmup).max(1) as f64)
                        .max(0.02)
            };
            opt.set_learning_rate(lr);
            let seqs: Vec<&[Token]> = chunk.iter().map(|e| e.tokens.as_slice()).collect();
            let batch = Batch::new(&seqs, &device)?;
            let t_max = batch.words.dim(1)?;
            let paths: Vec<Vec<usize>> = chunk.iter().map(|e| e.path.clone()).collect();
            let gold = GoldPaths::new(&paths, t_max, tags::NUM_TAGS, &device)?;
            let em = nlu.net().emissions(&batch, Some(&mut rng))?;
            let loss = nlu.net().crf.nll(&em, &batch.mask, &gold)?;
            opt.backward_step(&loss)?;
            let l = f64::from(loss.to_scalar::<f32>()?);
            anyhow::ensure!(l.is_finite(), "la perte a divergé (NaN) : baissez --lr");
            loss_sum += l;
            loss_n += 1;
            step += 1;
            bar.inc(1);
            if step.is_multiple_of(20) {
                bar.set_message(format!("loss {:.3}", loss_sum / loss_n as f64));
            }
            if started.elapsed().as_secs_f64() > cfg.max_minutes * 60.0 {
                tracing::warn!("time budget reached at epoch {epoch}");
                if best.is_some() {
                    break 'epochs;
                }
            }
        }
        nlu.refresh()?;
        let preds = predict(&nlu, valid_set)?;
        let report = evaluate(valid_set, &preds);
        let log = EpochLog {
            epoch,
            loss: loss_sum / loss_n.max(1) as f64,
            valid_f1: report.micro.f1,
            valid_plan_exact: report.plan_exact_all,
            lr,
            seconds: started.elapsed().as_secs_f64(),
        };
        bar.set_message(format!(
            "loss {:.3} F1 {:.3} plan {:.3}",
            log.loss, log.valid_f1, log.valid_plan_exact
        ));
        if let Some(f) = metrics_file.as_mut() {
            writeln!(f, "{}", serde_json::to_string(&log)?)?;
        }
        logs.push(log);
        let better = best.as_ref().is_none_or(|(f1, ..)| report.micro.f1 > *f1);
        if better {
            let files = model_files(&vm, &config, &tk)?;
            if let Some(dir) = out {
                files.write_dir(dir).context("écriture du modèle")?;
            }
            best = Some((report.micro.f1, epoch, files, report));
            stale = 0;
        } else {
            stale += 1;
            if stale >= cfg.patience {
                break;
            }
        }
        if started.elapsed().as_secs_f64() > cfg.max_minutes * 60.0 {
            break;
        }
    }
    bar.finish_and_clear();
    if let Some(dir) = out
        && let Err(e) = curve::draw(&dir.join("curve.png"), &logs)
    {
        tracing::warn!("training curve not drawn: {e}");
    }
    let (_, best_epoch, files, valid) = best.context("aucune époque terminée")?;
    Ok(TrainOutcome {
        files,
        best_epoch,
        valid,
        logs,
        seconds: started.elapsed().as_secs_f64(),
        skipped_examples: skipped,
        parameters,
    })
}
