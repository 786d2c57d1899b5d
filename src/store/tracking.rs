//! Tracking events: what carriers report about parcels, each event kept once however
//! often a carrier repeats it in its answers.

use super::codec::{corrupt, enum_text, now_text, parse_enum, parse_time, time_text};
use super::error::{db, db_ref};
use super::{Store, StoreError};
use shipgate_sdk::model::{TrackingEvent, TrackingNumber};
use ulid::Ulid;

type EventRow = (i64, String, String, String, String, Option<String>, String);

impl Store {
    /// Records an event, tied to an order when it is known (an unknown order id is
    /// [`StoreError::NotFound`]). Returns false when the same
    /// event (tracking number, status, time, carrier code) is already recorded, so the
    /// caller pushes a status change only once.
    pub async fn add_tracking_event(
        &self,
        order_id: Option<Ulid>,
        event: &TrackingEvent,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO tracking_events
                (order_id, tracking_number, status, carrier_code, description, location, occurred_at, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (tracking_number, status, occurred_at, carrier_code) DO NOTHING",
        )
        .bind(order_id.map(|id| id.to_string()))
        .bind(event.tracking_number.as_str())
        .bind(enum_text(&event.status)?)
        .bind(&event.carrier_code)
        .bind(&event.description)
        .bind(event.location.as_deref())
        .bind(time_text(event.occurred_at))
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db_ref(
            "add_tracking_event",
            "order",
            order_id.map(|id| id.to_string()).unwrap_or_default(),
        ))?;
        Ok(done.rows_affected() == 1)
    }

    /// A parcel's events in the order they happened: its history for the tracking page.
    pub async fn tracking_events(
        &self,
        number: &TrackingNumber,
    ) -> Result<Vec<TrackingEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT id, tracking_number, status, carrier_code, description, location, occurred_at
             FROM tracking_events WHERE tracking_number = $1 ORDER BY occurred_at, id",
        )
        .bind(number.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("tracking_events"))?;
        rows.into_iter().map(decode).collect()
    }
}

fn decode(row: EventRow) -> Result<TrackingEvent, StoreError> {
    let (id, number, status, carrier_code, description, location, occurred_at) = row;
    let key = id.to_string();
    Ok(TrackingEvent {
        tracking_number: TrackingNumber::parse(&number)
            .map_err(|e| corrupt("tracking_events", &key, format!("tracking number: {e}")))?,
        status: parse_enum("tracking_events", &key, &status)?,
        carrier_code,
        description,
        location,
        occurred_at: parse_time("tracking_events", &key, &occurred_at)?,
    })
}
