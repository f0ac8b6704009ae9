//! The threads the app starts: the voice worker (microphone, Whisper,
//! tagger) and the beeps' output. The stages give their loops
//! ([`VoiceLoop`], [`speechtimer_devices::playback::Speaker`]); the app names and
//! starts the threads.

use speechtimer_devices::playback::Player;
use speechtimer_voice::{Voice, VoiceConfig, VoiceLoop};

/// Starts the voice worker on its thread ("voice"). `notify` is called
/// after each of its messages.
pub fn spawn_voice(
    config: VoiceConfig,
    notify: impl Fn() + Send + 'static,
) -> std::io::Result<Voice> {
    let (voice, work): (Voice, VoiceLoop) = Voice::new(config, notify);
    std::thread::Builder::new()
        .name("voice".into())
        .spawn(move || work.run())?;
    Ok(voice)
}

/// Starts the beeps' output on its thread ("beeps"); returns at once
/// (opening the device happens on that thread). A thread that cannot start
/// leaves a silent player that says why.
pub fn spawn_player() -> Player {
    let (player, speaker) = Player::new();
    if let Err(e) = std::thread::Builder::new()
        .name("beeps".into())
        .spawn(move || speaker.run())
    {
        player.thread_failed(&e);
    }
    player
}
