//! Orders: the canonical order as JSON plus the columns it is found by.
//!
//! The `body` column holds the order without `id` and `status`; those two live in their
//! own columns only, so the first id given to a source order and a status set by the
//! pipeline each have exactly one home. Since the body holds `updated_at`, a newer
//! version always differs from the stored body, and an identical body means the same
//! version delivered again.

use super::codec::{
    corrupt, enum_text, now_text, parse_enum, parse_json, parse_ulid, time_text, unsigned,
};
use super::error::db;
use super::sql::Sql;
use super::statistics::BulkTable;
use super::{Store, StoreError};
use serde_json::Value;
use shipgate_sdk::model::{Order, OrderStatus};
use sqlx::{AnyConnection, AnyPool};
use std::collections::{HashMap, HashSet};
use ulid::Ulid;

/// What [`Store::upsert_order`] did, and the id the order has in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upsert {
    /// The store's id for this source order: the first id it was ever given.
    pub id: Ulid,
    /// What happened.
    pub outcome: UpsertOutcome,
}

/// The four ways an upsert can end, so the pipeline can count and log them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpsertOutcome {
    /// The source order was new.
    Created,
    /// The source order was known and this version changed it.
    Updated,
    /// The source order was known and this version is identical.
    Unchanged,
    /// The stored version is newer (`updated_at`): this one arrived out of order and was
    /// not written.
    Stale,
}

/// The answer for one reference of [`Store::find_orders_by_refs`]; a reference that
/// matches nothing is absent from the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Exactly one order matches (boxed: an order is large, an ambiguity small).
    Found(Box<Order>),
    /// Several orders match; their ids, sorted.
    Ambiguous(Vec<Ulid>),
}

/// References looked up per query: keeps the bound parameters (about three per
/// reference) far below either database's limit while still answering thousands of rows
/// per round trip.
const REFS_PER_QUERY: usize = 300;

const UPSERT: &str = "INSERT INTO orders
        (id, tenant, channel, connector_id, external_id, external_number, status, updated_at, body, revision, stored_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)
    ON CONFLICT (tenant, channel, connector_id, external_id) DO UPDATE SET
        external_number = excluded.external_number,
        status = CASE WHEN excluded.updated_at > orders.updated_at THEN excluded.status ELSE orders.status END,
        updated_at = excluded.updated_at,
        body = excluded.body,
        revision = orders.revision + 1,
        stored_at = excluded.stored_at
    WHERE excluded.updated_at >= orders.updated_at AND excluded.body <> orders.body
    RETURNING id, revision";

const SELECT_EXISTING: &str = "SELECT id, updated_at FROM orders
    WHERE tenant = $1 AND channel = $2 AND connector_id = $3 AND external_id = $4";

impl Store {
    /// Inserts or updates an order and says which happened. The first id ever given to
    /// a source order (tenant, channel, connector, external id) is kept, whatever id
    /// the new version carries; a version older than the stored one (`updated_at`) is
    /// refused as [`UpsertOutcome::Stale`], because pulls with a look-back overlap
    /// deliver old versions after new ones. One atomic statement decides.
    ///
    /// The status the pipeline set ([`Store::set_order_status`]) is replaced only by a
    /// strictly newer source version: a re-delivery of the version already stored
    /// (same `updated_at`) must not turn a fulfilled order back to open.
    pub async fn upsert_order(&self, order: &Order) -> Result<Upsert, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db("upsert_order"))?;
        upsert_one(&mut conn, order).await
    }

    /// [`Store::upsert_order`] with its audit entry (`order.upsert` by `actor`, naming the
    /// outcome and the personal fields written, never their values) in the same
    /// transaction: no change is stored without its entry, and one commit serves both,
    /// which halves the synced writes of every normalized order.
    pub async fn upsert_order_audited(
        &self,
        order: &Order,
        actor: &str,
    ) -> Result<Upsert, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db("upsert_order"))?;
        let upsert = upsert_one(&mut tx, order).await?;
        let detail = serde_json::json!({
            "outcome": format!("{:?}", upsert.outcome),
            "personal_fields": ["ship_to"],
        });
        let subject = format!("order:{}", upsert.id);
        super::audit::append(&mut tx, actor, "order.upsert", &subject, &detail).await?;
        tx.commit().await.map_err(db("upsert_order"))?;
        Ok(upsert)
    }

    /// [`Store::upsert_order`] for many orders in one transaction: all are written or
    /// none, and a page of a pull costs one commit instead of one per order. On
    /// PostgreSQL the orders table is analyzed afterwards once enough rows changed, so
    /// lookups right after an import are planned with statistics (`statistics`).
    pub async fn upsert_orders(&self, orders: &[Order]) -> Result<Vec<Upsert>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db("upsert_orders"))?;
        let mut done = Vec::with_capacity(orders.len());
        for order in orders {
            done.push(upsert_one(&mut tx, order).await?);
        }
        tx.commit().await.map_err(db("upsert_orders"))?;
        let written = done
            .iter()
            .filter(|u| matches!(u.outcome, UpsertOutcome::Created | UpsertOutcome::Updated))
            .count();
        self.after_bulk_write(BulkTable::Orders, written).await;
        Ok(done)
    }

    /// The order with this id, if any.
    pub async fn get_order(&self, id: Ulid) -> Result<Option<Order>, StoreError> {
        let row: Option<(String, String, String)> =
            sqlx::query_as("SELECT id, status, body FROM orders WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(db("get_order"))?;
        row.map(|(id, status, body)| decode_order(&id, &status, &body))
            .transpose()
    }

    /// Finds an order of a tenant by a reference as people write it: its number with or
    /// without the leading `#` ("#1001", "1001") or its external id. `connector_id`
    /// narrows the search to one shop. Several matches are an error
    /// ([`StoreError::Ambiguous`]) rather than a guess.
    pub async fn find_order(
        &self,
        tenant: &str,
        connector_id: Option<&str>,
        reference: &str,
    ) -> Result<Option<Order>, StoreError> {
        let mut found = self
            .find_orders_by_refs(tenant, connector_id, &[reference])
            .await?;
        match found.remove(reference) {
            None => Ok(None),
            Some(Lookup::Found(order)) => Ok(Some(*order)),
            Some(Lookup::Ambiguous(matches)) => Err(StoreError::Ambiguous {
                reference: reference.to_owned(),
                matches,
            }),
        }
    }

    /// [`Store::find_order`] for many references at once (a supplier file of tracking
    /// numbers), a few hundred per query. The map is keyed by each reference exactly as
    /// given; references that match nothing are absent.
    pub async fn find_orders_by_refs(
        &self,
        tenant: &str,
        connector_id: Option<&str>,
        refs: &[&str],
    ) -> Result<HashMap<String, Lookup>, StoreError> {
        let mut found = HashMap::with_capacity(refs.len());
        for chunk in refs.chunks(REFS_PER_QUERY) {
            let rows = fetch_matching(&self.pool, tenant, connector_id, chunk).await?;
            resolve(chunk, &rows, &mut found)?;
        }
        Ok(found)
    }

    /// Sets the pipeline's view of an order's progress.
    pub async fn set_order_status(&self, id: Ulid, status: OrderStatus) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE orders SET status = $1, revision = revision + 1 WHERE id = $2")
                .bind(status.as_str())
                .bind(id.to_string())
                .execute(&self.pool)
                .await
                .map_err(db("set_order_status"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "order",
                key: id.to_string(),
            });
        }
        Ok(())
    }

    /// Marks an order cancelled by its source's id, as soon as the source says so, so a
    /// push still queued for it stops; `None` when the order was never stored.
    pub async fn cancel_source_order(
        &self,
        connector_id: &str,
        external_id: &str,
    ) -> Result<Option<Ulid>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE orders SET status = $1, revision = revision + 1
             WHERE connector_id = $2 AND external_id = $3 RETURNING id",
        )
        .bind(OrderStatus::Cancelled.as_str())
        .bind(connector_id)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("cancel_source_order"))?;
        row.map(|(id,)| {
            Ulid::from_string(&id).map_err(|e| StoreError::Corrupt {
                table: "orders",
                key: id.clone(),
                reason: e.to_string(),
            })
        })
        .transpose()
    }

    /// How many orders a tenant has.
    pub async fn count_orders(&self, tenant: &str) -> Result<u64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE tenant = $1")
            .bind(tenant)
            .fetch_one(&self.pool)
            .await
            .map_err(db("count_orders"))?;
        unsigned("orders", tenant, n)
    }
}

async fn upsert_one(conn: &mut AnyConnection, order: &Order) -> Result<Upsert, StoreError> {
    let body = encode_body(order)?;
    let updated_at = time_text(order.updated_at);
    let src = &order.source;
    let written: Option<(String, i64)> = sqlx::query_as(UPSERT)
        .bind(order.id.to_string())
        .bind(&order.tenant)
        .bind(src.channel.as_str())
        .bind(&src.connector_id)
        .bind(&src.external_id)
        .bind(src.external_number.as_deref())
        .bind(order.status.as_str())
        .bind(&updated_at)
        .bind(&body)
        .bind(now_text())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("upsert_order"))?;
    if let Some((id, revision)) = written {
        let outcome = if revision == 1 {
            UpsertOutcome::Created
        } else {
            UpsertOutcome::Updated
        };
        return Ok(Upsert {
            id: parse_ulid("orders", &id)?,
            outcome,
        });
    }
    let existing: Option<(String, String)> = sqlx::query_as(SELECT_EXISTING)
        .bind(&order.tenant)
        .bind(src.channel.as_str())
        .bind(&src.connector_id)
        .bind(&src.external_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("upsert_order"))?;
    let Some((id, stored_updated_at)) = existing else {
        return Err(StoreError::NotFound {
            what: "order",
            key: src.external_id.clone(),
        });
    };
    let outcome = if stored_updated_at > updated_at {
        UpsertOutcome::Stale
    } else {
        UpsertOutcome::Unchanged
    };
    Ok(Upsert {
        id: parse_ulid("orders", &id)?,
        outcome,
    })
}

/// The `body` column: the order's JSON without the two fields that have their own column.
fn encode_body(order: &Order) -> Result<String, StoreError> {
    let mut value = serde_json::to_value(order).map_err(|source| StoreError::Encode {
        what: "order",
        source,
    })?;
    if let Value::Object(fields) = &mut value {
        fields.remove("id");
        fields.remove("status");
    }
    Ok(value.to_string())
}

/// Rebuilds an order from its row.
fn decode_order(id: &str, status: &str, body: &str) -> Result<Order, StoreError> {
    let status: OrderStatus = parse_enum("orders", id, status)?;
    let mut value: Value = parse_json("orders", id, body)?;
    let Value::Object(fields) = &mut value else {
        return Err(corrupt(
            "orders",
            id,
            "body is not a JSON object".to_owned(),
        ));
    };
    fields.insert("id".to_owned(), Value::String(id.to_owned()));
    fields.insert("status".to_owned(), Value::String(enum_text(&status)?));
    serde_json::from_value(value).map_err(|e| corrupt("orders", id, format!("body: {e}")))
}

/// A row that may answer some references of a chunk.
struct Candidate {
    id: String,
    status: String,
    body: String,
    external_id: String,
    external_number: Option<String>,
}

/// The numbers a reference may stand for: as written, and with the leading `#` added
/// or removed. Empty when the reference is blank.
fn number_forms(reference: &str) -> Vec<String> {
    let r = reference.trim();
    match r.strip_prefix('#') {
        _ if r.is_empty() => Vec::new(),
        Some("") => vec![r.to_owned()],
        Some(bare) => vec![r.to_owned(), bare.to_owned()],
        None => vec![r.to_owned(), format!("#{r}")],
    }
}

/// Every order of the tenant (and connector) whose number or external id matches one
/// of the references. Two selects joined by `UNION ALL` rather than one with `OR`, so
/// each side searches its own index (SQLite's planner otherwise scans the tenant's
/// orders); a row found by both sides is kept once.
async fn fetch_matching(
    pool: &AnyPool,
    tenant: &str,
    connector_id: Option<&str>,
    refs: &[&str],
) -> Result<Vec<Candidate>, StoreError> {
    let numbers: HashSet<String> = refs.iter().flat_map(|r| number_forms(r)).collect();
    let ids: HashSet<&str> = refs
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("");
    push_select(
        &mut sql,
        connector_id.is_some(),
        "external_number",
        numbers.len(),
    );
    sql.push(" UNION ALL ");
    push_select(&mut sql, connector_id.is_some(), "external_id", ids.len());
    let mut q = sqlx::query_as(sql.build());
    for values in [
        numbers.iter().map(String::as_str).collect::<Vec<_>>(),
        ids.into_iter().collect(),
    ] {
        q = q.bind(tenant.to_owned());
        if let Some(connector_id) = connector_id {
            q = q.bind(connector_id.to_owned());
        }
        for value in values {
            q = q.bind(value.to_owned());
        }
    }
    let rows: Vec<(String, String, String, String, Option<String>)> =
        q.fetch_all(pool).await.map_err(db("find_orders"))?;
    let mut seen = HashSet::with_capacity(rows.len());
    Ok(rows
        .into_iter()
        .filter(|row| seen.insert(row.0.clone()))
        .map(
            |(id, status, body, external_id, external_number)| Candidate {
                id,
                status,
                body,
                external_id,
                external_number,
            },
        )
        .collect())
}

/// One side of the lookup: the orders of the tenant (and connector, when
/// `by_connector`) whose `column` equals one of `values` bound values. `column` is one of
/// two names chosen by the caller, never input. The caller binds the tenant, the
/// connector and the values, in that order.
fn push_select(sql: &mut Sql, by_connector: bool, column: &'static str, values: usize) {
    sql.push("SELECT id, status, body, external_id, external_number FROM orders WHERE tenant = ")
        .param();
    if by_connector {
        sql.push(" AND connector_id = ").param();
    }
    sql.push(" AND ")
        .push(column)
        .push(" IN (")
        .rows(values, 1)
        .push(")");
}

/// Assigns the fetched rows to the references they answer.
fn resolve(
    refs: &[&str],
    rows: &[Candidate],
    found: &mut HashMap<String, Lookup>,
) -> Result<(), StoreError> {
    let mut by_number: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_external_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        by_external_id
            .entry(row.external_id.as_str())
            .or_default()
            .push(i);
        if let Some(n) = &row.external_number {
            by_number.entry(n.as_str()).or_default().push(i);
        }
    }
    for reference in refs {
        let mut hits: Vec<usize> = number_forms(reference)
            .iter()
            .filter_map(|n| by_number.get(n.as_str()))
            .chain(by_external_id.get(reference.trim()))
            .flatten()
            .copied()
            .collect();
        hits.sort_unstable();
        hits.dedup();
        let lookup = match hits.as_slice() {
            [] => continue,
            [one] => {
                let row = &rows[*one];
                Lookup::Found(Box::new(decode_order(&row.id, &row.status, &row.body)?))
            }
            many => {
                let mut ids = many
                    .iter()
                    .map(|&i| parse_ulid("orders", &rows[i].id))
                    .collect::<Result<Vec<_>, _>>()?;
                ids.sort_unstable();
                Lookup::Ambiguous(ids)
            }
        };
        found.insert((*reference).to_owned(), lookup);
    }
    Ok(())
}
