//! Loopback sandboxes for tests and `shipgate demo`:
//!
//! - [`RestSandbox`]: the Octopia seller API subset the connector uses (token
//!   endpoint, `SellerId` check, paged `GET /orders`, `GET /orders/{id}`,
//!   `POST /orders/{id}/shipments` recorded), problem+json error bodies, 429 with
//!   `Retry-After`, and an optional request limit ([`RequestLimit`]) answering the same.
//! - [`SoapSandbox`]: the STS and `MarketplaceAPIService.svc` (`GetOrderList`,
//!   `ValidateOrderList`), answers built from the recorded calls, the token checked in
//!   the header, `Validated=false` for incoherent state changes as recorded.
//!
//! Both share [`Faults`]: the next `n` calls answer a status, or are delayed.

mod faults;
mod rest;
mod soap;

pub use faults::Faults;
pub use rest::{generate_orders, RecordedShipment, RestSandbox};
pub use shipgate_sdk::sandbox::RequestLimit;
pub use soap::{RecordedValidation, SoapSandbox};
