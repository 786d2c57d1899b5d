//! `normalize_order` on a realistic order node (sample #1001: 3 lines, an address)
//! against a bare `serde_json::Value` parse of the same bytes, the budget being 1.5×.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shipgate_sdk::Origin;
use shipgate_shopify::mapping::normalize_order;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let json = include_bytes!("../tests/data/order_1001.json");
    let origin = Origin {
        tenant: "t".into(),
        merchant: "m".into(),
        connector_id: "shop".into(),
    };
    let mut group = c.benchmark_group("shopify_order_node");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(json)))
    });
    group.bench_function("normalize_order", |b| {
        b.iter(|| normalize_order(black_box(json), &origin))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
