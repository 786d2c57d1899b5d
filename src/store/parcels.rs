//! Parcels under watch: which shipments the Track job polls, when each is next due, and
//! the last status seen, so only a change is pushed to the storefront.

use super::codec::{enum_text, parse_enum, parse_time, time_text};
use super::error::{db, db_ref};
use super::sql::Sql;
use super::{Store, StoreError};
use chrono::{DateTime, Utc};
use shipgate_sdk::model::{TrackingNumber, TrackingStatus};

/// A parcel as the Track job sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedParcel {
    /// The shipment it belongs to.
    pub shipment_id: i64,
    /// The carrier adapter to ask.
    pub carrier_code: String,
    /// The number to ask about.
    pub tracking_number: TrackingNumber,
    /// The last canonical status seen; `None` before the first answer.
    pub status: Option<TrackingStatus>,
    /// When that status was first seen.
    pub changed_at: DateTime<Utc>,
    /// Polls so far.
    pub checks: u32,
}

type ParcelRow = (i64, String, String, Option<String>, String, i64);

fn decode(row: ParcelRow) -> Result<WatchedParcel, StoreError> {
    let (shipment_id, carrier_code, number, status, changed_at, checks) = row;
    let key = shipment_id.to_string();
    Ok(WatchedParcel {
        shipment_id,
        carrier_code,
        tracking_number: TrackingNumber::parse(&number)
            .map_err(|e| super::codec::corrupt("parcels", &key, format!("tracking number: {e}")))?,
        status: status
            .map(|s| parse_enum("parcels", &key, &s))
            .transpose()?,
        changed_at: parse_time("parcels", &key, &changed_at)?,
        checks: u32::try_from(checks).unwrap_or(u32::MAX),
    })
}

/// The columns [`decode`] reads, for `concat!` into static SQL.
macro_rules! columns {
    () => {
        "shipment_id, carrier_code, tracking_number, status, changed_at, checks"
    };
}

impl Store {
    /// Starts watching a shipment's parcel, due at once; watching it again changes
    /// nothing.
    pub async fn watch_parcel(
        &self,
        shipment_id: i64,
        carrier_code: &str,
        number: &TrackingNumber,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO parcels (shipment_id, carrier_code, tracking_number, changed_at, next_check_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shipment_id) DO NOTHING",
        )
        .bind(shipment_id)
        .bind(carrier_code)
        .bind(number.as_str())
        .bind(time_text(now))
        .bind(time_text(now))
        .execute(&self.pool)
        .await
        .map_err(db_ref("watch_parcel", "shipment", shipment_id.to_string()))?;
        Ok(())
    }

    /// Takes up to `limit` parcels due at `now`, oldest due first, and leases them until
    /// `lease_until` so the next scheduler round does not hand them out again while their
    /// Track job waits in the queue.
    ///
    /// The outer statement checks again that each row is still due: on PostgreSQL two
    /// concurrent takes may pick the same rows in their subqueries, and the second, once
    /// the first commits, re-reads the leased rows and skips them rather than handing
    /// them out twice.
    pub async fn take_due_parcels(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<WatchedParcel>, StoreError> {
        let rows: Vec<ParcelRow> = sqlx::query_as(concat!(
            "UPDATE parcels SET next_check_at = $1
             WHERE final = 0 AND next_check_at <= $2 AND shipment_id IN (
                SELECT shipment_id FROM parcels WHERE final = 0 AND next_check_at <= $2
                ORDER BY next_check_at LIMIT $3)
             RETURNING ",
            columns!()
        ))
        .bind(time_text(lease_until))
        .bind(time_text(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db("take_due_parcels"))?;
        rows.into_iter().map(decode).collect()
    }

    /// The watched parcels of these shipments (a Track job's batch).
    pub async fn parcels(&self, shipment_ids: &[i64]) -> Result<Vec<WatchedParcel>, StoreError> {
        let mut out = Vec::with_capacity(shipment_ids.len());
        for chunk in shipment_ids.chunks(500) {
            let mut sql = Sql::new(concat!(
                "SELECT ",
                columns!(),
                " FROM parcels WHERE shipment_id IN ("
            ));
            sql.rows(chunk.len(), 1).push(")");
            let mut q = sqlx::query_as(sql.build());
            for id in chunk {
                q = q.bind(*id);
            }
            let rows: Vec<ParcelRow> = q.fetch_all(&self.pool).await.map_err(db("parcels"))?;
            for row in rows {
                out.push(decode(row)?);
            }
        }
        Ok(out)
    }

    /// The watched parcels with this carrier and number (a carrier webhook names parcels
    /// by number only).
    pub async fn parcels_by_number(
        &self,
        carrier_code: &str,
        number: &TrackingNumber,
    ) -> Result<Vec<WatchedParcel>, StoreError> {
        let rows: Vec<ParcelRow> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM parcels WHERE carrier_code = $1 AND tracking_number = $2"
        ))
        .bind(carrier_code)
        .bind(number.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("parcels_by_number"))?;
        rows.into_iter().map(decode).collect()
    }

    /// Records a poll's outcome: the status now (with when it changed) and when to look
    /// next; `None` ends polling (a final status, or a parcel given up on).
    pub async fn record_parcel_check(
        &self,
        shipment_id: i64,
        status: Option<TrackingStatus>,
        changed_at: DateTime<Utc>,
        next_check_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let status_text = status.as_ref().map(enum_text).transpose()?;
        sqlx::query(
            "UPDATE parcels SET status = $1, changed_at = $2, next_check_at = $3, checks = checks + 1,
                final = $4 WHERE shipment_id = $5",
        )
        .bind(status_text)
        .bind(time_text(changed_at))
        .bind(time_text(next_check_at.unwrap_or(changed_at)))
        .bind(i64::from(next_check_at.is_none()))
        .bind(shipment_id)
        .execute(&self.pool)
        .await
        .map_err(db("record_parcel_check"))?;
        Ok(())
    }
}
