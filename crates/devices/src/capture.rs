//! Microphone capture on cpal: any device, sample format, rate and channel
//! count in; mono f32 at 16 kHz out, with an input level for a meter.
//!
//! The cpal callback only converts and forwards samples over a channel; the
//! thread that owns [`Capture`] resamples and runs end-of-speech detection.
//! (A cpal stream may not move between threads: each lives on a thread of
//! its own, which also keeps a hang in closing it out of the app.)

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use speechtimer_audio::blocks::{Blocks, CaptureError};
use speechtimer_audio::resample::{self, StreamResampler};
use speechtimer_audio::vad::rms_db;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::time::Duration;

/// A capture device as listed by `speechtimer devices`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    /// The device's name, as `--device` accepts it.
    pub name: String,
    /// The host's default input device.
    pub is_default: bool,
    /// "48000 Hz, 2 canaux, F32" when the default config could be read.
    pub config: Option<String>,
}

fn device_name(d: &cpal::Device) -> String {
    d.description()
        .map(|desc| desc.name().to_string())
        .unwrap_or_else(|_| "(sans nom)".to_string())
}

/// Lists input devices of the default host.
pub fn list_devices() -> Result<Vec<DeviceInfo>, CaptureError> {
    let host = cpal::default_host();
    let default = host.default_input_device().map(|d| device_name(&d));
    let devices = host.input_devices().map_err(|e| CaptureError::Open {
        name: "(liste)".into(),
        reason: e.to_string(),
    })?;
    Ok(devices
        .map(|d| {
            let name = device_name(&d);
            let config = d.default_input_config().ok().map(|c| {
                format!(
                    "{} Hz, {} canaux, {:?}",
                    c.sample_rate(),
                    c.channels(),
                    c.sample_format()
                )
            });
            DeviceInfo {
                is_default: default.as_deref() == Some(name.as_str()),
                name,
                config,
            }
        })
        .collect())
}

enum Msg {
    Samples(Vec<f32>),
    Error(String),
}

/// An open input stream. The cpal stream lives on a thread of its own
/// ([`hold`]): closing a stream whose sound server died can hang inside
/// the ALSA PulseAudio plugin (a deadlock in libpulse, seen in
/// tests/devices), and that must not hang the app.
pub struct Capture {
    name: String,
    /// Dropped to tell the stream's thread to close it.
    close: Option<Sender<()>>,
    /// Said by the stream's thread once the stream is closed.
    closed: Receiver<()>,
    rx: Receiver<Msg>,
    resampler: StreamResampler,
    channels: usize,
    level_db: f32,
}

/// How long opening may take before the microphone is said not to answer.
const OPEN_WAIT: Duration = Duration::from_secs(10);
/// How long dropping a [`Capture`] waits for its stream to close.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

impl Drop for Capture {
    fn drop(&mut self) {
        self.close.take();
        if self.closed.recv_timeout(CLOSE_WAIT).is_err() {
            tracing::warn!(
                "the stream of « {} » did not close in {CLOSE_WAIT:?} (its sound server gone?): left to its thread",
                self.name
            );
        }
    }
}

/// What the stream's thread reports once it tried to open the device.
type Opened = Result<(String, cpal::StreamConfig), CaptureError>;

/// The thread that owns a stream: opens it, says how that went, keeps it
/// until `close` is dropped, closes it and says so on `closed`.
fn hold(
    device: Option<String>,
    tx: SyncSender<Msg>,
    ready: Sender<Opened>,
    close: Receiver<()>,
    closed: Sender<()>,
) {
    match open_stream(device.as_deref(), tx) {
        Ok((name, config, stream)) => {
            let _ = ready.send(Ok((name, config)));
            // returns when the Capture drops its sender
            let _ = close.recv();
            drop(stream);
            let _ = closed.send(());
        }
        Err(e) => {
            let _ = ready.send(Err(e));
        }
    }
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    tx: SyncSender<Msg>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: cpal::SizedSample,
    f32: cpal::FromSample<T>,
{
    let err_tx = tx.clone();
    device.build_input_stream::<T, _, _>(
        *config,
        move |data: &[T], _| {
            let block: Vec<f32> = data
                .iter()
                .map(|s| <f32 as cpal::FromSample<T>>::from_sample_(*s))
                .collect();
            // a full channel means the reader stalled: drop the block
            let _ = tx.try_send(Msg::Samples(block));
        },
        move |e| {
            let _ = err_tx.try_send(Msg::Error(e.to_string()));
        },
        None,
    )
}

/// Finds `device` (or the default input), builds its stream and starts it.
fn open_stream(
    device: Option<&str>,
    tx: SyncSender<Msg>,
) -> Result<(String, cpal::StreamConfig, cpal::Stream), CaptureError> {
    let host = cpal::default_host();
    let dev = match device {
        None => host.default_input_device().ok_or(CaptureError::NoDevice)?,
        Some(want) => {
            let want_l = want.to_lowercase();
            let devices: Vec<cpal::Device> = host
                .input_devices()
                .map_err(|_| CaptureError::NoDevice)?
                .collect();
            let exact = devices.iter().position(|d| device_name(d) == want);
            let loose = || {
                devices
                    .iter()
                    .position(|d| device_name(d).to_lowercase().contains(&want_l))
            };
            let i = exact
                .or_else(loose)
                .ok_or_else(|| CaptureError::NotFound(want.to_string()))?;
            devices.into_iter().nth(i).ok_or(CaptureError::NoDevice)?
        }
    };
    let name = device_name(&dev);
    let open_err = |reason: String| CaptureError::Open {
        name: name.clone(),
        reason,
    };
    let supported = dev
        .default_input_config()
        .map_err(|e| open_err(e.to_string()))?;
    let mut config = supported.config();
    // periods of about 100 ms: PulseAudio's ALSA plugin, left to its own
    // period, woke the capture thread so often that listening through a
    // whole workout (hands-free) cost a third of a core
    if let cpal::SupportedBufferSize::Range { min, max } = supported.buffer_size() {
        config.buffer_size = cpal::BufferSize::Fixed((config.sample_rate / 10).clamp(*min, *max));
    }
    use cpal::SampleFormat as F;
    let stream = match supported.sample_format() {
        F::F32 => build::<f32>(&dev, &config, tx),
        F::F64 => build::<f64>(&dev, &config, tx),
        F::I8 => build::<i8>(&dev, &config, tx),
        F::I16 => build::<i16>(&dev, &config, tx),
        F::I32 => build::<i32>(&dev, &config, tx),
        F::I64 => build::<i64>(&dev, &config, tx),
        F::U8 => build::<u8>(&dev, &config, tx),
        F::U16 => build::<u16>(&dev, &config, tx),
        F::U32 => build::<u32>(&dev, &config, tx),
        F::U64 => build::<u64>(&dev, &config, tx),
        other => return Err(open_err(format!("format {other:?} non pris en charge"))),
    }
    .map_err(|e| open_err(e.to_string()))?;
    stream.play().map_err(|e| open_err(e.to_string()))?;
    tracing::info!(
        "capturing from {name}: {} Hz, {} channels",
        config.sample_rate,
        config.channels
    );
    Ok((name, config, stream))
}

impl Capture {
    /// Opens `device` (by name, exact or case-insensitive substring), or the
    /// default input, and starts it.
    pub fn open(device: Option<&str>) -> Result<Self, CaptureError> {
        let (tx, rx) = mpsc::sync_channel(256);
        let (ready_tx, ready) = mpsc::channel();
        let (close, close_rx) = mpsc::channel();
        let (closed_tx, closed) = mpsc::channel();
        let want = device.map(str::to_string);
        let what = device.unwrap_or("par défaut").to_string();
        std::thread::Builder::new()
            .name("microphone".into())
            .spawn(move || hold(want, tx, ready_tx, close_rx, closed_tx))
            .map_err(|e| CaptureError::Open {
                name: what.clone(),
                reason: e.to_string(),
            })?;
        let (name, config) = match ready.recv_timeout(OPEN_WAIT) {
            Ok(opened) => opened?,
            Err(_) => {
                return Err(CaptureError::Open {
                    name: what,
                    reason: format!("pas de réponse en {} s", OPEN_WAIT.as_secs()),
                });
            }
        };
        Ok(Self {
            resampler: StreamResampler::new(config.sample_rate)?,
            channels: config.channels as usize,
            name,
            close: Some(close),
            closed,
            rx,
            level_db: -100.0,
        })
    }

    /// Name of the device being captured.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Level of the last block read, dBFS.
    pub fn level_db(&self) -> f32 {
        self.level_db
    }

    /// Waits up to `timeout` for the next block, mixed to mono and
    /// resampled to 16 kHz (possibly empty while the resampler fills).
    /// No data for `timeout` means the device is gone.
    pub fn next_block(&mut self, timeout: Duration) -> Result<Vec<f32>, CaptureError> {
        let lost = |reason: String| CaptureError::Lost {
            name: self.name.clone(),
            reason,
        };
        match self.rx.recv_timeout(timeout) {
            Ok(Msg::Samples(s)) => {
                let mono = resample::mix_to_mono(&s, self.channels);
                let out = self.resampler.push(&mono)?;
                if !out.is_empty() {
                    self.level_db = rms_db(&out);
                }
                Ok(out)
            }
            Ok(Msg::Error(e)) => Err(lost(e)),
            Err(RecvTimeoutError::Timeout) => Err(lost("aucun son reçu".into())),
            Err(RecvTimeoutError::Disconnected) => Err(lost("flux fermé".into())),
        }
    }
}

impl Blocks for Capture {
    fn next_block(&mut self, timeout: Duration) -> Result<Vec<f32>, CaptureError> {
        Capture::next_block(self, timeout)
    }
}
