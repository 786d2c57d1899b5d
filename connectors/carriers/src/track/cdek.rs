//! CDEK API v2 order details, `GET /v2/orders?cdek_number={n}` or `GET /v2/orders/{uuid}`
//! (<https://api-docs.cdek.ru/33828849.html>): `{"entity":{"uuid","cdek_number",
//! "statuses":[{"code","name","date_time","city"}],…},"requests":[{"type","state",
//! "date_time","errors":[{"code","message"}]}],"related_entities":[…]}`.
//!
//! Event code: the status `code` of CDEK's "Appendix 1. Order statuses" (CREATED,
//! RECEIVED_AT_SHIPMENT_WAREHOUSE, TAKEN_BY_COURIER, DELIVERED…), mapped by the
//! `[statuses]` table of `mappings/carriers/cdek.toml`. Times: `date_time` is written
//! `yyyy-MM-dd'T'HH:mm:ssZ` with the offset of the place (`2020-01-28T16:19:26+0700`), so
//! it converts to UTC as written. `cdek_number` is documented as a "long"; sample answers
//! write it as a string, so both are read.
//!
//! Refusals: an order CDEK does not know comes back with HTTP 400 and no entity,
//! `{"requests":[{"type":"GET","state":"INVALID","errors":[{"code":"v2_entity_not_found",
//! "message":"Entity is not found by uuid …"}]}]}` (error codes `v2_entity_not_found`,
//! `v2_order_not_found`, `v2_entity_not_found_im_number` in CDEK's error list); some
//! errors come as a top-level `{"errors":[{"code","message"}]}`. Codes with `not_found`
//! are "not found"; `v2_token_expired` or a refused `AUTH` request are credentials
//! problems. An order that exists but has no `cdek_number` yet (registration still
//! running) keeps the number that was asked for.

use super::util::{at_path, json, malformed, refusal};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;
use serde_json::Value;

const API: &str = "cdek";

#[derive(Deserialize)]
struct Answer {
    entity: Option<Entity>,
    #[serde(default)]
    requests: Vec<Request>,
    #[serde(default)]
    errors: Vec<ApiError>,
}

#[derive(Deserialize)]
struct Entity {
    cdek_number: Option<Number>,
    #[serde(default)]
    statuses: Vec<Status>,
}

/// `cdek_number`: a "long" in the field table, a string in the samples.
#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Text(String),
    Integer(u64),
}

#[derive(Deserialize)]
struct Status {
    code: String,
    name: Option<String>,
    date_time: String,
    city: Option<String>,
}

#[derive(Deserialize)]
struct Request {
    #[serde(rename = "type")]
    kind: Option<String>,
    state: Option<String>,
    #[serde(default)]
    errors: Vec<ApiError>,
}

#[derive(Deserialize)]
struct ApiError {
    code: String,
    message: Option<String>,
}

/// The kind of a CDEK refusal, from its error codes and the request that failed.
fn kind(errors: &[&ApiError], auth_request: bool) -> CarrierErrorKind {
    if auth_request || errors.iter().any(|e| e.code == "v2_token_expired") {
        CarrierErrorKind::Unauthorized
    } else if errors.iter().any(|e| e.code.contains("not_found")) {
        CarrierErrorKind::NotFound
    } else {
        CarrierErrorKind::Other
    }
}

/// Parses an order-details answer (or its refusal).
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    // serde would also read a struct from a JSON array, position by position: only an
    // object (with an object entity) is this API's answer.
    let value: Value = json(API, body)?;
    if !value.is_object() {
        return Err(malformed(API, "the answer is not a JSON object".into()));
    }
    if !(value["entity"].is_null() || value["entity"].is_object()) {
        return Err(malformed(API, "entity is not an object".into()));
    }
    let answer: Answer = serde_path_to_error::deserialize(value).map_err(|e| at_path(API, e))?;
    let Some(entity) = answer.entity else {
        let refused: Vec<&Request> = answer
            .requests
            .iter()
            .filter(|r| r.state.as_deref() == Some("INVALID"))
            .collect();
        let errors: Vec<&ApiError> = answer
            .errors
            .iter()
            .chain(refused.iter().flat_map(|r| r.errors.iter()))
            .collect();
        if errors.is_empty() && refused.is_empty() {
            return Err(malformed(
                API,
                "neither an entity nor errors in the answer".into(),
            ));
        }
        let auth = refused.iter().any(|r| r.kind.as_deref() == Some("AUTH"));
        let code = errors.first().map(|e| e.code.clone());
        let message = errors
            .iter()
            .map(|e| e.message.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(refusal(API, kind(&errors, auth), code, message));
    };
    let tracking_number = match entity.cdek_number {
        Some(Number::Text(text)) => text,
        Some(Number::Integer(n)) => n.to_string(),
        None => String::new(),
    };
    let events = entity
        .statuses
        .into_iter()
        .enumerate()
        .map(|(i, status)| {
            let occurred_at = parse_utc(&status.date_time).ok_or_else(|| {
                malformed(
                    API,
                    format!("entity.statuses[{i}].date_time {:?}", status.date_time),
                )
            })?;
            Ok(CarrierEvent {
                description: status.name.unwrap_or_else(|| status.code.clone()),
                code: status.code,
                occurred_at,
                location: status
                    .city
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty()),
            })
        })
        .collect::<Result<Vec<_>, TrackError>>()?;
    Ok(vec![ParcelTrack {
        tracking_number,
        events,
        estimated_delivery: None,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_told_apart_by_their_codes() {
        let unknown = br#"{"requests":[{"type":"GET","state":"INVALID","date_time":"2026-08-05T11:08:57+0000","errors":[{"code":"v2_entity_not_found","message":"Entity is not found"}]}],"related_entities":[]}"#;
        match parse(unknown) {
            Err(TrackError::Carrier { kind, code, .. }) => {
                assert_eq!(kind, CarrierErrorKind::NotFound);
                assert_eq!(code.as_deref(), Some("v2_entity_not_found"));
            }
            other => panic!("{other:?}"),
        }
        let expired = br#"{"errors":[{"code":"v2_token_expired","message":"expired"}]}"#;
        assert!(matches!(
            parse(expired),
            Err(TrackError::Carrier {
                kind: CarrierErrorKind::Unauthorized,
                ..
            })
        ));
        let bad = br#"{"errors":[{"code":"v2_invalid_format","message":"Invalid value"}]}"#;
        assert!(matches!(
            parse(bad),
            Err(TrackError::Carrier {
                kind: CarrierErrorKind::Other,
                ..
            })
        ));
    }

    #[test]
    fn numbers_as_text_or_integer_and_bad_times_are_malformed() {
        let integer = br#"{"entity":{"uuid":"u","cdek_number":1105661402,"statuses":[{"code":"CREATED","name":"Created","date_time":"2020-01-28T16:19:28+0700","city":"Moscow"}]}}"#;
        let parcels = parse(integer).unwrap();
        assert_eq!(parcels[0].tracking_number, "1105661402");
        assert_eq!(
            parcels[0].events[0].occurred_at.to_rfc3339(),
            "2020-01-28T09:19:28+00:00"
        );
        let bad_time = br#"{"entity":{"cdek_number":"1","statuses":[{"code":"CREATED","date_time":"yesterday"}]}}"#;
        match parse(bad_time) {
            Err(TrackError::Malformed { reason, .. }) => {
                assert!(reason.contains("statuses[0].date_time"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        for not_an_answer in [
            &br#"{"related_entities":[]}"#[..],
            br#"[{"entity":{"cdek_number":"1"}}]"#,
            br#"{"entity":[]}"#,
        ] {
            assert!(matches!(
                parse(not_an_answer),
                Err(TrackError::Malformed { .. })
            ));
        }
    }
}
