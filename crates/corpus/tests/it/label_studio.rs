//! `label_studio::import` on arbitrary JSON values and on exports of
//! generated examples with random damage (a key dropped, a number changed,
//! start and end swapped, a string replaced, a value of another type, a
//! region repeated): it never panics, every task is either an example or a
//! reason to skip it, and every example it gives follows the annotation
//! guide (`validate` finds nothing).

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Number, Value};
use speechtimer_corpus::label_studio::{export, import};
use speechtimer_corpus::{Example, generate::generate, validate};
use std::sync::OnceLock;

/// Generated examples, made once: the material of the exports.
fn examples() -> &'static [Example] {
    static EXAMPLES: OnceLock<Vec<Example>> = OnceLock::new();
    EXAMPLES.get_or_init(|| generate(200, 15, |_| {}))
}

/// The keys and strings of a Label Studio export, so that random JSON
/// sometimes has its shape.
const WORDS: &[&str] = &[
    "id",
    "data",
    "text",
    "annotations",
    "predictions",
    "result",
    "was_cancelled",
    "ground_truth",
    "type",
    "labels",
    "from_name",
    "label",
    "to_name",
    "value",
    "start",
    "end",
    "score",
    "nb_rounds",
    "duration_wt_sd",
    "duration_wt_min",
    "duration_wt_hr",
    "duration_br_sd",
    "duration_br_min",
    "duration_br_hr",
    "choices",
    "12",
    "trois",
    " ",
    "",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(WORDS).prop_map(String::from),
        1 => any::<String>(),
    ]
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        4 => (0u64..40).prop_map(Number::from),
        1 => any::<i64>().prop_map(Number::from),
        1 => any::<u64>().prop_map(Number::from),
        1 => any::<f64>().prop_filter_map("finite", Number::from_f64),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => number().prop_map(Value::Number),
        3 => word().prop_map(Value::String),
    ]
}

/// Any JSON value, up to a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((word(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// What the import of `json` must hold to: no panic; when it reads, one
/// example or one skip reason per task, and examples that follow the guide.
fn check(json: &str) -> Result<(), TestCaseError> {
    let Ok(imported) = import(json) else {
        return Ok(());
    };
    let tasks = serde_json::from_str::<Vec<Value>>(json).map(|v| v.len());
    prop_assert_eq!(
        Ok(imported.examples.len() + imported.skipped.len()),
        tasks.map_err(|e| e.to_string()),
        "one example or one reason per task"
    );
    for ex in &imported.examples {
        let problems = validate(ex);
        prop_assert!(
            problems.is_empty(),
            "imported {ex:?} has problems {problems:?}\nfrom {json}"
        );
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    At(usize),
}

/// Every path in `v`, with the value there (the root's path is empty).
fn paths(v: &Value) -> Vec<(Vec<Seg>, &Value)> {
    fn walk<'a>(v: &'a Value, path: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, &'a Value)>) {
        out.push((path.clone(), v));
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::At(i));
                    walk(item, path, out);
                    path.pop();
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    path.push(Seg::Key(k.clone()));
                    walk(item, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn at<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(v, |v, seg| match seg {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::At(i) => &mut v[*i],
    })
}

/// One kind of damage to an export.
#[derive(Debug, Clone)]
enum Damage {
    /// A key of some object removed.
    DropKey(Index, Index),
    /// Some number replaced.
    ChangeNumber(Index, Number),
    /// Some number moved by a little (an offset slipped).
    ShiftNumber(Index, i64),
    /// The `start` and `end` of some region exchanged.
    SwapStartEnd(Index),
    /// Some string replaced.
    ReplaceString(Index, String),
    /// Any value replaced by a value of any type.
    Replace(Index, Value),
    /// A key of the format set on some object (`ground_truth`,
    /// `was_cancelled`, `labels`...).
    SetKey(Index, String, Value),
    /// An item of some list repeated (two regions on the same span...).
    Repeat(Index, Index),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        2 => (any::<Index>(), any::<Index>()).prop_map(|(o, k)| Damage::DropKey(o, k)),
        2 => (any::<Index>(), number()).prop_map(|(i, n)| Damage::ChangeNumber(i, n)),
        2 => (any::<Index>(), -3i64..=3).prop_map(|(i, d)| Damage::ShiftNumber(i, d)),
        2 => any::<Index>().prop_map(Damage::SwapStartEnd),
        2 => (any::<Index>(), word()).prop_map(|(i, s)| Damage::ReplaceString(i, s)),
        1 => (any::<Index>(), json()).prop_map(|(i, v)| Damage::Replace(i, v)),
        1 => (any::<Index>(), word(), leaf()).prop_map(|(i, k, v)| Damage::SetKey(i, k, v)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, i)| Damage::Repeat(a, i)),
    ]
}

/// Applies `d` to `v` where it can (a damage with no place to go does nothing).
fn apply(v: &mut Value, d: &Damage) {
    let all = paths(v);
    let pick = |keep: &dyn Fn(&Value) -> bool, i: &Index| -> Option<Vec<Seg>> {
        let found: Vec<&Vec<Seg>> = all
            .iter()
            .filter(|(_, x)| keep(x))
            .map(|(p, _)| p)
            .collect();
        (!found.is_empty()).then(|| found[i.index(found.len())].clone())
    };
    let path = match d {
        Damage::DropKey(i, _) | Damage::SetKey(i, ..) => {
            pick(&|x| x.as_object().is_some_and(|m| !m.is_empty()), i)
        }
        Damage::ChangeNumber(i, _) | Damage::ShiftNumber(i, _) => pick(&Value::is_number, i),
        Damage::SwapStartEnd(i) => pick(&|x| x.get("start").is_some() && x.get("end").is_some(), i),
        Damage::ReplaceString(i, _) => pick(&Value::is_string, i),
        Damage::Replace(i, _) => pick(&|_| true, i),
        Damage::Repeat(i, _) => pick(&|x| x.as_array().is_some_and(|a| !a.is_empty()), i),
    };
    drop(all);
    let Some(path) = path else {
        return;
    };
    let target = at(v, &path);
    match d {
        Damage::DropKey(_, k) => {
            if let Some(map) = target.as_object_mut() {
                let key = map.keys().nth(k.index(map.len())).cloned();
                if let Some(key) = key {
                    map.remove(&key);
                }
            }
        }
        Damage::ChangeNumber(_, n) => *target = Value::Number(n.clone()),
        Damage::ShiftNumber(_, delta) => {
            if let Some(n) = target.as_i64() {
                *target = Value::from(n.saturating_add(*delta));
            }
        }
        Damage::SwapStartEnd(_) => {
            let (s, e) = (target["start"].take(), target["end"].take());
            target["start"] = e;
            target["end"] = s;
        }
        Damage::ReplaceString(_, s) => *target = Value::String(s.clone()),
        Damage::Replace(_, x) => *target = x.clone(),
        Damage::SetKey(_, k, x) => {
            if let Some(map) = target.as_object_mut() {
                map.insert(k.clone(), x.clone());
            }
        }
        Damage::Repeat(_, i) => {
            if let Some(items) = target.as_array_mut() {
                let item = items[i.index(items.len())].clone();
                items.push(item);
            }
        }
    }
}

/// An export of 1 to 4 generated examples whose predictions were accepted
/// as annotations, as Label Studio gives it back.
fn exported() -> impl Strategy<Value = (Vec<Example>, Value)> {
    proptest::collection::vec(any::<Index>(), 1..5).prop_map(|picks| {
        let pool = examples();
        let exs: Vec<Example> = picks
            .iter()
            .map(|i| pool[i.index(pool.len())].clone())
            .collect();
        let text = export(&exs, "gen").replace("\"predictions\"", "\"annotations\"");
        let value = serde_json::from_str(&text).expect("the export is JSON");
        (exs, value)
    })
}

proptest! {
    #![proptest_config(crate::config(3000))]

    #[test]
    fn import_any_json(value in json(), wrap in any::<bool>()) {
        // a list around it often gets past the first check
        let value = if wrap { Value::Array(vec![value]) } else { value };
        check(&value.to_string())?;
    }

    #[test]
    fn import_reads_back_what_export_wrote((exs, value) in exported()) {
        for ex in &exs {
            prop_assert_eq!(validate(ex), vec![], "generated {:?}", ex);
        }
        let imported = import(&value.to_string()).expect("an export reads");
        prop_assert!(imported.skipped.is_empty(), "{:?}", imported.skipped);
        prop_assert_eq!(&imported.examples, &exs);
    }

    #[test]
    fn import_damaged_exports(
        (_, mut value) in exported(),
        damages in proptest::collection::vec(damage(), 1..5),
    ) {
        for d in &damages {
            apply(&mut value, d);
        }
        check(&value.to_string())?;
    }
}

/// A region drawn with the space before its number (as a mouse selection
/// often is), without the optional `text`: the importer trims it to the
/// word. Found by `import_damaged_exports` (the importer used to keep the
/// space, and `validate` called the entity padded).
#[test]
fn padded_region_is_skipped_or_trimmed() {
    let json = r#"[{"data": {"text": "3 séries de 1 min"}, "annotations": [{"result": [
        {"type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 0, "end": 1, "labels": ["nb_rounds"]}},
        {"type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 11, "end": 13, "labels": ["duration_wt_min"]}}]}]}]"#;
    let imported = import(json).unwrap();
    assert_eq!(imported.examples.len(), 1, "{imported:?}");
    for ex in &imported.examples {
        assert_eq!(validate(ex), vec![], "{ex:?}");
        // the selection « 1» is trimmed to « 1 »: offsets moved, text the word
        assert_eq!((ex.entities[1].start, ex.entities[1].end), (12, 13));
        assert_eq!(ex.entities[1].text, "1");
    }
}
