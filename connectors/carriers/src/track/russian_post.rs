//! Russian Post single-access tracking: SOAP 1.2 operation `getOperationHistory` at
//! `https://tracking.russianpost.ru/rtm34` (<https://tracking.pochta.ru/specification>,
//! "Single access"). The answer is `Envelope/Body/getOperationHistoryResponse/
//! OperationHistoryData` with one `historyRecord` per operation, each holding
//! `AddressParameters/OperationAddress` (`Index`, `Description`), `ItemParameters/
//! Barcode` and `OperationParameters` (`OperType` and `OperAttr`, each `Id` + `Name`,
//! and `OperDate`). Elements come namespace-prefixed (`ns3:`); they are read by local
//! name.
//!
//! Event code: `"<OperType Id>.<OperAttr Id>"` (`"2.1"` вручение адресату, `"8.2"`
//! прибыло в место вручения), or `"<OperType Id>"` for a record without `OperAttr`: the
//! attribute's meaning depends on the type, so only the pair is exact (see
//! `mappings/carriers/russian_post.toml`).
//!
//! Times: `OperDate` carries its own offset (`2015-07-09T18:08:00.000+03:00` in the
//! docs' example), so it is converted as written.
//!
//! Errors are SOAP 1.2 faults (HTTP 500) whose `Detail` holds the WSDL's fault element:
//! `AuthorizationFaultReason` (credentials refused), `OperationHistoryFaultReason` (the
//! barcode cannot be tracked: the docs' example message for a malformed number is
//! "Формат данных запроса не соответствует установленному в регламенте обмена"),
//! `LanguageFaultReason` (unsupported `Language`). A known-format barcode with no
//! operations yet gets an empty `OperationHistoryData` ("the method returns null list"),
//! which is a "not found" refusal here.

use super::util::{join_non_blank, malformed, refusal, squash, utf8, xml, Keep};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;

const API: &str = "russian_post";

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Body")]
    body: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "getOperationHistoryResponse", default)]
    response: Option<Response>,
    #[serde(rename = "Fault", default)]
    fault: Option<Fault>,
}

#[derive(Deserialize)]
struct Response {
    #[serde(rename = "OperationHistoryData", default)]
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "historyRecord", default)]
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct Record {
    #[serde(rename = "AddressParameters", default)]
    address: Option<AddressParameters>,
    #[serde(rename = "ItemParameters", default)]
    item: Option<ItemParameters>,
    #[serde(rename = "OperationParameters")]
    operation: OperationParameters,
}

#[derive(Deserialize)]
struct AddressParameters {
    #[serde(rename = "OperationAddress", default)]
    operation_address: Option<Place>,
}

#[derive(Deserialize)]
struct Place {
    #[serde(rename = "Index", default)]
    index: Option<String>,
    #[serde(rename = "Description", default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct ItemParameters {
    #[serde(rename = "Barcode", default)]
    barcode: Option<String>,
}

#[derive(Deserialize)]
struct OperationParameters {
    #[serde(rename = "OperType")]
    oper_type: Coded,
    #[serde(rename = "OperAttr", default)]
    oper_attr: Option<Coded>,
    #[serde(rename = "OperDate")]
    oper_date: String,
}

/// An `Id` + `Name` pair (operation type or attribute).
#[derive(Deserialize)]
struct Coded {
    #[serde(rename = "Id")]
    id: String,
    #[serde(rename = "Name", default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Fault {
    #[serde(rename = "Code", default)]
    code: Option<FaultCode>,
    #[serde(rename = "Reason", default)]
    reason: Option<FaultReason>,
    #[serde(rename = "Detail", default)]
    detail: Option<Detail>,
}

#[derive(Deserialize)]
struct FaultCode {
    #[serde(rename = "Value", default)]
    value: Option<Text>,
}

#[derive(Deserialize)]
struct FaultReason {
    #[serde(rename = "Text", default)]
    text: Option<Text>,
}

/// The WSDL's fault parts (namespace `http://russianpost.org/operationhistory/data`).
#[derive(Deserialize)]
struct Detail {
    #[serde(rename = "AuthorizationFaultReason", default)]
    authorization: Option<Text>,
    #[serde(rename = "OperationHistoryFaultReason", default)]
    operation_history: Option<Text>,
    #[serde(rename = "LanguageFaultReason", default)]
    language: Option<Text>,
}

/// An element's text, whatever attributes (`xml:lang`, `xmlns:…`) it carries.
#[derive(Deserialize)]
struct Text {
    #[serde(rename = "$text", default)]
    value: String,
}

/// Parses a `getOperationHistory` answer or its fault.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let envelope: Envelope = xml(API, utf8(API, body)?)?;
    if let Some(fault) = envelope.body.fault {
        return Err(refused(fault));
    }
    let response = envelope.body.response.ok_or_else(|| {
        malformed(
            API,
            "Body holds neither getOperationHistoryResponse nor Fault".into(),
        )
    })?;
    let records = response.data.map(|d| d.records).unwrap_or_default();
    if records.is_empty() {
        return Err(refusal(
            API,
            CarrierErrorKind::NotFound,
            None,
            "no operations registered for the barcode".into(),
        ));
    }
    let tracking_number = records
        .iter()
        .filter_map(|r| r.item.as_ref()?.barcode.as_deref())
        .map(str::trim)
        .find(|b| !b.is_empty())
        .unwrap_or_default()
        .to_string();
    let events = records
        .into_iter()
        .enumerate()
        .map(|(i, record)| event(i, record))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(vec![ParcelTrack {
        tracking_number,
        events,
        estimated_delivery: None,
    }])
}

/// One record as an event; `i` names it in errors.
fn event(i: usize, record: Record) -> Result<CarrierEvent, TrackError> {
    let op = record.operation;
    let id = |what: &str, coded: &Coded| -> Result<u32, TrackError> {
        coded.id.trim().parse().map_err(|_| {
            malformed(
                API,
                format!(
                    "historyRecord[{i}].OperationParameters.{what}.Id: not a number: {:?}",
                    coded.id
                ),
            )
        })
    };
    let oper_type = id("OperType", &op.oper_type)?;
    let code = match &op.oper_attr {
        Some(attr) => format!("{oper_type}.{}", id("OperAttr", attr)?),
        None => oper_type.to_string(),
    };
    let occurred_at = parse_utc(&op.oper_date).ok_or_else(|| {
        malformed(
            API,
            format!(
                "historyRecord[{i}].OperationParameters.OperDate: not a time with offset: {:?}",
                op.oper_date
            ),
        )
    })?;
    let description = join_non_blank(
        [op.oper_type.name, op.oper_attr.and_then(|a| a.name)],
        ": ",
        Keep::Trimmed,
    )
    .unwrap_or_default();
    let place = record.address.and_then(|a| a.operation_address);
    let location = place.and_then(|p| join_non_blank([p.index, p.description], " ", Keep::Trimmed));
    Ok(CarrierEvent {
        code,
        description,
        occurred_at,
        location,
    })
}

/// A fault as a refusal: its detail element says which kind, its text what happened.
fn refused(fault: Fault) -> TrackError {
    let reason = fault
        .reason
        .and_then(|r| r.text)
        .map(|t| squash(&t.value))
        .unwrap_or_default();
    let soap_code = fault.code.and_then(|c| c.value).map(|v| squash(&v.value));
    let detail = fault.detail.unwrap_or(Detail {
        authorization: None,
        operation_history: None,
        language: None,
    });
    let words = |text: Text| match squash(&text.value) {
        empty if empty.is_empty() => reason.clone(),
        text => text,
    };
    if let Some(text) = detail.authorization {
        return refusal(
            API,
            CarrierErrorKind::Unauthorized,
            Some("AuthorizationFault".into()),
            words(text),
        );
    }
    if let Some(text) = detail.operation_history {
        return refusal(
            API,
            CarrierErrorKind::NotFound,
            Some("OperationHistoryFault".into()),
            words(text),
        );
    }
    if let Some(text) = detail.language {
        return refusal(
            API,
            CarrierErrorKind::Other,
            Some("LanguageFault".into()),
            words(text),
        );
    }
    refusal(API, CarrierErrorKind::Other, soap_code, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body>
      <ns7:getOperationHistoryResponse xmlns:ns3="http://russianpost.org/operationhistory/data" xmlns:ns7="http://russianpost.org/operationhistory">
        <ns3:OperationHistoryData><ns3:historyRecord>
          <ns3:ItemParameters><ns3:Barcode>RA644000001RU</ns3:Barcode></ns3:ItemParameters>
          <ns3:OperationParameters>
            <ns3:OperType><ns3:Id>9</ns3:Id><ns3:Name>Импорт международной почты</ns3:Name></ns3:OperType>
            <ns3:OperDate>DATE</ns3:OperDate>
          </ns3:OperationParameters>
        </ns3:historyRecord></ns3:OperationHistoryData>
      </ns7:getOperationHistoryResponse></S:Body></S:Envelope>"#;

    #[test]
    fn a_record_without_attribute_keeps_its_type_alone() {
        let body = RECORD.replace("DATE", "2024-02-01T10:00:00.000+03:00");
        let parcels = parse(body.as_bytes()).unwrap();
        assert_eq!(parcels[0].tracking_number, "RA644000001RU");
        let event = &parcels[0].events[0];
        assert_eq!(event.code, "9");
        assert_eq!(event.description, "Импорт международной почты");
        assert_eq!(event.occurred_at.to_rfc3339(), "2024-02-01T07:00:00+00:00");
        assert_eq!(event.location, None);
    }

    #[test]
    fn a_time_without_offset_or_a_non_numeric_id_is_malformed() {
        let local = RECORD.replace("DATE", "2024-02-01T10:00:00");
        match parse(local.as_bytes()) {
            Err(TrackError::Malformed { reason, .. }) => {
                assert!(reason.contains("historyRecord[0].OperationParameters.OperDate"))
            }
            other => panic!("{:?}", other.map(|p| p.len())),
        }
        let letters = RECORD
            .replace("DATE", "2024-02-01T10:00:00+03:00")
            .replace("<ns3:Id>9<", "<ns3:Id>nine<");
        match parse(letters.as_bytes()) {
            Err(TrackError::Malformed { reason, .. }) => assert!(reason.contains("OperType.Id")),
            other => panic!("{:?}", other.map(|p| p.len())),
        }
    }

    #[test]
    fn a_fault_without_detail_keeps_the_soap_code() {
        let body = r#"<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body><S:Fault>
          <S:Code><S:Value>S:Receiver</S:Value></S:Code>
          <S:Reason><S:Text xml:lang="en">Internal error</S:Text></S:Reason>
        </S:Fault></S:Body></S:Envelope>"#;
        match parse(body.as_bytes()) {
            Err(TrackError::Carrier {
                kind,
                code,
                message,
                ..
            }) => {
                assert_eq!(kind, CarrierErrorKind::Other);
                assert_eq!(code.as_deref(), Some("S:Receiver"));
                assert_eq!(message, "Internal error");
            }
            other => panic!("{:?}", other.map(|p| p.len())),
        }
    }
}
