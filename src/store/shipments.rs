//! Shipments: one row per (order, tracking number), so a supplier sending the same
//! tracking row twice never makes a second parcel — or a second push to the storefront.

use super::codec::{corrupt, now_text, parse_time, parse_ulid, time_text};
use super::error::{db, db_ref};
use super::sql::Sql;
use super::statistics::BulkTable;
use super::{Store, StoreError};
use shipgate_sdk::model::{CarrierRef, Shipment, TrackingNumber};
use sqlx::AnyConnection;
use std::collections::HashMap;
use ulid::Ulid;

type ShipmentRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    i64,
);

const INSERT: &str = "INSERT INTO shipments
        (order_id, tracking_number, carrier_code, carrier_name, tracking_url, shipped_at, notify_customer, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (order_id, tracking_number) DO NOTHING
    RETURNING id";

const SELECT_ID: &str = "SELECT id FROM shipments WHERE order_id = $1 AND tracking_number = $2";

const SELECT_COLUMNS: &str =
    "SELECT id, order_id, tracking_number, carrier_code, carrier_name, tracking_url,
        shipped_at, notify_customer FROM shipments WHERE id = $1";

const SELECT_FOR_ORDER: &str =
    "SELECT id, order_id, tracking_number, carrier_code, carrier_name, tracking_url,
        shipped_at, notify_customer FROM shipments WHERE order_id = $1 ORDER BY id";

impl Store {
    /// Records a shipment of an order and returns its id and whether it is new. The
    /// same tracking number for the same order again returns the existing shipment
    /// with `false`: the caller must not push it a second time.
    pub async fn add_shipment(
        &self,
        order_id: Ulid,
        shipment: &Shipment,
    ) -> Result<(i64, bool), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db("add_shipment"))?;
        add_one(&mut conn, order_id, shipment).await
    }

    /// [`Store::add_shipment`] for many shipments in one transaction (a supplier file):
    /// all are recorded or none, at one commit for the lot. Results are in input order.
    ///
    /// Rows go in as multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` statements, a
    /// few hundred at a time, and the ids of rows that already existed are read back with
    /// one query per statement: a supplier file costs a handful of statements per
    /// thousand rows instead of one or two per row. On PostgreSQL the table is analyzed
    /// afterwards once enough rows were added (`statistics`).
    pub async fn add_shipments(
        &self,
        shipments: &[(Ulid, Shipment)],
    ) -> Result<Vec<(i64, bool)>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db("add_shipments"))?;
        let mut done = Vec::with_capacity(shipments.len());
        let now = now_text();
        for chunk in shipments.chunks(ROWS_PER_STATEMENT) {
            insert_chunk(&mut tx, chunk, &now, &mut done).await?;
        }
        tx.commit().await.map_err(db("add_shipments"))?;
        let added = done.iter().filter(|(_, new)| *new).count();
        self.after_bulk_write(BulkTable::Shipments, added).await;
        Ok(done)
    }

    /// A shipment and the order it belongs to.
    pub async fn get_shipment(&self, id: i64) -> Result<Option<(Ulid, Shipment)>, StoreError> {
        let row: Option<ShipmentRow> = sqlx::query_as(SELECT_COLUMNS)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("get_shipment"))?;
        row.map(|row| decode(row).map(|(_, order_id, shipment)| (order_id, shipment)))
            .transpose()
    }

    /// Every shipment of an order with its id, oldest first: what push-back sends.
    pub async fn order_shipments(
        &self,
        order_id: Ulid,
    ) -> Result<Vec<(i64, Shipment)>, StoreError> {
        let rows: Vec<ShipmentRow> = sqlx::query_as(SELECT_FOR_ORDER)
            .bind(order_id.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db("order_shipments"))?;
        rows.into_iter()
            .map(|row| decode(row).map(|(id, _, shipment)| (id, shipment)))
            .collect()
    }
}

async fn add_one(
    conn: &mut AnyConnection,
    order_id: Ulid,
    s: &Shipment,
) -> Result<(i64, bool), StoreError> {
    let order_key = order_id.to_string();
    let inserted: Option<(i64,)> = sqlx::query_as(INSERT)
        .bind(&order_key)
        .bind(s.tracking_number.as_str())
        .bind(s.carrier.code.as_deref())
        .bind(&s.carrier.name)
        .bind(s.tracking_url.as_deref())
        .bind(s.shipped_at.map(time_text))
        .bind(i64::from(s.notify_customer))
        .bind(now_text())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_ref("add_shipment", "order", order_key.clone()))?;
    if let Some((id,)) = inserted {
        return Ok((id, true));
    }
    let (id,): (i64,) = sqlx::query_as(SELECT_ID)
        .bind(&order_key)
        .bind(s.tracking_number.as_str())
        .fetch_one(&mut *conn)
        .await
        .map_err(db("add_shipment"))?;
    Ok((id, false))
}

/// Rows per multi-row statement: 8 bound values each stays far below either database's
/// limit.
const ROWS_PER_STATEMENT: usize = 400;

async fn insert_chunk(
    conn: &mut AnyConnection,
    chunk: &[(Ulid, Shipment)],
    now: &str,
    done: &mut Vec<(i64, bool)>,
) -> Result<(), StoreError> {
    let keys: Vec<(String, &str)> = chunk
        .iter()
        .map(|(order_id, s)| (order_id.to_string(), s.tracking_number.as_str()))
        .collect();
    let mut sql = Sql::new(
        "INSERT INTO shipments (order_id, tracking_number, carrier_code, carrier_name, \
         tracking_url, shipped_at, notify_customer, created_at) VALUES ",
    );
    sql.rows(chunk.len(), 8).push(
        " ON CONFLICT (order_id, tracking_number) DO NOTHING RETURNING id, order_id, tracking_number",
    );
    let mut insert = sqlx::query_as(sql.build());
    for ((_, s), (order_key, number)) in chunk.iter().zip(&keys) {
        insert = insert
            .bind(order_key.as_str())
            .bind(*number)
            .bind(s.carrier.code.as_deref())
            .bind(s.carrier.name.as_str())
            .bind(s.tracking_url.as_deref())
            .bind(s.shipped_at.map(time_text))
            .bind(i64::from(s.notify_customer))
            .bind(now);
    }
    let first_key = keys.first().map(|(k, _)| k.clone()).unwrap_or_default();
    let inserted: Vec<(i64, String, String)> = insert
        .fetch_all(&mut *conn)
        .await
        .map_err(db_ref("add_shipments", "order", first_key))?;
    let mut new_ids: HashMap<(String, String), i64> = inserted
        .into_iter()
        .map(|(id, order, number)| ((order, number), id))
        .collect();
    let mut results: Vec<Option<(i64, bool)>> = keys
        .iter()
        .map(|(order, number)| {
            new_ids
                .remove(&(order.clone(), (*number).to_string()))
                .map(|id| (id, true))
        })
        .collect();
    let existing: Vec<&(String, &str)> = keys
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.is_none())
        .map(|(k, _)| k)
        .collect();
    if !existing.is_empty() {
        let mut sql = Sql::new(
            "SELECT id, order_id, tracking_number FROM shipments WHERE (order_id, tracking_number) IN (",
        );
        sql.rows(existing.len(), 2).push(")");
        let mut select = sqlx::query_as(sql.build());
        for (order, number) in &existing {
            select = select.bind(order.as_str()).bind(*number);
        }
        let rows: Vec<(i64, String, String)> = select
            .fetch_all(&mut *conn)
            .await
            .map_err(db("add_shipments"))?;
        let old_ids: HashMap<(String, String), i64> = rows
            .into_iter()
            .map(|(id, order, number)| ((order, number), id))
            .collect();
        for (slot, (order, number)) in results.iter_mut().zip(&keys) {
            if slot.is_none() {
                let id = old_ids
                    .get(&(order.clone(), (*number).to_string()))
                    .copied()
                    .ok_or_else(|| StoreError::NotFound {
                        what: "order",
                        key: order.clone(),
                    })?;
                *slot = Some((id, false));
            }
        }
    }
    done.extend(results.into_iter().flatten());
    Ok(())
}

fn decode(row: ShipmentRow) -> Result<(i64, Ulid, Shipment), StoreError> {
    let (
        id,
        order_id,
        number,
        carrier_code,
        carrier_name,
        tracking_url,
        shipped_at,
        notify_customer,
    ) = row;
    let key = id.to_string();
    let tracking_number = TrackingNumber::parse(&number)
        .map_err(|e| corrupt("shipments", &key, format!("tracking number: {e}")))?;
    Ok((
        id,
        parse_ulid("shipments", &order_id)?,
        Shipment {
            tracking_number,
            carrier: CarrierRef::new(carrier_code, carrier_name),
            tracking_url,
            shipped_at: shipped_at
                .map(|t| parse_time("shipments", &key, &t))
                .transpose()?,
            notify_customer: notify_customer != 0,
        },
    ))
}
