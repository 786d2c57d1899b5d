//! Location choice on Shopify's public sample order #1001 (three iPods to Louisville, KY
//! 40202) against the example plan in mappings/routing.

use chrono::{DateTime, Utc};
use shipgate::routing::{choose_location, NoLocation, RoutingRules};
use shipgate_sdk::model::Order;
use shipgate_sdk::Origin;
use std::path::Path;

fn order_1001() -> Order {
    let bytes = std::fs::read("connectors/shopify/tests/data/order_1001.json").expect("fixture");
    let origin = Origin {
        tenant: "t".into(),
        merchant: "example-merchant".into(),
        connector_id: "shop".into(),
    };
    shipgate_shopify::mapping::normalize_order(&bytes, &origin).expect("normalizes")
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("time")
}

#[test]
fn the_nearest_stocked_location_wins_and_knows_its_cutoff() {
    let rules = RoutingRules::load_dir(Path::new("mappings/routing")).expect("loads");
    let plan = rules.plan_for("example-merchant").expect("plan");
    let order = order_1001();
    let morning = choose_location(plan, &order, at("2026-11-23T15:00:00Z")).expect("placed");
    // Louisville shares "402" with 40202; Reno shares nothing.
    assert_eq!(morning.location.id, "louisville-1");
    assert!(morning.ships_today);
    let evening = choose_location(plan, &order, at("2026-11-23T21:00:00Z")).expect("placed");
    assert_eq!(
        evening.location.id, "louisville-1",
        "nearness outranks the cut-off"
    );
    assert!(!evening.ships_today);
}

#[test]
fn a_location_short_of_one_unit_is_passed_over_and_none_left_is_an_exception() {
    let rules = RoutingRules::load_dir(Path::new("mappings/routing")).expect("loads");
    let mut plan = rules.plan_for("example-merchant").expect("plan").clone();
    plan.locations[0].stock.insert("IPOD2008BLACK".into(), 0);
    let order = order_1001();
    let placed = choose_location(&plan, &order, at("2026-11-23T15:00:00Z")).expect("placed");
    assert_eq!(placed.location.id, "reno-1");
    plan.locations[1].stock.remove("IPOD2008RED");
    match choose_location(&plan, &order, at("2026-11-23T15:00:00Z")) {
        Err(NoLocation::OutOfStock(what)) => assert!(what.contains("1 × IPOD2008RED"), "{what}"),
        other => panic!("expected OutOfStock, got {other:?}"),
    }
    let mut no_sku = order.clone();
    no_sku.lines[1].sku = None;
    assert!(matches!(
        choose_location(&plan, &no_sku, at("2026-11-23T15:00:00Z")),
        Err(NoLocation::NoSku { line: 2, .. })
    ));
}

#[test]
fn a_bad_plan_file_names_the_key() {
    let err = RoutingRules::parse(
        "bad.toml",
        "merchants = [\"m\"]\nlocations = []\n[carrier]\nstrategy = \"quickest\"\n",
    )
    .expect_err("unknown strategy");
    let text = err.to_string();
    assert!(
        text.contains("bad.toml") && text.contains("carrier"),
        "{text}"
    );
}
