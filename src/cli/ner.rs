//! `speechtimer parse` and `speechtimer train`.

use anyhow::Context;
use speechtimer_core::correction::merge;
use speechtimer_core::plan::{WorkoutPlan, format_duration};
use speechtimer_corpus::{Example, read_jsonl_file};
use speechtimer_nlu::{Arch, Nlu, Parsed, Verdict};
use speechtimer_train::{TrainConfig, search, train};
use speechtimer_voice::{Answer, answer_to};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub(crate) struct ParseArgs {
    /// La commande à comprendre, ex. "12 séries de 2 minutes, 30 secondes entre série".
    pub text: Option<String>,
    /// Lit un texte par ligne (ou des objets JSONL avec un champ "text").
    #[arg(long, conflicts_with = "text")]
    pub file: Option<PathBuf>,
    /// Une ligne JSON par texte (format JSONL d'ANNOTATION.md, avec scores).
    #[arg(long, conflicts_with = "onto")]
    pub json: bool,
    /// Lit le texte comme une réponse au plan de ce fichier (JSON d'un
    /// plan, comme `last_plan` des préférences) : une correction (« non,
    /// trois minutes ») change ce qu'elle nomme, et le plan corrigé est
    /// écrit en JSON ; « oui » le garde tel quel ; « non » est une erreur.
    #[arg(
        long,
        value_name = "PLAN.json",
        conflicts_with = "file",
        requires = "text"
    )]
    pub onto: Option<PathBuf>,
}

/// `ner_model`: the global `--ner-model`.
pub(crate) fn parse(args: ParseArgs, ner_model: Option<&Path>) -> anyhow::Result<()> {
    let nlu = Nlu::load(ner_model)?;
    if let (Some(onto), Some(text)) = (&args.onto, &args.text) {
        return correct(&nlu, onto, text);
    }
    let texts: Vec<String> = match (&args.text, &args.file) {
        (Some(t), _) => vec![t.clone()],
        (None, Some(f)) => read_texts(f)?,
        (None, None) => anyhow::bail!("donnez un texte ou --file FICHIER"),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for text in &texts {
        let parsed = nlu.parse(text)?;
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&parsed.report())?)?;
        } else {
            write!(out, "{}", describe(&parsed))?;
        }
    }
    Ok(())
}

/// `parse --onto`: `text` as an answer to the plan in `path`; the plan it
/// leaves is printed as JSON (what `--onto` reads back), what changed on
/// standard error.
fn correct(nlu: &Nlu, path: &Path, text: &str) -> anyhow::Result<()> {
    let json =
        std::fs::read_to_string(path).with_context(|| format!("lecture de {}", path.display()))?;
    let plan: WorkoutPlan = serde_json::from_str(&json)
        .with_context(|| format!("{} n'est pas un plan JSON", path.display()))?;
    plan.validate()
        .with_context(|| format!("plan de {}", path.display()))?;
    let parsed = nlu.parse(text)?;
    let plan = match answer_to(&plan, &parsed)? {
        Answer::Correct(c) => {
            let names: Vec<&str> = c.names().iter().map(|q| q.french()).collect();
            let new = merge(&plan, &c).context("plan corrigé refusé")?;
            eprintln!("Corrigé ({}) : {}", names.join(", "), new.summary());
            new
        }
        Answer::Yes => {
            eprintln!("Confirmé : {}", plan.summary());
            plan
        }
        Answer::No => anyhow::bail!("« {text} » : plan annulé"),
        Answer::Unclear => {
            anyhow::bail!("« {text} » : ni oui, ni non, ni correction (aucune valeur reconnue)")
        }
    };
    println!("{}", serde_json::to_string_pretty(&plan)?);
    Ok(())
}

/// One text per line, or JSONL objects with a `text` field.
fn read_texts(path: &Path) -> anyhow::Result<Vec<String>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("lecture de {}", path.display()))?;
    let mut texts = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line?;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let text = if trimmed.starts_with('{') {
            match serde_json::from_str::<serde_json::Value>(trimmed)
                .ok()
                .and_then(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
            {
                Some(t) => t,
                None => trimmed.to_string(),
            }
        } else {
            trimmed.to_string()
        };
        texts.push(text);
    }
    Ok(texts)
}

/// The human-readable answer of `parse`.
pub(crate) fn describe(p: &Parsed) -> String {
    let mut s = format!("« {} »\n", p.text);
    for e in &p.entities {
        s.push_str(&format!(
            "  {:<16} {:<12} ({:.2})\n",
            e.label.as_str(),
            e.text,
            e.score.unwrap_or(0.0)
        ));
    }
    match (p.verdict(), &p.plan) {
        (Verdict::Sure(plan), _) => s.push_str(&format!("Plan : {}\n", plan.summary())),
        (Verdict::ToCheck(plan, _), _) => s.push_str(&format!(
            "Plan à vérifier : {} — {}\n",
            plan.summary(),
            p.trust.french().unwrap_or_default()
        )),
        (Verdict::Refused(e), Ok(v)) => s.push_str(&format!(
            "Plan : {} × {} / repos {} — refusé : {e}\n",
            v.rounds,
            format_duration(std::time::Duration::from_secs(v.work_s.into())),
            format_duration(std::time::Duration::from_secs(v.rest_s.into())),
        )),
        (Verdict::Refused(e), Err(_)) => s.push_str(&format!("Plan refusé : {e}\n")),
        (Verdict::Incomplete(e), _) => s.push_str(&format!("Plan incomplet : {e}\n")),
    }
    for n in &p.notes {
        s.push_str(&format!("Note : {n}\n"));
    }
    s
}

/// `--arch`: the encoders' names, listed in `--help`.
fn arch_parser() -> impl clap::builder::TypedValueParser<Value = Arch> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Arch::ALL.map(Arch::as_str))
        .try_map(|s| s.parse::<Arch>())
}

#[derive(Debug, clap::Args)]
pub(crate) struct TrainArgs {
    #[arg(long, value_parser = arch_parser())]
    pub arch: Arch,
    /// Exemples d'entraînement (JSONL, `speechtimer data generate`).
    #[arg(long)]
    pub train: PathBuf,
    /// Exemples de validation générés (jamais ../shared/data/dev.jsonl).
    #[arg(long)]
    pub valid: PathBuf,
    /// Exemples étiquetés à la main (JSONL, `speechtimer label pull`)
    /// mêlés à l'entraînement ; répétable.
    #[arg(long, value_name = "FICHIER.jsonl")]
    pub extra: Vec<PathBuf>,
    /// Combien de fois chaque exemple de --extra entre dans l'entraînement.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub extra_times: u32,
    /// Dossier du modèle (model.safetensors, config.json, tokenizer.json, metrics.jsonl, curve.png).
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long)]
    pub epochs: Option<usize>,
    #[arg(long)]
    pub seed: Option<u64>,
    #[arg(long)]
    pub lr: Option<f64>,
    #[arg(long)]
    pub hidden: Option<usize>,
    /// Budget de temps en minutes.
    #[arg(long)]
    pub max_minutes: Option<f64>,
    /// Recherche aléatoire de N réglages avant l'entraînement final.
    #[arg(long, default_value_t = 0)]
    pub search: usize,
    /// Époques de chaque essai de la recherche.
    #[arg(long, default_value_t = 2)]
    pub search_epochs: usize,
}

fn read(path: &Path) -> anyhow::Result<Vec<Example>> {
    read_jsonl_file(path).with_context(|| format!("lecture de {}", path.display()))
}

/// A hand-labelled file, every example checked as `data check` does: a
/// wrong one refuses the whole file before any training.
fn read_checked(path: &Path) -> anyhow::Result<Vec<Example>> {
    let examples = read(path)?;
    let wrong: Vec<String> = examples
        .iter()
        .enumerate()
        .filter_map(|(i, ex)| {
            let problems = speechtimer_corpus::validate(ex);
            (!problems.is_empty()).then(|| {
                let why: Vec<String> = problems.iter().map(ToString::to_string).collect();
                format!("  ligne {} : {}", i + 1, why.join(" ; "))
            })
        })
        .collect();
    if !wrong.is_empty() {
        anyhow::bail!(
            "{} : {} exemple(s) à corriger (`speechtimer data check`) :\n{}",
            path.display(),
            wrong.len(),
            wrong.join("\n")
        );
    }
    Ok(examples)
}

/// `extra`'s examples `times` times each, mixed into `train` at evenly
/// spread places (the seeded shuffle of training mixes them further).
fn with_extra(mut train: Vec<Example>, extra: &[Example], times: u32) -> Vec<Example> {
    let added = extra.len() * times as usize;
    if added == 0 {
        return train;
    }
    let mut out = Vec::with_capacity(train.len() + added);
    let every = train.len() / added + 1;
    let mut extras = (0..times).flat_map(|_| extra.iter().cloned());
    for (i, ex) in train.drain(..).enumerate() {
        if i % every == 0
            && let Some(x) = extras.next()
        {
            out.push(x);
        }
        out.push(ex);
    }
    out.extend(extras);
    out
}

pub(crate) fn run_train(args: TrainArgs) -> anyhow::Result<()> {
    let mut extra = Vec::new();
    for path in &args.extra {
        let examples = read_checked(path)?;
        eprintln!(
            "{} : {} exemples étiquetés à la main, {} fois chacun",
            path.display(),
            examples.len(),
            args.extra_times
        );
        extra.extend(examples);
    }
    let train_set = with_extra(read(&args.train)?, &extra, args.extra_times);
    let valid_set = read(&args.valid)?;
    let mut cfg = TrainConfig::default_for(args.arch);
    if let Some(e) = args.epochs {
        cfg.epochs = e;
    }
    if let Some(s) = args.seed {
        cfg.seed = s;
    }
    if let Some(lr) = args.lr {
        cfg.lr = lr;
    }
    if let Some(h) = args.hidden {
        cfg.hidden = h;
    }
    if let Some(m) = args.max_minutes {
        cfg.max_minutes = m;
    }
    let outcome = if args.search > 0 {
        let (best, outcome, tried) = search::search(
            &train_set,
            &valid_set,
            &cfg,
            args.search,
            args.search_epochs,
            &args.out,
            true,
        )?;
        for (c, f1) in &tried {
            eprintln!(
                "essai lr {:.0e} dropout {} mots {} filtres {} caché {} : F1 {:.4}",
                c.lr, c.dropout, c.word_dim, c.char_filters, c.hidden, f1
            );
        }
        eprintln!("retenu : {}", serde_json::to_string(&best)?);
        outcome
    } else {
        train(&train_set, &valid_set, &cfg, Some(&args.out), true)?
    };
    println!(
        "{} : meilleure époque {}, F1 validation {:.4}, plan exact {:.4}, {} paramètres, {:.0} s, {} exemples ignorés",
        args.arch.as_str(),
        outcome.best_epoch,
        outcome.valid.micro.f1,
        outcome.valid.plan_exact_match,
        outcome.parameters,
        outcome.seconds,
        outcome.skipped_examples,
    );
    println!("modèle écrit dans {}", args.out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str) -> Example {
        Example {
            text: text.into(),
            entities: vec![],
            plan: None,
        }
    }

    #[test]
    fn extra_examples_are_spread_through_training_times_over() {
        let train: Vec<Example> = (0..10).map(|i| ex(&format!("t{i}"))).collect();
        let mixed = with_extra(train, &[ex("a"), ex("b")], 3);
        let texts: Vec<&str> = mixed.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts.len(), 16);
        assert_eq!(texts.iter().filter(|t| **t == "a").count(), 3);
        assert_eq!(texts.iter().filter(|t| **t == "b").count(), 3);
        assert_eq!(texts.iter().filter(|t| t.starts_with('t')).count(), 10);
        // not all at one end
        assert_ne!(texts[0..6].iter().filter(|t| t.len() == 1).count(), 6);
        assert_ne!(texts[10..].iter().filter(|t| t.len() == 1).count(), 6);
        assert_eq!(with_extra(vec![ex("t")], &[], 3).len(), 1);
        assert_eq!(with_extra(vec![], &[ex("a")], 2).len(), 2);
    }
}
