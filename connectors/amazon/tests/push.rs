//! Shipment confirmation over loopback: the body Amazon wants, idempotence under retry
//! and crash, and Amazon's "already fulfilled" answer.

mod common;

use common::{connector, sandbox};
use shipgate_amazon::AmazonConnector;
use shipgate_sdk::model::{CarrierRef, Order, OrderStatus, Shipment, TrackingNumber};
use shipgate_sdk::{ConnectorError, Source, Storefront};

async fn open_order(c: &AmazonConnector) -> Order {
    let (raws, _, _) = common::pull_all(c, Default::default()).await;
    raws.iter()
        .map(|r| c.normalize(r).unwrap())
        .find(|o| o.status == OrderStatus::Open && o.lines.iter().all(|l| l.requires_shipping))
        .expect("an unshipped merchant-fulfilled order")
}

fn shipment(number: &str, carrier: CarrierRef) -> Shipment {
    Shipment {
        tracking_number: TrackingNumber::parse(number).unwrap(),
        carrier,
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    }
}

#[tokio::test]
async fn a_known_carrier_sends_its_code_and_an_unknown_one_other_with_its_name() {
    let sb = sandbox(20).await;
    let c = connector(&sb, |_| {});
    let order = open_order(&c).await;
    let mut fedex = CarrierRef::new(Some("fedex".into()), "FedEx");
    fedex.storefront_code = Some("FedEx".into());
    let r = c
        .push_fulfillment(&order, &shipment("112345678", fedex))
        .await
        .unwrap();
    assert!(!r.already_existed);
    let sent = sb.confirmed();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].carrier_code, "FedEx");
    assert_eq!(sent[0].carrier_name, None);
    assert!(sent[0].package_reference_id.parse::<u64>().unwrap() > 0);
    assert_eq!(
        r.id,
        format!(
            "{}/{}",
            order.source.external_id, sent[0].package_reference_id
        )
    );
    let lines: Vec<(String, u32)> = order
        .lines
        .iter()
        .map(|l| (l.external_id.clone().unwrap(), l.quantity))
        .collect();
    assert_eq!(sent[0].items, lines);

    let other = sb
        .order_ids()
        .into_iter()
        .rev()
        .find(|id| *id != order.source.external_id)
        .unwrap();
    let raw = c.get_order(&other).await.unwrap();
    let other = c.normalize(&raw).unwrap();
    let r = c
        .push_fulfillment(
            &other,
            &shipment("JD014600006281683478", CarrierRef::new(None, "Yodel")),
        )
        .await
        .unwrap();
    assert!(!r.already_existed);
    let last = sb.confirmed().pop().unwrap();
    assert_eq!(last.carrier_code, "Other");
    assert_eq!(last.carrier_name.as_deref(), Some("Yodel"));
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_finds_the_package_and_sends_nothing() {
    let sb = sandbox(20).await;
    let c = connector(&sb, |_| {});
    let order = open_order(&c).await;
    let s = shipment(
        "1Z999AA10123456784",
        CarrierRef::new(Some("ups".into()), "UPS"),
    );
    let first = c.push_fulfillment(&order, &s).await.unwrap();
    let before = sb.requests();
    let again = c.push_fulfillment(&order, &s).await.unwrap();
    assert!(again.already_existed);
    assert_eq!(again.id, first.id);
    assert_eq!(sb.requests(), before + 1, "only the getOrder read went out");
    assert_eq!(sb.confirmed().len(), 1);
}

#[tokio::test]
async fn amazons_already_fulfilled_answer_counts_as_done() {
    let sb = sandbox(20).await;
    let c = connector(&sb, |_| {});
    let order = open_order(&c).await;
    let s = shipment(
        "1Z999AA10123456784",
        CarrierRef::new(Some("ups".into()), "UPS"),
    );
    // The read sees no package, then Amazon refuses: the shipment went through another way.
    sb.fail_next_with(
        200,
        &format!(
            "{{\"order\":{{\"orderItems\":[{}]}}}}",
            order
                .lines
                .iter()
                .map(|l| format!(
                    "{{\"orderItemId\":\"{}\",\"quantityOrdered\":{}}}",
                    l.external_id.as_deref().unwrap(),
                    l.quantity
                ))
                .collect::<Vec<_>>()
                .join(",")
        ),
    );
    sb.fail_next_with(400, r#"{"errors":[{"code":"InvalidInput","message":"Unable to find package to update. The order is already fulfilled."}]}"#);
    let r = c.push_fulfillment(&order, &s).await.unwrap();
    assert!(r.already_existed);
    assert!(sb.confirmed().is_empty());
}

#[tokio::test]
async fn an_order_from_elsewhere_or_gone_is_refused() {
    let sb = sandbox(20).await;
    let c = connector(&sb, |_| {});
    let mut order = open_order(&c).await;
    let s = shipment("1Z999AA10123456784", CarrierRef::new(None, "UPS"));
    order.source.external_id = "999-0000000-0000000".into();
    assert!(matches!(
        c.push_fulfillment(&order, &s).await,
        Err(ConnectorError::NotFound(_))
    ));
    order.source.channel = shipgate_sdk::model::Channel::new("shopify");
    assert!(matches!(
        c.push_fulfillment(&order, &s).await,
        Err(ConnectorError::Rejected { .. })
    ));
}
