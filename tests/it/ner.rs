//! The NER model: tiny training runs for both architectures, the shipped
//! (embedded) model on the guide's example and on dev.jsonl, save/load,
//! corrupt files and odd inputs.

use speechtimer_core::values::{Label, PlanValues};
use speechtimer_corpus::generate::generate;
use speechtimer_corpus::{Example, read_jsonl_file};
use speechtimer_nlu::{Arch, ModelFiles, Nlu};
use speechtimer_train::{TrainConfig, predict, train};
use std::path::PathBuf;

/// What the guide's example means.
const HEADLINE_PLAN: PlanValues = PlanValues::new(12, 120, 30);

/// Just under the shipped model's plan exact over every field on
/// tests/data/structures.jsonl (docs/results.md, "NER model").
const STRUCTURES_FLOOR: f64 = 0.90;

/// Under what the tiny runs reach on their 100 held-back sentences (F1 and
/// plan exact: LSTM+CRF 0.978 and 0.94, Transformer 0.876 and 0.69), with
/// room for another CPU's float sums.
fn tiny_floors(arch: Arch) -> (f64, f64) {
    match arch {
        Arch::LstmCrf => (0.90, 0.85),
        Arch::Transformer => (0.80, 0.60),
    }
}

fn tiny_run(arch: Arch) {
    // the transformer learns more slowly: it gets more sentences
    let n_train = match arch {
        Arch::LstmCrf => 3000,
        Arch::Transformer => 6000,
    };
    // a tiny run tests that training works, not the whole grammar: the
    // generator's sentences that say only the guide's seven labels (no
    // sets, warm-up, format…), which a tiny model can learn in minutes
    let data: Vec<Example> = generate(3 * n_train, 42, |_| {})
        .into_iter()
        .filter(|ex| ex.entities.iter().all(|e| e.label.in_guide()))
        .take(n_train + 100)
        .collect();
    assert_eq!(data.len(), n_train + 100, "enough plain sentences");
    let (train_set, valid_set) = data.split_at(n_train);
    let mut cfg = TrainConfig::default_for(arch);
    cfg.epochs = match arch {
        Arch::LstmCrf => 12,
        Arch::Transformer => 16,
    };
    cfg.patience = cfg.epochs;
    cfg.batch_size = 16;
    cfg.lr = match arch {
        Arch::LstmCrf => 1e-2,
        Arch::Transformer => 5e-3,
    };
    cfg.word_dim = 32;
    cfg.char_filters = 32;
    cfg.hidden = 64;
    cfg.layers = 1;
    cfg.dropout = 0.1;
    let dir = tempfile::tempdir().unwrap();
    let outcome = train(train_set, valid_set, &cfg, Some(dir.path()), false).unwrap();
    let first = outcome.logs.first().unwrap().loss;
    let last = outcome.logs.last().unwrap().loss;
    assert!(last < first * 0.5, "{arch:?}: loss {first} -> {last}");
    for name in [
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "metrics.jsonl",
        "curve.png",
    ] {
        assert!(dir.path().join(name).exists(), "{name} written");
    }
    let nlu = Nlu::load_dir(dir.path()).unwrap();
    // the headline's count is learned with a wide margin, and its « 2 » as
    // minutes; which side of the plan the minutes go to (work or rest, with
    // « entre série » after them) is a rarer shape that a tiny model may put
    // on either side of 0.5, and float sums differ from one CPU to another
    // (the clean-clone CI once gave the rest 0.53 to the work, and once the
    // work 0.54 to the rest): work against rest is held by the plans of the
    // held-back sentences instead
    let p = nlu
        .parse("12 séries de 2 minutes, 30 secondes entre série")
        .unwrap();
    let heard = |label: Label| p.entities.iter().find(|e| e.label == label);
    assert_eq!(
        heard(Label::NbRounds).map(|e| e.text.as_str()),
        Some("12"),
        "{arch:?}: {:?}",
        p.entities
    );
    let minutes = p
        .entities
        .iter()
        .find(|e| matches!(e.label, Label::DurationWtMin | Label::DurationBrMin));
    assert_eq!(
        minutes.map(|e| (e.start, e.text.as_str())),
        Some((13, "2")),
        "{arch:?}: {:?}",
        p.entities
    );
    let report = &outcome.valid;
    eprintln!(
        "{arch:?}: valid F1 {:.3}, plan exact {:.3}",
        report.micro.f1, report.plan_exact_match
    );
    let (f1_floor, plan_floor) = tiny_floors(arch);
    assert!(
        report.micro.f1 > f1_floor,
        "{arch:?}: valid F1 {}",
        report.micro.f1
    );
    assert!(
        report.plan_exact_match > plan_floor,
        "{arch:?}: valid plan exact {}",
        report.plan_exact_match
    );
}

#[test]
fn tiny_training_lstm_crf_learns() {
    tiny_run(Arch::LstmCrf);
}

#[test]
fn tiny_training_transformer_learns() {
    tiny_run(Arch::Transformer);
}

#[test]
fn embedded_model_parses_the_guide_example_exactly() {
    let nlu = Nlu::embedded().unwrap();
    let text = "12 séries de 2 minutes, 30 secondes entre série";
    let p = nlu.parse(text).unwrap();
    let spans: Vec<(usize, usize, Label, &str)> = p
        .entities
        .iter()
        .map(|e| (e.start, e.end, e.label, e.text.as_str()))
        .collect();
    assert_eq!(
        spans,
        vec![
            (0, 2, Label::NbRounds, "12"),
            (13, 14, Label::DurationWtMin, "2"),
            (24, 26, Label::DurationBrSd, "30"),
        ]
    );
    assert_eq!(p.plan, Ok(HEADLINE_PLAN));
    assert!(
        p.entities
            .iter()
            .all(|e| e.score.is_some_and(|s| (0.0..=1.0).contains(&s)))
    );
    assert!(p.confidence > 0.5);
}

/// The plan the embedded model reads in `text`.
fn plan_of(nlu: &Nlu, text: &str) -> Option<PlanValues> {
    nlu.parse(text).unwrap().plan.ok()
}

#[test]
fn embedded_model_expands_each_named_format_and_explicit_numbers_win() {
    use speechtimer_core::values::Format;
    let nlu = Nlu::embedded().unwrap();
    let with = |f, p: PlanValues| PlanValues {
        format: Some(f),
        ..p
    };
    let cases = [
        (
            "un Tabata",
            with(Format::Tabata, PlanValues::new(8, 20, 10)),
        ),
        (
            "un Tabata de 10 séries",
            with(Format::Tabata, PlanValues::new(10, 20, 10)),
        ),
        (
            "4 Tabatas avec 1 minute entre",
            PlanValues {
                sets: 4,
                set_rest_s: 60,
                ..with(Format::Tabata, PlanValues::new(8, 20, 10))
            },
        ),
        (
            "EMOM de 12 minutes",
            with(Format::Emom, PlanValues::new(12, 60, 0)),
        ),
        (
            "AMRAP de 15 minutes",
            with(Format::Amrap, PlanValues::new(1, 900, 0)),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(plan_of(&nlu, text), Some(want), "{text}");
    }
    let amrap = plan_of(&nlu, "AMRAP de 15 minutes").unwrap();
    assert!(amrap.to_workout_plan().unwrap().counts_taps);
}

#[test]
fn embedded_model_reads_blocks_warm_up_and_preparation() {
    let nlu = Nlu::embedded().unwrap();
    // the example: the preparation is not more work
    let p = plan_of(
        &nlu,
        "six tours de 45 secondes avec quinze secondes de récup, puis 2 minutes de préparation",
    )
    .unwrap();
    assert_eq!(
        p,
        PlanValues {
            prepare_s: Some(120),
            ..PlanValues::new(6, 45, 15)
        }
    );
    let p = plan_of(
        &nlu,
        "3 blocs de 8 tours de 20 secondes, 10 secondes de repos, 1 minute entre les blocs et 5 minutes d'échauffement",
    )
    .unwrap();
    assert_eq!(
        p,
        PlanValues {
            sets: 3,
            set_rest_s: 60,
            warmup_s: 300,
            ..PlanValues::new(8, 20, 10)
        }
    );
}

/// Numbers that are no plan value, one phrase per class of the issue.
const DISTRACTORS: &[(&str, &str)] = &[
    ("time of day", "à 18 heures"),
    ("time of day", "il est 6h"),
    ("span of days", "depuis 3 jours"),
    ("span of days", "pour les 5 prochains jours"),
    ("date", "le 14 juin"),
    ("weight", "avec 20 kilos"),
    ("power", "à 200 watts"),
    ("distance", "sur 5 km"),
    ("heart rate", "à 150 bpm"),
];

#[test]
fn every_distractor_class_leaves_the_plan_untouched() {
    let nlu = Nlu::embedded().unwrap();
    let bases = [
        "8 tours de 30 secondes, 15 secondes de repos",
        "10 séries de 1 minute avec 20 secondes de récup",
        "EMOM de 12 minutes",
        "3 blocs de 6 tours de 40 secondes, 2 minutes entre les blocs",
    ];
    let mut wrong = Vec::new();
    for base in bases {
        let want = plan_of(&nlu, base);
        assert!(want.is_some(), "{base}");
        for (class, d) in DISTRACTORS {
            for text in [format!("{base}, {d}"), format!("{d}, {base}")] {
                let got = plan_of(&nlu, &text);
                if got != want {
                    wrong.push(format!("{class}: {text} -> {got:?}, want {want:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn embedded_model_floor_on_the_structures_set() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/structures.jsonl");
    let gold = read_jsonl_file(&path).unwrap();
    assert!(gold.len() >= 80, "{} utterances", gold.len());
    let nlu = Nlu::embedded().unwrap();
    let pred = predict(&nlu, &gold).unwrap();
    let report = speechtimer_corpus::metrics::evaluate(&gold, &pred);
    // a floor under the measured figure (docs/results.md); `speechtimer eval` gives it
    assert!(
        report.plan_exact_all >= STRUCTURES_FLOOR,
        "plan exact over every field {}",
        report.plan_exact_all
    );
}

fn dev_path() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/dev.jsonl");
    if p.exists() {
        Some(p)
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared/data/dev.jsonl"
        );
        eprintln!("\n*** SKIPPED: ../shared/data/dev.jsonl not found beside the checkout ***\n");
        None
    }
}

#[test]
fn embedded_model_floor_on_dev() {
    let Some(path) = dev_path() else { return };
    let gold = read_jsonl_file(&path).unwrap();
    let nlu = Nlu::embedded().unwrap();
    let pred = predict(&nlu, &gold).unwrap();
    let report = speechtimer_corpus::metrics::evaluate(&gold, &pred);
    // a floor that catches a broken shipped model; `speechtimer eval` gives the figure
    assert!(
        report.plan_exact_match >= 0.90,
        "plan exact {}",
        report.plan_exact_match
    );
}

#[test]
fn save_load_round_trip_and_corrupt_files() {
    let nlu = Nlu::embedded().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = ModelFiles::embedded();
    files.write_dir(dir.path()).unwrap();
    let back = Nlu::load_dir(dir.path()).unwrap();
    let texts = [
        "8 rounds de 20 secondes avec 10 secondes de repos",
        "trois fois 10 minutes",
    ];
    for t in texts {
        assert_eq!(back.parse(t).unwrap(), nlu.parse(t).unwrap());
    }
    // truncated weights
    let mut broken = files.clone();
    broken.weights.truncate(broken.weights.len() / 2);
    let err = Nlu::from_files(&broken).unwrap_err().to_string();
    assert!(err.contains("corrompu"), "{err}");
    // config that does not match the weights
    let mut cfg: serde_json::Value = serde_json::from_slice(&files.config).unwrap();
    cfg["hidden"] = (cfg["hidden"].as_u64().unwrap() + 8).into();
    let mismatched = ModelFiles {
        config: serde_json::to_vec(&cfg).unwrap(),
        ..files.clone()
    };
    assert!(Nlu::from_files(&mismatched).is_err());
    // garbage tokenizer, missing directory
    let garbage = ModelFiles {
        tokenizer: b"{]".to_vec(),
        ..files
    };
    assert!(Nlu::from_files(&garbage).is_err());
    let missing = Nlu::load_dir(&dir.path().join("nope"))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("introuvable"), "{missing}");
}

#[test]
fn odd_inputs_never_panic() {
    let nlu = Nlu::embedded().unwrap();
    let empty = nlu.parse("").unwrap();
    assert!(empty.entities.is_empty() && empty.plan.is_err() && !empty.notes.is_empty());
    let long = "douze séries de deux minutes ".repeat(400);
    assert!(long.chars().count() >= 10_000);
    let p = nlu.parse(&long).unwrap();
    assert!(p.notes.iter().any(|n| n.contains("trop long")));
    for text in [
        "💪🔥⏱️",
        "bonjour, comment ça va ?",
        "   \t\n",
        "\u{0}\u{ffff}",
    ] {
        let p = nlu.parse(text).unwrap();
        assert!(p.plan.is_err(), "{text:?} gave {:?}", p.plan);
    }
    let partial = nlu.parse("douze séries").unwrap();
    assert!(
        partial
            .plan
            .unwrap_err()
            .to_string()
            .contains("durée d'effort")
    );
}

#[test]
fn parse_cli_json_lines() {
    let exe = env!("CARGO_BIN_EXE_speechtimer");
    let out = std::process::Command::new(exe)
        .args([
            "parse",
            "--json",
            "12 séries de 2 minutes, 30 secondes entre série",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["plan"],
        serde_json::json!({"rounds": 12, "work_s": 120, "rest_s": 30})
    );
    assert_eq!(v["entities"][1]["start"], 13);
    assert!(v["entities"][0]["score"].is_number());
    // a file of texts and JSONL objects, one output line each
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.txt");
    std::fs::write(
        &f,
        "trois fois 10 minutes\n{\"text\": \"8 rounds de 20 secondes\"}\n\n",
    )
    .unwrap();
    let out = std::process::Command::new(exe)
        .args(["parse", "--json", "--file"])
        .arg(&f)
        .output()
        .unwrap();
    let lines: Vec<Example> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1].text, "8 rounds de 20 secondes");
}
