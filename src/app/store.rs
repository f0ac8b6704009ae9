//! Settings and recent plans, kept across restarts in one JSON file written
//! atomically (temporary file, fsync, rename), so a crash never leaves a
//! half-written file.

use serde::{Deserialize, Serialize};
use speechtimer_core::plan::WorkoutPlan;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How many recent plans are kept.
pub const RECENT_MAX: usize = 10;

/// The cues' loudness before the athlete moves the slider.
pub const DEFAULT_VOLUME: f32 = 0.8;

/// What the app remembers across restarts: the settings file's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The plan in the editor when the app was closed.
    pub plan: WorkoutPlan,
    /// Last started plans, newest first, no duplicates.
    pub recent: Vec<WorkoutPlan>,
    /// The window's mute switch: no beeps.
    pub muted: bool,
    /// Start the workout as soon as a spoken plan is understood.
    pub auto_start: bool,
    /// How cues sound: voice, beeps, both or silence.
    pub cue_mode: speechtimer_core::cues::CueMode,
    /// Loudness of the cues, 0 to 1, apart from the system volume.
    pub volume: f32,
    /// Flash the countdown at each phase change and on the last seconds.
    pub flash: bool,
    /// No flashing or other motion (the athlete's reduced-motion choice).
    pub reduce_motion: bool,
    /// A plan understood by voice is said back, and the microphone opens
    /// for « oui », « non » or a correction.
    pub read_back: bool,
    /// The microphone stays open while the workout runs, for « pause »,
    /// « reprends », « suivant », « stop », « combien de temps ? ».
    pub hands_free: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            plan: WorkoutPlan::default(),
            recent: Vec::new(),
            muted: false,
            auto_start: false,
            cue_mode: speechtimer_core::cues::CueMode::default(),
            volume: DEFAULT_VOLUME,
            flash: true,
            reduce_motion: false,
            read_back: true,
            hands_free: false,
        }
    }
}

impl Prefs {
    /// Puts `plan` first in the recent list.
    pub fn remember(&mut self, plan: WorkoutPlan) {
        self.recent.retain(|p| *p != plan);
        self.recent.insert(0, plan);
        self.recent.truncate(RECENT_MAX);
    }

    /// Drops whatever a hand-edited file may hold that the app would refuse.
    fn sanitized(mut self) -> Self {
        self.recent.retain(|p| p.validate().is_ok());
        self.recent.truncate(RECENT_MAX);
        if self.plan.validate().is_err() {
            self.plan = WorkoutPlan::default();
        }
        if !(0.0..=1.0).contains(&self.volume) {
            self.volume = if self.volume.is_nan() {
                DEFAULT_VOLUME
            } else {
                self.volume.clamp(0.0, 1.0)
            };
        }
        self
    }
}

/// Why the prefs could not be saved (French message, for the athlete).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The settings file or its directory could not be written.
    #[error("impossible d'écrire les réglages dans {path}: {source}")]
    Write {
        /// The settings file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
}

/// Where the prefs live.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// Prefs kept in the file at `path`.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// `$SPEECHTIMER_CONFIG_DIR/settings.json`, else the platform's config
    /// directory.
    pub fn default_location() -> Option<Self> {
        let dir = match std::env::var_os("SPEECHTIMER_CONFIG_DIR") {
            Some(d) => PathBuf::from(d),
            None => directories::ProjectDirs::from("", "", "speechtimer")?
                .config_dir()
                .to_path_buf(),
        };
        Some(Self::at(dir.join("settings.json")))
    }

    /// The settings file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved prefs; defaults when there are none. A file that cannot be
    /// read is moved aside (never deleted) and reported in the message.
    pub fn load(&self) -> (Prefs, Option<String>) {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Prefs::default(), None),
            Err(e) => {
                return (
                    Prefs::default(),
                    Some(format!("Réglages illisibles ({e}) : valeurs par défaut.")),
                );
            }
        };
        match serde_json::from_str::<Prefs>(&text) {
            Ok(p) => (p.sanitized(), None),
            Err(e) => {
                let aside = self.path.with_extension("json.bad");
                let kept = fs::rename(&self.path, &aside).is_ok();
                let where_ = if kept {
                    format!(" (copie gardée dans {})", aside.display())
                } else {
                    String::new()
                };
                (
                    Prefs::default(),
                    Some(format!(
                        "Réglages corrompus ({e}) : valeurs par défaut{where_}."
                    )),
                )
            }
        }
    }

    /// Writes atomically: a temporary file beside the target, synced, then
    /// renamed over it (`tempfile`'s `persist`; the temporary file is
    /// removed when anything fails).
    pub fn save(&self, prefs: &Prefs) -> Result<(), StoreError> {
        let err = |source| StoreError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        fs::create_dir_all(dir).map_err(err)?;
        let json = serde_json::to_vec_pretty(prefs).map_err(|e| err(e.into()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
        tmp.write_all(&json).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        tmp.persist(&self.path).map_err(|e| err(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn plan(rounds: u32) -> WorkoutPlan {
        WorkoutPlan::new(
            rounds,
            Duration::from_secs(30),
            Duration::from_secs(10),
            Duration::ZERO,
        )
        .unwrap()
    }

    #[test]
    fn round_trips_and_keeps_ten_recent_plans() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("sub/settings.json"));
        assert_eq!(store.load(), (Prefs::default(), None));
        let mut prefs = Prefs::default();
        for r in 1..=12 {
            prefs.remember(plan(r));
        }
        prefs.remember(plan(5));
        prefs.muted = true;
        store.save(&prefs).unwrap();
        let (back, msg) = store.load();
        assert_eq!(msg, None);
        assert_eq!(back, prefs);
        assert_eq!(back.recent.len(), RECENT_MAX);
        assert_eq!(back.recent[0], plan(5));
        assert_eq!(back.recent.iter().filter(|p| **p == plan(5)).count(), 1);
        // no temporary file left behind
        let names: Vec<_> = fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, "{ not json").unwrap();
        let (prefs, msg) = Store::at(&path).load();
        assert_eq!(prefs, Prefs::default());
        assert!(msg.unwrap().contains("corrompus"));
        assert_eq!(
            fs::read_to_string(path.with_extension("json.bad")).unwrap(),
            "{ not json"
        );
    }

    #[test]
    fn invalid_plans_in_the_file_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let prefs = Prefs {
            recent: vec![plan(3)],
            ..Default::default()
        };
        let mut json = serde_json::to_value(&prefs).unwrap();
        let mut bad = json["recent"][0].clone();
        bad["rounds"] = 0.into();
        json["recent"].as_array_mut().unwrap().push(bad);
        json["plan"]["rounds"] = 5000.into();
        fs::write(&path, json.to_string()).unwrap();
        let (back, _) = Store::at(&path).load();
        assert_eq!(back.recent, vec![plan(3)]);
        assert_eq!(back.plan, WorkoutPlan::default());
    }

    #[test]
    fn durations_are_whole_seconds_and_old_files_still_load() {
        let prefs = Prefs {
            plan: plan(4),
            ..Default::default()
        };
        let json = serde_json::to_value(&prefs).unwrap();
        assert_eq!(json["plan"]["work"], 30, "{json}");
        assert_eq!(json["plan"]["rest"], 10, "{json}");
        // what the app wrote before: serde's own form of a Duration
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let old = r#"{"plan":{"rounds":4,"work":{"secs":30,"nanos":0},
            "rest":{"secs":10,"nanos":0},"prepare":{"secs":0,"nanos":0}},
            "recent":[],"muted":true,"auto_start":false}"#;
        fs::write(&path, old).unwrap();
        let (back, msg) = Store::at(&path).load();
        assert_eq!(msg, None);
        assert_eq!(back.plan, plan(4));
        assert!(back.muted);
    }
}
