//! The SF Express adapter against its loopback open platform: signed requests and SF's
//! envelope refusals, time-and-price offers by weight and province, orders with an SF
//! waybill and a cloud-printed PDF label, idempotency by `orderId`, route tracking
//! through the new `sf_express` parser, cancel, and error classes.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::sf_express::sandbox::{Fault, SfExpressSandbox};
use shipgate_carriers::adapters::sf_express::{Config, SfExpress};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{Address, CountryCode, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::path::PathBuf;
use std::time::Duration;

fn address(province: &str, city: &str, street: &str) -> Address {
    Address {
        name: Some("张三".into()),
        line1: Some(street.into()),
        city: Some(city.into()),
        region: Some(province.into()),
        country: Some(CountryCode::parse("CN").unwrap()),
        phone: Some("13800000000".into()),
        ..Address::default()
    }
}

fn shenzhen() -> Address {
    address("广东省", "深圳市", "南山区科技园1号")
}

fn beijing() -> Address {
    address("北京市", "北京市", "朝阳区建国路1号")
}

fn parcel(grams: u32) -> Parcel {
    Parcel {
        weight_grams: grams,
        length_mm: 300,
        width_mm: 200,
        height_mm: 100,
    }
}

fn rate_request(to: Address) -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: shenzhen(),
        ship_to: to,
        parcels: vec![parcel(1500)],
        declared_value: None,
        service: None,
    }
}

fn shipment(key: &str) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: key.into(),
        reference: "衣服".into(),
        service: "1".into(),
        ship_from: shenzhen(),
        ship_to: beijing(),
        parcels: vec![parcel(1500)],
        declared_value: None,
        label_format: LabelFormat::Pdf,
    }
}

fn adapter(config: Config) -> SfExpress {
    SfExpress::new(config, reqwest::Client::new()).unwrap()
}

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap()
}

#[tokio::test]
async fn a_wrong_checkword_fails_the_signature_and_is_unauthorized() {
    let sandbox = SfExpressSandbox::start().await.unwrap();
    let mut wrong = sandbox.config();
    wrong.checkword = "not-the-checkword".into();
    match adapter(wrong).quote(&rate_request(beijing())).await {
        Err(ConnectorError::Unauthorized { message, .. }) => {
            assert_eq!(message, "A1006: 数字签名无效")
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    let mut stranger = sandbox.config();
    stranger.partner_id = "SOMEONE".into();
    match adapter(stranger).quote(&rate_request(beijing())).await {
        Err(ConnectorError::Unauthorized { message, .. }) => assert!(message.starts_with("A1004")),
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    assert!(adapter(sandbox.config())
        .quote(&rate_request(beijing()))
        .await
        .is_ok());
}

#[tokio::test]
async fn offers_are_priced_by_weight_and_province() {
    let sandbox = SfExpressSandbox::start().await.unwrap();
    let sf = adapter(sandbox.config());
    let far = sf.quote(&rate_request(beijing())).await.unwrap();
    let codes: Vec<&str> = far.iter().map(|r| r.service.as_str()).collect();
    assert_eq!(codes, ["1", "2"]);
    // 1.5 kg → 2 kg. Across provinces, 顺丰标快: 23 + 13 × 1 = 36 CNY.
    assert_eq!(far[0].price.amount, Decimal::from(36));
    assert_eq!(far[0].price.currency.as_str(), "CNY");
    assert_eq!(far[0].service_name, "顺丰标快");
    assert_eq!(
        far[0].estimated_delivery.map(|d| d.to_string()).as_deref(),
        Some("2026-11-25")
    );

    let mut near = rate_request(address("广东省", "广州市", "天河路1号"));
    near.service = Some("2".into());
    let rates = sf.quote(&near).await.unwrap();
    assert_eq!(rates.len(), 1);
    assert_eq!(rates[0].price.amount, Decimal::from(11));
}

#[tokio::test]
async fn an_order_gives_a_detectable_waybill_and_a_printed_pdf_once() {
    let sandbox = SfExpressSandbox::start().await.unwrap();
    let sf = adapter(sandbox.config());
    let booking = sf.book(&shipment("order-1001")).await.unwrap();
    let waybill = booking.tracking_numbers[0].as_str();
    assert!(
        waybill.starts_with("SF") && waybill.len() == 15,
        "{waybill}"
    );
    let registry = registry();
    let found = registry.detect(waybill);
    assert_eq!(
        found.first().map(|d| d.code),
        Some("sf_express"),
        "{found:?}"
    );
    assert!(booking.label.content.starts_with(b"%PDF"));
    assert_eq!(booking.shipment_id, "order-1001");

    let again = sf.book(&shipment("order-1001")).await.unwrap();
    assert_eq!(again.tracking_numbers, booking.tracking_numbers);
    assert_eq!(sandbox.orders().len(), 1);

    // Another process retrying the same key meets SF's own duplicate check.
    let other = adapter(sandbox.config());
    match other.book(&shipment("order-1001")).await {
        Err(ConnectorError::Rejected { message, .. }) => assert_eq!(message, "8016: 重复下单"),
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert_eq!(sandbox.orders().len(), 1);

    let mut zpl = shipment("order-1002");
    zpl.label_format = LabelFormat::Zpl;
    assert!(matches!(
        sf.book(&zpl).await,
        Err(ConnectorError::Rejected { .. })
    ));
}

#[tokio::test]
async fn routes_are_read_by_the_sf_parser_and_unknown_waybills_left_out() {
    let sandbox = SfExpressSandbox::start().await.unwrap();
    let sf = adapter(sandbox.config());
    let booking = sf.book(&shipment("order-7")).await.unwrap();
    let unknown = TrackingNumber::parse("SF1449999999999").unwrap();
    let asked = vec![booking.tracking_numbers[0].clone(), unknown.clone()];
    let updates = sf.track(&asked).await.unwrap();
    assert_eq!(updates.len(), 1);
    let update = &updates[0];
    assert_eq!(update.tracking_number, booking.tracking_numbers[0]);
    assert_eq!(update.status, TrackingStatus::Delivered);
    assert_eq!(update.events.len(), 5);
    let picked = update
        .events
        .iter()
        .find(|e| e.carrier_code == "50")
        .unwrap();
    // 16:56:54 in China Standard Time is 08:56:54 UTC.
    assert_eq!(picked.occurred_at.to_rfc3339(), "2026-11-20T08:56:54+00:00");
    assert_eq!(picked.location.as_deref(), Some("深圳市"));

    assert!(sf.track(&[unknown]).await.unwrap().is_empty());
}

#[tokio::test]
async fn cancel_closes_the_order_once() {
    let sandbox = SfExpressSandbox::start().await.unwrap();
    let sf = adapter(sandbox.config());
    let booking = sf.book(&shipment("order-9")).await.unwrap();
    sf.cancel(&booking).await.unwrap();
    assert!(sandbox.orders()[0].cancelled);
    match sf.cancel(&booking).await {
        Err(ConnectorError::Rejected { message, .. }) => assert!(message.starts_with("8037")),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_outages_and_broken_answers_are_classified() {
    let sandbox = SfExpressSandbox::start().await.unwrap();
    let sf = adapter(sandbox.config());
    sandbox.inject(Fault::Throttle(7));
    let throttled = sf.quote(&rate_request(beijing())).await.unwrap_err();
    assert!(matches!(throttled, ConnectorError::Throttled { .. }));
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(7)));

    sandbox.inject(Fault::TrafficLimit);
    let limited = sf.quote(&rate_request(beijing())).await.unwrap_err();
    assert!(
        matches!(limited, ConnectorError::Throttled { .. }),
        "{limited:?}"
    );
    assert!(limited.is_retryable());

    sandbox.inject(Fault::Unavailable);
    let down = sf.quote(&rate_request(beijing())).await.unwrap_err();
    assert!(matches!(down, ConnectorError::Remote { status: 503, .. }));
    assert!(down.is_retryable());

    sandbox.inject(Fault::Garbage);
    match sf.quote(&rate_request(beijing())).await {
        Err(ConnectorError::UnexpectedShape { raw, .. }) => {
            assert_eq!(raw, b"<html>upstream proxy page</html>")
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    assert!(sf.quote(&rate_request(beijing())).await.is_ok());
}

#[test]
fn settings_build_through_the_adapter_table_and_debug_hides_the_checkword() {
    let table: toml::Table = toml::from_str(
        r#"partner_id = "P1"
checkword = "s3cr3t"
monthly_card = "7550000000""#,
    )
    .unwrap();
    let config: Config = table.clone().try_into().unwrap();
    assert!(!format!("{config:?}").contains("s3cr3t"));
    let built = shipgate_carriers::adapters::build(
        "sf_express",
        table,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .unwrap()
    .unwrap();
    assert_eq!(built.info().code, "sf_express");
}
