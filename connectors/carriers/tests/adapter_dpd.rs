//! The DPD adapter against its loopback sandbox over real HTTP: one login reused, a
//! fresh login after the token expires, storeOrders labels with check-character parcel
//! numbers, getTrackingData with the real answer, the refused quote and cancel, and
//! every error class.

use shipgate_carriers::adapters::dpd::sandbox::{DpdSandbox, DELIS_ID, FIXTURE_PARCEL, PASSWORD};
use shipgate_carriers::adapters::dpd::{Config, Dpd};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{Address, CountryCode, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::path::PathBuf;
use std::time::Duration;

fn mappings() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers")
}

fn adapter_with(sb: &DpdSandbox, password: &str) -> Dpd {
    Dpd::new(
        Config {
            delis_id: DELIS_ID.into(),
            password: password.into(),
            sending_depot: "0190".into(),
            base_url: sb.base_url(),
            mappings_dir: mappings(),
            request_budget: shipgate_carriers::adapters::budget::for_sandbox(),
        },
        reqwest::Client::new(),
    )
    .expect("adapter builds")
}

fn address(city: &str, postal: &str) -> Address {
    Address {
        company: Some("Muster GmbH".into()),
        line1: Some("Hauptstraße 1".into()),
        city: Some(city.into()),
        postal_code: Some(postal.into()),
        country: Some(CountryCode::parse("DE").unwrap()),
        ..Address::default()
    }
}

fn shipment(format: LabelFormat, parcels: usize) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: "idem-d01".into(),
        reference: "#3003".into(),
        service: "CL".into(),
        ship_from: address("Aschaffenburg", "63741"),
        ship_to: address("Berlin", "10115"),
        parcels: vec![
            Parcel {
                weight_grams: 2345,
                length_mm: 300,
                width_mm: 200,
                height_mm: 100,
            };
            parcels
        ],
        declared_value: None,
        label_format: format,
    }
}

#[tokio::test]
async fn one_login_serves_every_call_and_an_expired_token_is_renewed_once() {
    let sb = DpdSandbox::start().await.unwrap();
    let c = adapter_with(&sb, PASSWORD);
    c.book(&shipment(LabelFormat::Pdf, 1)).await.unwrap();
    c.track(&[TrackingNumber::parse(FIXTURE_PARCEL).unwrap()])
        .await
        .unwrap();
    assert_eq!(sb.logins(), 1);
    sb.expire_tokens();
    c.book(&shipment(LabelFormat::Pdf, 1)).await.unwrap();
    assert_eq!(sb.logins(), 2);
}

#[tokio::test]
async fn wrong_password_is_unauthorized_with_dpd_words() {
    let sb = DpdSandbox::start().await.unwrap();
    let err = adapter_with(&sb, "nope")
        .book(&shipment(LabelFormat::Pdf, 1))
        .await
        .unwrap_err();
    match err {
        ConnectorError::Unauthorized { message, .. } => {
            assert!(message.contains("DELICOM_ERR_AUTHENTICATION"), "{message}")
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn store_orders_gives_detectable_parcel_numbers_and_labels() {
    let sb = DpdSandbox::start().await.unwrap();
    let c = adapter_with(&sb, PASSWORD);
    let booking = c.book(&shipment(LabelFormat::Pdf, 1)).await.unwrap();
    let number = booking.tracking_numbers[0].as_str();
    let registry = Registry::load_dir(mappings()).unwrap();
    assert!(
        registry
            .detect(number)
            .iter()
            .any(|d| d.code == "dpd" && d.checksum_ok),
        "{number}"
    );
    assert!(booking.label.content.starts_with(b"%PDF"));
    assert_eq!(sb.reference_of(number).as_deref(), Some("idem-d01"));
    let zpl = c.book(&shipment(LabelFormat::Zpl, 2)).await.unwrap();
    assert_eq!(zpl.tracking_numbers.len(), 2);
    assert!(zpl.label.content.starts_with(b"^XA"));
}

#[tokio::test]
async fn tracking_reads_the_real_answer_and_leaves_unknown_parcels_out() {
    let sb = DpdSandbox::start().await.unwrap();
    let c = adapter_with(&sb, PASSWORD);
    let updates = c
        .track(&[
            TrackingNumber::parse(FIXTURE_PARCEL).unwrap(),
            TrackingNumber::parse("01905089999999").unwrap(),
        ])
        .await
        .unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].tracking_number.as_str(), FIXTURE_PARCEL);
    assert_eq!(updates[0].events.len(), 15);
    assert_ne!(updates[0].status, TrackingStatus::Unknown);
}

#[tokio::test]
async fn quote_and_cancel_are_refused_with_the_reason() {
    let sb = DpdSandbox::start().await.unwrap();
    let c = adapter_with(&sb, PASSWORD);
    assert!(!c.info().capabilities.quote && !c.info().capabilities.cancel);
    let request = RateRequest {
        merchant: "m".into(),
        ship_from: address("Aschaffenburg", "63741"),
        ship_to: address("Berlin", "10115"),
        parcels: shipment(LabelFormat::Pdf, 1).parcels,
        declared_value: None,
        service: None,
    };
    assert!(matches!(
        c.quote(&request).await,
        Err(ConnectorError::Rejected { .. })
    ));
    let booking = c.book(&shipment(LabelFormat::Pdf, 1)).await.unwrap();
    match c.cancel(&booking).await.unwrap_err() {
        ConnectorError::Rejected { message, .. } => {
            assert!(message.contains("no cancel operation"))
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_server_errors_and_cut_answers_are_classified() {
    let sb = DpdSandbox::start().await.unwrap();
    let c = adapter_with(&sb, PASSWORD);
    let request = shipment(LabelFormat::Pdf, 1);
    c.book(&request).await.unwrap();
    sb.fail_next(429);
    let err = c.book(&request).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    sb.fail_next(502);
    let err = c.book(&request).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Remote { status: 502, .. }),
        "{err:?}"
    );
    sb.garble_next();
    match c.book(&request).await.unwrap_err() {
        ConnectorError::UnexpectedShape { raw, .. } => assert!(raw.starts_with(b"<soap:Envelope>")),
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    assert!(c.book(&request).await.is_ok(), "recovers after faults");
}
