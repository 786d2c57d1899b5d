//! Check-digit rules, exactly as tracking_number_data's CHECKSUM_ALGORITHMS.md defines
//! them (plus standard Luhn, which its formats name). A failed check digit is the best
//! evidence that a number is not the carrier's, so detection drops such a format.

use serde::Deserialize;

/// One check-digit rule, tagged by `algorithm` in a carrier file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "algorithm", rename_all = "snake_case", deny_unknown_fields)]
pub enum Checksum {
    /// Weighted sum mod 10; letters count as `(ascii - 3) % 10` (UPS).
    Mod10 {
        /// Weight of characters at even 0-based positions.
        #[serde(default = "one")]
        evens_multiplier: u32,
        /// Weight of characters at odd 0-based positions.
        #[serde(default = "one")]
        odds_multiplier: u32,
        /// Count positions from the right instead of the left.
        #[serde(default)]
        reverse: bool,
    },
    /// The serial as a number, mod 7 (DHL Express air waybills).
    Mod7,
    /// UPU S10: weights 8,6,4,2,3,5,9,7 mod 11, remainder 1 → 0 and 0 → 5.
    S10,
    /// Σ digit × weight, mod `modulo1`, mod `modulo2` (FedEx).
    SumProduct {
        /// One weight per serial digit, left to right.
        weights: Vec<u32>,
        /// First modulus.
        modulo1: u32,
        /// Second modulus.
        modulo2: u32,
    },
    /// Standard Luhn over the serial, the check digit appended.
    Luhn,
    /// ISO 7064 MOD 37,36 hybrid (DPD); the check character may be a letter.
    #[serde(rename = "mod_37_36")]
    Mod3736,
}

fn one() -> u32 {
    1
}

impl Checksum {
    /// Whether `check` is the right check character for `serial`.
    pub fn verify(&self, serial: &str, check: &str) -> bool {
        let Some(check_char) = single_char(check) else {
            return false;
        };
        if let Self::Mod3736 = self {
            return mod_37_36(serial) == Some(check_char);
        }
        let Some(check) = check_char.to_digit(10) else {
            return false;
        };
        let computed = match self {
            Self::Mod10 {
                evens_multiplier,
                odds_multiplier,
                reverse,
            } => Some(mod10(serial, *evens_multiplier, *odds_multiplier, *reverse)),
            Self::Mod7 => mod7(serial),
            Self::S10 => s10(serial),
            Self::SumProduct {
                weights,
                modulo1,
                modulo2,
            } => sum_product(serial, weights, *modulo1, *modulo2),
            Self::Luhn => luhn(serial),
            Self::Mod3736 => None,
        };
        computed == Some(check)
    }

    /// Bits of evidence a passing check digit adds: log2 of the number of possible
    /// check values, so a mod 36 check weighs more than a mod 7 one.
    pub(crate) fn evidence_bits(&self) -> f32 {
        let outcomes: f32 = match self {
            Self::Mod7 => 7.0,
            Self::S10 => 11.0,
            Self::SumProduct { modulo2, .. } => (*modulo2).max(1) as f32,
            Self::Mod3736 => 36.0,
            Self::Mod10 { .. } | Self::Luhn => 10.0,
        };
        outcomes.log2()
    }

    /// A short name for listings and errors.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Mod10 { .. } => "mod10",
            Self::Mod7 => "mod7",
            Self::S10 => "s10",
            Self::SumProduct { .. } => "sum_product",
            Self::Luhn => "luhn",
            Self::Mod3736 => "mod_37_36",
        }
    }
}

fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

fn mod10(serial: &str, evens: u32, odds: u32, reverse: bool) -> u32 {
    let value = |c: char| c.to_digit(10).unwrap_or((c as u32).wrapping_sub(3) % 10);
    let weigh = |(i, c): (usize, char)| value(c) * if i % 2 == 1 { odds } else { evens };
    let total: u32 = if reverse {
        serial.chars().rev().enumerate().map(weigh).sum()
    } else {
        serial.chars().enumerate().map(weigh).sum()
    };
    (10 - total % 10) % 10
}

fn mod7(serial: &str) -> Option<u32> {
    serial
        .chars()
        .try_fold(0u32, |r, c| c.to_digit(10).map(|d| (r * 10 + d) % 7))
}

fn s10(serial: &str) -> Option<u32> {
    const WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];
    if serial.chars().count() != WEIGHTS.len() {
        return None;
    }
    let mut total = 0;
    for (c, w) in serial.chars().zip(WEIGHTS) {
        total += c.to_digit(10)? * w;
    }
    Some(match total % 11 {
        1 => 0,
        0 => 5,
        r => 11 - r,
    })
}

fn sum_product(serial: &str, weights: &[u32], modulo1: u32, modulo2: u32) -> Option<u32> {
    if serial.chars().count() > weights.len() || modulo1 == 0 || modulo2 == 0 {
        return None;
    }
    let mut total = 0;
    for (c, w) in serial.chars().zip(weights) {
        total += c.to_digit(10)? * w;
    }
    Some(total % modulo1 % modulo2)
}

fn luhn(serial: &str) -> Option<u32> {
    let mut total = 0;
    for (i, c) in serial.chars().rev().enumerate() {
        let mut d = c.to_digit(10)?;
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        total += d;
    }
    Some((10 - total % 10) % 10)
}

fn mod_37_36(serial: &str) -> Option<char> {
    const MOD: u32 = 36;
    let mut cd = MOD;
    for c in serial.chars() {
        cd += c.to_digit(36)?;
        if cd > MOD {
            cd -= MOD;
        }
        cd *= 2;
        if cd > MOD {
            cd -= MOD + 1;
        }
    }
    let mut cd = MOD + 1 - cd;
    if cd == MOD {
        cd = 0;
    }
    char::from_digit(cd, 36).map(|c| c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_algorithm_accepts_its_check_digit_and_refuses_a_neighbour() {
        let ups = Checksum::Mod10 {
            evens_multiplier: 1,
            odds_multiplier: 2,
            reverse: false,
        };
        assert!(ups.verify("5R8939035756712", "7"));
        assert!(!ups.verify("5R8939035756712", "8"));
        assert!(Checksum::Mod7.verify("331881002", "5"));
        assert!(!Checksum::Mod7.verify("331881001", "0"));
        assert!(Checksum::S10.verify("12345678", "5"));
        assert!(!Checksum::S10.verify("12345678", "6"));
        assert!(Checksum::Luhn.verify("7992739871", "3"));
        assert!(!Checksum::Luhn.verify("7992739871", "4"));
        assert!(Checksum::Mod3736.verify(
            "0081827099800000200333502 76".replace(' ', "").as_str(),
            "C"
        ));
        assert!(!Checksum::Mod3736.verify("008182709980000020033350276", "A"));
    }

    #[test]
    fn malformed_check_values_fail_instead_of_panicking() {
        assert!(!Checksum::Luhn.verify("12", ""));
        assert!(!Checksum::Luhn.verify("12", "34"));
        assert!(!Checksum::S10.verify("1234", "5"));
        let fedex = Checksum::SumProduct {
            weights: vec![3, 1],
            modulo1: 11,
            modulo2: 10,
        };
        assert!(!fedex.verify("123", "0"));
    }
}
