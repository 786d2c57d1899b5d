//! SF Express open platform (丰桥 sfapi) route query, service `EXP_RECE_SEARCH_ROUTES`:
//! the envelope `{"apiResultCode","apiErrorMsg","apiResponseID","apiResultData"}` whose
//! `apiResultData` is itself a JSON string `{"success","errorCode","errorMsg","msgData":
//! {"routeResps":[{"mailNo","routes":[{"acceptTime","acceptAddress","remark",
//! "opCode"}]}]}}`, as SF's route-query documentation and public integrations show it
//! (<https://open.sf-express.com/Api/ApiDetails?apiServiceCode=EXP_RECE_SEARCH_ROUTES>).
//!
//! Event code: the route's `opCode` (50 picked up, 44 out for delivery, 80 delivered…).
//! Times: `acceptTime` is `yyyy-MM-dd HH:mm:ss` in China Standard Time (UTC+8, no offset
//! written). A waybill SF has no route for comes back with an empty `routes` list; it is
//! left out, and an answer with no routes at all is a "not found" refusal. Envelope codes
//! other than `A1000` are refusals: `A1004`/`A1006` (no right to the service, bad
//! signature) are credentials problems.

use super::util::{join_non_blank, json, malformed, refusal, Keep};
use super::{parse_local, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::FixedOffset;
use serde::Deserialize;

const API: &str = "sf_express";

/// China Standard Time, in which SF writes route times.
const CST_SECONDS: i32 = 8 * 3600;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    api_result_code: String,
    api_error_msg: Option<String>,
    api_result_data: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultData {
    success: bool,
    error_code: Option<String>,
    error_msg: Option<String>,
    msg_data: Option<MsgData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MsgData {
    #[serde(default)]
    route_resps: Vec<RouteResp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RouteResp {
    mail_no: String,
    #[serde(default)]
    routes: Vec<Route>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Route {
    accept_time: String,
    accept_address: Option<String>,
    remark: Option<String>,
    op_code: Option<String>,
}

/// Parses an `EXP_RECE_SEARCH_ROUTES` answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let envelope: Envelope = json(API, body)?;
    if envelope.api_result_code != "A1000" {
        let kind = match envelope.api_result_code.as_str() {
            "A1004" | "A1006" => CarrierErrorKind::Unauthorized,
            _ => CarrierErrorKind::Other,
        };
        return Err(refusal(
            API,
            kind,
            Some(envelope.api_result_code),
            envelope.api_error_msg.unwrap_or_default(),
        ));
    }
    let data = envelope
        .api_result_data
        .ok_or_else(|| malformed(API, "A1000 without apiResultData".into()))?;
    let data: ResultData =
        serde_json::from_str(&data).map_err(|e| malformed(API, format!("apiResultData: {e}")))?;
    if !data.success {
        return Err(refusal(
            API,
            CarrierErrorKind::Other,
            data.error_code,
            data.error_msg.unwrap_or_default(),
        ));
    }
    let offset = FixedOffset::east_opt(CST_SECONDS)
        .ok_or_else(|| malformed(API, "China Standard Time offset".into()))?;
    let mut parcels = Vec::new();
    for (r, resp) in data
        .msg_data
        .map(|m| m.route_resps)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        if resp.routes.is_empty() {
            continue;
        }
        let events = resp
            .routes
            .into_iter()
            .enumerate()
            .map(|(e, route)| {
                let occurred_at = parse_local(&route.accept_time, &["%Y-%m-%d %H:%M:%S"], offset)
                    .ok_or_else(|| {
                    malformed(
                        API,
                        format!(
                            "routeResps[{r}].routes[{e}].acceptTime {:?}",
                            route.accept_time
                        ),
                    )
                })?;
                Ok(CarrierEvent {
                    code: route.op_code.unwrap_or_default(),
                    description: route.remark.unwrap_or_default(),
                    occurred_at,
                    location: join_non_blank([route.accept_address], ", ", Keep::AsWritten),
                })
            })
            .collect::<Result<Vec<_>, TrackError>>()?;
        parcels.push(ParcelTrack {
            tracking_number: resp.mail_no,
            events,
            estimated_delivery: None,
        });
    }
    if parcels.is_empty() {
        return Err(refusal(
            API,
            CarrierErrorKind::NotFound,
            None,
            "no routes for the waybill numbers asked".into(),
        ));
    }
    Ok(parcels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_refusals_and_broken_result_data_are_told_apart() {
        let bad_signature =
            br#"{"apiResultCode":"A1006","apiErrorMsg":"bad","apiResultData":null}"#;
        match parse(bad_signature) {
            Err(TrackError::Carrier { kind, code, .. }) => {
                assert_eq!(kind, CarrierErrorKind::Unauthorized);
                assert_eq!(code.as_deref(), Some("A1006"));
            }
            other => panic!("{other:?}"),
        }
        let broken = br#"{"apiResultCode":"A1000","apiResultData":"{not json"}"#;
        assert!(matches!(parse(broken), Err(TrackError::Malformed { .. })));
        let refused = br#"{"apiResultCode":"A1000","apiResultData":"{\"success\":false,\"errorCode\":\"4001\",\"errorMsg\":\"x\"}"}"#;
        assert!(matches!(
            parse(refused),
            Err(TrackError::Carrier {
                kind: CarrierErrorKind::Other,
                ..
            })
        ));
        let bad_time = br#"{"apiResultCode":"A1000","apiResultData":"{\"success\":true,\"msgData\":{\"routeResps\":[{\"mailNo\":\"SF1\",\"routes\":[{\"acceptTime\":\"yesterday\",\"opCode\":\"50\"}]}]}}"}"#;
        assert!(matches!(parse(bad_time), Err(TrackError::Malformed { .. })));
    }
}
