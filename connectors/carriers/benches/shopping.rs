//! Rate-shopping latency for 1, 10 and 45 loopback sandbox carriers that each answer in
//! 100 ms: the fan-out must keep it flat, near 100 ms plus overhead, whatever the count.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use rust_decimal::Decimal;
use shipgate_carriers::shopping::sandbox::{Behaviour, SandboxCarrier};
use shipgate_carriers::shopping::{shop, ShoppingOptions};
use shipgate_sdk::model::{Address, CountryCode, Currency};
use shipgate_sdk::{Carrier, Parcel, RateRequest};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn request() -> RateRequest {
    let address = Address {
        postal_code: Some("75011".into()),
        country: CountryCode::parse("FR").ok(),
        ..Address::default()
    };
    RateRequest {
        merchant: "bench".into(),
        ship_from: address.clone(),
        ship_to: address,
        parcels: vec![Parcel {
            weight_grams: 1200,
            length_mm: 300,
            width_mm: 200,
            height_mm: 100,
        }],
        declared_value: None,
        service: None,
    }
}

fn fan_out(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let http = reqwest::Client::new();
    let eur = Currency::parse("EUR").expect("EUR");
    let request = request();
    let options = ShoppingOptions {
        deadline: Duration::from_secs(2),
        per_carrier_timeout: Duration::from_millis(1500),
        ..ShoppingOptions::default()
    };
    let mut group = c.benchmark_group("shop");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for count in [1usize, 10, 45] {
        let carriers: Vec<Arc<dyn Carrier>> = runtime.block_on(async {
            let mut all: Vec<Arc<dyn Carrier>> = Vec::with_capacity(count);
            for i in 0..count {
                let behaviour = Behaviour::Answer {
                    delay: Duration::from_millis(100),
                    base: Decimal::from(5 + i),
                    per_kg: Decimal::ONE,
                    currency: eur,
                    transit_days: 2,
                };
                let carrier = SandboxCarrier::start(&format!("c{i}"), behaviour, http.clone())
                    .await
                    .expect("sandbox carrier");
                all.push(Arc::new(carrier));
            }
            all
        });
        group.bench_with_input(
            BenchmarkId::from_parameter(count),
            &carriers,
            |b, carriers| {
                b.iter_custom(|iters| {
                    runtime.block_on(async {
                        let started = Instant::now();
                        for _ in 0..iters {
                            let quotes = shop(carriers, &request, &options).await;
                            assert_eq!(quotes.rates.len(), carriers.len());
                        }
                        started.elapsed()
                    })
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, fan_out);
criterion_main!(benches);
