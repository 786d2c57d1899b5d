//! Postal addresses. Every field but the country is free text as the buyer typed it:
//! carriers differ too much on what "line 2" or "region" mean to normalize further here.

use super::CountryCode;
use serde::{Deserialize, Serialize};

/// Where a parcel goes (or comes from). Holds personal data: never log it whole, use
/// [`Address::redacted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Address {
    /// The recipient's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Company, when shipping to a business.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Street line 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Street line 2 (flat, building…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City or town.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State, province or region code or name, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code, as given (leading zeros kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country; `None` only when the source gave none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    /// Phone number, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail address, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Address {
    /// The parts of the address that are safe in logs and on a public tracking page:
    /// city and country only.
    pub fn redacted(&self) -> String {
        let city = self.city.as_deref().unwrap_or("?");
        let country = self.country.map(|c| c.as_str()).unwrap_or("??");
        format!("{city}, {country}")
    }
}
