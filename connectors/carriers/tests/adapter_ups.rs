//! The UPS adapter against its loopback sandbox: OAuth token reuse and refusal, Shop
//! rates computed from weight and zone, booking with a valid 1Z number and a ZPL label,
//! idempotent booking, tracking through the `ups` parser, void, and error classes.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::ups::sandbox::{Fault, UpsSandbox};
use shipgate_carriers::adapters::ups::{Config, Ups};
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

fn rate_request(to_zip: &str) -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: address("Timonium", "MD", "21093", "US"),
        ship_to: address("Alpharetta", "GA", to_zip, "US"),
        parcels: vec![parcel(2000)],
        declared_value: None,
        service: None,
    }
}

fn shipment(key: &str) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: key.into(),
        reference: "#1001".into(),
        service: "03".into(),
        ship_from: address("Timonium", "MD", "21093", "US"),
        ship_to: address("Alpharetta", "GA", "30005", "US"),
        parcels: vec![parcel(2000), parcel(500)],
        declared_value: None,
        label_format: LabelFormat::Zpl,
    }
}

fn adapter(config: Config) -> Ups {
    Ups::new(config, reqwest::Client::new()).unwrap()
}

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap()
}

#[tokio::test]
async fn one_token_serves_many_calls_and_bad_credentials_are_unauthorized() {
    let sandbox = UpsSandbox::start().await.unwrap();
    let ups = adapter(sandbox.config());
    ups.quote(&rate_request("30005")).await.unwrap();
    ups.quote(&rate_request("90210")).await.unwrap();
    assert_eq!(sandbox.token_requests(), 1);

    let mut wrong = sandbox.config();
    wrong.client_secret = "nope".into();
    match adapter(wrong).quote(&rate_request("30005")).await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 401);
            assert!(message.contains("10401"), "{message}");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn shop_prices_every_service_by_billable_weight_and_zone() {
    let sandbox = UpsSandbox::start().await.unwrap();
    let ups = adapter(sandbox.config());
    let near = ups.quote(&rate_request("21201")).await.unwrap();
    let far = ups.quote(&rate_request("90210")).await.unwrap();
    let services: Vec<&str> = near.iter().map(|r| r.service.as_str()).collect();
    assert_eq!(services, ["03", "12", "02", "01"]);
    // 2 kg = 4.41 lb, dimensional 11.9×7.9×4.0/139 = 2.7: billed 5 lb. Ground zone 2:
    // 9.50 + 1.10 × 5 = 15.00; zone 8 (ZIP 210 vs 902): × 1.48 = 22.20.
    assert_eq!(near[0].price.amount, Decimal::new(1500, 2));
    assert_eq!(far[0].price.amount, Decimal::new(2220, 2));
    assert_eq!(near[0].price.currency.as_str(), "USD");
    assert_eq!(near[0].service_name, "UPS Ground");
    assert_eq!(near[3].transit_days, Some(1));

    let mut one = rate_request("30005");
    one.service = Some("02".into());
    let rates = ups.quote(&one).await.unwrap();
    assert_eq!(rates.len(), 1, "a lone RatedShipment object is read too");
    assert_eq!(rates[0].service, "02");

    one.service = Some("07".into());
    match ups.quote(&one).await {
        Err(ConnectorError::Rejected { message, .. }) => assert!(message.contains("111210")),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn booking_gives_detectable_1z_numbers_a_zpl_label_and_is_idempotent() {
    let sandbox = UpsSandbox::start().await.unwrap();
    let ups = adapter(sandbox.config());
    let booking = ups.book(&shipment("order-1001")).await.unwrap();
    assert_eq!(booking.tracking_numbers.len(), 2);
    let registry = registry();
    for number in &booking.tracking_numbers {
        let found = registry.detect(number.as_str());
        assert_eq!(found.first().map(|d| d.code), Some("ups"), "{number:?}");
        assert!(found[0].checksum_ok);
    }
    assert_eq!(booking.label.format, LabelFormat::Zpl);
    assert!(booking.label.content.starts_with(b"^XA"));
    assert!(booking.price.is_some());

    let again = ups.book(&shipment("order-1001")).await.unwrap();
    assert_eq!(again.tracking_numbers, booking.tracking_numbers);
    let sold = sandbox.shipments();
    assert_eq!(sold.len(), 1, "a retried booking buys no second label");
    assert_eq!(sold[0].customer_context, "order-1001");

    let mut pdf = shipment("order-1002");
    pdf.label_format = LabelFormat::Pdf;
    assert!(matches!(
        ups.book(&pdf).await,
        Err(ConnectorError::Rejected { .. })
    ));
}

#[tokio::test]
async fn tracking_reads_the_sample_answer_and_leaves_unknown_numbers_out() {
    let sandbox = UpsSandbox::start().await.unwrap();
    let ups = adapter(sandbox.config());
    let booking = ups.book(&shipment("order-7")).await.unwrap();
    let unknown = TrackingNumber::parse("1Z5R89390357567127").unwrap();
    let mut asked = booking.tracking_numbers.clone();
    asked.truncate(1);
    asked.push(unknown);
    let updates = ups.track(&asked).await.unwrap();
    assert_eq!(updates.len(), 1);
    let update = &updates[0];
    assert_eq!(update.tracking_number, booking.tracking_numbers[0]);
    assert_eq!(update.status, TrackingStatus::Exception);
    assert_eq!(update.events[0].carrier_code, "X");
    assert_eq!(update.events[0].location.as_deref(), Some("Wayne, NJ, US"));

    // A number UPS refuses as an inquiry number (TV1002) is an error of the request.
    let invalid = TrackingNumber::parse("NOTAUPSNUMBER").unwrap();
    assert!(matches!(
        ups.track(&[invalid]).await,
        Err(ConnectorError::Rejected { .. })
    ));
}

#[tokio::test]
async fn void_cancels_once() {
    let sandbox = UpsSandbox::start().await.unwrap();
    let ups = adapter(sandbox.config());
    let booking = ups.book(&shipment("order-9")).await.unwrap();
    ups.cancel(&booking).await.unwrap();
    assert!(sandbox.shipments()[0].voided);
    match ups.cancel(&booking).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.contains("already been voided"), "{message}")
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_outages_and_broken_answers_are_classified() {
    let sandbox = UpsSandbox::start().await.unwrap();
    let ups = adapter(sandbox.config());
    sandbox.inject(Fault::Throttle(7));
    let throttled = ups.quote(&rate_request("30005")).await.unwrap_err();
    assert!(matches!(throttled, ConnectorError::Throttled { .. }));
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(7)));

    sandbox.inject(Fault::Unavailable);
    let down = ups.quote(&rate_request("30005")).await.unwrap_err();
    assert!(matches!(down, ConnectorError::Remote { status: 503, .. }));
    assert!(down.is_retryable());

    sandbox.inject(Fault::Garbage);
    match ups.quote(&rate_request("30005")).await {
        Err(ConnectorError::UnexpectedShape { raw, .. }) => {
            assert_eq!(raw, b"<html>upstream proxy page</html>")
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    assert!(ups.quote(&rate_request("30005")).await.is_ok());
}

#[test]
fn settings_build_through_the_adapter_table_and_debug_hides_the_secret() {
    let table: toml::Table = toml::from_str(
        r#"client_id = "id"
client_secret = "s3cr3t"
account_number = "A1B2C3""#,
    )
    .unwrap();
    let config: Config = table.clone().try_into().unwrap();
    assert!(!format!("{config:?}").contains("s3cr3t"));
    let built = shipgate_carriers::adapters::build(
        "ups",
        table,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .unwrap()
    .unwrap();
    assert_eq!(built.info().code, "ups");
    assert!(built.info().capabilities.cancel);
}
