//! What the device tests start and stop: a PulseAudio server of their own
//! (a null sink `spk` the app plays into, a null sink `micfeed` whose
//! monitor, remapped as the source `mic`, is the microphone), an Xvfb
//! display, the window, and child processes that talk to that server.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// One device test at a time: they share the two cores, and the cue timing
/// must not measure the other tests.
pub(crate) fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// In CI a missing piece fails the test; elsewhere the test is skipped,
/// loudly.
pub(crate) fn skip(test: &str, why: &str) {
    if in_ci() {
        panic!("{test}: required in CI: {why}");
    }
    eprintln!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !!! SKIPPED {test}: {why}\n\
         !!! install pulseaudio pulseaudio-utils libasound2-plugins xvfb xdotool\n\
         !!! (scripts/setup does) to enable this test\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    );
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name)
}

pub(crate) fn speechtimer() -> &'static str {
    env!("CARGO_BIN_EXE_speechtimer")
}

/// The Whisper model is there (`speechtimer model fetch`), or the test is
/// skipped (failed in CI).
pub(crate) fn whisper_model(test: &str) -> bool {
    let found = Command::new(speechtimer())
        .args(["model", "path"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        skip(test, "no Whisper model (`cargo run -- model fetch`)");
    }
    found
}

/// A PulseAudio server in a temporary runtime directory, killed on drop.
pub(crate) struct Pulse {
    runtime: tempfile::TempDir,
    server: Option<Child>,
}

const MIC_MODULE: &str = "module-remap-source";
const MIC_ARGS: &str = "source_name=mic master=micfeed.monitor";

impl Pulse {
    /// Starts the server and waits until it answers; `None` (after
    /// [`skip`]) when it cannot.
    pub(crate) fn start(test: &str) -> Option<Self> {
        let runtime = tempfile::tempdir().expect("temporary directory");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(0o700))
            .expect("chmod 0700");
        let mut pulse = Self {
            runtime,
            server: None,
        };
        if let Err(why) = pulse.launch() {
            skip(test, &why);
            return None;
        }
        Some(pulse)
    }

    fn launch(&mut self) -> Result<(), String> {
        let child = self
            .command("pulseaudio")
            .args([
                "--daemonize=no",
                "--exit-idle-time=-1",
                "-n",
                "--load=module-null-sink sink_name=spk",
                "--load=module-null-sink sink_name=micfeed",
                &format!("--load={MIC_MODULE} {MIC_ARGS}"),
                "--load=module-native-protocol-unix auth-anonymous=1",
                // for pacmd (kill-sink-input, which pactl has not)
                "--load=module-cli-protocol-unix",
                "--load=module-always-sink",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run pulseaudio: {e}"))?;
        self.server = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.pactl(&["info"]).is_ok() {
                self.pactl(&["set-default-sink", "spk"])?;
                self.pactl(&["set-default-source", "mic"])?;
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("pulseaudio did not answer in 15 s".into())
    }

    /// `program` with this server's environment.
    pub(crate) fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("XDG_RUNTIME_DIR", self.runtime.path());
        c
    }

    pub(crate) fn pactl(&self, args: &[&str]) -> Result<String, String> {
        let out = self
            .command("pactl")
            .args(args)
            .output()
            .map_err(|e| format!("pactl: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "pactl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// Plays `clip` into the virtual microphone and waits until it is done.
    pub(crate) fn say(&self, clip: &Path) {
        let status = self
            .command("paplay")
            .arg("--device=micfeed")
            .arg(clip)
            .status()
            .expect("paplay");
        assert!(status.success(), "paplay {}", clip.display());
    }

    /// Starts playing `clip` into the microphone; returns at once.
    pub(crate) fn start_saying(&self, clip: &Path) -> Child {
        self.command("paplay")
            .arg("--device=micfeed")
            .arg(clip)
            .spawn()
            .expect("paplay")
    }

    /// The microphone is unplugged: its source goes away.
    pub(crate) fn unplug_mic(&self) {
        let modules = self
            .pactl(&["list", "short", "modules"])
            .expect("module list");
        let id = modules
            .lines()
            .find(|l| l.contains(MIC_MODULE))
            .and_then(|l| l.split_whitespace().next())
            .expect("the microphone's module")
            .to_string();
        self.pactl(&["unload-module", &id]).expect("unload");
    }

    /// The microphone comes back, as the default source.
    pub(crate) fn plug_mic(&self) {
        self.pactl(&[
            "load-module",
            MIC_MODULE,
            "source_name=mic",
            "master=micfeed.monitor",
        ])
        .expect("load");
        self.pactl(&["set-default-source", "mic"])
            .expect("default source");
    }

    /// The server drops every playback stream (`pacmd kill-sink-input`),
    /// as it does to a client it gives up on; the server itself goes on.
    /// Returns how many it dropped.
    pub(crate) fn drop_playback_streams(&self) -> usize {
        let inputs = self
            .pactl(&["list", "short", "sink-inputs"])
            .expect("sink-input list");
        let ids: Vec<&str> = inputs
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        for id in &ids {
            let out = self
                .command("pacmd")
                .args(["kill-sink-input", id])
                .output()
                .expect("pacmd");
            assert!(
                out.status.success() && out.stdout.is_empty(),
                "pacmd kill-sink-input {id}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        ids.len()
    }

    /// Records what the app plays (the monitor of `spk`) into `wav`.
    pub(crate) fn record(&self, wav: &Path) -> Recorder {
        let child = self
            .command("parecord")
            .args([
                "--device=spk.monitor",
                "--file-format=wav",
                "--rate=44100",
                "--channels=1",
                "--latency-msec=10",
            ])
            .arg(wav)
            .spawn()
            .expect("parecord");
        Recorder(child)
    }

    /// A new server in the same runtime directory, after [`Pulse::kill`].
    pub(crate) fn restart(&mut self) {
        self.kill();
        self.launch().expect("pulseaudio starts again");
    }

    /// The sound server dies (the whole sound system goes away).
    pub(crate) fn kill(&mut self) {
        if let Some(mut c) = self.server.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A child process killed if the test ends (or panics) before it does.
pub(crate) struct Reaped(Option<Child>);

impl Reaped {
    pub(crate) fn new(child: Child) -> Self {
        Self(Some(child))
    }

    pub(crate) fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("still running")
    }

    /// Waits for the end and gives what it wrote on stdout.
    pub(crate) fn finish(mut self) -> Output {
        self.0
            .take()
            .expect("still running")
            .wait_with_output()
            .expect("the child ends")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A running `parecord`; [`Recorder::stop`] ends the file properly.
pub(crate) struct Recorder(Child);

impl Recorder {
    pub(crate) fn stop(mut self) {
        // SIGINT lets parecord write the WAV header's sizes
        let _ = Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// An Xvfb display, killed on drop.
pub(crate) struct Display {
    server: Child,
    pub(crate) name: String,
}

impl Display {
    pub(crate) fn start(test: &str) -> Option<Self> {
        let spawned = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut server = match spawned {
            Ok(s) => s,
            Err(e) => {
                skip(test, &format!("cannot run Xvfb: {e}"));
                return None;
            }
        };
        let mut line = String::new();
        let stdout = server.stdout.take().expect("Xvfb stdout");
        let _ = BufReader::new(stdout).read_line(&mut line);
        let n = line.trim();
        if n.is_empty() {
            let _ = server.kill();
            skip(test, "Xvfb gave no display");
            return None;
        }
        Some(Self {
            server,
            name: format!(":{n}"),
        })
    }

    /// `xdotool ARGS` on this display.
    pub(crate) fn xdotool(&self, args: &[&str]) -> Output {
        Command::new("xdotool")
            .env("DISPLAY", &self.name)
            .args(args)
            .output()
            .expect("xdotool")
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// What a child process wrote on stderr so far, line by line.
#[derive(Clone, Default)]
pub(crate) struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    /// Collects `child`'s stderr from now on.
    pub(crate) fn of(child: &mut Child) -> Self {
        let log = Self::default();
        let lines = Arc::clone(&log.0);
        let stderr = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut l) = lines.lock() {
                    l.push(line);
                }
            }
        });
        log
    }

    pub(crate) fn lines(&self) -> Vec<String> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The lines so far that contain `part`.
    pub(crate) fn matching(&self, part: &str) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter(|l| l.contains(part))
            .collect()
    }

    /// Waits up to `timeout` for the `nth` (from 1) line that contains
    /// `part`.
    pub(crate) fn wait_for(&self, part: &str, nth: usize, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(l) = self.matching(part).into_iter().nth(nth - 1) {
                return Some(l);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(crate) fn dump(&self) -> String {
        self.lines().join("\n")
    }
}

/// The window, on `display`, talking to `pulse` (or to no sound server
/// when `None`), with a settings file of its own; killed on drop.
pub(crate) struct Window {
    child: Child,
    pub(crate) log: Log,
    id: String,
    _config: tempfile::TempDir,
}

impl Window {
    pub(crate) fn open(display: &Display, pulse: Option<&Pulse>, settings: &str) -> Self {
        let config = tempfile::tempdir().expect("config dir");
        std::fs::write(config.path().join("settings.json"), settings).expect("settings");
        let mut cmd = match pulse {
            Some(p) => p.command(speechtimer()),
            None => {
                // a runtime directory with no server in it
                let mut c = Command::new(speechtimer());
                c.env("XDG_RUNTIME_DIR", config.path());
                c
            }
        };
        let mut child = cmd
            .env("DISPLAY", &display.name)
            .env("SPEECHTIMER_CONFIG_DIR", config.path())
            .env("RUST_LOG", "speechtimer=info")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the window");
        let log = Log::of(&mut child);
        let out = display.xdotool(&["search", "--sync", "--name", "SpeechTimer"]);
        let id = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(!id.is_empty(), "no window appeared:\n{}", log.dump());
        let w = Self {
            child,
            log,
            id,
            _config: config,
        };
        // the first frames are drawn before keys are read
        std::thread::sleep(Duration::from_secs(2));
        w
    }

    /// Types keys into the window (`xdotool key|keydown|keyup KEY`).
    pub(crate) fn key(&self, display: &Display, action: &str, key: &str) {
        display.xdotool(&["windowfocus", "--sync", &self.id]);
        let out = display.xdotool(&[action, key]);
        assert!(out.status.success(), "xdotool {action} {key}");
    }

    /// Clicks at (`x`, `y`) in the window (pixels from its top left corner).
    pub(crate) fn click(&self, display: &Display, x: u32, y: u32) {
        display.xdotool(&["windowfocus", "--sync", &self.id]);
        let out = display.xdotool(&[
            "mousemove",
            "--window",
            &self.id,
            &x.to_string(),
            &y.to_string(),
            "click",
            "1",
        ]);
        assert!(out.status.success(), "xdotool click");
    }

    /// The process id (its CPU time is read from /proc).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Still running (not crashed, not exited).
    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Settings for a window that runs `plan` (JSON of a `WorkoutPlan`) with
/// cues in `mode`.
pub(crate) fn settings(plan: &str, mode: &str) -> String {
    settings_with(plan, mode, "")
}

/// [`settings`] with more fields (`"hands_free": true`), comma-led.
pub(crate) fn settings_with(plan: &str, mode: &str, more: &str) -> String {
    format!(
        r#"{{"plan": {plan}, "recent": [], "muted": false, "auto_start": false, "cue_mode": "{mode}", "volume": 1.0{more}}}"#
    )
}
