//! SOAP requests, written with quick-xml's serde serializer in the shape the recorded
//! calls show: document/literal, body element in `http://www.cdiscount.com`, and a
//! `headerMessage` whose parts live in the data-contract namespace
//! `…/Cdiscount.Framework.Core.Communication.Messages` (Context CatalogID 1 / SiteID 100,
//! Localization Country `Fr`, Security TokenId, Version 1.0).

use serde::Serialize;
use shipgate_sdk::ConnectorError;

/// The SOAP 1.1 envelope namespace.
pub const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The service namespace.
pub const CDISCOUNT_NS: &str = "http://www.cdiscount.com";
/// The data-contract namespace of the header parts and of `ServiceBaseResult`.
pub const MESSAGES_NS: &str =
    "http://schemas.datacontract.org/2004/07/Cdiscount.Framework.Core.Communication.Messages";
/// WCF's namespace for `string` arrays (`OrderReferenceList`).
pub const ARRAYS_NS: &str = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";

/// The `SOAPAction` header of an operation.
pub fn soap_action(op: &str) -> String {
    format!("\"http://www.cdiscount.com/IMarketplaceAPIService/{op}\"")
}

#[derive(Serialize)]
#[serde(rename = "s:Envelope")]
struct Envelope<B: Serialize> {
    #[serde(rename = "@xmlns:s")]
    xmlns_s: &'static str,
    #[serde(rename = "s:Body")]
    body: B,
}

#[derive(Serialize)]
struct HeaderMessage<'a> {
    #[serde(rename = "@xmlns:a")]
    xmlns_a: &'static str,
    #[serde(rename = "a:Context")]
    context: Context,
    #[serde(rename = "a:Localization")]
    localization: Localization,
    #[serde(rename = "a:Security")]
    security: Security<'a>,
    #[serde(rename = "a:Version")]
    version: &'static str,
}

#[derive(Serialize)]
struct Context {
    #[serde(rename = "a:CatalogID")]
    catalog_id: u32,
    #[serde(rename = "a:SiteID")]
    site_id: u32,
}

#[derive(Serialize)]
struct Localization {
    #[serde(rename = "a:Country")]
    country: &'static str,
}

#[derive(Serialize)]
struct Security<'a> {
    #[serde(rename = "a:TokenId")]
    token_id: &'a str,
    #[serde(rename = "a:UserName")]
    user_name: &'static str,
}

fn header(token: &str) -> HeaderMessage<'_> {
    HeaderMessage {
        xmlns_a: MESSAGES_NS,
        context: Context {
            catalog_id: 1,
            site_id: 100,
        },
        localization: Localization { country: "Fr" },
        security: Security {
            token_id: token,
            user_name: "",
        },
        version: "1.0",
    }
}

/// `OrderFilter`, fields in the XSD's (alphabetical) order.
#[derive(Debug, Default, Serialize)]
pub struct OrderFilter {
    /// Lower bound of `LastUpdatedDate`, French wall clock.
    #[serde(
        rename = "BeginModificationDate",
        skip_serializing_if = "Option::is_none"
    )]
    pub begin_modification_date: Option<String>,
    /// Upper bound of `LastUpdatedDate`, French wall clock.
    #[serde(
        rename = "EndModificationDate",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_modification_date: Option<String>,
    /// Always true: orders without lines cannot be mapped.
    #[serde(rename = "FetchOrderLines")]
    pub fetch_order_lines: bool,
    /// Only these order numbers.
    #[serde(rename = "OrderReferenceList", skip_serializing_if = "Option::is_none")]
    pub order_reference_list: Option<References>,
}

/// `OrderReferenceList` (an `ArrayOfstring`).
#[derive(Debug, Serialize)]
pub struct References {
    #[serde(rename = "@xmlns:b")]
    xmlns_b: &'static str,
    #[serde(rename = "b:string")]
    numbers: Vec<String>,
}

impl References {
    /// A list of order numbers.
    pub fn new(numbers: Vec<String>) -> Self {
        Self {
            xmlns_b: ARRAYS_NS,
            numbers,
        }
    }
}

#[derive(Serialize)]
struct GetOrderList<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "headerMessage")]
    header: HeaderMessage<'a>,
    #[serde(rename = "orderFilter")]
    filter: &'a OrderFilter,
}

/// `ValidateOrder`, fields in the XSD's order.
#[derive(Debug, Serialize)]
pub struct ValidateOrder {
    /// Carrier name (free text or a `GetGlobalConfiguration` name).
    #[serde(rename = "CarrierName")]
    pub carrier_name: String,
    /// The lines and their new state.
    #[serde(rename = "OrderLineList")]
    pub lines: ValidateOrderLines,
    /// Which order.
    #[serde(rename = "OrderNumber")]
    pub order_number: String,
    /// The new order state (`Shipped`).
    #[serde(rename = "OrderState")]
    pub order_state: String,
    /// The tracking number.
    #[serde(rename = "TrackingNumber")]
    pub tracking_number: String,
    /// A tracking page, optional since 2016.
    #[serde(rename = "TrackingUrl", skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
}

/// `OrderLineList` of a `ValidateOrder`.
#[derive(Debug, Serialize)]
pub struct ValidateOrderLines {
    /// The lines.
    #[serde(rename = "ValidateOrderLine")]
    pub lines: Vec<ValidateOrderLine>,
}

/// `ValidateOrderLine`.
#[derive(Debug, Serialize)]
pub struct ValidateOrderLine {
    /// `ShippedBySeller` to ship.
    #[serde(rename = "AcceptationState")]
    pub acceptation_state: String,
    /// Echo of the line's condition.
    #[serde(rename = "ProductCondition")]
    pub product_condition: String,
    /// The line's key.
    #[serde(rename = "SellerProductId")]
    pub seller_product_id: String,
}

#[derive(Serialize)]
struct OrderList<'a> {
    #[serde(rename = "ValidateOrder")]
    orders: &'a [ValidateOrder],
}

#[derive(Serialize)]
struct Message<'a> {
    #[serde(rename = "OrderList")]
    list: OrderList<'a>,
}

#[derive(Serialize)]
struct ValidateOrderList<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "headerMessage")]
    header: HeaderMessage<'a>,
    #[serde(rename = "validateOrderListMessage")]
    message: Message<'a>,
}

#[derive(Serialize)]
struct GetOrderListBody<'a> {
    #[serde(rename = "GetOrderList")]
    op: GetOrderList<'a>,
}

#[derive(Serialize)]
struct ValidateOrderListBody<'a> {
    #[serde(rename = "ValidateOrderList")]
    op: ValidateOrderList<'a>,
}

fn write<B: Serialize>(body: B) -> Result<String, ConnectorError> {
    let env = Envelope {
        xmlns_s: SOAP_ENV,
        body,
    };
    quick_xml::se::to_string(&env)
        .map(|xml| format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{xml}"))
        .map_err(|e| ConnectorError::Rejected {
            status: None,
            message: format!("cannot write the SOAP request: {e}"),
        })
}

/// A `GetOrderList` request.
pub fn get_order_list(token: &str, filter: &OrderFilter) -> Result<String, ConnectorError> {
    write(GetOrderListBody {
        op: GetOrderList {
            xmlns: CDISCOUNT_NS,
            header: header(token),
            filter,
        },
    })
}

/// A `ValidateOrderList` request.
pub fn validate_order_list(
    token: &str,
    orders: &[ValidateOrder],
) -> Result<String, ConnectorError> {
    write(ValidateOrderListBody {
        op: ValidateOrderList {
            xmlns: CDISCOUNT_NS,
            header: header(token),
            message: Message {
                list: OrderList { orders },
            },
        },
    })
}
