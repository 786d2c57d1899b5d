//! `normalize` on a decrypted shop order of the sandbox's shape (two sku orders, an
//! address) against a bare `serde_json::Value` parse of the same bytes.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shipgate_douyin::mapping::normalize;
use shipgate_sdk::Origin;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let json = include_bytes!("../tests/data/shop_order.json");
    let origin = Origin {
        tenant: "t".into(),
        merchant: "m".into(),
        connector_id: "douyin".into(),
    };
    let mut group = c.benchmark_group("douyin_shop_order");
    group.throughput(Throughput::Elements(1));
    group.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(json)))
    });
    group.bench_function("normalize", |b| {
        b.iter(|| normalize(&origin, black_box(json)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
