//! Mapping both shapes, from the recorded SOAP answers and the REST sample: money
//! exact, times UTC, countries ISO, phones E.164, and each kind of bad input a clear
//! error with its place.

use shipgate_cdiscount::mapping::{detect, normalize, Shape};
use shipgate_cdiscount::soap::pull::split;
use shipgate_sdk::model::OrderStatus;
use shipgate_sdk::{MappingError, Origin};

const REST: &[u8] = include_bytes!("data/rest_order.json");
const SOAP_LIST: &[u8] = include_bytes!("data/GetOrderList.get_order_list.response.xml");
const SOAP_BY_DATE: &[u8] = include_bytes!("data/GetOrderList.get_order_list_by_date.response.xml");

fn origin() -> Origin {
    Origin {
        tenant: "acme".into(),
        merchant: "bob".into(),
        connector_id: "cdiscount-1".into(),
    }
}

#[test]
fn rest_order_maps_exactly() {
    let o = normalize(&origin(), REST).unwrap();
    assert_eq!(o.source.external_id, "2311231015ABCDE");
    assert_eq!(o.source.channel.as_str(), "cdiscount");
    assert_eq!(o.total.amount.to_string(), "64.97");
    assert_eq!(o.total.currency.as_str(), "EUR");
    assert_eq!(o.lines.len(), 2);
    assert_eq!(o.lines[0].unit_price.amount.to_string(), "19.99");
    assert_eq!(o.lines[0].quantity, 2);
    assert_eq!(o.lines[1].unit_price.amount.to_string(), "20");
    assert_eq!(o.updated_at.to_rfc3339(), "2026-11-21T07:00:00+00:00");
    assert_eq!(o.status, OrderStatus::Open);
    let to = o.ship_to.unwrap();
    assert_eq!(to.country.unwrap().as_str(), "FR");
    assert_eq!(to.phone.as_deref(), Some("+33612345678"));
    assert_eq!(to.line2.as_deref(), Some("Bât. B"));
    assert_eq!(
        o.delivery.requested_service.as_deref(),
        Some("TrackedHomeDelivery")
    );
}

#[test]
fn a_rest_page_of_one_is_accepted_and_of_two_refused() {
    let one = format!(
        "{{\"itemsPerPage\":1,\"items\":[{}]}}",
        String::from_utf8_lossy(REST)
    );
    assert_eq!(
        normalize(&origin(), one.as_bytes())
            .unwrap()
            .source
            .external_id,
        "2311231015ABCDE"
    );
    let rest = String::from_utf8_lossy(REST);
    let two = format!("{{\"items\":[{rest},{rest}]}}");
    let err = normalize(&origin(), two.as_bytes()).unwrap_err();
    assert_eq!(err.location(), "items");
}

#[test]
fn soap_orders_of_the_recorded_answer_map_with_paris_times() {
    assert_eq!(detect(SOAP_LIST).unwrap(), Shape::SoapXml);
    let page = split(SOAP_LIST).unwrap();
    let ids: Vec<_> = page
        .orders
        .iter()
        .map(|o| o.external_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids[..3],
        ["1904291413BT4WY", "1904291407BT5ZB", "1904241640CLE8Z"]
    );
    let first = normalize(&origin(), &page.orders[0].body).unwrap();
    assert_eq!(first.status, OrderStatus::Cancelled);
    // 2019-04-29T14:13:07.12 in Paris (CEST, UTC+2).
    assert_eq!(
        first.created_at.to_rfc3339(),
        "2019-04-29T12:13:07.120+00:00"
    );
    assert_eq!(first.total.amount.to_string(), "1");
    assert_eq!(first.lines[0].sku.as_deref(), Some("PRES2"));
    assert_eq!(
        first.lines[0].title,
        "Lot de 30 pailles flexibles BBQ Party 24 cm"
    );
    assert_eq!(first.delivery.requested_service.as_deref(), Some("TRK"));
}

#[test]
fn the_anonymised_country_is_an_error_naming_field_and_value() {
    let page = split(SOAP_LIST).unwrap();
    let shipped = page
        .orders
        .iter()
        .find(|o| o.external_id.as_deref() == Some("1904241640CLE8Z"))
        .unwrap();
    match normalize(&origin(), &shipped.body).unwrap_err() {
        MappingError::InvalidValue { path, value, .. } => {
            assert_eq!(path, "Order.ShippingAddress.Country");
            assert_eq!(value, "COUNTRY");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refunded_order_with_no_units_left_is_named() {
    let err = normalize(&origin(), SOAP_BY_DATE).unwrap_err();
    assert_eq!(err.location(), "Order.OrderLineList.OrderLine[*].Quantity");
}

#[test]
fn unknown_order_state_is_a_mapping_error_with_path_and_value() {
    let page = split(SOAP_LIST).unwrap();
    let body = String::from_utf8(page.orders[0].body.clone()).unwrap();
    let body = body.replace("<OrderState>CancelledByCustomer<", "<OrderState>BeamedUp<");
    match normalize(&origin(), body.as_bytes()).unwrap_err() {
        MappingError::InvalidValue { path, value, .. } => {
            assert_eq!(
                (path.as_str(), value.as_str()),
                ("Order.OrderState", "BeamedUp")
            );
        }
        other => panic!("{other:?}"),
    }
    let rest = String::from_utf8_lossy(REST).replace(
        "\"status\": \"InPreparation\",\n  \"payment\"",
        "\"status\": \"Teleported\",\n  \"payment\"",
    );
    let err = normalize(&origin(), rest.as_bytes()).unwrap_err();
    assert_eq!(err.location(), "status");
    assert!(err.to_string().contains("Teleported"));
}

#[test]
fn truncated_and_malformed_bodies_say_where() {
    let cut = &REST[..REST.len() / 2];
    assert!(matches!(
        normalize(&origin(), cut).unwrap_err(),
        MappingError::Malformed { .. }
    ));
    let page = split(SOAP_LIST).unwrap();
    let order = &page.orders[0].body;
    let err = normalize(&origin(), &order[..order.len() / 2]).unwrap_err();
    assert!(matches!(err, MappingError::Malformed { .. }), "{err:?}");
    let bad = String::from_utf8_lossy(order).replace("</Quantity>", "</Qty>");
    assert!(matches!(
        normalize(&origin(), bad.as_bytes()).unwrap_err(),
        MappingError::Malformed { .. }
    ));
}

#[test]
fn missing_required_fields_are_named() {
    let no_total = String::from_utf8_lossy(REST).replace("\"totalPrice\"", "\"totalPriceX\"");
    assert_eq!(
        normalize(&origin(), no_total.as_bytes())
            .unwrap_err()
            .location(),
        "totalPrice.sellingPrice"
    );
    let wrong_type =
        String::from_utf8_lossy(REST).replace("\"lines\": [", "\"lines\": 5, \"x\": [");
    let err = normalize(&origin(), wrong_type.as_bytes()).unwrap_err();
    assert_eq!(err.location(), "lines", "{err}");
    let page = split(SOAP_LIST).unwrap();
    let body = String::from_utf8_lossy(&page.orders[0].body)
        .replace("<PurchasePrice>1</PurchasePrice>", "");
    assert_eq!(
        normalize(&origin(), body.as_bytes())
            .unwrap_err()
            .location(),
        "Order.OrderLineList.OrderLine[0].PurchasePrice"
    );
}
