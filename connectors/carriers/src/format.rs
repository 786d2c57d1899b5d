//! One tracking-number format, compiled: its anchored patterns, check-digit rule and
//! allow-lists, and what a match of each pattern is worth in evidence bits.

use crate::checksum::Checksum;
use crate::error::{line_col, RegistryError};
use crate::evidence;
use crate::spec::FormatSpec;
use regex::Regex;

/// The capture group holding the characters the check digit covers.
const SERIAL: &str = "SerialNumber";
/// The capture group holding the check character.
const CHECK: &str = "CheckDigit";

/// A tracking-number format of one carrier (e.g. UPS `1Z…`, FedEx Express 12 digits).
#[derive(Debug, Clone)]
pub struct TrackingFormat {
    name: String,
    patterns: Vec<Regex>,
    pattern_bits: Vec<f32>,
    checksum: Option<Checksum>,
    serial_prepend: Option<String>,
    allowed: Vec<(String, Vec<String>)>,
    allowed_bits: f32,
}

/// What one format says about one number that matched one of its patterns.
pub(crate) struct FormatMatch {
    pub(crate) score: f32,
    pub(crate) checksum_ok: bool,
}

impl TrackingFormat {
    /// The format's name, unique within its carrier.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The check-digit rule, when the carrier defines one.
    pub fn checksum(&self) -> Option<&Checksum> {
        self.checksum.as_ref()
    }

    /// The anchored patterns, tried in order.
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(Regex::as_str)
    }

    /// Checks a canonical number against pattern `index` (which the caller knows
    /// matches, from the registry's prefilter) and the format's validations.
    pub(crate) fn check(&self, index: usize, number: &str) -> Option<FormatMatch> {
        let caps = self.patterns.get(index)?.captures(number)?;
        for (group, values) in &self.allowed {
            let value = caps.name(group)?.as_str();
            if !values.iter().any(|v| v == value) {
                return None;
            }
        }
        let mut score = self.pattern_bits.get(index).copied().unwrap_or(0.0) + self.allowed_bits;
        let checksum_ok = match &self.checksum {
            None => false,
            Some(rule) => {
                let serial = caps.name(SERIAL)?.as_str();
                let check = caps.name(CHECK)?.as_str();
                let ok = match &self.serial_prepend {
                    Some(prefix) if !serial.starts_with(prefix.as_str()) => {
                        rule.verify(&format!("{prefix}{serial}"), check)
                    }
                    _ => rule.verify(serial, check),
                };
                if !ok {
                    return None;
                }
                score += rule.evidence_bits();
                true
            }
        };
        Some(FormatMatch { score, checksum_ok })
    }

    /// Compiles a spec; `key` is its path in the file (`tracking_numbers[2]`).
    pub(crate) fn compile(
        spec: FormatSpec,
        file: &str,
        key: &str,
        text: &str,
    ) -> Result<Self, RegistryError> {
        let invalid = |key: String, offset: usize, reason: String| RegistryError::Invalid {
            file: file.to_string(),
            key,
            line: line_col(text, offset).0,
            reason,
        };
        if spec.patterns.is_empty() {
            return Err(invalid(
                format!("{key}.patterns"),
                0,
                "a format needs at least one pattern".into(),
            ));
        }
        let mut patterns = Vec::with_capacity(spec.patterns.len());
        let mut pattern_bits = Vec::with_capacity(spec.patterns.len());
        for (i, pattern) in spec.patterns.iter().enumerate() {
            let at = pattern.span().start;
            let pkey = format!("{key}.patterns[{i}]");
            let anchored = format!("^(?:{})$", pattern.get_ref());
            let regex =
                Regex::new(&anchored).map_err(|e| invalid(pkey.clone(), at, e.to_string()))?;
            let names: Vec<&str> = regex.capture_names().flatten().collect();
            if spec.checksum.is_some() {
                for group in [SERIAL, CHECK] {
                    if !names.contains(&group) {
                        return Err(invalid(
                            pkey,
                            at,
                            format!("a checksum needs a named group `(?<{group}>…)`"),
                        ));
                    }
                }
            }
            for group in spec.allowed.keys() {
                if !names.contains(&group.as_str()) {
                    return Err(invalid(
                        pkey,
                        at,
                        format!("`allowed.{group}` names a group this pattern lacks"),
                    ));
                }
            }
            pattern_bits.push(evidence::pattern_bits(&anchored).map_err(|e| invalid(pkey, at, e))?);
            patterns.push(regex);
        }
        let mut allowed_bits = 0.0;
        let mut allowed = Vec::with_capacity(spec.allowed.len());
        for (group, values) in spec.allowed {
            if values.get_ref().is_empty() {
                return Err(invalid(
                    format!("{key}.allowed.{group}"),
                    values.span().start,
                    "an empty allow-list would refuse every number".into(),
                ));
            }
            allowed_bits += evidence::allowed_bits(values.get_ref());
            allowed.push((group, values.into_inner()));
        }
        Ok(Self {
            name: spec.name,
            patterns,
            pattern_bits,
            checksum: spec.checksum,
            serial_prepend: spec.serial_prepend,
            allowed,
            allowed_bits,
        })
    }
}
