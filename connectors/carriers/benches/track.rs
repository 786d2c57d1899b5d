//! Tracking answers parsed per second, per carrier API, over the real answers in
//! `../shared/fixtures/carriers/tracking/` (bytes → canonical updates, status mapping
//! included).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shipgate_carriers::{track, Registry};
use std::hint::black_box;
use std::path::Path;

fn fixture_for(api: &str) -> Option<Vec<u8>> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/carriers/tracking");
    ["json", "xml"]
        .iter()
        .find_map(|ext| std::fs::read(dir.join(format!("{api}.{ext}"))).ok())
}

fn parse_answers(c: &mut Criterion) {
    let registry = Registry::load_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../mappings/carriers"
    ))
    .unwrap_or_else(|e| panic!("registry: {e:?}"));
    let mut group = c.benchmark_group("parse_tracking");
    for (api, _) in track::apis() {
        let Some(body) = fixture_for(api) else {
            continue;
        };
        // DPD and Sendle answers do not name their parcel; give the number asked for.
        let asked = Some("00000000000000");
        if registry.parse_tracking(api, &body, asked).is_err() {
            continue;
        }
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(api, |b| {
            b.iter(|| registry.parse_tracking(api, black_box(&body), asked))
        });
    }
    group.finish();
}

criterion_group!(benches, parse_answers);
criterion_main!(benches);
