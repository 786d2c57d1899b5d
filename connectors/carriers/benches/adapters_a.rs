//! Quote round trip of the UPS adapter against its loopback sandbox: request built,
//! sent over HTTP with the cached OAuth token, priced by the sandbox, answer parsed into
//! rates. The figure is the adapter's own overhead plus loopback latency per quote,
//! the floor under every real UPS quote.

use criterion::{criterion_group, criterion_main, Criterion};
use shipgate_carriers::adapters::ups::sandbox::UpsSandbox;
use shipgate_carriers::adapters::ups::Ups;
use shipgate_sdk::model::{Address, CountryCode};
use shipgate_sdk::{Carrier, Parcel, RateRequest};
use std::hint::black_box;

fn address(zip: &str) -> Address {
    Address {
        line1: Some("1 Main St".into()),
        city: Some("Town".into()),
        region: Some("GA".into()),
        postal_code: Some(zip.into()),
        country: CountryCode::parse("US").ok(),
        ..Address::default()
    }
}

fn ups_quote(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("runtime: {e}"));
    let sandbox = runtime
        .block_on(UpsSandbox::start())
        .unwrap_or_else(|e| panic!("sandbox: {e}"));
    let ups = Ups::new(sandbox.config(), reqwest::Client::new())
        .unwrap_or_else(|e| panic!("adapter: {e}"));
    let request = RateRequest {
        merchant: "bench".into(),
        ship_from: address("21093"),
        ship_to: address("30005"),
        parcels: vec![Parcel {
            weight_grams: 2000,
            length_mm: 300,
            width_mm: 200,
            height_mm: 100,
        }],
        declared_value: None,
        service: None,
    };
    // The first quote fetches the token; the measured ones reuse it.
    runtime
        .block_on(ups.quote(&request))
        .unwrap_or_else(|e| panic!("first quote: {e}"));
    c.bench_function("ups_quote_round_trip", |b| {
        b.iter(|| {
            let rates = runtime
                .block_on(ups.quote(black_box(&request)))
                .unwrap_or_else(|e| panic!("quote: {e}"));
            black_box(rates)
        })
    });
}

criterion_group!(benches, ups_quote);
criterion_main!(benches);
