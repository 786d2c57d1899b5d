//! Tracking back through `POST /orders/{orderId}/shipments`.
//!
//! The body is the one in Octopia's changelog ("Cdiscount now supports shipping
//! CancelRequest lines"): `{"parcelNumber", "carrierName", "trackingUrl",
//! "orderLineIds"}`, answered `201 Created`. Only lines in `InPreparation` can be
//! shipped, so the order is read first (`GET /orders/{orderId}`): that gives the line
//! ids, and makes the push idempotent: an order whose lines already left is reported as
//! `already_existed` instead of shipped again.
//!
//! Carrier: Octopia publishes its own carrier list (`GET /carriers`) and no document
//! says a free-text name is accepted on the REST path, so without the carrier's
//! Cdiscount spelling (`storefront_code`, from `mappings/carriers/<code>.toml`
//! `[names] cdiscount`) the push is refused, naming the carrier and the file to fix.

use super::client::RestClient;
use crate::mapping::status::rest_line_shipped;
use reqwest::Method;
use serde::Deserialize;
use shipgate_sdk::model::{Order, Shipment};
use shipgate_sdk::{ConnectorError, RemoteRef};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderState {
    status: Option<String>,
    #[serde(default)]
    lines: Vec<LineState>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineState {
    order_line_id: Option<String>,
    status: Option<String>,
}

/// The carrier name Cdiscount knows, or the refusal that says what to fix.
pub fn carrier_name(shipment: &Shipment) -> Result<String, ConnectorError> {
    shipment
        .carrier
        .storefront_code
        .clone()
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| ConnectorError::Rejected {
            status: None,
            message: format!(
                "carrier {:?} (code {}) has no Cdiscount name: Octopia accepts only carriers \
                 of its list; add `cdiscount = \"<name>\"` to the [names] table of \
                 mappings/carriers/{}.toml",
                shipment.carrier.name,
                shipment.carrier.code.as_deref().unwrap_or("unknown"),
                shipment.carrier.code.as_deref().unwrap_or("<carrier>")
            ),
        })
}

fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

async fn read_state(client: &RestClient, order_id: &str) -> Result<OrderState, ConnectorError> {
    let path = format!("/orders/{}", encode(order_id));
    let (_, body) = match client.send(Method::GET, &path, &[], None).await {
        Err(ConnectorError::Rejected {
            status: Some(404), ..
        }) => {
            return Err(ConnectorError::NotFound(format!(
                "Cdiscount order {order_id}"
            )))
        }
        other => other?,
    };
    serde_json::from_slice(&body).map_err(|e| ConnectorError::UnexpectedShape {
        reason: format!("GET {path}: {e}"),
        raw: body.clone(),
    })
}

/// Ships the order's `InPreparation` lines under `shipment`'s tracking number.
pub async fn push_shipment(
    client: &RestClient,
    order: &Order,
    shipment: &Shipment,
) -> Result<RemoteRef, ConnectorError> {
    let carrier = carrier_name(shipment)?;
    let order_id = order.source.external_id.as_str();
    let parcel = shipment.tracking_number.as_str();
    let remote_id = format!("{order_id}/{parcel}");
    let state = read_state(client, order_id).await?;
    let status = state.status.as_deref().unwrap_or("");
    let to_ship: Vec<String> = state
        .lines
        .iter()
        .filter(|l| l.status.as_deref() == Some("InPreparation"))
        .filter_map(|l| l.order_line_id.clone())
        .collect();
    if to_ship.is_empty() {
        let any_shipped = state
            .lines
            .iter()
            .any(|l| l.status.as_deref().is_some_and(rest_line_shipped));
        if rest_line_shipped(status) || any_shipped {
            return Ok(RemoteRef {
                id: remote_id,
                already_existed: true,
            });
        }
        return Err(ConnectorError::Rejected {
            status: None,
            message: format!(
                "Cdiscount order {order_id} is {status:?} with no line InPreparation: nothing \
                 can be shipped"
            ),
        });
    }
    let mut body = serde_json::json!({
        "parcelNumber": parcel,
        "carrierName": carrier,
        "orderLineIds": to_ship,
    });
    if let Some(url) = &shipment.tracking_url {
        body["trackingUrl"] = serde_json::Value::String(url.clone());
    }
    let path = format!("/orders/{}/shipments", encode(order_id));
    match client.send(Method::POST, &path, &[], Some(&body)).await {
        Ok(_) => Ok(RemoteRef {
            id: remote_id,
            already_existed: false,
        }),
        Err(ConnectorError::Rejected {
            status: Some(409), ..
        }) => Ok(RemoteRef {
            id: remote_id,
            already_existed: true,
        }),
        Err(e) => Err(e),
    }
}
