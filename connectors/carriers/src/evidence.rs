//! How much a pattern match proves. Ranking needs a number that says "`1Z` plus a check
//! digit" is stronger than "any 14 digits"; we measure it in bits: how unlikely a random
//! string over `[0-9A-Z]` would be to satisfy each mandatory position of the pattern.

use regex_syntax::hir::{Class, Hir, HirKind};

/// The alphabet tracking numbers are written in: digits and upper-case letters.
const ALPHABET: f32 = 36.0;

/// Minimum bits of evidence a match of `pattern` carries (repetitions at their minimum
/// count, the weakest branch of an alternation).
pub(crate) fn pattern_bits(pattern: &str) -> Result<f32, String> {
    let hir = regex_syntax::parse(pattern).map_err(|e| e.to_string())?;
    Ok(bits(&hir))
}

fn bits(hir: &Hir) -> f32 {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0.0,
        HirKind::Literal(lit) => lit.0.len() as f32 * ALPHABET.log2(),
        HirKind::Class(class) => class_bits(class),
        HirKind::Repetition(rep) => rep.min as f32 * bits(&rep.sub),
        HirKind::Capture(cap) => bits(&cap.sub),
        HirKind::Concat(parts) => parts.iter().map(bits).sum(),
        HirKind::Alternation(branches) => branches.iter().map(bits).fold(f32::INFINITY, f32::min),
    }
}

fn class_bits(class: &Class) -> f32 {
    let in_alphabet = |c: char| c.is_ascii_digit() || c.is_ascii_uppercase();
    let members = match class {
        Class::Unicode(u) => u
            .iter()
            .map(|r| (r.start()..=r.end()).filter(|c| in_alphabet(*c)).count())
            .sum::<usize>(),
        Class::Bytes(b) => b
            .iter()
            .map(|r| {
                (r.start()..=r.end())
                    .filter(|c| in_alphabet(char::from(*c)))
                    .count()
            })
            .sum::<usize>(),
    };
    (ALPHABET / members.max(1) as f32).log2()
}

/// Bits an allow-list adds: the values of that length the alphabet could spell, against
/// the few the list admits (one country code in 676 letter pairs is ~9.4 bits).
pub(crate) fn allowed_bits(values: &[String]) -> f32 {
    let Some(len) = values.iter().map(|v| v.chars().count()).max() else {
        return 0.0;
    };
    let alphabet: f32 = if values.iter().all(|v| v.chars().all(|c| c.is_ascii_digit())) {
        10.0
    } else if values
        .iter()
        .all(|v| v.chars().all(|c| c.is_ascii_uppercase()))
    {
        26.0
    } else {
        ALPHABET
    };
    (len as f32 * alphabet.log2() - (values.len() as f32).log2()).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_narrow_classes_weigh_more_than_free_digits() {
        let any14 = pattern_bits("[0-9]{14}").unwrap();
        let ups = pattern_bits("1Z[A-Z0-9]{15}[0-9]").unwrap();
        assert!(ups > 2.0 * 36f32.log2(), "{ups}");
        assert!((any14 - 14.0 * 3.6f32.log2()).abs() < 1e-3);
        let alt = pattern_bits("(?:AB|C)").unwrap();
        assert!(
            (alt - 36f32.log2()).abs() < 1e-3,
            "the weakest branch counts: {alt}"
        );
        assert!(allowed_bits(&["FR".into()]) > allowed_bits(&["FR".into(), "DE".into()]));
    }
}
