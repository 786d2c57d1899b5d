//! Tracking back to Amazon: v0 `confirmShipment`, made idempotent.
//!
//! Before confirming, the order is read with its packages (`getOrder`,
//! `includedData=PACKAGES,FULFILLMENT`): a package already carrying the tracking number
//! means an earlier attempt went through, and nothing is sent. The package reference is
//! derived from the tracking number, so a retry sends the same one, and Amazon's
//! "Unable to find package to update / already fulfilled" answer is taken as done.

use crate::client::{Operation, SpApi};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use shipgate_sdk::model::{Order, Shipment, TrackingNumber};
use shipgate_sdk::{ConnectorError, RemoteRef};
use std::collections::{HashMap, HashSet};

/// The `carrierCode` Amazon wants when the carrier is not in its list; `carrierName`
/// then names it.
pub const OTHER_CARRIER: &str = "Other";

#[derive(Deserialize)]
struct GetOrderAnswer {
    order: RemoteOrder,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemoteOrder {
    #[serde(default)]
    sales_channel: Option<SalesChannel>,
    #[serde(default)]
    order_items: Vec<RemoteItem>,
    #[serde(default)]
    packages: Option<Vec<RemotePackage>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SalesChannel {
    marketplace_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemoteItem {
    order_item_id: String,
    quantity_ordered: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemotePackage {
    package_reference_id: String,
    #[serde(default)]
    tracking_number: Option<String>,
    #[serde(default)]
    package_items: Option<Vec<PackageItem>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackageItem {
    order_item_id: String,
    quantity: u32,
}

/// The package reference for a tracking number: a positive integer below one billion
/// from an FNV-1a hash of the normalized number, moved up past any reference the order
/// already uses. Same number, same order state → same reference.
pub fn package_reference(tracking: &TrackingNumber, taken: &HashSet<String>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tracking.as_str().bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mut n = hash % 999_999_999 + 1;
    while taken.contains(&n.to_string()) {
        n = n % 999_999_999 + 1;
    }
    n.to_string()
}

/// Whether Amazon's refusal says the shipment is already confirmed.
fn already_done(err: &ConnectorError) -> bool {
    let ConnectorError::Rejected { message, .. } = err else {
        return false;
    };
    let m = message.to_ascii_lowercase();
    m.contains("unable to find package to update") || m.contains("already fulfilled")
}

/// Confirms `shipment` for `order` (see the module doc).
pub(crate) async fn push_fulfillment(
    api: &SpApi,
    default_marketplace: &str,
    order: &Order,
    shipment: &Shipment,
) -> Result<RemoteRef, ConnectorError> {
    if order.source.channel.as_str() != crate::mapping::CHANNEL {
        return Err(ConnectorError::Rejected {
            status: None,
            message: format!(
                "order {} comes from {}, not Amazon",
                order.source.external_id, order.source.channel
            ),
        });
    }
    let order_id = crate::connector::checked_order_id(&order.source.external_id)?;
    let path = format!("/orders/2026-01-01/orders/{order_id}");
    let body = api
        .get(
            Operation::GetOrder,
            &path,
            &[("includedData", "PACKAGES,FULFILLMENT".to_string())],
        )
        .await?;
    let remote: GetOrderAnswer =
        serde_json::from_slice(&body).map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("getOrder answer: {e}"),
            raw: body.clone(),
        })?;
    let remote = remote.order;
    let packages = remote.packages.unwrap_or_default();
    for p in &packages {
        let same = p
            .tracking_number
            .as_deref()
            .and_then(|t| TrackingNumber::parse(t).ok())
            .is_some_and(|t| t == shipment.tracking_number);
        if same {
            return Ok(RemoteRef {
                id: format!("{order_id}/{}", p.package_reference_id),
                already_existed: true,
            });
        }
    }
    let taken: HashSet<String> = packages
        .iter()
        .map(|p| p.package_reference_id.clone())
        .collect();
    let reference = package_reference(&shipment.tracking_number, &taken);
    let id = format!("{order_id}/{reference}");

    let mut shipped: HashMap<&str, u32> = HashMap::new();
    for item in packages
        .iter()
        .flat_map(|p| p.package_items.iter().flatten())
    {
        *shipped.entry(item.order_item_id.as_str()).or_default() += item.quantity;
    }
    let ordered: HashMap<&str, u32> = remote
        .order_items
        .iter()
        .map(|i| (i.order_item_id.as_str(), i.quantity_ordered))
        .collect();
    let mut items = Vec::new();
    for line in order.lines.iter().filter(|l| l.requires_shipping) {
        let Some(item_id) = line.external_id.as_deref() else {
            continue;
        };
        let Some(&on_amazon) = ordered.get(item_id) else {
            return Err(ConnectorError::Rejected {
                status: None,
                message: format!("order item {item_id} is not on Amazon order {order_id}"),
            });
        };
        let left = line
            .quantity
            .min(on_amazon)
            .saturating_sub(shipped.get(item_id).copied().unwrap_or(0));
        if left > 0 {
            items.push(serde_json::json!({ "orderItemId": item_id, "quantity": left }));
        }
    }
    if items.is_empty() {
        return Err(ConnectorError::Rejected {
            status: None,
            message: format!("order {order_id} has nothing left to ship"),
        });
    }
    let mut package = serde_json::json!({
        "packageReferenceId": reference,
        "trackingNumber": shipment.tracking_number.as_str(),
        "shipDate": shipment
            .shipped_at
            .unwrap_or_else(Utc::now)
            .to_rfc3339_opts(SecondsFormat::Millis, true),
        "orderItems": items,
    });
    match &shipment.carrier.storefront_code {
        Some(code) => package["carrierCode"] = code.clone().into(),
        None => {
            package["carrierCode"] = OTHER_CARRIER.into();
            package["carrierName"] = shipment.carrier.name.clone().into();
        }
    }
    let marketplace = remote
        .sales_channel
        .and_then(|s| s.marketplace_id)
        .unwrap_or_else(|| default_marketplace.to_string());
    let body = serde_json::json!({ "marketplaceId": marketplace, "packageDetail": package });
    let path = format!("/orders/v0/orders/{order_id}/shipmentConfirmation");
    match api
        .post_json(Operation::ConfirmShipment, &path, &body)
        .await
    {
        Ok(_) => Ok(RemoteRef {
            id,
            already_existed: false,
        }),
        Err(e) if already_done(&e) => Ok(RemoteRef {
            id,
            already_existed: true,
        }),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_is_stable_positive_and_avoids_taken_ones() {
        let t = TrackingNumber::parse("1Z999AA10123456784").unwrap();
        let a = package_reference(&t, &HashSet::new());
        assert_eq!(a, package_reference(&t, &HashSet::new()));
        let n: u64 = a.parse().unwrap();
        assert!((1..=999_999_999).contains(&n));
        let taken: HashSet<String> = [a.clone()].into();
        let b = package_reference(&t, &taken);
        assert_ne!(a, b);
        assert!(b.parse::<u64>().unwrap() >= 1);
    }

    #[test]
    fn already_fulfilled_answers_count_as_done() {
        let e = ConnectorError::Rejected {
            status: Some(400),
            message: "confirmShipment: InvalidInput: Unable to find package to update".into(),
        };
        assert!(already_done(&e));
        let e = ConnectorError::Rejected {
            status: Some(400),
            message: "confirmShipment: Invalid Input: Invalid Input".into(),
        };
        assert!(!already_done(&e));
    }
}
