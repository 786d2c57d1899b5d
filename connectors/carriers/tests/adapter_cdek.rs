//! The CDEK adapter against its loopback API v2: OAuth client credentials and their
//! refusal, calculator offers, asynchronous order registration and print forms polled
//! to the end (and resumed, never registered twice), idempotent booking, tracking
//! through the new `cdek` parser, deletion, error classes and settings checks.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::cdek::sandbox::{CdekSandbox, Fault, SHIPMENT_POINT};
use shipgate_carriers::adapters::cdek::{Cdek, Config};
use shipgate_sdk::model::{Address, CountryCode, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::time::Duration;

fn address(city: &str, street: &str, postal: &str) -> Address {
    Address {
        name: Some("Иванов Иван".into()),
        line1: Some(street.into()),
        city: Some(city.into()),
        postal_code: Some(postal.into()),
        country: Some(CountryCode::parse("RU").unwrap()),
        phone: Some("+79134637228".into()),
        ..Address::default()
    }
}

fn moscow() -> Address {
    address("Москва", "пр. Ленинградский, д.4", "125040")
}

fn novosibirsk() -> Address {
    address("Новосибирск", "ул. Блюхера, 32", "630073")
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
        reference: "заказ 42".into(),
        service: "137".into(),
        ship_from: moscow(),
        ship_to: novosibirsk(),
        parcels: vec![parcel(1500)],
        declared_value: None,
        label_format: LabelFormat::Pdf,
    }
}

fn adapter(config: Config) -> Cdek {
    Cdek::new(config, reqwest::Client::new()).unwrap()
}

#[tokio::test]
async fn a_wrong_password_is_refused_by_the_token_endpoint_as_unauthorized() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let mut wrong = sandbox.config();
    wrong.client_secret = "not-the-password".into();
    match adapter(wrong).quote(&rate_request(novosibirsk())).await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 401);
            assert!(message.contains("invalid_client"), "{message}");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    let cdek = adapter(sandbox.config());
    assert!(cdek.quote(&rate_request(novosibirsk())).await.is_ok());
    assert!(cdek.quote(&rate_request(novosibirsk())).await.is_ok());
    // One refused token request, then one token reused for both quotes.
    assert_eq!(sandbox.token_requests(), 2);
}

#[tokio::test]
async fn tariffs_are_priced_by_weight_and_distance_in_the_contract_currency() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let cdek = adapter(sandbox.config());
    let far = cdek.quote(&rate_request(novosibirsk())).await.unwrap();
    let codes: Vec<&str> = far.iter().map(|r| r.service.as_str()).collect();
    // Tariffs to an office (136, 138) need the buyer's office, which a request lacks.
    assert_eq!(codes, ["137", "139"]);
    // 1.5 kg → 2 kg; office to door 350 + 45 × 1, another city + 150.
    assert_eq!(far[0].price.amount, Decimal::from(545));
    assert_eq!(far[0].price.currency.as_str(), "RUB");
    assert_eq!(far[0].service_name, "Посылка склад-дверь");
    assert_eq!(far[0].transit_days, Some(5));
    assert_eq!(far[1].price.amount, Decimal::from(630));

    let mut no_office = sandbox.config();
    no_office.shipment_point = None;
    let door_only = adapter(no_office)
        .quote(&rate_request(novosibirsk()))
        .await
        .unwrap();
    assert_eq!(door_only.len(), 1);
    assert_eq!(door_only[0].service, "139");

    let mut near = rate_request(address("Москва", "ул. Тверская, 1", "125009"));
    near.service = Some("137".into());
    let rates = cdek.quote(&near).await.unwrap();
    assert_eq!(rates.len(), 1);
    assert_eq!(rates[0].price.amount, Decimal::from(395));
    assert_eq!(rates[0].transit_days, Some(2));
}

#[tokio::test]
async fn a_quote_without_a_destination_is_refused_in_cdeks_words() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let cdek = adapter(sandbox.config());
    let nowhere = Address {
        name: Some("Иванов Иван".into()),
        ..Address::default()
    };
    match cdek.quote(&rate_request(nowhere)).await {
        Err(ConnectorError::Rejected { status, message }) => {
            assert_eq!(status, Some(400));
            assert!(
                message.starts_with("v2_recipient_location_not_recognized"),
                "{message}"
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn booking_waits_for_the_number_and_the_label_and_happens_once() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let cdek = adapter(sandbox.config());
    let booking = cdek.book(&shipment("order-1001")).await.unwrap();
    let number = booking.tracking_numbers[0].as_str();
    assert!(
        number.len() == 10 && number.bytes().all(|b| b.is_ascii_digit()),
        "{number}"
    );
    let orders = sandbox.orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].shipment_point.as_deref(), Some(SHIPMENT_POINT));
    assert_eq!(orders[0].cdek_number, number);
    assert_eq!(booking.shipment_id, orders[0].uuid);
    // The first read showed the registration still running: the adapter polled again.
    assert!(orders[0].polls >= 2, "polls: {}", orders[0].polls);
    let label = String::from_utf8_lossy(&booking.label.content).into_owned();
    assert!(label.starts_with("%PDF-") && label.trim_end().ends_with("%%EOF"));
    assert!(label.contains(number), "the label names the CDEK number");

    let again = cdek.book(&shipment("order-1001")).await.unwrap();
    assert_eq!(again, booking);
    assert_eq!(sandbox.orders().len(), 1);
}

#[tokio::test]
async fn a_label_link_off_the_api_host_is_refused_without_following_it() {
    let sandbox = CdekSandbox::start().await.unwrap();
    sandbox.serve_labels_from("files.example.invalid");
    let cdek = adapter(sandbox.config());
    match cdek.book(&shipment("order-6006")).await {
        Err(ConnectorError::UnexpectedShape { reason, raw }) => {
            assert!(reason.contains("not under the API root"), "{reason}");
            assert!(String::from_utf8_lossy(&raw).contains("files.example.invalid"));
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
}

#[tokio::test]
async fn an_e_shop_order_lists_its_goods_and_carries_the_idempotency_key() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let mut e_shop = sandbox.config();
    e_shop.order_type = 1;
    let booking = adapter(e_shop).book(&shipment("order-5005")).await.unwrap();
    let orders = sandbox.orders();
    assert_eq!(orders[0].number, "order-5005");
    assert_eq!(booking.tracking_numbers[0].as_str(), orders[0].cdek_number);
    // A delivery-type order takes no number: CDEK names it by its uuid.
    adapter(sandbox.config())
        .book(&shipment("order-5006"))
        .await
        .unwrap();
    let delivery = &sandbox.orders()[1];
    assert_eq!(delivery.number, delivery.uuid);
}

#[tokio::test]
async fn a_registration_still_running_is_resumed_not_registered_twice() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let mut impatient = sandbox.config();
    impatient.poll_attempts = 1;
    let cdek = adapter(impatient);
    let first = cdek.book(&shipment("order-2002")).await.unwrap_err();
    assert!(
        matches!(first, ConnectorError::Remote { status: 202, .. }),
        "{first:?}"
    );
    assert!(first.is_retryable());
    // The retry finds the number, then waits on the label's print form in turn.
    let second = cdek.book(&shipment("order-2002")).await.unwrap_err();
    assert!(
        matches!(second, ConnectorError::Remote { status: 202, .. }),
        "{second:?}"
    );
    let booking = cdek.book(&shipment("order-2002")).await.unwrap();
    assert!(booking.label.content.starts_with(b"%PDF"));
    assert_eq!(sandbox.orders().len(), 1);
}

#[tokio::test]
async fn an_order_cdek_invalidates_after_accepting_it_is_rejected_with_its_errors() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let cdek = adapter(sandbox.config());
    let mut no_phone = shipment("order-3003");
    no_phone.ship_to.phone = None;
    match cdek.book(&no_phone).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert_eq!(
                message,
                "v2_field_is_empty: Field recipient.phones is empty"
            )
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert!(sandbox.orders()[0].polls >= 2);

    let mut zpl = shipment("order-3004");
    zpl.label_format = LabelFormat::Zpl;
    assert!(matches!(
        cdek.book(&zpl).await,
        Err(ConnectorError::Rejected { .. })
    ));
    assert_eq!(
        sandbox.orders().len(),
        1,
        "no order for a refused label format"
    );
}

#[tokio::test]
async fn tariffs_needing_an_office_nobody_named_are_refused_before_any_order() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let cdek = adapter(sandbox.config());
    let mut to_office = shipment("order-4004");
    to_office.service = "136".into();
    match cdek.book(&to_office).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.contains("delivery_point"), "{message}")
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    let mut no_office = sandbox.config();
    no_office.shipment_point = None;
    let door_pickup_only = adapter(no_office);
    match door_pickup_only.book(&shipment("order-4005")).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(
                message.starts_with("cdek settings: shipment_point"),
                "{message}"
            )
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert!(sandbox.orders().is_empty());

    let mut door_to_door = shipment("order-4006");
    door_to_door.service = "139".into();
    door_pickup_only.book(&door_to_door).await.unwrap();
    assert_eq!(sandbox.orders()[0].shipment_point, None);
}

#[tokio::test]
async fn tracking_reads_the_history_to_delivered_and_leaves_unknown_numbers_out() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let cdek = adapter(sandbox.config());
    let booking = cdek.book(&shipment("order-7")).await.unwrap();
    let number = booking.tracking_numbers[0].clone();
    let unknown = TrackingNumber::parse("1106999999").unwrap();

    let fresh = cdek.track(std::slice::from_ref(&number)).await.unwrap();
    assert_eq!(fresh[0].status, TrackingStatus::InfoReceived);

    assert!(sandbox.deliver(number.as_str()));
    let updates = cdek
        .track(&[unknown.clone(), number.clone()])
        .await
        .unwrap();
    assert_eq!(updates.len(), 1);
    let update = &updates[0];
    assert_eq!(update.tracking_number, number);
    assert_eq!(update.status, TrackingStatus::Delivered);
    assert_eq!(update.events.len(), 10);
    let accepted = &update.events[0];
    assert_eq!(accepted.carrier_code, "ACCEPTED");
    // 10:02:11 at +03:00 is 07:02:11 UTC; the Novosibirsk events are at +07:00.
    assert_eq!(
        accepted.occurred_at.to_rfc3339(),
        "2026-11-20T07:02:11+00:00"
    );
    let courier = update
        .events
        .iter()
        .find(|e| e.carrier_code == "TAKEN_BY_COURIER")
        .unwrap();
    assert_eq!(courier.status, TrackingStatus::OutForDelivery);
    assert_eq!(
        courier.occurred_at.to_rfc3339(),
        "2026-11-23T02:05:51+00:00"
    );
    assert_eq!(update.events[9].location.as_deref(), Some("Новосибирск"));

    assert!(cdek.track(&[unknown]).await.unwrap().is_empty());
}

#[tokio::test]
async fn cancel_deletes_a_created_order_once_and_refuses_a_delivered_one() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let cdek = adapter(sandbox.config());
    let booking = cdek.book(&shipment("order-9")).await.unwrap();
    cdek.cancel(&booking).await.unwrap();
    assert!(sandbox.orders()[0].deleted);
    match cdek.cancel(&booking).await {
        Err(ConnectorError::Rejected { status, message }) => {
            assert_eq!(status, Some(400));
            assert!(message.starts_with("v2_entity_not_found"), "{message}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert!(cdek
        .track(&booking.tracking_numbers)
        .await
        .unwrap()
        .is_empty());

    let delivered = cdek.book(&shipment("order-10")).await.unwrap();
    assert!(sandbox.deliver(delivered.tracking_numbers[0].as_str()));
    assert!(matches!(
        cdek.cancel(&delivered).await,
        Err(ConnectorError::Rejected {
            status: Some(400),
            ..
        })
    ));
    assert!(!sandbox.orders()[1].deleted);
}

#[tokio::test]
async fn throttling_outages_and_broken_answers_are_classified() {
    let sandbox = CdekSandbox::start().await.unwrap();
    let cdek = adapter(sandbox.config());
    sandbox.inject(Fault::Throttle(7));
    let throttled = cdek.quote(&rate_request(novosibirsk())).await.unwrap_err();
    assert!(matches!(throttled, ConnectorError::Throttled { .. }));
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(7)));

    sandbox.inject(Fault::Unavailable);
    let down = cdek.quote(&rate_request(novosibirsk())).await.unwrap_err();
    assert!(matches!(down, ConnectorError::Remote { status: 503, .. }));
    assert!(down.is_retryable());

    sandbox.inject(Fault::Garbage);
    match cdek.quote(&rate_request(novosibirsk())).await {
        Err(ConnectorError::UnexpectedShape { raw, .. }) => {
            assert_eq!(raw, b"<html>upstream proxy page</html>")
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }

    sandbox.inject(Fault::Throttle(3));
    let unknown = TrackingNumber::parse("1106999999").unwrap();
    let throttled = cdek.track(&[unknown]).await.unwrap_err();
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(3)));
    assert!(cdek.quote(&rate_request(novosibirsk())).await.is_ok());
}

fn table(text: &str) -> toml::Table {
    toml::from_str(text).unwrap()
}

fn refusal(settings: &str) -> String {
    match shipgate_carriers::adapters::build(
        "cdek",
        table(settings),
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    ) {
        Some(Err(ConnectorError::Rejected { message, .. })) => message,
        Some(Err(other)) => panic!("expected Rejected, got {other:?}"),
        Some(Ok(_)) => panic!("settings accepted: {settings}"),
        None => panic!("no cdek adapter"),
    }
}

#[test]
fn settings_are_checked_field_by_field_and_debug_hides_the_password() {
    let good = "client_id = \"acc\"\nclient_secret = \"s3cr3t\"";
    let config: Config = table(good).try_into().unwrap();
    assert!(!format!("{config:?}").contains("s3cr3t"));
    let built = shipgate_carriers::adapters::build(
        "cdek",
        table(good),
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .unwrap()
    .unwrap();
    assert_eq!(built.info().code, "cdek");
    assert!(!format!("{:?}", adapter(config)).contains("s3cr3t"));

    assert!(refusal("client_id = \"acc\"").contains("client_secret"));
    assert!(refusal(&format!("{good}\nlabel_size = \"A9\"")).contains("label_size"));
    assert!(refusal(&format!("{good}\norder_type = 3")).contains("order_type"));
    assert!(refusal(&format!("{good}\ncurrency = \"RUR\"")).contains("currency"));
    assert!(refusal(&format!("{good}\npoll_attempts = 0")).contains("poll_attempts"));
    assert!(refusal(&format!("{good}\nshipment_point = \" \"")).contains("shipment_point"));
    assert!(refusal(&format!("{good}\naccount = \"x\"")).contains("account"));
}
