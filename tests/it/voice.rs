//! The audio fixtures through the same voice pipeline the window uses
//! (worker thread, file source, end-of-speech detection, Whisper, NER).
//! Needs the Whisper model (see `crate::common::model_or_skip`).

use crate::common::{Clip, fixtures, manifest, model_or_skip};
use speechtimer_devices::Source;
use speechtimer_nlu::Nlu;
use speechtimer_voice::worker::EARLY_MS;
use speechtimer_voice::{Expect, Heard, Voice, VoiceConfig, VoiceMsg, rehear, slots};
use std::sync::Arc;
use std::time::Duration;

/// Share of command clips whose plan comes out exactly right: measured
/// 12/22 = 0.545 with the fused LM and count rescoring (see docs/results.md, "Voice to plan, end
/// to end"); the floor sits just under it.
const PLAN_EXACT_FLOOR: f64 = 0.50;

/// Sends one clip to the worker and waits for its outcome, checking the
/// order of the stages on the way.
fn hear(voice: &Voice, clip: &str) -> VoiceMsg {
    hear_at_pace(voice, clip, false).0
}

/// [`hear`], the clip played at the pace of speech (`realtime`) or read
/// at once; also gives the early plans shown on the way.
fn hear_at_pace(voice: &Voice, clip: &str, realtime: bool) -> (VoiceMsg, Vec<Heard>) {
    voice.listen(Source::File {
        path: fixtures().join(clip),
        realtime,
    });
    let mut early = Vec::new();
    let mut listened = false;
    let mut transcribing = false;
    loop {
        let msg = voice
            .recv_timeout(Duration::from_secs(300))
            .unwrap_or_else(|| panic!("{clip}: no answer from the voice worker"));
        match msg {
            VoiceMsg::Loading => assert!(!listened, "{clip}: loading after listening"),
            VoiceMsg::Listening(_) => listened = true,
            VoiceMsg::Transcribing => {
                assert!(listened, "{clip}: transcribing before listening");
                transcribing = true;
            }
            VoiceMsg::Early(h) => {
                assert!(listened && !transcribing, "{clip}: early plan out of order");
                early.push(h);
            }
            VoiceMsg::Understood(_) | VoiceMsg::NotUnderstood { .. } | VoiceMsg::Error(_) => {
                if matches!(msg, VoiceMsg::Understood(_)) {
                    assert!(transcribing, "{clip}: understood without transcribing");
                }
                return (msg, early);
            }
        }
    }
}

/// The voice worker with Whisper and the embedded tagger, early runs after
/// `early_ms` (`None`: no Whisper model, the test is skipped).
fn worker(early_ms: u32) -> Option<Voice> {
    let model = model_or_skip("voice")?;
    let nlu = Arc::new(Nlu::embedded().expect("embedded model"));
    let mut config = VoiceConfig::new(model, Some(nlu));
    config.early_ms = early_ms;
    Some(speechtimer::app::threads::spawn_voice(config, || {}).expect("worker starts"))
}

fn heard_of(msg: &VoiceMsg) -> Option<&Heard> {
    match msg {
        VoiceMsg::Understood(h) | VoiceMsg::NotUnderstood { heard: h, .. } => Some(h),
        _ => None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[test]
fn audio_fixtures_to_plans_through_the_voice_pipeline() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some(voice) = worker(EARLY_MS) else {
        return;
    };
    let clips: Vec<Clip> = manifest()
        .into_iter()
        .filter(|c| c.kind.is_none() && c.plan.is_some())
        .collect();
    assert!(clips.len() >= 20);
    let (mut exact, mut assumed_right) = (0, 0);
    let mut latencies = Vec::new();
    for clip in &clips {
        let msg = hear(&voice, &clip.file);
        let want = clip.plan.expect("filtered");
        let heard = heard_of(&msg).unwrap_or_else(|| panic!("{}: {msg:?}", clip.file));
        let parsed = heard.parsed.as_ref();
        let got = parsed.and_then(|p| p.plan.as_ref().ok());
        let right = got.is_some_and(|g| {
            (g.rounds, g.work_s, g.rest_s) == (want.rounds, want.work_s, want.rest_s)
        });
        let assumed: Vec<String> = parsed
            .map(|p| p.assumed.iter().map(|a| a.to_string()).collect())
            .unwrap_or_default();
        eprintln!(
            "{:<24} {} {:>6.2}s {:?} -> {:?} {}",
            clip.file,
            if right { "OK " } else { "BAD" },
            heard.timings.end_of_speech_to_plan().as_secs_f32(),
            heard.transcript,
            got.map(|g| (g.rounds, g.work_s, g.rest_s)),
            assumed.join(", ")
        );
        latencies.push(heard.timings.end_of_speech_to_plan());
        if right {
            exact += 1;
            if !assumed.is_empty() {
                assumed_right += 1;
            }
        }
        // the headline at normal pace; the slow fr1 one is now heard « 30
        // secondes en tout chaque série » (the LM's « en tout »): see docs/results.md
        if clip.file == "headline-fr4.wav" {
            assert!(right, "{}: headline plan wrong: {msg:?}", clip.file);
            assert!(matches!(msg, VoiceMsg::Understood(_)));
        }
    }
    latencies.sort();
    let share = exact as f64 / clips.len() as f64;
    eprintln!(
        "plan exact: {exact}/{} = {share:.3}; right thanks to a sound-alike: {assumed_right}; \
         end of speech -> plan: median {:.2} s, p95 {:.2} s",
        clips.len(),
        percentile(&latencies, 0.5).as_secs_f32(),
        percentile(&latencies, 0.95).as_secs_f32(),
    );
    assert!(
        share >= PLAN_EXACT_FLOOR,
        "only {exact} of {} plans exact ({share:.3})",
        clips.len()
    );
}

fn plan_of(h: &Heard) -> Option<(u32, u32, u32)> {
    let p = h.parsed.as_ref()?.plan.as_ref().ok()?;
    Some((p.rounds, p.work_s, p.rest_s))
}

/// A command with a 0.5 s pause in the middle, played at the pace of
/// speech (« six tours de trente secondes … avec quinze secondes de
/// repos », « douze séries de deux minutes … trente secondes de repos
/// entre chaque série »): Whisper starts early in the pause, is aborted
/// when the words go on, and the plan is the whole command's — not the
/// first half's, which alone is a complete plan (no rest).
#[test]
fn a_pause_mid_command_aborts_the_early_run_and_gives_the_whole_plan() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some(voice) = worker(EARLY_MS) else {
        return;
    };
    for (clip, want) in [
        ("pause-fr1.wav", (6, 30, 15)),
        ("pause-fr4.wav", (12, 120, 30)),
    ] {
        let (msg, early) = hear_at_pace(&voice, clip, true);
        let heard = heard_of(&msg).unwrap_or_else(|| panic!("{clip}: {msg:?}"));
        eprintln!(
            "{clip}: {:?} {:?} early {:?} after {:?}",
            heard.transcript,
            heard.speculation,
            early.iter().map(plan_of).collect::<Vec<_>>(),
            heard.timings.shown_after
        );
        assert_eq!(plan_of(heard), Some(want), "{clip}: {msg:?}");
        assert!(
            heard.speculation.aborted >= 1,
            "{clip}: the run started in the pause was not aborted: {:?}",
            heard.speculation
        );
        // one run in the pause, one after the last word
        assert!(heard.speculation.started >= 2, "{:?}", heard.speculation);
        assert!(
            heard.timings.shown_after.is_some(),
            "paced: timed on the clock"
        );
    }
}

/// Said in one breath, the command's early run is its final result: it
/// is not decoded a second time after the hangover.
#[test]
fn an_early_run_that_heard_everything_is_the_final_result() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some(voice) = worker(EARLY_MS) else {
        return;
    };
    let (msg, early) = hear_at_pace(&voice, "headline-fr4.wav", true);
    let heard = heard_of(&msg).unwrap_or_else(|| panic!("{msg:?}"));
    assert_eq!(plan_of(heard), Some((12, 120, 30)), "{msg:?}");
    // (a run started at the comma may have been aborted)
    assert!(heard.speculation.final_is_early, "{:?}", heard.speculation);
    // an early plan shown is the one that stays
    for e in &early {
        assert_eq!(plan_of(e), plan_of(heard));
    }
    // with early runs off, the same plan after the full hangover
    let late = worker(0).expect("found above");
    let (msg, early) = hear_at_pace(&late, "headline-fr4.wav", true);
    let heard = heard_of(&msg).unwrap_or_else(|| panic!("{msg:?}"));
    assert!(early.is_empty());
    assert_eq!(heard.speculation.started, 0);
    assert_eq!(plan_of(heard), Some((12, 120, 30)), "{msg:?}");
}

#[test]
fn silence_and_a_missing_file_are_reported_not_hung() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some(model) = model_or_skip("voice") else {
        return;
    };
    let voice = speechtimer::app::threads::spawn_voice(VoiceConfig::new(model, None), || {})
        .expect("worker starts");
    for clip in ["silence.wav", "noise.wav"] {
        match hear(&voice, clip) {
            VoiceMsg::NotUnderstood { heard, missing } => {
                assert!(heard.transcript.is_empty(), "{clip}: {heard:?}");
                assert!(!missing.is_empty());
            }
            other => panic!("{clip}: {other:?}"),
        }
    }
    match hear(&voice, "no-such-clip.wav") {
        VoiceMsg::Error(e) => assert!(e.contains("no-such-clip.wav"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_speech_model_is_an_error_message() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let voice = speechtimer::app::threads::spawn_voice(
        VoiceConfig::new("/nonexistent/ggml-base.bin".into(), None),
        || {},
    )
    .expect("worker starts");
    voice.listen(Source::File {
        path: fixtures().join("silence.wav"),
        realtime: false,
    });
    let mut last = None;
    while let Some(msg) = voice.recv_timeout(Duration::from_secs(30)) {
        let done = matches!(msg, VoiceMsg::Error(_));
        last = Some(msg);
        if done {
            break;
        }
    }
    match last {
        Some(VoiceMsg::Error(e)) => assert!(e.contains("ggml-base.bin"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn window_with_a_missing_audio_file_says_so_before_opening() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_speechtimer"))
        .args(["--mute", "--audio-file", "/nonexistent/clip.wav"])
        .env("SPEECHTIMER_CONFIG_DIR", std::env::temp_dir())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fichier audio introuvable : /nonexistent/clip.wav"),
        "{err}"
    );
}

/// Whisper with the default decoding, the tagger, and one fixture's samples.
fn models_and(clip: &str) -> Option<(speechtimer_asr::Transcriber, Nlu, Vec<f32>)> {
    let model = model_or_skip("voice")?;
    let asr = speechtimer_asr::Transcriber::load(&model, Default::default()).unwrap();
    let samples = speechtimer_audio::wav::read_16k_mono(&fixtures().join(clip)).unwrap();
    Some((asr, Nlu::embedded().unwrap(), samples))
}

/// Rescoring hears the count again over the audio: a transcript whose
/// count was misheard (« Douce » for « douze », as measured on
/// headline-fr1 without the LM; « Dous » on headline-fr4) gets 12 back.
#[test]
fn rescoring_turns_a_misheard_count_into_the_right_one() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some((asr, nlu, samples)) = models_and("headline-fr4.wav") else {
        return;
    };
    for misheard in [
        "Douce série de 2 minutes, 30 secondes entre chaque série.",
        "Dous série de 2 minutes, 30 secondes entre chaque série.",
    ] {
        let (_, decoded) = asr.transcribe_keep(&samples, None).unwrap();
        let mut decoded = decoded.expect("speech");
        let read = nlu.parse(misheard).unwrap();
        let slot = slots::count_slot(&read).expect("the count is doubtful");
        assert_eq!(slot.read, None, "{slot:?}");
        let heard = rehear::hear_slot(&mut decoded, misheard, &slot)
            .unwrap()
            .expect("a count");
        assert_eq!(heard.best, 12, "{misheard}: {heard:?}");
        assert!(heard.clear && heard.rewrites(), "{misheard}: {heard:?}");
        let heard = [heard];
        let fixed = rehear::rewrite(misheard, &heard);
        assert!(fixed.text.starts_with("12 série"), "{}", fixed.text);
        let mut parsed = nlu.parse(&fixed.text).unwrap();
        rehear::mark(&mut parsed, &heard, &fixed);
        assert_eq!(parsed.plan.as_ref().map(|p| p.rounds), Ok(12));
        assert!(!parsed.is_uncertain(), "{:?}", parsed.trust);
        assert!(
            matches!(
                parsed.trust.rounds,
                speechtimer_nlu::Trust::Rescored { value: 12, .. }
            ),
            "{:?}",
            parsed.trust
        );
    }
}

/// The decoder's cache is kept between scorings, and its start is the
/// prefix whisper.cpp decoded: a slot scored after another one gets the
/// scores it got first, and the same as with the prefix decoded again,
/// so what the cache held never leaks into the next scoring.
#[test]
fn scores_do_not_depend_on_what_was_scored_before() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some((asr, _, samples)) = models_and("headline-fr4.wav") else {
        return;
    };
    let (_, decoded) = asr.transcribe_keep(&samples, None).unwrap();
    let mut decoded = decoded.expect("speech");
    let counts: Vec<String> = ["12", "Douze", "2", "Deux"].map(String::from).to_vec();
    let works: Vec<String> = ["2", "deux", "3", "trois"].map(String::from).to_vec();
    let count_first = decoded.score_slot("", &counts, " séries de").unwrap();
    let work = decoded
        .score_slot("12 séries de", &works, " minutes")
        .unwrap();
    let count_again = decoded.score_slot("", &counts, " séries de").unwrap();
    let work_again = decoded
        .score_slot("12 séries de", &works, " minutes")
        .unwrap();
    decoded.forget_cache();
    let count_fresh = decoded.score_slot("", &counts, " séries de").unwrap();
    let pairs = count_first.iter().zip(&count_again);
    let pairs = pairs.chain(work.iter().zip(&work_again));
    for (a, b) in pairs.chain(count_first.iter().zip(&count_fresh)) {
        assert!(
            (a - b).abs() < 1e-3 || (a.is_infinite() && b.is_infinite()),
            "{count_first:?} then {count_again:?}, fresh {count_fresh:?}; \
             {work:?} then {work_again:?}"
        );
    }
    // and they say what was said: « 12 séries de 2 minutes »
    let best = |s: &[f32]| (0..s.len()).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap();
    assert!(best(&count_first) < 2, "{count_first:?}");
    assert!(best(&work) < 2, "{work:?}");
}

/// A clean clip goes through the same path unchanged: its count is heard
/// again and confirmed.
#[test]
fn rescoring_leaves_a_clean_clip_alone() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some((asr, nlu, samples)) = models_and("digits-fr1.wav") else {
        return;
    };
    let u = speechtimer_voice::hear(&asr, Some(&nlu), &samples, None, Expect::Plan).unwrap();
    let parsed = u.parsed.expect("parsed");
    assert_eq!(parsed.text, u.transcript.text);
    assert!(u.rescore > Duration::ZERO, "the count was checked");
    assert!(
        !parsed.notes.iter().any(|n| n.contains("réentendu")),
        "{:?}",
        parsed.notes
    );
    let plan = parsed.plan.as_ref().unwrap();
    assert_eq!((plan.rounds, plan.work_s, plan.rest_s), (14, 40, 20));
    assert!(!parsed.is_uncertain(), "{:?}", parsed.trust);
}

/// Re-hearing a duration: the transcript of « dix rounds de trois
/// minutes » with « 30 minutes » written in (the miss measured on the new
/// voices) gets 3 back from the decoder over the audio; the clean reading
/// is confirmed, not changed.
#[test]
fn rehearing_a_duration_turns_thirty_minutes_into_three() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some((asr, nlu, samples)) = models_and("rounds-3min.wav") else {
        return;
    };
    for (text, read) in [
        ("Dix rounds de 30 minutes, une minute de repos.", 30),
        ("Dix rounds de trois minutes, une minute de repos.", 3),
    ] {
        let (_, decoded) = asr.transcribe_keep(&samples, None).unwrap();
        let mut decoded = decoded.expect("speech");
        let slot = slots::find(&nlu.parse(text).unwrap())
            .into_iter()
            .find(|s| s.read == Some(read))
            .unwrap_or_else(|| panic!("{text}: no slot for {read}"));
        assert_eq!(slot.kind, slots::Kind::Number);
        let work = rehear::hear_slot(&mut decoded, text, &slot)
            .unwrap()
            .unwrap_or_else(|| panic!("{text}: work not heard again"));
        eprintln!("{text}: {work:?}");
        assert_eq!(work.best, 3, "{text}");
        assert_eq!(work.rewrites(), read != 3, "{text}: {work:?}");
        let fixed = rehear::rewrite(text, &[work]);
        if read == 3 {
            assert_eq!(fixed.text, text);
        } else {
            assert_eq!(fixed.text, "Dix rounds de 3 minutes, une minute de repos.");
            let plan = nlu.parse(&fixed.text).unwrap().plan.unwrap();
            assert_eq!((plan.rounds, plan.work_s, plan.rest_s), (10, 180, 60));
        }
    }
}

/// Speech that is no command, silence and steady noise give no plan.
#[test]
fn off_topic_speech_silence_and_noise_give_no_plan() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some((asr, nlu, _)) = models_and("silence.wav") else {
        return;
    };
    let clips: Vec<Clip> = manifest()
        .into_iter()
        .filter(|c| matches!(c.kind.as_deref(), Some("silence" | "noise" | "off-topic")))
        .collect();
    assert_eq!(clips.len(), 3);
    for clip in clips {
        let samples = speechtimer_audio::wav::read_16k_mono(&fixtures().join(&clip.file)).unwrap();
        let u = speechtimer_voice::hear(&asr, Some(&nlu), &samples, None, Expect::Plan).unwrap();
        let verdict = u.parsed.as_ref().map(|p| p.verdict());
        eprintln!("{}: {:?} -> {verdict:?}", clip.file, u.transcript.text);
        assert!(
            verdict.as_ref().is_none_or(|v| v.plan().is_none()),
            "{}: {:?} gave a plan: {verdict:?}",
            clip.file,
            u.transcript.text
        );
    }
}

/// The slow headline clip through the microphone's round trip (44.1 kHz and
/// back, as the capture resamples it) came out « 12 séries de deux
/// minutes, 30 secondes en trichac séries », 12 × 2:30 with no rest, shown
/// as understood (issue 27). Whatever Whisper hears there now, the plan is
/// right or « À vérifier », never a wrong plan shown as understood.
#[test]
fn the_slow_headline_through_the_capture_path_is_right_or_flagged() {
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some((asr, nlu, samples)) = models_and("headline-fr1.wav") else {
        return;
    };
    for rate in [44_100, 48_000] {
        let heard = speechtimer_audio::resample::through_capture(&samples, rate).unwrap();
        let u = speechtimer_voice::hear(&asr, Some(&nlu), &heard, None, Expect::Plan).unwrap();
        let parsed = u.parsed.expect("parsed");
        let verdict = parsed.verdict();
        eprintln!("{rate} Hz: {:?} -> {verdict:?}", parsed.text);
        if let speechtimer_nlu::Verdict::Sure(p) = &verdict {
            assert_eq!(
                (p.rounds, p.work.as_secs(), p.rest.as_secs()),
                (12, 120, 30),
                "{rate} Hz: a wrong plan shown as understood: {:?}",
                parsed.text
            );
        }
    }
}

/// The committed fixtures through `speechtimer eval --audio`, as CI's
/// benchmark: floors just under the measured figures (docs/results.md,
/// "Every voice heard right"): 24 commands with the q8_0 model the app
/// loads, measured 17/24 = 0.708 exact and 2/24 = 0.083 wrong plans shown
/// as understood from the files; 18/24 = 0.750 and 2/24 through the
/// capture path (`--capture 44100`).
const AUDIO_EXACT_FLOOR: f64 = 0.66;
const AUDIO_WRONG_SHOWN_CEILING: f64 = 0.09;
const CAPTURE_EXACT_FLOOR: f64 = 0.70;

#[test]
fn the_fixtures_audio_benchmark_holds_its_floors() {
    let _whisper = crate::common::one_whisper_at_a_time();
    if model_or_skip("voice").is_none() {
        return;
    }
    for (capture, floor) in [
        (None, AUDIO_EXACT_FLOOR),
        (Some("44100"), CAPTURE_EXACT_FLOOR),
    ] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_speechtimer"));
        cmd.args(["eval", "--json", "--errors", "30", "--audio"])
            .arg(fixtures().join("manifest.jsonl"));
        if let Some(hz) = capture {
            cmd.args(["--capture", hz]);
        }
        let out = cmd.output().expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
        eprintln!(
            "capture {capture:?}: {}",
            serde_json::to_string_pretty(&r).unwrap()
        );
        assert_eq!(r["commands"], 24);
        assert_eq!(r["lm"], true);
        let exact = r["plan_exact"].as_f64().unwrap();
        let wrong = r["wrong_shown_as_understood"].as_f64().unwrap();
        assert!(exact >= floor, "capture {capture:?}: plan exact {exact}");
        assert!(
            wrong <= AUDIO_WRONG_SHOWN_CEILING,
            "capture {capture:?}: wrong plans shown as understood {wrong}"
        );
        // silence, noise and the off-topic sentence give no plan (the 40 s
        // clip, a long command cut at 30 s, gives one)
        assert!(r["plans_from_no_command"].as_u64().unwrap() <= 1, "{r}");
        assert!(r["filter_us_per_call"].as_f64().unwrap() > 0.0, "{r}");
    }
}

/// Replies to a read-back and commands during a workout, in both fixture
/// voices (tests/fixtures/audio/replies/), heard with what is expected:
/// each short word comes out right, though the plain decode writes
/// « Nouve. » for « non » and « Bose. » for « pause »; music gives no
/// command and no correction.
#[test]
fn replies_and_commands_are_heard_as_such() {
    use speechtimer_core::plan::WorkoutPlan;
    use speechtimer_voice::{Answer, TimerCommand, answer_to, timer_command};
    let _whisper = crate::common::one_whisper_at_a_time();
    let Some((asr, nlu, _)) = models_and("silence.wav") else {
        return;
    };
    let hear = |clip: &str, expect: Expect| {
        let samples =
            speechtimer_audio::wav::read_16k_mono(&fixtures().join("replies").join(clip)).unwrap();
        speechtimer_voice::hear(&asr, Some(&nlu), &samples, None, expect).unwrap()
    };
    let plan = WorkoutPlan::default();
    for voice in ["fr1", "fr4"] {
        for (clip, want) in [
            ("oui", Answer::Yes),
            ("cest-parti", Answer::Yes),
            ("non", Answer::No),
        ] {
            let u = hear(&format!("{clip}-{voice}.wav"), Expect::Reply);
            let got = answer_to(&plan, u.parsed.as_ref().unwrap()).unwrap();
            assert_eq!(got, want, "{clip}-{voice}: {:?}", u.transcript.text);
        }
        for (clip, want) in [
            ("pause", TimerCommand::Pause),
            ("reprends", TimerCommand::Resume),
            ("suivant", TimerCommand::Next),
            ("stop", TimerCommand::Stop),
            ("combien", TimerCommand::HowLong),
        ] {
            let u = hear(&format!("{clip}-{voice}.wav"), Expect::Command);
            assert_eq!(
                timer_command(&u.transcript.text),
                Some(want),
                "{clip}-{voice}: {:?}",
                u.transcript.text
            );
        }
    }
    let music = hear("music.wav", Expect::Command);
    assert_eq!(
        timer_command(&music.transcript.text),
        None,
        "{:?}",
        music.transcript.text
    );
    let music = hear("music.wav", Expect::Reply);
    let got = music
        .parsed
        .as_ref()
        .map(|p| answer_to(&plan, p).unwrap())
        .unwrap_or(Answer::Unclear);
    assert_eq!(got, Answer::Unclear, "{:?}", music.transcript.text);
}
