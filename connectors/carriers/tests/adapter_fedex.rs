//! The FedEx adapter against its loopback sandbox: OAuth token reuse and refusal, rate
//! quotes with account prices, booking with a valid 12-digit number and a PDF or ZPL
//! label, idempotent booking, tracking through the `fedex` parser, cancel, and error
//! classes.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::fedex::sandbox::{Fault, FedexSandbox};
use shipgate_carriers::adapters::fedex::{Config, Fedex};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{Address, CountryCode, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::path::PathBuf;
use std::time::Duration;

fn address(city: &str, region: &str, zip: &str, country: &str) -> Address {
    Address {
        name: Some("Pat Doe".into()),
        line1: Some("1 Main St".into()),
        city: Some(city.into()),
        region: Some(region.into()),
        postal_code: Some(zip.into()),
        country: Some(CountryCode::parse(country).unwrap()),
        phone: Some("+15555550100".into()),
        ..Address::default()
    }
}

fn parcel(grams: u32) -> Parcel {
    Parcel {
        weight_grams: grams,
        length_mm: 300,
        width_mm: 200,
        height_mm: 100,
    }
}

fn rate_request(to_zip: &str, country: &str) -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: address("Memphis", "TN", "38125", "US"),
        ship_to: address("Somewhere", "", to_zip, country),
        parcels: vec![parcel(2000)],
        declared_value: None,
        service: None,
    }
}

fn shipment(key: &str, format: LabelFormat) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: key.into(),
        reference: "#2001".into(),
        service: "FEDEX_2_DAY".into(),
        ship_from: address("Memphis", "TN", "38125", "US"),
        ship_to: address("Seattle", "WA", "98101", "US"),
        parcels: vec![parcel(2000), parcel(700)],
        declared_value: None,
        label_format: format,
    }
}

fn adapter(config: Config) -> Fedex {
    Fedex::new(config, reqwest::Client::new()).unwrap()
}

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap()
}

#[tokio::test]
async fn one_token_serves_many_calls_and_bad_credentials_are_unauthorized() {
    let sandbox = FedexSandbox::start().await.unwrap();
    let fedex = adapter(sandbox.config());
    fedex.quote(&rate_request("38127", "US")).await.unwrap();
    fedex.quote(&rate_request("98101", "US")).await.unwrap();
    assert_eq!(sandbox.token_requests(), 1);

    let mut wrong = sandbox.config();
    wrong.client_secret = "nope".into();
    match adapter(wrong).quote(&rate_request("38127", "US")).await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 401);
            assert!(message.contains("NOT.AUTHORIZED.ERROR"), "{message}");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn quotes_take_the_account_rate_by_weight_and_zone() {
    let sandbox = FedexSandbox::start().await.unwrap();
    let fedex = adapter(sandbox.config());
    let near = fedex.quote(&rate_request("38127", "US")).await.unwrap();
    let services: Vec<&str> = near.iter().map(|r| r.service.as_str()).collect();
    assert_eq!(
        services,
        [
            "FEDEX_GROUND",
            "FEDEX_EXPRESS_SAVER",
            "FEDEX_2_DAY",
            "PRIORITY_OVERNIGHT"
        ]
    );
    // 2 kg = 4.5 lb, dimensional 12×8×4/139 = 2.8: billed 5 lb. Ground zone 2 list price
    // 9.80 + 1.05 × 5 = 15.05; the account pays 90 %: 13.545 → 13.55.
    assert_eq!(near[0].price.amount, Decimal::new(1355, 2));
    assert_eq!(near[0].price.currency.as_str(), "USD");
    assert_eq!(near[3].transit_days, Some(1));
    // Zone 8 (383 vs 981): × 1.48.
    let far = fedex.quote(&rate_request("98101", "US")).await.unwrap();
    assert!(far[0].price.amount > near[0].price.amount);

    let abroad = fedex.quote(&rate_request("75001", "FR")).await.unwrap();
    assert_eq!(abroad.len(), 2);
    assert_eq!(abroad[1].service, "INTERNATIONAL_PRIORITY");
    assert_eq!(abroad[1].transit_days, Some(3));
}

#[tokio::test]
async fn booking_gives_detectable_numbers_real_labels_and_is_idempotent() {
    let sandbox = FedexSandbox::start().await.unwrap();
    let fedex = adapter(sandbox.config());
    let booking = fedex
        .book(&shipment("order-2001", LabelFormat::Pdf))
        .await
        .unwrap();
    assert_eq!(booking.tracking_numbers.len(), 2);
    assert_eq!(booking.shipment_id, booking.tracking_numbers[0].as_str());
    let registry = registry();
    for number in &booking.tracking_numbers {
        let found = registry.detect(number.as_str());
        let fedex_match = found.iter().find(|d| d.code == "fedex");
        assert!(
            fedex_match.is_some_and(|d| d.checksum_ok),
            "{number:?}: {found:?}"
        );
    }
    assert!(booking.label.content.starts_with(b"%PDF"));
    assert!(booking.price.is_some());

    let again = fedex
        .book(&shipment("order-2001", LabelFormat::Pdf))
        .await
        .unwrap();
    assert_eq!(again.tracking_numbers, booking.tracking_numbers);
    let sold = sandbox.shipments();
    assert_eq!(sold.len(), 1, "a retried booking buys no second label");
    assert_eq!(
        sold[0].customer_transaction_id.as_deref(),
        Some("order-2001")
    );

    let zpl = fedex
        .book(&shipment("order-2002", LabelFormat::Zpl))
        .await
        .unwrap();
    assert_eq!(zpl.label.format, LabelFormat::Zpl);
    assert!(zpl.label.content.starts_with(b"^XA"));
}

#[tokio::test]
async fn tracking_reads_the_sample_answer_and_leaves_unknown_numbers_out() {
    let sandbox = FedexSandbox::start().await.unwrap();
    let fedex = adapter(sandbox.config());
    let booking = fedex
        .book(&shipment("order-7", LabelFormat::Pdf))
        .await
        .unwrap();
    let mut asked = booking.tracking_numbers.clone();
    asked.push(TrackingNumber::parse("449044304137821").unwrap());
    let updates = fedex.track(&asked).await.unwrap();
    assert_eq!(updates.len(), 2, "the unknown number is left out");
    assert_eq!(updates[0].tracking_number, booking.tracking_numbers[0]);
    assert_eq!(updates[0].status, TrackingStatus::InTransit);
    assert_eq!(updates[0].events[0].carrier_code, "PU");

    let unknown = [TrackingNumber::parse("449044304137821").unwrap()];
    assert!(fedex.track(&unknown).await.unwrap().is_empty());
}

#[tokio::test]
async fn cancel_voids_once() {
    let sandbox = FedexSandbox::start().await.unwrap();
    let fedex = adapter(sandbox.config());
    let booking = fedex
        .book(&shipment("order-9", LabelFormat::Pdf))
        .await
        .unwrap();
    fedex.cancel(&booking).await.unwrap();
    assert!(sandbox.shipments()[0].cancelled);
    match fedex.cancel(&booking).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.contains("already been cancelled"), "{message}")
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_outages_and_broken_answers_are_classified() {
    let sandbox = FedexSandbox::start().await.unwrap();
    let fedex = adapter(sandbox.config());
    sandbox.inject(Fault::Throttle(4));
    let throttled = fedex.quote(&rate_request("38127", "US")).await.unwrap_err();
    assert!(matches!(throttled, ConnectorError::Throttled { .. }));
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(4)));

    sandbox.inject(Fault::Unavailable);
    let down = fedex.quote(&rate_request("38127", "US")).await.unwrap_err();
    assert!(matches!(down, ConnectorError::Remote { status: 503, .. }));
    assert!(down.is_retryable());

    sandbox.inject(Fault::Garbage);
    match fedex.book(&shipment("order-x", LabelFormat::Pdf)).await {
        Err(ConnectorError::UnexpectedShape { raw, .. }) => {
            assert_eq!(raw, b"<html>upstream proxy page</html>")
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    assert!(sandbox.shipments().is_empty());
}

#[test]
fn settings_build_through_the_adapter_table_and_debug_hides_the_secret() {
    let table: toml::Table = toml::from_str(
        r#"client_id = "id"
client_secret = "s3cr3t"
account_number = "740561073""#,
    )
    .unwrap();
    let config: Config = table.clone().try_into().unwrap();
    assert!(!format!("{config:?}").contains("s3cr3t"));
    let built = shipgate_carriers::adapters::build(
        "fedex",
        table,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .unwrap()
    .unwrap();
    assert_eq!(built.info().code, "fedex");
}
