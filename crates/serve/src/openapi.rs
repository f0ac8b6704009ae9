//! The OpenAPI 3 document (utoipa): the routes each handler module exposes,
//! assembled, and `GET /openapi.json` serving the finished document. The
//! schemas are the types the handlers return (`ParseReport`, `HeardReport`,
//! `Entity`, `PlanTrust`, `ResultItem`…), so what is served is what is
//! described.

use super::{AppState, Limits, label_studio, parse, transcribe};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "SpeechTimer",
        description = "Comprendre une commande de minuteur d'intervalles en français (texte ou WAV), et pré-annoter pour Label Studio. Les erreurs sont `{\"error\": \"…\"}`.",
    ),
    tags(
        (name = "speechtimer", description = "Commande tapée ou dite -> séries, effort, repos"),
        (name = "label-studio", description = "Backend ML de Label Studio"),
    )
)]
struct ApiDoc;

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "speechtimer",
    responses((status = 200, description = "La description OpenAPI 3 de l'API", content_type = "application/json"))
)]
async fn openapi_json(State(app): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app.openapi.get().cloned().unwrap_or_default(),
    )
}

/// Every route, each with its body limit, and the document describing them.
pub(super) fn routes(limits: &Limits) -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(parse::routes(limits))
        .merge(transcribe::routes(limits))
        .merge(label_studio::routes(limits))
        .routes(routes!(openapi_json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::described::undescribed_field;
    use crate::label_studio::{PredictResponse, Prediction};
    use crate::parse::{ParseResponse, ParseTimings};
    use crate::transcribe::{TranscribeResponse, TranscribeTimings};
    use serde_json::{Value, json};
    use speechtimer_core::values::{Entity, Format, Label, PlanValues};
    use speechtimer_corpus::label_studio::{ResultItem, ResultValue};
    use speechtimer_nlu::{Assumed, ParseReport, PlanTrust, Reading, Trust};
    use speechtimer_voice::HeardReport;

    fn document() -> Value {
        let (_, api) = routes(&Limits::default()).split_for_parts();
        serde_json::to_value(api).unwrap()
    }

    fn entity(start: usize, end: usize, label: Label, text: &str) -> Entity {
        Entity {
            score: Some(0.9),
            ..Entity::new(start, end, label, text)
        }
    }

    /// A reading with every optional field set; `trust` as given.
    fn full_reading(trust: PlanTrust) -> Reading {
        Reading {
            entities: vec![entity(0, 2, Label::NbRounds, "12")],
            plan: Some(PlanValues {
                sets: 3,
                set_rest_s: 60,
                prepare_s: Some(10),
                warmup_s: 300,
                cooldown_s: 120,
                reps: Some(15),
                format: Some(Format::Tabata),
                ..PlanValues::new(12, 120, 30)
            }),
            error: Some("je n'ai pas compris".into()),
            confidence: 0.9,
            notes: vec!["note".into()],
            assumed: vec![Assumed {
                text: "Cesse".into(),
                value: 16,
            }],
            trust,
            uncertain: vec!["rounds".into()],
        }
    }

    /// Two trusts that between them use every variant with fields.
    fn trusts() -> [PlanTrust; 3] {
        // the fields beyond the three are read off spans of their labels
        let more = PlanTrust::of(&[
            entity(0, 1, Label::NbSets, "3"),
            entity(2, 8, Label::Format, "Tabata"),
            entity(9, 11, Label::DurationWuMin, "5"),
        ])
        .more;
        assert_eq!(more.len(), 3);
        [
            PlanTrust {
                rounds: Trust::SoundAlike {
                    text: "Cesse".into(),
                    value: 16,
                },
                work: Trust::LowScore {
                    text: "2".into(),
                    score: 0.4,
                },
                rest: Trust::Conflict {
                    kept: "30".into(),
                    dropped: vec!["40".into()],
                },
                more,
            },
            PlanTrust {
                rounds: Trust::Rescored {
                    heard: "dix".into(),
                    value: 12,
                    margin: 2.0,
                    clear: true,
                },
                work: Trust::Summed {
                    texts: vec!["40".into(), "20".into()],
                },
                rest: Trust::Unclear {
                    text: "30".into(),
                    p: 0.2,
                },
                more: vec![],
            },
            PlanTrust {
                rounds: Trust::Assumed,
                work: Trust::Heard,
                rest: Trust::Default,
                more: vec![],
            },
        ]
    }

    fn full_responses() -> Vec<(&'static str, &'static str, Value)> {
        let mut out = vec![];
        for trust in trusts() {
            let reading = full_reading(trust);
            let parse = ParseResponse {
                report: ParseReport {
                    text: "12 séries".into(),
                    reading: reading.clone(),
                },
                timings: ParseTimings { nlu_ms: 1.0 },
            };
            out.push(("/parse", "post", serde_json::to_value(parse).unwrap()));
            let heard = TranscribeResponse {
                heard: HeardReport {
                    text: "12 séries".into(),
                    no_speech: false,
                    audio_s: 2.5,
                    asr_confidence: 0.8,
                    cut: true,
                    reading: Some(reading),
                },
                timings: TranscribeTimings {
                    decode_ms: 1.0,
                    wait_ms: 0.0,
                    asr_ms: 500.0,
                    nlu_ms: 1.0,
                    total_ms: 502.0,
                },
            };
            out.push(("/transcribe", "post", serde_json::to_value(heard).unwrap()));
        }
        let predicted = PredictResponse {
            results: vec![Prediction {
                result: vec![ResultItem {
                    id: Some("e0".into()),
                    kind: "labels".into(),
                    from_name: "label".into(),
                    to_name: "text".into(),
                    value: ResultValue {
                        start: 0,
                        end: 2,
                        text: Some("12".into()),
                        labels: vec!["nb_rounds".into()],
                    },
                    score: Some(0.9),
                }],
                score: 0.9,
                model_version: "v".into(),
            }],
            model_version: "v".into(),
        };
        out.push(("/predict", "post", serde_json::to_value(predicted).unwrap()));
        out
    }

    #[test]
    fn every_field_served_is_described() {
        let doc = document();
        for (path, method, value) in full_responses() {
            assert_eq!(
                undescribed_field(&doc, path, method, &value),
                None,
                "{method} {path}: {value}"
            );
        }
    }

    #[test]
    fn a_field_left_out_of_the_document_is_found() {
        let doc = document();
        let (path, method, mut value) = full_responses().remove(0);
        value["trust"]["rounds"]["extra"] = json!(1);
        assert!(undescribed_field(&doc, path, method, &value).is_some());
        let (path, method, mut value) = full_responses().remove(1);
        value["timings"]["gpu_ms"] = json!(1);
        assert_eq!(
            undescribed_field(&doc, path, method, &value).as_deref(),
            Some("/transcribe.timings.gpu_ms")
        );
        assert!(undescribed_field(&doc, "/nowhere", "get", &value).is_some());
    }
}
