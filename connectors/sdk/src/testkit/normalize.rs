//! The normalize check: no input, however broken, makes `normalize` panic.

use super::corpus::corpus;
use super::CheckResult;
use crate::{RawOrder, Source};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Proves `normalize` is total (spec §2.2): `valid` normalizes, then every input of
/// [`corpus`]`(valid)` (truncations, garbage, deep nesting, each field replaced by
/// values of other types, each field removed) returns `Ok` or `Err` without panicking;
/// every `Err` names a location; every `Ok` order passes [`crate::model::Order::validate`].
///
/// A panic is caught with [`std::panic::catch_unwind`] and reported with the mutation
/// that caused it (the default panic hook still prints it). A stack overflow aborts the
/// test process instead: that, too, fails the test.
pub fn normalize_never_panics(source: &dyn Source, valid: &RawOrder) -> CheckResult {
    const CHECK: &str = "normalize_never_panics";
    source
        .normalize(valid)
        .map_err(|e| format!("{CHECK}: the valid payload does not normalize: {e}"))?;
    let mut failures = Vec::new();
    let inputs = corpus(&valid.body);
    for m in &inputs {
        let raw = RawOrder {
            external_id: valid.external_id.clone(),
            content_type: valid.content_type.clone(),
            body: m.body.clone(),
        };
        match catch_unwind(AssertUnwindSafe(|| source.normalize(&raw))) {
            Err(panic) => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(non-text panic payload)".into());
                failures.push(format!("{}: panicked: {why}", m.label));
            }
            Ok(Err(e)) if e.location().is_empty() => {
                failures.push(format!("{}: error without a location: {e}", m.label));
            }
            Ok(Err(_)) => {}
            Ok(Ok(order)) => {
                if let Err(v) = order.validate() {
                    failures.push(format!("{}: returned an invalid order: {v}", m.label));
                }
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{CHECK}: {} of {} inputs misbehaved:\n  {}",
            failures.len(),
            inputs.len(),
            failures.join("\n  ")
        ))
    }
}
