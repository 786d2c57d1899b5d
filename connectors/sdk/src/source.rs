//! Sources: where orders come from (a marketplace, a storefront, a CSV drop).

use crate::error::{ConnectorError, MappingError};
use crate::model::{Channel, Order};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who an order belongs to on our side. A connector is configured for one merchant of
/// one tenant, and stamps every order it normalizes with both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The tenant (3PL or marketplace operator).
    pub tenant: String,
    /// The merchant.
    pub merchant: String,
    /// The configured connector id (unique per tenant).
    pub connector_id: String,
}

/// Where the next pull starts. Stored per connector after every page, so a restart
/// resumes instead of starting over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Pull orders updated at or after this instant (a look-back overlap is the
    /// connector's business).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_since: Option<DateTime<Utc>>,
    /// The remote's page token inside the current window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
}

/// One order exactly as the remote sent it, kept before anything parses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawOrder {
    /// The remote id, when it could be read without a full parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// MIME type of `body` (`application/json`, `text/csv`…).
    pub content_type: String,
    /// The bytes.
    pub body: Vec<u8>,
}

/// Something in a page that is not even an order record (a node of the wrong type, a
/// CSV row that cannot be split): quarantined as-is with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRecord {
    /// The bytes as received.
    pub raw: Vec<u8>,
    /// Where it was (`data.orders.edges[3]`, `line 12, column 4`).
    pub location: String,
    /// Why it was refused.
    pub reason: String,
}

/// One page of a pull.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Orders to normalize.
    pub orders: Vec<RawOrder>,
    /// Records that could not be taken as orders.
    pub rejected: Vec<RejectedRecord>,
    /// Where the next pull starts.
    pub next: Cursor,
    /// Whether the remote has more pages right now.
    pub has_more: bool,
}

/// A place orders are pulled from.
#[async_trait::async_trait]
pub trait Source: Send + Sync {
    /// The channel this source sells on.
    fn channel(&self) -> Channel;

    /// Who the orders belong to.
    fn origin(&self) -> &Origin;

    /// Fetches one page starting at `cursor`.
    async fn pull(&self, cursor: &Cursor) -> Result<Page, ConnectorError>;

    /// Fetches one order by its remote id, when a webhook or a change notification says
    /// it changed: the order comes back as a page of one, stored and normalized like a
    /// pulled one. A source that cannot read a single order says so with `Rejected`, and
    /// the host falls back on its next scheduled pull.
    async fn fetch(&self, external_id: &str) -> Result<Page, ConnectorError> {
        Err(ConnectorError::Rejected {
            status: None,
            message: format!(
                "{} cannot fetch a single order ({external_id}); it arrives with the next pull",
                self.channel().as_str()
            ),
        })
    }

    /// Maps one raw order to the canonical order, validated. Pure: no I/O, so it can be
    /// replayed from quarantine after a mapping fix.
    fn normalize(&self, raw: &RawOrder) -> Result<Order, MappingError>;
}
