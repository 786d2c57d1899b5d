//! Detection over every valid and invalid example of tracking_number_data (MIT), read
//! at run time from ../shared/fixtures.

use shipgate_carriers::{Detection, Registry};
use std::path::PathBuf;

struct Example {
    courier: String,
    format: String,
    number: String,
    valid: bool,
}

fn examples() -> Vec<Example> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/carriers/tracking_number_data/couriers");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let courier = json["courier_code"].as_str().unwrap().to_string();
        for format in json["tracking_numbers"].as_array().unwrap() {
            let name = format["name"].as_str().unwrap();
            for (kind, valid) in [("valid", true), ("invalid", false)] {
                for n in format["test_numbers"][kind]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    out.push(Example {
                        courier: courier.clone(),
                        format: name.to_string(),
                        number: n.as_str().unwrap().to_string(),
                        valid,
                    });
                }
            }
        }
    }
    out
}

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap()
}

/// Our carrier codes for a fixture courier: the data set files DHL Express and DHL
/// eCommerce under one courier, and S10 under a pseudo-courier that our national posts
/// and the `upu_s10` fallback share.
fn our_codes(courier: &str) -> &'static [&'static str] {
    match courier {
        "amazon" => &["amazon_logistics"],
        "canada_post" => &["canada_post"],
        "dhl" => &["dhl_express", "dhl_ecommerce"],
        "landmark" => &["landmark_global"],
        "s10" => &[
            "upu_s10",
            "usps",
            "royal_mail",
            "canada_post",
            "colissimo",
            "deutsche_post",
            "postnl",
            "bpost",
            "correos",
            "russian_post",
            "china_post",
            "china_ems",
            "australia_post",
            "poste_italiane",
            "japan_post",
        ],
        "canpar" => &["canpar"],
        "dpd" => &["dpd"],
        "fedex" => &["fedex"],
        "gofo" => &["gofo"],
        "lasership" => &["lasership"],
        "old_dominion" => &["old_dominion"],
        "ontrac" => &["ontrac"],
        "purolator" => &["purolator"],
        "speedee" => &["speedee"],
        "ups" => &["ups"],
        "usps" => &["usps"],
        "yodel" => &["yodel"],
        "yunexpress" => &["yunexpress"],
        other => panic!("fixture courier {other} has no carrier file"),
    }
}

fn is_expected(d: &Detection<'_>, e: &Example) -> bool {
    d.format_name == e.format && our_codes(&e.courier).contains(&d.code)
}

/// Valid numbers whose own format is found but outranked, because another carrier's
/// format accepts the same string with at least as much evidence. Each is a genuine
/// overlap of the two formats (same length and alphabet, both checks pass or neither
/// has one); the test pins the list so a new overlap is a decision, not an accident.
const OUTRANKED: &[(&str, &str)] = &[(
    // Purolator "alpha + 9" is any 3 letters + 9 digits, no check digit; DHL's piece ID
    // is `J` + 2-3 letters + 9-10 digits, also unchecked: a J.. Purolator number is both.
    "JFV247545960",
    "purolator/Purolator (alpha + 9) < dhl_express/DHL Express (Piece ID)",
)];

#[test]
fn every_valid_fixture_number_is_found_with_its_courier_ranked_first() {
    let registry = registry();
    let mut outranked = Vec::new();
    let mut count = 0;
    for e in examples().iter().filter(|e| e.valid) {
        count += 1;
        let found = registry.detect(&e.number);
        let Some(pos) = found.iter().position(|d| is_expected(d, e)) else {
            panic!(
                "{} ({}, {}) not detected: {found:?}",
                e.number, e.courier, e.format
            );
        };
        let own = &found[pos];
        if found[0].score > own.score {
            outranked.push((
                e.number.clone(),
                format!(
                    "{}/{} < {}/{}",
                    own.code, own.format_name, found[0].code, found[0].format_name
                ),
            ));
        }
    }
    assert_eq!(count, 192, "the fixture set has 192 valid numbers");
    let pinned: Vec<(String, String)> = OUTRANKED
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(outranked, pinned, "ranking changed");
}

#[test]
fn every_invalid_fixture_number_is_rejected_for_its_courier() {
    let registry = registry();
    let all = examples();
    let mut count = 0;
    for e in all.iter().filter(|e| !e.valid) {
        count += 1;
        // The data set lists 331426749957 as invalid for Purolator "alpha + 9" and valid
        // for Purolator (12): such a number may still be its courier's, by the other format.
        let valid_elsewhere: Vec<&str> = all
            .iter()
            .filter(|o| o.valid && o.courier == e.courier && o.number == e.number)
            .map(|o| o.format.as_str())
            .collect();
        let found = registry.detect(&e.number);
        let wrong: Vec<_> = found
            .iter()
            .filter(|d| our_codes(&e.courier).contains(&d.code))
            .filter(|d| d.format_name == e.format || !valid_elsewhere.contains(&d.format_name))
            .collect();
        assert!(
            wrong.is_empty(),
            "{} ({}, {}) wrongly detected: {wrong:?}",
            e.number,
            e.courier,
            e.format
        );
    }
    assert_eq!(count, 88, "the fixture set has 88 invalid numbers");
}

#[test]
fn detection_ranks_country_specific_posts_over_the_s10_fallback() {
    let registry = registry();
    let found = registry.detect("RB123456785GB");
    assert_eq!(found[0].code, "royal_mail", "{found:?}");
    assert!(found[0].checksum_ok);
    assert!(found.iter().any(|d| d.code == "upu_s10"));
    assert!(registry.detect("").is_empty());
    assert!(registry.detect("not a number at all ✓").is_empty());
}
