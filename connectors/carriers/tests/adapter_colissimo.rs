//! The Colissimo adapter against its loopback sandbox over real HTTP: grid quotes, SLS
//! multipart labels with S10 parcel numbers, Suivi API tracking with the real answer,
//! the refused cancel, and every error class.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::colissimo::sandbox::{
    ColissimoSandbox, CONTRACT, FIXTURE_NUMBER, OKAPI_KEY, PASSWORD,
};
use shipgate_carriers::adapters::colissimo::{Colissimo, Config};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{Address, CountryCode, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::path::PathBuf;
use std::time::Duration;

fn mappings() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers")
}

fn adapter_with(sb: &ColissimoSandbox, password: &str, key: &str) -> Colissimo {
    Colissimo::new(
        Config {
            contract_number: CONTRACT.into(),
            password: password.into(),
            okapi_key: key.into(),
            sls_url: sb.base_url(),
            tracking_url: sb.base_url(),
            mappings_dir: mappings(),
            request_budget: shipgate_carriers::adapters::budget::for_sandbox(),
        },
        reqwest::Client::new(),
    )
    .expect("adapter builds")
}

fn adapter(sb: &ColissimoSandbox) -> Colissimo {
    adapter_with(sb, PASSWORD, OKAPI_KEY)
}

fn address(city: &str, postal: &str, country: &str) -> Address {
    Address {
        name: Some("Camille Martin".into()),
        line1: Some("12 rue des Lilas".into()),
        city: Some(city.into()),
        postal_code: Some(postal.into()),
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

fn rate_request(country: &str, weights: &[u32]) -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: address("Paris", "75001", "FR"),
        ship_to: address("Ville", "00000", country),
        parcels: weights.iter().map(|g| parcel(*g)).collect(),
        declared_value: None,
        service: None,
    }
}

fn shipment(format: LabelFormat, grams: u32, parcels: usize) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: "idem-c01".into(),
        reference: "#2002".into(),
        service: "DOM".into(),
        ship_from: address("Paris", "75001", "FR"),
        ship_to: address("Lyon", "69002", "FR"),
        parcels: vec![parcel(grams); parcels],
        declared_value: None,
        label_format: format,
    }
}

#[tokio::test]
async fn quotes_come_from_the_public_grid_by_weight_step_and_destination() {
    let sb = ColissimoSandbox::start().await.unwrap();
    let c = adapter(&sb);
    let rates = c.quote(&rate_request("FR", &[1800])).await.unwrap();
    let priced: Vec<(&str, Decimal)> = rates
        .iter()
        .map(|r| (r.service.as_str(), r.price.amount))
        .collect();
    // Up to 2 kg: 9.55 home, 8.85 pick-up point (2023 grid).
    assert_eq!(
        priced,
        [("DOM", Decimal::new(955, 2)), ("A2P", Decimal::new(885, 2))]
    );
    // Two parcels, one above the pick-up ceiling of 5 kg: home only, 4.95 + 21.30.
    let rates = c.quote(&rate_request("FR", &[200, 7000])).await.unwrap();
    assert_eq!(rates.len(), 1);
    assert_eq!(rates[0].price.amount, Decimal::new(2625, 2));
    assert!(c
        .quote(&rate_request("US", &[200]))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(sb.label_calls(), 0, "quotes never call SLS");
}

#[tokio::test]
async fn booking_parses_the_multipart_answer_into_a_detectable_number_and_pdf() {
    let sb = ColissimoSandbox::start().await.unwrap();
    let booking = adapter(&sb)
        .book(&shipment(LabelFormat::Pdf, 1100, 1))
        .await
        .unwrap();
    let number = booking.tracking_numbers[0].as_str();
    let registry = Registry::load_dir(mappings()).unwrap();
    assert!(
        registry
            .detect(number)
            .iter()
            .any(|d| d.code == "colissimo" && d.checksum_ok),
        "{number}"
    );
    assert!(booking.label.content.starts_with(b"%PDF"));
    assert!(
        booking.label.content.ends_with(b"%%EOF\n"),
        "multipart CRLF stripped"
    );
    assert_eq!(sb.reference_of(number).as_deref(), Some("idem-c01"));
}

#[tokio::test]
async fn zpl_labels_for_several_parcels_are_one_call_each() {
    let sb = ColissimoSandbox::start().await.unwrap();
    let c = adapter(&sb);
    let booking = c.book(&shipment(LabelFormat::Zpl, 500, 2)).await.unwrap();
    assert_eq!(booking.tracking_numbers.len(), 2);
    assert!(booking.label.content.starts_with(b"^XA"));
    assert_eq!(sb.label_calls(), 2);
    let err = c
        .book(&shipment(LabelFormat::Pdf, 500, 2))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Rejected { .. }), "{err:?}");
}

#[tokio::test]
async fn sls_refusals_keep_colissimo_words() {
    let sb = ColissimoSandbox::start().await.unwrap();
    let err = adapter_with(&sb, "wrong", OKAPI_KEY)
        .book(&shipment(LabelFormat::Pdf, 500, 1))
        .await
        .unwrap_err();
    match err {
        ConnectorError::Unauthorized { message, .. } => {
            assert!(
                message.contains("Identifiant ou mot de passe incorrect"),
                "{message}"
            )
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    let err = adapter(&sb)
        .book(&shipment(LabelFormat::Pdf, 31_000, 1))
        .await
        .unwrap_err();
    match err {
        ConnectorError::Rejected { status, message } => {
            assert_eq!(status, Some(400));
            assert!(message.contains("30220"), "{message}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn tracking_reads_the_real_suivi_answer_and_leaves_unknown_numbers_out() {
    let sb = ColissimoSandbox::start().await.unwrap();
    let c = adapter(&sb);
    let booking = c.book(&shipment(LabelFormat::Pdf, 500, 1)).await.unwrap();
    let numbers = [
        TrackingNumber::parse(FIXTURE_NUMBER).unwrap(),
        TrackingNumber::parse("CB000000005FR").unwrap(),
        booking.tracking_numbers[0].clone(),
    ];
    let updates = c.track(&numbers).await.unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0].status, TrackingStatus::Delivered);
    assert_eq!(updates[0].events.len(), 9);
    assert_eq!(updates[1].status, TrackingStatus::InfoReceived);
    let err = adapter_with(&sb, PASSWORD, "bad-key")
        .track(&numbers[..1])
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn cancel_is_refused_with_the_reason() {
    let sb = ColissimoSandbox::start().await.unwrap();
    let c = adapter(&sb);
    assert!(!c.info().capabilities.cancel);
    let booking = c.book(&shipment(LabelFormat::Pdf, 500, 1)).await.unwrap();
    match c.cancel(&booking).await.unwrap_err() {
        ConnectorError::Rejected { message, .. } => {
            assert!(message.contains("no cancel operation"), "{message}")
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_server_errors_and_cut_answers_are_classified() {
    let sb = ColissimoSandbox::start().await.unwrap();
    let c = adapter(&sb);
    let request = shipment(LabelFormat::Pdf, 500, 1);
    sb.fail_next(429);
    let err = c.book(&request).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Throttled { .. }), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    sb.fail_next(502);
    let err = c.book(&request).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Remote { status: 502, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    sb.garble_next();
    match c.book(&request).await.unwrap_err() {
        ConnectorError::UnexpectedShape { raw, .. } => assert!(raw.starts_with(b"--uuid:cut")),
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    sb.fail_next(429);
    let number = [TrackingNumber::parse(FIXTURE_NUMBER).unwrap()];
    let err = c.track(&number).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    assert_eq!(
        c.track(&number).await.unwrap().len(),
        1,
        "recovers after faults"
    );
}

#[tokio::test]
async fn settings_table_builds_it_and_debug_hides_secrets() {
    let sb = ColissimoSandbox::start().await.unwrap();
    let mut table = toml::Table::new();
    table.insert("contract_number".into(), CONTRACT.into());
    table.insert("password".into(), PASSWORD.into());
    table.insert("okapi_key".into(), OKAPI_KEY.into());
    table.insert("sls_url".into(), sb.base_url().into());
    table.insert(
        "mappings_dir".into(),
        mappings().display().to_string().into(),
    );
    let carrier = shipgate_carriers::adapters::build(
        "colissimo",
        table.clone(),
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .expect("colissimo has an adapter")
    .expect("valid settings");
    assert_eq!(carrier.info().code, "colissimo");
    let config: Config = table.try_into().unwrap();
    let printed = format!("{config:?}");
    assert!(!printed.contains(PASSWORD) && !printed.contains(OKAPI_KEY));
}
