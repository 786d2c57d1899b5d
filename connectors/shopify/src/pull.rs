//! Pulling orders: one `orders` page per call, sorted by `updatedAt`, filtered from the
//! cursor's instant minus the look-back window, each node kept as the exact bytes
//! Shopify sent, except that an order with more line items than the first page holds
//! gets the rest through follow-up `order(id:)` queries, merged into its node.
//!
//! Every query is sized from its requested cost (see [`orders_query_cost`]) so Shopify
//! never refuses it for exceeding the single-query ceiling.

use crate::client::{GraphqlClient, Operation};
use crate::config::COST_BUDGET;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use shipgate_sdk::{ConnectorError, Cursor, Page, RawOrder, RejectedRecord};
use std::borrow::Cow;
use std::fmt;

/// The operation name the orders page is recorded under (see
/// [`crate::ShopifyConnector::last_query_cost`]).
pub const ORDERS_OPERATION: &str = "orders";

/// The operation name of the follow-up line-item pages.
pub const LINE_ITEMS_OPERATION: &str = "order_line_items";

/// Line items read with each order in the `orders` query. Each one multiplies into the
/// page's cost (7 points per line per order), so this stays small: enough for the great
/// majority of orders (the sandbox's regular orders have at most 4), while a larger
/// order is completed by follow-up queries.
pub const LINE_ITEMS_FIRST: u32 = 8;

/// Line items per follow-up query (`3 + 7 × 100` = 703 points, within [`COST_BUDGET`]).
pub const LINE_ITEMS_FOLLOW_UP: u32 = 100;

/// The most follow-up pages read for one order (10,000 lines); an order with more is
/// left with `hasNextPage: true`, so the mapping quarantines it rather than ship part.
const MAX_FOLLOW_UP_PAGES: u32 = 100;

/// Objects selected on an order besides its line items: `totalPriceSet { shopMoney }`
/// and `totalOutstandingSet { shopMoney }` (2 each), `shippingAddress`, `shippingLine`.
const ORDER_OBJECTS: u32 = 6;

/// Objects selected on a line item: `originalUnitPriceSet { shopMoney }` (2) and
/// `variant { inventoryItem { measurement { weight } } }` (4).
const LINE_OBJECTS: u32 = 6;

/// A connection's own cost, on top of its nodes.
const CONNECTION: u32 = 2;

/// The selection of one line item, shared by the page query and the follow-ups: what
/// [`crate::mapping::normalize_order`] reads.
macro_rules! line_item_fields {
    () => {
        "id sku title name quantity requiresShipping
            originalUnitPriceSet { shopMoney { amount currencyCode } }
            variant { inventoryItem { measurement { weight { unit value } } } }"
    };
}

/// The orders query. Field names are the GraphQL Admin API's (2025-10); the selection is
/// what [`crate::mapping::normalize_order`] reads, nothing more, to keep the query cost
/// low. `$lines` is [`LINE_ITEMS_FIRST`].
pub const ORDERS_QUERY: &str = concat!(
    r#"query Orders($first: Int!, $after: String, $query: String, $lines: Int!) {
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
        lineItems(first: $lines) {
          pageInfo { hasNextPage endCursor }
          nodes {
            "#,
    line_item_fields!(),
    r#"
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"#
);

/// The follow-up query: the next line items of one order, after the cursor the previous
/// page ended on.
pub const LINE_ITEMS_QUERY: &str = concat!(
    r#"query OrderLineItems($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    lineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        "#,
    line_item_fields!(),
    r#"
      }
    }
  }
}"#
);

/// The requested cost of [`ORDERS_QUERY`] for `page_size` orders with `line_items`
/// lines each, by Shopify's rules (objects 1, scalars 0, a connection 2 plus `first`
/// times one node): `2 + page_size × (1 + 6 + 2 + line_items × (1 + 6))`.
pub fn orders_query_cost(page_size: u32, line_items: u32) -> u32 {
    let line = 1 + LINE_OBJECTS;
    let order = 1 + ORDER_OBJECTS + CONNECTION + line_items.saturating_mul(line);
    CONNECTION.saturating_add(page_size.saturating_mul(order))
}

/// The requested cost of [`LINE_ITEMS_QUERY`] for `first` lines: the order object, the
/// connection, and `first` lines.
pub fn line_items_query_cost(first: u32) -> u32 {
    1 + CONNECTION + first.saturating_mul(1 + LINE_OBJECTS)
}

/// The largest page, at most `configured`, whose orders query stays within
/// [`COST_BUDGET`] with [`LINE_ITEMS_FIRST`] lines per order (never below 1).
pub fn fitting_page_size(configured: u32) -> u32 {
    let per_order = orders_query_cost(1, LINE_ITEMS_FIRST) - CONNECTION;
    let fits = (COST_BUDGET - CONNECTION) / per_order;
    configured.min(fits).max(1)
}

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
    line_items: Option<PeekLines>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeekLines {
    page_info: Option<PeekPageInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeekPageInfo {
    has_next_page: Option<bool>,
    end_cursor: Option<String>,
}

#[derive(Deserialize)]
struct LinesData<'a> {
    #[serde(borrow)]
    order: Option<LinesOrder<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinesOrder<'a> {
    #[serde(borrow)]
    line_items: LinesPage<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinesPage<'a> {
    #[serde(borrow)]
    nodes: Vec<&'a RawValue>,
    page_info: PageInfo,
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

/// Shopify's search syntax for one order: its numeric id, the last segment of the gid.
pub fn id_query(external_id: &str) -> Option<String> {
    let numeric = external_id.rsplit('/').next()?;
    (!numeric.is_empty() && numeric.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("id:{numeric}"))
}

/// Fetches the page `cursor` points at, `page_size` orders (already fitted to the cost
/// budget), and completes the line items of orders that have more than one page.
pub(crate) async fn pull_page(
    client: &GraphqlClient,
    page_size: u32,
    lookback_secs: u64,
    cursor: &Cursor,
) -> Result<Page, ConnectorError> {
    let query = search_query(cursor, lookback_secs);
    orders_page(client, page_size, query, cursor).await
}

/// One order by id (see [`id_query`]), read with the same query, cost and line-item
/// completion as a pulled page, so its bytes normalize the same way.
pub(crate) async fn fetch_order(
    client: &GraphqlClient,
    external_id: &str,
) -> Result<Page, ConnectorError> {
    let query = id_query(external_id).ok_or_else(|| ConnectorError::Rejected {
        status: None,
        message: format!("{external_id:?} is not a Shopify order id"),
    })?;
    let mut page = orders_page(client, 1, Some(query), &Cursor::default()).await?;
    page.has_more = false;
    page.next = Cursor::default();
    Ok(page)
}

async fn orders_page(
    client: &GraphqlClient,
    page_size: u32,
    query: Option<String>,
    cursor: &Cursor,
) -> Result<Page, ConnectorError> {
    let op = Operation {
        name: ORDERS_OPERATION,
        query: ORDERS_QUERY,
        variables: serde_json::json!({
            "first": page_size,
            "after": cursor.page_token,
            "query": query,
            "lines": LINE_ITEMS_FIRST,
        }),
        default_cost: f64::from(orders_query_cost(page_size, LINE_ITEMS_FIRST)),
    };
    let body = client.execute(&op).await?;
    let mut page = page_from_body(&body, cursor)?;
    for raw in &mut page.orders {
        complete_line_items(client, raw).await?;
    }
    Ok(page)
}

/// Where an order's line items continue: its gid and the cursor its first page ended
/// on, when `lineItems.pageInfo.hasNextPage` is true.
fn unfinished_lines(body: &[u8]) -> Option<(String, String)> {
    let peek = serde_json::from_slice::<Peek<'_>>(body).ok()?;
    let info = peek.line_items?.page_info?;
    if info.has_next_page != Some(true) {
        return None;
    }
    Some((peek.id?.into_owned(), info.end_cursor?))
}

/// Reads the rest of an order's line items with [`LINE_ITEMS_QUERY`] and merges them
/// into its node (see [`merge_line_items`]). An order whose pages cannot be followed
/// (deleted meanwhile, a page of the wrong shape, a cursor that does not move) is left
/// as it came, so the mapping quarantines it with `hasNextPage` rather than ship part
/// of it; transport, throttling and auth errors fail the page, to be retried whole.
async fn complete_line_items(
    client: &GraphqlClient,
    raw: &mut RawOrder,
) -> Result<(), ConnectorError> {
    let Some((id, mut after)) = unfinished_lines(&raw.body) else {
        return Ok(());
    };
    let mut extra: Vec<String> = Vec::new();
    let mut pages = 1;
    loop {
        let op = Operation {
            name: LINE_ITEMS_OPERATION,
            query: LINE_ITEMS_QUERY,
            variables: serde_json::json!({ "id": id, "first": LINE_ITEMS_FOLLOW_UP, "after": after }),
            default_cost: f64::from(line_items_query_cost(LINE_ITEMS_FOLLOW_UP)),
        };
        let body = client.execute(&op).await?;
        let data = match GraphqlClient::data::<LinesData<'_>>(&body) {
            Ok(LinesData { order: Some(o) }) => o.line_items,
            Ok(LinesData { order: None }) | Err(ConnectorError::UnexpectedShape { .. }) => {
                tracing::warn!(order = %id, "cannot read the rest of the line items; the order stays incomplete");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        extra.extend(data.nodes.iter().map(|n| n.get().to_string()));
        pages += 1;
        match (data.page_info.has_next_page, data.page_info.end_cursor) {
            (false, last) => {
                let cursor = last.unwrap_or(after);
                if let Some(body) = merge_line_items(&raw.body, &extra, &cursor) {
                    raw.body = body;
                    raw.content_type = merged_content_type(pages);
                }
                return Ok(());
            }
            (true, Some(next)) if next != after && pages <= MAX_FOLLOW_UP_PAGES => after = next,
            (true, _) => {
                tracing::warn!(order = %id, pages, "line-item pages do not end; the order stays incomplete");
                return Ok(());
            }
        }
    }
}

/// The content type of a merged order node: still an order node in JSON, with a
/// parameter saying how many responses it was assembled from, so nobody takes the bytes
/// for one verbatim Shopify answer.
pub fn merged_content_type(pages: u32) -> String {
    format!("application/json; shipgate-merged-line-item-pages={pages}")
}

/// Rewrites an order node so its `lineItems` holds the first page's nodes followed by
/// `extra`, with `pageInfo { hasNextPage: false, endCursor }` as the whole connection
/// would have it. Every other member keeps its exact bytes and order. `None` when the
/// node is not an object with a `lineItems.nodes` list.
pub fn merge_line_items(node: &[u8], extra: &[String], end_cursor: &str) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(node).ok()?;
    let members = serde_json::from_str::<Members<'_>>(text).ok()?;
    let mut out = String::with_capacity(text.len() + extra.iter().map(String::len).sum::<usize>());
    out.push('{');
    let mut merged = false;
    for (i, (key, value)) in members.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key).ok()?);
        out.push(':');
        if key == "lineItems" {
            #[derive(Deserialize)]
            struct First<'a> {
                #[serde(borrow)]
                nodes: Vec<&'a RawValue>,
            }
            let first = serde_json::from_str::<First<'_>>(value.get()).ok()?;
            let nodes = first
                .nodes
                .iter()
                .map(|n| n.get())
                .chain(extra.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(",");
            let cursor = serde_json::to_string(end_cursor).ok()?;
            out.push_str(&format!(
                r#"{{"pageInfo":{{"hasNextPage":false,"endCursor":{cursor}}},"nodes":[{nodes}]}}"#
            ));
            merged = true;
        } else {
            out.push_str(value.get());
        }
    }
    out.push('}');
    merged.then(|| out.into_bytes())
}

/// A JSON object's members in their original order, values as raw bytes.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
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

    #[test]
    fn cost_functions_agree_with_the_sandboxs_document_walk() {
        use crate::sandbox::cost::requested_cost;
        for (first, lines) in [(1, 1), (6, 20), (13, 8), (100, 100), (250, 250)] {
            let vars = serde_json::json!({ "first": first, "lines": lines });
            assert_eq!(
                requested_cost(ORDERS_QUERY, vars),
                u64::from(orders_query_cost(first, lines)),
                "orders({first}) with {lines} lines"
            );
        }
        for first in [1, 50, LINE_ITEMS_FOLLOW_UP, 250] {
            let vars = serde_json::json!({ "id": "gid://shopify/Order/1", "first": first });
            assert_eq!(
                requested_cost(LINE_ITEMS_QUERY, vars),
                u64::from(line_items_query_cost(first))
            );
        }
        // The query as it used to be sent (100 orders, 100 lines) was 70 times the ceiling.
        assert_eq!(orders_query_cost(100, 100), 70_902);
    }

    #[test]
    fn page_size_is_the_largest_that_fits_the_budget() {
        let fit = fitting_page_size(crate::config::MAX_PAGE_SIZE);
        assert_eq!(fit, 13);
        assert!(orders_query_cost(fit, LINE_ITEMS_FIRST) <= COST_BUDGET);
        assert!(orders_query_cost(fit + 1, LINE_ITEMS_FIRST) > COST_BUDGET);
        assert_eq!(fitting_page_size(5), 5);
        assert_eq!(fitting_page_size(1), 1);
        assert!(line_items_query_cost(LINE_ITEMS_FOLLOW_UP) <= COST_BUDGET);
    }

    #[test]
    fn merging_keeps_every_other_byte_and_ends_the_connection() {
        let node = br##"{"id":"gid://shopify/Order/1", "name" :"#1", "lineItems":{"pageInfo":{"hasNextPage":true,"endCursor":"c1"},"nodes":[{"id":"a"}]},"zeta":[1, 2]}"##;
        let merged = merge_line_items(
            node,
            &[r#"{"id":"b"}"#.into(), r#"{"id":"c"}"#.into()],
            "c3",
        )
        .unwrap();
        assert_eq!(
            std::str::from_utf8(&merged).unwrap(),
            r##"{"id":"gid://shopify/Order/1","name":"#1","lineItems":{"pageInfo":{"hasNextPage":false,"endCursor":"c3"},"nodes":[{"id":"a"},{"id":"b"},{"id":"c"}]},"zeta":[1, 2]}"##
        );
        assert_eq!(unfinished_lines(&merged), None);
        assert_eq!(
            unfinished_lines(node),
            Some(("gid://shopify/Order/1".into(), "c1".into()))
        );
        assert_eq!(merge_line_items(b"42", &[], "c"), None);
        assert_eq!(merge_line_items(br#"{"id":"x"}"#, &[], "c"), None);
    }
}
