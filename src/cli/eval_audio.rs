//! `speechtimer eval --audio MANIFEST.jsonl`: every clip through the same
//! `voice::understand` path the window uses, scored on the plan it gives.

use super::asr::DecodeArgs;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use speechtimer::audio::wav;
use speechtimer::nlu::Nlu;
use speechtimer::values::PlanValues;
use speechtimer::voice::{VoiceMsg, worker::understand};
use std::path::Path;
use std::time::Duration;

/// One line of a manifest: the clip (relative to the manifest), what is
/// said, and the plan it means (`null` for a clip with no command).
#[derive(Debug, Deserialize)]
struct ClipLine {
    file: String,
    #[serde(default)]
    text: String,
    plan: Option<PlanValues>,
}

/// What came of one clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The right plan (whether or not a field was flagged).
    Exact,
    /// A wrong plan shown as understood: nothing flagged.
    WrongShown,
    /// A wrong plan, but a field says « À vérifier ».
    WrongFlagged,
    /// No plan at all.
    NoPlan,
}

/// The outcome of a clip that asks for `want`.
pub fn outcome(want: &PlanValues, got: Option<&PlanValues>, uncertain: bool) -> Outcome {
    match got {
        None => Outcome::NoPlan,
        Some(g) if g == want => Outcome::Exact,
        Some(_) if uncertain => Outcome::WrongFlagged,
        Some(_) => Outcome::WrongShown,
    }
}

#[derive(Debug, Serialize)]
struct ClipResult {
    file: String,
    text: String,
    expected: Option<PlanValues>,
    transcript: String,
    plan: Option<PlanValues>,
    uncertain: Vec<&'static str>,
    checks: Option<String>,
    outcome: Option<Outcome>,
    time_s: f64,
}

#[derive(Debug, Serialize)]
struct AudioReport {
    manifest: String,
    clips: usize,
    /// Clips that ask for a plan (the shares below are of these).
    commands: usize,
    plan_exact: f64,
    wrong_shown_as_understood: f64,
    wrong_flagged: f64,
    no_plan: f64,
    /// Plans shown with a field to check (right or wrong).
    uncertain: f64,
    /// Right and nothing flagged.
    exact_and_sure: f64,
    /// Clips with no command (silence, noise) that still gave a plan.
    plans_from_no_command: usize,
    median_s: f64,
    p95_s: f64,
    lm: bool,
    errors: Vec<ClipResult>,
}

pub fn run(
    manifest: &Path,
    ner_model: Option<&Path>,
    decode: &DecodeArgs,
    json: bool,
    errors: usize,
) -> Result<()> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("lecture de {}", manifest.display()))?;
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let mut clips = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let c: ClipLine = serde_json::from_str(line).with_context(|| {
            format!(
                "{} ligne {} : ligne de manifeste invalide",
                manifest.display(),
                i + 1
            )
        })?;
        clips.push(c);
    }
    if clips.is_empty() {
        bail!("{} : aucun extrait", manifest.display());
    }
    let asr = decode.load()?;
    let nlu = Nlu::load(ner_model)?;
    let bar = indicatif::ProgressBar::new(clips.len() as u64);
    let mut results = Vec::with_capacity(clips.len());
    for c in &clips {
        let path = dir.join(&c.file);
        let samples =
            wav::read_16k_mono(&path).with_context(|| format!("lecture de {}", path.display()))?;
        let msg = understand(&asr, Some(&nlu), &samples, Duration::ZERO);
        let (heard, err) = match msg {
            VoiceMsg::Understood(h) | VoiceMsg::NotUnderstood { heard: h, .. } => (Some(h), None),
            VoiceMsg::Error(e) => (None, Some(e)),
            _ => (None, Some("réponse inattendue".to_string())),
        };
        if let Some(e) = err {
            bail!("{} : {e}", path.display());
        }
        let heard = heard.expect("set above");
        let parsed = heard.parsed.as_ref();
        let plan = parsed
            .and_then(|p| p.plan.as_ref().ok().copied())
            .filter(|p| p.to_workout_plan().is_ok());
        let uncertain = parsed
            .map(|p| p.trust.uncertain_fields())
            .unwrap_or_default();
        let t = heard.timings;
        results.push(ClipResult {
            file: c.file.clone(),
            text: c.text.clone(),
            expected: c.plan,
            transcript: heard.transcript.clone(),
            outcome: c
                .plan
                .map(|want| outcome(&want, plan.as_ref(), !uncertain.is_empty())),
            plan,
            checks: parsed
                .filter(|p| p.plan.is_ok())
                .and_then(|p| p.trust.french()),
            uncertain,
            time_s: (t.asr + t.nlu + t.rescore).as_secs_f64(),
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    let report = summarise(manifest, results, asr.has_lm(), errors);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(())
}

fn summarise(manifest: &Path, results: Vec<ClipResult>, lm: bool, errors: usize) -> AudioReport {
    let commands: Vec<&ClipResult> = results.iter().filter(|r| r.expected.is_some()).collect();
    let n = commands.len().max(1) as f64;
    let share = |o: Outcome| commands.iter().filter(|r| r.outcome == Some(o)).count() as f64 / n;
    let mut times: Vec<f64> = results.iter().map(|r| r.time_s).collect();
    times.sort_by(f64::total_cmp);
    let pct = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let uncertain = commands
        .iter()
        .filter(|r| r.plan.is_some() && !r.uncertain.is_empty())
        .count() as f64
        / n;
    let exact_and_sure = commands
        .iter()
        .filter(|r| r.outcome == Some(Outcome::Exact) && r.uncertain.is_empty())
        .count() as f64
        / n;
    let plans_from_no_command = results
        .iter()
        .filter(|r| r.expected.is_none() && r.plan.is_some())
        .count();
    let (median_s, p95_s) = (pct(0.5), pct(0.95));
    let (plan_exact, wrong_shown, wrong_flagged, no_plan) = (
        share(Outcome::Exact),
        share(Outcome::WrongShown),
        share(Outcome::WrongFlagged),
        share(Outcome::NoPlan),
    );
    let commands = commands.len();
    let clips = results.len();
    let misses: Vec<ClipResult> = results
        .into_iter()
        .filter(|r| {
            r.outcome != Some(Outcome::Exact) && !(r.expected.is_none() && r.plan.is_none())
        })
        .take(errors)
        .collect();
    AudioReport {
        manifest: manifest.display().to_string(),
        clips,
        commands,
        plan_exact,
        wrong_shown_as_understood: wrong_shown,
        wrong_flagged,
        no_plan,
        uncertain,
        exact_and_sure,
        plans_from_no_command,
        median_s,
        p95_s,
        lm,
        errors: misses,
    }
}

fn show(p: &Option<PlanValues>) -> String {
    p.map_or("aucun".into(), |p| {
        format!("{} × {} s / {} s", p.rounds, p.work_s, p.rest_s)
    })
}

fn print_report(r: &AudioReport) {
    println!(
        "extraits : {} ({} commandes){}",
        r.clips,
        r.commands,
        if r.lm { "" } else { ", sans modèle de langue" }
    );
    println!("plan exact : {:.3}", r.plan_exact);
    println!(
        "plan faux montré comme compris : {:.3}",
        r.wrong_shown_as_understood
    );
    println!("plan faux signalé « À vérifier » : {:.3}", r.wrong_flagged);
    println!("aucun plan : {:.3}", r.no_plan);
    println!("plans à vérifier (justes ou faux) : {:.3}", r.uncertain);
    println!("exact et sûr : {:.3}", r.exact_and_sure);
    if r.plans_from_no_command > 0 {
        println!(
            "plans donnés sans commande (silence, bruit) : {}",
            r.plans_from_no_command
        );
    }
    println!(
        "temps par extrait : médiane {:.2} s, p95 {:.2} s",
        r.median_s, r.p95_s
    );
    if !r.errors.is_empty() {
        println!("\n{} ratés :", r.errors.len());
        for e in &r.errors {
            println!("{} « {} »", e.file, e.text);
            println!("  attendu : {}", show(&e.expected));
            println!("  entendu : « {} »", e.transcript);
            println!(
                "  plan    : {}{}",
                show(&e.plan),
                e.checks
                    .as_ref()
                    .map(|c| format!("  (à vérifier : {c})"))
                    .unwrap_or_default()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        let want = PlanValues {
            rounds: 12,
            work_s: 120,
            rest_s: 30,
        };
        let other = PlanValues { rounds: 10, ..want };
        assert_eq!(outcome(&want, Some(&want), true), Outcome::Exact);
        assert_eq!(outcome(&want, Some(&other), false), Outcome::WrongShown);
        assert_eq!(outcome(&want, Some(&other), true), Outcome::WrongFlagged);
        assert_eq!(outcome(&want, None, false), Outcome::NoPlan);
    }
}
