//! The "bad input" list over loopback HTTP: wrong signature, wrong or expired
//! token, throttling by code, a timeout, an undecryptable recipient, an unknown status
//! and a broken record in a page, each a clear error with the rest of the page going on.

mod common;

use common::{connector, sandbox};
use shipgate_douyin::sandbox::{DouyinSandbox, SandboxConfig};
use shipgate_sdk::model::{CarrierRef, Shipment, TrackingNumber};
use shipgate_sdk::{ConnectorError, Cursor, Source, Storefront};
use std::time::Duration;

#[tokio::test]
async fn a_wrong_secret_is_refused_as_the_platform_does() {
    let sb = sandbox(3).await;
    let c = connector(&sb, |cfg| cfg.app_secret = "not-the-secret".into());
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unauthorized { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("isv.signature-invalid"), "{err}");
    assert!(!err.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_call_goes_through() {
    let sb = sandbox(3).await;
    let c = connector(&sb, |_| {});
    c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(sb.token_calls(), 1, "the token is cached between calls");
    c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(sb.token_calls(), 1);
    sb.expire_tokens();
    let page = c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(page.orders.len(), 3);
    assert_eq!(sb.token_calls(), 2, "refreshed with token.refresh");
}

#[tokio::test]
async fn throttle_code_60000_is_a_retryable_throttle() {
    let sb = DouyinSandbox::start(SandboxConfig {
        orders: 3,
        qps: Some(2),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = connector(&sb, |_| {});
    let mut throttled = None;
    for _ in 0..6 {
        if let Err(e) = c.pull(&Cursor::default()).await {
            throttled = Some(e);
            break;
        }
    }
    let err = throttled.expect("the per-second limit answers 60000");
    assert!(
        matches!(err, ConnectorError::Throttled { .. }) && err.is_retryable(),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.pull(&Cursor::default()).await.unwrap();
}

#[tokio::test]
async fn a_timeout_is_a_retryable_transport_error() {
    let sb = sandbox(3).await;
    let c = connector(&sb, |cfg| cfg.timeout_secs = 1);
    c.pull(&Cursor::default()).await.unwrap();
    sb.delay_next(Duration::from_millis(1500));
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Transport(_)) && err.is_retryable(),
        "{err:?}"
    );
    assert!(!err.to_string().contains("access_token="), "{err}");
}

#[tokio::test]
async fn an_undecryptable_recipient_fails_that_order_only() {
    let sb = sandbox(5).await;
    let victim = sb.order_ids()[2].clone();
    sb.refuse_decrypt(&victim);
    let c = connector(&sb, |_| {});
    let page = c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(page.orders.len(), 5);
    for raw in &page.orders {
        let result = c.normalize(raw);
        if raw.external_id.as_deref() == Some(victim.as_str()) {
            let err = result.unwrap_err();
            assert_eq!(err.location(), "encrypt_post_receiver");
        } else {
            let o = result.unwrap();
            assert!(o.ship_to.unwrap().name.unwrap().starts_with("测试买家"));
        }
    }
}

#[tokio::test]
async fn a_new_order_status_is_quarantined_with_the_raw_kept() {
    let sb = sandbox(5).await;
    let victim = sb.order_ids()[1].clone();
    sb.set_status(&victim, 3);
    sb.corrupt_order(&victim, serde_json::json!({"order_status": 777}));
    let c = connector(&sb, |_| {});
    let page = c.pull(&Cursor::default()).await.unwrap();
    let raw = page
        .orders
        .iter()
        .find(|r| r.external_id.as_deref() == Some(victim.as_str()))
        .expect("the order is still handed over, raw");
    let err = c.normalize(raw).unwrap_err();
    assert_eq!(err.location(), "order_status");
    assert!(err.to_string().contains("777"));
    let good = page
        .orders
        .iter()
        .filter(|r| c.normalize(r).is_ok())
        .count();
    assert_eq!(good, 4);
}

#[tokio::test]
async fn a_malformed_gateway_answer_keeps_the_raw_body() {
    let sb = sandbox(3).await;
    let c = connector(&sb, |_| {});
    c.pull(&Cursor::default()).await.unwrap();
    sb.corrupt_order(
        &sb.order_ids()[0],
        serde_json::json!({"pay_amount": {"x": 1}}),
    );
    let page = c.pull(&Cursor::default()).await.unwrap();
    let bad = page
        .orders
        .iter()
        .find(|r| c.normalize(r).is_err())
        .unwrap();
    assert!(!bad.body.is_empty());
    assert_eq!(c.normalize(bad).unwrap_err().location(), "pay_amount");
}

#[tokio::test]
async fn a_carrier_without_a_douyin_code_is_rejected_with_the_file_to_fix() {
    let sb = sandbox(2).await;
    let c = connector(&sb, |_| {});
    let page = c.pull(&Cursor::default()).await.unwrap();
    let order = c.normalize(&page.orders[0]).unwrap();
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse("SF1234567890123").unwrap(),
        carrier: CarrierRef::new(Some("newco".into()), "NewCo Express"),
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    let err = c.push_fulfillment(&order, &shipment).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Rejected { .. }));
    let text = err.to_string();
    assert!(
        text.contains("no Douyin company code") && text.contains("mappings/carriers/newco.toml"),
        "{text}"
    );
    assert!(sb.logistics_calls().is_empty());
}

#[tokio::test]
async fn push_records_the_call_and_a_retry_after_a_crash_adds_nothing() {
    let sb = sandbox(2).await;
    let c = connector(&sb, |_| {});
    let page = c.pull(&Cursor::default()).await.unwrap();
    let order = c.normalize(&page.orders[0]).unwrap();
    let mut carrier = CarrierRef::new(Some("sf".into()), "SF Express");
    carrier.storefront_code = Some("shunfeng".into());
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse("SF1234567890123").unwrap(),
        carrier,
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    let first = c.push_fulfillment(&order, &shipment).await.unwrap();
    assert!(!first.already_existed);
    let calls = sb.logistics_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].company_code, "shunfeng");
    assert_eq!(calls[0].logistics_code, "SF1234567890123");
    // The worker crashed before recording; the retry finds the parcel.
    let again = c.push_fulfillment(&order, &shipment).await.unwrap();
    assert!(again.already_existed);
    assert_eq!(again.id, first.id);
    assert_eq!(sb.logistics_calls().len(), 1);
}

#[tokio::test]
async fn an_unknown_refresh_token_without_a_shop_id_is_unauthorized() {
    let sb = sandbox(2).await;
    let c = connector(&sb, |cfg| {
        cfg.shop_id = None;
        cfg.refresh_token = Some("sbx-rt-unknown".into());
    });
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unauthorized { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("dop.token-generate-failed:token-invalid"),
        "{err}"
    );
    assert!(!format!("{err:?} {c:?}").contains("sbx-rt-unknown"));
}
