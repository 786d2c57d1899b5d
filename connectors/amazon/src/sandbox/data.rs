//! The sandbox's orders: the eight orders of Amazon's public `searchOrders` / `getOrder`
//! sandbox pairs, then orders generated from their shapes (new ids, prices, quantities,
//! statuses and countries drawn from a seeded generator), all re-stamped to recent
//! times so a first pull's backfill window reaches them.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

/// The sandbox pairs whose orders are served, as Amazon published them.
pub const PAIRS: [&str; 8] = [
    include_str!("fixtures/orders_2026-01-01.searchOrders.200.0.json"),
    include_str!("fixtures/orders_2026-01-01.searchOrders.200.1.json"),
    include_str!("fixtures/orders_2026-01-01.searchOrders.200.2.json"),
    include_str!("fixtures/orders_2026-01-01.searchOrders.200.example.json"),
    include_str!("fixtures/orders_2026-01-01.getOrder.200.0.json"),
    include_str!("fixtures/orders_2026-01-01.getOrder.200.1.json"),
    include_str!("fixtures/orders_2026-01-01.getOrder.200.2.json"),
    include_str!("fixtures/orders_2026-01-01.getOrder.200.example.json"),
];

/// Amazon's `ORDER_CHANGE` notification example.
pub const ORDER_CHANGE_EXAMPLE: &str =
    include_str!("fixtures/OrderChangeNotification.example.json");

/// The orders of [`PAIRS`], in order, as published.
pub fn sample_orders() -> Vec<Value> {
    let mut out = Vec::new();
    for pair in PAIRS {
        let Ok(v) = serde_json::from_str::<Value>(pair) else {
            continue;
        };
        let response = &v["response"];
        if let Some(orders) = response["orders"].as_array() {
            out.extend(orders.iter().cloned());
        } else if response["order"].is_object() {
            out.push(response["order"].clone());
        }
    }
    out
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `count` orders, deterministic for a `seed` (times relative to `now`): the samples
/// first, then generated ones, every order's `createdTime` / `lastUpdatedTime` moved to
/// the last days before `now`, one minute apart, in order.
pub fn generate_orders(count: usize, seed: u64, now: DateTime<Utc>) -> Vec<Value> {
    let samples = sample_orders();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let mut order = match samples.get(i) {
            Some(o) => o.clone(),
            None => {
                let template = &samples[i % samples.len()];
                vary(template.clone(), i, &mut rng)
            }
        };
        let minutes = i64::try_from(count - i).unwrap_or(i64::MAX / 2);
        let updated = now - Duration::minutes(minutes + 5);
        order["createdTime"] = iso(updated - Duration::hours(6)).into();
        order["lastUpdatedTime"] = iso(updated).into();
        out.push(order);
    }
    out
}

const COUNTRIES: [(&str, &str, &str); 4] = [
    ("US", "USD", "ATVPDKIKX0DER"),
    ("GB", "GBP", "A1F83G8C2ARO7P"),
    ("DE", "EUR", "A1PA6795UKMFR9"),
    ("FR", "EUR", "A13V1IB3VIYZZH"),
];

/// A generated order in `template`'s shape: a new `3-7-7` id and item ids, one country
/// and currency throughout, prices and quantities drawn, no packages, unshipped or
/// shipped-without-packages kept out so every order is consistent.
fn vary(mut o: Value, i: usize, rng: &mut StdRng) -> Value {
    let (country, currency, marketplace) = COUNTRIES[rng.gen_range(0..COUNTRIES.len())];
    let id = format!(
        "{:03}-{:07}-{:07}",
        100 + i % 900,
        rng.gen_range(0..10_000_000u32),
        i
    );
    o["orderId"] = id.clone().into();
    o["orderAliases"] =
        serde_json::json!([{ "aliasId": format!("SG-{i:05}"), "aliasType": "SELLER_ORDER_ID" }]);
    o["salesChannel"]["marketplaceId"] = marketplace.into();
    if let Some(obj) = o.as_object_mut() {
        obj.remove("packages");
    }
    o["fulfillment"]["fulfillmentStatus"] = "UNSHIPPED".into();
    o["fulfillment"]["fulfilledBy"] = "MERCHANT".into();
    let addr = &mut o["recipient"]["deliveryAddress"];
    if addr.is_object() {
        addr["countryCode"] = country.into();
    }
    let mut total = 0i64;
    if let Some(items) = o["orderItems"].as_array_mut() {
        for (k, item) in items.iter_mut().enumerate() {
            let cents: i64 = rng.gen_range(199..20_000);
            let qty: i64 = rng.gen_range(1..4);
            total += cents * qty;
            item["orderItemId"] = format!("{}{:02}", &id.replace('-', "")[..12], k).into();
            item["quantityOrdered"] = qty.into();
            let price =
                serde_json::json!({ "amount": cents_text(cents), "currencyCode": currency });
            item["product"]["price"] = serde_json::json!({ "unitPrice": price });
            let line =
                serde_json::json!({ "amount": cents_text(cents * qty), "currencyCode": currency });
            item["proceeds"] = serde_json::json!({ "proceedsTotal": line });
            item["fulfillment"] =
                serde_json::json!({ "quantityFulfilled": 0, "quantityUnfulfilled": qty });
        }
    }
    o["proceeds"] = serde_json::json!({ "grandTotal": { "amount": cents_text(total), "currencyCode": currency } });
    o
}

fn cents_text(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_come_first_and_generation_is_deterministic() {
        assert_eq!(sample_orders().len(), 8);
        let now = Utc::now();
        let a = generate_orders(30, 7, now);
        let b = generate_orders(30, 7, now);
        assert_eq!(a, b);
        assert_eq!(a[0]["orderId"], "250-1234567-8901234");
        let ids: std::collections::HashSet<_> =
            a.iter().map(|o| o["orderId"].to_string()).collect();
        assert_eq!(ids.len(), 30);
    }
}
