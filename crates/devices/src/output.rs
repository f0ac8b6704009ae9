//! An open output device for the cue player: rodio's mixer to add sounds
//! to, the device stream on a thread of its own, and the stream's last
//! fault. As with the microphone (`capture.rs`), closing a stream whose
//! sound server died can hang inside the ALSA PulseAudio plugin, and that
//! must not hang the player.

use rodio::mixer::Mixer;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long opening the device may take before it is said not to answer.
const OPEN_WAIT: Duration = Duration::from_secs(5);

/// The default output device, open; dropping it closes the stream (on the
/// stream's own thread).
pub(crate) struct Output {
    mixer: Mixer,
    fault: Arc<Mutex<Option<String>>>,
    /// Dropped to tell the stream's thread to close it.
    _close: Sender<()>,
}

impl Output {
    /// Opens the default output device; why not, in words, when it cannot.
    pub(crate) fn open() -> Result<Self, String> {
        let fault = Arc::new(Mutex::new(None));
        let (ready_tx, ready) = mpsc::channel();
        let (close, close_rx) = mpsc::channel();
        let stream_fault = Arc::clone(&fault);
        std::thread::Builder::new()
            .name("sound output".into())
            .spawn(move || hold(stream_fault, ready_tx, close_rx))
            .map_err(|e| e.to_string())?;
        match ready.recv_timeout(OPEN_WAIT) {
            Ok(Ok(mixer)) => Ok(Self {
                mixer,
                fault,
                _close: close,
            }),
            Ok(Err(why)) => Err(why),
            Err(_) => Err(format!("pas de réponse en {} s", OPEN_WAIT.as_secs())),
        }
    }

    /// Where sounds are added to be played.
    pub(crate) fn mixer(&self) -> &Mixer {
        &self.mixer
    }

    /// The stream's last fault since the previous call, if any: an error
    /// that sound may not survive. Underruns and reroutes are none (the
    /// stream recovers from them by itself).
    pub(crate) fn fault(&self) -> Option<String> {
        self.fault.lock().ok().and_then(|mut f| f.take())
    }
}

/// Whether a stream error may have stopped the sound.
fn is_fault(kind: cpal::ErrorKind) -> bool {
    !matches!(kind, cpal::ErrorKind::Xrun | cpal::ErrorKind::DeviceChanged)
}

/// The thread that owns the stream: opens it, gives its mixer on `ready`,
/// keeps it until `close`'s sender is dropped, then closes it.
fn hold(
    fault: Arc<Mutex<Option<String>>>,
    ready: Sender<Result<Mixer, String>>,
    close: Receiver<()>,
) {
    let on_error = move |err: cpal::Error| {
        if is_fault(err.kind()) {
            if let Ok(mut f) = fault.lock() {
                *f = Some(err.to_string());
            }
        } else {
            tracing::debug!("audio output recovered by itself: {err}");
        }
    };
    let opened = rodio::DeviceSinkBuilder::from_default_device()
        .map(|b| b.with_error_callback(on_error))
        .and_then(|b| b.open_sink_or_fallback());
    match opened {
        Ok(mut sink) => {
            sink.log_on_drop(false);
            let _ = ready.send(Ok(sink.mixer().clone()));
            // returns when the Output drops its sender
            let _ = close.recv();
            drop(sink);
        }
        Err(err) => {
            let _ = ready.send(Err(err.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underruns_and_reroutes_are_no_faults_the_rest_are() {
        assert!(!is_fault(cpal::ErrorKind::Xrun));
        assert!(!is_fault(cpal::ErrorKind::DeviceChanged));
        assert!(is_fault(cpal::ErrorKind::DeviceNotAvailable));
        assert!(is_fault(cpal::ErrorKind::HostUnavailable));
    }
}
