//! Pull checks: every order exactly once across pages, resume from a stored cursor, and
//! one bad record that does not stop the batch.

use super::CheckResult;
use crate::model::content_hash;
use crate::{Cursor, Page, RawOrder, Source};
use std::collections::BTreeSet;

/// Pages walked before a pull is declared endless (a cursor that never reaches the end).
const MAX_PAGES: usize = 10_000;

/// What a walk from one cursor to `has_more == false` saw.
struct Walk {
    /// Every raw order, in page order.
    orders: Vec<RawOrder>,
    /// How many records pages refused as not even orders.
    rejected: usize,
    /// How many pages it took.
    pages: usize,
    /// The cursor the last page returned.
    end: Cursor,
}

/// Pulls from `cursor` until the remote says there is no more, failing on an error, on
/// a page that says `has_more` but hands back the cursor it was given (a loop), and on
/// more than [`MAX_PAGES`] pages.
async fn walk(check: &str, source: &dyn Source, mut cursor: Cursor) -> Result<Walk, String> {
    let mut walk = Walk {
        orders: Vec::new(),
        rejected: 0,
        pages: 0,
        end: Cursor::default(),
    };
    loop {
        let page: Page = source
            .pull(&cursor)
            .await
            .map_err(|e| format!("{check}: pull from {cursor:?} failed: {e}"))?;
        walk.pages += 1;
        walk.rejected += page.rejected.len();
        walk.orders.extend(page.orders);
        if !page.has_more {
            walk.end = page.next;
            return Ok(walk);
        }
        if page.next == cursor {
            return Err(format!(
                "{check}: page {} says has_more but returned the cursor it was given \
                 ({cursor:?}): the pull would loop forever",
                walk.pages
            ));
        }
        if walk.pages >= MAX_PAGES {
            return Err(format!(
                "{check}: still has_more after {MAX_PAGES} pages: the cursor never reaches the end"
            ));
        }
        cursor = page.next;
    }
}

/// Normalizes `raw` and returns the order's external id, checking what every normalized
/// order must carry: the source's origin and channel, the hash of the exact bytes, and
/// the same id the page peeked (when it peeked one).
fn identify(check: &str, source: &dyn Source, raw: &RawOrder) -> Result<String, String> {
    let label = raw.external_id.as_deref().unwrap_or("(no external id)");
    if raw.body.is_empty() || raw.content_type.is_empty() {
        return Err(format!(
            "{check}: raw order {label} has an empty body or content type"
        ));
    }
    let order = source
        .normalize(raw)
        .map_err(|e| format!("{check}: raw order {label} does not normalize: {e}"))?;
    let origin = source.origin();
    let stamped = (
        order.tenant.as_str(),
        order.merchant.as_str(),
        order.source.connector_id.as_str(),
    );
    let wanted = (
        origin.tenant.as_str(),
        origin.merchant.as_str(),
        origin.connector_id.as_str(),
    );
    if stamped != wanted {
        return Err(format!(
            "{check}: order {label} is stamped {stamped:?}, the source's origin is {wanted:?}"
        ));
    }
    if order.source.channel != source.channel() {
        return Err(format!(
            "{check}: order {label} says channel {}, the source sells on {}",
            order.source.channel,
            source.channel()
        ));
    }
    if order.raw_hash != content_hash(&raw.body) {
        return Err(format!(
            "{check}: order {label} has raw_hash {} but its raw bytes hash to {}: the hash \
             must be of the exact bytes kept",
            order.raw_hash,
            content_hash(&raw.body)
        ));
    }
    if let Some(peeked) = &raw.external_id {
        if *peeked != order.source.external_id {
            return Err(format!(
                "{check}: the page named the order {peeked} but it normalizes to {}",
                order.source.external_id
            ));
        }
    }
    Ok(order.source.external_id)
}

/// Every id, failing on the first one seen twice.
fn distinct_ids(
    check: &str,
    source: &dyn Source,
    orders: &[RawOrder],
    seen: &mut BTreeSet<String>,
) -> CheckResult {
    for raw in orders {
        let id = identify(check, source, raw)?;
        if !seen.insert(id.clone()) {
            return Err(format!(
                "{check}: order {id} came twice while walking the pages"
            ));
        }
    }
    Ok(())
}

/// Compares what was pulled with what the sandbox holds.
fn same_ids(check: &str, seen: &BTreeSet<String>, expected: &[String]) -> CheckResult {
    let expected: BTreeSet<String> = expected.iter().cloned().collect();
    let missing: Vec<_> = expected.difference(seen).collect();
    let unexpected: Vec<_> = seen.difference(&expected).collect();
    if missing.is_empty() && unexpected.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{check}: pulled {} orders, the sandbox holds {}; missing {missing:?}, \
             unexpected {unexpected:?}",
            seen.len(),
            expected.len()
        ))
    }
}

/// Proves pagination (spec §3): walking pages from an empty cursor until
/// `has_more == false` yields every order in `expected_external_ids` exactly once, on
/// more than one page, with no rejected record, every raw order normalizing (stamped
/// with the source's origin, `raw_hash` the hash of the kept bytes); and a pull from the
/// final cursor succeeds and brings nothing new (the look-back may repeat orders).
///
/// The sandbox must hold more orders than one page and nothing malformed.
pub async fn pulls_everything_once(
    source: &dyn Source,
    expected_external_ids: &[String],
) -> CheckResult {
    const CHECK: &str = "pulls_everything_once";
    let first = walk(CHECK, source, Cursor::default()).await?;
    if first.pages < 2 {
        return Err(format!(
            "{CHECK}: all {} orders came on one page; give the sandbox more orders than a \
             page holds so pagination is exercised",
            first.orders.len()
        ));
    }
    if first.rejected > 0 {
        return Err(format!(
            "{CHECK}: {} records were rejected from a sandbox holding only valid orders",
            first.rejected
        ));
    }
    let mut seen = BTreeSet::new();
    distinct_ids(CHECK, source, &first.orders, &mut seen)?;
    same_ids(CHECK, &seen, expected_external_ids)?;

    let again = walk(CHECK, source, first.end.clone()).await?;
    for raw in &again.orders {
        let id = identify(CHECK, source, raw)?;
        if !seen.contains(&id) {
            return Err(format!(
                "{CHECK}: pulling again from the final cursor {:?} brought order {id}, \
                 which the full walk never saw",
                first.end
            ));
        }
    }
    Ok(())
}

/// Proves resume (spec §3.3): the cursor after the first page survives a JSON round trip
/// unchanged, and a *fresh* source built by `make_source` continues from it to the end;
/// the first page and the rest together hold every order in `expected_external_ids`
/// exactly once. This is what a host restart between two pages does.
pub async fn resumes_from_a_saved_cursor<S, F>(
    make_source: F,
    expected_external_ids: &[String],
) -> CheckResult
where
    S: Source,
    F: Fn() -> S,
{
    const CHECK: &str = "resumes_from_a_saved_cursor";
    let (first_orders, saved) = {
        let before = make_source();
        let page = before
            .pull(&Cursor::default())
            .await
            .map_err(|e| format!("{CHECK}: the first pull failed: {e}"))?;
        if !page.has_more {
            return Err(format!(
                "{CHECK}: the first page is the last; give the sandbox more orders than a \
                 page holds so there is something to resume"
            ));
        }
        let mut seen = BTreeSet::new();
        distinct_ids(CHECK, &before, &page.orders, &mut seen)?;
        let json = serde_json::to_string(&page.next)
            .map_err(|e| format!("{CHECK}: the cursor does not serialize: {e}"))?;
        (seen, (json, page.next))
    };
    let (json, original) = saved;
    let restored: Cursor = serde_json::from_str(&json)
        .map_err(|e| format!("{CHECK}: the stored cursor {json} does not deserialize: {e}"))?;
    if restored != original {
        return Err(format!(
            "{CHECK}: the cursor changed in a JSON round trip: {original:?} became {restored:?}"
        ));
    }
    let after = make_source();
    let rest = walk(CHECK, &after, restored).await?;
    let mut seen = first_orders;
    distinct_ids(CHECK, &after, &rest.orders, &mut seen)
        .map_err(|e| format!("{e} (an order of the first page came again after the resume)"))?;
    same_ids(CHECK, &seen, expected_external_ids)
}

/// Proves bad-input quarantine (spec §2.3): after `corrupt` spoils the order whose
/// external id it is given (the first of `expected_external_ids`), a full pull still
/// succeeds; that one order comes back either as a [`crate::RejectedRecord`] with a
/// location and its raw bytes, or as a raw order whose `normalize` fails with a
/// location; every other order normalizes.
pub async fn bad_records_are_quarantined_and_the_rest_goes_on(
    source: &dyn Source,
    expected_external_ids: &[String],
    corrupt: impl FnOnce(&str),
) -> CheckResult {
    const CHECK: &str = "bad_records_are_quarantined_and_the_rest_goes_on";
    let victim = expected_external_ids
        .first()
        .ok_or_else(|| format!("{CHECK}: no expected orders given"))?;
    corrupt(victim);
    let mut cursor = Cursor::default();
    let mut refused = Vec::new();
    let mut good = BTreeSet::new();
    for _ in 0..MAX_PAGES {
        let page = source.pull(&cursor).await.map_err(|e| {
            format!("{CHECK}: one bad order failed the whole page instead of being set aside: {e}")
        })?;
        for r in &page.rejected {
            if r.location.is_empty() || r.raw.is_empty() {
                return Err(format!(
                    "{CHECK}: a rejected record lacks its location or raw bytes: {r:?}"
                ));
            }
            refused.push(format!("rejected at {}: {}", r.location, r.reason));
        }
        for raw in &page.orders {
            match source.normalize(raw) {
                Ok(order) => {
                    good.insert(order.source.external_id);
                }
                Err(e) if e.location().is_empty() => {
                    return Err(format!("{CHECK}: a mapping error has no location: {e}"))
                }
                Err(e) => refused.push(format!("normalize failed at {}: {e}", e.location())),
            }
        }
        if !page.has_more {
            let others: BTreeSet<String> = expected_external_ids[1..].iter().cloned().collect();
            if refused.len() != 1 || good != others || good.contains(victim) {
                return Err(format!(
                    "{CHECK}: expected exactly {victim} refused and the {} others normalized; \
                     refused {refused:?}, normalized {} (victim among them: {})",
                    others.len(),
                    good.len(),
                    good.contains(victim)
                ));
            }
            return Ok(());
        }
        cursor = page.next;
    }
    Err(format!("{CHECK}: still has_more after {MAX_PAGES} pages"))
}
