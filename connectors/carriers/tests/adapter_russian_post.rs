//! The Russian Post adapter against its loopback APIs: both credentials of the Otpravka
//! API and the tracking login refused, tariffs in kopecks as exact roubles, orders with
//! a detectable S10 barcode, a PDF label and their charge, idempotent booking, the API's
//! validation codes, tracking through the `russian_post` parser (operation codes to
//! statuses, times to UTC, unknown numbers left out), cancel, error classes and settings.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::russian_post::sandbox::{Fault, RussianPostSandbox};
use shipgate_carriers::adapters::russian_post::{Config, RussianPost};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{Address, CountryCode, Currency, Money, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::path::PathBuf;
use std::time::Duration;

fn address(name: &str, line1: &str, city: &str, region: &str, index: &str) -> Address {
    Address {
        name: Some(name.into()),
        line1: Some(line1.into()),
        city: Some(city.into()),
        region: Some(region.into()),
        postal_code: Some(index.into()),
        country: Some(CountryCode::parse("RU").unwrap()),
        phone: Some("+7 (900) 123-45-67".into()),
        ..Address::default()
    }
}

fn moscow() -> Address {
    address(
        "ООО Ромашка",
        "ул. Мясницкая, 26",
        "Москва",
        "Москва",
        "101000",
    )
}

fn norilsk() -> Address {
    address(
        "Петров Николай Иванович",
        "Ленинский проспект, 10",
        "Норильск",
        "Красноярский край",
        "663300",
    )
}

fn parcel(grams: u32) -> Parcel {
    Parcel {
        weight_grams: grams,
        length_mm: 300,
        width_mm: 200,
        height_mm: 95,
    }
}

fn rate_request(to: Address) -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: moscow(),
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
        reference: "SHOP-1001".into(),
        service: "POSTAL_PARCEL".into(),
        ship_from: moscow(),
        ship_to: norilsk(),
        parcels: vec![parcel(1500)],
        declared_value: None,
        label_format: LabelFormat::Pdf,
    }
}

fn adapter(config: Config) -> RussianPost {
    RussianPost::new(config, reqwest::Client::new()).unwrap()
}

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap()
}

fn roubles(kopecks: i64) -> Decimal {
    Decimal::new(kopecks, 2)
}

#[tokio::test]
async fn wrong_credentials_are_refused_on_both_apis() {
    let sandbox = RussianPostSandbox::start().await.unwrap();
    let mut token = sandbox.config();
    token.access_token = "someone-elses-token".into();
    match adapter(token).quote(&rate_request(norilsk())).await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 401);
            assert_eq!(message, "HTTP 401 without a body");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    let mut password = sandbox.config();
    password.password = "guess".into();
    assert!(matches!(
        adapter(password).book(&shipment("k1")).await,
        Err(ConnectorError::Unauthorized { status: 401, .. })
    ));
    assert!(sandbox.orders().is_empty(), "a refused order is not taken");

    let mut tracking = sandbox.config();
    tracking.tracking_password = "guess".into();
    let number = TrackingNumber::parse("RA644000001RU").unwrap();
    match adapter(tracking).track(std::slice::from_ref(&number)).await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 500);
            assert_eq!(
                message,
                "AuthorizationFault: Ошибка авторизации: неверный логин или пароль"
            );
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    assert!(adapter(sandbox.config()).track(&[number]).await.is_ok());
}

#[tokio::test]
async fn tariffs_in_kopecks_become_exact_roubles_per_mail_type() {
    let sandbox = RussianPostSandbox::start().await.unwrap();
    let rp = adapter(sandbox.config());
    let rates = rp.quote(&rate_request(norilsk())).await.unwrap();
    let codes: Vec<&str> = rates.iter().map(|r| r.service.as_str()).collect();
    assert_eq!(codes, ["POSTAL_PARCEL", "PARCEL_CLASS_1", "EMS_OPTIMAL"]);
    // 1500 g: first 500 g + two more. POSTAL_PARCEL 25050 + 2 × 3000 = 31050 kopecks,
    // VAT 6210: 372.60 ₽.
    assert_eq!(rates[0].price.amount, roubles(37260));
    assert_eq!(rates[0].price.currency.as_str(), "RUB");
    assert_eq!(rates[0].transit_days, Some(8));
    assert_eq!(rates[0].service_name, "Посылка нестандартная");
    // PARCEL_CLASS_1 32040 + 9000 = 41040, VAT 8208: 492.48 ₽.
    assert_eq!(rates[1].price.amount, roubles(49248));

    let mut insured = rate_request(norilsk());
    insured.service = Some("POSTAL_PARCEL".into());
    insured.declared_value = Some(Money::new(
        Decimal::new(100000, 2),
        Currency::parse("RUB").unwrap(),
    ));
    // 1000 ₽ declared: 4 % = 4000 kopecks, VAT 800, on top of 372.60 ₽.
    let priced = rp.quote(&insured).await.unwrap();
    assert_eq!(priced.len(), 1);
    assert_eq!(priced[0].price.amount, roubles(42060));

    let chukotka = address(
        "Иванов Иван",
        "ул. Отке, 1",
        "Анадырь",
        "Чукотский АО",
        "689000",
    );
    let there = rp.quote(&rate_request(chukotka.clone())).await.unwrap();
    assert_eq!(
        there.len(),
        2,
        "EMS_OPTIMAL does not serve 689xxx: {there:?}"
    );
    let mut ems = rate_request(chukotka);
    ems.service = Some("EMS_OPTIMAL".into());
    match rp.quote(&ems).await {
        Err(ConnectorError::Rejected { status, message }) => {
            assert_eq!(status, Some(400));
            assert_eq!(
                message,
                "1001: Доставка по указанному маршруту не осуществляется (CODE_1372)"
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_booking_gives_a_detectable_barcode_a_pdf_and_its_charge_once() {
    let sandbox = RussianPostSandbox::start().await.unwrap();
    let rp = adapter(sandbox.config());
    let booking = rp.book(&shipment("order-1001")).await.unwrap();
    let barcode = booking.tracking_numbers[0].as_str();
    assert!(
        barcode.starts_with("CA") && barcode.ends_with("RU") && barcode.len() == 13,
        "{barcode}"
    );
    let registry = registry();
    let found = registry.detect(barcode);
    assert_eq!(
        found.first().map(|d| (d.code, d.checksum_ok)),
        Some(("russian_post", true)),
        "{found:?}"
    );
    assert!(booking.label.content.starts_with(b"%PDF-1.4"));
    assert!(booking.label.content.ends_with(b"%%EOF\n"));
    assert_eq!(
        booking.price.map(|p| (p.amount, p.currency.as_str())),
        Some((roubles(37260), "RUB"))
    );
    let orders = sandbox.orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(booking.shipment_id, orders[0].id.to_string());
    assert_eq!(orders[0].order_num, "SHOP-1001");
    assert_eq!(orders[0].index_to, 663300);

    let again = rp.book(&shipment("order-1001")).await.unwrap();
    assert_eq!(again, booking);
    assert_eq!(
        sandbox.orders().len(),
        1,
        "a repeated key buys no second label"
    );

    let mut zpl = shipment("order-1002");
    zpl.label_format = LabelFormat::Zpl;
    assert!(matches!(
        rp.book(&zpl).await,
        Err(ConnectorError::Rejected { .. })
    ));
    let mut two = shipment("order-1003");
    two.parcels.push(parcel(700));
    match rp.book(&two).await {
        Err(ConnectorError::Rejected { message, .. }) => assert!(message.contains("2 parcels")),
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert_eq!(sandbox.orders().len(), 1);
}

#[tokio::test]
async fn a_retry_after_a_failure_past_the_order_goes_on_with_that_order() {
    let sandbox = RussianPostSandbox::start().await.unwrap();
    let rp = adapter(sandbox.config());
    // The order is created, then reading its barcode meets a 503.
    sandbox.inject(Fault::Pass);
    sandbox.inject(Fault::Unavailable);
    let failed = rp.book(&shipment("order-5")).await.unwrap_err();
    assert!(failed.is_retryable(), "{failed:?}");
    assert_eq!(sandbox.orders().len(), 1);

    let booking = rp.book(&shipment("order-5")).await.unwrap();
    let orders = sandbox.orders();
    assert_eq!(orders.len(), 1, "the retry created no second order");
    assert_eq!(booking.shipment_id, orders[0].id.to_string());
    assert_eq!(booking.tracking_numbers[0].as_str(), orders[0].barcode);
}

#[tokio::test]
async fn orders_the_api_refuses_come_back_with_its_codes() {
    let sandbox = RussianPostSandbox::start().await.unwrap();
    let mut elsewhere = sandbox.config();
    elsewhere.postoffice_code = "190000".into();
    match adapter(elsewhere).book(&shipment("k")).await {
        Err(ConnectorError::Rejected { message, .. }) => assert_eq!(
            message,
            "russian_post: ILLEGAL_POSTOFFICE_CODE: Индекс приемного почтового отделения некорректен"
        ),
        other => panic!("expected Rejected, got {other:?}"),
    }
    let rp = adapter(sandbox.config());
    let mut nameless = shipment("k2");
    nameless.ship_to.postal_code = Some("6633".into());
    match rp.book(&nameless).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.contains("ship_to.postal_code"), "{message}")
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    let mut abroad = shipment("k3");
    abroad.ship_to.country = Some(CountryCode::parse("KZ").unwrap());
    assert!(matches!(
        rp.book(&abroad).await,
        Err(ConnectorError::Rejected { .. })
    ));
    assert!(sandbox.orders().is_empty());
}

#[tokio::test]
async fn tracking_maps_operations_and_leaves_unknown_numbers_out() {
    let sandbox = RussianPostSandbox::start().await.unwrap();
    let rp = adapter(sandbox.config());
    let booking = rp.book(&shipment("order-7")).await.unwrap();
    let booked = booking.tracking_numbers[0].clone();
    let never_seen = TrackingNumber::parse("RA644000001RU").unwrap();
    let malformed = TrackingNumber::parse("RA64400000RU").unwrap();
    let asked = [never_seen, booked.clone(), malformed];
    let updates = rp.track(&asked).await.unwrap();
    assert_eq!(updates.len(), 1, "{updates:?}");
    let update = &updates[0];
    assert_eq!(update.tracking_number, booked);
    assert_eq!(update.status, TrackingStatus::Delivered);
    let codes: Vec<&str> = update
        .events
        .iter()
        .map(|e| e.carrier_code.as_str())
        .collect();
    assert_eq!(codes, ["1.1", "8.1", "8.3", "8.4", "8.2", "2.1"]);
    let accepted = &update.events[0];
    // 18:08 Moscow time (+03:00) is 15:08 UTC.
    assert_eq!(
        accepted.occurred_at.to_rfc3339(),
        "2015-07-09T15:08:00+00:00"
    );
    assert_eq!(accepted.status, TrackingStatus::InTransit);
    assert_eq!(accepted.description, "Прием: Единичный");
    assert_eq!(accepted.location.as_deref(), Some("111555 Москва 555"));
    let arrived = &update.events[4];
    // 09:12 Norilsk time (+07:00) is 02:12 UTC.
    assert_eq!(
        arrived.occurred_at.to_rfc3339(),
        "2015-07-14T02:12:00+00:00"
    );
    assert_eq!(arrived.status, TrackingStatus::AvailableForPickup);
    assert_eq!(arrived.location.as_deref(), Some("663300 Норильск Почтамт"));
    assert_eq!(update.events[5].status, TrackingStatus::Delivered);
}

#[tokio::test]
async fn cancel_deletes_the_order_once_and_tracking_forgets_it() {
    let sandbox = RussianPostSandbox::start().await.unwrap();
    let rp = adapter(sandbox.config());
    let booking = rp.book(&shipment("order-9")).await.unwrap();
    rp.cancel(&booking).await.unwrap();
    assert!(sandbox.orders()[0].deleted);
    match rp.cancel(&booking).await {
        Err(ConnectorError::NotFound(message)) => {
            assert!(message.contains("NOT_FOUND"), "{message}")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(rp
        .track(&booking.tracking_numbers)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn throttling_outages_and_broken_answers_are_classified() {
    let sandbox = RussianPostSandbox::start().await.unwrap();
    let rp = adapter(sandbox.config());
    sandbox.inject(Fault::Throttle(7));
    let throttled = rp.quote(&rate_request(norilsk())).await.unwrap_err();
    assert!(
        matches!(throttled, ConnectorError::Throttled { .. }),
        "{throttled:?}"
    );
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(7)));

    let number = TrackingNumber::parse("RA644000001RU").unwrap();
    sandbox.inject(Fault::Throttle(3));
    let slow = rp.track(std::slice::from_ref(&number)).await.unwrap_err();
    assert_eq!(slow.retry_after(), Some(Duration::from_secs(3)));

    sandbox.inject(Fault::Unavailable);
    let down = rp.book(&shipment("k")).await.unwrap_err();
    assert!(matches!(down, ConnectorError::Remote { status: 503, .. }));
    assert!(down.is_retryable());

    sandbox.inject(Fault::Garbage);
    match rp.book(&shipment("k")).await {
        Err(ConnectorError::UnexpectedShape { reason, raw }) => {
            assert!(reason.contains("PUT /1.0/user/backlog"), "{reason}");
            assert_eq!(raw, b"upstream proxy says hello");
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    sandbox.inject(Fault::Garbage);
    assert!(matches!(
        rp.track(&[number]).await,
        Err(ConnectorError::UnexpectedShape { .. })
    ));
    assert!(sandbox.orders().is_empty());
    assert!(rp.book(&shipment("k")).await.is_ok());
}

#[test]
fn bad_settings_are_refused_with_the_field_named_and_debug_hides_secrets() {
    let good = r#"access_token = "tok-s3cr3t"
login = "shop@example.ru"
password = "pw-s3cr3t"
tracking_login = "TRACK"
tracking_password = "tpw-s3cr3t"
postoffice_code = "101000""#;
    let build = |text: &str| {
        let table: toml::Table = toml::from_str(text).unwrap();
        shipgate_carriers::adapters::build(
            "russian_post",
            table,
            reqwest::Client::new(),
            std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
        )
        .unwrap()
    };
    let built = build(good).unwrap();
    assert_eq!(built.info().code, "russian_post");
    assert!(built.info().capabilities.cancel);

    let refused = |text: &str| match build(text) {
        Err(ConnectorError::Rejected { message, .. }) => message,
        Err(other) => panic!("expected Rejected, got {other:?}"),
        Ok(_) => panic!("{text} was accepted"),
    };
    let missing = good.replace("tracking_password = \"tpw-s3cr3t\"\n", "");
    assert!(refused(&missing).contains("tracking_password"));
    let short = good.replace("\"101000\"", "\"1010\"");
    assert!(refused(&short).contains("postoffice_code"));
    let empty = good.replace("\"tok-s3cr3t\"", "\"  \"");
    assert!(refused(&empty).contains("access_token is empty"));

    let config: Config = toml::from_str(good).unwrap();
    let shown = format!("{config:?}");
    for secret in ["tok-s3cr3t", "pw-s3cr3t", "tpw-s3cr3t"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let adapter = adapter(config);
    assert!(!format!("{adapter:?}").contains("s3cr3t"));
}
