//! Delivery statuses pushed to the sandbox as fulfillment events: each status once on
//! the right fulfillment with the carrier's time and words, a lost answer's retry finds
//! the event instead of adding another, statuses Shopify has no word for are not sent,
//! and unknown fulfillments and other channels are refused.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{connector, pull_all, sandbox};
use shipgate_sdk::model::{
    CarrierRef, Order, OrderStatus, Shipment, TrackingEvent, TrackingNumber, TrackingStatus,
    TrackingUpdate,
};
use shipgate_sdk::{ConnectorError, Cursor, Source, StatusPush, Storefront};
use shipgate_shopify::ShopifyConnector;

const NUMBER: &str = "1Z999AA10123456784";

async fn shipped_order(c: &ShopifyConnector) -> (Order, String) {
    let (raws, _, _) = pull_all(c, Cursor::default()).await;
    let order = raws
        .iter()
        .map(|r| c.normalize(r).unwrap())
        .find(|o| o.status == OrderStatus::Open)
        .unwrap();
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse(NUMBER).unwrap(),
        carrier: CarrierRef::new(Some("ups".into()), "UPS"),
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    let fulfillment = c.push_fulfillment(&order, &shipment).await.unwrap().id;
    (order, fulfillment)
}

fn event(
    status: TrackingStatus,
    words: &str,
    place: Option<&str>,
    at: DateTime<Utc>,
) -> TrackingEvent {
    TrackingEvent {
        tracking_number: TrackingNumber::parse(NUMBER).unwrap(),
        status,
        carrier_code: "X".into(),
        description: words.into(),
        location: place.map(str::to_string),
        occurred_at: at,
    }
}

fn update(events: Vec<TrackingEvent>) -> TrackingUpdate {
    TrackingUpdate {
        tracking_number: TrackingNumber::parse(NUMBER).unwrap(),
        status: events.last().map_or(TrackingStatus::Unknown, |e| e.status),
        events,
        estimated_delivery: None,
    }
}

#[tokio::test]
async fn each_status_is_one_event_with_the_carriers_time_and_words() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    let (order, fulfillment) = shipped_order(&c).await;
    let picked = Utc.with_ymd_and_hms(2026, 3, 2, 8, 15, 0).unwrap();
    let out = Utc.with_ymd_and_hms(2026, 3, 3, 7, 40, 0).unwrap();
    let done = Utc.with_ymd_and_hms(2026, 3, 3, 14, 5, 0).unwrap();
    let mut events = vec![event(
        TrackingStatus::InTransit,
        "Pickup scan",
        Some("Paris, FR"),
        picked,
    )];
    let first = c
        .push_status(&order, &fulfillment, &update(events.clone()))
        .await
        .unwrap();
    events.push(event(
        TrackingStatus::OutForDelivery,
        "Out for delivery",
        None,
        out,
    ));
    events.push(event(
        TrackingStatus::Delivered,
        "Delivered",
        Some("Lyon, FR"),
        done,
    ));
    let last = c
        .push_status(&order, &fulfillment, &update(events))
        .await
        .unwrap();
    let recorded = sb.fulfillment_events();
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    assert!(recorded.iter().all(|e| e.fulfillment_id == fulfillment));
    assert_eq!(recorded[0].status, "IN_TRANSIT");
    assert_eq!(recorded[0].happened_at, picked);
    assert_eq!(
        recorded[0].message.as_deref(),
        Some("Pickup scan (Paris, FR)")
    );
    assert_eq!(first, StatusPush::Recorded(recorded[0].event_id.clone()));
    // The update's status is its latest event's: delivered, at the delivery scan's time.
    assert_eq!(recorded[1].status, "DELIVERED");
    assert_eq!(recorded[1].happened_at, done);
    assert_eq!(recorded[1].message.as_deref(), Some("Delivered (Lyon, FR)"));
    assert_eq!(last, StatusPush::Recorded(recorded[1].event_id.clone()));
}

#[tokio::test]
async fn a_repeated_push_finds_the_event_instead_of_adding_one() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    let (order, fulfillment) = shipped_order(&c).await;
    let at = Utc.with_ymd_and_hms(2026, 3, 3, 14, 5, 0).unwrap();
    let delivered = update(vec![event(
        TrackingStatus::Delivered,
        "Delivered",
        None,
        at,
    )]);
    let first = c
        .push_status(&order, &fulfillment, &delivered)
        .await
        .unwrap();
    let again = c
        .push_status(&order, &fulfillment, &delivered)
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(sb.fulfillment_events().len(), 1);
    // The same status at another time is another event (a second delivery attempt
    // after a failed one is news).
    let later = update(vec![event(
        TrackingStatus::Delivered,
        "Delivered",
        None,
        at + chrono::Duration::hours(1),
    )]);
    c.push_status(&order, &fulfillment, &later).await.unwrap();
    assert_eq!(sb.fulfillment_events().len(), 2);
}

#[tokio::test]
async fn statuses_shopify_cannot_say_are_not_sent() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    let (order, fulfillment) = shipped_order(&c).await;
    let before = sb.requests();
    let unknown = update(vec![event(TrackingStatus::Unknown, "?", None, Utc::now())]);
    assert_eq!(
        c.push_status(&order, &fulfillment, &unknown).await.unwrap(),
        StatusPush::Unsupported
    );
    assert_eq!(sb.requests(), before, "nothing sent");
    assert!(sb.fulfillment_events().is_empty());
}

#[tokio::test]
async fn unknown_fulfillments_and_other_channels_are_refused() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    let (mut order, _) = shipped_order(&c).await;
    let delivered = update(vec![event(
        TrackingStatus::Delivered,
        "Delivered",
        None,
        Utc::now(),
    )]);
    let err = c
        .push_status(&order, "gid://shopify/Fulfillment/1", &delivered)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err}");
    order.source.channel = shipgate_sdk::model::Channel::new("amazon");
    let err = c
        .push_status(&order, "gid://shopify/Fulfillment/1", &delivered)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not shopify"), "{err}");
    assert!(sb.fulfillment_events().is_empty());
}
