//! End-to-end paths of `speechtimer data` and `speechtimer eval`.

use speechtimer_core::values::Label;
use speechtimer_corpus::{Example, generate, validate};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn speechtimer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_speechtimer"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn jsonl(examples: &[Example]) -> Vec<u8> {
    let mut buf = Vec::new();
    speechtimer_corpus::write_jsonl(&mut buf, examples).unwrap();
    buf
}

#[test]
fn generate_20000_is_deterministic_valid_and_covers_every_label() {
    let a = jsonl(&generate::generate(20_000, 1, |_| {}));
    let b = jsonl(&generate::generate(20_000, 1, |_| {}));
    assert!(a == b, "same seed, different bytes");
    let report = speechtimer_corpus::check_lines(&a[..]);
    assert_eq!(report.lines, 20_000);
    assert!(
        report.is_clean(),
        "{:?}",
        &report.problems[..report.problems.len().min(5)]
    );
    let examples: Vec<Example> = speechtimer_corpus::read_jsonl(&a[..])
        .map(|(_, r)| r.unwrap())
        .collect();
    let summary = generate::summarise(&examples);
    // the guide's labels are common; of the new ones, nobody says an hour
    // of preparation or of rest between sets, and seconds of warm-up or
    // cool-down are rare (measured: dozens in 20 000)
    for label in Label::ALL {
        let floor = match label {
            l if l.in_guide() => 500,
            Label::DurationPrepHr | Label::DurationSbrHr => 0,
            Label::DurationWuSd
            | Label::DurationCdSd
            | Label::DurationWuHr
            | Label::DurationCdHr => 15,
            _ => 150,
        };
        assert!(
            summary.labels[&label] >= floor,
            "{label}: {}",
            summary.labels[&label]
        );
    }
    assert!(summary.shapes > 5_000, "only {} shapes", summary.shapes);
}

#[test]
fn cli_generate_then_check() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    for path in [&one, &two] {
        let out = speechtimer(&[
            "data",
            "generate",
            "--n",
            "300",
            "--seed",
            "42",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("300 exemples"), "{stdout}");
        assert!(stdout.contains("nb_rounds"), "{stdout}");
    }
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    assert_eq!(std::fs::read_to_string(&one).unwrap().lines().count(), 300);
    let out = speechtimer(&["data", "check", one.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("300 valides"));
}

#[test]
fn check_reports_every_bad_line_and_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.jsonl");
    let good = r#"{"text": "récup 20", "entities": [{"start": 6, "end": 8, "label": "duration_br_sd", "text": "20"}], "plan": {"rounds": 1, "work_s": 0, "rest_s": 20}}"#;
    let ok = r#"{"text": "3 x 45 s", "entities": [{"start": 0, "end": 1, "label": "nb_rounds", "text": "3"}, {"start": 4, "end": 6, "label": "duration_wt_sd", "text": "45"}], "plan": {"rounds": 3, "work_s": 45, "rest_s": 0}}"#;
    let mut data = Vec::new();
    data.extend_from_slice(ok.as_bytes());
    data.extend_from_slice(b"\n{\"text\": \n");
    data.extend_from_slice(&[0xc3, 0x28, b'\n']);
    data.extend_from_slice(ok.replace("\"end\": 6", "\"end\": 60").as_bytes());
    data.push(b'\n');
    data.extend_from_slice(ok.replace("nb_rounds", "nb_round").as_bytes());
    data.push(b'\n');
    data.extend_from_slice(good.as_bytes());
    data.push(b'\n');
    data.extend_from_slice(ok.replace("\"rounds\": 3", "\"rounds\": 4").as_bytes());
    data.push(b'\n');
    std::fs::write(&path, data).unwrap();
    let out = speechtimer(&["data", "check", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    for line in 2..=7 {
        assert!(
            stdout.contains(&format!("bad.jsonl:{line}:")),
            "line {line} missing in\n{stdout}"
        );
    }
    assert!(!stdout.contains("bad.jsonl:1:"), "{stdout}");
    assert!(stdout.contains("7 exemples, 1 valides"), "{stdout}");
    assert!(!text(&out.stderr).contains("panicked"));

    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let out = speechtimer(&["data", "check", empty.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("fichier vide"),
        "{}",
        text(&out.stderr)
    );
    let out = speechtimer(&[
        "data",
        "check",
        dir.path().join("absent.jsonl").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(!text(&out.stderr).contains("panicked"));
}

#[test]
fn dev_set_follows_the_guide() {
    let dev = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/dev.jsonl");
    if !dev.exists() {
        eprintln!(
            "\n!!!!!!!! SKIPPED: {} is missing (CI has it) !!!!!!!!\n",
            dev.display()
        );
        return;
    }
    let out = speechtimer(&["data", "check", dev.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/label-studio/export.json")
}

#[test]
fn label_studio_import() {
    let out = speechtimer(&["data", "import-ls", fixture().to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let examples: Vec<Example> = speechtimer_corpus::read_jsonl(&out.stdout[..])
        .map(|(_, r)| r.unwrap())
        .collect();
    assert_eq!(examples.len(), 3);
    for ex in &examples {
        assert_eq!(validate(ex), vec![], "{}", ex.to_json_line());
    }
    // the ground-truth annotation wins over the earlier one
    let first = &examples[0];
    assert_eq!(first.entities.len(), 4);
    assert_eq!(first.entities[3].label, Label::DurationWtSd);
    let plan = first.plan.unwrap();
    assert_eq!((plan.rounds, plan.work_s, plan.rest_s), (6, 90, 20));
    // sorted by offset, accents before the span counted as code points
    assert_eq!(first.entities[0].start, 13);
    let accented = &examples[2];
    assert!(accented.text.starts_with("Échauffement"));
    assert_eq!(
        (
            accented.entities[0].start,
            accented.entities[0].text.as_str()
        ),
        (18, "une demi")
    );
    let plan = accented.plan.unwrap();
    assert_eq!((plan.rounds, plan.work_s, plan.rest_s), (3, 1800, 0));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("tâche 103"), "{stderr}");
    assert!(stderr.contains("tâche 105"), "{stderr}");
    assert!(stderr.contains("2 tâches ignorées"), "{stderr}");
}

#[test]
fn label_studio_export_then_import_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("gen.jsonl");
    std::fs::write(&data, jsonl(&generate::generate(50, 3, |_| {}))).unwrap();
    let out = speechtimer(&["data", "export-ls", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let tasks: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tasks.as_array().unwrap().len(), 50);
    let r = &tasks[0]["predictions"][0]["result"];
    assert!(r.is_array());
    if let Some(item) = r.get(0) {
        assert_eq!(item["from_name"], "label");
        assert_eq!(item["to_name"], "text");
        assert_eq!(item["type"], "labels");
    }
    // accepted predictions come back as the same examples
    let accepted = dir.path().join("accepted.json");
    std::fs::write(
        &accepted,
        text(&out.stdout).replace("\"predictions\"", "\"annotations\""),
    )
    .unwrap();
    let back = dir.path().join("back.jsonl");
    let out = speechtimer(&[
        "data",
        "import-ls",
        accepted.to_str().unwrap(),
        "--out",
        back.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&data).unwrap());
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"oops\"").unwrap();
    let out = speechtimer(&["data", "import-ls", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("illisible"));
}

#[test]
fn eval_scores_a_predictions_file() {
    let dir = tempfile::tempdir().unwrap();
    let gold_path = dir.path().join("gold.jsonl");
    let pred_path = dir.path().join("pred.jsonl");
    let gold = generate::generate(40, 9, |_| {});
    std::fs::write(&gold_path, jsonl(&gold)).unwrap();
    // the prediction loses every span of the first example and drops its plan
    let mut pred = gold.clone();
    let lost = pred[0].entities.len();
    pred[0].entities.clear();
    pred[0].plan = None;
    std::fs::write(&pred_path, jsonl(&pred)).unwrap();
    let out = speechtimer(&[
        "eval",
        "--data",
        gold_path.to_str().unwrap(),
        "--pred",
        pred_path.to_str().unwrap(),
        "--json",
        "--errors",
        "5",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total: usize = gold.iter().map(|e| e.entities.len()).sum();
    assert_eq!(report["micro"]["false_neg"], lost);
    assert_eq!(report["micro"]["true_pos"], total - lost);
    assert_eq!(report["micro"]["precision"], 1.0);
    assert_eq!(report["plan_matches"], 39);
    assert_eq!(report["errors"].as_array().unwrap().len(), 1);
    let out = speechtimer(&[
        "eval",
        "--data",
        gold_path.to_str().unwrap(),
        "--pred",
        pred_path.to_str().unwrap(),
        "--errors",
        "3",
    ]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("plan exact : 0.975 (39/40)"), "{stdout}");
    assert!(stdout.contains("attendu"), "{stdout}");
    assert!(
        stdout.contains("duration_wt_sd") || stdout.contains("duration_wt_min"),
        "{stdout}"
    );
}

#[test]
fn window_flags_are_listed_for_the_window_only() {
    let help = |args: &[&str]| text(&speechtimer(args).stdout);
    for window in [&["--help"][..], &["window", "--help"][..]] {
        let h = help(window);
        assert!(h.contains("--mute") && h.contains("--audio-file"), "{h}");
    }
    for other in [
        &["data", "import-ls", "--help"][..],
        &["parse", "--help"][..],
        &["serve", "--help"][..],
        &["cues", "--help"][..],
    ] {
        let h = help(other);
        assert!(!h.contains("--mute"), "{other:?} lists --mute:\n{h}");
        assert!(!h.contains("--audio-file"), "{other:?}:\n{h}");
    }
    // a window flag given to another command is refused, not ignored
    let out = speechtimer(&["parse", "--mute", "8 séries de 20 secondes"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--mute"));
}

/// `-` is standard output where a file is written and standard input where
/// one is read; what is said about the file goes to stderr then.
#[test]
fn a_dash_is_standard_output_and_input() {
    let out = speechtimer(&["data", "generate", "--n", "40", "--seed", "3", "--out", "-"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!Path::new("-").exists(), "a file named « - » was written");
    let expected = jsonl(&generate::generate(40, 3, |_| {}));
    assert_eq!(out.stdout, expected, "stdout is the JSONL, nothing else");
    assert!(text(&out.stderr).contains("40 exemples écrits"));

    use std::io::Write;
    let mut check = Command::new(env!("CARGO_BIN_EXE_speechtimer"))
        .args(["data", "check", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    check.stdin.take().unwrap().write_all(&expected).unwrap();
    let checked = check.wait_with_output().unwrap();
    assert!(checked.status.success());
    assert!(
        text(&checked.stdout).contains("- : 40 exemples, 40 valides, 0 fautifs"),
        "{}",
        text(&checked.stdout)
    );
}

/// `speechtimer data generate --out - | head -1`: the reader goes away, and
/// the program ends quietly as other Unix tools do (killed by SIGPIPE).
#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    use std::io::BufRead;
    use std::os::unix::process::ExitStatusExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_speechtimer"))
        .args(["data", "generate", "--n", "20000", "--out", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"text\""), "{first}");
    // the reader is dropped here: the pipe is closed
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{:?}", out.status);
    assert!(
        text(&out.stderr).trim().is_empty(),
        "said on a closed pipe: {}",
        text(&out.stderr)
    );
}
