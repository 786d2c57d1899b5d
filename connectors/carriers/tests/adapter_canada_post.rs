//! The Canada Post adapter against its loopback sandbox: Basic credentials and the
//! `<messages>` refusal, Get Rates by billed weight, region and GST, non-contract
//! shipments with a detectable PIN and the PDF label artifact, idempotent booking,
//! tracking through the `canadapost` parser, refunds, and error classes.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::canada_post::sandbox::{CanadaPostSandbox, Fault};
use shipgate_carriers::adapters::canada_post::{CanadaPost, Config};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{Address, CountryCode, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::path::PathBuf;
use std::time::Duration;

fn address(city: &str, province: &str, postal: &str, country: &str) -> Address {
    Address {
        name: Some("Pat Doe".into()),
        line1: Some("1 Main St".into()),
        city: Some(city.into()),
        region: Some(province.into()),
        postal_code: Some(postal.into()),
        country: Some(CountryCode::parse(country).unwrap()),
        phone: Some("613-555-0100".into()),
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

fn ottawa() -> Address {
    address("Ottawa", "ON", "K2B 8J6", "CA")
}

fn rate_request(to: Address) -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: ottawa(),
        ship_to: to,
        parcels: vec![parcel(2000)],
        declared_value: None,
        service: None,
    }
}

fn quebec() -> Address {
    address("Sherbrooke", "QC", "J0E 1X0", "CA")
}

fn shipment(key: &str) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: key.into(),
        reference: "#1001".into(),
        service: "DOM.EP".into(),
        ship_from: ottawa(),
        ship_to: quebec(),
        parcels: vec![parcel(2000), parcel(500)],
        declared_value: None,
        label_format: LabelFormat::Pdf,
    }
}

fn adapter(config: Config) -> CanadaPost {
    CanadaPost::new(config, reqwest::Client::new()).unwrap()
}

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap()
}

#[tokio::test]
async fn wrong_credentials_and_foreign_customers_are_refused_with_canada_posts_messages() {
    let sandbox = CanadaPostSandbox::start().await.unwrap();
    let mut wrong = sandbox.config();
    wrong.password = "nope".into();
    match adapter(wrong).quote(&rate_request(quebec())).await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 401);
            assert_eq!(message, "E002: Unauthorized");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    let mut other_customer = sandbox.config();
    other_customer.customer_number = "0001234567".into();
    match adapter(other_customer).quote(&rate_request(quebec())).await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 403);
            assert!(message.starts_with("AA004"), "{message}");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn rates_follow_billed_weight_region_and_gst() {
    let sandbox = CanadaPostSandbox::start().await.unwrap();
    let cp = adapter(sandbox.config());
    let cross = cp.quote(&rate_request(quebec())).await.unwrap();
    let codes: Vec<&str> = cross.iter().map(|r| r.service.as_str()).collect();
    assert_eq!(codes, ["DOM.RP", "DOM.EP", "DOM.XP", "DOM.PC"]);
    // 2 kg billed (volumetric 30×20×10/6000 = 1.0). Expedited: (11.50 + 1.80 × 2) × 1.25
    // between regions = 18.88, GST 0.94: 19.82 due.
    assert_eq!(cross[1].price.amount, Decimal::new(1982, 2));
    assert_eq!(cross[1].price.currency.as_str(), "CAD");
    assert_eq!(cross[1].service_name, "Expedited Parcel");
    assert_eq!(cross[1].transit_days, Some(2));

    let near = cp
        .quote(&rate_request(address("Ottawa", "ON", "K1A 0B1", "CA")))
        .await
        .unwrap();
    assert_eq!(near[1].price.amount, Decimal::new(1586, 2));

    let usa = cp
        .quote(&rate_request(address("Buffalo", "NY", "14201", "US")))
        .await
        .unwrap();
    assert_eq!(usa.len(), 2);
    assert_eq!(usa[0].service, "USA.EP");

    let mut two = rate_request(quebec());
    two.parcels.push(parcel(500));
    two.service = Some("DOM.EP".into());
    let rates = cp.quote(&two).await.unwrap();
    // The 0.5 kg parcel is billed 1.0 kg by volume: 16.63 + GST 0.83 = 17.46 more.
    assert_eq!(rates.len(), 1);
    assert_eq!(rates[0].price.amount, Decimal::new(3728, 2));
}

#[tokio::test]
async fn booking_gives_detectable_pins_a_pdf_label_and_is_idempotent() {
    let sandbox = CanadaPostSandbox::start().await.unwrap();
    let cp = adapter(sandbox.config());
    let booking = cp.book(&shipment("order-1001")).await.unwrap();
    assert_eq!(booking.tracking_numbers.len(), 2);
    let registry = registry();
    for pin in &booking.tracking_numbers {
        let found = registry.detect(pin.as_str());
        assert!(
            found
                .iter()
                .any(|d| d.code == "canada_post" && d.checksum_ok),
            "{pin:?}: {found:?}"
        );
    }
    assert!(booking.label.content.starts_with(b"%PDF"));
    assert_eq!(booking.shipment_id.split(',').count(), 2);

    let again = cp.book(&shipment("order-1001")).await.unwrap();
    assert_eq!(again.tracking_numbers, booking.tracking_numbers);
    let made = sandbox.shipments();
    assert_eq!(made.len(), 2, "a retried booking buys no new labels");
    assert_eq!(made[0].customer_ref_2, "order-1001");

    let mut zpl = shipment("order-1002");
    zpl.label_format = LabelFormat::Zpl;
    assert!(matches!(
        cp.book(&zpl).await,
        Err(ConnectorError::Rejected { .. })
    ));
    let mut abroad_service = shipment("order-1003");
    abroad_service.service = "INT.XP".into();
    match cp.book(&abroad_service).await {
        Err(ConnectorError::Rejected { message, .. }) => assert!(message.starts_with("9111")),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn tracking_reads_the_sample_and_leaves_unknown_pins_out() {
    let sandbox = CanadaPostSandbox::start().await.unwrap();
    let cp = adapter(sandbox.config());
    let booking = cp.book(&shipment("order-7")).await.unwrap();
    let unknown = TrackingNumber::parse("7023210039414604").unwrap();
    let asked = vec![booking.tracking_numbers[0].clone(), unknown];
    let updates = cp.track(&asked).await.unwrap();
    assert_eq!(updates.len(), 1);
    let update = &updates[0];
    assert_eq!(update.tracking_number, booking.tracking_numbers[0]);
    assert_eq!(update.status, TrackingStatus::Delivered);
    assert!(update.events.iter().any(|e| e.carrier_code == "0174"));

    let invalid = TrackingNumber::parse("NOTAPIN").unwrap();
    assert!(matches!(
        cp.track(&[invalid]).await,
        Err(ConnectorError::Rejected { .. })
    ));
}

#[tokio::test]
async fn cancel_requests_one_refund_per_shipment() {
    let sandbox = CanadaPostSandbox::start().await.unwrap();
    let cp = adapter(sandbox.config());
    let booking = cp.book(&shipment("order-9")).await.unwrap();
    cp.cancel(&booking).await.unwrap();
    assert!(sandbox.shipments().iter().all(|s| s.refunded));
    match cp.cancel(&booking).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.contains("already been requested"), "{message}")
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_outages_and_broken_answers_are_classified() {
    let sandbox = CanadaPostSandbox::start().await.unwrap();
    let cp = adapter(sandbox.config());
    sandbox.inject(Fault::Throttle(7));
    let throttled = cp.quote(&rate_request(quebec())).await.unwrap_err();
    assert!(matches!(throttled, ConnectorError::Throttled { .. }));
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(7)));

    sandbox.inject(Fault::Unavailable);
    let down = cp.quote(&rate_request(quebec())).await.unwrap_err();
    assert!(matches!(down, ConnectorError::Remote { status: 503, .. }));
    assert!(down.is_retryable());

    sandbox.inject(Fault::Garbage);
    match cp.quote(&rate_request(quebec())).await {
        Err(ConnectorError::UnexpectedShape { raw, .. }) => {
            assert_eq!(raw, b"<html>upstream proxy page</html>")
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    assert!(cp.quote(&rate_request(quebec())).await.is_ok());
}

#[test]
fn settings_build_through_the_adapter_table_and_debug_hides_the_password() {
    let table: toml::Table = toml::from_str(
        r#"username = "user"
password = "s3cr3t"
customer_number = "0007023210"
refund_email = "ops@example.com""#,
    )
    .unwrap();
    let config: Config = table.clone().try_into().unwrap();
    assert!(!format!("{config:?}").contains("s3cr3t"));
    let built = shipgate_carriers::adapters::build(
        "canada_post",
        table,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .unwrap()
    .unwrap();
    assert_eq!(built.info().code, "canada_post");
}
