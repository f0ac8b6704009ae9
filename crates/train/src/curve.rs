//! The training curve as a PNG: loss (red, scaled to its maximum) and
//! validation F1 (blue) per epoch, on a 0-1 grid. plotters is built without
//! font support (no system font libraries needed), so the picture has no
//! text; `metrics.jsonl` beside it holds the numbers.

use plotters::prelude::*;
use std::path::Path;

/// One epoch's figures.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EpochLog {
    /// The epoch's number, from 1.
    pub epoch: usize,
    /// Mean training loss of the epoch's batches (CRF negative log-likelihood).
    pub loss: f64,
    /// Micro entity F1 on the validation set after the epoch.
    pub valid_f1: f64,
    /// Share of validation examples whose plan came out right.
    pub valid_plan_exact: f64,
    /// Learning rate of the epoch's last step.
    pub lr: f64,
    /// Seconds since the run started, once the epoch is evaluated.
    pub seconds: f64,
}

/// Draws the curve of `logs` as an 800 × 480 PNG at `path`.
pub fn draw(path: &Path, logs: &[EpochLog]) -> anyhow::Result<()> {
    let root = BitMapBackend::new(path, (800, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let n = logs.len().max(2) as f64;
    let mut chart = ChartBuilder::on(&root)
        .margin(20)
        .x_label_area_size(0)
        .y_label_area_size(0)
        .build_cartesian_2d(1.0..n, 0.0..1.0)?;
    chart
        .configure_mesh()
        .disable_x_axis()
        .disable_y_axis()
        .x_labels(logs.len().max(2))
        .y_labels(11)
        .draw()?;
    let max_loss = logs
        .iter()
        .map(|l| l.loss)
        .fold(f64::MIN_POSITIVE, f64::max);
    chart.draw_series(LineSeries::new(
        logs.iter().map(|l| (l.epoch as f64, l.loss / max_loss)),
        RED.stroke_width(3),
    ))?;
    chart.draw_series(LineSeries::new(
        logs.iter().map(|l| (l.epoch as f64, l.valid_f1)),
        BLUE.stroke_width(3),
    ))?;
    root.present()?;
    Ok(())
}
