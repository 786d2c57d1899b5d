//! Routing, first cut: each order gets a location (stock, nearness, same-day cut-off)
//! and a carrier (per-merchant rule: cheapest, fastest, or a fixed table). An order no
//! rule can place goes to the exceptions list with the reason.

mod locate;
mod parcel;
mod rules;

pub use locate::{choose_location, NoLocation, Placement};
pub use parcel::order_parcel;
pub use rules::{
    CarrierRule, DefaultParcel, Location, LocationAddress, RoutingPlan, RoutingRules, RulesError,
    TableRow,
};
