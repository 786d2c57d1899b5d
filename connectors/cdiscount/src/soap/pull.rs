//! The SOAP pull. `GetOrderList` has no paging, only date filters, so a pull walks
//! from the cursor to now in windows of `window_secs` on `BeginModificationDate` /
//! `EndModificationDate` (French wall clock): one window per page, `has_more` while the
//! window ended before now. Each `<Order>` of the answer becomes one raw order (its own
//! bytes), so one broken order never fails its neighbours; the cursor's
//! `updated_since` is the next window's start, `lookback` before the end of this one.

use super::client::SoapClient;
use super::envelope::{get_order_list, OrderFilter};
use super::model::{is_true, Outcome};
use super::scan::scan;
use crate::config::SoapConfig;
use crate::error::outcome_error;
use crate::mapping::paris;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use shipgate_sdk::{ConnectorError, Cursor, Page, RawOrder, RejectedRecord};

/// How far back a first pull (no cursor) starts.
const FIRST_PULL_DAYS: i64 = 30;

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Body")]
    body: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "GetOrderListResponse")]
    response: Response,
}

#[derive(Deserialize)]
struct Response {
    #[serde(rename = "GetOrderListResult")]
    result: Outcome,
}

/// Reads the call-level outcome of a `GetOrderList` answer.
pub fn outcome(body: &[u8]) -> Result<Outcome, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason,
        raw: body.to_vec(),
    };
    let text = std::str::from_utf8(body).map_err(|e| shape(format!("GetOrderList: {e}")))?;
    quick_xml::de::from_str::<Envelope>(text)
        .map(|e| e.body.response.result)
        .map_err(|e| shape(format!("GetOrderList answer: {e}")))
}

fn fmt_local(t: DateTime<Utc>) -> String {
    paris::to_local(t).format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Fetches one window from `cursor`.
pub async fn pull_window(
    client: &SoapClient,
    config: &SoapConfig,
    cursor: &Cursor,
    now: DateTime<Utc>,
) -> Result<Page, ConnectorError> {
    let start = cursor
        .updated_since
        .unwrap_or(now - Duration::days(FIRST_PULL_DAYS));
    let window = Duration::seconds(i64::try_from(config.window_secs).unwrap_or(86_400));
    let end = (start + window).min(now);
    let filter = OrderFilter {
        begin_modification_date: Some(fmt_local(start)),
        end_modification_date: Some(fmt_local(end)),
        fetch_order_lines: true,
        order_reference_list: None,
    };
    let body = client
        .call("GetOrderList", |token| get_order_list(token, &filter))
        .await?;
    let page = split(&body)?;
    let lookback = Duration::seconds(i64::try_from(config.lookback_secs).unwrap_or(0));
    let has_more = end < now;
    Ok(Page {
        next: Cursor {
            updated_since: Some(if has_more {
                end
            } else {
                (end - lookback).max(start)
            }),
            page_token: None,
        },
        has_more,
        ..page
    })
}

/// Splits a `GetOrderList` answer into raw orders, refusing a call-level failure.
pub fn split(body: &[u8]) -> Result<Page, ConnectorError> {
    let found = scan(body).map_err(|e| ConnectorError::UnexpectedShape {
        reason: format!(
            "GetOrderList answer is not well-formed XML at line {}, column {}: {}",
            e.line, e.column, e.reason
        ),
        raw: body.to_vec(),
    })?;
    let result = outcome(body)?;
    if !is_true(result.operation_success.as_deref()) {
        return Err(outcome_error("GetOrderList", &result));
    }
    let mut page = Page::default();
    for (i, span) in found.orders.into_iter().enumerate() {
        let raw = &body[span];
        match peek_number(raw) {
            Some(number) => page.orders.push(RawOrder {
                external_id: Some(number),
                content_type: "application/xml".into(),
                body: raw.to_vec(),
            }),
            None => page.rejected.push(RejectedRecord {
                raw: raw.to_vec(),
                location: format!("GetOrderList OrderList.Order[{i}]"),
                reason: "an <Order> without <OrderNumber>".into(),
            }),
        }
    }
    Ok(page)
}

/// The `<OrderNumber>` of one order element, read without parsing the rest.
fn peek_number(order: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(order).ok()?;
    let from = text.find("<OrderNumber>")? + "<OrderNumber>".len();
    let to = from + text[from..].find("</OrderNumber>")?;
    let n = text[from..to].trim();
    (!n.is_empty() && !n.contains('<')).then(|| n.to_string())
}
