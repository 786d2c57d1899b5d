//! What an own-fleet label says, whatever the format: one [`LabelPage`] per parcel.

use shipgate_sdk::model::{Address, TrackingNumber};
use shipgate_sdk::{Label, LabelFormat};

mod pdf;
mod zpl;

/// The text of one parcel's label.
pub(crate) struct LabelPage {
    /// The fleet's name, the heading.
    pub(crate) fleet: String,
    /// The service booked.
    pub(crate) service: String,
    /// The parcel's tracking number, printed and barcoded.
    pub(crate) number: TrackingNumber,
    /// The merchant's reference (order number).
    pub(crate) reference: String,
    /// "1/2".
    pub(crate) parcel: String,
    /// The recipient's address lines, as printed.
    pub(crate) to: Vec<String>,
}

/// The address lines a driver needs, skipping what the address does not have.
pub(crate) fn address_lines(address: &Address) -> Vec<String> {
    let city = [address.postal_code.as_deref(), address.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    [
        address.name.clone(),
        address.company.clone(),
        address.line1.clone(),
        address.line2.clone(),
        Some(city).filter(|c| !c.is_empty()),
        address.phone.clone(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The label of every page in `format`.
pub(crate) fn render(pages: &[LabelPage], format: LabelFormat) -> Label {
    let content = match format {
        LabelFormat::Zpl => zpl::render(pages),
        LabelFormat::Pdf => pdf::render(pages),
    };
    Label { format, content }
}
