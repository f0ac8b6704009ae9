//! What can go wrong talking to Label Studio, in French for the person at
//! the terminal.

/// Why a call to Label Studio failed.
#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    /// The URL is not an `http://` or `https://` one.
    #[error("adresse Label Studio invalide « {0} » (attendu : http://hôte:port)")]
    BadUrl(String),
    /// No token was given.
    #[error(
        "aucun jeton Label Studio : --token ou LABEL_STUDIO_API_KEY (Label Studio → Account & Settings → Legacy Token)"
    )]
    NoToken,
    /// The server could not be reached, or the answer was cut.
    #[error("Label Studio injoignable ({url}) : {reason}")]
    Network {
        /// What was asked.
        url: String,
        /// The client's message.
        reason: String,
    },
    /// The token was refused (401, 403).
    #[error(
        "jeton refusé par Label Studio ({url}, HTTP {status}) : vérifiez --token / LABEL_STUDIO_API_KEY ; un jeton « Legacy » demande que ces jetons soient activés (Organization → Settings → Access Token Settings, ou --enable-legacy-api-token au premier démarrage)"
    )]
    Token {
        /// What was asked.
        url: String,
        /// The status.
        status: u16,
    },
    /// 404: no such project or task.
    #[error("introuvable dans Label Studio : {url}")]
    NotFound {
        /// What was asked.
        url: String,
    },
    /// Any other error status.
    #[error("Label Studio a répondu HTTP {status} à {url} : {body}")]
    Status {
        /// What was asked.
        url: String,
        /// The status.
        status: u16,
        /// The start of the answer.
        body: String,
    },
    /// The answer is not the JSON expected.
    #[error("réponse inattendue de Label Studio ({url}) : {reason}")]
    Answer {
        /// What was asked.
        url: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The project's labelling config cannot hold this project's labels.
    #[error("le projet {project} ne convient pas : {reason}")]
    Config {
        /// The project's id.
        project: u64,
        /// What is missing, in French.
        reason: String,
    },
}
