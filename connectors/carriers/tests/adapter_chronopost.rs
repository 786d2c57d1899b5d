//! The Chronopost adapter against its loopback sandbox over real HTTP: SOAP quotes
//! priced by weight and zone, bookings with S10 skybills and real labels, tracking with
//! the real `trackSkybillV2` answer, cancellation, and every error class.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::chronopost::sandbox::{
    ChronopostSandbox, ACCOUNT, FIXTURE_SKYBILL, PASSWORD,
};
use shipgate_carriers::adapters::chronopost::{Chronopost, Config};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{Address, CountryCode, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::path::PathBuf;
use std::time::Duration;

fn mappings() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers")
}

fn adapter(sb: &ChronopostSandbox, password: &str) -> Chronopost {
    Chronopost::new(
        Config {
            account_number: ACCOUNT.into(),
            password: password.into(),
            base_url: sb.base_url(),
            mappings_dir: mappings(),
            request_budget: shipgate_carriers::adapters::budget::for_sandbox(),
        },
        reqwest::Client::new(),
    )
    .expect("adapter builds")
}

fn address(city: &str, postal: &str, country: &str) -> Address {
    Address {
        name: Some("Camille Martin".into()),
        company: Some("Atelier Martin".into()),
        line1: Some("12 rue des Lilas".into()),
        city: Some(city.into()),
        postal_code: Some(postal.into()),
        country: Some(CountryCode::parse(country).unwrap()),
        phone: Some("+33601020304".into()),
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

fn rate_request(to: Address, grams: u32) -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: address("Paris", "75001", "FR"),
        ship_to: to,
        parcels: vec![parcel(grams)],
        declared_value: None,
        service: None,
    }
}

fn shipment(format: LabelFormat, parcels: usize) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: "idem-7f3a".into(),
        reference: "#1001".into(),
        service: "01".into(),
        ship_from: address("Paris", "75001", "FR"),
        ship_to: address("Lyon", "69002", "FR"),
        parcels: vec![parcel(2500); parcels],
        declared_value: None,
        label_format: format,
    }
}

fn registry() -> Registry {
    Registry::load_dir(mappings()).expect("mappings load")
}

#[tokio::test]
async fn domestic_quote_prices_each_product_by_started_kilogram_with_vat() {
    let sb = ChronopostSandbox::start().await.unwrap();
    let rates = adapter(&sb, PASSWORD)
        .quote(&rate_request(address("Lyon", "69002", "FR"), 2500))
        .await
        .unwrap();
    let services: Vec<&str> = rates.iter().map(|r| r.service.as_str()).collect();
    assert_eq!(services, ["01", "02", "16", "86"]);
    // Chrono 13: (12.50 + 3 started kg × 1.10) × 1.20 VAT = 18.96 EUR.
    let chrono13 = &rates[0];
    assert_eq!(chrono13.service_name, "Chrono 13");
    assert_eq!(chrono13.price.amount, Decimal::new(1896, 2));
    assert_eq!(chrono13.price.currency.as_str(), "EUR");
    assert_eq!(sb.calls("calculateProducts"), 1);
}

#[tokio::test]
async fn international_quote_offers_the_international_products_only() {
    let sb = ChronopostSandbox::start().await.unwrap();
    let c = adapter(&sb, PASSWORD);
    let mut request = rate_request(address("Boise", "83712", "US"), 1000);
    let rates = c.quote(&request).await.unwrap();
    let services: Vec<&str> = rates.iter().map(|r| r.service.as_str()).collect();
    assert_eq!(services, ["44", "17"]);
    // Outside the EU: no VAT, far-zone factor 1.5 → (24 + 4) × 1.5 = 42.
    assert_eq!(rates[0].price.amount, Decimal::new(42, 0));
    request.service = Some("17".into());
    request.parcels.push(parcel(1000));
    let rates = c.quote(&request).await.unwrap();
    assert_eq!(rates.len(), 1);
    // Two parcels priced one by one and summed: 2 × (39 + 6) × 1.5 = 135.
    assert_eq!(rates[0].price.amount, Decimal::new(135, 0));
    assert_eq!(sb.calls("calculateProducts"), 3);
}

#[tokio::test]
async fn wrong_password_is_unauthorized_with_chronopost_words() {
    let sb = ChronopostSandbox::start().await.unwrap();
    let err = adapter(&sb, "nope")
        .quote(&rate_request(address("Lyon", "69002", "FR"), 500))
        .await
        .unwrap_err();
    match err {
        ConnectorError::Unauthorized { message, .. } => {
            assert!(message.contains("invalid account or password"), "{message}")
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn booking_returns_a_detectable_s10_skybill_and_a_pdf_label() {
    let sb = ChronopostSandbox::start().await.unwrap();
    let booking = adapter(&sb, PASSWORD)
        .book(&shipment(LabelFormat::Pdf, 1))
        .await
        .unwrap();
    assert_eq!(booking.tracking_numbers.len(), 1);
    let number = booking.tracking_numbers[0].as_str();
    let registry = registry();
    let detected = registry.detect(number);
    assert!(
        detected
            .iter()
            .any(|d| d.code == "chronopost" && d.checksum_ok),
        "{number}: {detected:?}"
    );
    assert!(booking.label.content.starts_with(b"%PDF"));
    assert!(booking.label.content.ends_with(b"%%EOF\n"));
    assert_eq!(sb.reference_of(number).as_deref(), Some("idem-7f3a"));
}

#[tokio::test]
async fn zpl_bookings_carry_one_label_per_parcel_and_pdf_multi_parcel_is_refused() {
    let sb = ChronopostSandbox::start().await.unwrap();
    let c = adapter(&sb, PASSWORD);
    let booking = c.book(&shipment(LabelFormat::Zpl, 2)).await.unwrap();
    assert_eq!(booking.tracking_numbers.len(), 2);
    assert_ne!(booking.tracking_numbers[0], booking.tracking_numbers[1]);
    let zpl = String::from_utf8(booking.label.content).unwrap();
    assert!(zpl.starts_with("^XA"));
    assert_eq!(zpl.matches("^XZ").count(), 2);
    let err = c.book(&shipment(LabelFormat::Pdf, 2)).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Rejected { .. }), "{err:?}");
    assert_eq!(sb.calls("shippingMultiParcelV4"), 1);
}

#[tokio::test]
async fn tracking_reads_the_real_answer_and_leaves_unknown_numbers_out() {
    let sb = ChronopostSandbox::start().await.unwrap();
    let c = adapter(&sb, PASSWORD);
    let booking = c.book(&shipment(LabelFormat::Pdf, 1)).await.unwrap();
    let numbers = [
        TrackingNumber::parse(FIXTURE_SKYBILL).unwrap(),
        TrackingNumber::parse("XP000000005FR").unwrap(),
        booking.tracking_numbers[0].clone(),
    ];
    let updates = c.track(&numbers).await.unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0].tracking_number.as_str(), FIXTURE_SKYBILL);
    assert_eq!(updates[0].status, TrackingStatus::Delivered);
    assert_eq!(updates[0].events.first().unwrap().carrier_code, "DC");
    assert_eq!(updates[1].tracking_number, booking.tracking_numbers[0]);
    assert_eq!(updates[1].status, TrackingStatus::InfoReceived);
}

#[tokio::test]
async fn cancel_voids_the_skybill_and_unknown_ones_are_not_found() {
    let sb = ChronopostSandbox::start().await.unwrap();
    let c = adapter(&sb, PASSWORD);
    let mut booking = c.book(&shipment(LabelFormat::Pdf, 1)).await.unwrap();
    c.cancel(&booking).await.unwrap();
    assert!(sb.is_cancelled(booking.tracking_numbers[0].as_str()));
    booking.tracking_numbers = vec![TrackingNumber::parse("XP000000005FR").unwrap()];
    let err = c.cancel(&booking).await.unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn throttling_server_errors_and_cut_answers_are_classified() {
    let sb = ChronopostSandbox::start().await.unwrap();
    let c = adapter(&sb, PASSWORD);
    let request = rate_request(address("Lyon", "69002", "FR"), 500);
    sb.fail_next(429);
    let err = c.quote(&request).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Throttled { .. }), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    sb.fail_next(503);
    let err = c.quote(&request).await.unwrap_err();
    assert!(err.is_retryable());
    match err {
        ConnectorError::Remote { status, message } => {
            assert_eq!(status, 503);
            assert!(message.contains("SOAP fault"), "{message}");
        }
        other => panic!("expected Remote, got {other:?}"),
    }
    sb.garble_next();
    match c.quote(&request).await.unwrap_err() {
        ConnectorError::UnexpectedShape { raw, .. } => {
            assert!(raw.starts_with(b"<soap:Envelope"), "raw body kept")
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    assert_eq!(
        c.quote(&request).await.unwrap().len(),
        4,
        "recovers after faults"
    );
}

#[tokio::test]
async fn built_from_settings_by_registry_code_and_never_prints_the_password() {
    let sb = ChronopostSandbox::start().await.unwrap();
    let mut table = toml::Table::new();
    table.insert("account_number".into(), ACCOUNT.into());
    table.insert("password".into(), PASSWORD.into());
    table.insert("base_url".into(), sb.base_url().into());
    table.insert(
        "mappings_dir".into(),
        mappings().display().to_string().into(),
    );
    let carrier = shipgate_carriers::adapters::build(
        "chronopost",
        table.clone(),
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .expect("chronopost has an adapter")
    .expect("settings are valid");
    assert_eq!(carrier.info().code, "chronopost");
    assert!(carrier.info().capabilities.quote && carrier.info().capabilities.cancel);
    let config: Config = table.try_into().unwrap();
    assert!(!format!("{config:?}").contains(PASSWORD));
    let mut bad = toml::Table::new();
    bad.insert("account_number".into(), ACCOUNT.into());
    let err = shipgate_carriers::adapters::build(
        "chronopost",
        bad,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .unwrap()
    .err()
    .expect("missing password refused");
    assert!(err.to_string().contains("password"), "{err}");
}
