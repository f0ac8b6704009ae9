//! Whether the OpenAPI document describes a response: every field it
//! carries, recursively, through `$ref`, `allOf`, `oneOf`, `anyOf` and
//! `items`. What the tests of `/openapi.json` use, and what a client may
//! use to check a server it talks to.

use serde_json::Value;

/// The first field of `value`, the 200 response of `method path`, that
/// `doc` does not describe, as a path (`/transcribe.timings.gpu_ms`);
/// `None` when every field is described. A route with no 200 JSON schema
/// is reported as such.
pub fn undescribed_field(doc: &Value, path: &str, method: &str, value: &Value) -> Option<String> {
    let schema = response_schema(doc, path, method);
    if !schema.is_object() {
        return Some(format!("{method} {path}: no 200 schema"));
    }
    undescribed(doc, schema, value, path)
}

/// The schema a `$ref` points to.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// Whether `schema` describes every field of `value`, recursively
/// (through `$ref`, `allOf`, `oneOf`, `anyOf`, `items`); the first
/// field it does not, as a path, when it does not.
fn undescribed(doc: &Value, schema: &Value, value: &Value, at: &str) -> Option<String> {
    let schema = resolve(doc, schema);
    for alt in ["oneOf", "anyOf"] {
        if let Some(alts) = schema[alt].as_array() {
            let misses: Vec<String> = alts
                .iter()
                .filter_map(|s| undescribed(doc, s, value, at))
                .collect();
            return (misses.len() == alts.len()).then(|| misses.join(" | "));
        }
    }
    match value {
        Value::Object(fields) => {
            let mut props = serde_json::Map::new();
            collect_properties(doc, schema, &mut props);
            fields.iter().find_map(|(key, v)| match props.get(key) {
                None => Some(format!("{at}.{key}")),
                Some(s) => undescribed(doc, s, v, &format!("{at}.{key}")),
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| undescribed(doc, &schema["items"], v, &format!("{at}[{i}]"))),
        _ => None,
    }
}

/// The properties of an object schema and of the parts it is made of
/// (`allOf`; a flattened optional part is a `oneOf` with `null`).
fn collect_properties(doc: &Value, schema: &Value, out: &mut serde_json::Map<String, Value>) {
    let schema = resolve(doc, schema);
    if let Some(p) = schema["properties"].as_object() {
        out.extend(p.clone());
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            collect_properties(doc, part, out);
        }
    }
}

fn response_schema<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    &doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
}
