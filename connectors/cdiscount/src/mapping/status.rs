//! Order states of both APIs and what they mean on our side. Every value either API
//! documents is listed; a value not listed is a new state Cdiscount added, reported as
//! a mapping error naming it rather than guessed.

use super::invalid;
use shipgate_sdk::model::OrderStatus;
use shipgate_sdk::MappingError;

/// `OrderStateEnum` of the SOAP XSD (all 34 values of `xsd0`).
pub fn soap_order_state(path: &str, raw: &str) -> Result<OrderStatus, MappingError> {
    use OrderStatus::*;
    Ok(match raw.trim() {
        "None"
        | "WaitingForSellerAcceptation"
        | "AcceptedBySeller"
        | "PaymentInProgress"
        | "WaitingForShipmentAcceptation"
        | "ValidatedFianet"
        | "BeingValidatedFianet"
        | "PendingShipmentForAssociatedProduct"
        | "BlockedWaitingForTreatment"
        | "BlockedWaitingForProof"
        | "BlockedRepeatedLitigationSuspicion"
        | "BlockedFraudSuspicion"
        | "BlockedRepeatedLitigationSuspicionConfirmation"
        | "BlockedFraudSuspicionConfirmation"
        | "BlockedAutomaticCds"
        | "BlockedMarketplaceService"
        | "FinishedGenerixUpdate"
        | "CegidDown"
        | "BeingModified"
        | "RequestGoingToGnx" => Open,
        "PartialInGnx" => PartiallyFulfilled,
        "Shipped" | "AvailableOnStore" | "PickedUp" | "NonPickedUpByCustomer" => Fulfilled,
        "CancelledByCustomer"
        | "RefusedBySeller"
        | "AutomaticCancellation"
        | "PaymentRefused"
        | "ShipmentRefusedBySeller"
        | "RefusedNoShipment"
        | "ServiceCanceled"
        | "BlockedConfirmed"
        | "BeingCancelled" => Cancelled,
        other => {
            return Err(invalid(
                path,
                other,
                "unknown Cdiscount SOAP OrderState (not in the WSDL's OrderStateEnum)",
            ))
        }
    })
}

/// Order statuses of the Octopia REST API (developer.octopia-io.net, "Orders
/// Management": Processing, WaitingAcceptance, Refused, Accepted, InPreparation,
/// Shipped, Delivered, Cancelled; and Rejected from the orders lifecycle page).
pub fn rest_order_status(path: &str, raw: &str) -> Result<OrderStatus, MappingError> {
    use OrderStatus::*;
    Ok(match raw.trim() {
        "Processing" | "WaitingAcceptance" | "Accepted" | "InPreparation" => Open,
        "Shipped" | "Delivered" => Fulfilled,
        "Refused" | "Rejected" | "Cancelled" => Cancelled,
        other => {
            return Err(invalid(
                path,
                other,
                "unknown Octopia order status (known: Processing, WaitingAcceptance, Accepted, \
                 InPreparation, Shipped, Delivered, Refused, Rejected, Cancelled)",
            ))
        }
    })
}

/// Whether a REST line status means the line left the warehouse.
pub fn rest_line_shipped(status: &str) -> bool {
    matches!(status, "Shipped" | "Delivered")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_states_are_named() {
        assert_eq!(
            soap_order_state("Order.OrderState", "Shipped").unwrap(),
            OrderStatus::Fulfilled
        );
        let err = soap_order_state("Order.OrderState", "TeleportedToBuyer").unwrap_err();
        assert_eq!(err.location(), "Order.OrderState");
        assert!(err.to_string().contains("TeleportedToBuyer"));
        assert!(rest_order_status("status", "Lost").is_err());
    }
}
