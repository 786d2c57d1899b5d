//! Tracking back through `ValidateOrderList`: `OrderState=Shipped` with `CarrierName`,
//! `TrackingNumber`, `TrackingUrl`, and each line `AcceptationState=ShippedBySeller`.
//!
//! The trap this guards: Cdiscount answers `OperationSuccess=true` for the call while
//! refusing an order inside it (`Validated=false`, recorded in
//! `ValidateOrderList.validate_order_list_with_new_action_not_allowed`). Both levels are
//! checked; a refused order is an error carrying Cdiscount's own message for it.
//!
//! Idempotent: the order is read first (`GetOrderList` by `OrderReferenceList`); an
//! order already `Shipped` is reported as `already_existed` and nothing is sent.
//!
//! Carrier: Cdiscount's 2016 notice on `ValidateOrderList` says the carrier may be
//! chosen from `GetGlobalConfiguration`'s list (recommended) or typed freely, so the
//! carrier's Cdiscount spelling is used when known and its own name otherwise.

use super::client::SoapClient;
use super::envelope::{
    get_order_list, validate_order_list, OrderFilter, References, ValidateOrder, ValidateOrderLine,
    ValidateOrderLines,
};
use super::model::{is_true, SoapOrder, ValidateOrderListResult};
use super::pull::split;
use crate::error::outcome_error;
use crate::mapping::soap::read_order;
use serde::Deserialize;
use shipgate_sdk::model::{Order, Shipment};
use shipgate_sdk::{ConnectorError, RemoteRef};

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Body")]
    body: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "ValidateOrderListResponse")]
    response: Response,
}

#[derive(Deserialize)]
struct Response {
    #[serde(rename = "ValidateOrderListResult")]
    result: ValidateOrderListResult,
}

/// Order states after which the parcel has left.
const SHIPPED_STATES: &[&str] = &[
    "Shipped",
    "AvailableOnStore",
    "PickedUp",
    "NonPickedUpByCustomer",
];

async fn current(client: &SoapClient, number: &str) -> Result<SoapOrder, ConnectorError> {
    let filter = OrderFilter {
        fetch_order_lines: true,
        order_reference_list: Some(References::new(vec![number.to_string()])),
        ..OrderFilter::default()
    };
    let body = client
        .call("GetOrderList", |token| get_order_list(token, &filter))
        .await?;
    let page = split(&body)?;
    let raw = page
        .orders
        .into_iter()
        .find(|o| o.external_id.as_deref() == Some(number))
        .ok_or_else(|| ConnectorError::NotFound(format!("Cdiscount order {number}")))?;
    read_order(&raw.body).map_err(|e| ConnectorError::UnexpectedShape {
        reason: format!("order {number}: {e}"),
        raw: raw.body.clone(),
    })
}

/// Reads a `ValidateOrderList` answer and the verdict on `number`.
pub fn verdict(body: &[u8], number: &str) -> Result<(), ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason,
        raw: body.to_vec(),
    };
    let text = std::str::from_utf8(body).map_err(|e| shape(e.to_string()))?;
    let result = quick_xml::de::from_str::<Envelope>(text)
        .map_err(|e| shape(format!("ValidateOrderList answer: {e}")))?
        .body
        .response
        .result;
    if !is_true(result.operation_success.as_deref()) {
        return Err(outcome_error("ValidateOrderList", &result.outcome()));
    }
    let mine = result
        .validate_order_results
        .iter()
        .flat_map(|r| &r.results)
        .find(|r| r.order_number.as_deref().map(str::trim) == Some(number))
        .ok_or_else(|| {
            shape(format!(
                "ValidateOrderList answer has no result for order {number}"
            ))
        })?;
    if is_true(mine.validated.as_deref()) {
        return Ok(());
    }
    let why = mine
        .errors
        .iter()
        .flat_map(|l| &l.errors)
        .map(|e| {
            format!(
                "{}: {}",
                e.error_type.as_deref().unwrap_or("Error"),
                e.message.as_deref().unwrap_or("").trim()
            )
        })
        .collect::<Vec<_>>();
    Err(ConnectorError::Rejected {
        status: Some(200),
        message: format!(
            "Cdiscount refused order {number} (Validated=false although OperationSuccess=true): {}",
            if why.is_empty() {
                result.error_message.clone().unwrap_or_default()
            } else {
                why.join("; ")
            }
        ),
    })
}

/// Marks the order shipped with `shipment`'s tracking.
pub async fn push_shipment(
    client: &SoapClient,
    order: &Order,
    shipment: &Shipment,
) -> Result<RemoteRef, ConnectorError> {
    let number = order.source.external_id.as_str();
    let remote_id = format!("{number}/{}", shipment.tracking_number.as_str());
    let now = current(client, number).await?;
    let state = now.order_state.as_deref().unwrap_or("").trim();
    if SHIPPED_STATES.contains(&state) {
        return Ok(RemoteRef {
            id: remote_id,
            already_existed: true,
        });
    }
    let lines: Vec<ValidateOrderLine> = now
        .order_line_list
        .map(|l| l.lines)
        .unwrap_or_default()
        .into_iter()
        .filter(|l| l.quantity.as_deref().map(str::trim) != Some("0"))
        .filter_map(|l| {
            Some(ValidateOrderLine {
                acceptation_state: "ShippedBySeller".into(),
                product_condition: l.product_condition.unwrap_or_else(|| "New".into()),
                seller_product_id: l.seller_product_id?,
            })
        })
        .collect();
    let carrier = shipment
        .carrier
        .storefront_code
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| shipment.carrier.name.clone());
    let request = [ValidateOrder {
        carrier_name: carrier,
        lines: ValidateOrderLines { lines },
        order_number: number.to_string(),
        order_state: "Shipped".into(),
        tracking_number: shipment.tracking_number.as_str().to_string(),
        tracking_url: shipment.tracking_url.clone(),
    }];
    let body = client
        .call("ValidateOrderList", |token| {
            validate_order_list(token, &request)
        })
        .await?;
    verdict(&body, number)?;
    Ok(RemoteRef {
        id: remote_id,
        already_existed: false,
    })
}
