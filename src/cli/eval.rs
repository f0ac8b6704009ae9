//! `speechtimer eval`: scores predictions against gold examples.

use anyhow::{Result, bail};
use clap::Args;
use speechtimer::corpus::metrics::{self, Report, show_spans};
use speechtimer::corpus::read_jsonl_file;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Exemples de référence (JSONL).
    #[arg(long)]
    pub data: PathBuf,
    /// Prédictions à noter (JSONL, même format, appariées par ligne ou par texte).
    #[arg(long)]
    pub pred: PathBuf,
    /// Rapport en JSON sur la sortie standard.
    #[arg(long)]
    pub json: bool,
    /// Nombre d'exemples fautifs à montrer.
    #[arg(long, default_value_t = 0)]
    pub errors: usize,
}

pub fn run(args: EvalArgs) -> Result<()> {
    let gold = read_jsonl_file(&args.data)?;
    if gold.is_empty() {
        bail!("{} : aucun exemple de référence", args.data.display());
    }
    let pred = read_jsonl_file(&args.pred)?;
    let mut report = metrics::evaluate(&gold, &pred);
    if args.json {
        report.errors.truncate(args.errors);
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report, args.errors);
    }
    Ok(())
}

fn print_report(r: &Report, errors: usize) {
    println!("exemples : {}", r.examples);
    if r.missing_predictions > 0 {
        println!("sans prédiction : {}", r.missing_predictions);
    }
    println!(
        "plan exact : {:.3} ({}/{})",
        r.plan_exact_match, r.plan_matches, r.examples
    );
    println!(
        "entités F1-micro : {:.3} (précision {:.3}, rappel {:.3})",
        r.micro.f1, r.micro.precision, r.micro.recall
    );
    println!(
        "{:<16} {:>9} {:>7} {:>6} {:>8}",
        "étiquette", "précision", "rappel", "F1", "support"
    );
    for (label, s) in &r.per_label {
        println!(
            "{label:<16} {:>9.3} {:>7.3} {:>6.3} {:>8}",
            s.precision, s.recall, s.f1, s.support
        );
    }
    if errors > 0 {
        println!(
            "\n{} exemples fautifs ; les {} premiers :",
            r.errors.len(),
            errors.min(r.errors.len())
        );
        for e in r.errors.iter().take(errors) {
            println!("#{} {}", e.index, e.text);
            println!(
                "  attendu : {}  {:?}",
                show_spans(&e.gold),
                e.gold_plan.map(|p| (p.rounds, p.work_s, p.rest_s))
            );
            println!(
                "  prédit  : {}  {:?}",
                show_spans(&e.pred),
                e.pred_plan.map(|p| (p.rounds, p.work_s, p.rest_s))
            );
        }
    }
}
