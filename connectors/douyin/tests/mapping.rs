//! The mapping of a shop order: exact money, UTC times, the address, E.164 phone, COD,
//! both accepted payload shapes, and the errors that name the field.

mod common;

use rust_decimal::Decimal;
use serde_json::{json, Value};
use shipgate_douyin::mapping::normalize;
use shipgate_sdk::model::{OrderStatus, Payment};
use shipgate_sdk::MappingError;
use std::str::FromStr;

const SAMPLE: &[u8] = include_bytes!("data/shop_order.json");

fn sample() -> Value {
    serde_json::from_slice(SAMPLE).unwrap()
}

fn with(patch: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = sample();
    patch(&mut v);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn a_shop_order_maps_exactly() {
    let o = normalize(&common::origin(), SAMPLE).unwrap();
    assert_eq!(o.source.channel.as_str(), "douyin");
    assert_eq!(o.source.external_id, "6900000000000001003");
    assert_eq!(o.total.amount, Decimal::from_str("72.70").unwrap());
    assert_eq!(o.total.currency.as_str(), "CNY");
    assert_eq!(o.created_at.to_rfc3339(), "2023-11-14T22:06:20+00:00");
    assert_eq!(o.updated_at.timestamp(), 1_700_000_180);
    assert_eq!(o.status, OrderStatus::Open);
    assert_eq!(o.lines.len(), 2);
    assert_eq!(o.lines[0].sku.as_deref(), Some("SKU-0003"));
    assert_eq!(o.lines[0].unit_price.amount.to_string(), "22.90");
    assert_eq!(
        o.lines[0].external_id.as_deref(),
        Some("690000000000000100301")
    );
    let a = o.ship_to.unwrap();
    assert_eq!(a.country.unwrap().as_str(), "CN");
    assert_eq!(a.region.as_deref(), Some("上海市"));
    assert_eq!(a.line1.as_deref(), Some("科苑路103号203室"));
    assert_eq!(a.line2.as_deref(), Some("浦东新区 张江镇"));
    assert_eq!(a.phone.as_deref(), Some("+8613800010003"));
    assert_eq!(a.name.as_deref(), Some("测试买家3"));
    assert!(
        matches!(o.payment, Payment::CashOnDelivery { amount } if amount.amount.to_string() == "72.70")
    );
}

#[test]
fn an_order_detail_answer_is_accepted_too() {
    let answer = json!({"code": 10000, "msg": "success", "data": {"shop_order_detail": sample()}});
    let o = normalize(&common::origin(), &serde_json::to_vec(&answer).unwrap()).unwrap();
    assert_eq!(o.source.external_id, "6900000000000001003");
    let err = normalize(
        &common::origin(),
        br#"{"code":10000,"data":{"shop_order_detail":{"order_status":2}}}"#,
    )
    .unwrap_err();
    assert_eq!(err.location(), "data.shop_order_detail.order_id");
}

#[test]
fn beijing_time_strings_become_utc() {
    let bytes = with(|v| v["create_time"] = json!("2023-11-15 06:13:20"));
    let o = normalize(&common::origin(), &bytes).unwrap();
    assert_eq!(o.created_at.timestamp(), 1_700_000_000);
}

#[test]
fn an_unknown_order_status_names_field_and_value() {
    let bytes = with(|v| v["order_status"] = json!(999));
    match normalize(&common::origin(), &bytes).unwrap_err() {
        MappingError::InvalidValue { path, value, .. } => {
            assert_eq!((path.as_str(), value.as_str()), ("order_status", "999"))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn missing_and_malformed_fields_are_located() {
    let bytes = with(|v| {
        v["sku_order_list"][1]
            .as_object_mut()
            .unwrap()
            .remove("item_num");
    });
    let err = normalize(&common::origin(), &bytes).unwrap_err();
    assert_eq!(err.location(), "sku_order_list[1].item_num");

    let err = normalize(&common::origin(), &SAMPLE[..SAMPLE.len() / 2]).unwrap_err();
    assert!(matches!(err, MappingError::Malformed { .. }), "{err:?}");

    let bytes = with(|v| v["pay_amount"] = json!(12.5));
    assert_eq!(
        normalize(&common::origin(), &bytes).unwrap_err().location(),
        "pay_amount"
    );
}

#[test]
fn a_still_encrypted_recipient_is_refused_with_the_field() {
    let bytes = with(|v| {
        v.as_object_mut().unwrap().remove("post_receiver");
    });
    let err = normalize(&common::origin(), &bytes).unwrap_err();
    assert_eq!(err.location(), "encrypt_post_receiver");
    assert!(err.to_string().contains("batchDecrypt"));
}
