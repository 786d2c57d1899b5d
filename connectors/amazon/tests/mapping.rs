//! Mapping of Amazon's published samples: exact money, UTC times, ISO countries, E.164
//! phones, both accepted input shapes.

mod common;

use rust_decimal::Decimal;
use shipgate_amazon::normalize;
use shipgate_amazon::sandbox::data::PAIRS;
use shipgate_sdk::model::{OrderStatus, Payment};
use shipgate_sdk::MappingError;
use std::str::FromStr;

fn response(pair: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(pair).unwrap()["response"].clone()
}

#[test]
fn a_get_order_answer_maps_exactly() {
    // orders_2026-01-01.getOrder.200.0.json: the Brazilian Echo Dot order.
    let bytes = serde_json::to_vec(&response(PAIRS[4])).unwrap();
    let o = normalize(&common::origin(), &bytes).unwrap();
    assert_eq!(o.source.external_id, "171-9876543-2109876");
    assert_eq!(
        o.source.external_number.as_deref(),
        Some("BR-CONSUMER-ORDER-2024-003")
    );
    assert_eq!(o.total.amount, Decimal::from_str("299.90").unwrap());
    assert_eq!(o.total.currency.as_str(), "BRL");
    assert_eq!(o.status, OrderStatus::Open);
    assert_eq!(o.created_at.to_rfc3339(), "2024-12-24T20:30:00+00:00");
    let to = o.ship_to.as_ref().unwrap();
    assert_eq!(to.country.unwrap().as_str(), "BR");
    assert_eq!(to.phone.as_deref(), Some("+5511987654321"));
    assert_eq!(to.line2.as_deref(), Some("Apartamento 45"));
    assert_eq!(to.city.as_deref(), Some("São Paulo"));
    assert_eq!(o.lines[0].external_id.as_deref(), Some("17198765432109"));
    assert_eq!(o.lines[0].sku.as_deref(), Some("ECHO-DOT-4-BR-PRETO"));
    assert_eq!(o.payment, Payment::Prepaid);
    assert_eq!(o.delivery.requested_service.as_deref(), Some("STANDARD"));
}

#[test]
fn a_search_element_maps_and_amazon_fulfilled_lines_are_not_ours_to_ship() {
    let order = response(PAIRS[0])["orders"][0].clone();
    let bytes = serde_json::to_vec(&order).unwrap();
    let o = normalize(&common::origin(), &bytes).unwrap();
    assert_eq!(o.total.amount, Decimal::from(19940));
    assert_eq!(o.total.currency.as_str(), "JPY");
    assert_eq!(o.status, OrderStatus::Fulfilled);
    assert_eq!(o.lines.len(), 2);
    assert!(o.lines.iter().all(|l| !l.requires_shipping));
}

#[test]
fn errors_in_a_wrapped_answer_carry_the_order_prefix() {
    let mut answer = response(PAIRS[4]);
    answer["order"]["proceeds"]["grandTotal"]["amount"] = "12,50".into();
    let err = normalize(&common::origin(), &serde_json::to_vec(&answer).unwrap()).unwrap_err();
    match err {
        MappingError::InvalidValue { path, value, .. } => {
            assert_eq!(path, "order.proceeds.grandTotal.amount");
            assert_eq!(value, "12,50");
        }
        other => panic!("{other:?}"),
    }
    let err = normalize(&common::origin(), b"{\"order\": {\"orderId\": ").unwrap_err();
    assert!(
        matches!(err, MappingError::Malformed { line: 1, .. }),
        "{err:?}"
    );
}
