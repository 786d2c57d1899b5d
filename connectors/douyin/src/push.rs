//! Tracking back with `order.logisticsAdd`, idempotently: the order's `logistics_info` is
//! read first (`order.orderDetail`), and a parcel already carrying this tracking number is
//! reported as existing instead of shipped again. A refusal of the add (e.g. the order
//! shipped meanwhile by another worker) is checked the same way before it is believed.

use crate::client::Client;
use serde_json::{json, Value};
use shipgate_sdk::model::{Order, Shipment};
use shipgate_sdk::{ConnectorError, RemoteRef};

pub(crate) async fn push_fulfillment(
    client: &Client,
    order: &Order,
    shipment: &Shipment,
) -> Result<RemoteRef, ConnectorError> {
    let carrier = &shipment.carrier;
    let company_code = carrier.storefront_code.as_deref().ok_or_else(|| {
        let file = carrier.code.as_deref().unwrap_or("<carrier>");
        ConnectorError::Rejected {
            status: None,
            message: format!(
                "carrier {:?} has no Douyin company code: add `douyin = \"<company_code>\"` \
                 (from order.logisticsCompanyList) to the [names] table of \
                 mappings/carriers/{file}.toml",
                carrier.name
            ),
        }
    })?;
    let order_id = order.source.external_id.as_str();
    let tracking = shipment.tracking_number.as_str();
    let id = format!("{order_id}/{tracking}");
    if already_shipped(client, order_id, tracking).await? {
        return Ok(RemoteRef {
            id,
            already_existed: true,
        });
    }
    let params = json!({
        "order_id": order_id,
        "company_code": company_code,
        "logistics_code": tracking,
    });
    match client.call("order.logisticsAdd", &params).await {
        Ok(_) => Ok(RemoteRef {
            id,
            already_existed: false,
        }),
        Err(e @ ConnectorError::Rejected { .. }) => {
            if already_shipped(client, order_id, tracking).await? {
                Ok(RemoteRef {
                    id,
                    already_existed: true,
                })
            } else {
                Err(e)
            }
        }
        Err(e) => Err(e),
    }
}

/// Whether the order already has a parcel with this tracking number.
async fn already_shipped(
    client: &Client,
    order_id: &str,
    tracking: &str,
) -> Result<bool, ConnectorError> {
    let data = client
        .call("order.orderDetail", &json!({"shop_order_id": order_id}))
        .await?;
    let detail = data
        .get("shop_order_detail")
        .ok_or_else(|| ConnectorError::UnexpectedShape {
            reason: "order.orderDetail data.shop_order_detail is missing".into(),
            raw: serde_json::to_vec(&data).unwrap_or_default(),
        })?;
    let parcels = detail
        .get("logistics_info")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    Ok(parcels.iter().any(|p| {
        p.get("tracking_no")
            .and_then(Value::as_str)
            .is_some_and(|t| t.trim().eq_ignore_ascii_case(tracking))
    }))
}
