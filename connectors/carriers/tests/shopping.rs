//! Rate shopping over real loopback HTTP: sandbox carriers answer after a delay, fail, or
//! never answer, and the fan-out must return everything that came back, in time.

use rust_decimal::Decimal;
use shipgate_carriers::shopping::sandbox::{Behaviour, SandboxCarrier, SERVICE};
use shipgate_carriers::shopping::{shop, FxTable, Reason, ShoppingOptions, SortBy};
use shipgate_sdk::model::{Address, CountryCode, Currency};
use shipgate_sdk::{Capabilities, Carrier, CarrierInfo, Parcel, RateRequest, ServiceInfo};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn request(weight_grams: u32) -> RateRequest {
    let address = |country: &str, postal: &str| Address {
        city: Some("Paris".into()),
        postal_code: Some(postal.into()),
        country: Some(CountryCode::parse(country).unwrap()),
        ..Address::default()
    };
    RateRequest {
        merchant: "acme".into(),
        ship_from: address("FR", "75011"),
        ship_to: address("FR", "75015"),
        parcels: vec![Parcel {
            weight_grams,
            length_mm: 300,
            width_mm: 200,
            height_mm: 100,
        }],
        declared_value: None,
        service: None,
    }
}

fn answer(delay_ms: u64, base: &str, per_kg: &str, transit_days: u32) -> Behaviour {
    Behaviour::Answer {
        delay: Duration::from_millis(delay_ms),
        base: dec(base),
        per_kg: dec(per_kg),
        currency: eur(),
        transit_days,
    }
}

async fn carrier(code: &str, behaviour: Behaviour, http: &reqwest::Client) -> Arc<dyn Carrier> {
    Arc::new(
        SandboxCarrier::start(code, behaviour, http.clone())
            .await
            .unwrap(),
    )
}

fn options(deadline_ms: u64, per_carrier_ms: u64) -> ShoppingOptions {
    ShoppingOptions {
        deadline: Duration::from_millis(deadline_ms),
        per_carrier_timeout: Duration::from_millis(per_carrier_ms),
        ..ShoppingOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_five_carriers_answering_in_100_ms_quote_in_under_300_ms() {
    let http = reqwest::Client::new();
    let mut carriers = Vec::new();
    for i in 0..45 {
        let base = format!("{}.00", 5 + i);
        carriers.push(carrier(&format!("c{i:02}"), answer(100, &base, "1", 2), &http).await);
    }
    let started = Instant::now();
    let quotes = shop(&carriers, &request(1000), &options(2000, 1500)).await;
    let wall = started.elapsed();
    assert_eq!(quotes.rates.len(), 45, "left out: {:?}", quotes.left_out);
    assert!(quotes.left_out.is_empty());
    assert!(
        wall >= Duration::from_millis(100),
        "every carrier waits 100 ms: {wall:?}"
    );
    assert!(
        wall < Duration::from_millis(300),
        "45 carriers in parallel took {wall:?}"
    );
    assert!(quotes.elapsed <= wall);
    // Cheapest is c00: 5.00 + 1 × 1 kg.
    assert_eq!(quotes.rates[0].carrier, "c00");
    assert_eq!(quotes.rates[0].price.amount, dec("6.00"));
    assert_eq!(quotes.cheapest().map(|r| r.carrier.as_str()), Some("c00"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_carrier_that_never_answers_is_cut_at_the_deadline_and_the_rest_are_kept() {
    let http = reqwest::Client::new();
    let mut carriers = vec![carrier("silent", Behaviour::Hang, &http).await];
    for i in 0..5 {
        carriers.push(carrier(&format!("ok{i}"), answer(50, "4", "1", 1), &http).await);
    }
    let started = Instant::now();
    let quotes = shop(&carriers, &request(500), &options(400, 5000)).await;
    let wall = started.elapsed();
    assert_eq!(quotes.rates.len(), 5);
    assert_eq!(
        quotes.reason_for("silent"),
        Some(&Reason::CutAtDeadline(Duration::from_millis(400)))
    );
    assert_eq!(quotes.left_out.len(), 1);
    assert!(wall >= Duration::from_millis(400), "{wall:?}");
    assert!(
        wall < Duration::from_millis(600),
        "not held past the deadline: {wall:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_carrier_times_out_at_the_per_carrier_timeout() {
    let http = reqwest::Client::new();
    let carriers = vec![
        carrier("slow", answer(800, "1", "0", 1), &http).await,
        carrier("quick", answer(20, "9", "0", 3), &http).await,
    ];
    let started = Instant::now();
    let quotes = shop(&carriers, &request(500), &options(2000, 150)).await;
    let wall = started.elapsed();
    assert_eq!(
        quotes.reason_for("slow"),
        Some(&Reason::TimedOut(Duration::from_millis(150)))
    );
    assert_eq!(quotes.rates.len(), 1);
    assert_eq!(quotes.rates[0].carrier, "quick");
    assert!(wall < Duration::from_millis(500), "{wall:?}");
}

#[tokio::test]
async fn a_failing_carrier_is_left_out_with_its_error_and_the_others_answer() {
    let http = reqwest::Client::new();
    let failing = Behaviour::Fail {
        delay: Duration::from_millis(10),
        message: "rating engine down".into(),
    };
    let carriers = vec![
        carrier("broken", failing, &http).await,
        carrier("a", answer(10, "5", "0", 2), &http).await,
        carrier("b", answer(10, "6", "0", 2), &http).await,
    ];
    let quotes = shop(&carriers, &request(500), &options(2000, 1000)).await;
    assert_eq!(quotes.rates.len(), 2);
    match quotes.reason_for("broken") {
        Some(Reason::Failed { error, retryable }) => {
            assert!(error.contains("500"), "{error}");
            assert!(error.contains("rating engine down"), "{error}");
            assert!(retryable, "a 5xx may work later");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn wrong_credentials_and_empty_answers_are_told_apart() {
    let http = reqwest::Client::new();
    let locked = SandboxCarrier::start_with_key(
        "locked",
        answer(1, "5", "0", 2),
        http.clone(),
        "not-the-key",
    )
    .await
    .unwrap();
    let carriers: Vec<Arc<dyn Carrier>> = vec![
        Arc::new(locked),
        carrier(
            "empty",
            Behaviour::NoRate {
                delay: Duration::from_millis(1),
            },
            &http,
        )
        .await,
    ];
    let quotes = shop(&carriers, &request(500), &options(2000, 1000)).await;
    assert!(quotes.rates.is_empty());
    assert_eq!(quotes.reason_for("empty"), Some(&Reason::NoRate));
    match quotes.reason_for("locked") {
        Some(Reason::Failed { error, retryable }) => {
            assert!(error.contains("unauthorized"), "{error}");
            assert!(error.contains("invalid api key"), "{error}");
            assert!(!retryable);
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Ineligible carriers hang if asked: a round that ends well before its deadline proves
/// they were never called.
#[tokio::test]
async fn ineligible_carriers_are_not_asked_and_say_why() {
    let http = reqwest::Client::new();
    let hanging = |code: &str, info: CarrierInfo| {
        let http = http.clone();
        let code = code.to_string();
        async move {
            let c = SandboxCarrier::start(&code, Behaviour::Hang, http)
                .await
                .unwrap();
            Arc::new(c.with_info(info)) as Arc<dyn Carrier>
        }
    };
    let info = |code: &str, countries: &[&str], quote: bool| CarrierInfo {
        code: code.into(),
        name: code.into(),
        origin_countries: countries
            .iter()
            .map(|c| CountryCode::parse(c).unwrap())
            .collect(),
        services: vec![ServiceInfo {
            code: SERVICE.into(),
            name: "Standard".into(),
        }],
        capabilities: Capabilities {
            quote,
            ..Capabilities::default()
        },
    };
    let carriers = vec![
        hanging("no_rating_api", info("no_rating_api", &[], false)).await,
        hanging("us_only", info("us_only", &["US"], true)).await,
        carrier("fr", answer(5, "7", "0", 1), &http).await,
    ];
    let started = Instant::now();
    let quotes = shop(&carriers, &request(500), &options(1000, 1000)).await;
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(
        quotes.reason_for("no_rating_api"),
        Some(&Reason::NoQuoteCapability)
    );
    assert_eq!(
        quotes.reason_for("us_only"),
        Some(&Reason::NoPickupIn(Some(CountryCode::parse("FR").unwrap())))
    );
    assert_eq!(quotes.rates.len(), 1);

    let mut express = request(500);
    express.service = Some("EXPRESS".into());
    let quotes = shop(&carriers[2..], &express, &options(1000, 1000)).await;
    assert_eq!(
        quotes.reason_for("fr"),
        Some(&Reason::ServiceNotOffered("EXPRESS".into()))
    );
    assert!(quotes.rates.is_empty());
}

#[tokio::test]
async fn rates_sort_by_price_or_by_transit_days() {
    let http = reqwest::Client::new();
    // 2.5 kg: fast = 9 + 2 × 2.5 = 14.00 (1 day); cheap = 3 + 1 × 2.5 = 5.50 (4 days);
    // mid = 6 + 1.2 × 2.5 = 9.00 (2 days); twin = 5.5 flat (4 days, ties cheap on price
    // and days, so the carrier code decides).
    let carriers = vec![
        carrier("fast", answer(5, "9", "2", 1), &http).await,
        carrier("twin", answer(5, "5.5", "0", 4), &http).await,
        carrier("cheap", answer(5, "3", "1", 4), &http).await,
        carrier("mid", answer(5, "6", "1.2", 2), &http).await,
    ];
    let mut by_price = options(2000, 1000);
    by_price.sort = SortBy::Price;
    let quotes = shop(&carriers, &request(2500), &by_price).await;
    let order: Vec<(&str, Decimal)> = quotes
        .rates
        .iter()
        .map(|r| (r.carrier.as_str(), r.price.amount))
        .collect();
    assert_eq!(
        order,
        vec![
            ("cheap", dec("5.50")),
            ("twin", dec("5.50")),
            ("mid", dec("9.00")),
            ("fast", dec("14.00")),
        ]
    );

    let mut by_days = options(2000, 1000);
    by_days.sort = SortBy::TransitDays;
    let quotes = shop(&carriers, &request(2500), &by_days).await;
    let order: Vec<&str> = quotes.rates.iter().map(|r| r.carrier.as_str()).collect();
    assert_eq!(order, vec!["fast", "mid", "cheap", "twin"]);
    assert_eq!(quotes.cheapest().map(|r| r.carrier.as_str()), Some("cheap"));
}

#[tokio::test]
async fn mixed_currencies_are_grouped_unless_an_exchange_table_is_given() {
    let http = reqwest::Client::new();
    let usd = Currency::parse("USD").unwrap();
    let dollars = |base: &str| Behaviour::Answer {
        delay: Duration::from_millis(5),
        base: dec(base),
        per_kg: Decimal::ZERO,
        currency: usd,
        transit_days: 2,
    };
    let carriers = vec![
        carrier("us_cheap", dollars("5"), &http).await,
        carrier("eu", answer(5, "6", "0", 2), &http).await,
        carrier("us_dear", dollars("8"), &http).await,
    ];
    let quotes = shop(&carriers, &request(1000), &options(2000, 1000)).await;
    assert!(!quotes.comparable);
    assert_eq!(quotes.cheapest(), None, "5 USD and 6 EUR are not compared");
    let order: Vec<&str> = quotes.rates.iter().map(|r| r.carrier.as_str()).collect();
    assert_eq!(
        order,
        vec!["eu", "us_cheap", "us_dear"],
        "EUR group, then USD"
    );
    assert_eq!(quotes.currencies(), vec![eur(), usd]);

    // 1 USD = 1.30 EUR: 5 USD = 6.50 EUR > 6 EUR; 8 USD = 10.40 EUR.
    let mut with_fx = options(2000, 1000);
    with_fx.fx = Some(FxTable::new(eur()).with_rate(usd, dec("1.30")));
    let quotes = shop(&carriers, &request(1000), &with_fx).await;
    assert!(quotes.comparable);
    let order: Vec<&str> = quotes.rates.iter().map(|r| r.carrier.as_str()).collect();
    assert_eq!(order, vec!["eu", "us_cheap", "us_dear"]);
    assert_eq!(quotes.cheapest().map(|r| r.carrier.as_str()), Some("eu"));

    // 1 USD = 1.10 EUR: 5 USD = 5.50 EUR, now cheaper than 6 EUR.
    with_fx.fx = Some(FxTable::new(eur()).with_rate(usd, dec("1.10")));
    let quotes = shop(&carriers, &request(1000), &with_fx).await;
    let order: Vec<&str> = quotes.rates.iter().map(|r| r.carrier.as_str()).collect();
    assert_eq!(order, vec!["us_cheap", "eu", "us_dear"]);
    assert_eq!(
        quotes.cheapest().map(|r| r.carrier.as_str()),
        Some("us_cheap")
    );
}
