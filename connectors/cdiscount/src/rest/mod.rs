//! The Octopia seller REST API v2: the client (OAuth2 token, `SellerId` header, error
//! bodies, throttling), the paged orders pull, and the shipment push.

pub mod client;
pub mod model;
pub mod pull;
pub mod push;
