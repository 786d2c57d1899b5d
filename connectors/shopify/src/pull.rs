//! Pulling orders: one `orders` page per call, sorted by `updatedAt`, filtered from the
//! cursor's instant minus the look-back window, each node kept as the exact bytes
//! Shopify sent.

use crate::client::{GraphqlClient, Operation};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use shipgate_sdk::{ConnectorError, Cursor, Page, RawOrder, RejectedRecord};
use std::borrow::Cow;

/// The orders query. Field names are the GraphQL Admin API's (2025-10); the selection is
/// what [`crate::mapping::normalize_order`] reads, nothing more, to keep the query cost low.
pub const ORDERS_QUERY: &str = r#"query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    edges {
      node {
        id name createdAt updatedAt cancelledAt
        displayFinancialStatus displayFulfillmentStatus currencyCode
        email phone paymentGatewayNames
        totalPriceSet { shopMoney { amount currencyCode } }
        totalOutstandingSet { shopMoney { amount currencyCode } }
        shippingAddress { name firstName lastName company address1 address2 city province provinceCode zip countryCodeV2 phone }
        shippingLine { title }
        lineItems(first: 100) {
          pageInfo { hasNextPage }
          nodes {
            id sku title name quantity requiresShipping
            originalUnitPriceSet { shopMoney { amount currencyCode } }
            variant { inventoryItem { measurement { weight { unit value } } } }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"#;

#[derive(Deserialize)]
struct OrdersData<'a> {
    #[serde(borrow)]
    orders: Connection<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection<'a> {
    #[serde(borrow)]
    edges: Vec<&'a RawValue>,
    page_info: PageInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Edge<'a> {
    #[serde(borrow)]
    node: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Peek<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    updated_at: Option<Cow<'a, str>>,
}

/// Shopify's search syntax for "updated at or after": the cursor instant minus the
/// look-back, so an order updated while the last pull ran is seen again, not missed.
pub fn search_query(cursor: &Cursor, lookback_secs: u64) -> Option<String> {
    let since = cursor.updated_since?;
    let lookback =
        chrono::Duration::seconds(i64::try_from(lookback_secs).unwrap_or(i64::MAX / 1000));
    let from = since.checked_sub_signed(lookback).unwrap_or(since);
    Some(format!(
        "updated_at:>='{}'",
        from.to_rfc3339_opts(SecondsFormat::Secs, true)
    ))
}

/// Fetches the page `cursor` points at.
pub(crate) async fn pull_page(
    client: &GraphqlClient,
    page_size: u32,
    lookback_secs: u64,
    cursor: &Cursor,
) -> Result<Page, ConnectorError> {
    let op = Operation {
        name: "orders",
        query: ORDERS_QUERY,
        variables: serde_json::json!({
            "first": page_size,
            "after": cursor.page_token,
            "query": search_query(cursor, lookback_secs),
        }),
        default_cost: f64::from(page_size) * 10.0,
    };
    let body = client.execute(&op).await?;
    page_from_body(&body, cursor)
}

/// Splits a response body into raw orders and rejected records, and computes where the
/// next pull starts.
pub(crate) fn page_from_body(body: &[u8], cursor: &Cursor) -> Result<Page, ConnectorError> {
    let data: OrdersData<'_> = GraphqlClient::data(body)?;
    let mut page = Page::default();
    let mut max_updated: Option<DateTime<Utc>> = None;
    for (i, edge) in data.orders.edges.iter().enumerate() {
        let node = match serde_json::from_str::<Edge<'_>>(edge.get()) {
            Ok(Edge { node: Some(node) }) => node,
            Ok(Edge { node: None }) => {
                page.rejected.push(reject(
                    edge,
                    format!("data.orders.edges[{i}].node"),
                    "the edge has no node",
                ));
                continue;
            }
            Err(e) => {
                page.rejected.push(reject(
                    edge,
                    format!("data.orders.edges[{i}]"),
                    &format!("not an edge object: {e}"),
                ));
                continue;
            }
        };
        if !node.get().starts_with('{') {
            page.rejected.push(reject(
                node,
                format!("data.orders.edges[{i}].node"),
                "the node is not an object",
            ));
            continue;
        }
        let peek = serde_json::from_str::<Peek<'_>>(node.get()).ok();
        let updated = peek
            .as_ref()
            .and_then(|p| p.updated_at.as_deref())
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        max_updated = max_updated.max(updated);
        page.orders.push(RawOrder {
            external_id: peek.and_then(|p| p.id.map(Cow::into_owned)),
            content_type: "application/json".into(),
            body: node.get().as_bytes().to_vec(),
        });
    }
    page.has_more = data.orders.page_info.has_next_page;
    page.next = match (page.has_more, data.orders.page_info.end_cursor) {
        (true, Some(token)) => Cursor {
            updated_since: cursor.updated_since,
            page_token: Some(token),
        },
        (true, None) => {
            return Err(ConnectorError::UnexpectedShape {
                reason: "pageInfo.hasNextPage is true but endCursor is null".into(),
                raw: body.to_vec(),
            })
        }
        (false, _) => Cursor {
            updated_since: cursor.updated_since.max(max_updated),
            page_token: None,
        },
    };
    Ok(page)
}

fn reject(raw: &RawValue, location: String, reason: &str) -> RejectedRecord {
    RejectedRecord {
        raw: raw.get().as_bytes().to_vec(),
        location,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookback_is_applied_to_the_search() {
        let since = DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = Cursor {
            updated_since: Some(since),
            page_token: None,
        };
        assert_eq!(
            search_query(&c, 300).as_deref(),
            Some("updated_at:>='2024-05-01T09:55:00Z'")
        );
        assert_eq!(search_query(&Cursor::default(), 300), None);
    }

    #[test]
    fn bad_nodes_are_rejected_and_the_rest_goes_on() {
        let body = br#"{"data":{"orders":{"edges":[
            {"node":{"id":"gid://shopify/Order/1","updatedAt":"2024-05-02T00:00:00Z"}},
            {"node":42},
            "nonsense",
            {"node":{"id":"gid://shopify/Order/2","updatedAt":"2024-05-03T00:00:00+02:00"}}
        ],"pageInfo":{"hasNextPage":false,"endCursor":"abc"}}}}"#;
        let page = page_from_body(body, &Cursor::default()).unwrap();
        assert_eq!(page.orders.len(), 2);
        assert_eq!(
            page.orders[0].external_id.as_deref(),
            Some("gid://shopify/Order/1")
        );
        assert_eq!(page.rejected.len(), 2);
        assert_eq!(page.rejected[0].location, "data.orders.edges[1].node");
        assert_eq!(page.rejected[0].raw, b"42");
        assert_eq!(page.rejected[1].location, "data.orders.edges[2]");
        assert_eq!(
            page.next.updated_since.unwrap().to_rfc3339(),
            "2024-05-02T22:00:00+00:00"
        );
        assert_eq!(page.next.page_token, None);
    }
}
