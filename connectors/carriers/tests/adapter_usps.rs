//! The USPS adapter against its loopback sandbox: the JSON-body OAuth token fetched once
//! and USPS's `invalid_client` refusal, base-rates prices from weight and zone, labels
//! paid through a payment authorization token with valid IMpb numbers and PDF/ZPL
//! images, idempotent booking, tracking through the `usps` parser, cancel, and error
//! classes.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::usps::sandbox::{Fault, UspsSandbox};
use shipgate_carriers::adapters::usps::{Config, Usps};
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
        ship_to: address("Baltimore", "MD", to_zip, "US"),
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
        service: "PRIORITY_MAIL".into(),
        ship_from: address("Timonium", "MD", "21093", "US"),
        ship_to: address("Alpharetta", "GA", "30005", "US"),
        parcels: vec![parcel(2000), parcel(500)],
        declared_value: None,
        label_format: format,
    }
}

fn adapter(config: Config) -> Usps {
    Usps::new(config, reqwest::Client::new()).unwrap()
}

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap()
}

#[tokio::test]
async fn one_token_serves_many_calls_and_bad_credentials_are_unauthorized() {
    let sandbox = UspsSandbox::start().await.unwrap();
    let usps = adapter(sandbox.config());
    usps.quote(&rate_request("21201")).await.unwrap();
    usps.quote(&rate_request("90210")).await.unwrap();
    assert_eq!(sandbox.token_requests(), 1);

    let mut wrong = sandbox.config();
    wrong.client_secret = "nope".into();
    match adapter(wrong).quote(&rate_request("21201")).await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 401);
            assert!(message.contains("invalid_client"), "{message}");
            assert!(
                message.contains("Client authentication failed"),
                "{message}"
            );
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn base_rates_are_priced_by_weight_and_zone_for_each_mail_class() {
    let sandbox = UspsSandbox::start().await.unwrap();
    let usps = adapter(sandbox.config());
    let near = usps.quote(&rate_request("21201")).await.unwrap();
    let far = usps.quote(&rate_request("90210")).await.unwrap();
    let classes: Vec<&str> = near.iter().map(|r| r.service.as_str()).collect();
    assert_eq!(
        classes,
        [
            "USPS_GROUND_ADVANTAGE",
            "PRIORITY_MAIL",
            "PRIORITY_MAIL_EXPRESS"
        ]
    );
    // 2 kg = 4.41 lb, billed 5 lb. Ground Advantage zone 1: 5.40 + 0.95 × 5 = 10.15;
    // zone 7 (ZIP 210 vs 902): × 1.42 = 14.41.
    assert_eq!(near[0].price.amount, Decimal::new(1015, 2));
    assert_eq!(far[0].price.amount, Decimal::new(1441, 2));
    assert_eq!(near[1].price.amount, Decimal::new(1735, 2));
    assert_eq!(near[0].price.currency.as_str(), "USD");
    assert_eq!(near[0].service_name, "USPS Ground Advantage");

    let mut two = rate_request("21201");
    two.parcels.push(parcel(500));
    two.service = Some("USPS_GROUND_ADVANTAGE".into());
    let rates = usps.quote(&two).await.unwrap();
    // The second parcel weighs 1.11 lb but its dimensional weight (376 in³ / 166 = 2.3)
    // bills 3 lb: 5.40 + 0.95 × 3 = 8.25, added to 10.15.
    assert_eq!(rates.len(), 1);
    assert_eq!(rates[0].price.amount, Decimal::new(1840, 2));

    let mut abroad = rate_request("21201");
    abroad.ship_to = address("Toronto", "ON", "M5V 3L9", "CA");
    match usps.quote(&abroad).await {
        Err(ConnectorError::Rejected { message, .. }) => assert!(message.contains("ship-to")),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn booking_pays_with_one_authorization_gives_impb_numbers_and_is_idempotent() {
    let sandbox = UspsSandbox::start().await.unwrap();
    let usps = adapter(sandbox.config());
    let booking = usps
        .book(&shipment("order-1001", LabelFormat::Pdf))
        .await
        .unwrap();
    assert_eq!(booking.tracking_numbers.len(), 2);
    let registry = registry();
    for number in &booking.tracking_numbers {
        let found = registry.detect(number.as_str());
        assert_eq!(found.first().map(|d| d.code), Some("usps"), "{number:?}");
        assert!(found[0].checksum_ok, "{number:?}");
        assert_eq!(number.as_str().len(), 22);
    }
    assert!(booking.label.content.starts_with(b"%PDF"));
    // Priority Mail to ZIP 300 (zone 1): 17.35 + (9.35 + 1.60 × 3 dimensional lb) = 31.50.
    assert_eq!(
        booking.price.as_ref().unwrap().amount,
        Decimal::new(3150, 2)
    );

    let again = usps
        .book(&shipment("order-1001", LabelFormat::Pdf))
        .await
        .unwrap();
    assert_eq!(again.tracking_numbers, booking.tracking_numbers);
    let sold = sandbox.labels();
    assert_eq!(sold.len(), 2, "a retried booking buys no new labels");
    assert_eq!(sold[0].idempotency_key.as_deref(), Some("order-1001-1"));
    assert_eq!(sold[1].mail_class, "PRIORITY_MAIL");

    let zpl = usps
        .book(&shipment("order-1002", LabelFormat::Zpl))
        .await
        .unwrap();
    assert!(zpl.label.content.starts_with(b"^XA"));
    assert_eq!(
        sandbox.payment_authorizations(),
        1,
        "the payment token is reused"
    );

    let mut unknown = shipment("order-1003", LabelFormat::Pdf);
    unknown.service = "MEDIA_MAIL_OVERNIGHT".into();
    assert!(matches!(
        usps.book(&unknown).await,
        Err(ConnectorError::Rejected { .. })
    ));
}

#[tokio::test]
async fn tracking_reads_the_sample_answer_and_leaves_unknown_numbers_out() {
    let sandbox = UspsSandbox::start().await.unwrap();
    let usps = adapter(sandbox.config());
    let booking = usps
        .book(&shipment("order-7", LabelFormat::Pdf))
        .await
        .unwrap();
    let unknown = TrackingNumber::parse("9400109104250532908587").unwrap();
    let asked = vec![booking.tracking_numbers[0].clone(), unknown];
    let updates = usps.track(&asked).await.unwrap();
    assert_eq!(updates.len(), 1);
    let update = &updates[0];
    assert_eq!(update.tracking_number, booking.tracking_numbers[0]);
    assert_eq!(update.status, TrackingStatus::Delivered);
    let last = update.events.last().unwrap();
    assert_eq!(last.carrier_code, "01");
    assert_eq!(update.events[0].carrier_code, "GX");
    assert_eq!(last.location.as_deref(), Some("HERNANDO, FL, 34442"));

    let invalid = TrackingNumber::parse("NOTAUSPSNUMBER").unwrap();
    match usps.track(&[invalid]).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.starts_with("400"), "{message}")
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn cancel_refunds_every_label_once() {
    let sandbox = UspsSandbox::start().await.unwrap();
    let usps = adapter(sandbox.config());
    let booking = usps
        .book(&shipment("order-9", LabelFormat::Pdf))
        .await
        .unwrap();
    usps.cancel(&booking).await.unwrap();
    assert!(sandbox.labels().iter().all(|l| l.cancelled));
    match usps.cancel(&booking).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.contains("already been cancelled"), "{message}")
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_outages_and_broken_answers_are_classified() {
    let sandbox = UspsSandbox::start().await.unwrap();
    let usps = adapter(sandbox.config());
    let mut one = rate_request("21201");
    one.service = Some("PRIORITY_MAIL".into());
    sandbox.inject(Fault::Throttle(7));
    let throttled = usps.quote(&one).await.unwrap_err();
    assert!(matches!(throttled, ConnectorError::Throttled { .. }));
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(7)));

    sandbox.inject(Fault::Unavailable);
    let down = usps.quote(&one).await.unwrap_err();
    assert!(matches!(down, ConnectorError::Remote { status: 503, .. }));
    assert!(down.is_retryable());

    sandbox.inject(Fault::Garbage);
    match usps.quote(&one).await {
        Err(ConnectorError::UnexpectedShape { raw, .. }) => {
            assert_eq!(raw, b"<html>upstream proxy page</html>")
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    assert!(usps.quote(&one).await.is_ok());
}

#[test]
fn settings_build_through_the_adapter_table_and_debug_hides_secrets() {
    let table: toml::Table = toml::from_str(
        r#"client_id = "id"
client_secret = "s3cr3t"
crid = "1"
mid = "900000001"
eps_account = "eps-777""#,
    )
    .unwrap();
    let config: Config = table.clone().try_into().unwrap();
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("s3cr3t") && !shown.contains("eps-777"),
        "{shown}"
    );
    let built = shipgate_carriers::adapters::build(
        "usps",
        table,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .unwrap()
    .unwrap();
    assert_eq!(built.info().code, "usps");
    assert!(built.info().capabilities.cancel);
}
