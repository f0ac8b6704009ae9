//! `speechtimer cues`: what the athlete will hear for a plan, and when:
//! every cue of the schedule in the chosen mode (the times the window plays
//! them at; `scripts/measure-cue-timing` compares a recording with them).

use clap::Args;
use speechtimer_core::cues::{CueMode, Sound, sounds_for};
use speechtimer_core::plan::WorkoutPlan;
use speechtimer_core::timer::Timer;
use std::time::Duration;

#[derive(Debug, Args)]
pub(crate) struct CuesArgs {
    /// Nombre de séries.
    pub rounds: u32,
    /// Effort, en secondes.
    pub work: u64,
    /// Repos, en secondes.
    pub rest: u64,
    /// Préparation, en secondes.
    #[arg(default_value_t = 5)]
    pub prepare: u64,
    /// voice, beeps, both ou silent.
    #[arg(long, default_value = "both", value_parser = mode_parser())]
    pub mode: CueMode,
}

fn mode_parser() -> impl clap::builder::TypedValueParser<Value = CueMode> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["voice", "beeps", "both", "silent"]).map(|s| match s
        .as_str()
    {
        "voice" => CueMode::Voice,
        "beeps" => CueMode::Beeps,
        "silent" => CueMode::Silent,
        _ => CueMode::Both,
    })
}

/// Prints one line per cue: its time in seconds, a tab, what it is.
pub(crate) fn run(args: CuesArgs) -> anyhow::Result<()> {
    let plan = WorkoutPlan::new(
        args.rounds,
        Duration::from_secs(args.work),
        Duration::from_secs(args.rest),
        Duration::from_secs(args.prepare),
    )?;
    println!(
        "# at_s\tcue ({} : {})",
        args.mode.label_fr(),
        plan.summary()
    );
    for (at, event) in Timer::new(plan).schedule() {
        for sound in sounds_for(&event, &plan, args.mode) {
            let what = match sound {
                Sound::Beep(cue) => format!("bip {cue:?}"),
                Sound::Say(words) => format!("voix {words:?}"),
            };
            println!("{:.3}\t{what}", at.as_secs_f64());
        }
    }
    Ok(())
}
