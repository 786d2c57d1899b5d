//! Countries as Cdiscount writes them. The Octopia REST API sends ISO 3166-1 alpha-2
//! (`countryCode: "FR"`); the SOAP `Address.Country` is free text in the recorded
//! calls (anonymised as `COUNTRY`), and the SOAP header itself writes `Fr`. So a code in
//! any case is accepted, and the French names of the countries Cdiscount delivers to
//! (France, its overseas departments, and the EU neighbours it ships to) are mapped;
//! anything else is an error naming the value, never a guess.

use super::invalid;
use shipgate_sdk::model::CountryCode;
use shipgate_sdk::MappingError;

/// French country names (upper-case, without accents) and their ISO codes.
const FRENCH_NAMES: &[(&str, &str)] = &[
    ("ALLEMAGNE", "DE"),
    ("AUTRICHE", "AT"),
    ("BELGIQUE", "BE"),
    ("ESPAGNE", "ES"),
    ("FRANCE", "FR"),
    ("FRANCE METROPOLITAINE", "FR"),
    ("GUADELOUPE", "GP"),
    ("GUYANE", "GF"),
    ("GUYANE FRANCAISE", "GF"),
    ("ITALIE", "IT"),
    ("LA REUNION", "RE"),
    ("LUXEMBOURG", "LU"),
    ("MARTINIQUE", "MQ"),
    ("MAYOTTE", "YT"),
    ("MONACO", "MC"),
    ("PAYS-BAS", "NL"),
    ("PORTUGAL", "PT"),
    ("REUNION", "RE"),
    ("SUISSE", "CH"),
];

fn fold(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'É' | 'È' | 'Ê' => 'E',
            'ç' | 'Ç' => 'C',
            'à' | 'â' | 'À' | 'Â' => 'A',
            'î' | 'ï' | 'Î' | 'Ï' => 'I',
            'ô' | 'Ô' => 'O',
            'û' | 'ü' | 'Û' | 'Ü' => 'U',
            other => other.to_ascii_uppercase(),
        })
        .collect()
}

/// The ISO code of a Cdiscount country value, or an error naming `path` and the value.
pub fn parse(path: &str, raw: &str) -> Result<CountryCode, MappingError> {
    if let Ok(code) = CountryCode::parse(raw) {
        return Ok(code);
    }
    let folded = fold(raw);
    FRENCH_NAMES
        .iter()
        .find(|(name, _)| *name == folded)
        .and_then(|(_, code)| CountryCode::parse(code).ok())
        .ok_or_else(|| {
            invalid(
                path,
                raw,
                "neither an ISO 3166-1 alpha-2 code nor a known French country name",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_french_names() {
        assert_eq!(parse("c", "FR").unwrap().as_str(), "FR");
        assert_eq!(parse("c", "Fr").unwrap().as_str(), "FR");
        assert_eq!(parse("c", " France ").unwrap().as_str(), "FR");
        assert_eq!(parse("c", "Réunion").unwrap().as_str(), "RE");
        assert_eq!(parse("c", "BELGIQUE").unwrap().as_str(), "BE");
        let err = parse("ShippingAddress.Country", "COUNTRY").unwrap_err();
        assert_eq!(err.location(), "ShippingAddress.Country");
    }
}
