//! Pulling orders: one `searchOrders` page per call, by `lastUpdatedAfter`, with the
//! datasets the mapping needs (`includedData`) so no order needs a follow-up call, and
//! full pages (`maxResultsPerPage`), because the operation's default plan is one call
//! every three minutes per seller and application.
//!
//! The cursor is the window and the page inside it: `updated_since` is the high-water
//! mark between windows and, while a window is being paged, the exact `lastUpdatedAfter`
//! the window was opened with (Amazon wants every parameter repeated unchanged with a
//! `paginationToken`); `page_token` is Amazon's `nextToken` (valid 24 hours).

use crate::client::{Operation, SpApi};
use crate::config::AmazonConfig;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use shipgate_sdk::{ConnectorError, Cursor, Page, RawOrder, RejectedRecord};
use std::borrow::Cow;

/// The path of `searchOrders`.
pub const SEARCH_PATH: &str = "/orders/2026-01-01/orders";

/// The datasets asked for with every order: what [`crate::mapping`] reads (buyer e-mail,
/// delivery address, proceeds, fulfillment status, payment method) and the packages a
/// push checks for an existing tracking number.
pub const INCLUDED_DATA: &str = "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,PACKAGES,PAYMENT";

/// The statuses pulled: every one but `PENDING` and `PENDING_AVAILABILITY`, which are not
/// ready for shipment and come back as updates once they are.
pub const FULFILLMENT_STATUSES: &str =
    "UNSHIPPED,PARTIALLY_SHIPPED,SHIPPED,CANCELLED,UNFULFILLABLE";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchAnswer<'a> {
    #[serde(borrow)]
    orders: Vec<&'a RawValue>,
    #[serde(default)]
    pagination: Option<Pagination>,
    #[serde(default)]
    last_updated_before: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Peek<'a> {
    #[serde(default, borrow)]
    order_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    last_updated_time: Option<Cow<'a, str>>,
}

/// `2026-11-23T14:00:00Z`: ISO 8601 in UTC, as Amazon's examples write it.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Where the window of a pull from `cursor` starts: the cursor's own instant while a
/// window is paged, the high-water mark minus the look-back otherwise, and `now` minus
/// the backfill for the very first pull.
pub fn window_start(config: &AmazonConfig, cursor: &Cursor, now: DateTime<Utc>) -> DateTime<Utc> {
    match (cursor.updated_since, &cursor.page_token) {
        (Some(start), Some(_)) => start,
        (Some(mark), None) => mark - Duration::seconds(clamp(config.lookback_secs)),
        (None, _) => now - Duration::days(i64::from(config.backfill_days)),
    }
}

fn clamp(secs: u64) -> i64 {
    i64::try_from(secs)
        .unwrap_or(i64::MAX / 1000)
        .min(86_400 * 365)
}

/// Reads one page.
pub(crate) async fn pull_page(
    api: &SpApi,
    config: &AmazonConfig,
    cursor: &Cursor,
) -> Result<Page, ConnectorError> {
    let start = window_start(config, cursor, Utc::now());
    let mut query = vec![
        ("lastUpdatedAfter", iso(start)),
        ("marketplaceIds", config.marketplace_ids.join(",")),
        ("fulfillmentStatuses", FULFILLMENT_STATUSES.to_string()),
        ("includedData", INCLUDED_DATA.to_string()),
        ("maxResultsPerPage", config.page_size.to_string()),
    ];
    if let Some(token) = &cursor.page_token {
        query.push(("paginationToken", token.clone()));
    }
    let body = api
        .get(Operation::SearchOrders, SEARCH_PATH, &query)
        .await?;
    page_from(&body, cursor, start)
}

/// Splits a `searchOrders` answer into raw orders (each the exact bytes of one element),
/// records that are not orders, and the next cursor.
pub(crate) fn page_from(
    body: &[u8],
    cursor: &Cursor,
    start: DateTime<Utc>,
) -> Result<Page, ConnectorError> {
    let answer: SearchAnswer<'_> =
        serde_json::from_slice(body).map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("searchOrders answer: {e}"),
            raw: body.to_vec(),
        })?;
    let mut page = Page::default();
    let mut seen_mark: Option<DateTime<Utc>> = None;
    for (i, raw) in answer.orders.iter().enumerate() {
        let bytes = raw.get().as_bytes();
        match serde_json::from_str::<Peek<'_>>(raw.get()) {
            Ok(Peek {
                order_id: Some(id),
                last_updated_time,
            }) if !id.trim().is_empty() => {
                if let Some(t) = last_updated_time
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                {
                    let t = t.with_timezone(&Utc);
                    seen_mark = Some(seen_mark.map_or(t, |m| m.max(t)));
                }
                page.orders.push(RawOrder {
                    external_id: Some(id.into_owned()),
                    content_type: "application/json".into(),
                    body: bytes.to_vec(),
                });
            }
            Ok(_) => page.rejected.push(RejectedRecord {
                raw: bytes.to_vec(),
                location: format!("orders[{i}]"),
                reason: "an order without an orderId".into(),
            }),
            Err(e) => page.rejected.push(RejectedRecord {
                raw: bytes.to_vec(),
                location: format!("orders[{i}]"),
                reason: format!("not an order object: {e}"),
            }),
        }
    }
    match answer.pagination.and_then(|p| p.next_token) {
        Some(token) if !token.is_empty() => {
            page.next = Cursor {
                updated_since: Some(start),
                page_token: Some(token),
            };
            page.has_more = true;
        }
        _ => {
            let bound = answer
                .last_updated_before
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            let previous = match cursor.page_token {
                Some(_) => None,
                None => cursor.updated_since,
            };
            let mark = [bound, seen_mark, previous, Some(start)]
                .into_iter()
                .flatten()
                .max();
            page.next = Cursor {
                updated_since: mark,
                page_token: None,
            };
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_token_keeps_the_window_and_the_last_page_moves_the_mark() {
        let start = at("2026-11-01T00:00:00Z");
        let body = br#"{"orders":[{"orderId":"1","lastUpdatedTime":"2026-11-02T00:00:00Z"},
            42, {"lastUpdatedTime":"2026-11-03T00:00:00Z"}],
            "pagination":{"nextToken":"abc"}}"#;
        let page = page_from(body, &Cursor::default(), start).unwrap();
        assert_eq!(page.orders.len(), 1);
        assert_eq!(page.rejected.len(), 2);
        assert_eq!(page.rejected[0].location, "orders[1]");
        assert!(page.has_more);
        assert_eq!(page.next.updated_since, Some(start));
        let last = br#"{"orders":[],"lastUpdatedBefore":"2026-11-05T00:00:00Z"}"#;
        let page = page_from(last, &page.next, start).unwrap();
        assert!(!page.has_more);
        assert_eq!(page.next.updated_since, Some(at("2026-11-05T00:00:00Z")));
        assert_eq!(page.next.page_token, None);
    }

    #[test]
    fn garbage_is_kept_raw() {
        let err = page_from(b"<html>", &Cursor::default(), Utc::now()).unwrap_err();
        match err {
            ConnectorError::UnexpectedShape { raw, .. } => assert_eq!(raw, b"<html>"),
            other => panic!("{other:?}"),
        }
    }
}
