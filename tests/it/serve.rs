//! `speechtimer serve` over a real loopback socket: every endpoint with good
//! and bad input, concurrent requests, and the Whisper-less mode.

use serde_json::{Value, json};
use speechtimer_serve::{App, Limits, ServeOptions};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Barrier, OnceLock};
use std::time::Duration;

const HEADLINE: &str = "12 séries de 2 minutes, 30 secondes entre série";

/// Starts a server on 127.0.0.1:0 in its own thread; its base URL.
fn start(opts: ServeOptions) -> String {
    let app = App::load(&opts).expect("models load");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let server = speechtimer_serve::bind(&app, "127.0.0.1", 0)
                .await
                .expect("bind");
            tx.send(server.local_addr()).expect("report address");
            server.run(std::future::pending()).await.expect("serve");
        });
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("server started");
    format!("http://{addr}")
}

/// The server most tests share: default options (Whisper when present).
fn server() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| start(ServeOptions::default()))
}

/// A server whose Whisper model path does not exist.
fn server_without_whisper() -> String {
    start(ServeOptions {
        whisper_model: Some(PathBuf::from("/nonexistent/ggml-base.bin")),
        ..ServeOptions::default()
    })
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .new_agent()
}

/// Status, headers and JSON body (every answer must be JSON).
fn answer(res: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    let mut res = res.expect("an HTTP answer");
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = res.body_mut().read_to_string().expect("body");
    assert!(ct.starts_with("application/json"), "{status}: {ct}: {text}");
    let v =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}"));
    (status, v)
}

fn post(base: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    answer(
        agent()
            .post(format!("{base}{path}"))
            .header("Content-Type", content_type)
            .send(body),
    )
}

fn post_json(base: &str, path: &str, body: &Value) -> (u16, Value) {
    post(base, path, "application/json", body.to_string().as_bytes())
}

fn get(base: &str, path: &str) -> (u16, Value) {
    answer(agent().get(format!("{base}{path}")).call())
}

/// The French error message of an error answer.
fn error_of(v: &Value) -> &str {
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message: {v}"))
}

/// Each entity's offsets point at its text, in code points.
fn assert_spans(text: &str, entities: &Value) {
    let chars: Vec<char> = text.chars().collect();
    for e in entities.as_array().expect("entities") {
        let (s, t) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        let covered: String = chars[s..t].iter().collect();
        assert_eq!(covered, e["text"].as_str().unwrap(), "{e}");
    }
}

fn wav_bytes(samples: &[f32], rate: u32) -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for s in samples {
        w.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)
            .unwrap();
    }
    w.finalize().unwrap();
    cursor.into_inner()
}

/// Deterministic white noise.
fn noise(n: usize, amplitude: f32) -> Vec<f32> {
    let mut x: u32 = 0x1234_5678;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x as f32 / u32::MAX as f32 * 2.0 - 1.0) * amplitude
        })
        .collect()
}

/// Rewrites the `data` chunk's length (and RIFF's) to claim `claimed` bytes.
fn lie_about_length(wav: &mut [u8], claimed: u32) {
    let at = wav
        .windows(4)
        .position(|w| w == b"data")
        .expect("data chunk");
    wav[at + 4..at + 8].copy_from_slice(&claimed.to_le_bytes());
    let riff = claimed.saturating_add(at as u32);
    wav[4..8].copy_from_slice(&riff.to_le_bytes());
}

#[test]
fn parse_headline_gives_plan_and_spans() {
    let (status, v) = post_json(server(), "/parse", &json!({ "text": HEADLINE }));
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["plan"],
        json!({"rounds": 12, "work_s": 120, "rest_s": 30})
    );
    assert_eq!(v["text"], HEADLINE);
    assert_spans(HEADLINE, &v["entities"]);
    let spans: Vec<(u64, u64, &str)> = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_u64().unwrap(),
                e["end"].as_u64().unwrap(),
                e["label"].as_str().unwrap(),
            )
        })
        .collect();
    // code-point offsets of "12", the "2" of "2 minutes", and "30"
    let at = |needle: &str| HEADLINE[..HEADLINE.find(needle).unwrap()].chars().count() as u64;
    assert_eq!(
        spans,
        vec![
            (0, 2, "nb_rounds"),
            (at("2 min"), at("2 min") + 1, "duration_wt_min"),
            (at("30"), at("30") + 2, "duration_br_sd"),
        ]
    );
    for e in v["entities"].as_array().unwrap() {
        let s = e["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&s), "{e}");
    }
    let c = v["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&c));
    assert!(v["timings"]["nlu_ms"].as_f64().unwrap() >= 0.0);
}

#[test]
fn parse_incomplete_and_overlong_texts_are_answered() {
    let (status, v) = post_json(server(), "/parse", &json!({ "text": "bonjour" }));
    assert_eq!(status, 200);
    assert!(v["plan"].is_null());
    assert!(v["error"].is_string(), "{v}");
    let long = "10 séries de 30 secondes ".repeat(200);
    let (status, v) = post_json(server(), "/parse", &json!({ "text": long }));
    assert_eq!(status, 200);
    let notes = v["notes"].to_string();
    assert!(notes.contains("trop long"), "{notes}");
}

#[test]
fn health_answers_like_an_ml_backend() {
    for path in ["/health", "/"] {
        let (status, v) = get(server(), path);
        assert_eq!(status, 200);
        assert_eq!(v["status"], "UP");
        assert_eq!(v["model_class"], "SpeechTimerNer");
        assert!(
            v["model_version"]
                .as_str()
                .unwrap()
                .starts_with("speechtimer-")
        );
    }
}

const LABELS: [&str; 7] = [
    "nb_rounds",
    "duration_wt_sd",
    "duration_wt_min",
    "duration_wt_hr",
    "duration_br_sd",
    "duration_br_min",
    "duration_br_hr",
];

fn config(from: &str, to: &str, key: &str) -> String {
    let labels: String = LABELS
        .iter()
        .map(|l| format!(r#"<Label value="{l}"/>"#))
        .collect();
    format!(
        r#"<View><Labels name="{from}" toName="{to}">{labels}</Labels><Text name="{to}" value="${key}"/></View>"#
    )
}

/// Checks a /predict answer for `texts` with the given names.
fn assert_predictions(v: &Value, texts: &[&str], from: &str, to: &str) {
    let results = v["results"].as_array().expect("results");
    assert_eq!(results.len(), texts.len(), "{v}");
    for (r, text) in results.iter().zip(texts) {
        let score = r["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score), "{r}");
        assert!(
            r["model_version"]
                .as_str()
                .unwrap()
                .starts_with("speechtimer-")
        );
        let regions = r["result"].as_array().unwrap();
        for region in regions {
            assert_eq!(region["from_name"], from);
            assert_eq!(region["to_name"], to);
            assert_eq!(region["type"], "labels");
            let label = region["value"]["labels"][0].as_str().unwrap();
            assert!(LABELS.contains(&label), "{label}");
            assert!(region["score"].as_f64().unwrap() <= 1.0);
        }
        let values: Value = regions.iter().map(|x| x["value"].clone()).collect();
        assert_spans(text, &values);
    }
}

#[test]
fn setup_then_predict_uses_the_project_config() {
    let base = server();
    let (status, v) = post_json(
        base,
        "/setup",
        &json!({
            "project": "42.1718000000",
            "schema": config("ner", "utt", "sentence"),
            "hostname": "http://localhost:8080",
            "access_token": "x",
        }),
    );
    assert_eq!(status, 200, "{v}");
    assert!(
        v["model_version"]
            .as_str()
            .unwrap()
            .starts_with("speechtimer-")
    );

    let texts = [HEADLINE, "8 rounds de 20 secondes, 10 secondes de repos"];
    let tasks: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"id": i + 1, "data": {"sentence": t, "other": 3}}))
        .collect();
    let (status, v) = post_json(
        base,
        "/predict",
        &json!({ "tasks": tasks, "project": "42.1718000000", "params": {"context": {}} }),
    );
    assert_eq!(status, 200, "{v}");
    assert_predictions(&v, &texts, "ner", "utt");
    let first = v["results"][0]["result"].as_array().unwrap();
    assert_eq!(first.len(), 3, "{v}");
    assert_eq!(first[0]["value"]["text"], "12");

    // a label_config in the request wins over the project's
    let (status, v) = post_json(
        base,
        "/predict",
        &json!({
            "tasks": [{"id": 7, "data": {"text": HEADLINE}}],
            "project": "42.1718000000",
            "label_config": config("label", "text", "text"),
        }),
    );
    assert_eq!(status, 200, "{v}");
    assert_predictions(&v, &[HEADLINE], "label", "text");
    assert_eq!(v["results"][0]["result"].as_array().unwrap().len(), 3);
}

#[test]
fn predict_without_setup_uses_the_shipped_config() {
    let (status, v) = post_json(
        server(),
        "/predict",
        &json!({ "tasks": [{"id": 1, "data": {"text": HEADLINE}}, {"id": 2, "data": {}}] }),
    );
    assert_eq!(status, 200, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_predictions(
        &json!({ "results": [results[0].clone()] }),
        &[HEADLINE],
        "label",
        "text",
    );
    // a task without text gets an empty prediction, not an error
    assert_eq!(results[1]["result"], json!([]));
    // tasks in, tasks out, in order, and none is an empty answer
    let (status, v) = post_json(server(), "/predict", &json!({ "tasks": [] }));
    assert_eq!((status, v["results"].clone()), (200, json!([])));
}

#[test]
fn openapi_lists_every_endpoint_and_describes_what_is_served() {
    let (status, doc) = get(server(), "/openapi.json");
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/parse", "post"),
        ("/transcribe", "post"),
        ("/health", "get"),
        ("/", "get"),
        ("/setup", "post"),
        ("/predict", "post"),
        ("/openapi.json", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path}"
        );
    }
    // every field of what /parse, /predict and /health send is described
    let described = |path: &str, method: &str, v: &Value| {
        assert_eq!(
            speechtimer_serve::described::undescribed_field(&doc, path, method, v),
            None,
            "{method} {path}: {v}"
        );
    };
    let (_, parsed) = post_json(server(), "/parse", &json!({ "text": "10 séries de 30 s" }));
    described("/parse", "post", &parsed);
    assert_eq!(parsed["uncertain"], json!([]), "{parsed}");
    let (_, unsure) = post_json(
        server(),
        "/parse",
        &json!({ "text": "Cesse séries de 30 s" }),
    );
    described("/parse", "post", &unsure);
    assert!(unsure["assumed"][0].is_object(), "{unsure}");
    assert_eq!(unsure["uncertain"], json!(["rounds"]), "{unsure}");
    assert_eq!(unsure["trust"]["rounds"]["why"], "sound_alike", "{unsure}");
    let (_, incomplete) = post_json(server(), "/parse", &json!({ "text": "10 séries" }));
    assert!(incomplete["error"].is_string(), "{incomplete}");
    described("/parse", "post", &incomplete);
    let (_, predicted) = post_json(
        server(),
        "/predict",
        &json!({ "tasks": [{"data": {"text": HEADLINE}}] }),
    );
    assert!(
        predicted["results"][0]["result"][0]["value"].is_object(),
        "{predicted}"
    );
    described("/predict", "post", &predicted);
    let (_, health) = get(server(), "/health");
    described("/health", "get", &health);
    let (_, setup) = post_json(server(), "/setup", &json!({ "project": "1.2" }));
    described("/setup", "post", &setup);
}

/// The headline clips: the transcript holds the three numbers, and its
/// understanding is exactly what /parse makes of the same text (whether the
/// plan is right is the NER model's business, measured in tests/ner.rs and
/// the voice pipeline's tests).
#[test]
fn transcribe_headline_clips() {
    if crate::common::model_or_skip("transcribe_headline_clips").is_none() {
        return;
    }
    let (_, doc) = get(server(), "/openapi.json");
    for file in ["headline-fr1.wav", "headline-fr4.wav"] {
        let wav = std::fs::read(crate::common::fixtures().join(file)).unwrap();
        let (status, v) = post(server(), "/transcribe", "audio/wav", &wav);
        assert_eq!(status, 200, "{file}: {v}");
        let text = v["text"].as_str().unwrap();
        assert_eq!(
            crate::common::numbers_found(text, &[12, 2, 30]),
            (3, 3),
            "{file}: {text}"
        );
        assert_eq!(v["no_speech"], false);
        assert!(v["audio_s"].as_f64().unwrap() > 3.0, "{v}");
        assert_eq!(v["plan"]["rounds"], 12, "{file}: {v}");
        assert_spans(text, &v["entities"]);
        let (_, parsed) = post_json(server(), "/parse", &json!({ "text": text }));
        for key in ["entities", "plan", "error", "confidence"] {
            assert_eq!(v[key], parsed[key], "{file}: {key}");
        }
        // /transcribe may add a note: the round count heard again
        for note in parsed["notes"].as_array().into_iter().flatten() {
            assert!(v["notes"].as_array().unwrap().contains(note), "{file}: {v}");
        }
        for key in ["decode_ms", "wait_ms", "asr_ms", "nlu_ms", "total_ms"] {
            assert!(v["timings"][key].is_number(), "{key}: {v}");
        }
        assert_eq!(
            speechtimer_serve::described::undescribed_field(&doc, "/transcribe", "post", &v),
            None,
            "{file}: {v}"
        );
    }
}

#[test]
fn transcribe_noise_is_no_speech() {
    if crate::common::model_or_skip("transcribe_noise_is_no_speech").is_none() {
        return;
    }
    let wav = wav_bytes(&noise(16_000 * 2, 0.3), 16_000);
    let (status, v) = post(server(), "/transcribe", "audio/x-wav", &wav);
    assert_eq!(status, 200, "{v}");
    assert!(
        v["no_speech"] == true || v["text"].as_str().unwrap().trim().is_empty(),
        "{v}"
    );
}

#[test]
fn transcribe_wav_with_lying_header_reads_what_is_there() {
    if crate::common::model_or_skip("transcribe_wav_with_lying_header_reads_what_is_there")
        .is_none()
    {
        return;
    }
    let clip = std::fs::read(crate::common::fixtures().join("headline-fr1.wav")).unwrap();
    for claimed in [clip.len() as u32 * 4, 0xFFFF_FF00] {
        let mut wav = clip.clone();
        lie_about_length(&mut wav, claimed);
        let (status, v) = post(server(), "/transcribe", "audio/wav", &wav);
        assert_eq!(status, 200, "{v}");
        assert!(v["notes"].to_string().contains("tronqué"), "{v}");
        assert_eq!(v["plan"]["rounds"], 12, "{v}");
    }
}

#[test]
fn transcribe_refuses_what_is_not_audio() {
    let base = server();
    let (status, v) = post(
        base,
        "/transcribe",
        "audio/wav",
        b"RIFF\x10\x00\x00\x00nope, not a wave",
    );
    assert_eq!(status, 422, "{v}");
    assert!(error_of(&v).contains("WAV"), "{v}");
    let (status, v) = post(base, "/transcribe", "audio/wav", &[0u8; 1000]);
    assert_eq!(status, 422, "{v}");
    // a header with no sample at all
    let mut empty = wav_bytes(&[0.0; 100], 16_000);
    empty.truncate(44);
    lie_about_length(&mut empty, 2000);
    let (status, v) = post(base, "/transcribe", "audio/wav", &empty);
    assert_eq!(status, 422, "{v}");
    // 8 Hz: not a sound card's rate
    let (status, v) = post(base, "/transcribe", "audio/wav", &wav_bytes(&[0.1; 100], 8));
    assert!(status == 413 || status == 422, "{status} {v}");
    // longer than Whisper's 30 s window
    let long = wav_bytes(&vec![0.0; 8_000 * 31], 8_000);
    let (status, v) = post(base, "/transcribe", "audio/wav", &long);
    assert_eq!(status, 413, "{v}");
    assert!(error_of(&v).contains("trop long"), "{v}");
    // JSON is not audio
    let (status, v) = post_json(base, "/transcribe", &json!({"text": HEADLINE}));
    assert_eq!(status, 415, "{v}");
    let (status, v) = post(base, "/transcribe", "audio/wav", b"");
    assert_eq!(status, 400, "{v}");
}

#[test]
fn without_whisper_transcribe_says_how_to_get_it() {
    let base = server_without_whisper();
    let wav = wav_bytes(&noise(16_000, 0.1), 16_000);
    let (status, v) = post(&base, "/transcribe", "audio/wav", &wav);
    assert_eq!(status, 503, "{v}");
    assert!(error_of(&v).contains("speechtimer model fetch"), "{v}");
    let (status, v) = post_json(&base, "/parse", &json!({ "text": HEADLINE }));
    assert_eq!(status, 200);
    assert_eq!(v["plan"]["rounds"], 12);
    let (_, v) = get(&base, "/health");
    assert_eq!(
        (v["status"].clone(), v["transcribe"].clone()),
        (json!("UP"), json!(false))
    );
}

#[test]
fn malformed_requests_get_json_errors() {
    let base = server();
    let cases: [(&str, &str, &[u8], u16, &str); 8] = [
        (
            "/parse",
            "application/json",
            b"{\"text\": ",
            400,
            "JSON mal formé",
        ),
        ("/parse", "application/json", b"", 400, "vide"),
        (
            "/parse",
            "application/json",
            b"{}",
            400,
            "« text » manquant",
        ),
        (
            "/parse",
            "application/json",
            b"{\"text\": 12}",
            400,
            "mauvais type",
        ),
        (
            "/parse",
            "text/plain",
            HEADLINE.as_bytes(),
            415,
            "text/plain",
        ),
        (
            "/predict",
            "application/json",
            b"{\"project\": \"1\"}",
            400,
            "« tasks » manquant",
        ),
        (
            "/predict",
            "application/json",
            b"{\"tasks\": {}}",
            400,
            "mauvais type",
        ),
        (
            "/setup",
            "application/json",
            b"{\"schema\": \"<View><Text name='t' value='$t'/></View>\"}",
            400,
            "<Labels",
        ),
    ];
    for (path, ct, body, want, says) in cases {
        let (status, v) = post(base, path, ct, body);
        assert_eq!(status, want, "{path} {ct}: {v}");
        assert!(error_of(&v).contains(says), "{path}: {v}");
    }
    // no Content-Type at all
    let (status, v) = answer(agent().post(format!("{base}/parse")).send(HEADLINE));
    assert_eq!(status, 415, "{v}");
    // unknown route, wrong method
    let (status, v) = get(base, "/nope");
    assert_eq!(status, 404);
    assert!(error_of(&v).contains("/nope"));
    let (status, v) = get(base, "/parse");
    assert_eq!(status, 405);
    error_of(&v);
}

#[test]
fn ten_megabyte_bodies_are_413_and_the_server_goes_on() {
    let base = server();
    let big = vec![b'a'; 10 << 20];
    for (path, ct) in [
        ("/parse", "application/json"),
        ("/transcribe", "audio/wav"),
        ("/predict", "application/json"),
    ] {
        let (status, v) = post(base, path, ct, &big);
        assert_eq!(status, 413, "{path}: {v}");
        assert!(error_of(&v).contains("trop gros"), "{v}");
    }
    let (status, _) = post_json(base, "/parse", &json!({ "text": HEADLINE }));
    assert_eq!(status, 200);
}

#[test]
fn thirty_two_parses_at_once() {
    let base = server().to_string();
    let n = 32;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (base, barrier) = (base.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let rounds = i + 2;
                let text = format!("{rounds} séries de 2 minutes, 30 secondes entre série");
                barrier.wait();
                let (status, v) = post_json(&base, "/parse", &json!({ "text": text }));
                (rounds, status, v)
            })
        })
        .collect();
    for h in handles {
        let (rounds, status, v) = h.join().expect("client thread");
        assert_eq!(status, 200, "{v}");
        assert_eq!(
            v["plan"],
            json!({"rounds": rounds, "work_s": 120, "rest_s": 30}),
            "{v}"
        );
    }
    let (status, v) = get(&base, "/health");
    assert_eq!((status, v["status"].clone()), (200, json!("UP")));
}

#[test]
fn a_stalled_request_times_out() {
    let base = start(ServeOptions {
        whisper_model: Some(PathBuf::from("/nonexistent/ggml-base.bin")),
        limits: Limits {
            request_timeout: Duration::from_millis(500),
            ..Limits::default()
        },
        ..ServeOptions::default()
    });
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // announces 100 bytes, sends 10, then waits
    s.write_all(b"POST /parse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"text\": \"")
        .unwrap();
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("{\"error\":"), "{reply}");
}

/// Slow-loris clients: many connections that send a request's head one
/// byte a second and never finish it.
fn slow_clients(
    addr: &str,
    n: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Vec<std::thread::JoinHandle<usize>> {
    let head = b"POST /parse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: ";
    (0..n)
        .map(|_| {
            let (addr, stop) = (addr.to_string(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let Ok(mut s) = std::net::TcpStream::connect(&addr) else {
                    return 0;
                };
                let mut sent = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if s.write_all(&head[sent % head.len()..][..1]).is_err() {
                        break;
                    }
                    sent += 1;
                    std::thread::sleep(Duration::from_secs(1));
                }
                sent
            })
        })
        .collect()
}

#[test]
fn slow_clients_do_not_starve_the_others() {
    let base = server().to_string();
    let addr = base.trim_start_matches("http://").to_string();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let slow = slow_clients(&addr, 200, Arc::clone(&stop));
    std::thread::sleep(Duration::from_secs(2));
    // while the 200 dribble, normal clients are answered, each within the
    // agent's short timeout
    let quick = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent();
    for i in 0..20 {
        let rounds = i + 2;
        let res = quick
            .post(format!("{base}/parse"))
            .content_type("application/json")
            .send(json!({ "text": format!("{rounds} séries de 30 secondes") }).to_string());
        let (status, v) = answer(res);
        assert_eq!(
            (status, v["plan"]["rounds"].clone()),
            (200, json!(rounds)),
            "{v}"
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let dribbled: usize = slow.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    assert!(dribbled >= 200, "the slow clients sent {dribbled} bytes");
    let (status, _) = get(&base, "/health");
    assert_eq!(status, 200);
}

#[test]
fn transcriptions_past_the_queue_get_503() {
    if crate::common::model_or_skip("transcriptions_past_the_queue_get_503").is_none() {
        return;
    }
    let base = start(ServeOptions {
        limits: Limits {
            max_waiting: 0,
            ..Limits::default()
        },
        ..ServeOptions::default()
    });
    let wav = Arc::new(std::fs::read(crate::common::fixtures().join("headline-fr1.wav")).unwrap());
    // a flood: twelve at once, one slot, no queue
    let n = 12;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (base, wav, barrier) = (base.clone(), Arc::clone(&wav), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                let answer = post(&base, "/transcribe", "audio/wav", &wav);
                (answer, std::time::Instant::now())
            })
        })
        .collect();
    let mut answers: Vec<(u16, std::time::Instant)> = handles
        .into_iter()
        .map(|h| {
            let ((status, v), at) = h.join().unwrap();
            if status == 503 {
                assert!(error_of(&v).contains("occupé"), "{v}");
            }
            (status, at)
        })
        .collect();
    answers.sort_by_key(|a| a.1);
    let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    assert!(statuses.contains(&503), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| [200, 503].contains(s)),
        "{statuses:?}"
    );
    // turned away at once: no 503 waits for a transcription to finish
    let first_done = answers.iter().find(|a| a.0 == 200).map(|a| a.1).unwrap();
    let late = answers
        .iter()
        .filter(|a| a.0 == 503 && a.1 > first_done)
        .count();
    assert_eq!(
        late, 0,
        "503s answered only after a transcription: {statuses:?}"
    );
    // and once it is free, it transcribes again
    let (status, _) = post(&base, "/transcribe", "audio/wav", &wav);
    assert_eq!(status, 200);
}

/// A request body a client may send, good or bad.
fn any_body() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let json_value = any::<String>()
        .prop_map(Value::from)
        .prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("[a-z]{1,6}|text|tasks|data|schema", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                any::<f64>().prop_map(Value::from),
                Just(Value::Null),
            ]
        });
    // a valid body with bytes flipped, cut or inserted
    let mutated = (
        prop_oneof![
            Just(serde_json::json!({"text": HEADLINE}).to_string()),
            Just(serde_json::json!({"tasks": [{"id": 1, "data": {"text": HEADLINE}}]}).to_string()),
            Just(serde_json::json!({"schema": "<View><Labels name='l' toName='t'><Label value='nb_rounds'/></Labels><Text name='t' value='$text'/></View>"}).to_string()),
        ],
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..6),
    )
        .prop_map(|(body, edits)| {
            let mut bytes = body.into_bytes();
            for (at, byte, how) in edits {
                if bytes.is_empty() {
                    break;
                }
                let i = at.index(bytes.len());
                match how {
                    0 => bytes[i] = byte,
                    1 => bytes.truncate(i),
                    _ => bytes.insert(i, byte),
                }
            }
            bytes
        });
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        json_value.prop_map(|v| v.to_string().into_bytes()),
        mutated,
    ]
}

#[test]
fn fuzzed_bodies_get_json_answers_and_never_a_server_error() {
    use proptest::prelude::*;
    // a server of its own: a fuzzed /setup that happens to be valid sets the
    // config of requests without a project, which the other tests rely on
    let own = start(ServeOptions::default());
    let base = own.as_str();
    let mut config = proptest::test_runner::Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 300;
    }
    const PATHS: [&str; 4] = ["/parse", "/setup", "/predict", "/transcribe"];
    const TYPES: [&str; 5] = [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "audio/wav",
        "multipart/form-data",
    ];
    proptest!(config, |(path in proptest::sample::select(&PATHS[..]),
                        ct in proptest::sample::select(&TYPES[..]),
                        body in any_body())| {
        let (status, v) = post(base, path, ct, &body);
        prop_assert!(
            [200, 400, 413, 415, 422, 503].contains(&status),
            "{path} {ct}: {status} {v}"
        );
        if status != 200 {
            prop_assert!(v["error"].is_string(), "{path}: {v}");
        }
    });
    // and the server still answers right
    let (status, v) = post_json(base, "/parse", &serde_json::json!({ "text": HEADLINE }));
    assert_eq!(
        (status, v["plan"]["rounds"].as_u64()),
        (200, Some(12)),
        "{v}"
    );
}

/// `speechtimer serve` as a user starts it (no RUST_LOG): one log line per
/// request on stderr, as docs/api.md says.
#[test]
fn the_command_logs_each_request_by_default() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_speechtimer"))
        .args([
            "serve",
            "--port",
            "0",
            "--whisper-model",
            "/nonexistent/ggml-base.bin",
        ])
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("speechtimer serve starts");
    let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("the address line");
    let addr = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let (status, _) = get(&addr, "/health");
    let (missing, _) = get(&addr, "/nowhere");
    child.kill().expect("stop the server");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("its log");
    let _ = child.wait();
    assert_eq!((status, missing), (200, 404));
    let logged = |want: &str| err.lines().filter(|l| l.contains(want)).count();
    assert_eq!(logged("GET /health -> 200"), 1, "log:\n{err}");
    assert_eq!(logged("GET /nowhere -> 404"), 1, "log:\n{err}");
}
