//! shipgate: an integration gateway between the places orders are sold and the
//! companies that move the parcels. This library holds the host's parts; the binary
//! ties them together.

pub mod store;
