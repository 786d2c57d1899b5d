//! Shipments: one row per (order, tracking number), so a supplier sending the same
//! tracking row twice never makes a second parcel — or a second push to the storefront.

use super::codec::{corrupt, now_text, parse_time, parse_ulid, time_text};
use super::error::{db, db_ref};
use super::{Store, StoreError};
use shipgate_sdk::model::{CarrierRef, Shipment, TrackingNumber};
use sqlx::SqliteConnection;
use ulid::Ulid;

type ShipmentRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    bool,
);

const INSERT: &str = "INSERT INTO shipments
        (order_id, tracking_number, carrier_code, carrier_name, tracking_url, shipped_at, notify_customer, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (order_id, tracking_number) DO NOTHING
    RETURNING id";

const SELECT_ID: &str = "SELECT id FROM shipments WHERE order_id = ? AND tracking_number = ?";

const SELECT_COLUMNS: &str =
    "SELECT id, order_id, tracking_number, carrier_code, carrier_name, tracking_url,
        shipped_at, notify_customer FROM shipments WHERE id = ?";

const SELECT_FOR_ORDER: &str =
    "SELECT id, order_id, tracking_number, carrier_code, carrier_name, tracking_url,
        shipped_at, notify_customer FROM shipments WHERE order_id = ? ORDER BY id";

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
    pub async fn add_shipments(
        &self,
        shipments: &[(Ulid, Shipment)],
    ) -> Result<Vec<(i64, bool)>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db("add_shipments"))?;
        let mut done = Vec::with_capacity(shipments.len());
        for (order_id, shipment) in shipments {
            done.push(add_one(&mut tx, *order_id, shipment).await?);
        }
        tx.commit().await.map_err(db("add_shipments"))?;
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
    conn: &mut SqliteConnection,
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
        .bind(s.notify_customer)
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
            carrier: CarrierRef {
                code: carrier_code,
                name: carrier_name,
            },
            tracking_url,
            shipped_at: shipped_at
                .map(|t| parse_time("shipments", &key, &t))
                .transpose()?,
            notify_customer,
        },
    ))
}
