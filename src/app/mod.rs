//! The eframe window: wiring of the app state, its views and the platform.

pub mod awake;
pub mod clock;
pub mod dialogue;
pub mod editor;
pub mod frame;
pub mod frames;
pub mod gym;
pub mod palette;
pub mod state;
pub mod store;
pub mod threads;
pub mod view;
pub mod whisper;

use clock::Clock;
use speechtimer_devices::playback::{CueSink, Silent};
pub use state::AppState;
use store::Store;

/// The eframe application: owns the state; each frame runs its logic, then
/// draws it.
pub struct SpeechTimerApp {
    /// Everything the window shows and does.
    pub state: AppState,
    /// What the last `logic` left for the view.
    status: Option<speechtimer_core::timer::Status>,
}

impl SpeechTimerApp {
    /// The window over `state`.
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            status: None,
        }
    }

    /// Everything but drawing (`frame::logic`).
    pub fn logic(&mut self, ctx: &egui::Context) {
        self.status = Some(frame::logic(ctx, &mut self.state));
    }

    /// Draws what the last `logic` left (runs it first if none ran).
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let status = match self.status.take() {
            Some(s) => s,
            None => frame::logic(ui.ctx(), &mut self.state),
        };
        view::show(ui, &mut self.state, &status);
    }

    /// One whole frame into `ui`, logic then drawing (the UI tests).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.logic(&ui.ctx().clone());
        self.draw(ui);
    }
}

impl eframe::App for SpeechTimerApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        SpeechTimerApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.state.flush();
    }
}

/// Options of the window from the command line.
#[derive(Debug, Clone, Default)]
pub struct WindowOptions {
    /// No beeps: no audio output is opened (`--mute`).
    pub mute: bool,
    /// A trained model directory instead of the embedded model.
    pub ner_model: Option<std::path::PathBuf>,
    /// Hear this WAV file instead of the microphone (played once at start,
    /// again at each press of the microphone button).
    pub audio_file: Option<std::path::PathBuf>,
}

/// The window's icon (`assets/icons/`, drawn for this project).
const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/speechtimer-128.png");

/// Opens the window and runs until it is closed.
pub fn run(options: WindowOptions) -> anyhow::Result<()> {
    let sound: Box<dyn CueSink> = if options.mute {
        Box::new(Silent::default())
    } else {
        Box::new(threads::spawn_player())
    };
    let nlu = match speechtimer_nlu::Nlu::load(options.ner_model.as_deref()) {
        Ok(n) => Some(std::sync::Arc::new(n)),
        Err(e) => {
            tracing::error!("{e}");
            None
        }
    };
    let mut state = AppState::new(Store::default_location(), sound, Clock::System).with_nlu(nlu);
    match awake::Inhibitor::spawn() {
        Ok(inhibitor) => state = state.with_awake(Box::new(inhibitor)),
        Err(e) => tracing::warn!("no screen-saver inhibitor: {e}"),
    }
    state.whisper = Some(whisper::WhisperModel::locate());
    if let Some(path) = options.audio_file {
        if !path.is_file() {
            anyhow::bail!("fichier audio introuvable : {}", path.display());
        }
        state.source = speechtimer_devices::Source::File {
            path,
            realtime: true,
        };
        state.talk_on_start = true;
    }
    if !state.has_nlu() {
        state
            .notices
            .push("Modèle de compréhension illisible : saisissez le plan à la main.".into());
    }
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("SpeechTimer")
        // the WM_CLASS / Wayland app id the desktop entry names
        .with_app_id("speechtimer")
        .with_inner_size([1000.0, 640.0])
        .with_min_inner_size([640.0, 420.0]);
    match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(e) => tracing::warn!("window icon: {e}"),
    }
    let native = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        persist_window: false,
        ..Default::default()
    };
    eframe::run_native(
        "SpeechTimer",
        native,
        Box::new(|_cc| Ok(Box::new(SpeechTimerApp::new(state)))),
    )
    .map_err(|e| window_error(&e.to_string()))
}

/// Turns winit's "no display" into advice for the athlete.
fn window_error(err: &str) -> anyhow::Error {
    let no_display =
        std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none();
    if no_display || err.contains("DISPLAY") {
        anyhow::anyhow!(
            "La fenêtre a besoin d'une session graphique (aucun écran trouvé : DISPLAY et WAYLAND_DISPLAY sont vides).\n\
             Lancez SpeechTimer depuis votre bureau, ou utilisez les commandes en ligne (`speechtimer --help`).\n\
             Détail : {err}"
        )
    } else {
        anyhow::anyhow!("Impossible d'ouvrir la fenêtre : {err}")
    }
}
