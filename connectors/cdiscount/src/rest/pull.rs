//! The incremental pull: `GET /orders?updatedAtMin=…&sort=updatedAt&pageIndex=…&pageSize=…`.
//!
//! Octopia pages by number (`pageIndex` from 1, `pageSize` ≤ 100) and answers
//! `{"itemsPerPage", "items"}`; a page shorter than `pageSize` is the last. The cursor
//! keeps the window start (`updated_since`) and, inside a window, `page_token =
//! "{next pageIndex}|{latest updatedAt seen}"`. When a window ends, the next one starts
//! `lookback` before the latest `updatedAt` seen, so an order updated during the walk is
//! seen again rather than missed (the host dedupes on order id and update time).

use super::client::RestClient;
use super::model::OrdersPage;
use crate::config::RestConfig;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::Method;
use serde::Deserialize;
use shipgate_sdk::{ConnectorError, Cursor, Page, RawOrder, RejectedRecord};

/// What a page item must have to be taken as an order: read before anything else so a
/// broken item is set aside with its place.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Peek {
    order_id: Option<String>,
    updated_at: Option<String>,
}

fn parse_token(token: Option<&str>) -> (u32, Option<DateTime<Utc>>) {
    let Some(t) = token else { return (1, None) };
    let (index, latest) = t.split_once('|').unwrap_or((t, ""));
    let index = index.parse().unwrap_or(1).max(1);
    let latest = DateTime::parse_from_rfc3339(latest)
        .ok()
        .map(|d| d.with_timezone(&Utc));
    (index, latest)
}

/// Fetches one page from `cursor`.
pub async fn pull_page(
    client: &RestClient,
    config: &RestConfig,
    cursor: &Cursor,
) -> Result<Page, ConnectorError> {
    let (index, mut latest) = parse_token(cursor.page_token.as_deref());
    let mut query: Vec<(&str, String)> = vec![
        ("pageIndex", index.to_string()),
        ("pageSize", config.page_size.to_string()),
        ("sort", "updatedAt".into()),
    ];
    if let Some(since) = cursor.updated_since {
        query.push((
            "updatedAtMin",
            since.to_rfc3339_opts(SecondsFormat::Secs, true),
        ));
    }
    if let Some(channel) = &config.sales_channel_id {
        query.push(("salesChannelId", channel.clone()));
    }
    let (_, body) = client.send(Method::GET, "/orders", &query, None).await?;
    let page: OrdersPage<'_> =
        serde_json::from_slice(&body).map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("GET /orders page {index}: {e}"),
            raw: body.clone(),
        })?;
    let mut out = Page::default();
    for (i, item) in page.items.iter().enumerate() {
        let raw = item.get().as_bytes();
        let location = format!("GET /orders page {index}, items[{i}]");
        match serde_json::from_str::<Peek>(item.get()) {
            Ok(Peek {
                order_id: Some(id),
                updated_at,
            }) if !id.trim().is_empty() => {
                if let Some(t) = updated_at
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                {
                    let t = t.with_timezone(&Utc);
                    latest = Some(latest.map_or(t, |l| l.max(t)));
                }
                out.orders.push(RawOrder {
                    external_id: Some(id),
                    content_type: "application/json".into(),
                    body: raw.to_vec(),
                });
            }
            Ok(_) => out.rejected.push(RejectedRecord {
                raw: raw.to_vec(),
                location,
                reason: "an order without `orderId`".into(),
            }),
            Err(e) => out.rejected.push(RejectedRecord {
                raw: raw.to_vec(),
                location,
                reason: format!("not an order object: {e}"),
            }),
        }
    }
    out.has_more = page.items.len() >= config.page_size as usize;
    out.next = if out.has_more {
        Cursor {
            updated_since: cursor.updated_since,
            page_token: Some(format!(
                "{}|{}",
                index + 1,
                latest.map_or(String::new(), |l| l
                    .to_rfc3339_opts(SecondsFormat::Millis, true))
            )),
        }
    } else {
        let lookback =
            Duration::seconds(i64::try_from(config.lookback_secs).unwrap_or(i64::MAX / 2_000));
        Cursor {
            updated_since: latest.map(|l| l - lookback).or(cursor.updated_since),
            page_token: None,
        }
    };
    Ok(out)
}
