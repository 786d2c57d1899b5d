//! Phone numbers to E.164, so the same buyer's number reads the same whichever channel
//! sent it (`+33 6 12 34 56 78`, `0612345678` with country FR, `0033612345678`).
//!
//! This is deliberately small: it knows each country's calling code and whether its
//! national numbers carry a trunk `0` to drop, and checks the length E.164 allows. It does
//! not validate number ranges; a number it cannot place is left as the channel sent it.

use super::CountryCode;

/// Calling codes by country, with whether national numbers start with a trunk prefix `0`
/// (Europe, China, Russia's `8` is handled separately) that is dropped after the code.
const CALLING_CODES: &[(&str, &str, bool)] = &[
    ("AT", "43", true),
    ("AU", "61", true),
    ("BE", "32", true),
    ("BR", "55", true),
    ("BY", "375", false),
    ("CA", "1", false),
    ("CH", "41", true),
    ("CN", "86", true),
    ("CZ", "420", false),
    ("DE", "49", true),
    ("DK", "45", false),
    ("ES", "34", false),
    ("FI", "358", true),
    ("FR", "33", true),
    ("GB", "44", true),
    ("GF", "594", true),
    ("GP", "590", true),
    ("HK", "852", false),
    ("IE", "353", true),
    ("IN", "91", true),
    ("IT", "39", false),
    ("JP", "81", true),
    ("KR", "82", true),
    ("KZ", "7", false),
    ("LU", "352", false),
    ("MC", "377", false),
    ("MQ", "596", true),
    ("MX", "52", false),
    ("NL", "31", true),
    ("NO", "47", false),
    ("NZ", "64", true),
    ("PL", "48", false),
    ("PT", "351", false),
    ("RE", "262", true),
    ("RU", "7", false),
    ("SE", "46", true),
    ("SG", "65", false),
    ("TW", "886", true),
    ("UA", "380", true),
    ("US", "1", false),
];

/// `raw` in E.164 (`+` and 8 to 15 digits), reading a number without an international
/// prefix as national to `country`. `None` when it cannot be placed: no digits, an
/// unknown country for a national number, or a length E.164 does not allow.
pub fn e164(raw: &str, country: Option<CountryCode>) -> Option<String> {
    let trimmed = raw.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let international = if trimmed.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else {
        let country = country?.as_str();
        let &(_, code, trunk_zero) = CALLING_CODES.iter().find(|(c, _, _)| *c == country)?;
        let national = match (country, trunk_zero) {
            // Russia and Kazakhstan write national numbers with a trunk 8.
            ("RU" | "KZ", _) if digits.len() == 11 && digits.starts_with('8') => &digits[1..],
            // A national number already written with its calling code (`86138…`, `1415…`).
            _ if digits.len() > 10 && digits.starts_with(code) => &digits[code.len()..],
            (_, true) => digits.strip_prefix('0').unwrap_or(&digits),
            (_, false) => &digits,
        };
        format!("{code}{national}")
    };
    (8..=15)
        .contains(&international.len())
        .then(|| format!("+{international}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> Option<CountryCode> {
        Some(CountryCode::parse(code).expect("valid code"))
    }

    #[test]
    fn the_same_number_written_four_ways_reads_the_same() {
        let fr = country("FR");
        for raw in [
            "+33 6 12 34 56 78",
            "06 12 34 56 78",
            "0033612345678",
            "33612345678",
        ] {
            assert_eq!(e164(raw, fr).as_deref(), Some("+33612345678"), "{raw}");
        }
    }

    #[test]
    fn north_american_numbers_keep_their_area_code() {
        assert_eq!(
            e164("(415) 555-0123", country("US")).as_deref(),
            Some("+14155550123")
        );
        assert_eq!(
            e164("1-415-555-0123", country("US")).as_deref(),
            Some("+14155550123")
        );
    }

    #[test]
    fn chinese_mobiles_and_russian_trunk_eight() {
        assert_eq!(
            e164("138 0013 8000", country("CN")).as_deref(),
            Some("+8613800138000")
        );
        assert_eq!(
            e164("8 (912) 345-67-89", country("RU")).as_deref(),
            Some("+79123456789")
        );
    }

    #[test]
    fn numbers_that_cannot_be_placed_are_refused() {
        assert_eq!(e164("0612345678", None), None);
        assert_eq!(e164("n/a", country("FR")), None);
        assert_eq!(e164("+1234", None), None);
        assert_eq!(e164("0612345678", country("AQ")), None);
    }
}
