//! Tracking parsers of UPS, FedEx, USPS and the DHL APIs over the carriers' real answers
//! in shared/fixtures/carriers/tracking: parcels, events in UTC, final canonical status,
//! carrier errors by kind, and malformed input that never panics.

use shipgate_carriers::track::{CarrierErrorKind, TrackError};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{TrackingStatus, TrackingUpdate};
use std::path::PathBuf;

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap_or_else(|errors| panic!("mappings must load: {errors:#?}"))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/carriers/tracking/"
    ))
    .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(api: &str, body: &[u8]) -> Result<Vec<TrackingUpdate>, TrackError> {
    registry().parse_tracking(api, body, None)
}

fn parsed(api: &str, file: &str) -> Vec<TrackingUpdate> {
    parse(api, &fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Checks one parcel: number, event count, oldest and latest event times, final status.
fn check(
    update: &TrackingUpdate,
    number: &str,
    events: usize,
    first: &str,
    last: &str,
    status: TrackingStatus,
) {
    assert_eq!(update.tracking_number.as_str(), number);
    assert_eq!(
        update.events.len(),
        events,
        "{number}: {:#?}",
        update.events
    );
    let oldest = update.events.first().expect("an event");
    let latest = update.events.last().expect("an event");
    assert_eq!(oldest.occurred_at.to_rfc3339(), first, "{number} first");
    assert_eq!(latest.occurred_at.to_rfc3339(), last, "{number} last");
    assert_eq!(update.status, status, "{number} status");
}

fn carrier_error(api: &str, body: &[u8]) -> (CarrierErrorKind, Option<String>, String) {
    match parse(api, body) {
        Err(TrackError::Carrier {
            kind,
            code,
            message,
            ..
        }) => (kind, code, message),
        other => panic!("{api}: expected a carrier error, got {other:?}"),
    }
}

#[test]
fn ups_activity_is_read_at_utc_and_typed_by_its_status_letter() {
    let updates = parsed("ups", "ups.json");
    assert_eq!(updates.len(), 1);
    let ups = &updates[0];
    // The package's own trackingNumber wins over the shipment's inquiry number; the
    // sample answer fills it with the placeholder "string".
    check(
        ups,
        "STRING",
        1,
        "2021-02-10T07:13:56+00:00",
        "2021-02-10T07:13:56+00:00",
        TrackingStatus::Exception,
    );
    let event = &ups.events[0];
    assert_eq!(event.carrier_code, "X");
    assert_eq!(event.location.as_deref(), Some("Wayne, NJ, US"));
    assert_eq!(
        event.description,
        "Your package was released by the customs agency. (SR)"
    );
    assert_eq!(
        ups.estimated_delivery, None,
        "placeholder dates are not dates"
    );
}

#[test]
fn ups_errors_and_not_found_warnings() {
    let (kind, code, message) = carrier_error("ups", &fixture("ups.error.json"));
    assert_eq!(kind, CarrierErrorKind::Other);
    assert_eq!(code.as_deref(), Some("TV1002"));
    assert_eq!(message, "Invalid inquiry number");
    let (kind, code, _) = carrier_error(
        "ups",
        &fixture("ups.trackingnumbernotfoundresponsejson.json"),
    );
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("TW0001"));
}

#[test]
fn fedex_scans_keep_their_offsets_and_unknown_numbers_are_left_out() {
    let updates = parsed("fedex", "fedex.json");
    assert_eq!(updates.len(), 1, "the NOTFOUND result has no scans");
    let fedex = &updates[0];
    check(
        fedex,
        "128667043726",
        1,
        "2018-02-02T19:01:00+00:00",
        "2018-02-02T19:01:00+00:00",
        TrackingStatus::InTransit,
    );
    assert_eq!(fedex.events[0].carrier_code, "PU");
    assert_eq!(fedex.events[0].location.as_deref(), Some("SEATTLE, WA, US"));
    assert_eq!(
        fedex.estimated_delivery.map(|t| t.to_rfc3339()).as_deref(),
        Some("2021-10-15T06:00:00+00:00")
    );
}

#[test]
fn fedex_errors_and_an_answer_of_only_unknown_numbers() {
    let (kind, code, message) = carrier_error("fedex", &fixture("fedex.error.json"));
    assert_eq!(kind, CarrierErrorKind::Other);
    assert_eq!(code.as_deref(), Some("TRACKING.TRACKINGNUMBER.EMPTY"));
    assert_eq!(message, "Please provide tracking number.");

    let mut answer: serde_json::Value = serde_json::from_slice(&fixture("fedex.json")).unwrap();
    let results = answer["output"]["completeTrackResults"]
        .as_array_mut()
        .unwrap();
    results.remove(0);
    let body = serde_json::to_vec(&answer).unwrap();
    let (kind, code, _) = carrier_error("fedex", &body);
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("TRACKING.TRACKINGNUMBER.NOTFOUND"));
}

#[test]
fn proof_of_delivery_answers_are_not_tracking_answers() {
    match parse("fedex", &fixture("fedex.pod.json")) {
        Err(TrackError::Malformed { api, reason }) => {
            assert_eq!(api, "fedex");
            assert!(reason.contains("SIGNATURE_PROOF_OF_DELIVERY"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse("mydhl", &fixture("mydhl.pod.json")),
        Err(TrackError::Malformed { api: "mydhl", .. })
    ));
}

#[test]
fn usps_events_use_their_gmt_timestamps_and_end_delivered() {
    for api in ["usps", "usps_international"] {
        let updates = parsed(api, &format!("{api}.json"));
        assert_eq!(updates.len(), 1);
        let usps = &updates[0];
        check(
            usps,
            "9400109104250532908587",
            12,
            "2024-11-15T16:32:33+00:00",
            "2024-11-22T18:58:40+00:00",
            TrackingStatus::Delivered,
        );
        assert_eq!(usps.events[0].carrier_code, "GX");
        assert_eq!(usps.events[0].status, TrackingStatus::InfoReceived);
        assert_eq!(usps.events[10].status, TrackingStatus::OutForDelivery);
        assert_eq!(
            usps.events[11].location.as_deref(),
            Some("HERNANDO, FL, 34442")
        );
    }
}

#[test]
fn usps_local_times_fall_back_to_their_gmt_offset() {
    let body = br#"{"trackingNumber":"9400109104250532908587","trackingEvents":[
        {"eventType":"Delivered","eventCode":"01","eventTimestamp":"2024-11-22T13:58:00","GMTOffset":"-05:00"}]}"#;
    let updates = parse("usps", body).unwrap();
    assert_eq!(
        updates[0].events[0].occurred_at.to_rfc3339(),
        "2024-11-22T18:58:00+00:00"
    );
}

#[test]
fn usps_errors_by_kind() {
    for api in ["usps", "usps_international"] {
        let (kind, code, _) = carrier_error(api, &fixture(&format!("{api}.error.json")));
        assert_eq!(kind, CarrierErrorKind::Other);
        assert_eq!(code.as_deref(), Some("string"));
    }
    let (kind, code, message) = carrier_error("usps", &fixture("usps.autherrorresponse.json"));
    assert_eq!(kind, CarrierErrorKind::Unauthorized);
    assert_eq!(code.as_deref(), Some("invalid_client"));
    assert_eq!(message, "Client authentication failed.");
    let not_found = br#"{"apiVersion":"v3","error":{"code":"404","message":"Not found","errors":[{"status":"404","code":"020302","title":"Tracking number not found"}]}}"#;
    assert_eq!(
        carrier_error("usps", not_found).0,
        CarrierErrorKind::NotFound
    );
}

#[test]
fn dhl_express_xml_holds_three_waybills() {
    let updates = parsed("dhl_express", "dhl_express.xml");
    assert_eq!(updates.len(), 3);
    check(
        &updates[0],
        "3180831640",
        16,
        "2009-08-28T13:26:00+00:00",
        "2009-08-31T10:09:00+00:00",
        TrackingStatus::Delivered,
    );
    let delivered = updates[0].events.last().unwrap();
    assert_eq!(delivered.carrier_code, "OK");
    assert_eq!(delivered.location.as_deref(), Some("Milan - Italy"));
    let arrived = &updates[0].events[4];
    assert_eq!(
        arrived.description,
        "Arrived at DHL facility in Barcelona - Spain"
    );
    check(
        &updates[1],
        "7740842550",
        1,
        "2009-08-26T10:00:00+00:00",
        "2009-08-26T10:00:00+00:00",
        TrackingStatus::InTransit,
    );
    check(
        &updates[2],
        "1815115363",
        2,
        "2009-08-13T23:58:00+00:00",
        "2009-08-14T02:19:50+00:00",
        TrackingStatus::InTransit,
    );
}

#[test]
fn dhl_express_xml_unknown_waybills() {
    let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<req:TrackingResponse xmlns:req="http://www.dhl.com">
  <Response><ServiceHeader><MessageTime>2002-06-25T11:28:56-08:00</MessageTime></ServiceHeader></Response>
  <AWBInfo><AWBNumber>1234567890</AWBNumber><Status><ActionStatus>No Shipments Found</ActionStatus></Status></AWBInfo>
</req:TrackingResponse>"#;
    let (kind, _, message) = carrier_error("dhl_express", body);
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(message, "No Shipments Found");
}

#[test]
fn mydhl_events_end_delivered() {
    let updates = parsed("mydhl", "mydhl.json");
    assert_eq!(updates.len(), 1);
    check(
        &updates[0],
        "9356579890",
        2,
        "2024-01-15T08:00:00+00:00",
        "2024-01-15T17:00:00+00:00",
        TrackingStatus::Delivered,
    );
    assert_eq!(
        updates[0].events[1].location.as_deref(),
        Some("New York, NY")
    );
    assert_eq!(
        updates[0]
            .estimated_delivery
            .map(|t| t.to_rfc3339())
            .as_deref(),
        Some("2024-01-15T17:00:00+00:00")
    );
    let (kind, code, message) = carrier_error("mydhl", &fixture("mydhl.error.json"));
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("404"));
    assert_eq!(message, "No shipments found for the given tracking number");
}

#[test]
fn dhl_universal_codes_are_prefixed() {
    let updates = parsed("dhl_universal", "dhl_universal.json");
    assert_eq!(updates.len(), 1);
    check(
        &updates[0],
        "7777777770",
        1,
        "2018-03-02T07:53:47+00:00",
        "2018-03-02T07:53:47+00:00",
        TrackingStatus::InfoReceived,
    );
    let event = &updates[0].events[0];
    assert_eq!(event.carrier_code, "universal:pre-transit");
    assert_eq!(event.location.as_deref(), Some("Oderweg 2, AMSTERDAM, NL"));
    assert_eq!(
        updates[0]
            .estimated_delivery
            .map(|t| t.to_rfc3339())
            .as_deref(),
        Some("2018-08-03T00:00:00+00:00")
    );
    let (kind, code, _) = carrier_error("dhl_universal", &fixture("dhl_universal.error.json"));
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("404"));
}

#[test]
fn dhl_parcel_de_reads_german_local_time() {
    let updates = parsed("dhl_parcel_de", "dhl_parcel_de.xml");
    assert_eq!(updates.len(), 1);
    // March 2016 before the switch to summer time: CET, UTC+1.
    check(
        &updates[0],
        "00340434161094015902",
        7,
        "2016-03-17T10:44:00+00:00",
        "2016-03-18T09:02:00+00:00",
        TrackingStatus::Delivered,
    );
    assert_eq!(
        updates[0].events[6].location.as_deref(),
        Some("Bonn, Germany")
    );
    assert_eq!(updates[0].events[5].status, TrackingStatus::OutForDelivery);

    let summer = String::from_utf8(fixture("dhl_parcel_de.xml"))
        .unwrap()
        .replace("18.03.2016 10:02", "18.07.2016 10:02");
    let updates = parse("dhl_parcel_de", summer.as_bytes()).unwrap();
    let last = updates[0].events.last().unwrap();
    assert_eq!(last.occurred_at.to_rfc3339(), "2016-07-18T08:02:00+00:00");

    let (kind, code, message) = carrier_error("dhl_parcel_de", &fixture("dhl_parcel_de.error.xml"));
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("100"));
    assert_eq!(message, "No data found");
}

#[test]
fn dhl_poland_reads_polish_summer_time_and_soap_faults() {
    let updates = parsed("dhl_poland", "dhl_poland.xml");
    assert_eq!(updates.len(), 1);
    // October 12th is still summer time in Warsaw: CEST, UTC+2.
    check(
        &updates[0],
        "24333892874",
        2,
        "2012-10-12T04:40:31+00:00",
        "2012-10-12T05:40:31+00:00",
        TrackingStatus::Unknown,
    );
    assert_eq!(updates[0].events[0].location.as_deref(), Some("string"));
    let (kind, code, message) = carrier_error("dhl_poland", &fixture("dhl_poland.error.xml"));
    assert_eq!(kind, CarrierErrorKind::Unauthorized);
    assert_eq!(code.as_deref(), Some("100"));
    assert_eq!(message, "Nieprawidlowe dane autoryzacyjne");
}

const FIXTURES: &[(&str, &str)] = &[
    ("ups", "ups.json"),
    ("ups", "ups.error.json"),
    ("ups", "ups.trackingnumbernotfoundresponsejson.json"),
    ("fedex", "fedex.json"),
    ("fedex", "fedex.error.json"),
    ("fedex", "fedex.pod.json"),
    ("usps", "usps.json"),
    ("usps", "usps.error.json"),
    ("usps", "usps.autherrorresponse.json"),
    ("usps_international", "usps_international.json"),
    ("usps_international", "usps_international.error.json"),
    ("dhl_express", "dhl_express.xml"),
    ("mydhl", "mydhl.json"),
    ("mydhl", "mydhl.error.json"),
    ("mydhl", "mydhl.pod.json"),
    ("dhl_universal", "dhl_universal.json"),
    ("dhl_universal", "dhl_universal.error.json"),
    ("dhl_parcel_de", "dhl_parcel_de.xml"),
    ("dhl_parcel_de", "dhl_parcel_de.error.xml"),
    ("dhl_poland", "dhl_poland.xml"),
    ("dhl_poland", "dhl_poland.error.xml"),
];

#[test]
fn truncated_answers_are_malformed_and_never_panic() {
    let registry = registry();
    for (api, file) in FIXTURES {
        let body = fixture(file);
        let len = body.trim_ascii_end().len();
        let step = (len / 60).max(1);
        for cut in (1..len).step_by(step) {
            match registry.parse_tracking(api, &body[..cut], None) {
                Err(TrackError::Malformed { .. }) => {}
                other => panic!("{file} cut at {cut}: {other:?}"),
            }
        }
    }
}

#[test]
fn garbage_is_malformed() {
    let registry = registry();
    let garbage: &[&[u8]] = &[
        b"",
        b"{}",
        b"null",
        b"<html><body>502 Bad Gateway</body></html>",
        b"\xff\xfe\x00garbage",
        br#"{"output": 3, "trackResponse": [1]}"#,
    ];
    for (api, _) in FIXTURES {
        for body in garbage {
            match registry.parse_tracking(api, body, None) {
                Err(TrackError::Malformed { .. }) => {}
                other => panic!("{api} on {:?}: {other:?}", String::from_utf8_lossy(body)),
            }
        }
    }
}

#[test]
fn every_api_of_this_group_is_listed() {
    let apis: Vec<_> = shipgate_carriers::track::apis().collect();
    for (api, code) in [
        ("ups", "ups"),
        ("fedex", "fedex"),
        ("usps", "usps"),
        ("usps_international", "usps"),
        ("dhl_express", "dhl_express"),
        ("mydhl", "dhl_express"),
        ("dhl_universal", "dhl_express"),
        ("dhl_parcel_de", "dhl_parcel_de"),
        ("dhl_poland", "dhl_poland"),
    ] {
        assert!(apis.contains(&(api, code)), "{api}");
    }
}
