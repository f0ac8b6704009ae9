//! The microphone path against a real sound server: clips played into the
//! virtual microphone are heard by `listen` and by the window, and a
//! microphone that goes away mid-recording is said so, without a crash.

use super::harness::{self, Display, Pulse, Window, fixture, speechtimer};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The plan line `listen` and `transcribe` print.
fn plan_line(stdout: &str) -> Option<String> {
    stdout
        .lines()
        .find(|l| l.starts_with("Plan"))
        .map(str::to_string)
}

/// Seconds before the first 10 ms frame louder than -30 dBFS.
fn lead_in(wav: &std::path::Path) -> f64 {
    let mut reader = hound::WavReader::open(wav).expect("capture saved");
    let rate = reader.spec().sample_rate as usize;
    let samples: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap_or(0)).collect();
    let frame = rate / 100;
    let loud = samples
        .chunks(frame)
        .position(|f| f.iter().any(|s| s.unsigned_abs() > 1000))
        .expect("something loud in the capture");
    (loud * frame) as f64 / rate as f64
}

/// A plan line that shows a wrong plan as understood: « Plan : » (not « Plan
/// à vérifier : ») with another plan than the headline's.
fn wrong_shown(line: &str) -> bool {
    line.starts_with("Plan : ") && !line.starts_with("Plan : 12 séries de 2:00, repos 0:30")
}

#[test]
fn listen_hears_both_headline_clips_through_the_virtual_microphone() {
    let _one = harness::one_at_a_time();
    let test = "listen_hears_both_headline_clips_through_the_virtual_microphone";
    if !harness::whisper_model(test) {
        return;
    }
    let Some(pulse) = Pulse::start(test) else {
        return;
    };
    for name in ["headline-fr4.wav", "headline-fr1.wav"] {
        let clip = fixture(name);
        let file = Command::new(speechtimer())
            .arg("transcribe")
            .arg(&clip)
            .output()
            .expect("transcribe");
        let from_file = plan_line(&String::from_utf8_lossy(&file.stdout)).expect("file plan");

        let dir = tempfile::tempdir().expect("dir");
        let saved = dir.path().join("heard.wav");
        let mut listen = harness::Reaped::new(
            pulse
                .command(speechtimer())
                .arg("listen")
                .arg("--save")
                .arg(&saved)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("listen"),
        );
        let log = harness::Log::of(listen.child());
        assert!(
            log.wait_for("Parlez", 1, Duration::from_secs(60)).is_some(),
            "listen never opened the microphone:\n{}",
            log.dump()
        );
        std::thread::sleep(Duration::from_millis(500));
        pulse.say(&clip);
        let out = listen.finish();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}\n{}", log.dump());
        let from_mic = plan_line(&stdout).unwrap_or_default();
        eprintln!("{name}: file: {from_file}\n{name}: microphone: {from_mic}");
        // the plan is right, or it is offered « à vérifier »: never a
        // wrong plan shown as understood, from the file or the microphone
        // (the count is Whisper's weak spot on the slow fr1 clip and
        // through the 44.1 kHz capture: « douze » came out « 7 » or « 11 »)
        for line in [&from_file, &from_mic] {
            assert!(!wrong_shown(line), "{name}: {line}\n{stdout}");
        }
        // work and rest tell that the sound got through
        if name == "headline-fr4.wav" {
            assert!(
                from_file.starts_with("Plan : 12 séries de 2:00, repos 0:30"),
                "{from_file}"
            );
            assert!(
                from_mic.contains("séries de 2:00, repos 0:30"),
                "heard through the microphone:\n{stdout}"
            );
            // the pre-roll keeps what came before the voice detector fired:
            // the capture starts quiet, as the clip does (0.33 s before its
            // first loud frame), so « douze » was not cut
            let lead = lead_in(&saved);
            let file_lead = lead_in(&clip);
            eprintln!("quiet before the voice: file {file_lead:.2} s, capture {lead:.2} s");
            assert!(
                lead >= 0.15,
                "the capture starts {lead:.2} s before the voice"
            );
        }
    }
}

#[test]
fn listen_says_so_when_the_sound_server_dies_mid_sentence() {
    let _one = harness::one_at_a_time();
    let test = "listen_says_so_when_the_sound_server_dies_mid_sentence";
    if !harness::whisper_model(test) {
        return;
    }
    let Some(mut pulse) = Pulse::start(test) else {
        return;
    };
    let mut listen = harness::Reaped::new(
        pulse
            .command(speechtimer())
            .arg("listen")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("listen"),
    );
    let log = harness::Log::of(listen.child());
    assert!(log.wait_for("Parlez", 1, Duration::from_secs(60)).is_some());
    let mut talk = pulse.start_saying(&fixture("long-40s.wav"));
    assert!(
        log.wait_for("● parole", 1, Duration::from_secs(10))
            .is_some(),
        "no speech detected:\n{}",
        log.dump()
    );
    let _ = talk.kill();
    let _ = talk.wait();
    pulse.kill();
    let started = Instant::now();
    let out = listen.finish();
    let said = log.dump();
    eprintln!(
        "listen ended {:.1} s after the sound server died: {}",
        started.elapsed().as_secs_f64(),
        said.lines().last().unwrap_or_default()
    );
    assert!(!out.status.success());
    assert!(!said.contains("panicked"), "{said}");
    assert!(
        said.contains("a cessé de répondre"),
        "no clear message:\n{said}"
    );
}

/// Where « Parler » is in the window (the first button of its top bar, in
/// the 1000 × 640 window of a fresh settings file).
pub(crate) const PARLER: (u32, u32) = (73, 26);

#[test]
fn the_window_hears_loses_its_microphone_and_hears_again() {
    let _one = harness::one_at_a_time();
    let test = "the_window_hears_loses_its_microphone_and_hears_again";
    if !harness::whisper_model(test) {
        return;
    }
    let Some(mut pulse) = Pulse::start(test) else {
        return;
    };
    let Some(display) = Display::start(test) else {
        return;
    };
    let plan = r#"{"rounds": 2, "work": 5, "rest": 3, "prepare": 3}"#;
    // no read-back: each utterance here is a new command, and M is what
    // opens the microphone
    let settings = harness::settings_with(plan, "beeps", r#", "read_back": false"#);
    let mut window = Window::open(&display, Some(&pulse), &settings);
    let talks = std::cell::Cell::new(0);
    // M held is push-to-talk
    let hold_m = |window: &Window| {
        talks.set(talks.get() + 1);
        window.key(&display, "keydown", "m");
        assert!(
            window
                .log
                .wait_for("listening", talks.get(), Duration::from_secs(60))
                .is_some(),
            "the window did not listen:\n{}",
            window.log.dump()
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    let plan_after = |window: &Window, shown: usize| {
        window
            .log
            .wait_for("plan shown", shown + 1, Duration::from_secs(60))
            .unwrap_or_else(|| panic!("no plan shown:\n{}", window.log.dump()))
    };

    // « Parler », the first button of the top bar (see the screenshots in docs/usage.md): the
    // recording ends by itself after the speech
    window.click(&display, PARLER.0, PARLER.1);
    talks.set(talks.get() + 1);
    assert!(
        window
            .log
            .wait_for("listening", talks.get(), Duration::from_secs(60))
            .is_some(),
        "« Parler » did not listen:\n{}",
        window.log.dump()
    );
    std::thread::sleep(Duration::from_millis(300));
    pulse.say(&fixture("headline-fr4.wav"));
    let shown = plan_after(&window, 0);
    eprintln!("{}", window.log.matching("heard").join("\n"));
    // the round count is Whisper's weak spot on this voice (« douze » is
    // heard as 7 now and then through the microphone); work and rest are
    // what tell that the sound got through
    assert!(shown.contains("de 2:00, repos 0:30"), "{shown}");

    // the microphone unplugged while speaking: PulseAudio moves the
    // recording to another source or ends it; either way the window goes on
    hold_m(&window);
    let mut long = pulse.start_saying(&fixture("long-40s.wav"));
    std::thread::sleep(Duration::from_secs(2));
    pulse.unplug_mic();
    std::thread::sleep(Duration::from_secs(2));
    window.key(&display, "keyup", "m");
    let _ = long.kill();
    let _ = long.wait();
    std::thread::sleep(Duration::from_secs(3));
    assert!(window.alive(), "the window died:\n{}", window.log.dump());
    pulse.plug_mic();

    // the sound server dies while speaking: said, and the window goes on
    hold_m(&window);
    let mut long = pulse.start_saying(&fixture("long-40s.wav"));
    std::thread::sleep(Duration::from_secs(2));
    let _ = long.kill();
    let _ = long.wait();
    pulse.kill();
    let lost = window
        .log
        .wait_for("voice:", 1, Duration::from_secs(30))
        .unwrap_or_else(|| {
            panic!(
                "nothing said of the lost microphone:\n{}",
                window.log.dump()
            )
        });
    window.key(&display, "keyup", "m");
    eprintln!("the window said: {lost}");
    assert!(lost.contains("micro"), "{lost}");
    assert!(window.alive(), "the window died:\n{}", window.log.dump());

    // back: the next push-to-talk works
    pulse.restart();
    let shown_before = window.log.matching("plan shown").len();
    hold_m(&window);
    pulse.say(&fixture("tours-45-15.wav"));
    std::thread::sleep(Duration::from_millis(700));
    window.key(&display, "keyup", "m");
    plan_after(&window, shown_before);
    let heard = window.log.matching("heard ");
    eprintln!("{}", heard.join("\n"));
    // what Whisper makes of the round count varies (« 8h45 secondes » for
    // « huit tours de quarante-cinq secondes »): the rest tells the sound
    // got through
    let last = heard.last().cloned().unwrap_or_default();
    assert!(last.contains("15 secondes de récupération"), "{last}");
    assert!(window.alive());
    assert!(!window.log.dump().contains("panicked"));
}
