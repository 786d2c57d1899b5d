//! Orders normalized per second on one core, beside a plain `serde_json::Value` parse of
//! the same bytes (the floor any JSON mapping pays).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shipgate_amazon::normalize;
use shipgate_amazon::sandbox::data::sample_orders;
use shipgate_sdk::Origin;

fn bench(c: &mut Criterion) {
    let origin = Origin {
        tenant: "t".into(),
        merchant: "m".into(),
        connector_id: "amazon-1".into(),
    };
    // The richest sample: two packages' worth of fields, business prices, gift options.
    let order = sample_orders()
        .into_iter()
        .max_by_key(|o| o.to_string().len())
        .expect("samples");
    let bytes = serde_json::to_vec(&order).expect("serializes");
    normalize(&origin, &bytes).expect("the sample normalizes");
    let mut group = c.benchmark_group("amazon");
    group.throughput(Throughput::Elements(1));
    group.bench_function("normalize", |b| {
        b.iter(|| normalize(&origin, std::hint::black_box(&bytes)))
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&bytes)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
