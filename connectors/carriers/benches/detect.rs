//! Detections per second over every valid and invalid number of the fixture set.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shipgate_carriers::Registry;
use std::path::PathBuf;

fn fixture_numbers() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/carriers/tracking_number_data/couriers");
    let mut numbers = Vec::new();
    for entry in std::fs::read_dir(dir).expect("fixture directory") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("fixture");
        let json: serde_json::Value = serde_json::from_str(&text).expect("fixture json");
        for format in json["tracking_numbers"].as_array().into_iter().flatten() {
            for kind in ["valid", "invalid"] {
                for n in format["test_numbers"][kind]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    numbers.extend(n.as_str().map(str::to_string));
                }
            }
        }
    }
    numbers
}

fn detect(c: &mut Criterion) {
    let mappings = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    let registry = Registry::load_dir(mappings).expect("carrier mappings load");
    let numbers = fixture_numbers();
    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Elements(numbers.len() as u64));
    group.bench_function("all_fixture_numbers", |b| {
        b.iter(|| {
            numbers
                .iter()
                .map(|n| registry.detect(n).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, detect);
criterion_main!(benches);
