//! Delivery statuses pushed onto a fulfillment as Shopify fulfillment events
//! (`fulfillmentEventCreate`, Admin API 2025-10: <https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/fulfillmentEventCreate>),
//! so the shop's order page and the buyer's order-status page show "out for delivery" or
//! "delivered" without the merchant typing it.
//!
//! Safe to repeat: the fulfillment's latest events are read first, and an event with the
//! same status and time is returned instead of adding a second one — the host's ledger
//! covers a finished push, this covers a push whose answer was lost.

use crate::client::{GraphqlClient, Operation};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use shipgate_sdk::model::{Order, TrackingStatus, TrackingUpdate};
use shipgate_sdk::{ConnectorError, StatusPush};

/// The operation name the events read is recorded under.
pub const EVENTS_OPERATION: &str = "fulfillment_events";

/// The operation name of the mutation.
pub const EVENT_CREATE_OPERATION: &str = "fulfillment_event_create";

/// How many of the fulfillment's latest events the idempotency check reads: a parcel
/// rarely gets more statuses than this, and a repeated push is of a recent one.
const EVENTS_READ: u32 = 50;

/// Reads the fulfillment's latest events, newest first.
pub const EVENTS_QUERY: &str = r#"query FulfillmentEvents($id: ID!) {
  fulfillment(id: $id) {
    id
    events(first: 50, sortKey: HAPPENED_AT, reverse: true) { nodes { id status happenedAt } }
  }
}"#;

/// [`EVENTS_QUERY`]'s requested cost by Shopify's rules: the fulfillment (1), the
/// connection (2) and one point per event node.
pub const EVENTS_QUERY_COST: u32 = 1 + 2 + EVENTS_READ;

const _: () = assert!(EVENTS_QUERY_COST <= crate::config::COST_BUDGET);

/// `fulfillmentEventCreate`.
pub const EVENT_CREATE_MUTATION: &str = r#"mutation FulfillmentEventCreate($fulfillmentEvent: FulfillmentEventInput!) {
  fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) {
    fulfillmentEvent { id status happenedAt }
    userErrors { field message }
  }
}"#;

/// Shopify's `FulfillmentEventStatus` for a canonical status; `None` where Shopify has no
/// value that says the same thing (unknown, expired), so nothing misleading is shown.
pub fn event_status(status: TrackingStatus) -> Option<&'static str> {
    Some(match status {
        TrackingStatus::InfoReceived => "CONFIRMED",
        TrackingStatus::InTransit => "IN_TRANSIT",
        TrackingStatus::OutForDelivery => "OUT_FOR_DELIVERY",
        TrackingStatus::AvailableForPickup => "READY_FOR_PICKUP",
        TrackingStatus::AttemptFailed => "ATTEMPTED_DELIVERY",
        TrackingStatus::Delivered => "DELIVERED",
        TrackingStatus::Exception
        | TrackingStatus::ReturningToSender
        | TrackingStatus::Returned
        | TrackingStatus::Cancelled => "FAILURE",
        TrackingStatus::Expired | TrackingStatus::Unknown => return None,
    })
}

#[derive(Deserialize)]
struct EventsData {
    fulfillment: Option<FulfillmentEvents>,
}

#[derive(Deserialize)]
struct FulfillmentEvents {
    events: Nodes,
}

#[derive(Deserialize)]
struct Nodes {
    nodes: Vec<RemoteEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemoteEvent {
    id: String,
    status: String,
    happened_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateData {
    fulfillment_event_create: Option<CreatePayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatePayload {
    fulfillment_event: Option<RemoteEvent>,
    user_errors: Vec<crate::push::UserError>,
}

/// The event to send: the canonical status in Shopify's words, and the carrier event
/// that set it (its time and words), when the update carries one.
struct Outgoing {
    status: &'static str,
    happened_at: Option<DateTime<Utc>>,
    message: Option<String>,
}

fn outgoing(update: &TrackingUpdate) -> Option<Outgoing> {
    let status = event_status(update.status)?;
    let latest = update
        .events
        .iter()
        .rev()
        .find(|e| e.status == update.status);
    Some(Outgoing {
        status,
        happened_at: latest.map(|e| e.occurred_at),
        message: latest.map(|e| match &e.location {
            Some(place) if !place.trim().is_empty() => format!("{} ({place})", e.description),
            _ => e.description.clone(),
        }),
    })
}

/// Records `update`'s status on the fulfillment `fulfillment` (its gid) of `order`.
pub(crate) async fn push_status(
    client: &GraphqlClient,
    order: &Order,
    fulfillment: &str,
    update: &TrackingUpdate,
) -> Result<StatusPush, ConnectorError> {
    crate::push::ensure_shopify(order)?;
    let Some(event) = outgoing(update) else {
        return Ok(StatusPush::Unsupported);
    };
    let read = Operation {
        name: EVENTS_OPERATION,
        query: EVENTS_QUERY,
        variables: serde_json::json!({ "id": fulfillment }),
        default_cost: f64::from(EVENTS_QUERY_COST),
    };
    let body = client.execute(&read).await?;
    let existing = GraphqlClient::data::<EventsData>(&body)?
        .fulfillment
        .ok_or_else(|| ConnectorError::NotFound(format!("Shopify fulfillment {fulfillment}")))?;
    if let Some(same) = existing.events.nodes.iter().find(|e| {
        e.status == event.status
            && (event.happened_at.is_none() || e.happened_at == event.happened_at)
    }) {
        return Ok(StatusPush::Recorded(same.id.clone()));
    }
    let mut input = serde_json::json!({
        "fulfillmentId": fulfillment,
        "status": event.status,
    });
    if let Some(at) = event.happened_at {
        input["happenedAt"] = at.to_rfc3339_opts(SecondsFormat::Secs, true).into();
    }
    if let Some(message) = event.message {
        input["message"] = message.into();
    }
    let create = Operation {
        name: EVENT_CREATE_OPERATION,
        query: EVENT_CREATE_MUTATION,
        variables: serde_json::json!({ "fulfillmentEvent": input }),
        default_cost: 10.0,
    };
    let body = client.execute(&create).await?;
    let payload = GraphqlClient::data::<CreateData>(&body)?
        .fulfillment_event_create
        .ok_or_else(|| ConnectorError::UnexpectedShape {
            reason: "fulfillmentEventCreate returned null".into(),
            raw: body.clone(),
        })?;
    crate::push::refuse_user_errors(&payload.user_errors)?;
    payload
        .fulfillment_event
        .map(|e| StatusPush::Recorded(e.id))
        .ok_or_else(|| ConnectorError::UnexpectedShape {
            reason: "fulfillmentEventCreate returned neither an event nor userErrors".into(),
            raw: body,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_events_query_costs_what_it_declares() {
        let cost = crate::sandbox::cost::requested_cost(
            EVENTS_QUERY,
            serde_json::json!({ "id": "gid://shopify/Fulfillment/1" }),
        );
        assert_eq!(cost, u64::from(EVENTS_QUERY_COST));
    }

    #[test]
    fn statuses_without_a_shopify_equivalent_are_not_sent() {
        assert_eq!(event_status(TrackingStatus::Unknown), None);
        assert_eq!(event_status(TrackingStatus::Expired), None);
        assert_eq!(event_status(TrackingStatus::Delivered), Some("DELIVERED"));
        assert_eq!(
            event_status(TrackingStatus::AttemptFailed),
            Some("ATTEMPTED_DELIVERY")
        );
    }
}
