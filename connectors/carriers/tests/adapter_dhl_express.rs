//! The DHL Express (MyDHL API) adapter against its loopback sandbox: Basic credentials
//! and DHL's 401 problem answer, rates by chargeable weight and lane, shipments with a
//! detectable AWB and a PDF or ZPL label, idempotent booking, tracking through the
//! `mydhl` parser, the refused cancel, and error classes.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::dhl_express::sandbox::{DhlExpressSandbox, Fault};
use shipgate_carriers::adapters::dhl_express::{Config, DhlExpress};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{Address, CountryCode, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::path::PathBuf;
use std::time::Duration;

fn address(city: &str, zip: &str, country: &str) -> Address {
    Address {
        name: Some("Pat Doe".into()),
        line1: Some("1 Main St".into()),
        city: Some(city.into()),
        postal_code: Some(zip.into()),
        country: Some(CountryCode::parse(country).unwrap()),
        phone: Some("+49 30 1234567".into()),
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

fn rate_request(to: (&str, &str, &str)) -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: address("Berlin", "10115", "DE"),
        ship_to: address(to.0, to.1, to.2),
        parcels: vec![parcel(2000)],
        declared_value: None,
        service: None,
    }
}

fn shipment(key: &str, format: LabelFormat) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: key.into(),
        reference: "#1001".into(),
        service: "P".into(),
        ship_from: address("Berlin", "10115", "DE"),
        ship_to: address("New York", "10001", "US"),
        parcels: vec![parcel(2000), parcel(500)],
        declared_value: None,
        label_format: format,
    }
}

fn adapter(config: Config) -> DhlExpress {
    DhlExpress::new(config, reqwest::Client::new()).unwrap()
}

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap()
}

const NEW_YORK: (&str, &str, &str) = ("New York", "10001", "US");

#[tokio::test]
async fn wrong_credentials_are_unauthorized_with_dhls_problem_answer() {
    let sandbox = DhlExpressSandbox::start().await.unwrap();
    let mut wrong = sandbox.config();
    wrong.password = "nope".into();
    match adapter(wrong).quote(&rate_request(NEW_YORK)).await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 401);
            assert_eq!(message, "Unauthorized: Invalid Credentials");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    assert!(adapter(sandbox.config())
        .quote(&rate_request(NEW_YORK))
        .await
        .is_ok());
    assert_eq!(sandbox.requests(), 2);
}

#[tokio::test]
async fn rates_follow_chargeable_weight_and_lane() {
    let sandbox = DhlExpressSandbox::start().await.unwrap();
    let dhl = adapter(sandbox.config());
    let abroad = dhl.quote(&rate_request(NEW_YORK)).await.unwrap();
    let codes: Vec<&str> = abroad.iter().map(|r| r.service.as_str()).collect();
    assert_eq!(codes, ["P", "T", "K"]);
    // 2 kg, volumetric 30×20×10/5000 = 1.2: 2.0 chargeable. P: 45 + 8.50 × 2 = 62.00.
    assert_eq!(abroad[0].price.amount, Decimal::new(6200, 2));
    assert_eq!(abroad[0].price.currency.as_str(), "EUR");
    assert_eq!(abroad[0].service_name, "EXPRESS WORLDWIDE");
    assert_eq!(abroad[0].transit_days, Some(3));

    let home = dhl
        .quote(&rate_request(("Hamburg", "20095", "DE")))
        .await
        .unwrap();
    assert_eq!(home.len(), 1);
    assert_eq!(home[0].service, "N");
    assert_eq!(home[0].price.amount, Decimal::new(2220, 2));

    let mut two = rate_request(NEW_YORK);
    two.parcels.push(parcel(500));
    two.service = Some("P".into());
    let one = dhl.quote(&two).await.unwrap();
    // The 0.5 kg parcel is billed by volume, 1.2 → 1.5 kg: 3.5 kg, 45 + 29.75.
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].price.amount, Decimal::new(7475, 2));
}

#[tokio::test]
async fn booking_gives_a_detectable_awb_a_label_and_is_idempotent() {
    let sandbox = DhlExpressSandbox::start().await.unwrap();
    let dhl = adapter(sandbox.config());
    let booking = dhl
        .book(&shipment("order-1001", LabelFormat::Pdf))
        .await
        .unwrap();
    assert_eq!(booking.tracking_numbers.len(), 1);
    let awb = booking.tracking_numbers[0].as_str();
    assert_eq!(awb.len(), 10);
    let registry = registry();
    let found = registry.detect(awb);
    assert!(
        found
            .iter()
            .any(|d| d.code == "dhl_express" && d.checksum_ok),
        "{awb}: {found:?}"
    );
    assert_eq!(booking.shipment_id, awb);
    assert!(booking.label.content.starts_with(b"%PDF"));
    assert_eq!(
        booking.price.as_ref().unwrap().amount,
        Decimal::new(7475, 2)
    );

    let again = dhl
        .book(&shipment("order-1001", LabelFormat::Pdf))
        .await
        .unwrap();
    assert_eq!(again.tracking_numbers, booking.tracking_numbers);
    let made = sandbox.shipments();
    assert_eq!(made.len(), 1, "a retried booking makes no second AWB");
    assert_eq!(made[0].customer_reference.as_deref(), Some("order-1001"));

    let zpl = dhl
        .book(&shipment("order-1002", LabelFormat::Zpl))
        .await
        .unwrap();
    assert!(zpl.label.content.starts_with(b"^XA"));

    let mut domestic_only = shipment("order-1003", LabelFormat::Pdf);
    domestic_only.service = "N".into();
    match dhl.book(&domestic_only).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.contains("productCode"), "{message}")
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn tracking_reads_the_mydhl_sample_and_leaves_unknown_awbs_out() {
    let sandbox = DhlExpressSandbox::start().await.unwrap();
    let dhl = adapter(sandbox.config());
    let booking = dhl
        .book(&shipment("order-7", LabelFormat::Pdf))
        .await
        .unwrap();
    let unknown = TrackingNumber::parse("9356579890").unwrap();
    let asked = vec![booking.tracking_numbers[0].clone(), unknown];
    let updates = dhl.track(&asked).await.unwrap();
    assert_eq!(updates.len(), 1);
    let update = &updates[0];
    assert_eq!(update.tracking_number, booking.tracking_numbers[0]);
    assert_eq!(update.status, TrackingStatus::Delivered);
    let codes: Vec<&str> = update
        .events
        .iter()
        .map(|e| e.carrier_code.as_str())
        .collect();
    assert!(codes.contains(&"PU") && codes.contains(&"OK"), "{codes:?}");

    let invalid = TrackingNumber::parse("NOTADHLAWB").unwrap();
    assert!(matches!(
        dhl.track(&[invalid]).await,
        Err(ConnectorError::Rejected { .. })
    ));
}

#[tokio::test]
async fn cancel_is_refused_with_the_reason() {
    let sandbox = DhlExpressSandbox::start().await.unwrap();
    let dhl = adapter(sandbox.config());
    assert!(!dhl.info().capabilities.cancel);
    let booking = dhl
        .book(&shipment("order-9", LabelFormat::Pdf))
        .await
        .unwrap();
    match dhl.cancel(&booking).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.contains("not billed"), "{message}");
            assert!(message.contains(&booking.shipment_id));
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_outages_and_broken_answers_are_classified() {
    let sandbox = DhlExpressSandbox::start().await.unwrap();
    let dhl = adapter(sandbox.config());
    sandbox.inject(Fault::Throttle(7));
    let throttled = dhl.quote(&rate_request(NEW_YORK)).await.unwrap_err();
    assert!(matches!(throttled, ConnectorError::Throttled { .. }));
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(7)));

    sandbox.inject(Fault::Unavailable);
    let down = dhl.quote(&rate_request(NEW_YORK)).await.unwrap_err();
    assert!(matches!(down, ConnectorError::Remote { status: 503, .. }));
    assert!(down.is_retryable());

    sandbox.inject(Fault::Garbage);
    match dhl.quote(&rate_request(NEW_YORK)).await {
        Err(ConnectorError::UnexpectedShape { raw, .. }) => {
            assert_eq!(raw, b"<html>upstream proxy page</html>")
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    assert!(dhl.quote(&rate_request(NEW_YORK)).await.is_ok());
}

#[test]
fn settings_build_through_the_adapter_table_and_debug_hides_the_password() {
    let table: toml::Table = toml::from_str(
        r#"username = "user"
password = "s3cr3t"
account_number = "950000002""#,
    )
    .unwrap();
    let config: Config = table.clone().try_into().unwrap();
    assert!(!format!("{config:?}").contains("s3cr3t"));
    let built = shipgate_carriers::adapters::build(
        "dhl_express",
        table,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .unwrap()
    .unwrap();
    assert_eq!(built.info().code, "dhl_express");
}
