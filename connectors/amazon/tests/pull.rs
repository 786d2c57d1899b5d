//! Pulling across pages with the cursor, targeted reads, and notifications.

mod common;

use common::{connector, sandbox};
use shipgate_amazon::notification::{order_ids_to_fetch, parse_order_change};
use shipgate_amazon::sandbox::data::ORDER_CHANGE_EXAMPLE;
use shipgate_sdk::{ConnectorError, Cursor, Source};

#[tokio::test]
async fn pages_follow_the_token_and_the_window_moves_after_the_last_page() {
    let sb = sandbox(35).await;
    // No look-back, so "nothing new" means nothing at all (the default 600 s would
    // repeat the orders of the last ten minutes, on purpose).
    let c = connector(&sb, |cfg| cfg.lookback_secs = 0);
    let (raws, pages, end) = common::pull_all(&c, Cursor::default()).await;
    assert_eq!(pages.len(), 4);
    assert_eq!(raws.len(), 35);
    assert!(pages[0].next.page_token.is_some());
    assert_eq!(
        pages[0].next.updated_since, pages[1].next.updated_since,
        "one window, repeated"
    );
    assert!(end.page_token.is_none());
    assert!(end.updated_since > pages[0].next.updated_since);
    let again = c.pull(&end).await.unwrap();
    assert!(
        again.orders.is_empty(),
        "nothing updated since: {}",
        again.orders.len()
    );
}

#[tokio::test]
async fn a_stale_or_foreign_page_token_is_refused() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    let cursor = Cursor {
        updated_since: Some(chrono::Utc::now()),
        page_token: Some("5.deadbeef".into()),
    };
    let err = c.pull(&cursor).await.unwrap_err();
    assert!(
        matches!(
            err,
            ConnectorError::Rejected {
                status: Some(400),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_order_change_notification_leads_to_a_get_order_that_normalizes() {
    let ids = order_ids_to_fetch(ORDER_CHANGE_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(ids, vec!["903-8868176-2219830".to_string()]);
    let change = parse_order_change(ORDER_CHANGE_EXAMPLE.as_bytes()).unwrap();
    assert!(change.buyer_requested_cancel);
    assert_eq!(change.change_type.as_deref(), Some("BuyerRequestedChange"));
    let wrapped = format!("{{\"detail\": {ORDER_CHANGE_EXAMPLE}}}");
    assert_eq!(order_ids_to_fetch(wrapped.as_bytes()).unwrap(), ids);
    let err = order_ids_to_fetch(br#"{"NotificationType":"ANY_OFFER_CHANGED"}"#).unwrap_err();
    assert_eq!(err.location(), "NotificationType");

    let sb = sandbox(10).await;
    let c = connector(&sb, |_| {});
    let id = &sb.order_ids()[4];
    let raw = c.get_order(id).await.unwrap();
    let order = c.normalize(&raw).unwrap();
    assert_eq!(&order.source.external_id, id);
    assert!(matches!(
        c.get_order("nope-0000000-0000000").await,
        Err(ConnectorError::NotFound(_))
    ));
    assert!(matches!(
        c.get_order("../x").await,
        Err(ConnectorError::Rejected { .. })
    ));
}
