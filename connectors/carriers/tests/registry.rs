//! The registry over the real mapping files, and the errors a bad file gets.

use shipgate_carriers::{Registry, RegistryError, Vocabulary};
use shipgate_sdk::model::{CountryCode, TrackingStatus};
use std::path::PathBuf;

fn registry() -> Registry {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    Registry::load_dir(dir).unwrap_or_else(|errors| panic!("mappings must load: {errors:#?}"))
}

#[test]
fn every_mapping_file_loads_and_there_are_at_least_45_carriers() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/carriers");
    let files = std::fs::read_dir(&dir).unwrap().count();
    let registry = registry();
    assert_eq!(registry.len(), files, "one carrier per file");
    assert!(registry.len() >= 45, "{} carriers", registry.len());
    for code in [
        "ups",
        "fedex",
        "usps",
        "dhl_express",
        "tnt",
        "aramex",
        "chronopost",
        "colissimo",
        "dpd",
        "gls",
        "mondial_relay",
        "cdek",
        "russian_post",
        "boxberry",
        "sf_express",
        "zto",
        "yto",
        "sto",
        "yunda",
        "jd_logistics",
        "china_ems",
        "cainiao",
        "canada_post",
    ] {
        assert!(registry.get(code).is_some(), "{code} missing");
    }
}

#[test]
fn status_maps_and_tracking_urls_come_from_the_files() {
    let registry = registry();
    let colissimo = registry.get("colissimo").unwrap();
    assert_eq!(colissimo.status("DI1"), TrackingStatus::Delivered);
    assert_eq!(colissimo.status("DR1"), TrackingStatus::InfoReceived);
    assert_eq!(colissimo.status("ZZ9"), TrackingStatus::Unknown);
    assert!(colissimo
        .countries()
        .contains(CountryCode::parse("FR").unwrap()));
    assert_eq!(
        registry
            .tracking_url("ups", " 1z5r 8939 0357 567127")
            .as_deref(),
        Some("https://wwwapps.ups.com/WebTracking/track?track=yes&trackNums=1Z5R89390357567127")
    );
    assert_eq!(registry.tracking_url("ups", "1Z/bad"), None);
    assert_eq!(registry.tracking_url("nobody", "1Z5R89390357567127"), None);
}

#[test]
fn by_name_resolves_supplier_spellings() {
    let registry = registry();
    let cases = [
        (None, "dhl express", "dhl_express"),
        (None, "DHL-Express", "dhl_express"),
        (None, "Colissimo", "colissimo"),
        (None, "la poste", "colissimo"),
        (None, "  UPS ", "ups"),
        (None, "United Parcel Service", "ups"),
        (None, "fedex", "fedex"),
        (None, "Federal Express", "fedex"),
        (None, "Mondial Relay", "mondial_relay"),
        (None, "СДЭК", "cdek"),
        (None, "Почта России", "russian_post"),
        (None, "顺丰速运", "sf_express"),
        (None, "zto express", "zto"),
        (None, "EMS", "china_ems"),
        (Some(Vocabulary::Shopify), "DHL eCommerce", "dhl_ecommerce"),
        (Some(Vocabulary::Shopify), "Canada Post", "canada_post"),
    ];
    for (vocabulary, name, code) in cases {
        let found = registry.by_name(vocabulary, name).map(|c| c.code());
        assert_eq!(found, Some(code), "{name:?}");
    }
    assert!(registry.by_name(None, "Pigeon Post Ltd").is_none());
    assert!(registry.by_name(None, " - ").is_none());
    assert_eq!(
        registry
            .get("dhl_express")
            .unwrap()
            .name_in(Vocabulary::Shopify),
        Some("DHL Express")
    );
}

const GOOD: &str = r#"
code = "acme"
name = "Acme Couriers"
countries = ["FR", "BE"]
tracking_url = "https://acme.example/track/{number}"

[statuses]
OK = "delivered"

[[tracking_numbers]]
name = "Acme 10"
patterns = ['AC(?<SerialNumber>[0-9]{7})(?<CheckDigit>[0-9])']
checksum = { algorithm = "luhn" }
"#;

#[test]
fn a_new_carrier_is_one_toml_file() {
    let registry = Registry::from_sources([("acme.toml", GOOD)]).unwrap();
    let found = registry.detect("ac 1234567 4");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "acme");
    assert!(found[0].checksum_ok);
    assert!(
        registry.detect("AC12345675").is_empty(),
        "a wrong Luhn digit is refused"
    );
}

fn one_error(name: &str, text: &str) -> RegistryError {
    let mut errors = Registry::from_sources([(name, text)]).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.remove(0)
}

#[test]
fn bad_toml_names_file_line_and_key() {
    let syntax = one_error("broken.toml", "code = \"x\"\nname = \n");
    let text = syntax.to_string();
    assert!(text.starts_with("broken.toml:2:"), "{text}");

    let status = GOOD.replace("OK = \"delivered\"", "OK = \"deliverd\"");
    match one_error("acme.toml", &status) {
        RegistryError::Parse {
            file,
            key,
            line,
            reason,
            ..
        } => {
            assert_eq!(file, "acme.toml");
            assert_eq!(key, "statuses.OK");
            assert_eq!(line, 8);
            assert!(reason.contains("deliverd"), "{reason}");
        }
        other => panic!("{other:?}"),
    }

    let regex = GOOD.replace("[0-9]{7})", "[0-9]{7}");
    match one_error("acme.toml", &regex) {
        RegistryError::Invalid { key, line, .. } => {
            assert_eq!(key, "tracking_numbers[0].patterns[0]");
            assert_eq!(line, 12);
        }
        other => panic!("{other:?}"),
    }

    let no_check = GOOD.replace("(?<CheckDigit>[0-9])", "[0-9]");
    let text = one_error("acme.toml", &no_check).to_string();
    assert!(
        text.contains("CheckDigit") && text.contains("acme.toml:12"),
        "{text}"
    );

    let country = GOOD.replace("\"BE\"", "\"UK\"");
    let text = one_error("acme.toml", &country).to_string();
    assert!(
        text.contains("countries[1]") && text.contains("UK"),
        "{text}"
    );

    let typo = GOOD.replace("patterns =", "pattern =");
    let text = one_error("acme.toml", &typo).to_string();
    assert!(
        text.contains("acme.toml:12") && text.contains("pattern"),
        "{text}"
    );
}

#[test]
fn two_files_cannot_claim_one_code_or_one_name() {
    let twin = GOOD.replace("Acme Couriers", "Acme Two");
    let errors = Registry::from_sources([("a.toml", GOOD), ("b.toml", twin.as_str())]).unwrap_err();
    assert!(
        errors[0]
            .to_string()
            .contains("already claimed by acme (a.toml)"),
        "{errors:?}"
    );
    let alias = GOOD
        .replace("\"acme\"", "\"other\"")
        .replace("Acme Couriers", "Other");
    let alias = alias.replace("countries", "aliases = [\"ACME couriers\"]\ncountries");
    let errors =
        Registry::from_sources([("a.toml", GOOD), ("b.toml", alias.as_str())]).unwrap_err();
    assert_eq!(errors[0].file(), "b.toml");
}
