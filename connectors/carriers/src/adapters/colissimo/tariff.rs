//! Colissimo has no public rating API: prices come from La Poste's public counter price
//! grid, kept here as data. Grid "Tarif Colissimo France 2023" (domicile without
//! signature, and point retrait), for France métropolitaine, Andorra and Monaco (point
//! retrait: France métropolitaine only), as published at
//! https://www.tarif-lettre.com/tarif-colissimo (La Poste's grid, all taxes included).
//! A merchant's negotiated contract prices differ; this is the public ceiling.

use rust_decimal::Decimal;

/// Weight ceilings in grams and price in euro cents, home delivery (`DOM`).
const HOME: &[(u32, i64)] = &[
    (250, 495),
    (500, 670),
    (750, 760),
    (1_000, 825),
    (2_000, 955),
    (5_000, 1465),
    (10_000, 2130),
    (15_000, 2695),
    (30_000, 3340),
];

/// Weight ceilings in grams and price in euro cents, pick-up point (`A2P`), up to 5 kg.
const PICKUP: &[(u32, i64)] = &[
    (250, 425),
    (500, 595),
    (750, 690),
    (1_000, 755),
    (2_000, 885),
    (5_000, 1395),
];

/// Countries the home-delivery grid serves.
const HOME_COUNTRIES: &[&str] = &["FR", "AD", "MC"];

/// The public price of one parcel by product code, `None` when the grid does not
/// cover that product, destination or weight.
pub(crate) fn price(product: &str, to_country: &str, grams: u32) -> Option<Decimal> {
    let grid = match product {
        "DOM" if HOME_COUNTRIES.contains(&to_country) => HOME,
        "A2P" if to_country == "FR" => PICKUP,
        _ => return None,
    };
    grid.iter()
        .find(|(ceiling, _)| grams <= *ceiling)
        .map(|(_, cents)| Decimal::new(*cents, 2))
}
