//! NER speed: one sentence at a time (what the app does after each
//! utterance) and batches of 64 (the API, evaluation), for each shipped or
//! trained architecture found under models/.

#![allow(
    missing_docs,
    reason = "criterion_group! makes an undocumentable pub fn"
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use speechtimer_nlu::Nlu;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

const SENTENCES: [&str; 8] = [
    "12 séries de 2 minutes, 30 secondes entre série",
    "huit rounds de vingt secondes avec dix secondes de repos",
    "lance 5 tours de 1 minute 30 récup 45",
    "trois fois 10 minutes, pause de 2 min",
    "20 répétitions de 40s et 20s de récupération",
    "une heure et demie de course",
    "6 x 3'30 repos 1'",
    "quatre séries de 45 secondes",
];

fn models() -> Vec<(String, Nlu)> {
    let mut out = vec![(
        "embedded".to_string(),
        Nlu::embedded().expect("embedded model"),
    )];
    // the workspace's models/, whatever directory the bench runs in
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    for name in ["ner-lstm-crf", "ner-transformer"] {
        let dir = models.join(name);
        if dir.join("model.safetensors").exists()
            && let Ok(nlu) = Nlu::load_dir(&dir)
        {
            out.push((name.to_string(), nlu));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    for (name, nlu) in models() {
        let mut i = 0;
        c.bench_function(&format!("{name}: one sentence"), |b| {
            b.iter(|| {
                i = (i + 1) % SENTENCES.len();
                black_box(nlu.parse(SENTENCES[i]).expect("parse"))
            })
        });
        let batch: Vec<&str> = SENTENCES.iter().cycle().take(64).copied().collect();
        let mut g = c.benchmark_group(format!("{name}: batch"));
        g.throughput(Throughput::Elements(batch.len() as u64));
        g.bench_function("64 sentences", |b| {
            b.iter(|| black_box(nlu.parse_batch(&batch).expect("parse")))
        });
        g.finish();
    }
    c.bench_function("embedded model load", |b| {
        b.iter(|| {
            let t = Instant::now();
            black_box(Nlu::embedded().expect("load"));
            t.elapsed()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
