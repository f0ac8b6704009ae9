//! A small client of Label Studio's REST API (the calls of the labelling
//! loop), authenticated by a token: `Authorization: Token …` (a legacy
//! token) or `Bearer …` (a personal access token's refresh token is
//! exchanged first).

use super::error::LabelError;
use serde::Deserialize;
use serde_json::{Value, json};
use speechtimer_corpus::label_studio::ResultItem;
use std::time::Duration;

/// A Label Studio server and the token to talk to it.
pub struct Client {
    base: String,
    auth: String,
    agent: ureq::Agent,
}

/// A project, as far as the loop needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct Project {
    /// Its number (`--project`).
    pub id: u64,
    /// Its title.
    #[serde(default)]
    pub title: String,
    /// Its labelling config (XML).
    #[serde(default)]
    pub label_config: String,
}

/// A task's id and text.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskText {
    /// The task's id.
    pub id: u64,
    /// `data.text`.
    pub text: String,
}

/// A prediction Label Studio holds for a task.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredPrediction {
    /// The task it is of.
    pub task: u64,
    /// Who made it.
    #[serde(default)]
    pub model_version: String,
    /// The model's overall score, if it gave one.
    #[serde(default)]
    pub score: Option<f32>,
    /// Its regions.
    #[serde(default)]
    pub result: Vec<ResultItem>,
}

/// Tasks asked per page when listing a project's tasks.
const PAGE: usize = 100;

/// How a token reads: a personal access token is a JWT (three base64
/// parts with dots), a legacy token is 40 hex digits.
fn is_personal_access_token(token: &str) -> bool {
    token.split('.').count() == 3
}

impl Client {
    /// A client of the server at `url` (`http://host:port`) with `token`; a
    /// personal access token is exchanged for an access token here.
    pub fn new(url: &str, token: &str) -> Result<Self, LabelError> {
        let base = url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 10 {
            return Err(LabelError::BadUrl(url.to_string()));
        }
        let token = token.trim();
        if token.is_empty() {
            return Err(LabelError::NoToken);
        }
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .user_agent(concat!("speechtimer/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let mut client = Self {
            base,
            auth: format!("Token {token}"),
            agent,
        };
        if is_personal_access_token(token) {
            let answer = client.call(
                "POST",
                "/api/token/refresh",
                Some(json!({"refresh": token})),
            )?;
            let access = answer
                .get("access")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    client.answer_err("/api/token/refresh", "pas de champ « access »")
                })?;
            client.auth = format!("Bearer {access}");
        }
        Ok(client)
    }

    /// The server's address, as given.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn answer_err(&self, path: &str, reason: impl Into<String>) -> LabelError {
        LabelError::Answer {
            url: format!("{}{path}", self.base),
            reason: reason.into(),
        }
    }

    /// One call; the answer's JSON (`null` for an empty body).
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, LabelError> {
        let text = self.call_text(method, path, body)?;
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| self.answer_err(path, e.to_string()))
    }

    /// One call; the answer's body as text.
    fn call_text(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<String, LabelError> {
        let url = format!("{}{path}", self.base);
        let net = |e: ureq::Error| LabelError::Network {
            url: url.clone(),
            reason: e.to_string(),
        };
        let mut resp = match (method, body) {
            ("GET", _) => self
                .agent
                .get(&url)
                .header("Authorization", &self.auth)
                .call(),
            (_, body) => self
                .agent
                .post(&url)
                .header("Authorization", &self.auth)
                .content_type("application/json")
                .send(body.unwrap_or(Value::Null).to_string()),
        }
        .map_err(net)?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(net)?;
        match status {
            200..=299 => Ok(text),
            401 | 403 => Err(LabelError::Token { url, status }),
            404 => Err(LabelError::NotFound { url }),
            _ => Err(LabelError::Status {
                url,
                status,
                body: text.chars().take(300).collect(),
            }),
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, path: &str, v: Value) -> Result<T, LabelError> {
        serde_json::from_value(v).map_err(|e| self.answer_err(path, e.to_string()))
    }

    /// The project `id`.
    pub fn project(&self, id: u64) -> Result<Project, LabelError> {
        let path = format!("/api/projects/{id}/");
        let v = self.call("GET", &path, None)?;
        self.parse(&path, v)
    }

    /// Creates a project with `label_config`.
    pub fn create_project(&self, title: &str, label_config: &str) -> Result<Project, LabelError> {
        let path = "/api/projects/";
        let v = self.call(
            "POST",
            path,
            Some(json!({"title": title, "label_config": label_config})),
        )?;
        self.parse(path, v)
    }

    /// Imports `tasks` (a JSON list of `{data, predictions?}`) into the
    /// project; the number of tasks Label Studio says it made.
    pub fn import_tasks(&self, project: u64, tasks: &Value) -> Result<usize, LabelError> {
        let path = format!("/api/projects/{project}/import");
        let v = self.call("POST", &path, Some(tasks.clone()))?;
        v.get("task_count")
            .and_then(Value::as_u64)
            .map(|n| n as usize)
            .ok_or_else(|| self.answer_err(&path, "pas de « task_count »"))
    }

    /// Every task of the project, with its annotations and predictions, as
    /// Label Studio's JSON export (the text of a list of tasks).
    pub fn export(&self, project: u64) -> Result<String, LabelError> {
        let path =
            format!("/api/projects/{project}/export?exportType=JSON&download_all_tasks=true");
        let text = self.call_text("GET", &path, None)?;
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Array(_)) => Ok(text),
            Ok(_) => Err(self.answer_err(&path, "l'export n'est pas une liste de tâches")),
            Err(e) => Err(self.answer_err(&path, e.to_string())),
        }
    }

    /// The project's tasks, ids and texts, in Label Studio's order.
    pub fn tasks(&self, project: u64) -> Result<Vec<TaskText>, LabelError> {
        let mut out = Vec::new();
        for page in 1.. {
            let path = format!("/api/tasks?project={project}&page={page}&page_size={PAGE}");
            let v = match self.call("GET", &path, None) {
                Ok(v) => v,
                // past the last page
                Err(LabelError::NotFound { .. }) if page > 1 => break,
                Err(e) => return Err(e),
            };
            let tasks = v
                .get("tasks")
                .and_then(Value::as_array)
                .ok_or_else(|| self.answer_err(&path, "pas de liste « tasks »"))?;
            for t in tasks {
                let id = t.get("id").and_then(Value::as_u64);
                let text = t.pointer("/data/text").and_then(Value::as_str);
                if let (Some(id), Some(text)) = (id, text) {
                    out.push(TaskText {
                        id,
                        text: text.to_string(),
                    });
                }
            }
            let total = v.get("total").and_then(Value::as_u64).unwrap_or(0) as usize;
            if tasks.len() < PAGE || out.len() >= total {
                break;
            }
        }
        Ok(out)
    }

    /// The predictions Label Studio holds for the project's tasks.
    pub fn predictions(&self, project: u64) -> Result<Vec<StoredPrediction>, LabelError> {
        let path = format!("/api/predictions/?project={project}");
        let v = self.call("GET", &path, None)?;
        self.parse(&path, v)
    }

    /// Saves an annotation of `task` made of `result`.
    pub fn annotate(&self, task: u64, result: &[ResultItem]) -> Result<(), LabelError> {
        let path = format!("/api/tasks/{task}/annotations/");
        self.call("POST", &path, Some(json!({ "result": result })))
            .map(|_| ())
    }

    /// Connects the ML backend at `backend_url` to the project; its id.
    pub fn connect_model(
        &self,
        project: u64,
        backend_url: &str,
        title: &str,
    ) -> Result<u64, LabelError> {
        let path = "/api/ml/";
        let v = self.call(
            "POST",
            path,
            Some(json!({"url": backend_url, "project": project, "title": title})),
        )?;
        v.get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| self.answer_err(path, "pas d'« id »"))
    }

    /// The state and model version Label Studio shows for the project's
    /// ML backends (`CO` is connected).
    pub fn models(&self, project: u64) -> Result<Vec<(String, String)>, LabelError> {
        let path = format!("/api/ml/?project={project}");
        let v = self.call("GET", &path, None)?;
        let list = v
            .as_array()
            .ok_or_else(|| self.answer_err(&path, "pas une liste"))?;
        Ok(list
            .iter()
            .map(|m| {
                let field = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                (field("state"), field("model_version"))
            })
            .collect())
    }

    /// Asks the project's ML backend for a prediction of every task (the
    /// Data Manager's « Retrieve Predictions »).
    pub fn retrieve_predictions(&self, project: u64) -> Result<(), LabelError> {
        let path = format!("/api/dm/actions?id=retrieve_tasks_predictions&project={project}");
        self.call(
            "POST",
            &path,
            Some(json!({"selectedItems": {"all": true, "excluded": []}})),
        )
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_tokens_are_checked_before_any_call() {
        assert!(matches!(
            Client::new("localhost:8080", "t"),
            Err(LabelError::BadUrl(_))
        ));
        assert!(matches!(
            Client::new("http://127.0.0.1:8080", " "),
            Err(LabelError::NoToken)
        ));
        let c = Client::new("http://127.0.0.1:8080/", "abc").map_err(|e| e.to_string());
        assert_eq!(
            c.map(|c| c.url().to_string()),
            Ok("http://127.0.0.1:8080".into())
        );
    }

    #[test]
    fn a_server_that_is_not_there_is_a_network_error() {
        // a port nothing listens on: bind one, learn it, let it go
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let c = Client::new(&format!("http://127.0.0.1:{port}"), "abc").expect("client");
        let err = c.project(1).expect_err("nothing listens");
        assert!(matches!(err, LabelError::Network { .. }), "{err}");
        assert!(err.to_string().contains("injoignable"), "{err}");
    }

    #[test]
    fn token_kinds() {
        assert!(!is_personal_access_token(
            "0123456789abcdef0123456789abcdef01234567"
        ));
        assert!(is_personal_access_token("eyJh.eyJ0.sig"));
    }
}
