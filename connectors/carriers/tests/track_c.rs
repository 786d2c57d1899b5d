//! Tracking answers of Canada Post, Purolator, Australia Post, Landmark Global, SEKO,
//! Sendle, SmartKargo, Spring GDS, Teleship, Russian Post and CDEK: the carriers' own
//! sample answers parse into parcels with UTC events and the right final status, their
//! error answers into the right error kind, and broken bodies into `Malformed` without a
//! panic. Russian Post's and CDEK's samples live with their sandboxes
//! (`sandbox-data/russian_post/`, built on the specification's example, and
//! `sandbox-data/cdek/`; see SOURCES.md in each): the shared fixtures hold none.

use shipgate_carriers::track::{CarrierErrorKind, TrackError};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{TrackingStatus, TrackingUpdate};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Loaded once: compiling every carrier's patterns per call would dominate the run.
fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
        Registry::load_dir(dir).unwrap_or_else(|errors| panic!("mappings must load: {errors:#?}"))
    })
}

/// A shared tracking fixture, or a sample kept with a sandbox (`sandbox-data/…`).
fn fixture(name: &str) -> Vec<u8> {
    let path = if name.starts_with("sandbox-data/") {
        format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))
    } else {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures/carriers/tracking/"
        );
        format!("{dir}{name}")
    };
    std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse(api: &str, name: &str) -> Vec<TrackingUpdate> {
    registry()
        .parse_tracking(api, &fixture(name), None)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Count, first and last event times, final status and the last event's place.
fn assert_parcel(
    update: &TrackingUpdate,
    number: &str,
    count: usize,
    first: &str,
    last: &str,
    status: TrackingStatus,
    last_location: Option<&str>,
) {
    assert_eq!(update.tracking_number.as_str(), number);
    assert_eq!(update.events.len(), count, "{number} events");
    let (Some(oldest), Some(latest)) = (update.events.first(), update.events.last()) else {
        panic!("{number} has no events");
    };
    assert_eq!(oldest.occurred_at.to_rfc3339(), first, "{number} first");
    assert_eq!(latest.occurred_at.to_rfc3339(), last, "{number} last");
    assert_eq!(update.status, status, "{number} status");
    assert_eq!(
        latest.location.as_deref(),
        last_location,
        "{number} location"
    );
}

fn carrier_error(api: &str, name: &str) -> (CarrierErrorKind, Option<String>, String) {
    match registry().parse_tracking(api, &fixture(name), None) {
        Err(TrackError::Carrier {
            kind,
            code,
            message,
            ..
        }) => (kind, code, message),
        other => panic!("{name}: expected a carrier error, got {other:?}"),
    }
}

#[test]
fn canada_post_events_are_read_in_their_own_zone() {
    let updates = parse("canadapost", "canadapost.xml");
    assert_eq!(updates.len(), 1);
    let parcel = &updates[0];
    // 07:59:52 EST is 12:59:52 UTC; the signature recorded at delivery ends it.
    assert_parcel(
        parcel,
        "7023210039414604",
        6,
        "2011-02-01T12:59:52+00:00",
        "2011-02-03T16:59:59+00:00",
        TrackingStatus::Delivered,
        Some("SAINTE-FOY, QC"),
    );
    let out = parcel.events.iter().find(|e| e.carrier_code == "0174");
    assert_eq!(out.map(|e| e.status), Some(TrackingStatus::OutForDelivery));
    assert_eq!(
        parcel.estimated_delivery.map(|t| t.to_rfc3339()).as_deref(),
        Some("2011-04-05T00:00:00+00:00")
    );
}

#[test]
fn canada_post_no_pin_history_is_not_found() {
    let (kind, code, message) = carrier_error("canadapost", "canadapost.error.xml");
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("004"));
    assert_eq!(message, "No Pin History");
}

#[test]
fn canada_post_unknown_time_zone_is_malformed() {
    let body = String::from_utf8(fixture("canadapost.xml"))
        .unwrap()
        .replacen("<event-time-zone>EST<", "<event-time-zone>XYZ<", 1);
    match registry().parse_tracking("canadapost", body.as_bytes(), None) {
        Err(TrackError::Malformed { reason, .. }) => {
            assert!(reason.contains("occurrence[0]/event-time-zone"), "{reason}")
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn purolator_keeps_a_repeated_scan_once() {
    let updates = parse("purolator", "purolator.xml");
    assert_eq!(updates.len(), 1);
    assert_parcel(
        &updates[0],
        "M123",
        1,
        "2004-01-13T17:23:00+00:00",
        "2004-01-13T17:23:00+00:00",
        TrackingStatus::InTransit,
        Some("MONTREAL SORT CTR/CTR TRIE, PQ"),
    );
    assert_eq!(updates[0].events[0].carrier_code, "Other");
    assert_eq!(
        updates[0].events[0].description,
        "New Tracking Number Assigned"
    );
}

#[test]
fn purolator_errors_and_faults_are_carrier_errors() {
    let answer = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <TrackPackagesByPinResponse xmlns="http://purolator.com/pws/datatypes/v1">
        <ResponseInformation><Errors><Error><Code>3001301</Code>
          <Description>PIN not found</Description><AdditionalInformation/></Error></Errors>
        </ResponseInformation><TrackingInformationList/>
      </TrackPackagesByPinResponse></s:Body></s:Envelope>"#;
    match registry().parse_tracking("purolator", answer.as_bytes(), None) {
        Err(TrackError::Carrier { kind, code, .. }) => {
            assert_eq!(kind, CarrierErrorKind::NotFound);
            assert_eq!(code.as_deref(), Some("3001301"));
        }
        other => panic!("expected a carrier error, got {other:?}"),
    }
    let fault = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <s:Fault><faultcode>s:Client</faultcode><faultstring>Authentication failed</faultstring>
      </s:Fault></s:Body></s:Envelope>"#;
    match registry().parse_tracking("purolator", fault.as_bytes(), None) {
        Err(TrackError::Carrier { kind, message, .. }) => {
            assert_eq!(kind, CarrierErrorKind::Unauthorized);
            assert_eq!(message, "Authentication failed");
        }
        other => panic!("expected a carrier error, got {other:?}"),
    }
}

#[test]
fn australia_post_gives_one_parcel_per_article() {
    let updates = parse("australiapost", "australiapost.json");
    assert_eq!(updates.len(), 3);
    assert_parcel(
        &updates[0],
        "ET123456789AU",
        8,
        "2021-01-26T13:22:43+00:00",
        "2021-02-02T21:08:00+00:00",
        TrackingStatus::InTransit,
        None,
    );
    assert_parcel(
        &updates[1],
        "LX123456789US",
        9,
        "2021-01-05T21:27:00+00:00",
        "2021-01-21T00:04:27+00:00",
        TrackingStatus::Delivered,
        Some("KEW VIC"),
    );
    assert_parcel(
        &updates[2],
        "00123456789000123400",
        10,
        "2021-01-27T02:31:07+00:00",
        "2021-02-01T20:38:56+00:00",
        TrackingStatus::Delivered,
        Some("NZ"),
    );
    assert_eq!(updates[0].events[0].status, TrackingStatus::InfoReceived);
}

#[test]
fn australia_post_refusals_keep_their_kind() {
    let (kind, code, _) = carrier_error("australiapost", "australiapost.error.json");
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("ESB-10001"));
    let (kind, code, message) = carrier_error("australiapost", "australiapost.errorresponse.json");
    assert_eq!(kind, CarrierErrorKind::Other);
    assert_eq!(code.as_deref(), Some("51101"));
    assert!(message.starts_with("TOO_MANY_AP_TRACKING_IDS"), "{message}");
}

#[test]
fn landmark_reads_both_time_formats() {
    let updates = parse("landmark", "landmark.tracking.xml");
    assert_eq!(updates.len(), 1);
    assert_parcel(
        &updates[0],
        "LTN123121",
        2,
        "2025-09-30T11:45:00+00:00",
        "2025-10-01T15:02:00+00:00",
        TrackingStatus::InTransit,
        Some("Anytown, US"),
    );
    let early = parse("landmark", "landmark.early_stage.xml");
    assert_eq!(early.len(), 1);
    assert_parcel(
        &early[0],
        "1Z999AA10123456784",
        5,
        "2025-10-01T08:00:00+00:00",
        "2025-10-01T12:00:00+00:00",
        TrackingStatus::InTransit,
        Some("Los Angeles, CA, US"),
    );
    assert_eq!(early[0].events[0].status, TrackingStatus::InfoReceived);
    let routed = parse("landmark", "landmark.to_be_routed.xml");
    assert_eq!(routed.len(), 1);
    assert_parcel(
        &routed[0],
        "H00TCC0028567558",
        1,
        "2026-01-28T03:40:52+00:00",
        "2026-01-28T03:40:52+00:00",
        TrackingStatus::InfoReceived,
        Some("North Shields"),
    );
}

#[test]
fn landmark_login_error_is_unauthorized() {
    let (kind, code, message) = carrier_error("landmark", "landmark.error.xml");
    assert_eq!(kind, CarrierErrorKind::Unauthorized);
    assert_eq!(code.as_deref(), Some("Login"));
    assert!(message.contains("username/password"), "{message}");
}

#[test]
fn seko_maps_omni_codes_to_delivered() {
    let updates = parse("seko", "seko.json");
    assert_eq!(updates.len(), 1);
    assert_parcel(
        &updates[0],
        "999880931315",
        10,
        "2024-12-13T09:55:23.043+00:00",
        "2024-12-24T13:31:47+00:00",
        TrackingStatus::Delivered,
        Some("NL"),
    );
    assert_eq!(updates[0].events[0].carrier_code, "OP-1");
    assert_eq!(updates[0].events[0].status, TrackingStatus::InfoReceived);
}

#[test]
fn seko_validation_error_is_other() {
    let (kind, code, message) = carrier_error("seko", "seko.error.json");
    assert_eq!(kind, CarrierErrorKind::Other);
    assert_eq!(code, None);
    assert_eq!(
        message,
        "Destination.Address.CountryCode: CountryCode is required"
    );
}

#[test]
fn sendle_answer_without_its_reference_takes_the_number_asked_for() {
    // Sendle's tracking answer does not repeat the reference asked about; the registry
    // refuses a parcel without a number rather than inventing one, and names it with the
    // number the request asked about when it has it.
    match registry().parse_tracking("sendle", &fixture("sendle.json"), None) {
        Err(TrackError::Malformed { api, reason }) => {
            assert_eq!(api, "registry");
            assert!(reason.contains("tracking number"), "{reason}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    let updates = registry()
        .parse_tracking("sendle", &fixture("sendle.json"), Some("S3ND73"))
        .unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].tracking_number.as_str(), "S3ND73");
    assert_eq!(updates[0].status, TrackingStatus::Delivered);
}

#[test]
fn sendle_events_map_to_delivered_when_the_reference_is_given() {
    let body = String::from_utf8(fixture("sendle.json")).unwrap();
    let body = body.replacen('{', r#"{"sendle_reference": "S3ND73","#, 1);
    let updates = registry()
        .parse_tracking("sendle", body.as_bytes(), None)
        .unwrap();
    assert_eq!(updates.len(), 1);
    assert_parcel(
        &updates[0],
        "S3ND73",
        9,
        "2023-04-03T08:20:00+00:00",
        "2023-04-05T18:56:00+00:00",
        TrackingStatus::Delivered,
        Some("NEW YORK, NY"),
    );
    let first = &updates[0].events[0];
    assert_eq!(first.status, TrackingStatus::InfoReceived);
    assert!(first.description.ends_with("(Parcel not ready)"));
    assert_eq!(updates[0].estimated_delivery, None);
}

#[test]
fn sendle_not_found_is_not_found() {
    let (kind, code, _) = carrier_error("sendle", "sendle.error.json");
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("not_found"));
}

#[test]
fn smartkargo_groups_piece_events_by_waybill() {
    let updates = parse("smartkargo", "smartkargo.json");
    assert_eq!(updates.len(), 1);
    assert_parcel(
        &updates[0],
        "AXB00006510",
        2,
        "2021-01-25T13:03:17+00:00",
        "2021-01-26T14:30:00+00:00",
        TrackingStatus::Delivered,
        Some("LAX"),
    );
    assert_eq!(
        updates[0]
            .estimated_delivery
            .map(|t| t.to_rfc3339())
            .as_deref(),
        Some("2021-01-28T23:59:00+00:00")
    );
}

#[test]
fn smartkargo_not_found_is_not_found() {
    let (kind, code, message) = carrier_error("smartkargo", "smartkargo.error.json");
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("NOT_FOUND"));
    assert_eq!(message, "Tracking information not found");
}

#[test]
fn spring_reads_unix_timestamps() {
    let updates = parse("spring", "spring.json");
    assert_eq!(updates.len(), 1);
    assert_parcel(
        &updates[0],
        "LXAB00000000NL",
        2,
        "2024-01-01T12:00:00+00:00",
        "2024-01-02T12:00:00+00:00",
        TrackingStatus::Delivered,
        Some("Berlin, DE"),
    );
    assert_eq!(updates[0].events[0].carrier_code, "20");
}

#[test]
fn spring_fatal_error_level_is_not_found() {
    let (kind, _, message) = carrier_error("spring", "spring.error.json");
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(message, "Tracking number not found");
}

#[test]
fn teleship_keeps_its_codes_and_estimate() {
    let updates = parse("teleship", "teleship.json");
    assert_eq!(updates.len(), 1);
    assert_parcel(
        &updates[0],
        "TELESHIP12345678901",
        5,
        "2025-01-15T09:15:00+00:00",
        "2025-01-18T08:00:00+00:00",
        TrackingStatus::InTransit,
        Some("Los Angeles, CA, US"),
    );
    assert_eq!(
        updates[0]
            .estimated_delivery
            .map(|t| t.to_rfc3339())
            .as_deref(),
        Some("2025-01-20T00:00:00+00:00")
    );
}

#[test]
fn teleship_404_is_not_found() {
    let (kind, code, message) = carrier_error("teleship", "teleship.error.json");
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("404"));
    assert!(message.starts_with("Tracking number not found; No shipment found"));
}

#[test]
fn cdek_history_is_read_in_each_citys_offset_to_delivered() {
    let updates = parse("cdek", "sandbox-data/cdek/order.delivered.json");
    assert_eq!(updates.len(), 1);
    assert_parcel(
        &updates[0],
        "1106000001",
        10,
        "2026-11-20T07:02:11+00:00",
        "2026-11-23T07:31:27+00:00",
        TrackingStatus::Delivered,
        Some("Новосибирск"),
    );
    let statuses: Vec<TrackingStatus> = updates[0].events.iter().map(|e| e.status).collect();
    assert_eq!(statuses[0], TrackingStatus::InfoReceived);
    assert_eq!(statuses[2], TrackingStatus::InTransit);
    assert_eq!(statuses[8], TrackingStatus::OutForDelivery);
}

#[test]
fn cdek_unknown_order_is_not_found() {
    let (kind, code, message) = carrier_error("cdek", "sandbox-data/cdek/order.not_found.json");
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("v2_entity_not_found"));
    assert!(message.starts_with("Entity is not found"), "{message}");
}

/// Every fixture of the group, with a fixture of another API that is not its shape.
const FIXTURES: &[(&str, &[&str], &str)] = &[
    (
        "canadapost",
        &["canadapost.xml", "canadapost.error.xml"],
        "landmark.tracking.xml",
    ),
    ("purolator", &["purolator.xml"], "canadapost.xml"),
    (
        "australiapost",
        &[
            "australiapost.json",
            "australiapost.error.json",
            "australiapost.errorresponse.json",
        ],
        "teleship.json",
    ),
    (
        "landmark",
        &[
            "landmark.tracking.xml",
            "landmark.early_stage.xml",
            "landmark.to_be_routed.xml",
            "landmark.error.xml",
        ],
        "purolator.xml",
    ),
    ("seko", &["seko.json", "seko.error.json"], "smartkargo.json"),
    (
        "sendle",
        &["sendle.json", "sendle.error.json"],
        "spring.json",
    ),
    (
        "smartkargo",
        &["smartkargo.json", "smartkargo.error.json"],
        "seko.json",
    ),
    (
        "spring",
        &["spring.json", "spring.error.json"],
        "sendle.json",
    ),
    (
        "teleship",
        &["teleship.json", "teleship.error.json"],
        "australiapost.json",
    ),
    (
        "cdek",
        &[
            "sandbox-data/cdek/order.delivered.json",
            "sandbox-data/cdek/order.not_found.json",
        ],
        "seko.json",
    ),
];

fn assert_malformed(api: &str, what: &str, body: &[u8]) {
    match registry().parse_tracking(api, body, None) {
        Err(TrackError::Malformed { api: who, reason }) => {
            assert_eq!(who, api, "{what}: {reason}");
            assert!(!reason.is_empty());
        }
        other => panic!("{api} {what}: expected Malformed, got {other:?}"),
    }
}

#[test]
fn truncated_garbage_and_foreign_bodies_are_malformed() {
    for (api, names, foreign) in FIXTURES {
        for name in *names {
            let body = fixture(name);
            let end = body.trim_ascii_end().len();
            for cut in [end / 3, end / 2, end - 2] {
                assert_malformed(api, &format!("{name} cut at {cut}"), &body[..cut]);
            }
        }
        assert_malformed(api, "nothing", b"");
        assert_malformed(api, "garbage", b"\xff\xfe not an answer");
        assert_malformed(api, "a number", b"42");
        assert_malformed(api, foreign, &fixture(foreign));
    }
}

#[test]
fn no_byte_mutation_panics() {
    let registry = registry();
    for (api, names, _) in FIXTURES {
        for name in *names {
            let body = fixture(name);
            for at in (0..body.len()).step_by(7) {
                for byte in [b'"', b'<', b'0', b'}', 0xC3] {
                    let mut mutated = body.clone();
                    mutated[at] = byte;
                    // Any answer or error will do; a panic fails the test.
                    let _ = registry.parse_tracking(api, &mutated, None);
                }
            }
        }
    }
}

fn russian_post_sample(name: &str) -> Vec<u8> {
    fixture(&format!("sandbox-data/russian_post/{name}"))
}

const RUSSIAN_POST_SAMPLES: &[&str] = &[
    "getOperationHistory.xml",
    "getOperationHistory.empty.xml",
    "authorizationFault.xml",
    "operationHistoryFault.xml",
];

#[test]
fn russian_post_history_maps_type_and_attribute_with_each_offset() {
    let updates = registry()
        .parse_tracking(
            "russian_post",
            &russian_post_sample("getOperationHistory.xml"),
            None,
        )
        .unwrap();
    assert_eq!(updates.len(), 1);
    // Приём in Moscow at 18:08 +03:00; вручение адресату in Norilsk at 16:45 +07:00.
    assert_parcel(
        &updates[0],
        "EA123456789RU",
        6,
        "2015-07-09T15:08:00+00:00",
        "2015-07-15T09:45:00+00:00",
        TrackingStatus::Delivered,
        Some("663300 Норильск Почтамт"),
    );
    let statuses: Vec<(&str, TrackingStatus)> = updates[0]
        .events
        .iter()
        .map(|e| (e.carrier_code.as_str(), e.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("1.1", TrackingStatus::InTransit),
            ("8.1", TrackingStatus::InTransit),
            ("8.3", TrackingStatus::InTransit),
            ("8.4", TrackingStatus::InTransit),
            ("8.2", TrackingStatus::AvailableForPickup),
            ("2.1", TrackingStatus::Delivered),
        ]
    );
    assert_eq!(
        updates[0].events[5].description,
        "Вручение: Вручение адресату"
    );
}

#[test]
fn russian_post_same_type_other_attribute_is_another_status() {
    let body = String::from_utf8(russian_post_sample("getOperationHistory.xml")).unwrap();
    // The last record's attribute 1 (вручение адресату) → 2 (вручение отправителю).
    let at = body.rfind("<ns3:Id>1</ns3:Id>").unwrap();
    let returned = format!("{}<ns3:Id>2</ns3:Id>{}", &body[..at], &body[at + 18..]);
    let updates = registry()
        .parse_tracking("russian_post", returned.as_bytes(), None)
        .unwrap();
    assert_eq!(updates[0].events[5].carrier_code, "2.2");
    assert_eq!(updates[0].status, TrackingStatus::Returned);
}

#[test]
fn russian_post_faults_and_empty_histories_are_carrier_errors() {
    let error = |name: &str| match registry().parse_tracking(
        "russian_post",
        &russian_post_sample(name),
        None,
    ) {
        Err(TrackError::Carrier {
            kind,
            code,
            message,
            ..
        }) => (kind, code, message),
        other => panic!("{name}: expected a carrier error, got {other:?}"),
    };
    let (kind, code, message) = error("authorizationFault.xml");
    assert_eq!(kind, CarrierErrorKind::Unauthorized);
    assert_eq!(code.as_deref(), Some("AuthorizationFault"));
    assert_eq!(message, "Ошибка авторизации: неверный логин или пароль");
    let (kind, code, message) = error("operationHistoryFault.xml");
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code.as_deref(), Some("OperationHistoryFault"));
    assert_eq!(
        message,
        "Формат данных запроса не соответствует установленному в регламенте обмена"
    );
    let (kind, code, _) = error("getOperationHistory.empty.xml");
    assert_eq!(kind, CarrierErrorKind::NotFound);
    assert_eq!(code, None);
}

#[test]
fn russian_post_broken_and_foreign_bodies_are_malformed_and_never_panic() {
    let registry = registry();
    for name in RUSSIAN_POST_SAMPLES {
        let body = russian_post_sample(name);
        let end = body.trim_ascii_end().len();
        for cut in [end / 3, end / 2, end - 2] {
            assert_malformed(
                "russian_post",
                &format!("{name} cut at {cut}"),
                &body[..cut],
            );
        }
        for at in (0..body.len()).step_by(7) {
            for byte in [b'"', b'<', b'0', b'>', 0xC3] {
                let mut mutated = body.clone();
                mutated[at] = byte;
                let _ = registry.parse_tracking("russian_post", &mutated, None);
            }
        }
    }
    assert_malformed("russian_post", "nothing", b"");
    assert_malformed("russian_post", "garbage", b"\xff\xfe not an answer");
    assert_malformed("russian_post", "json", br#"{"OperationHistoryData": []}"#);
    assert_malformed("russian_post", "canadapost.xml", &fixture("canadapost.xml"));
    assert_malformed("russian_post", "dpd.xml", &fixture("dpd.xml"));
}
