//! The legacy Cdiscount SOAP API (`MarketplaceAPIService.svc`): the token service,
//! `GetOrderList` to pull and `ValidateOrderList` to ship, with requests written and
//! answers read by quick-xml and serde. Octopia is retiring it; it stays for sellers
//! not yet moved to the REST API.

pub mod client;
pub mod envelope;
pub mod model;
pub mod pull;
pub mod push;
pub mod scan;
