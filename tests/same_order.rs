//! One order, two channels: Cdiscount's REST sample order and the same content written as
//! a Shopify order node (Shopify's public sample #1001 with its values replaced by the
//! Cdiscount order's) normalize to equal canonical fields — money exact, the same instant
//! in UTC from two different offsets, ISO country, and the phone in E.164 whichever way it
//! was written.

use serde_json::{json, Value};
use shipgate_sdk::model::Order;
use shipgate_sdk::Origin;

fn origin() -> Origin {
    Origin {
        tenant: "t".into(),
        merchant: "m".into(),
        connector_id: "c".into(),
    }
}

fn cdiscount() -> Order {
    let bytes = std::fs::read("connectors/cdiscount/tests/data/rest_order.json").expect("fixture");
    shipgate_cdiscount::normalize(&origin(), &bytes).expect("normalizes")
}

fn line(sku: &str, title: &str, quantity: u32, price: &str) -> Value {
    json!({
        "id": format!("gid://shopify/LineItem/{}", sku.len() * 1000 + quantity as usize),
        "sku": sku, "title": title, "name": title, "quantity": quantity, "requiresShipping": true,
        "originalUnitPriceSet": {"shopMoney": {"amount": price, "currencyCode": "EUR"}},
        "variant": null,
    })
}

fn shopify() -> Order {
    let bytes = std::fs::read("connectors/shopify/tests/data/order_1001.json").expect("fixture");
    let mut node: Value = serde_json::from_slice(&bytes).expect("json");
    // The Cdiscount order's content, written the Shopify way: another UTC offset for the
    // same instant, amounts as strings, the phone in international form.
    node["createdAt"] = json!("2026-11-20T10:57:31+01:00");
    node["currencyCode"] = json!("EUR");
    node["totalPriceSet"] = json!({"shopMoney": {"amount": "64.97", "currencyCode": "EUR"}});
    node["totalOutstandingSet"] = json!({"shopMoney": {"amount": "0.00", "currencyCode": "EUR"}});
    node["shippingAddress"] = json!({
        "name": "Camille Martin", "firstName": "Camille", "lastName": "Martin", "company": null,
        "address1": "3 rue des Lilas", "address2": "Bât. B", "city": "Lyon", "province": null,
        "provinceCode": null, "zip": "69003", "countryCodeV2": "FR", "phone": "+33 6 12 34 56 78"
    });
    node["lineItems"] = json!({
        "pageInfo": {"hasNextPage": false},
        "nodes": [
            line("PRES1", "Copeaux de chêne 20g", 2, "19.99"),
            line("PRES2", "Lot de 30 pailles flexibles", 1, "20.00"),
        ]
    });
    let bytes = serde_json::to_vec(&node).expect("json");
    shipgate_shopify::mapping::normalize_order(&bytes, &origin()).expect("normalizes")
}

#[test]
fn the_same_order_from_two_channels_has_equal_canonical_fields() {
    let (a, b) = (cdiscount(), shopify());
    assert_eq!(a.total, b.total, "money exact, same currency");
    assert_eq!(a.created_at, b.created_at, "the same instant in UTC");
    let (ta, tb) = (a.ship_to.expect("address"), b.ship_to.expect("address"));
    assert_eq!(ta.country, tb.country, "ISO country");
    assert_eq!(
        ta.phone.as_deref(),
        Some("+33612345678"),
        "E.164 from 06 12 34 56 78"
    );
    assert_eq!(ta.phone, tb.phone, "E.164 from +33 6 12 34 56 78");
    assert_eq!((ta.postal_code, ta.city), (tb.postal_code, tb.city));
    let lines = |o: &[shipgate_sdk::model::OrderLine]| {
        o.iter()
            .map(|l| (l.sku.clone(), l.quantity, l.unit_price))
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&a.lines), lines(&b.lines));
}
