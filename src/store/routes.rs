//! Routing decisions and bought labels: what `Route` decided for an order, and the label
//! `Book` paid for, kept so a reprint never buys a second one.

use super::codec::now_text;
use super::error::{db, db_ref};
use super::{Store, StoreError};
use shipgate_sdk::{Label, LabelFormat};
use ulid::Ulid;

/// Where and how an order ships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The location it ships from.
    pub location_id: String,
    /// The carrier's registry code.
    pub carrier: String,
    /// The carrier's service code.
    pub service: String,
    /// Whether it was routed before the location's cut-off.
    pub ships_today: bool,
}

impl Store {
    /// Records (or replaces) the route of an order.
    pub async fn save_route(&self, order_id: Ulid, route: &Route) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO routes (order_id, location_id, carrier, service, ships_today, decided_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (order_id) DO UPDATE SET location_id = excluded.location_id,
                carrier = excluded.carrier, service = excluded.service,
                ships_today = excluded.ships_today, decided_at = excluded.decided_at",
        )
        .bind(order_id.to_string())
        .bind(&route.location_id)
        .bind(&route.carrier)
        .bind(&route.service)
        .bind(i64::from(route.ships_today))
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db_ref("save_route", "order", order_id.to_string()))?;
        Ok(())
    }

    /// The route of an order, once decided.
    pub async fn route(&self, order_id: Ulid) -> Result<Option<Route>, StoreError> {
        let row: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT location_id, carrier, service, ships_today FROM routes WHERE order_id = $1",
        )
        .bind(order_id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("route"))?;
        Ok(
            row.map(|(location_id, carrier, service, ships_today)| Route {
                location_id,
                carrier,
                service,
                ships_today: ships_today != 0,
            }),
        )
    }

    /// Keeps a shipment's label; storing it again for the same shipment changes nothing.
    pub async fn save_label(
        &self,
        shipment_id: i64,
        carrier: &str,
        booking_id: &str,
        label: &Label,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO labels (shipment_id, carrier, booking_id, format, content, stored_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shipment_id) DO NOTHING",
        )
        .bind(shipment_id)
        .bind(carrier)
        .bind(booking_id)
        .bind(label.format.mime_type())
        .bind(&label.content)
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db_ref("save_label", "shipment", shipment_id.to_string()))?;
        Ok(())
    }

    /// A shipment's label, for reprinting.
    pub async fn label(&self, shipment_id: i64) -> Result<Option<Label>, StoreError> {
        let row: Option<(String, Vec<u8>)> =
            sqlx::query_as("SELECT format, content FROM labels WHERE shipment_id = $1")
                .bind(shipment_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db("label"))?;
        Ok(row.map(|(format, content)| Label {
            format: if format == LabelFormat::Zpl.mime_type() {
                LabelFormat::Zpl
            } else {
                LabelFormat::Pdf
            },
            content,
        }))
    }
}
