//! The legacy SOAP path over loopback: token from the STS in the header, date-window
//! pulls, the Validated=false trap, idempotent ValidateOrderList, faults and bad input.

mod common;

use common::{shipment, soap};
use shipgate_cdiscount::sandbox::SoapSandbox;
use shipgate_cdiscount::soap::push::verdict;
use shipgate_sdk::model::OrderStatus;
use shipgate_sdk::{testkit, ConnectorError, Cursor, Source, Storefront};
use std::time::Duration;

const RECORDED_REFUSAL: &[u8] = include_bytes!(
    "data/ValidateOrderList.validate_order_list_with_new_action_not_allowed.response.xml"
);

async fn pull_all(c: &dyn Source) -> (Vec<shipgate_sdk::RawOrder>, usize, Cursor) {
    let mut cursor = Cursor::default();
    let mut all = Vec::new();
    let mut rejected = 0;
    loop {
        let page = c.pull(&cursor).await.unwrap();
        all.extend(page.orders);
        rejected += page.rejected.len();
        cursor = page.next;
        if !page.has_more {
            return (all, rejected, cursor);
        }
    }
}

#[test]
fn the_recorded_refusal_is_an_error_with_the_orders_own_message() {
    match verdict(RECORDED_REFUSAL, "1904240959CN8HI").unwrap_err() {
        ConnectorError::Rejected { message, .. } => {
            assert!(message.contains("OrderStateIncoherent"), "{message}");
            assert!(
                message.contains("impossible à ce stade de la commande"),
                "{message}"
            );
            assert!(message.contains("Validated=false"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn pulls_every_order_once_over_date_windows_with_one_token() {
    let sb = SoapSandbox::start(12).await.unwrap();
    let c = soap(&sb, |_| {});
    let (raws, rejected, end) = pull_all(&c).await;
    assert_eq!(rejected, 0);
    let mut ids: Vec<_> = raws
        .iter()
        .map(|r| r.external_id.clone().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids, sb.order_numbers());
    assert_eq!(raws.len(), 12, "windows must not overlap inside one walk");
    assert_eq!(sb.tokens_issued(), 1);
    for raw in &raws {
        let o = c.normalize(raw).unwrap();
        assert_eq!(o.status, OrderStatus::Open);
        assert_eq!(o.ship_to.as_ref().unwrap().country.unwrap().as_str(), "FR");
        assert_eq!(
            o.ship_to.as_ref().unwrap().phone.as_deref(),
            Some("+33612345678")
        );
    }
    assert!(end.updated_since.is_some());
}

#[tokio::test]
async fn a_broken_order_is_set_aside_and_the_rest_goes_on() {
    let sb = SoapSandbox::start(6).await.unwrap();
    let victim = sb.order_numbers()[2].clone();
    sb.corrupt_order(
        &victim,
        "<OrderState>WaitingForShipmentAcceptation</OrderState>",
        "<OrderState>Levitating</OrderState>",
    );
    let c = soap(&sb, |_| {});
    let (raws, _, _) = pull_all(&c).await;
    let mut ok = 0;
    for raw in &raws {
        match c.normalize(raw) {
            Ok(_) => ok += 1,
            Err(e) => {
                assert_eq!(raw.external_id.as_deref(), Some(victim.as_str()));
                assert_eq!(e.location(), "Order.OrderState");
            }
        }
    }
    assert_eq!(ok, 5);
}

#[tokio::test]
async fn push_ships_then_finds_the_shipment_on_retry() {
    let sb = SoapSandbox::start(3).await.unwrap();
    let c = soap(&sb, |_| {});
    let (raws, _, _) = pull_all(&c).await;
    let order = c.normalize(&raws[0]).unwrap();
    testkit::push_is_idempotent(&c, &order, &shipment(None), |n| {
        sb.validations()
            .iter()
            .filter(|v| v.order_number == n)
            .count()
    })
    .await
    .unwrap();
    let v = &sb.validations()[0];
    assert_eq!(
        v.carrier_name, "Colissimo",
        "SOAP accepts the carrier's own name"
    );
    assert_eq!(v.tracking_number, "6A12345678901");
    assert_eq!(
        sb.state(&order.source.external_id).as_deref(),
        Some("Shipped")
    );
}

#[tokio::test]
async fn validated_false_inside_a_successful_call_is_rejected() {
    let sb = SoapSandbox::start(2).await.unwrap();
    let c = soap(&sb, |_| {});
    let (raws, _, _) = pull_all(&c).await;
    let order = c.normalize(&raws[1]).unwrap();
    sb.set_state(&order.source.external_id, "CancelledByCustomer");
    match c
        .push_fulfillment(&order, &shipment(Some("Colissimo")))
        .await
        .unwrap_err()
    {
        ConnectorError::Rejected { message, .. } => {
            assert!(message.contains(&order.source.external_id), "{message}");
            assert!(
                message.contains("Le passage à l'état Shipped est impossible"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(sb.validations().is_empty());
}

#[tokio::test]
async fn a_refused_token_is_renewed_once_and_a_wrong_password_is_unauthorized() {
    let sb = SoapSandbox::start(2).await.unwrap();
    let c = soap(&sb, |_| {});
    c.pull(&Cursor::default()).await.unwrap();
    sb.revoke_tokens();
    c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(
        sb.tokens_issued(),
        1,
        "the revoked token was dropped and one new issued"
    );
    let password = c.config().clone();
    testkit::secret_stays_out_of_debug(&password, "sbx-pass-77").unwrap();
    testkit::bad_credentials_are_permanent(&c, || sb.rotate_password("new"), "sbx-pass-77")
        .await
        .unwrap();
}

#[tokio::test]
async fn throttling_faults_and_timeouts_are_classified() {
    let sb = SoapSandbox::start(2).await.unwrap();
    let c = soap(&sb, |c| c.request_timeout_secs = 1);
    testkit::throttling_is_retryable(
        &c,
        |n, s| sb.faults().fail_next(n, s),
        || sb.faults().requests(),
    )
    .await
    .unwrap();
    testkit::server_errors_are_retryable(&c, |n, s| sb.faults().fail_next(n, s))
        .await
        .unwrap();
    sb.faults().delay_next(1, Duration::from_millis(1500));
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn normalize_never_panics_on_a_damaged_soap_order() {
    let sb = SoapSandbox::start(1).await.unwrap();
    let c = soap(&sb, |_| {});
    let (raws, _, _) = pull_all(&c).await;
    testkit::normalize_never_panics(&c, &raws[0]).unwrap();
}
