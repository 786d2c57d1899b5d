//! The Octopia seller API v2 order, as far as shipgate reads it. Field names follow the
//! sample in Octopia's migration guide (developer.octopia-io.net, "Order management":
//! `orderId`, `salesChannel`, `purchasedAt`, `updatedAt`, `status`, `currencyCode`,
//! `billingAddress`…) and the line shape implementers read (`orderLineId`, `quantity`,
//! `sellingPrice.unitSalesPrice`, `offer.sellerProductId`, `shippingAddress` on the
//! line). Every field is optional here so the mapping can name what is missing; amounts
//! stay raw JSON text so they are parsed exactly.

use serde::Deserialize;
use serde_json::value::RawValue;

/// One page of `GET /orders`: `{"itemsPerPage": n, "items": [...]}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdersPage<'a> {
    /// How many items the page holds.
    #[serde(default)]
    pub items_per_page: Option<u32>,
    /// The orders, kept raw so one broken order does not fail the page.
    #[serde(borrow)]
    pub items: Vec<&'a RawValue>,
}

/// An order.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestOrder<'a> {
    /// Octopia's order id (`SCID01210525142759UT8E`, or the Cdiscount order number).
    pub order_id: Option<String>,
    /// The seller's own reference.
    pub reference: Option<String>,
    /// Where it was sold (`{"id": "CDISFR", "name": "Cdiscount"}`).
    pub sales_channel: Option<SalesChannel>,
    /// When the buyer paid.
    pub purchased_at: Option<String>,
    /// When Octopia created it.
    pub created_at: Option<String>,
    /// When it last changed; drives the incremental pull.
    pub updated_at: Option<String>,
    /// Order status.
    pub status: Option<String>,
    /// ISO 4217 currency of every amount.
    pub currency_code: Option<String>,
    /// What the buyer paid.
    #[serde(borrow)]
    pub total_price: Option<TotalPrice<'a>>,
    /// The billing address.
    pub billing_address: Option<RestAddress>,
    /// An order-level shipping address, when sent.
    pub shipping_address: Option<RestAddress>,
    /// The lines.
    #[serde(borrow)]
    pub lines: Option<Vec<RestLine<'a>>>,
}

/// A sales channel.
#[derive(Debug, Deserialize)]
pub struct SalesChannel {
    /// Channel id (`CDISFR`).
    pub id: Option<String>,
    /// Channel name.
    pub name: Option<String>,
}

/// Order totals.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalPrice<'a> {
    /// What the buyer paid, shipping included.
    #[serde(borrow)]
    pub selling_price: Option<&'a RawValue>,
}

/// One order line.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestLine<'a> {
    /// The line id the shipment call names.
    pub order_line_id: Option<String>,
    /// Line status (`InPreparation`, `Shipped`, `CancelRequest`…).
    pub status: Option<String>,
    /// Units.
    #[serde(borrow)]
    pub quantity: Option<&'a RawValue>,
    /// Prices the buyer paid.
    #[serde(borrow)]
    pub selling_price: Option<LinePrice<'a>>,
    /// The offer sold.
    pub offer: Option<Offer>,
    /// Where this line goes.
    pub shipping_address: Option<RestAddress>,
    /// Delivery promise.
    pub delivery: Option<Delivery>,
}

/// A line's unit prices.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinePrice<'a> {
    /// Price of one unit.
    #[serde(borrow)]
    pub unit_sales_price: Option<&'a RawValue>,
}

/// The offer a line sold.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    /// The seller's SKU.
    pub seller_product_id: Option<String>,
    /// Product title.
    pub product_title: Option<String>,
}

/// Delivery mode of a line.
#[derive(Debug, Deserialize)]
pub struct Delivery {
    /// `TrackedHomeDelivery`, `RelayDelivery`…
    pub mode: Option<String>,
}

/// An address.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestAddress {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Company.
    pub company_name: Option<String>,
    /// Street line 1.
    pub address_line1: Option<String>,
    /// Street line 2.
    pub address_line2: Option<String>,
    /// Street line 3.
    pub address_line3: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Region.
    pub state_or_region: Option<String>,
    /// ISO country.
    pub country_code: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Mobile phone.
    pub mobile_phone: Option<String>,
    /// E-mail (an anonymised relay address).
    pub email: Option<String>,
}
