//! The own-fleet courier: prices computed by hand from a small tariff, refusals with their
//! reasons, merchant groups, bookings with our own numbers and real labels, tracking
//! from the fleet's records.

use chrono::Utc;
use rust_decimal::Decimal;
use shipgate_carriers::adapters::own_fleet::tariff::Tariff;
use shipgate_carriers::adapters::own_fleet::{FleetEvent, OwnFleet};
use shipgate_carriers::shopping::sandbox::{Behaviour, SandboxCarrier};
use shipgate_carriers::shopping::{shop, ShoppingOptions};
use shipgate_carriers::{adapters, Registry};
use shipgate_sdk::model::{Address, CountryCode, Currency, Money, TrackingNumber, TrackingStatus};
use shipgate_sdk::{Carrier, ConnectorError, LabelFormat, Parcel, RateRequest, ShipmentRequest};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Base at 48.85 N; every centre lies due north of it, so the distance is
/// 6371 km × Δlat in radians = 111.195 km per degree of latitude:
/// 75015 +0.09° = 10.0 km, 92100 +0.117° = 13.0 km, 95000 +0.27° = 30.0 km.
const TARIFF: &str = r#"
name = "Test fleet"
currency = "EUR"
country = "FR"
base = { lat = 48.85, lon = 2.35 }
default_group = "standard"

[[services]]
code = "SAME_DAY"
name = "Same day"
transit_days = 0

[[services]]
code = "NEXT_DAY"
name = "Next day"
transit_days = 1
factor = "0.8"

[merchants]
vip = "premium"

[groups.standard]
per_km = "0.50"
volumetric_divisor = 5000
max_length_mm = 1200
max_sides_sum_mm = 2500
insurance_percent = "1"
insurance_minimum = "2.00"
zones = [
  { name = "Paris", postal_prefixes = ["75"], price = "6.90" },
  { name = "Ring 15 km", max_km = "15", price = "12.00" },
]
weight_bands = [
  { up_to_grams = 2000, surcharge = "0" },
  { up_to_grams = 15000, surcharge = "4.00" },
  { up_to_grams = 30000, surcharge = "9.00" },
]

[groups.premium]
per_km = "0.30"
volumetric_divisor = 5000
max_length_mm = 1200
max_sides_sum_mm = 2500
zones = [{ name = "Paris", postal_prefixes = ["75"], price = "4.90" }]
weight_bands = [{ up_to_grams = 30000, surcharge = "0" }]

[centroids]
"75015" = { lat = 48.94, lon = 2.35 }
"92100" = { lat = 48.967, lon = 2.35 }
"95000" = { lat = 49.12, lon = 2.35 }
"#;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn eur(amount: &str) -> Money {
    Money::new(dec(amount), Currency::parse("EUR").unwrap())
}

fn fleet() -> OwnFleet {
    OwnFleet::new(Tariff::from_toml("test.toml", TARIFF).unwrap())
}

fn address(country: &str, postal: &str) -> Address {
    Address {
        name: Some("Léa Martin (3e)".into()),
        line1: Some("12 rue de la Roquette ^FS~JA".into()),
        city: Some("Paris".into()),
        postal_code: Some(postal.into()),
        country: Some(CountryCode::parse(country).unwrap()),
        ..Address::default()
    }
}

fn parcel(weight_grams: u32, l: u32, w: u32, h: u32) -> Parcel {
    Parcel {
        weight_grams,
        length_mm: l,
        width_mm: w,
        height_mm: h,
    }
}

fn small() -> Parcel {
    // 6000 cm³ / 5000 = 1.2 kg volumetric < 1.5 kg actual: band ≤ 2 kg, surcharge 0.
    parcel(1500, 300, 200, 100)
}

fn request(merchant: &str, postal: &str, parcels: Vec<Parcel>) -> RateRequest {
    RateRequest {
        merchant: merchant.into(),
        ship_from: address("FR", "75011"),
        ship_to: address("FR", postal),
        parcels,
        declared_value: None,
        service: None,
    }
}

async fn price(fleet: &OwnFleet, request: &RateRequest, service: &str) -> Decimal {
    let rates = fleet.quote(request).await.unwrap();
    rates
        .iter()
        .find(|r| r.service == service)
        .unwrap_or_else(|| panic!("no {service} in {rates:?}"))
        .price
        .amount
}

async fn refusal(fleet: &OwnFleet, request: &RateRequest) -> String {
    match fleet.quote(request).await {
        Err(ConnectorError::Rejected {
            status: None,
            message,
        }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_postal_prefix_zone_plus_distance() {
    let fleet = fleet();
    let req = request("acme", "75015", vec![small()]);
    // 6.90 zone + 0 band + 0.50 × 10.0 km = 11.90; next day × 0.8 = 9.52.
    assert_eq!(price(&fleet, &req, "SAME_DAY").await, dec("11.90"));
    assert_eq!(price(&fleet, &req, "NEXT_DAY").await, dec("9.52"));
    let rates = fleet.quote(&req).await.unwrap();
    assert_eq!(rates[0].transit_days, Some(0));
    assert_eq!(rates[0].price.currency.as_str(), "EUR");
    assert!(
        rates[0].service_name.contains("Paris"),
        "{}",
        rates[0].service_name
    );
}

#[tokio::test]
async fn a_distance_ring_zone() {
    // 92100 is in no prefix zone; 13.0 km ≤ 15: 12.00 + 0.50 × 13.0 = 18.50.
    let req = request("acme", "92100", vec![small()]);
    assert_eq!(price(&fleet(), &req, "SAME_DAY").await, dec("18.50"));
}

#[tokio::test]
async fn volumetric_weight_picks_the_band_and_each_parcel_pays_its_zone() {
    let fleet = fleet();
    // 500 × 400 × 300 mm = 60 000 cm³ / 5000 = 12 kg > 3 kg actual: band ≤ 15 kg, 4.00.
    let bulky = parcel(3000, 500, 400, 300);
    let req = request("acme", "75015", vec![bulky]);
    assert_eq!(price(&fleet, &req, "SAME_DAY").await, dec("15.90"));
    // Two parcels: (6.90 + 0) + (6.90 + 4.00) + distance once 5.00 = 22.80.
    let req = request("acme", "75015", vec![small(), bulky]);
    assert_eq!(price(&fleet, &req, "SAME_DAY").await, dec("22.80"));
    // Actual weight decides when heavier: 20 kg → band ≤ 30 kg, 9.00 → 20.90.
    let req = request("acme", "75015", vec![parcel(20_000, 300, 200, 100)]);
    assert_eq!(price(&fleet, &req, "SAME_DAY").await, dec("20.90"));
}

#[tokio::test]
async fn insurance_is_a_percent_of_the_value_with_a_minimum() {
    let fleet = fleet();
    let mut req = request("acme", "75015", vec![small()]);
    // 1 % of 500 = 5.00, added after the service factor: 11.90 + 5 and 9.52 + 5.
    req.declared_value = Some(eur("500"));
    assert_eq!(price(&fleet, &req, "SAME_DAY").await, dec("16.90"));
    assert_eq!(price(&fleet, &req, "NEXT_DAY").await, dec("14.52"));
    // 1 % of 100 = 1.00, below the 2.00 minimum.
    req.declared_value = Some(eur("100"));
    assert_eq!(price(&fleet, &req, "SAME_DAY").await, dec("13.90"));
    req.declared_value = Some(Money::new(dec("100"), Currency::parse("USD").unwrap()));
    assert!(refusal(&fleet, &req).await.contains("insures in EUR"));
}

#[tokio::test]
async fn a_merchant_group_overrides_the_default_tariff() {
    // vip → premium: 4.90 + 0.30 × 10.0 = 7.90.
    let req = request("vip", "75015", vec![parcel(25_000, 300, 200, 100)]);
    assert_eq!(price(&fleet(), &req, "SAME_DAY").await, dec("7.90"));
}

#[tokio::test]
async fn tariff_problems_are_refused_with_the_reason() {
    let fleet = fleet();
    let cases = [
        (
            request("acme", "75015", vec![parcel(1000, 1300, 100, 100)]),
            "1300 mm long",
        ),
        (
            request("acme", "75015", vec![parcel(1000, 1100, 1000, 500)]),
            "at most 2500 mm",
        ),
        (
            request("acme", "75015", vec![parcel(31_000, 300, 200, 100)]),
            "at most 30000 g",
        ),
        (
            request("acme", "95000", vec![small()]),
            "30.0 km from the base) is outside every zone",
        ),
        (
            request("acme", "75999", vec![small()]),
            "75999 has no centre",
        ),
        (request("acme", "75015", vec![]), "no parcel"),
    ];
    for (req, expected) in cases {
        let message = refusal(&fleet, &req).await;
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
    let mut abroad = request("acme", "75015", vec![small()]);
    abroad.ship_to = address("DE", "10115");
    assert!(refusal(&fleet, &abroad)
        .await
        .contains("delivers only in FR, not in DE"));
    let mut unsold = request("acme", "75015", vec![small()]);
    unsold.service = Some("NIGHT".into());
    assert!(refusal(&fleet, &unsold)
        .await
        .contains("does not sell service \"NIGHT\""));
    let mut one = request("acme", "75015", vec![small()]);
    one.service = Some("NEXT_DAY".into());
    let rates = fleet.quote(&one).await.unwrap();
    assert_eq!(rates.len(), 1);
    assert_eq!(rates[0].service, "NEXT_DAY");
}

#[tokio::test]
async fn an_unknown_merchant_without_a_default_group_is_refused() {
    let strict = TARIFF.replace("default_group = \"standard\"\n", "");
    let fleet = OwnFleet::new(Tariff::from_toml("strict.toml", &strict).unwrap());
    let message = refusal(&fleet, &request("stranger", "75015", vec![small()])).await;
    assert!(
        message.contains("\"stranger\" has no tariff group"),
        "{message}"
    );
    assert!(message.contains("no default_group"), "{message}");
    assert_eq!(
        price(&fleet, &request("vip", "75015", vec![small()]), "SAME_DAY").await,
        dec("7.90")
    );
}

#[test]
fn bad_tariff_files_name_the_key() {
    let both = TARIFF.replace(
        r#"{ name = "Paris", postal_prefixes = ["75"], price = "6.90" }"#,
        r#"{ name = "Paris", postal_prefixes = ["75"], max_km = "5", price = "6.90" }"#,
    );
    let err = Tariff::from_toml("both.toml", &both).unwrap_err();
    assert_eq!(err.key, "groups.standard.zones[0]");
    assert!(err.reason.contains("exactly one"), "{err}");

    let dangling = TARIFF.replace("vip = \"premium\"", "vip = \"gold\"");
    let err = Tariff::from_toml("dangling.toml", &dangling).unwrap_err();
    assert_eq!(err.key, "merchants.vip");

    let typo = TARIFF.replace("per_km = \"0.30\"", "per_kms = \"0.30\"");
    let err = Tariff::from_toml("typo.toml", &typo).unwrap_err();
    assert!(
        err.to_string().starts_with("typo.toml: at `groups.premium"),
        "{err}"
    );
    assert!(err.reason.contains("per_kms"), "{err}");

    let unordered = TARIFF.replace("up_to_grams = 15000", "up_to_grams = 1000");
    let err = Tariff::from_toml("bands.toml", &unordered).unwrap_err();
    assert_eq!(err.key, "groups.standard.weight_bands");
}

fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn shipment(key: &str, format: LabelFormat, parcels: Vec<Parcel>) -> ShipmentRequest {
    ShipmentRequest {
        merchant: "m1".into(),
        idempotency_key: key.into(),
        reference: "#1001".into(),
        service: "SAME_DAY".into(),
        ship_from: address("FR", "75011"),
        ship_to: address("FR", "75015"),
        parcels,
        declared_value: None,
        label_format: format,
    }
}

#[tokio::test]
async fn booking_issues_numbers_detection_knows_and_a_zpl_label() {
    let registry = Registry::load_dir(repo_path("mappings/carriers")).unwrap();
    let fleet = fleet();
    let booking = fleet
        .book(&shipment(
            "order-1001",
            LabelFormat::Zpl,
            vec![small(), small()],
        ))
        .await
        .unwrap();
    assert_eq!(booking.carrier, "own_fleet");
    assert_eq!(booking.tracking_numbers.len(), 2);
    assert_ne!(booking.tracking_numbers[0], booking.tracking_numbers[1]);
    assert_eq!(booking.shipment_id, booking.tracking_numbers[0].as_str());
    for number in &booking.tracking_numbers {
        let found = registry.detect(number.as_str());
        assert_eq!(
            found.first().map(|d| d.code),
            Some("own_fleet"),
            "{number}: {found:?}"
        );
        assert!(found[0].checksum_ok);
        // A changed check digit is no longer ours.
        let mut wrong = number.as_str().to_string();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert!(registry
            .detect(&wrong)
            .iter()
            .all(|d| d.code != "own_fleet"));
    }
    let zpl = String::from_utf8(booking.label.content.clone()).unwrap();
    assert_eq!(zpl.matches("^XA").count(), 2, "one format per parcel");
    assert!(zpl.starts_with("^XA") && zpl.trim_end().ends_with("^XZ"));
    assert!(zpl.contains(&format!(
        "^BCN,200,Y,N,N^FD{}^FS",
        booking.tracking_numbers[1]
    )));
    assert!(
        zpl.contains("12 rue de la Roquette \\5EFS\\7EJA"),
        "escaped: {zpl}"
    );
    assert!(!zpl.contains("^FS~JA"));
    assert!(zpl.contains("1/2") && zpl.contains("2/2") && zpl.contains("Ref: #1001"));
}

#[tokio::test]
async fn a_pdf_label_is_a_valid_pdf() {
    let booking = fleet()
        .book(&shipment(
            "order-1002",
            LabelFormat::Pdf,
            vec![small(), small()],
        ))
        .await
        .unwrap();
    let pdf = &booking.label.content;
    assert_eq!(booking.label.format.mime_type(), "application/pdf");
    assert!(pdf.starts_with(b"%PDF-1.4\n"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    let text = String::from_utf8_lossy(pdf);
    assert!(text.contains("/Count 2"));
    // The cross-reference table points at each object's header.
    let start: usize = text
        .rsplit("startxref\n")
        .next()
        .and_then(|t| t.lines().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    // Offsets count bytes: the binary comment on line 2 is not UTF-8, so read them
    // from the bytes, not from the lossy text.
    let table = String::from_utf8_lossy(&pdf[start..]);
    assert!(table.starts_with("xref\n0 8\n"), "{table}");
    let entries: Vec<usize> = table
        .lines()
        .skip(3)
        .take(7)
        .map(|l| l[..10].parse().unwrap())
        .collect();
    for (i, offset) in entries.iter().enumerate() {
        assert!(
            pdf[*offset..].starts_with(format!("{} 0 obj\n", i + 1).as_bytes()),
            "object {} at {offset}",
            i + 1
        );
    }
    // Stream lengths are exact.
    for part in text.split("<< /Length ").skip(1) {
        let (len, rest) = part.split_once(" >>\nstream\n").unwrap();
        let len: usize = len.parse().unwrap();
        assert!(rest.as_bytes()[len..].starts_with(b"\nendstream"));
    }
    // Parentheses escaped, é written in WinAnsi octal.
    assert!(text.contains("(L\\351a Martin \\(3e\\)) Tj"), "{text}");
    assert!(text.contains(booking.tracking_numbers[0].as_str()));
}

#[tokio::test]
async fn booking_twice_with_one_key_books_once() {
    let fleet = fleet();
    let request = shipment("order-1003", LabelFormat::Zpl, vec![small()]);
    let first = fleet.book(&request).await.unwrap();
    let again = fleet.book(&request).await.unwrap();
    assert_eq!(first, again);
    // A fresh adapter (a restart) derives the same number from the same key.
    let restarted = fleet_after_restart().book(&request).await.unwrap();
    assert_eq!(restarted.tracking_numbers, first.tracking_numbers);
    let updates = fleet.track(&first.tracking_numbers).await.unwrap();
    assert_eq!(updates[0].events.len(), 1, "one booking, one event");
    let mut changed = request.clone();
    changed.ship_to = address("FR", "75001");
    match fleet.book(&changed).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(
                message.contains("already booked a different shipment"),
                "{message}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let mut unsold = shipment("order-1004", LabelFormat::Zpl, vec![small()]);
    unsold.service = "NIGHT".into();
    assert!(matches!(
        fleet.book(&unsold).await,
        Err(ConnectorError::Rejected { .. })
    ));
}

#[tokio::test]
async fn a_booking_costs_what_its_merchant_was_quoted() {
    let fleet = fleet();
    // Default group: 6.90 zone + 0.50 × 10.0 km = 11.90, as quoted.
    let standard = fleet
        .book(&shipment("order-1101", LabelFormat::Zpl, vec![small()]))
        .await
        .unwrap();
    assert_eq!(standard.price, Some(eur("11.90")));
    // vip → premium: 4.90 + 0.30 × 10.0 = 7.90, the same shipment at its own group's price.
    let mut vip = shipment("order-1102", LabelFormat::Zpl, vec![small()]);
    vip.merchant = "vip".into();
    let premium = fleet.book(&vip).await.unwrap();
    assert_eq!(premium.price, Some(eur("7.90")));
    let label = String::from_utf8(premium.label.content).unwrap();
    assert!(label.contains("Same day (Paris)"), "{label}");
}

fn fleet_after_restart() -> OwnFleet {
    fleet()
}

#[tokio::test]
async fn tracking_follows_the_drivers_reports_and_cancel_only_before_pick_up() {
    let registry = Registry::load_dir(repo_path("mappings/carriers")).unwrap();
    let profile = registry.get("own_fleet").unwrap();
    let fleet = fleet();
    let ledger = fleet.ledger();
    let booking = fleet
        .book(&shipment("order-2001", LabelFormat::Zpl, vec![small()]))
        .await
        .unwrap();
    let number = booking.tracking_numbers[0].clone();
    let now = Utc::now();
    for what in [
        FleetEvent::PickedUp,
        FleetEvent::OutForDelivery,
        FleetEvent::DeliveryFailed,
        FleetEvent::OutForDelivery,
        FleetEvent::Delivered,
    ] {
        ledger
            .advance(&number, what, Some("Paris 15e".into()), now)
            .unwrap();
        // The registry maps the fleet's codes the way the adapter does.
        assert_eq!(profile.status(what.code()), what.status());
    }
    let stranger = TrackingNumber::parse("SGF00000000000").unwrap();
    let updates = fleet
        .track(&[number.clone(), stranger.clone()])
        .await
        .unwrap();
    assert_eq!(updates.len(), 1, "unknown numbers are left out");
    assert_eq!(updates[0].status, TrackingStatus::Delivered);
    let codes: Vec<&str> = updates[0]
        .events
        .iter()
        .map(|e| e.carrier_code.as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "BOOKED",
            "PICKED_UP",
            "OUT_FOR_DELIVERY",
            "DELIVERY_FAILED",
            "OUT_FOR_DELIVERY",
            "DELIVERED"
        ]
    );
    assert_eq!(profile.status("BOOKED"), TrackingStatus::InfoReceived);
    assert!(matches!(
        ledger.advance(&number, FleetEvent::Returned, None, now),
        Err(ConnectorError::Rejected { .. })
    ));
    assert!(matches!(
        ledger.advance(&stranger, FleetEvent::PickedUp, None, now),
        Err(ConnectorError::NotFound(_))
    ));
    match fleet.cancel(&booking).await {
        Err(ConnectorError::Rejected { message, .. }) => {
            assert!(message.contains("DELIVERED"), "{message}")
        }
        other => panic!("a delivered parcel cannot be cancelled: {other:?}"),
    }

    let fresh = fleet
        .book(&shipment("order-2002", LabelFormat::Zpl, vec![small()]))
        .await
        .unwrap();
    fleet.cancel(&fresh).await.unwrap();
    fleet.cancel(&fresh).await.unwrap();
    let updates = fleet.track(&fresh.tracking_numbers).await.unwrap();
    assert_eq!(updates[0].status, TrackingStatus::Cancelled);
    assert_eq!(
        updates[0].events.len(),
        2,
        "cancelling twice records it once"
    );
    assert_eq!(profile.status("CANCELLED"), TrackingStatus::Cancelled);
}

#[tokio::test]
async fn the_example_paris_tariff_is_built_from_settings_and_shops_beside_carriers() {
    let http = reqwest::Client::new();
    let mut settings = toml::Table::new();
    let file = repo_path("mappings/fleet/paris_same_day.toml");
    settings.insert("tariff_file".into(), file.display().to_string().into());
    let own: Arc<dyn Carrier> = adapters::build(
        "own_fleet",
        settings,
        http.clone(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    )
    .expect("own_fleet is a code adapter")
    .unwrap();
    assert_eq!(own.info().name, "Paris same-day");

    let mut req = request("acme", "75001", vec![small()]);
    let standard = own.quote(&req).await.unwrap();
    assert!(standard[0].service_name.contains("Paris intra-muros"));
    req.merchant = "maison-dupont".into();
    let partner = own.quote(&req).await.unwrap();
    assert!(partner[0].price.amount < standard[0].price.amount);
    req.ship_to = address("FR", "78000");
    assert!(own.quote(&req).await.unwrap()[0]
        .service_name
        .contains("Up to 40 km"));

    let sandbox = SandboxCarrier::start(
        "sandbox",
        Behaviour::Answer {
            delay: Duration::from_millis(20),
            base: dec("4"),
            per_kg: Decimal::ZERO,
            currency: Currency::parse("EUR").unwrap(),
            transit_days: 2,
        },
        http,
    )
    .await
    .unwrap();
    let quotes = shop(&[own, Arc::new(sandbox)], &req, &ShoppingOptions::default()).await;
    assert!(quotes.left_out.is_empty(), "{:?}", quotes.left_out);
    assert_eq!(
        quotes.rates.len(),
        3,
        "two fleet services and the sandbox's"
    );
    assert_eq!(quotes.rates[0].carrier, "sandbox");

    let mut missing = toml::Table::new();
    missing.insert("tariff_file".into(), "/nonexistent/fleet.toml".into());
    match adapters::build(
        "own_fleet",
        missing,
        reqwest::Client::new(),
        std::sync::Arc::new(shipgate_sdk::LocalBudget::new()),
    ) {
        Some(Err(ConnectorError::Rejected { message, .. })) => {
            assert!(message.contains("/nonexistent/fleet.toml"), "{message}")
        }
        other => panic!("expected a refusal, got {:?}", other.map(|r| r.map(|_| ()))),
    }
}
