//! `calculateProducts` of QuickcostServiceWS: every product Chronopost sells on a lane,
//! with its price for one parcel (`amount` before VAT, `amountTVA`, `amountTTC`). A
//! product not sold on the lane comes back with amount 0 and is left out.
//!
//! Shapes: https://ws.chronopost.fr/quickcost-cxf/QuickcostServiceWS?wsdl; request and
//! answer as in karrio's Chronopost connector tests
//! (github.com/karrioapi/karrio, modules/connectors/chronopost/tests/chronopost/test_rate.py).

use super::client::check_error_code;
use super::soap::{read_return, Envelope};
use super::support::kilograms;
use super::Credentials;
use rust_decimal::Decimal;
use serde::Deserialize;
use shipgate_sdk::model::Address;
use shipgate_sdk::{ConnectorError, Parcel};

/// The QuickcostServiceWS namespace.
const NAMESPACE: &str = "http://cxf.quickcost.soap.chronopost.fr/";

/// The `calculateProducts` envelope for one parcel (`type` M: goods, not documents).
pub(crate) fn request(
    credentials: &Credentials,
    from: &Address,
    to: &Address,
    parcel: &Parcel,
) -> String {
    let mut env = Envelope::new(NAMESPACE, "calculateProducts");
    env.leaf("accountNumber", &credentials.account_number)
        .leaf("password", &credentials.password)
        .leaf("depCountryCode", country(from))
        .leaf(
            "depZipCode",
            from.postal_code.as_deref().unwrap_or_default(),
        )
        .leaf("arrCountryCode", country(to))
        .leaf("arrZipCode", to.postal_code.as_deref().unwrap_or_default())
        .leaf_opt("arrCity", to.city.as_deref())
        .leaf("type", "M")
        .leaf("weight", kilograms(parcel.weight_grams).to_string());
    env.finish()
}

fn country(address: &Address) -> &'static str {
    address.country.map(|c| c.as_str()).unwrap_or("FR")
}

/// The `return` of `calculateProductsResponse`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Return {
    error_code: i64,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    product_list: Vec<Product>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Product {
    product_code: String,
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    #[serde(
        rename = "amountTTC",
        default,
        with = "rust_decimal::serde::str_option"
    )]
    amount_ttc: Option<Decimal>,
}

/// One product's price for one parcel, VAT included (what the merchant pays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProductPrice {
    /// Chronopost product code (`01` Chrono 13…).
    pub(crate) code: String,
    /// Price with VAT, in euros.
    pub(crate) price: Decimal,
}

/// Reads a `calculateProductsResponse`: the products sold on the lane.
pub(crate) fn parse(raw: &[u8]) -> Result<Vec<ProductPrice>, ConnectorError> {
    let result: Return = read_return(raw)?;
    check_error_code(result.error_code, result.error_message.as_deref())?;
    Ok(result
        .product_list
        .into_iter()
        .filter(|p| p.amount > Decimal::ZERO)
        .map(|p| ProductPrice {
            price: p.amount_ttc.unwrap_or(p.amount),
            code: p.product_code,
        })
        .collect())
}
