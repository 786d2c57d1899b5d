//! `Route` and `Book`: an order gets a location and a carrier service under its
//! merchant's plan, then its label is bought once and its shipment recorded, which
//! queues the push of the tracking number to the storefront.
//!
//! An order no rule can place (no plan, nothing in stock, no carrier quoting) is not
//! an error to retry: it goes to the exceptions list (quarantine, kind `route`) with the
//! reason, and is routed again on replay once stock or rules change.

use super::error::StepError;
use super::handler::Pipeline;
use crate::queue::Job;
use crate::routing::{choose_location, order_parcel, CarrierRule, RoutingPlan};
use crate::store::{Effect, NewQuarantine, Route};
use chrono::Utc;
use shipgate_carriers::shopping::{shop, ShoppingOptions, SortBy};
use shipgate_sdk::model::{CarrierRef, Order, OrderStatus, Shipment};
use shipgate_sdk::{Carrier, RateRequest, ShipmentRequest};
use std::sync::Arc;
use std::time::Duration;
use ulid::Ulid;

/// The quarantine kind of an order routing could not place.
pub(crate) const ROUTE_KIND: &str = "route";

/// How long one routing decision waits for carrier quotes in all.
const QUOTE_DEADLINE: Duration = Duration::from_secs(3);
/// How long it waits for any one carrier.
const QUOTE_TIMEOUT: Duration = Duration::from_secs(2);

impl Pipeline {
    pub(crate) async fn route(&self, order_id: Ulid) -> Result<(), StepError> {
        let order = self.order(order_id).await?;
        if order.status != OrderStatus::Open {
            return Ok(());
        }
        match self.decide(&order).await {
            Ok(route) => {
                self.store.save_route(order_id, &route).await?;
                self.queue.push(Job::Book { order_id }).await?;
                tracing::info!(%order_id, location = %route.location_id, carrier = %route.carrier, "routed");
                Ok(())
            }
            Err(reason) => {
                self.quarantine(NewQuarantine {
                    connector_id: order.source.connector_id.clone(),
                    kind: ROUTE_KIND.into(),
                    input: order_id.to_string().into_bytes(),
                    location: format!("order {}", order.source.external_id),
                    reason,
                    raw_hash: None,
                })
                .await
            }
        }
    }

    fn plan(&self, merchant: &str) -> Result<&RoutingPlan, String> {
        self.routing
            .plan_for(merchant)
            .ok_or_else(|| format!("no routing plan names merchant {merchant:?}"))
    }

    /// The route, or the reason there is none (the exceptions list shows it).
    async fn decide(&self, order: &Order) -> Result<Route, String> {
        let plan = self.plan(&order.merchant)?;
        let placement = choose_location(plan, order, Utc::now()).map_err(|e| e.to_string())?;
        let location = placement.location;
        let ship_to = order.ship_to.clone().unwrap_or_default();
        let country = ship_to
            .country
            .ok_or("the order has no destination country")?;
        let (carrier, service) = match &plan.carrier {
            CarrierRule::Table { rows } => {
                let row = rows.iter().find(|r| r.matches(country)).ok_or_else(|| {
                    format!("no row of the carrier table covers {}", country.as_str())
                })?;
                (row.carrier.clone(), row.service.clone())
            }
            CarrierRule::Cheapest { carriers } | CarrierRule::Fastest { carriers } => {
                let sort = match plan.carrier {
                    CarrierRule::Fastest { .. } => SortBy::TransitDays,
                    _ => SortBy::Price,
                };
                let adapters: Vec<Arc<dyn Carrier>> = carriers
                    .iter()
                    .filter_map(|code| self.connectors.carrier(code).cloned())
                    .collect();
                let request = RateRequest {
                    merchant: order.merchant.clone(),
                    ship_from: location.address.to_address(),
                    ship_to,
                    parcels: vec![order_parcel(order, &plan.default_parcel)],
                    declared_value: Some(order.total),
                    service: None,
                };
                let options = ShoppingOptions {
                    deadline: QUOTE_DEADLINE,
                    per_carrier_timeout: QUOTE_TIMEOUT,
                    sort,
                    fx: None,
                };
                let quotes = shop(&adapters, &request, &options).await;
                let best = quotes.rates.first().ok_or_else(|| {
                    let why: Vec<String> = quotes
                        .left_out
                        .iter()
                        .map(|l| format!("{}: {}", l.carrier, l.reason))
                        .collect();
                    format!("no carrier quoted: {}", why.join("; "))
                })?;
                (best.carrier.clone(), best.service.clone())
            }
        };
        Ok(Route {
            location_id: location.id.clone(),
            carrier,
            service,
            ships_today: placement.ships_today,
        })
    }

    pub(crate) async fn book(&self, order_id: Ulid) -> Result<(), StepError> {
        let order = self.order(order_id).await?;
        if order.status == OrderStatus::Cancelled {
            return Ok(());
        }
        let route = self
            .store
            .route(order_id)
            .await?
            .ok_or_else(|| StepError::Missing(format!("order {order_id} has no route")))?;
        let plan = self.plan(&order.merchant).map_err(StepError::Missing)?;
        let location = plan
            .locations
            .iter()
            .find(|l| l.id == route.location_id)
            .ok_or_else(|| {
                StepError::Missing(format!(
                    "location {:?} is no longer in the plan",
                    route.location_id
                ))
            })?;
        let carrier = self
            .connectors
            .carrier(&route.carrier)
            .cloned()
            .ok_or_else(|| {
                StepError::Missing(format!(
                    "no carrier adapter {:?} is configured",
                    route.carrier
                ))
            })?;
        let key = format!("booking:{order_id}");
        if let Effect::Done(_) = self.store.begin_effect(&key, "booking").await? {
            return Ok(());
        }
        // After a crash between the carrier's answer and the ledger (Effect::Pending), the
        // same key is sent again: adapters pass it as the carrier's client reference and
        // answer a repeated key with the first booking.
        let request = ShipmentRequest {
            merchant: order.merchant.clone(),
            idempotency_key: key.clone(),
            reference: order
                .source
                .external_number
                .clone()
                .unwrap_or_else(|| order.source.external_id.clone()),
            service: route.service.clone(),
            ship_from: location.address.to_address(),
            ship_to: order.ship_to.clone().unwrap_or_default(),
            parcels: vec![order_parcel(&order, &plan.default_parcel)],
            declared_value: Some(order.total),
            label_format: location.label_format,
        };
        let booking = carrier.book(&request).await?;
        let number = booking.tracking_numbers.first().cloned().ok_or_else(|| {
            StepError::Missing(format!(
                "{} booked {} without a tracking number",
                route.carrier, booking.shipment_id
            ))
        })?;
        let info = carrier.info();
        let shipment = Shipment {
            tracking_url: self.registry.tracking_url(&info.code, number.as_str()),
            tracking_number: number,
            carrier: CarrierRef::new(Some(info.code.clone()), info.name.clone()),
            shipped_at: Some(booking.booked_at),
            notify_customer: true,
        };
        let (shipment_id, created) = self.store.add_shipment(order_id, &shipment).await?;
        self.store
            .save_label(
                shipment_id,
                &info.code,
                &booking.shipment_id,
                &booking.label,
            )
            .await?;
        self.store
            .complete_effect(&key, &booking.shipment_id)
            .await?;
        if created {
            self.queue.push(Job::PushBack { shipment_id }).await?;
        }
        tracing::info!(%order_id, carrier = %info.code, shipment = shipment_id, "booked");
        Ok(())
    }
}
