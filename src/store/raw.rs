//! Raw payloads: every byte a remote sent, stored before anything parses it, so a
//! mapping fix can be replayed against the original and an order traced to its input.

use super::codec::{now_text, parse_time, unsigned};
use super::error::db;
use super::{Store, StoreError};
use chrono::{DateTime, Utc};
use shipgate_sdk::model::content_hash;

/// A raw payload as stored: its bytes, or the path of the file that holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRaw {
    /// SHA-256 of the bytes, lower-case hex.
    pub hash: String,
    /// The connector that received it.
    pub connector_id: String,
    /// MIME type (`application/json`, `text/csv`…).
    pub content_type: String,
    /// The bytes, when stored inline.
    pub body: Option<Vec<u8>>,
    /// Where the bytes lie, for a file drop too large to copy.
    pub path: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// When it was first stored.
    pub received_at: DateTime<Utc>,
}

type RawRow = (
    String,
    String,
    String,
    Option<Vec<u8>>,
    Option<String>,
    i64,
    String,
);

impl Store {
    /// Stores a payload under its content hash and returns the hash. Storing the same
    /// bytes again changes nothing (the first receipt is kept), so a re-pulled page
    /// costs no space.
    pub async fn put_raw(
        &self,
        connector_id: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<String, StoreError> {
        let hash = content_hash(body);
        sqlx::query(
            "INSERT INTO raw_payloads (hash, connector_id, content_type, body, path, size, received_at)
             VALUES ($1, $2, $3, $4, NULL, $5, $6)
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&hash)
        .bind(connector_id)
        .bind(content_type)
        .bind(body)
        // A slice never holds more than isize::MAX bytes, so the length fits an i64.
        .bind(body.len() as i64)
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db("put_raw"))?;
        Ok(hash)
    }

    /// Records a file drop by path: the caller hashed the file while reading it, and the
    /// file stays where it is instead of being copied into the database. If the same
    /// bytes are already stored, the existing record is kept.
    pub async fn put_raw_file(
        &self,
        connector_id: &str,
        content_type: &str,
        hash: &str,
        path: &str,
        size: u64,
    ) -> Result<(), StoreError> {
        if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(StoreError::Invalid {
                what: "content hash",
                reason: format!("{hash:?} is not 64 lower-case hex digits (SHA-256)"),
            });
        }
        let size = i64::try_from(size).map_err(|_| StoreError::Invalid {
            what: "file size",
            reason: format!("{size} bytes does not fit the size column"),
        })?;
        sqlx::query(
            "INSERT INTO raw_payloads (hash, connector_id, content_type, body, path, size, received_at)
             VALUES ($1, $2, $3, NULL, $4, $5, $6)
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(connector_id)
        .bind(content_type)
        .bind(path)
        .bind(size)
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db("put_raw_file"))?;
        Ok(())
    }

    /// The payload stored under `hash`, if any.
    pub async fn get_raw(&self, hash: &str) -> Result<Option<StoredRaw>, StoreError> {
        let row: Option<RawRow> = sqlx::query_as(
            "SELECT hash, connector_id, content_type, body, path, size, received_at
             FROM raw_payloads WHERE hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("get_raw"))?;
        let Some((hash, connector_id, content_type, body, path, size, received_at)) = row else {
            return Ok(None);
        };
        Ok(Some(StoredRaw {
            size: unsigned("raw_payloads", &hash, size)?,
            received_at: parse_time("raw_payloads", &hash, &received_at)?,
            hash,
            connector_id,
            content_type,
            body,
            path,
        }))
    }
}
