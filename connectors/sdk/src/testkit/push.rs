//! The push check: pushing the same shipment twice creates one remote effect.

use super::CheckResult;
use crate::model::{Order, Shipment};
use crate::Storefront;

/// Proves idempotent push (spec §6): `order` starts with no remote effect
/// (`remote_count(order's external id) == 0`); the first push creates one
/// (`already_existed == false`, count 1); the second push of the same shipment, as after
/// a worker crashed before recording the result, finds it (`already_existed == true`,
/// the same remote id) and the count stays 1.
pub async fn push_is_idempotent(
    storefront: &dyn Storefront,
    order: &Order,
    shipment: &Shipment,
    remote_count: impl Fn(&str) -> usize,
) -> CheckResult {
    const CHECK: &str = "push_is_idempotent";
    let external = order.source.external_id.as_str();
    let count = |when: &str, want: usize| -> CheckResult {
        let got = remote_count(external);
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "{CHECK}: {when}, order {external} has {got} remote fulfillments, expected {want}"
            ))
        }
    };
    count("before any push", 0)?;
    let first = storefront
        .push_fulfillment(order, shipment)
        .await
        .map_err(|e| format!("{CHECK}: the first push failed: {e}"))?;
    if first.already_existed || first.id.is_empty() {
        return Err(format!(
            "{CHECK}: the first push returned {first:?}; it must create (already_existed = \
             false) and name what it created"
        ));
    }
    count("after the first push", 1)?;
    let second = storefront
        .push_fulfillment(order, shipment)
        .await
        .map_err(|e| format!("{CHECK}: the repeated push failed: {e}"))?;
    if !second.already_existed || second.id != first.id {
        return Err(format!(
            "{CHECK}: the repeated push returned {second:?} after {first:?}; it must find the \
             same remote effect with already_existed = true"
        ));
    }
    count("after the repeated push", 1)
}
