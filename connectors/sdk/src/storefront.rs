//! Storefronts: where tracking goes back to.

use crate::error::ConnectorError;
use crate::model::{Order, Shipment, TrackingUpdate};
use serde::{Deserialize, Serialize};

/// What the storefront calls the effect it recorded (Shopify's fulfillment gid), kept in
/// the effects ledger so a retry can prove the effect already happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteRef {
    /// The remote's id for the thing created.
    pub id: String,
    /// True when the effect already existed remotely and nothing new was created.
    pub already_existed: bool,
}

/// What became of a status push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusPush {
    /// The storefront recorded the status (its id for the record).
    Recorded(String),
    /// The storefront has no way to receive delivery statuses; the fulfillment with its
    /// tracking number is all it shows.
    Unsupported,
}

/// A place tracking is pushed back to.
#[async_trait::async_trait]
pub trait Storefront: Send + Sync {
    /// Tells the storefront the order (or the lines the shipment covers) has shipped
    /// with this tracking number. Must be safe to call again after a crash: an
    /// implementation first looks for an existing fulfillment with the same tracking
    /// number and returns it with `already_existed = true` instead of creating another.
    async fn push_fulfillment(
        &self,
        order: &Order,
        shipment: &Shipment,
    ) -> Result<RemoteRef, ConnectorError>;

    /// Tells the storefront a shipped parcel's new status (in transit, out for delivery,
    /// delivered…), after its fulfillment was pushed. `fulfillment` is the remote
    /// reference that push returned. Storefronts without delivery statuses keep the
    /// default, which reports [`StatusPush::Unsupported`].
    async fn push_status(
        &self,
        order: &Order,
        fulfillment: &str,
        update: &TrackingUpdate,
    ) -> Result<StatusPush, ConnectorError> {
        let _ = (order, fulfillment, update);
        Ok(StatusPush::Unsupported)
    }
}
