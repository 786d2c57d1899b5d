//! Tracking-number detection: which carriers can a number belong to, best first.

use crate::registry::Registry;

/// One carrier format a number satisfies.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection<'r> {
    /// The carrier's code.
    pub code: &'r str,
    /// The format that matched.
    pub format_name: &'r str,
    /// Bits of evidence: how unlikely a random string would satisfy the pattern, its
    /// allow-lists and its check digit. Higher is more certain; equal scores are a tie.
    pub score: f32,
    /// True when the format defines a check digit and it matched; false when the format
    /// has none (a failing check digit is never returned).
    pub checksum_ok: bool,
}

impl Registry {
    /// Ranks the carrier formats `number` can belong to, best first. White space is
    /// removed and letters upper-cased first, as suppliers type numbers loosely. A
    /// format whose check digit or allow-list fails is left out; ties keep file order.
    pub fn detect(&self, number: &str) -> Vec<Detection<'_>> {
        let canonical: String = number
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let mut found: Vec<Detection<'_>> = Vec::new();
        let mut last_format = None;
        for index in self.prefilter.matches(&canonical).iter() {
            let Some(&(c, f, p)) = self.pattern_owner.get(index) else {
                continue;
            };
            // Patterns of one format are tried in order: the first that matches decides.
            if last_format == Some((c, f)) {
                continue;
            }
            last_format = Some((c, f));
            let Some(carrier) = self.carriers.get(c) else {
                continue;
            };
            let Some(format) = carrier.formats().get(f) else {
                continue;
            };
            if let Some(m) = format.check(p, &canonical) {
                found.push(Detection {
                    code: carrier.code(),
                    format_name: format.name(),
                    score: m.score,
                    checksum_ok: m.checksum_ok,
                });
            }
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        found
    }
}
