//! The GLS adapter against its loopback sandbox: ShipIT Basic auth and the OAuth token
//! of Track And Trace refused or reused, labels (real PDF and ZPL) with one parcel number
//! and TrackID per parcel, idempotent booking, ShipIT refusals read from its `error` and
//! `message` headers, tracking of the real sample and of booked parcels through the `gls`
//! parser (unknown numbers left out, batches of ten), cancel, error classes, tariff
//! quotes and settings checks.

use rust_decimal::Decimal;
use shipgate_carriers::adapters::gls::sandbox::{
    Fault, GlsSandbox, FIXTURE_NUMBER, PASSWORD, USERNAME,
};
use shipgate_carriers::adapters::gls::{Config, Gls, TariffRow};
use shipgate_sdk::model::{Address, CountryCode, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::time::Duration;

fn address(name: &str, street: &str, zip: &str, city: &str, country: &str) -> Address {
    Address {
        name: Some(name.into()),
        line1: Some(street.into()),
        postal_code: Some(zip.into()),
        city: Some(city.into()),
        country: Some(CountryCode::parse(country).unwrap()),
        email: Some("tim.test@example.com".into()),
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

fn shipment(key: &str, parcels: Vec<Parcel>, format: LabelFormat) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: key.into(),
        reference: "#1001".into(),
        service: "PARCEL".into(),
        ship_from: address("Shop GmbH", "Lagerstr. 1", "36286", "Neuenstein", "DE"),
        ship_to: address("Tim Test", "Testallee 5", "65760", "Testingen", "DE"),
        parcels,
        declared_value: None,
        label_format: format,
    }
}

fn rate_request(country: &str, parcels: Vec<Parcel>) -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: address("Shop GmbH", "Lagerstr. 1", "36286", "Neuenstein", "DE"),
        ship_to: address("Tim Test", "Testallee 5", "65760", "Testingen", country),
        parcels,
        declared_value: None,
        service: None,
    }
}

fn adapter(config: Config) -> Gls {
    Gls::new(config, reqwest::Client::new()).unwrap()
}

fn number(raw: &str) -> TrackingNumber {
    TrackingNumber::parse(raw).unwrap()
}

fn rejection(result: Result<impl std::fmt::Debug, ConnectorError>) -> (Option<u16>, String) {
    match result {
        Err(ConnectorError::Rejected { status, message }) => (status, message),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized_and_one_token_serves_many_tracks() {
    let sandbox = GlsSandbox::start().await.unwrap();
    let mut wrong = sandbox.config();
    wrong.password = "nope".into();
    let booked = adapter(wrong)
        .book(&shipment("k-1", vec![parcel(1000)], LabelFormat::Zpl))
        .await;
    assert!(
        matches!(
            booked,
            Err(ConnectorError::Unauthorized { status: 401, .. })
        ),
        "{booked:?}"
    );
    assert_eq!(sandbox.create_calls(), 0);

    let mut wrong = sandbox.config();
    wrong.client_secret = "nope".into();
    match adapter(wrong).track(&[number(FIXTURE_NUMBER)]).await {
        Err(ConnectorError::Unauthorized { message, .. }) => {
            assert!(message.contains("Invalid client identifier"), "{message}")
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }

    let gls = adapter(sandbox.config());
    let before = sandbox.token_requests();
    gls.track(&[number(FIXTURE_NUMBER)]).await.unwrap();
    gls.track(&[number(FIXTURE_NUMBER)]).await.unwrap();
    assert_eq!(sandbox.token_requests(), before + 1);
}

#[tokio::test]
async fn an_expired_token_is_replaced_once_and_the_call_goes_through() {
    let sandbox = GlsSandbox::start().await.unwrap();
    let gls = adapter(sandbox.config());
    gls.track(&[number(FIXTURE_NUMBER)]).await.unwrap();
    sandbox.expire_tokens();
    let updates = gls.track(&[number(FIXTURE_NUMBER)]).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(sandbox.token_requests(), 2);
}

#[tokio::test]
async fn the_sandbox_refuses_a_malformed_shipit_request_like_shipit() {
    let sandbox = GlsSandbox::start().await.unwrap();
    let url = format!("{}/backend/rs/shipments", sandbox.base_url());
    let http = reqwest::Client::new();
    let post = |body: &'static str| {
        http.post(&url)
            .basic_auth(USERNAME, Some(PASSWORD))
            .header("Content-Type", "application/glsVersion1+json")
            .body(body)
            .send()
    };
    let answer = post("not json").await.unwrap();
    assert_eq!(answer.status(), 400);
    assert_eq!(answer.headers()["error"], "MANDATORY_PARAMETER_NOT_SET");
    assert_eq!(
        answer.headers()["message"],
        "The Mandatory parameter ShipmentRequestData is not set"
    );
    let answer = post("{}").await.unwrap();
    assert_eq!(
        answer.headers()["message"],
        "The Mandatory parameter Shipment is not set"
    );
    let answer = http.post(&url).body("{}").send().await.unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(answer.headers()["www-authenticate"], "Basic");
    assert_eq!(sandbox.create_calls(), 2);
}

#[tokio::test]
async fn booking_labels_every_parcel_and_a_retry_prints_no_second_label() {
    let sandbox = GlsSandbox::start().await.unwrap();
    let gls = adapter(sandbox.config());
    let request = shipment(
        "order-1001",
        vec![parcel(1500), parcel(700)],
        LabelFormat::Zpl,
    );
    let booking = gls.book(&request).await.unwrap();
    assert_eq!(booking.carrier, "gls");
    assert_eq!(booking.tracking_numbers.len(), 2);
    let sold = sandbox.parcels();
    assert_eq!(sold.len(), 2);
    for (number, parcel) in booking.tracking_numbers.iter().zip(&sold) {
        assert_eq!(number.as_str(), parcel.parcel_number);
        assert_eq!(number.as_str().len(), 11);
        assert!(number.as_str().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(parcel.track_id.len(), 8);
        assert_eq!(parcel.unit_references, vec!["order-1001".to_string()]);
    }
    let track_ids: Vec<&str> = sold.iter().map(|p| p.track_id.as_str()).collect();
    assert_eq!(booking.shipment_id, track_ids.join(","));
    assert_eq!(booking.label.format, LabelFormat::Zpl);
    let zpl = String::from_utf8(booking.label.content.clone()).unwrap();
    assert_eq!(zpl.matches("^XA").count(), 2);
    for number in &booking.tracking_numbers {
        assert!(zpl.contains(number.as_str()));
    }

    let again = gls.book(&request).await.unwrap();
    assert_eq!(again, booking);
    assert_eq!(
        sandbox.create_calls(),
        1,
        "a retried booking prints no second label"
    );

    let pdf = gls
        .book(&shipment(
            "order-1002",
            vec![parcel(2000)],
            LabelFormat::Pdf,
        ))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&pdf.label.content);
    assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
    assert!(text.contains(pdf.tracking_numbers[0].as_str()));

    let (_, message) = rejection(
        gls.book(&shipment(
            "order-1003",
            vec![parcel(1), parcel(2)],
            LabelFormat::Pdf,
        ))
        .await,
    );
    assert!(message.contains("one PDF per parcel"), "{message}");
    assert_eq!(sandbox.create_calls(), 2);
}

#[tokio::test]
async fn shipit_refusals_are_read_from_its_error_and_message_headers() {
    let sandbox = GlsSandbox::start().await.unwrap();
    let gls = adapter(sandbox.config());
    let mut no_street = shipment("k-2", vec![parcel(1000)], LabelFormat::Zpl);
    no_street.ship_to.line1 = None;
    let (status, message) = rejection(gls.book(&no_street).await);
    assert_eq!(status, Some(400));
    assert_eq!(
        message,
        "GLS MANDATORY_PARAMETER_NOT_SET: The Mandatory parameter Shipment.Consignee.Address.Street is not set"
    );

    let mut stranger = sandbox.config();
    stranger.contact_id = "999".into();
    let (status, message) = rejection(
        adapter(stranger)
            .book(&shipment("k-3", vec![parcel(1000)], LabelFormat::Zpl))
            .await,
    );
    assert_eq!(status, Some(400));
    assert!(
        message.starts_with(
            "GLS INVALID_FIELD_VALUE: Invalid field Shipment.Shipper.ContactID. Value 999"
        ),
        "{message}"
    );

    let mut heavy = shipment("k-4", vec![parcel(45_000)], LabelFormat::Zpl);
    heavy.service = "EXPRESS".into();
    let (_, message) = rejection(gls.book(&heavy).await);
    assert!(
        message.contains("Shipment.ShipmentUnit.Weight. Value 45.0"),
        "{message}"
    );

    let mut freight = shipment("k-5", vec![parcel(1000)], LabelFormat::Zpl);
    freight.service = "FREIGHT".into();
    let (status, _) = rejection(gls.book(&freight).await);
    assert_eq!(status, None, "refused before any call");
    assert!(sandbox.parcels().is_empty());
}

#[tokio::test]
async fn tracking_maps_the_sample_and_booked_parcels_and_leaves_unknown_numbers_out() {
    let sandbox = GlsSandbox::start().await.unwrap();
    let gls = adapter(sandbox.config());
    let booking = gls
        .book(&shipment("k-6", vec![parcel(1000)], LabelFormat::Zpl))
        .await
        .unwrap();
    let booked = booking.tracking_numbers[0].clone();
    let asked = [
        number(FIXTURE_NUMBER),
        number("11111111111"),
        booked.clone(),
    ];
    let updates = gls.track(&asked).await.unwrap();
    assert_eq!(
        updates.len(),
        2,
        "the unknown number is left out: {updates:?}"
    );

    let sample = &updates[0];
    assert_eq!(sample.tracking_number.as_str(), FIXTURE_NUMBER);
    assert_eq!(sample.status, TrackingStatus::InTransit);
    assert_eq!(sample.events[0].status, TrackingStatus::InfoReceived);
    assert_eq!(sample.events[0].carrier_code, "INTIAL.PREADVICE");
    // 2024-10-07T10:46:14+0200 in UTC.
    assert_eq!(
        sample.events[1].occurred_at.to_rfc3339(),
        "2024-10-07T08:46:14+00:00"
    );
    assert_eq!(sample.events[1].location.as_deref(), Some("Berlin, DE"));

    assert_eq!(updates[1].tracking_number, booked);
    assert_eq!(updates[1].status, TrackingStatus::InfoReceived);
    assert!(!updates[1].status.is_final());

    assert!(sandbox.deliver(booked.as_str()));
    let delivered = gls.track(std::slice::from_ref(&booked)).await.unwrap();
    assert_eq!(delivered[0].status, TrackingStatus::Delivered);
    assert!(delivered[0].status.is_final());
    assert_eq!(
        delivered[0].events.last().unwrap().carrier_code,
        "DELIVD.NORMAL"
    );

    assert!(gls
        .track(&[number("22222222222")])
        .await
        .unwrap()
        .is_empty());

    // Track And Trace refuses more than ten numbers a call: eleven go in two calls.
    let mut many: Vec<TrackingNumber> =
        (0..10).map(|i| number(&format!("3000000000{i}"))).collect();
    many.push(booked.clone());
    let found = gls.track(&many).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].tracking_number, booked);
}

#[tokio::test]
async fn cancel_voids_every_parcel_and_a_scanned_parcel_is_refused() {
    let sandbox = GlsSandbox::start().await.unwrap();
    let gls = adapter(sandbox.config());
    let booking = gls
        .book(&shipment(
            "k-7",
            vec![parcel(1000), parcel(2000)],
            LabelFormat::Zpl,
        ))
        .await
        .unwrap();
    gls.cancel(&booking).await.unwrap();
    assert!(sandbox.parcels().iter().all(|p| p.cancelled));

    let handed_over = gls
        .book(&shipment("k-8", vec![parcel(1000)], LabelFormat::Zpl))
        .await
        .unwrap();
    assert!(sandbox.deliver(handed_over.tracking_numbers[0].as_str()));
    let (_, message) = rejection(gls.cancel(&handed_over).await);
    assert!(message.contains("already scanned"), "{message}");
    assert!(!sandbox.parcels()[2].cancelled);

    let mut unknown = handed_over.clone();
    unknown.shipment_id = "ZZZZZZZZ".into();
    let (status, message) = rejection(gls.cancel(&unknown).await);
    assert_eq!(status, Some(400));
    assert!(
        message.starts_with("GLS INVALID_FIELD_VALUE: Invalid field TrackID"),
        "{message}"
    );
}

#[tokio::test]
async fn throttling_outages_and_broken_answers_are_classified() {
    let sandbox = GlsSandbox::start().await.unwrap();
    let gls = adapter(sandbox.config());
    let request = shipment("k-9", vec![parcel(1000)], LabelFormat::Zpl);

    sandbox.inject(Fault::Throttle(9));
    let throttled = gls.book(&request).await.unwrap_err();
    assert!(
        matches!(throttled, ConnectorError::Throttled { .. }),
        "{throttled:?}"
    );
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(9)));

    sandbox.inject(Fault::Throttle(4));
    let throttled = gls.track(&[number(FIXTURE_NUMBER)]).await.unwrap_err();
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(4)));
    assert!(throttled
        .to_string()
        .contains("policies.ratelimit.QuotaViolation"));

    sandbox.inject(Fault::Unavailable);
    let down = gls.book(&request).await.unwrap_err();
    assert!(matches!(down, ConnectorError::Remote { status: 503, .. }));
    assert!(down.is_retryable());

    sandbox.inject(Fault::Garbage);
    match gls.book(&request).await {
        Err(ConnectorError::UnexpectedShape { raw, .. }) => {
            assert_eq!(raw, b"<html>upstream proxy page</html>")
        }
        other => panic!("expected UnexpectedShape, got {other:?}"),
    }
    sandbox.inject(Fault::Garbage);
    assert!(matches!(
        gls.track(&[number(FIXTURE_NUMBER)]).await,
        Err(ConnectorError::UnexpectedShape { .. })
    ));

    assert!(gls.book(&request).await.is_ok(), "faults are one-shot");
}

fn row(countries: &[&str], up_to_grams: u32, price: &str) -> TariffRow {
    TariffRow {
        product: "PARCEL".into(),
        countries: countries.iter().map(|c| (*c).to_string()).collect(),
        up_to_grams,
        price: price.parse().unwrap(),
    }
}

#[tokio::test]
async fn quotes_come_from_the_configured_tariff_only() {
    let sandbox = GlsSandbox::start().await.unwrap();
    let bare = adapter(sandbox.config());
    assert!(!bare.info().capabilities.quote);
    let (_, message) = rejection(bare.quote(&rate_request("DE", vec![parcel(1000)])).await);
    assert!(message.contains("no rating API"), "{message}");

    let mut config = sandbox.config();
    config.tariff = vec![
        row(&["DE"], 31_500, "7.40"),
        row(&["DE", "AT"], 2_000, "4.90"),
    ];
    let gls = adapter(config);
    assert!(gls.info().capabilities.quote);
    let rates = gls
        .quote(&rate_request("DE", vec![parcel(1500), parcel(3000)]))
        .await
        .unwrap();
    assert_eq!(rates.len(), 1);
    assert_eq!(rates[0].service, "PARCEL");
    assert_eq!(rates[0].price.amount, Decimal::new(1230, 2));
    assert_eq!(rates[0].price.currency.as_str(), "EUR");

    let to_austria = gls
        .quote(&rate_request("AT", vec![parcel(1500)]))
        .await
        .unwrap();
    assert_eq!(to_austria[0].price.amount, Decimal::new(490, 2));
    assert!(gls
        .quote(&rate_request("AT", vec![parcel(3000)]))
        .await
        .unwrap()
        .is_empty());
    assert!(gls
        .quote(&rate_request("FR", vec![parcel(500)]))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(sandbox.token_requests(), 0, "quotes call no GLS API");
}

fn settings(extra: &str) -> toml::Table {
    toml::from_str(&format!(
        r#"username = "u"
password = "pa55word"
shipit_url = "https://shipit.example"
client_id = "id"
client_secret = "s3cr3t"
{extra}"#
    ))
    .unwrap()
}

fn refused_settings(table: toml::Table) -> String {
    match shipgate_carriers::adapters::build(
        "gls",
        table,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    ) {
        Some(Err(ConnectorError::Rejected { message, .. })) => message,
        Some(Ok(_)) => panic!("accepted"),
        Some(Err(other)) => panic!("expected Rejected, got {other:?}"),
        None => panic!("gls is not in the adapter table"),
    }
}

#[test]
fn bad_settings_are_refused_with_the_field_named_and_debug_hides_secrets() {
    let message = refused_settings(settings(""));
    assert!(message.contains("contact_id"), "{message}");
    let message = refused_settings(settings("contact_id = \"c\"\naccount = \"x\""));
    assert!(message.contains("account"), "{message}");
    let message = refused_settings(settings(
        "contact_id = \"c\"\ntariff = [{ product = \"PARCEL\", countries = [\"DE\"], up_to_grams = 1000, price = \"-1\" }]",
    ));
    assert!(message.contains("tariff[0].price"), "{message}");
    let message = refused_settings(settings(
        "contact_id = \"c\"\ntariff = [{ product = \"PARCEL\", countries = [\"XX\"], up_to_grams = 1000, price = \"1\" }]",
    ));
    assert!(message.contains("tariff[0].countries"), "{message}");
    let message = refused_settings(settings(
        "contact_id = \"c\"\ntariff = [{ product = \"FREIGHT\", countries = [\"DE\"], up_to_grams = 1000, price = \"1\" }]",
    ));
    assert!(message.contains("tariff[0].product"), "{message}");
    let message = refused_settings(settings("contact_id = \" \""));
    assert!(message.contains("contact_id is empty"), "{message}");

    let table = settings("contact_id = \"c\"");
    let config: Config = table.clone().try_into().unwrap();
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("pa55word") && !shown.contains("s3cr3t"),
        "{shown}"
    );
    let built = shipgate_carriers::adapters::build(
        "gls",
        table,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .unwrap()
    .unwrap();
    assert_eq!(built.info().code, "gls");
    assert!(built.info().capabilities.cancel);
    assert!(!format!("{:?}", adapter(config)).contains("s3cr3t"));
}
