//! Pushing a shipment back as a Shopify fulfillment, safe to repeat: the order's
//! existing fulfillments are read first, and a fulfillment already carrying the tracking
//! number is returned instead of creating a second one.

use crate::client::{GraphqlClient, Operation};
use serde::Deserialize;
use shipgate_sdk::model::{Order, Shipment, TrackingNumber};
use shipgate_sdk::{ConnectorError, RemoteRef};

/// The operation name the state read is recorded under.
pub const STATE_OPERATION: &str = "fulfillment_state";

/// The operation name of the mutation.
pub const CREATE_OPERATION: &str = "fulfillment_create";

/// Reads what the idempotency check and the mutation need. Sized for Shopify's
/// single-query ceiling: `1 + (2 + 25 × (1 + 2 + 5)) + (2 + 10 × (1 + 2 + 25))` = 485
/// points. A fulfillment order whose line items run past the 25 read is treated as
/// having some remaining (the status already says it is open).
pub const STATE_QUERY: &str = r#"query FulfillmentState($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 25) { id trackingInfo(first: 5) { number company url } }
    fulfillmentOrders(first: 10) {
      nodes { id status lineItems(first: 25) { pageInfo { hasNextPage } nodes { id remainingQuantity } } }
    }
  }
}"#;

/// [`STATE_QUERY`]'s requested cost, by Shopify's rules.
pub const STATE_QUERY_COST: u32 = 485;

const _: () = assert!(STATE_QUERY_COST <= crate::config::COST_BUDGET);

/// `fulfillmentCreate` (2025-10; `fulfillmentCreateV2` is deprecated there).
pub const CREATE_MUTATION: &str = r#"mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}"#;

#[derive(Deserialize)]
struct StateData {
    order: Option<OrderState>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderState {
    fulfillments: Vec<FulfillmentState>,
    fulfillment_orders: Nodes<FulfillmentOrderState>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FulfillmentState {
    id: String,
    tracking_info: Vec<TrackingInfo>,
}

#[derive(Deserialize)]
struct TrackingInfo {
    number: Option<String>,
}

#[derive(Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FulfillmentOrderState {
    id: String,
    status: String,
    line_items: LinePage,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinePage {
    nodes: Vec<FulfillmentOrderLine>,
    page_info: Option<HasNext>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HasNext {
    has_next_page: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FulfillmentOrderLine {
    remaining_quantity: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateData {
    fulfillment_create: Option<CreatePayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatePayload {
    fulfillment: Option<CreatedFulfillment>,
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
struct CreatedFulfillment {
    id: String,
}

/// Shopify's `UserError`: a mutation's refusal, with the input path it concerns.
#[derive(Deserialize)]
pub(crate) struct UserError {
    field: Option<Vec<String>>,
    message: String,
}

/// A mutation's `userErrors` as one refusal naming each field, or nothing when empty.
pub(crate) fn refuse_user_errors(errors: &[UserError]) -> Result<(), ConnectorError> {
    if errors.is_empty() {
        return Ok(());
    }
    let message = errors
        .iter()
        .map(|e| match &e.field {
            Some(f) if !f.is_empty() => format!("{}: {}", f.join("."), e.message),
            _ => e.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(ConnectorError::Rejected {
        status: Some(200),
        message,
    })
}

/// Refuses an order from another channel: its ids mean nothing to this shop.
pub(crate) fn ensure_shopify(order: &Order) -> Result<(), ConnectorError> {
    if order.source.channel.as_str() == crate::mapping::CHANNEL {
        return Ok(());
    }
    Err(ConnectorError::Rejected {
        status: None,
        message: format!(
            "order {} came from {}, not shopify",
            order.id, order.source.channel
        ),
    })
}

/// What the order's current state calls for.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    /// A fulfillment with this tracking number exists: nothing to do.
    Existing(String),
    /// Fulfil these fulfillment orders.
    Create(Vec<String>),
    /// Everything is fulfilled, closed or cancelled.
    NothingLeft,
}

fn decide(state: &OrderState, tracking: &TrackingNumber) -> Decision {
    let existing = state.fulfillments.iter().find(|f| {
        f.tracking_info.iter().any(|t| {
            t.number
                .as_deref()
                .and_then(|n| TrackingNumber::parse(n).ok())
                .as_ref()
                == Some(tracking)
        })
    });
    if let Some(f) = existing {
        return Decision::Existing(f.id.clone());
    }
    let open: Vec<String> = state
        .fulfillment_orders
        .nodes
        .iter()
        .filter(|fo| matches!(fo.status.as_str(), "OPEN" | "IN_PROGRESS"))
        .filter(|fo| {
            fo.line_items.nodes.iter().any(|l| l.remaining_quantity > 0)
                || fo
                    .line_items
                    .page_info
                    .as_ref()
                    .is_some_and(|p| p.has_next_page)
        })
        .map(|fo| fo.id.clone())
        .collect();
    if open.is_empty() {
        Decision::NothingLeft
    } else {
        Decision::Create(open)
    }
}

/// Creates (or finds) the fulfillment for `shipment` on `order`.
pub(crate) async fn push_fulfillment(
    client: &GraphqlClient,
    notify_always: bool,
    order: &Order,
    shipment: &Shipment,
) -> Result<RemoteRef, ConnectorError> {
    ensure_shopify(order)?;
    let order_gid = &order.source.external_id;
    let read = Operation {
        name: STATE_OPERATION,
        query: STATE_QUERY,
        variables: serde_json::json!({ "id": order_gid }),
        default_cost: f64::from(STATE_QUERY_COST),
    };
    let body = client.execute(&read).await?;
    let state: StateData = GraphqlClient::data(&body)?;
    let state = state
        .order
        .ok_or_else(|| ConnectorError::NotFound(format!("Shopify order {order_gid}")))?;
    let fulfillment_orders = match decide(&state, &shipment.tracking_number) {
        Decision::Existing(id) => {
            return Ok(RemoteRef {
                id,
                already_existed: true,
            })
        }
        Decision::NothingLeft => {
            return Err(ConnectorError::Rejected {
                status: None,
                message: format!("nothing left to fulfil on {order_gid}"),
            })
        }
        Decision::Create(ids) => ids,
    };
    let mut tracking = serde_json::json!({
        "number": shipment.tracking_number.as_str(),
        "company": shipment.carrier.storefront_code.as_deref().unwrap_or(&shipment.carrier.name),
    });
    if let Some(url) = &shipment.tracking_url {
        tracking["url"] = serde_json::Value::String(url.clone());
    }
    let create = Operation {
        name: CREATE_OPERATION,
        query: CREATE_MUTATION,
        variables: serde_json::json!({ "fulfillment": {
            "lineItemsByFulfillmentOrder": fulfillment_orders
                .iter()
                .map(|id| serde_json::json!({ "fulfillmentOrderId": id }))
                .collect::<Vec<_>>(),
            "notifyCustomer": notify_always || shipment.notify_customer,
            "trackingInfo": tracking,
        }}),
        default_cost: 10.0,
    };
    let body = client.execute(&create).await?;
    let created: CreateData = GraphqlClient::data(&body)?;
    let payload = created
        .fulfillment_create
        .ok_or_else(|| ConnectorError::UnexpectedShape {
            reason: "fulfillmentCreate returned null".into(),
            raw: body.clone(),
        })?;
    refuse_user_errors(&payload.user_errors)?;
    match payload.fulfillment {
        Some(f) => Ok(RemoteRef {
            id: f.id,
            already_existed: false,
        }),
        None => Err(ConnectorError::UnexpectedShape {
            reason: "fulfillmentCreate returned neither a fulfillment nor userErrors".into(),
            raw: body,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(json: &str) -> OrderState {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn an_existing_tracking_number_wins_even_when_nothing_is_left() {
        let s = state(
            r#"{"fulfillments":[{"id":"gid://shopify/Fulfillment/9","trackingInfo":[{"number":"1z 2345"}]}],
                "fulfillmentOrders":{"nodes":[{"id":"fo1","status":"CLOSED","lineItems":{"nodes":[{"id":"l","remainingQuantity":0}]}}]}}"#,
        );
        let t = TrackingNumber::parse("1Z2345").unwrap();
        assert_eq!(
            decide(&s, &t),
            Decision::Existing("gid://shopify/Fulfillment/9".into())
        );
        let other = TrackingNumber::parse("1Z9999").unwrap();
        assert_eq!(decide(&s, &other), Decision::NothingLeft);
    }

    #[test]
    fn only_open_fulfillment_orders_with_remaining_items_are_fulfilled() {
        let s = state(
            r#"{"fulfillments":[],"fulfillmentOrders":{"nodes":[
                {"id":"fo1","status":"OPEN","lineItems":{"nodes":[{"id":"a","remainingQuantity":2}]}},
                {"id":"fo2","status":"ON_HOLD","lineItems":{"nodes":[{"id":"b","remainingQuantity":1}]}},
                {"id":"fo3","status":"IN_PROGRESS","lineItems":{"nodes":[{"id":"c","remainingQuantity":0}]}},
                {"id":"fo4","status":"IN_PROGRESS","lineItems":{"nodes":[{"id":"d","remainingQuantity":1}]}}]}}"#,
        );
        let t = TrackingNumber::parse("ABCD1234").unwrap();
        assert_eq!(
            decide(&s, &t),
            Decision::Create(vec!["fo1".into(), "fo4".into()])
        );
        let truncated = state(
            r#"{"fulfillments":[],"fulfillmentOrders":{"nodes":[
                {"id":"fo1","status":"OPEN","lineItems":{"pageInfo":{"hasNextPage":true},"nodes":[{"id":"a","remainingQuantity":0}]}}]}}"#,
        );
        assert_eq!(decide(&truncated, &t), Decision::Create(vec!["fo1".into()]));
    }

    #[test]
    fn the_state_query_fits_under_the_ceiling() {
        let cost = crate::sandbox::cost::requested_cost(
            STATE_QUERY,
            serde_json::json!({ "id": "gid://shopify/Order/1" }),
        );
        assert_eq!(cost, u64::from(STATE_QUERY_COST));
    }
}
