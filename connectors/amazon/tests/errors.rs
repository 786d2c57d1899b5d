//! The issue's "bad input" list over loopback HTTP: each case gives a clear error, keeps
//! the raw input, and the rest of the page is still processed.

mod common;

use common::{connector, sandbox};
use shipgate_amazon::sandbox::{AmazonSandbox, SandboxConfig};
use shipgate_amazon::usage_plan::UsagePlan;
use shipgate_amazon::Operation;
use shipgate_sdk::{ConnectorError, Cursor, MappingError, Source};
use std::time::Duration;

/// Pulls every page and normalizes: (normalized ids, mapping errors by order id, rejected).
async fn pull_and_map(
    c: &shipgate_amazon::AmazonConnector,
) -> (Vec<String>, Vec<(String, MappingError)>, usize) {
    let (raws, pages, _) = common::pull_all(c, Cursor::default()).await;
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for raw in &raws {
        match c.normalize(raw) {
            Ok(o) => ok.push(o.source.external_id),
            Err(e) => bad.push((raw.external_id.clone().unwrap_or_default(), e)),
        }
    }
    (ok, bad, pages.iter().map(|p| p.rejected.len()).sum())
}

#[tokio::test]
async fn an_unknown_order_status_names_the_field_and_the_rest_goes_on() {
    let sb = sandbox(25).await;
    let ids = sb.order_ids();
    sb.corrupt_order(
        &ids[3],
        serde_json::json!({"fulfillment": {"fulfillmentStatus": "ON_THE_MOON"}}),
    );
    let c = connector(&sb, |_| {});
    let (ok, bad, _) = pull_and_map(&c).await;
    assert_eq!(ok.len(), 24);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].0, ids[3]);
    match &bad[0].1 {
        MappingError::InvalidValue {
            path,
            value,
            reason,
        } => {
            assert_eq!(path, "fulfillment.fulfillmentStatus");
            assert_eq!(value, "ON_THE_MOON");
            assert!(reason.contains("unknown fulfillment status"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_missing_field_and_a_wrong_type_are_refused_with_their_paths() {
    let sb = sandbox(25).await;
    let ids = sb.order_ids();
    sb.corrupt_order(&ids[1], serde_json::json!({"createdTime": null}));
    sb.corrupt_order(&ids[2], serde_json::json!({"orderItems": [{"orderItemId": "1", "quantityOrdered": "two", "product": {}}]}));
    let c = connector(&sb, |_| {});
    let (ok, bad, rejected) = pull_and_map(&c).await;
    assert_eq!(rejected, 0);
    assert_eq!(ok.len(), 23);
    let by_id = |id: &str| {
        bad.iter()
            .find(|(i, _)| i == id)
            .map(|(_, e)| e.clone())
            .unwrap()
    };
    assert_eq!(
        by_id(&ids[1]),
        MappingError::MissingField {
            path: "createdTime".into()
        }
    );
    match by_id(&ids[2]) {
        MappingError::InvalidValue { path, value, .. } => {
            assert_eq!(path, "orderItems[0].quantityOrdered");
            assert_eq!(value, "\"two\"");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_truncated_or_malformed_page_is_an_error_that_keeps_the_raw_body() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    let truncated = r#"{"orders":[{"orderId":"250-1234567-8901234","createdTi"#;
    sb.fail_next_with(200, truncated);
    match c.pull(&Cursor::default()).await.unwrap_err() {
        ConnectorError::UnexpectedShape { raw, reason } => {
            assert_eq!(raw, truncated.as_bytes());
            assert!(reason.contains("EOF"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    sb.fail_next_with(200, "<html>maintenance</html>");
    assert!(matches!(
        c.pull(&Cursor::default()).await,
        Err(ConnectorError::UnexpectedShape { .. })
    ));
    let page = c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(page.orders.len(), 5, "the next pull works");
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_an_expired_one_is_refreshed_once() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    c.pull(&Cursor::default()).await.unwrap();
    c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(sb.tokens_issued(), 1, "one token for many calls");
    sb.expire_access_tokens();
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unauthorized { status: 403, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("revoked, malformed or invalid"),
        "{err}"
    );
    c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(
        sb.tokens_issued(),
        2,
        "the refused token was dropped and renewed"
    );

    let wrong = connector(&sb, |cfg| cfg.client_secret = "wrong".into());
    let err = wrong.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains("wrong"));
}

#[tokio::test]
async fn a_real_quota_exceeded_waits_one_token_of_the_reported_rate() {
    let plans = Operation::ALL
        .iter()
        .map(|op| {
            (
                *op,
                UsagePlan {
                    requests_per_second: 0.5,
                    burst: 1,
                },
            )
        })
        .collect();
    let sb = AmazonSandbox::start(SandboxConfig {
        orders: 3,
        seed: 1,
        plans,
    })
    .await
    .unwrap();
    let c = connector(&sb, |cfg| cfg.max_wait_secs = 0);
    c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(
        c.request_rate(Operation::SearchOrders).per_second(),
        0.5,
        "rate adopted from x-amzn-RateLimit-Limit"
    );
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Throttled { .. }), "{err:?}");
    let wait = err.retry_after().unwrap();
    assert!(
        wait > Duration::from_millis(1500) && wait <= Duration::from_secs(2),
        "{wait:?}"
    );
    let before = sb.requests();
    assert!(c.pull(&Cursor::default()).await.is_err());
    assert_eq!(
        sb.requests(),
        before,
        "the cool-down after the 429 refuses without spending Amazon's quota"
    );
}

#[tokio::test]
async fn a_timeout_is_a_retryable_transport_error() {
    let sb = sandbox(3).await;
    let c = connector(&sb, |cfg| cfg.request_timeout_secs = 1);
    c.pull(&Cursor::default()).await.unwrap();
    sb.delay_next(Duration::from_secs(3));
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Transport(_)) && err.is_retryable(),
        "{err:?}"
    );
}
