//! The SOAP shapes shipgate reads, as the recorded calls and the WSDL (`xsd0`) show
//! them. quick-xml's deserializer matches local names, so the `s:` envelope prefix and
//! the data-contract namespaces need no special handling. Every field is optional so
//! the mapping names what is missing; `i:nil` elements read as empty and are treated
//! as absent.

use serde::Deserialize;

/// `<Order>` of `GetOrderList`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoapOrder {
    /// The order number (`1904291413BT4WY`).
    pub order_number: Option<String>,
    /// `OrderStateEnum`.
    pub order_state: Option<String>,
    /// When placed (French wall-clock time).
    pub creation_date: Option<String>,
    /// When last changed (French wall-clock time).
    pub last_updated_date: Option<String>,
    /// Obsolete predecessor of `LastUpdatedDate`.
    pub modified_date: Option<String>,
    /// Delivery mode code (`TRK`, `REL`…).
    pub shipping_code: Option<String>,
    /// What the buyer paid, shipping included.
    pub initial_total_amount: Option<String>,
    /// The buyer.
    pub customer: Option<SoapCustomer>,
    /// Where to ship.
    pub shipping_address: Option<SoapAddress>,
    /// The lines.
    pub order_line_list: Option<SoapLines>,
}

/// `<Customer>`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoapCustomer {
    /// Mobile phone.
    pub mobile_phone: Option<String>,
    /// Landline.
    pub phone: Option<String>,
    /// Cdiscount's relay address for the buyer.
    pub encrypted_email: Option<String>,
    /// Recipient first name.
    pub shipping_first_name: Option<String>,
    /// Recipient last name.
    pub shipping_last_name: Option<String>,
}

/// `<ShippingAddress>` / `<BillingAddress>`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoapAddress {
    /// Address line 1 (often nil; `Street` carries the street).
    pub address1: Option<String>,
    /// Address line 2.
    pub address2: Option<String>,
    /// Flat number.
    pub apartment_number: Option<String>,
    /// Building.
    pub building: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Company.
    pub company_name: Option<String>,
    /// Country (code or French name).
    pub country: Option<String>,
    /// County.
    pub county: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Place name (lieu-dit).
    pub place_name: Option<String>,
    /// Pickup point id, for relay deliveries.
    pub relay_id: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// Postal code.
    pub zip_code: Option<String>,
}

/// `<OrderLineList>`.
#[derive(Debug, Default, Deserialize)]
pub struct SoapLines {
    /// The `<OrderLine>` elements.
    #[serde(rename = "OrderLine", default)]
    pub lines: Vec<SoapLine>,
}

/// `<OrderLine>`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoapLine {
    /// `AcceptationStateEnum`.
    pub acceptation_state: Option<String>,
    /// Product title.
    pub name: Option<String>,
    /// `ProductConditionEnum`, echoed back in `ValidateOrderLine`.
    pub product_condition: Option<String>,
    /// Units.
    pub quantity: Option<String>,
    /// Price paid for one unit.
    pub purchase_price: Option<String>,
    /// The seller's SKU, the key of `ValidateOrderLine`.
    pub seller_product_id: Option<String>,
    /// Cdiscount's SKU.
    pub sku: Option<String>,
}

/// What every SOAP result carries (`ServiceBaseResult` of the data-contract namespace).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Outcome {
    /// The call-level message (French), empty on success.
    pub error_message: Option<String>,
    /// `true` when the call as a whole was processed. Not the same as every order in
    /// it being accepted: see [`ValidateOrderResult::validated`].
    pub operation_success: Option<String>,
    /// Structured errors.
    pub error_list: Option<ErrorList>,
}

/// `<ErrorList>` / `<Errors>`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorList {
    /// The `<Error>` elements.
    #[serde(rename = "Error", default)]
    pub errors: Vec<SoapError>,
}

/// `<Error>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoapError {
    /// `OrderStateIncoherent`, `UnexpectedException`…
    pub error_type: Option<String>,
    /// The text.
    pub message: Option<String>,
}

/// `<ValidateOrderListResult>`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValidateOrderListResult {
    /// The call-level message.
    pub error_message: Option<String>,
    /// `true` when the call as a whole was processed.
    pub operation_success: Option<String>,
    /// Structured call-level errors.
    pub error_list: Option<ErrorList>,
    /// One result per order sent.
    pub validate_order_results: Option<ValidateOrderResults>,
}

impl ValidateOrderListResult {
    /// The call-level part, as every result carries it. (Fields are repeated rather
    /// than `#[serde(flatten)]`ed: flattening makes quick-xml read elements carrying
    /// an `xmlns` attribute as maps.)
    pub fn outcome(&self) -> Outcome {
        Outcome {
            error_message: self.error_message.clone(),
            operation_success: self.operation_success.clone(),
            error_list: self.error_list.clone(),
        }
    }
}

/// `<ValidateOrderResults>`.
#[derive(Debug, Default, Deserialize)]
pub struct ValidateOrderResults {
    /// The `<ValidateOrderResult>` elements.
    #[serde(rename = "ValidateOrderResult", default)]
    pub results: Vec<ValidateOrderResult>,
}

/// `<ValidateOrderResult>`: the verdict on one order.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValidateOrderResult {
    /// Which order.
    pub order_number: Option<String>,
    /// `false` when Cdiscount refused the change for this order, even inside a call
    /// that reports `OperationSuccess=true`.
    pub validated: Option<String>,
    /// Why.
    pub errors: Option<ErrorList>,
}

/// `<s:Fault>` (SOAP 1.1).
#[derive(Debug, Deserialize)]
pub struct Fault {
    /// `s:Client`, `a:InvalidSecurity`…
    pub faultcode: Option<String>,
    /// The text.
    pub faultstring: Option<String>,
}

/// Whether a `xs:boolean` text is true.
pub fn is_true(v: Option<&str>) -> bool {
    matches!(v.map(str::trim), Some("true") | Some("1"))
}
