//! The Chronopost SOAP quote round trip against its loopback sandbox: envelope written,
//! posted over HTTP, answer read and turned into rates — the call rate shopping makes for
//! every parcel.

use criterion::{criterion_group, criterion_main, Criterion};
use shipgate_carriers::adapters::chronopost::sandbox::{ChronopostSandbox, ACCOUNT, PASSWORD};
use shipgate_carriers::adapters::chronopost::{Chronopost, Config};
use shipgate_sdk::model::{Address, CountryCode};
use shipgate_sdk::{Carrier, Parcel, RateRequest};
use std::hint::black_box;
use std::path::PathBuf;

fn address(city: &str, postal: &str) -> Address {
    Address {
        city: Some(city.into()),
        postal_code: Some(postal.into()),
        country: CountryCode::parse("FR").ok(),
        ..Address::default()
    }
}

fn chronopost_quote(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sandbox = runtime
        .block_on(ChronopostSandbox::start())
        .expect("sandbox");
    let adapter = Chronopost::new(
        Config {
            account_number: ACCOUNT.into(),
            password: PASSWORD.into(),
            base_url: sandbox.base_url(),
            mappings_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers"),
            request_budget: shipgate_carriers::adapters::budget::for_sandbox(),
        },
        reqwest::Client::new(),
    )
    .expect("adapter");
    let request = RateRequest {
        merchant: "bench".into(),
        ship_from: address("Paris", "75001"),
        ship_to: address("Lyon", "69002"),
        parcels: vec![Parcel {
            weight_grams: 2500,
            length_mm: 300,
            width_mm: 200,
            height_mm: 100,
        }],
        declared_value: None,
        service: None,
    };
    c.bench_function("chronopost_quote_round_trip", |b| {
        b.iter(|| {
            let rates = runtime
                .block_on(adapter.quote(black_box(&request)))
                .expect("rates");
            black_box(rates)
        })
    });
}

criterion_group!(benches, chronopost_quote);
criterion_main!(benches);
