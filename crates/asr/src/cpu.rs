//! How busy other processes keep the cores, from `/proc` (Linux; elsewhere
//! nothing is known and the configured thread count stands). ggml's threads
//! wait for each other at every step by spinning, so a decoder thread that
//! shares its core with a busy process stalls all of them: on 2 cores with
//! a build running, 1 thread measured twice as fast as 2 (docs/results.md).

use std::time::{Duration, Instant};

/// CPU time counters at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// When the counters were read.
    pub at: Instant,
    /// All cores: busy and total clock ticks since boot.
    busy: u64,
    total: u64,
    cores: u32,
    /// This process's ticks (all its threads).
    own: u64,
}

impl Sample {
    /// `None` where `/proc` cannot be read.
    pub fn read() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let own = std::fs::read_to_string("/proc/self/stat").ok()?;
        Self::parse(&stat, &own, Instant::now())
    }

    fn parse(stat: &str, own: &str, at: Instant) -> Option<Self> {
        let mut lines = stat.lines();
        let all: Vec<u64> = lines
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        if all.len() < 4 {
            return None;
        }
        // user nice system idle iowait irq softirq steal (guest is in user)
        let idle = all[3] + all.get(4).copied().unwrap_or(0);
        let total: u64 = all.iter().take(8).sum();
        let cores = lines
            .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
            .count() as u32;
        // the command name may hold spaces: fields follow the last ')'
        let fields: Vec<u64> = own
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .skip(11) // state ... cmajflt: utime is field 14 of the line
            .take(2)
            .filter_map(|v| v.parse().ok())
            .collect();
        let [utime, stime] = fields[..] else {
            return None;
        };
        Some(Self {
            at,
            busy: total - idle,
            total,
            cores: cores.max(1),
            own: utime + stime,
        })
    }

    /// Cores kept busy by other processes between `self` and `later`.
    pub fn others_busy(&self, later: &Sample) -> f32 {
        let per_core = later.total.saturating_sub(self.total) as f32 / self.cores as f32;
        if per_core <= 0.0 {
            return 0.0;
        }
        let others = later
            .busy
            .saturating_sub(self.busy)
            .saturating_sub(later.own.saturating_sub(self.own));
        others as f32 / per_core
    }
}

/// Shortest span worth comparing (the counters tick at 100 Hz).
pub const MIN_SPAN: Duration = Duration::from_millis(150);

/// Threads for the decoder when others keep `others` cores busy: all the
/// `configured` ones on an idle machine, one fewer per core taken, at
/// least one.
pub fn threads_for(configured: usize, others: f32) -> usize {
    if others < 0.3 {
        return configured.max(1);
    }
    let taken = (others - 0.3).ceil().max(1.0) as usize;
    configured.saturating_sub(taken).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "cpu  100 0 50 800 10 0 0 0 0 0\ncpu0 50 0 25 400 5 0 0 0 0 0\ncpu1 50 0 25 400 5 0 0 0 0 0\nintr 1\n";

    fn own(utime: u64, stime: u64) -> String {
        format!("42 (speech timer) S 1 42 42 0 -1 4194304 100 0 0 0 {utime} {stime} 0 0 20 0 3 0")
    }

    #[test]
    fn others_are_the_busy_ticks_that_are_not_ours() {
        let t0 = Instant::now();
        let a = Sample::parse(STAT, &own(10, 5), t0).unwrap();
        assert_eq!((a.busy, a.total, a.cores, a.own), (150, 960, 2, 15));
        // 100 ticks per core later: 160 busy, of which 40 ours
        let later = "cpu  220 0 90 840 10 0 0 0 0 0\ncpu0 1\ncpu1 1\n";
        let b = Sample::parse(later, &own(40, 15), t0 + Duration::from_secs(1)).unwrap();
        assert!(
            (a.others_busy(&b) - 1.2).abs() < 1e-6,
            "{}",
            a.others_busy(&b)
        );
        assert_eq!(a.others_busy(&a), 0.0);
    }

    #[test]
    fn unreadable_counters_give_nothing() {
        assert!(Sample::parse("", &own(1, 1), Instant::now()).is_none());
        assert!(Sample::parse(STAT, "garbage", Instant::now()).is_none());
    }

    #[test]
    fn threads_give_way_to_busy_cores() {
        assert_eq!(threads_for(2, 0.0), 2);
        assert_eq!(threads_for(2, 0.2), 2);
        assert_eq!(threads_for(2, 0.5), 1);
        assert_eq!(threads_for(2, 2.0), 1);
        assert_eq!(threads_for(8, 1.0), 7);
        assert_eq!(threads_for(8, 3.1), 5);
        assert_eq!(threads_for(0, 0.0), 1);
    }

    #[test]
    fn this_machine_can_be_read() {
        if cfg!(target_os = "linux") {
            let a = Sample::read().expect("/proc readable");
            assert!(a.cores >= 1 && a.total >= a.busy);
        }
    }
}
