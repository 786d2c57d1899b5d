//! Push messages: signature verified against the SDK's algorithm, messages parsed into
//! events, one bad message set aside while the rest count.

use axum::http::{HeaderMap, HeaderValue};
use shipgate_douyin::sign::event_sign;
use shipgate_douyin::webhook::{receive, Event, WebhookError};

const KEY: &str = "1234567890123456789";
const SECRET: &str = "test-secret";

fn signed(body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "event-sign",
        HeaderValue::from_str(&event_sign(KEY, body, SECRET)).unwrap(),
    );
    h
}

#[test]
fn the_notes_worked_example_verifies_and_parses() {
    let body = br#"[{"tag":"102","msg_id":"7000000000000000000","data":"{\"p_id\":4785000000000000000,\"shop_id\":4463798}"}]"#;
    let mut h = HeaderMap::new();
    h.insert(
        "event-sign",
        HeaderValue::from_static("4cb145bcba4720b23e8d95c2e5544cfb"),
    );
    let msgs = receive(&h, body, KEY, SECRET).unwrap();
    let m = msgs[0].as_ref().unwrap();
    assert_eq!(m.msg_id, "7000000000000000000");
    assert_eq!(m.order_id.as_deref(), Some("4785000000000000000"));
    assert_eq!(m.event, Event::SellerShipped { tracking_no: None });
}

#[test]
fn a_wrong_or_missing_signature_refuses_the_delivery() {
    let body = br#"[{"tag":"100","msg_id":"1","data":"{\"p_id\":1}"}]"#;
    let mut h = signed(body);
    assert!(receive(&h, body, KEY, SECRET).is_ok());
    assert_eq!(
        receive(&h, body, KEY, "other"),
        Err(WebhookError::BadSignature)
    );
    let tampered = br#"[{"tag":"106","msg_id":"1","data":"{\"p_id\":1}"}]"#;
    assert_eq!(
        receive(&h, tampered, KEY, SECRET),
        Err(WebhookError::BadSignature)
    );
    h.clear();
    assert_eq!(
        receive(&h, body, KEY, SECRET),
        Err(WebhookError::MissingSignature)
    );
}

#[test]
fn events_are_typed_and_a_bad_message_does_not_sink_the_batch() {
    let body = br#"[
      {"tag":"100","msg_id":"a","data":"{\"p_id\":6900000000000001000,\"s_ids\":[6900000000000001001],\"shop_id\":1,\"order_status\":1}"},
      {"tag":"101","msg_id":"b","data":"{\"p_id\":6900000000000001000,\"pay_amount\":2790}"},
      {"tag":"102","msg_id":"c","data":"{\"p_id\":6900000000000001000,\"logistics_msg\":{\"express_company_id\":7,\"logistics_code\":\"SF123\"}}"},
      {"tag":"106","msg_id":"d","data":"{not json"},
      {"tag":"106","msg_id":"e","data":"{\"p_id\":\"6900000000000001001\",\"cancel_reason\":\"x\"}"},
      {"tag":"200","msg_id":"f","data":"{\"aftersale_id\":5}"}
    ]"#;
    let msgs = receive(&signed(body), body, KEY, SECRET).unwrap();
    assert_eq!(msgs.len(), 6);
    let ok: Vec<_> = msgs.iter().filter_map(|m| m.as_ref().ok()).collect();
    assert_eq!(ok[0].event, Event::OrderCreated);
    assert_eq!(ok[0].sku_order_ids, vec!["6900000000000001001".to_string()]);
    assert_eq!(ok[1].event, Event::OrderPaid);
    assert_eq!(
        ok[2].event,
        Event::SellerShipped {
            tracking_no: Some("SF123".into())
        }
    );
    assert_eq!(ok[3].event, Event::OrderCancelled);
    assert_eq!(ok[3].order_id.as_deref(), Some("6900000000000001001"));
    assert_eq!(ok[4].event, Event::Other);
    let bad = msgs[3].as_ref().unwrap_err();
    assert_eq!(bad.index, 3);
    assert!(bad.reason.contains("data"), "{}", bad.reason);
}

#[test]
fn a_signed_body_that_is_not_an_array_is_malformed_with_raw_kept() {
    for body in [&b"{\"tag\":\"100\"}"[..], b"[{\"tag\":", b""] {
        match receive(&signed(body), body, KEY, SECRET) {
            Err(WebhookError::Malformed { raw, .. }) => assert_eq!(raw, body),
            other => panic!("{other:?}"),
        }
    }
}
