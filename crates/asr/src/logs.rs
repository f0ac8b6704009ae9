//! whisper.cpp's and ggml's own log lines, through `tracing` (target
//! `whisper`) at the level they were written with, but for one case: a
//! run aborted on purpose (speech resumed during an early run) makes
//! whisper.cpp write « failed to encode » as an error, and that is no
//! failure: on the thread of such a run, its errors are debug lines.

use std::cell::Cell;
use std::ffi::{CStr, c_char, c_void};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use whisper_rs_sys::{
    ggml_log_level, ggml_log_level_GGML_LOG_LEVEL_DEBUG, ggml_log_level_GGML_LOG_LEVEL_ERROR,
    ggml_log_level_GGML_LOG_LEVEL_INFO, ggml_log_level_GGML_LOG_LEVEL_WARN,
};

thread_local! {
    /// The abort flag of the run on this thread, while it runs.
    static ABORT: Cell<*const AtomicBool> = const { Cell::new(std::ptr::null()) };
}

/// Sends whisper.cpp's and ggml's logs to `tracing` (once per process).
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: the callbacks are plain functions that live for ever and
        // only read the text they are given.
        unsafe {
            whisper_rs_sys::whisper_log_set(Some(line), std::ptr::null_mut());
            whisper_rs_sys::ggml_log_set(Some(line), std::ptr::null_mut());
        }
    });
}

/// While alive, whisper.cpp's errors on this thread are read against
/// `flag`: once it is set, they are what aborting the run looks like.
pub(crate) struct Watch<'a> {
    _flag: std::marker::PhantomData<&'a AtomicBool>,
}

impl<'a> Watch<'a> {
    /// Watches the run about to start on this thread (none: no abort).
    pub(crate) fn new(flag: Option<&'a AtomicBool>) -> Self {
        ABORT.with(|a| a.set(flag.map_or(std::ptr::null(), |f| f as *const _)));
        Self {
            _flag: std::marker::PhantomData,
        }
    }
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        ABORT.with(|a| a.set(std::ptr::null()));
    }
}

/// Whether the run on this thread was asked to stop.
fn aborted() -> bool {
    ABORT.with(|a| {
        let p = a.get();
        // SAFETY: set by a live `Watch`, whose flag outlives it
        !p.is_null() && unsafe { (*p).load(Ordering::Relaxed) }
    })
}

/// The level a line is logged at: its own, but an error of an aborted run
/// is a debug line.
fn level_of(level: ggml_log_level, aborted: bool) -> tracing::Level {
    use tracing::Level;
    if level == ggml_log_level_GGML_LOG_LEVEL_ERROR {
        if aborted { Level::DEBUG } else { Level::ERROR }
    } else if level == ggml_log_level_GGML_LOG_LEVEL_WARN {
        Level::WARN
    } else if level == ggml_log_level_GGML_LOG_LEVEL_INFO {
        Level::INFO
    } else if level == ggml_log_level_GGML_LOG_LEVEL_DEBUG {
        Level::DEBUG
    } else {
        // NONE, CONT (the rest of a long line) and unknown ones
        Level::TRACE
    }
}

unsafe extern "C" fn line(level: ggml_log_level, text: *const c_char, _: *mut c_void) {
    if text.is_null() {
        return;
    }
    // SAFETY: whisper.cpp and ggml pass a NUL-terminated string
    let text = unsafe { CStr::from_ptr(text) }.to_string_lossy();
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    match level_of(level, aborted()) {
        tracing::Level::ERROR => tracing::error!(target: "whisper", "{text}"),
        tracing::Level::WARN => tracing::warn!(target: "whisper", "{text}"),
        tracing::Level::INFO => tracing::info!(target: "whisper", "{text}"),
        tracing::Level::DEBUG => tracing::debug!(target: "whisper", "{text}"),
        _ => tracing::trace!(target: "whisper", "{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_aborted_runs_errors_are_debug_lines_and_the_rest_keep_their_level() {
        let e = ggml_log_level_GGML_LOG_LEVEL_ERROR;
        assert_eq!(level_of(e, false), tracing::Level::ERROR);
        assert_eq!(level_of(e, true), tracing::Level::DEBUG);
        let w = ggml_log_level_GGML_LOG_LEVEL_WARN;
        assert_eq!(level_of(w, true), tracing::Level::WARN);
        assert_eq!(
            level_of(ggml_log_level_GGML_LOG_LEVEL_INFO, false),
            tracing::Level::INFO
        );
    }

    #[test]
    fn a_watch_sees_its_flag_on_its_thread_only_while_alive() {
        let flag = AtomicBool::new(false);
        assert!(!aborted());
        {
            let _w = Watch::new(Some(&flag));
            assert!(!aborted());
            flag.store(true, Ordering::Relaxed);
            assert!(aborted());
            std::thread::scope(|s| {
                s.spawn(|| assert!(!aborted()));
            });
        }
        assert!(!aborted());
        let _none = Watch::new(None);
        assert!(!aborted());
    }
}
