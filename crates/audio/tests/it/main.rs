//! Property tests of speechtimer-audio: the WAV decoder on any bytes.
//! `PROPTEST_CASES` raises the number of cases for a long run.

mod wav;

use proptest::test_runner::Config;

/// proptest's configuration with `cases` cases, unless `PROPTEST_CASES`
/// says otherwise (proptest reads it into its default configuration).
pub(crate) fn config(cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}
