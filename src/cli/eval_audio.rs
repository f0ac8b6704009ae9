//! `speechtimer eval --audio MANIFEST.jsonl`: every clip through the same
//! `speechtimer_voice::hear` path the window uses, scored on the plan it
//! gives (`speechtimer_corpus::metrics::heard`).
//! With `--realtime`, through the window's voice worker itself, each clip
//! played at the pace of a microphone: the time is then end of speech to
//! plan shown, split into its parts.

use super::asr::DecodeArgs;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use speechtimer_audio::{resample, wav};
use speechtimer_core::values::PlanValues;
use speechtimer_corpus::metrics::heard::{HeardScores, Outcome, Scored, outcome, score};
use speechtimer_devices::Source;
use speechtimer_nlu::Nlu;
use speechtimer_voice::{Expect, Heard, Voice, VoiceConfig, VoiceMsg, hear, worker::report};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// What `eval --audio` writes: the report as JSON or text, how many misses
/// it shows, and a file for every clip's result.
pub(crate) struct Output<'a> {
    pub json: bool,
    pub errors: usize,
    pub clips: Option<&'a Path>,
}

/// `--realtime` settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Realtime {
    pub early_ms: u32,
    pub hangover_ms: Option<u32>,
}

/// One line of a manifest: the clip (relative to the manifest), what is
/// said, and the plan it means (`null` for a clip with no command).
#[derive(Debug, Deserialize)]
struct ClipLine {
    file: String,
    #[serde(default)]
    text: String,
    plan: Option<PlanValues>,
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
    /// `--realtime`: where the time went, and the early run.
    #[serde(skip_serializing_if = "Option::is_none")]
    split: Option<Split>,
    /// How the transcript fits the command grammar (not `--realtime`).
    #[serde(skip_serializing_if = "Option::is_none")]
    fit: Option<Fit>,
}

/// What holding the decoder to the grammar cost the audio, and Whisper's
/// mean token probability: the trust thresholds are fitted on these.
#[derive(Debug, Clone, Copy, Serialize)]
struct Fit {
    cost: f32,
    worst: f32,
    /// The same without the words heard again (what the trust reads).
    unsettled: f32,
    unsettled_worst: f32,
    free_tokens: usize,
    accepted: bool,
    confidence: f32,
    /// Calls to the logits filter, and their time.
    filter_calls: u64,
    filter_s: f64,
}

impl ClipResult {
    fn scored(&self) -> Scored {
        Scored {
            expected: self.expected,
            plan: self.plan,
            uncertain: !self.uncertain.is_empty(),
            time_s: self.time_s,
        }
    }
}

/// One clip's end of speech -> plan shown, in parts (`--realtime`).
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct Split {
    /// Silence waited before the run that gave the plan started.
    hangover_s: f64,
    /// Whisper up to the decoder's first step (encoder and prompt).
    encoder_s: f64,
    /// The rest of Whisper's run.
    decoder_s: f64,
    rescore_s: f64,
    tagger_s: f64,
    /// An early plan was shown.
    early_shown: bool,
    /// The early plan shown was the final one.
    early_final: bool,
    /// Early runs aborted because speech resumed.
    aborted: u32,
}

impl Split {
    fn of(h: &Heard, early: Option<&Heard>) -> Self {
        let t = h.timings;
        let enc = t.encoder.unwrap_or_default();
        let plan = |h: &Heard| h.parsed.as_ref().and_then(|p| p.plan.clone().ok());
        Self {
            hangover_s: t.hangover.as_secs_f64(),
            encoder_s: enc.as_secs_f64(),
            decoder_s: t.asr.saturating_sub(enc).as_secs_f64(),
            rescore_s: t.rescore.as_secs_f64(),
            tagger_s: t.nlu.as_secs_f64(),
            early_shown: early.is_some(),
            early_final: early.is_some_and(|e| plan(e) == plan(h)),
            aborted: h.speculation.aborted,
        }
    }
}

#[derive(Debug, Serialize)]
struct AudioReport {
    manifest: String,
    #[serde(flatten)]
    scores: HeardScores,
    lm: bool,
    /// `--realtime`: the mean split, and how the early runs went.
    #[serde(skip_serializing_if = "Option::is_none")]
    realtime: Option<RealtimeSummary>,
    /// Mean time of one call to the logits filter (grammar and language
    /// model), in microseconds (not `--realtime`).
    #[serde(skip_serializing_if = "Option::is_none")]
    filter_us_per_call: Option<f64>,
    errors: Vec<ClipResult>,
}

#[derive(Debug, Serialize)]
struct RealtimeSummary {
    early_ms: u32,
    hangover_ms: u32,
    /// Means over the clips.
    mean: Split,
    /// Share of clips that showed an early plan…
    early_shown: f64,
    /// …and of those, the share whose early plan was the final one.
    early_final: f64,
    /// Clips where an early run was aborted (speech resumed).
    aborted: f64,
}

/// The window's voice worker, fed by paced files.
struct Worker {
    voice: Voice,
}

impl Worker {
    fn start(decode: &DecodeArgs, nlu: Nlu, rt: Realtime) -> Result<Self> {
        let mut config = VoiceConfig::new(decode.model.locate()?, Some(Arc::new(nlu)));
        config.decode = decode.options();
        config.early_ms = rt.early_ms;
        if let Some(h) = rt.hangover_ms {
            config.endpoint.hangover_ms = h;
        }
        let (voice, work) = Voice::new(config, || {});
        std::thread::Builder::new()
            .name("voice".into())
            .spawn(move || work.run())?;
        Ok(Self { voice })
    }

    /// Plays `path` into the worker: the final report, and the early one.
    fn hear(&self, path: &Path) -> Result<(VoiceMsg, Option<Heard>)> {
        self.voice.listen(Source::File {
            path: path.to_path_buf(),
            realtime: true,
        });
        let mut early = None;
        loop {
            match self.voice.recv_timeout(Duration::from_secs(600)) {
                None => bail!("{} : le fil de la voix ne répond plus", path.display()),
                Some(VoiceMsg::Early(h)) => early = Some(h),
                Some(
                    m @ (VoiceMsg::Understood(_)
                    | VoiceMsg::NotUnderstood { .. }
                    | VoiceMsg::Error(_)),
                ) => return Ok((m, early)),
                Some(_) => {}
            }
        }
    }
}

pub(crate) fn run(
    manifest: &Path,
    ner_model: Option<&Path>,
    decode: &DecodeArgs,
    realtime: Option<Realtime>,
    capture: Option<u32>,
    output: Output,
) -> Result<()> {
    let Output {
        json,
        errors,
        clips: clips_out,
    } = output;
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
    let nlu = Nlu::load(ner_model)?;
    let (asr, nlu, worker) = match realtime {
        None => (Some(decode.load()?), Some(nlu), None),
        Some(rt) => (None, None, Some(Worker::start(decode, nlu, rt)?)),
    };
    let lm = match &asr {
        Some(asr) => asr.has_lm(),
        None => decode.options().lm != speechtimer_asr::LmChoice::Off,
    };
    let bar = indicatif::ProgressBar::new(clips.len() as u64);
    let mut results = Vec::with_capacity(clips.len());
    for c in &clips {
        let path = dir.join(&c.file);
        let mut fit = None;
        let (msg, early) = match (&asr, &worker) {
            (Some(asr), _) => {
                let mut samples = wav::read_16k_mono(&path)
                    .with_context(|| format!("lecture de {}", path.display()))?;
                if let Some(rate) = capture {
                    samples = resample::through_capture(&samples, rate)
                        .with_context(|| format!("--capture {rate}"))?;
                }
                match hear(asr, nlu.as_ref(), &samples, None, Expect::Plan) {
                    Ok(u) => {
                        fit = u.transcript.fit.as_ref().map(|f| Fit {
                            cost: f.cost,
                            worst: f.worst,
                            unsettled: u.fit.map_or(f.cost, |u| u.0),
                            unsettled_worst: u.fit.map_or(f.worst, |u| u.1),
                            free_tokens: f.free_tokens,
                            accepted: f.accepted,
                            confidence: u.transcript.confidence,
                            filter_calls: u.transcript.filter.0,
                            filter_s: u.transcript.filter.1.as_secs_f64(),
                        });
                        (report(&u, Duration::ZERO, None), None)
                    }
                    Err(e) => (VoiceMsg::Error(e), None),
                }
            }
            (None, Some(w)) => w.hear(&path)?,
            (None, None) => unreachable!("one of the two is loaded"),
        };
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
        // a plan is shown when the verdict has one (sure or to check)
        let plan = parsed
            .filter(|p| p.verdict().plan().is_some())
            .and_then(|p| p.plan.as_ref().ok().copied());
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
            time_s: if worker.is_some() {
                t.end_of_speech_to_plan().as_secs_f64()
            } else {
                (t.asr + t.nlu + t.rescore).as_secs_f64()
            },
            split: worker.is_some().then(|| Split::of(&heard, early.as_ref())),
            fit,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    if let Some(out) = clips_out {
        let mut lines = String::new();
        for r in &results {
            lines.push_str(&serde_json::to_string(r)?);
            lines.push('\n');
        }
        std::fs::write(out, lines).with_context(|| format!("écriture de {}", out.display()))?;
    }
    let mut report = summarise(manifest, results, lm, errors);
    if let (Some(rt), Some(summary)) = (realtime, report.realtime.as_mut()) {
        summary.early_ms = rt.early_ms;
        summary.hangover_ms = rt
            .hangover_ms
            .unwrap_or(speechtimer_audio::vad::EndpointConfig::default().hangover_ms);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(())
}

fn summarise(manifest: &Path, results: Vec<ClipResult>, lm: bool, errors: usize) -> AudioReport {
    let scored: Vec<Scored> = results.iter().map(ClipResult::scored).collect();
    let scores = score(&scored);
    let realtime = realtime_summary(&results);
    let (calls, secs) = results
        .iter()
        .filter_map(|r| r.fit)
        .fold((0u64, 0f64), |(c, s), f| {
            (c + f.filter_calls, s + f.filter_s)
        });
    let filter_us_per_call = (calls > 0).then(|| (secs * 1e6 / calls as f64 * 10.0).round() / 10.0);
    let misses: Vec<ClipResult> = results
        .into_iter()
        .filter(|r| {
            r.outcome != Some(Outcome::Exact) && !(r.expected.is_none() && r.plan.is_none())
        })
        .take(errors)
        .collect();
    AudioReport {
        manifest: manifest.display().to_string(),
        scores,
        lm,
        realtime,
        filter_us_per_call,
        errors: misses,
    }
}

fn realtime_summary(results: &[ClipResult]) -> Option<RealtimeSummary> {
    let splits: Vec<Split> = results.iter().filter_map(|r| r.split).collect();
    if splits.is_empty() {
        return None;
    }
    let n = splits.len() as f64;
    let mean = |f: fn(&Split) -> f64| splits.iter().map(f).sum::<f64>() / n;
    let shown = splits.iter().filter(|s| s.early_shown).count();
    Some(RealtimeSummary {
        early_ms: 0,
        hangover_ms: 0,
        mean: Split {
            hangover_s: mean(|s| s.hangover_s),
            encoder_s: mean(|s| s.encoder_s),
            decoder_s: mean(|s| s.decoder_s),
            rescore_s: mean(|s| s.rescore_s),
            tagger_s: mean(|s| s.tagger_s),
            ..Split::default()
        },
        early_shown: shown as f64 / n,
        early_final: splits.iter().filter(|s| s.early_final).count() as f64 / shown.max(1) as f64,
        aborted: splits.iter().filter(|s| s.aborted > 0).count() as f64 / n,
    })
}

fn show(p: &Option<PlanValues>) -> String {
    p.map_or("aucun".into(), |p| {
        format!("{} × {} s / {} s", p.rounds, p.work_s, p.rest_s)
    })
}

fn print_report(r: &AudioReport) {
    println!(
        "extraits : {} ({} commandes){}",
        r.scores.clips,
        r.scores.commands,
        if r.lm { "" } else { ", sans modèle de langue" }
    );
    println!("plan exact : {:.3}", r.scores.plan_exact);
    println!(
        "plan faux montré comme compris : {:.3}",
        r.scores.wrong_shown_as_understood
    );
    println!(
        "plan faux signalé « À vérifier » : {:.3}",
        r.scores.wrong_flagged
    );
    println!("aucun plan : {:.3}", r.scores.no_plan);
    println!(
        "plans à vérifier (justes ou faux) : {:.3}",
        r.scores.uncertain
    );
    println!("exact et sûr : {:.3}", r.scores.exact_and_sure);
    if r.scores.plans_from_no_command > 0 {
        println!(
            "plans donnés sans commande (silence, bruit) : {}",
            r.scores.plans_from_no_command
        );
    }
    match &r.realtime {
        None => {
            println!(
                "temps par extrait : médiane {:.2} s, p95 {:.2} s",
                r.scores.median_s, r.scores.p95_s
            );
            if let Some(us) = r.filter_us_per_call {
                println!("filtre des logits (grammaire, modèle de langue) : {us:.0} µs par appel");
            }
        }
        Some(rt) => {
            println!(
                "fin de la parole -> plan montré : médiane {:.2} s, p95 {:.2} s",
                r.scores.median_s, r.scores.p95_s
            );
            let m = &rt.mean;
            println!(
                "  en moyenne : attente {:.2} s, encodeur {:.2} s, décodeur {:.2} s, réécoute {:.2} s, compréhension {:.3} s",
                m.hangover_s, m.encoder_s, m.decoder_s, m.rescore_s, m.tagger_s
            );
            println!(
                "  lancement après {} ms de pause (fin à {} ms) : plan montré tôt {:.3}, dont final {:.3} ; lancements interrompus {:.3}",
                rt.early_ms, rt.hangover_ms, rt.early_shown, rt.early_final, rt.aborted
            );
        }
    }
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
