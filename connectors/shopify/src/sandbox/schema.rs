//! The subset of Shopify's GraphQL Admin schema the connector uses, with Shopify's own
//! type, field, argument and enum names, built with async-graphql's derive macros.

use super::data::{GeneratedAddress, GeneratedLine, SHOP_CURRENCY};
use super::state::{
    parse_gid, EventRecord, FulfillmentRecord, OrderRecord, RecordedEvent, RecordedFulfillment,
    Shared, TrackingRecord,
};
use async_graphql::connection::{CursorType, OpaqueCursor};
use async_graphql::{
    Context, EmptySubscription, Enum, InputObject, Object, Schema, SimpleObject, ID,
};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The sandbox schema.
pub(crate) type ShopSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema over the shared state.
pub(crate) fn build(shared: Shared) -> ShopSchema {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .data(shared)
        .finish()
}

/// Shopify's `DateTime` scalar: an ISO 8601 string.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DateTimeScalar(String);
async_graphql::scalar!(DateTimeScalar, "DateTime");

/// Shopify's `Decimal` scalar: a decimal number sent as a string.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DecimalScalar(String);
async_graphql::scalar!(DecimalScalar, "Decimal");

fn datetime(t: DateTime<Utc>) -> DateTimeScalar {
    DateTimeScalar(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn gid(kind: &str, id: u64) -> ID {
    ID(format!("gid://shopify/{kind}/{id}"))
}

/// `OrderDisplayFulfillmentStatus` (the values the sandbox produces).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderDisplayFulfillmentStatus {
    /// Every item fulfilled.
    Fulfilled,
    /// Some items fulfilled.
    PartiallyFulfilled,
    /// Nothing fulfilled.
    Unfulfilled,
}

/// `OrderDisplayFinancialStatus` (the values the sandbox produces).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderDisplayFinancialStatus {
    /// Authorized, not captured.
    Authorized,
    /// Paid.
    Paid,
    /// Waiting for payment (manual methods such as COD).
    Pending,
}

/// `FulfillmentOrderStatus`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FulfillmentOrderStatus {
    /// Ready for fulfillment.
    Open,
    /// Being processed.
    InProgress,
    /// Completed and closed.
    Closed,
    /// Cancelled by the merchant.
    Cancelled,
}

/// `FulfillmentStatus` (the value the sandbox produces).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FulfillmentStatus {
    /// Created.
    Success,
}

/// `FulfillmentEventStatus` (Admin API 2025-10's values).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FulfillmentEventStatus {
    /// A delivery was attempted.
    AttemptedDelivery,
    /// Picked up by the carrier.
    CarrierPickedUp,
    /// Confirmed; the default when nothing else is known.
    Confirmed,
    /// Delayed.
    Delayed,
    /// Delivered.
    Delivered,
    /// The fulfillment request failed.
    Failure,
    /// In transit.
    InTransit,
    /// The label was printed.
    LabelPrinted,
    /// A label was bought.
    LabelPurchased,
    /// Out for delivery.
    OutForDelivery,
    /// Ready to be picked up.
    ReadyForPickup,
}

/// `FulfillmentEventSortKeys`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FulfillmentEventSortKeys {
    /// By the time the event happened.
    HappenedAt,
    /// By id (Shopify's default).
    Id,
}

/// `FulfillmentEvent`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct FulfillmentEvent {
    id: ID,
    status: FulfillmentEventStatus,
    happened_at: DateTimeScalar,
}

impl From<&EventRecord> for FulfillmentEvent {
    fn from(e: &EventRecord) -> Self {
        Self {
            id: gid("FulfillmentEvent", e.id),
            status: e.status,
            happened_at: datetime(e.happened_at),
        }
    }
}

/// `FulfillmentEventConnection`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct FulfillmentEventConnection {
    nodes: Vec<FulfillmentEvent>,
    page_info: PageInfo,
}

/// `WeightUnit`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WeightUnit {
    /// g.
    Grams,
    /// kg.
    Kilograms,
    /// oz.
    Ounces,
    /// lb.
    Pounds,
}

/// `OrderSortKeys` (the keys the sandbox sorts by).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderSortKeys {
    /// By creation.
    CreatedAt,
    /// By id (Shopify's default).
    Id,
    /// By last update.
    UpdatedAt,
}

/// `PageInfo`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct PageInfo {
    has_next_page: bool,
    has_previous_page: bool,
    start_cursor: Option<String>,
    end_cursor: Option<String>,
}

/// `MoneyV2`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct MoneyV2 {
    amount: DecimalScalar,
    currency_code: String,
}

/// `MoneyBag`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct MoneyBag {
    shop_money: MoneyV2,
    presentment_money: MoneyV2,
}

fn money(amount: Decimal) -> MoneyBag {
    let m = MoneyV2 {
        amount: DecimalScalar(amount.to_string()),
        currency_code: SHOP_CURRENCY.into(),
    };
    MoneyBag {
        shop_money: m.clone(),
        presentment_money: m,
    }
}

/// `MailingAddress`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct MailingAddress {
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    province: Option<String>,
    province_code: Option<String>,
    zip: Option<String>,
    country: Option<String>,
    #[graphql(name = "countryCodeV2")]
    country_code_v2: Option<String>,
    phone: Option<String>,
}

impl From<&GeneratedAddress> for MailingAddress {
    fn from(a: &GeneratedAddress) -> Self {
        Self {
            name: Some(format!("{} {}", a.first_name, a.last_name)),
            first_name: Some(a.first_name.clone()),
            last_name: Some(a.last_name.clone()),
            company: a.company.clone(),
            address1: Some(a.address1.clone()),
            address2: Some(a.address2.clone()),
            city: Some(a.city.clone()),
            province: a.province.clone(),
            province_code: a.province_code.clone(),
            zip: Some(a.zip.clone()),
            country: Some(a.country.clone()),
            country_code_v2: Some(a.country_code.clone()),
            phone: a.phone.clone(),
        }
    }
}

/// `ShippingLine`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct ShippingLine {
    title: String,
    original_price_set: MoneyBag,
}

/// `Weight`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct Weight {
    unit: WeightUnit,
    value: f64,
}

/// `InventoryItemMeasurement`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct InventoryItemMeasurement {
    weight: Option<Weight>,
}

/// `InventoryItem`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct InventoryItem {
    id: ID,
    measurement: InventoryItemMeasurement,
}

/// `ProductVariant`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct ProductVariant {
    id: ID,
    title: String,
    inventory_item: InventoryItem,
}

/// `LineItem`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct LineItem {
    id: ID,
    sku: Option<String>,
    title: String,
    name: String,
    variant_title: Option<String>,
    quantity: i32,
    requires_shipping: bool,
    original_unit_price_set: MoneyBag,
    variant: Option<ProductVariant>,
}

impl From<&GeneratedLine> for LineItem {
    fn from(l: &GeneratedLine) -> Self {
        let weight = l.weight.map(|(unit, value)| Weight {
            unit: match unit {
                "KILOGRAMS" => WeightUnit::Kilograms,
                "OUNCES" => WeightUnit::Ounces,
                "POUNDS" => WeightUnit::Pounds,
                _ => WeightUnit::Grams,
            },
            value,
        });
        Self {
            id: gid("LineItem", l.id),
            sku: l.sku.clone(),
            title: l.title.clone(),
            name: l.name(),
            variant_title: l.variant_title.clone(),
            quantity: i32::try_from(l.quantity).unwrap_or(i32::MAX),
            requires_shipping: l.requires_shipping,
            original_unit_price_set: money(l.unit_price),
            variant: Some(ProductVariant {
                id: gid("ProductVariant", l.id + 2_000_000_000),
                title: l
                    .variant_title
                    .clone()
                    .unwrap_or_else(|| "Default Title".into()),
                inventory_item: InventoryItem {
                    id: gid("InventoryItem", l.id + 3_000_000_000),
                    measurement: InventoryItemMeasurement { weight },
                },
            }),
        }
    }
}

/// `LineItemConnection` (nodes and pageInfo).
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct LineItemConnection {
    nodes: Vec<LineItem>,
    page_info: PageInfo,
}

/// `FulfillmentOrderLineItem`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct FulfillmentOrderLineItem {
    id: ID,
    total_quantity: i32,
    remaining_quantity: i32,
}

/// `FulfillmentOrderLineItemConnection` (nodes and pageInfo).
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct FulfillmentOrderLineItemConnection {
    nodes: Vec<FulfillmentOrderLineItem>,
    page_info: PageInfo,
}

/// `FulfillmentOrderConnection` (nodes and pageInfo).
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct FulfillmentOrderConnection {
    nodes: Vec<FulfillmentOrder>,
    page_info: PageInfo,
}

/// `FulfillmentTrackingInfo`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct FulfillmentTrackingInfo {
    number: Option<String>,
    company: Option<String>,
    url: Option<String>,
}

/// `Fulfillment`.
#[derive(Debug, Clone)]
pub(crate) struct Fulfillment(FulfillmentRecord);

#[Object]
impl Fulfillment {
    async fn id(&self) -> ID {
        gid("Fulfillment", self.0.id)
    }
    async fn status(&self) -> FulfillmentStatus {
        FulfillmentStatus::Success
    }
    async fn created_at(&self) -> DateTimeScalar {
        datetime(self.0.created_at)
    }
    async fn tracking_info(&self, first: Option<i32>) -> Vec<FulfillmentTrackingInfo> {
        let n = first.map_or(usize::MAX, |f| usize::try_from(f).unwrap_or(0));
        self.0
            .tracking
            .iter()
            .take(n)
            .map(|t| FulfillmentTrackingInfo {
                number: t.number.clone(),
                company: t.company.clone(),
                url: t.url.clone(),
            })
            .collect()
    }
    async fn events(
        &self,
        first: Option<i32>,
        sort_key: Option<FulfillmentEventSortKeys>,
        reverse: Option<bool>,
    ) -> async_graphql::Result<FulfillmentEventConnection> {
        let n =
            page_size(first.ok_or_else(|| {
                async_graphql::Error::new("you must provide one of first or last")
            })?)?;
        let mut events: Vec<&EventRecord> = self.0.events.iter().collect();
        match sort_key.unwrap_or(FulfillmentEventSortKeys::Id) {
            FulfillmentEventSortKeys::Id => events.sort_by_key(|e| e.id),
            FulfillmentEventSortKeys::HappenedAt => events.sort_by_key(|e| (e.happened_at, e.id)),
        }
        if reverse.unwrap_or(false) {
            events.reverse();
        }
        Ok(FulfillmentEventConnection {
            nodes: events
                .iter()
                .take(n)
                .map(|e| FulfillmentEvent::from(*e))
                .collect(),
            page_info: simple_page(events.len() > n),
        })
    }
}

/// `FulfillmentOrder`.
#[derive(Debug, Clone)]
pub(crate) struct FulfillmentOrder(super::state::FulfillmentOrderRecord);

#[Object]
impl FulfillmentOrder {
    async fn id(&self) -> ID {
        gid("FulfillmentOrder", self.0.id)
    }
    async fn status(&self) -> FulfillmentOrderStatus {
        self.0.status
    }
    async fn line_items(
        &self,
        first: i32,
    ) -> async_graphql::Result<FulfillmentOrderLineItemConnection> {
        let n = page_size(first)?;
        let nodes = self
            .0
            .lines
            .iter()
            .take(n)
            .map(|l| FulfillmentOrderLineItem {
                id: gid("FulfillmentOrderLineItem", l.id),
                total_quantity: i32::try_from(l.total).unwrap_or(i32::MAX),
                remaining_quantity: i32::try_from(l.remaining).unwrap_or(i32::MAX),
            })
            .collect();
        Ok(FulfillmentOrderLineItemConnection {
            nodes,
            page_info: simple_page(self.0.lines.len() > n),
        })
    }
}

fn simple_page(has_next_page: bool) -> PageInfo {
    PageInfo {
        has_next_page,
        has_previous_page: false,
        start_cursor: None,
        end_cursor: None,
    }
}

/// Shopify refuses `first` outside 1..=250.
fn page_size(first: i32) -> async_graphql::Result<usize> {
    match usize::try_from(first) {
        Ok(n @ 1..=250) => Ok(n),
        _ => Err(async_graphql::Error::new(format!(
            "The value of `first` must be between 1 and 250, got {first}"
        ))),
    }
}

/// `Order`.
#[derive(Debug, Clone)]
pub(crate) struct Order(OrderRecord);

#[Object]
impl Order {
    async fn id(&self) -> ID {
        gid("Order", self.0.order.id)
    }
    async fn name(&self) -> &str {
        &self.0.order.name
    }
    async fn created_at(&self) -> DateTimeScalar {
        datetime(self.0.order.created_at)
    }
    async fn updated_at(&self) -> DateTimeScalar {
        datetime(self.0.order.updated_at)
    }
    async fn cancelled_at(&self) -> Option<DateTimeScalar> {
        self.0.order.cancelled_at.map(datetime)
    }
    async fn display_financial_status(&self) -> OrderDisplayFinancialStatus {
        match self.0.order.financial_status {
            "PAID" => OrderDisplayFinancialStatus::Paid,
            "AUTHORIZED" => OrderDisplayFinancialStatus::Authorized,
            _ => OrderDisplayFinancialStatus::Pending,
        }
    }
    async fn display_fulfillment_status(&self) -> OrderDisplayFulfillmentStatus {
        self.0.display_fulfillment_status()
    }
    async fn currency_code(&self) -> &str {
        SHOP_CURRENCY
    }
    async fn email(&self) -> Option<&str> {
        self.0.order.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.order.phone.as_deref()
    }
    async fn payment_gateway_names(&self) -> &[String] {
        &self.0.order.gateway_names
    }
    async fn total_price_set(&self) -> MoneyBag {
        money(self.0.order.total)
    }
    async fn total_outstanding_set(&self) -> MoneyBag {
        money(self.0.order.outstanding)
    }
    async fn shipping_address(&self) -> Option<MailingAddress> {
        self.0
            .order
            .shipping_address
            .as_ref()
            .map(MailingAddress::from)
    }
    async fn shipping_line(&self) -> Option<ShippingLine> {
        let title = self.0.order.shipping_title.clone()?;
        Some(ShippingLine {
            title,
            original_price_set: money(self.0.order.shipping_price),
        })
    }
    /// Pages by position: the cursor holds the index of the last line returned.
    async fn line_items(
        &self,
        first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<LineItemConnection> {
        let n = page_size(first)?;
        let start = match &after {
            Some(c) => {
                OpaqueCursor::<usize>::decode_cursor(c)
                    .map_err(|_| {
                        async_graphql::Error::new("Invalid cursor for current pagination.")
                    })?
                    .0
                    + 1
            }
            None => 0,
        };
        let lines = &self.0.order.lines;
        let nodes: Vec<LineItem> = lines
            .iter()
            .skip(start)
            .take(n)
            .map(LineItem::from)
            .collect();
        let cursor = |i: usize| OpaqueCursor(i).encode_cursor();
        let end = start + nodes.len();
        Ok(LineItemConnection {
            page_info: PageInfo {
                has_next_page: lines.len() > end,
                has_previous_page: start > 0,
                start_cursor: (!nodes.is_empty()).then(|| cursor(start)),
                end_cursor: (!nodes.is_empty()).then(|| cursor(end - 1)),
            },
            nodes,
        })
    }
    async fn fulfillment_orders(
        &self,
        first: i32,
    ) -> async_graphql::Result<FulfillmentOrderConnection> {
        let n = page_size(first)?;
        let nodes = self
            .0
            .fulfillment_orders
            .iter()
            .take(n)
            .cloned()
            .map(FulfillmentOrder)
            .collect();
        Ok(FulfillmentOrderConnection {
            nodes,
            page_info: simple_page(self.0.fulfillment_orders.len() > n),
        })
    }
    async fn fulfillments(&self, first: Option<i32>) -> Vec<Fulfillment> {
        let n = first.map_or(usize::MAX, |f| usize::try_from(f).unwrap_or(0));
        self.0
            .fulfillments
            .iter()
            .take(n)
            .cloned()
            .map(Fulfillment)
            .collect()
    }
}

/// `OrderEdge`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct OrderEdge {
    cursor: String,
    node: Order,
}

/// `OrderConnection`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct OrderConnection {
    edges: Vec<OrderEdge>,
    nodes: Vec<Order>,
    page_info: PageInfo,
}

/// `Shop`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct Shop {
    name: String,
    myshopify_domain: String,
    currency_code: String,
}

/// What an opaque cursor holds: the sort key value and the id that breaks ties.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Position {
    key: i64,
    id: u64,
}

fn position(rec: &OrderRecord, sort: OrderSortKeys) -> Position {
    let o = &rec.order;
    let key = match sort {
        OrderSortKeys::UpdatedAt => o.updated_at.timestamp_micros(),
        OrderSortKeys::CreatedAt => o.created_at.timestamp_micros(),
        OrderSortKeys::Id => 0,
    };
    Position { key, id: o.id }
}

/// The search terms the sandbox understands.
enum Filter {
    All,
    UpdatedSince(DateTime<Utc>),
    Id(u64),
}

impl Filter {
    fn keeps(&self, r: &OrderRecord) -> bool {
        match self {
            Self::All => true,
            Self::UpdatedSince(s) => r.order.updated_at >= *s,
            Self::Id(id) => r.order.id == *id,
        }
    }
}

/// Reads `updated_at:>='…'` (quotes optional) or `id:N` from Shopify's search syntax;
/// other terms are not supported by the sandbox and are refused so a test cannot pass by
/// accident.
fn filter(query: &str) -> async_graphql::Result<Filter> {
    let q = query.trim();
    if q.is_empty() {
        return Ok(Filter::All);
    }
    if let Some(id) = q.strip_prefix("id:") {
        return id
            .trim()
            .parse()
            .map(Filter::Id)
            .map_err(|_| async_graphql::Error::new(format!("invalid id value {id:?}")));
    }
    let value = q.strip_prefix("updated_at:>=").ok_or_else(|| {
        async_graphql::Error::new(format!(
            "the sandbox only supports `updated_at:>=` and `id:` searches, got {q:?}"
        ))
    })?;
    let value = value.trim().trim_matches(|c| c == '\'' || c == '"');
    DateTime::parse_from_rfc3339(value)
        .map(|t| Filter::UpdatedSince(t.with_timezone(&Utc)))
        .map_err(|e| async_graphql::Error::new(format!("invalid updated_at value {value:?}: {e}")))
}

fn shared<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Shared> {
    ctx.data::<Shared>()
}

fn lock(shared: &Shared) -> async_graphql::Result<std::sync::MutexGuard<'_, super::state::State>> {
    shared
        .lock()
        .map_err(|_| async_graphql::Error::new("sandbox state poisoned"))
}

/// `QueryRoot`.
pub(crate) struct QueryRoot;

#[Object]
impl QueryRoot {
    #[allow(clippy::too_many_arguments)]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        query: Option<String>,
        sort_key: Option<OrderSortKeys>,
        reverse: Option<bool>,
    ) -> async_graphql::Result<OrderConnection> {
        let n =
            page_size(first.ok_or_else(|| {
                async_graphql::Error::new("you must provide one of first or last")
            })?)?;
        let sort = sort_key.unwrap_or(OrderSortKeys::Id);
        let reverse = reverse.unwrap_or(false);
        let filter = filter(query.as_deref().unwrap_or(""))?;
        let after = match &after {
            Some(c) => Some(
                OpaqueCursor::<Position>::decode_cursor(c)
                    .map_err(|_| {
                        async_graphql::Error::new("Invalid cursor for current pagination sort.")
                    })?
                    .0,
            ),
            None => None,
        };
        let state = lock(shared(ctx)?)?;
        let mut matching: Vec<(Position, &OrderRecord)> = state
            .orders
            .iter()
            .filter(|r| filter.keeps(r))
            .map(|r| (position(r, sort), r))
            .collect();
        matching.sort_by_key(|(p, _)| *p);
        if reverse {
            matching.reverse();
        }
        let rest: Vec<&(Position, &OrderRecord)> = matching
            .iter()
            .filter(|(p, _)| match after {
                Some(a) if reverse => *p < a,
                Some(a) => *p > a,
                None => true,
            })
            .collect();
        let page: Vec<OrderEdge> = rest
            .iter()
            .take(n)
            .map(|(p, r)| OrderEdge {
                cursor: OpaqueCursor(*p).encode_cursor(),
                node: Order((*r).clone()),
            })
            .collect();
        let page_info = PageInfo {
            has_next_page: rest.len() > n,
            has_previous_page: after.is_some(),
            start_cursor: page.first().map(|e| e.cursor.clone()),
            end_cursor: page.last().map(|e| e.cursor.clone()),
        };
        let nodes = page.iter().map(|e| e.node.clone()).collect();
        Ok(OrderConnection {
            edges: page,
            nodes,
            page_info,
        })
    }

    async fn order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Order>> {
        let Some(num) = parse_gid(&id, "Order") else {
            return Ok(None);
        };
        let state = lock(shared(ctx)?)?;
        Ok(state
            .orders
            .iter()
            .find(|r| r.order.id == num)
            .cloned()
            .map(Order))
    }

    async fn fulfillment(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Fulfillment>> {
        let Some(num) = parse_gid(&id, "Fulfillment") else {
            return Ok(None);
        };
        let state = lock(shared(ctx)?)?;
        Ok(state
            .orders
            .iter()
            .flat_map(|r| &r.fulfillments)
            .find(|f| f.id == num)
            .cloned()
            .map(Fulfillment))
    }

    async fn shop(&self) -> Shop {
        Shop {
            name: "shipgate sandbox".into(),
            myshopify_domain: "shipgate-sandbox.myshopify.com".into(),
            currency_code: SHOP_CURRENCY.into(),
        }
    }
}

/// `FulfillmentOrderLineItemInput`.
#[derive(InputObject, Debug)]
pub(crate) struct FulfillmentOrderLineItemInput {
    id: ID,
    quantity: i32,
}

/// `FulfillmentOrderLineItemsInput`.
#[derive(InputObject, Debug)]
pub(crate) struct FulfillmentOrderLineItemsInput {
    fulfillment_order_id: ID,
    fulfillment_order_line_items: Option<Vec<FulfillmentOrderLineItemInput>>,
}

/// `FulfillmentTrackingInput`.
#[derive(InputObject, Debug)]
pub(crate) struct FulfillmentTrackingInput {
    number: Option<String>,
    numbers: Option<Vec<String>>,
    company: Option<String>,
    url: Option<String>,
    urls: Option<Vec<String>>,
}

/// `FulfillmentInput`.
#[derive(InputObject, Debug)]
pub(crate) struct FulfillmentInput {
    line_items_by_fulfillment_order: Vec<FulfillmentOrderLineItemsInput>,
    notify_customer: Option<bool>,
    tracking_info: Option<FulfillmentTrackingInput>,
}

/// `UserError`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct UserError {
    field: Option<Vec<String>>,
    message: String,
}

/// `FulfillmentCreatePayload`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct FulfillmentCreatePayload {
    fulfillment: Option<Fulfillment>,
    user_errors: Vec<UserError>,
}

impl FulfillmentCreatePayload {
    fn refused(index: usize, field: &str, message: String) -> Self {
        let field = vec![
            "fulfillment".into(),
            "lineItemsByFulfillmentOrder".into(),
            index.to_string(),
            field.into(),
        ];
        Self {
            fulfillment: None,
            user_errors: vec![UserError {
                field: Some(field),
                message,
            }],
        }
    }
}

/// `FulfillmentEventInput` (the fields the sandbox keeps).
#[derive(InputObject, Debug)]
pub(crate) struct FulfillmentEventInput {
    fulfillment_id: ID,
    status: FulfillmentEventStatus,
    happened_at: Option<DateTimeScalar>,
    message: Option<String>,
}

/// `FulfillmentEventCreatePayload`.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct FulfillmentEventCreatePayload {
    fulfillment_event: Option<FulfillmentEvent>,
    user_errors: Vec<UserError>,
}

/// `Mutation`.
pub(crate) struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Creates a fulfillment for fulfillment orders of one order, closing what it
    /// fulfils; refuses closed or foreign fulfillment orders with a `userError`.
    async fn fulfillment_create(
        &self,
        ctx: &Context<'_>,
        fulfillment: FulfillmentInput,
        #[graphql(name = "message")] _message: Option<String>,
    ) -> async_graphql::Result<FulfillmentCreatePayload> {
        let mut state = lock(shared(ctx)?)?;
        let FulfillmentInput {
            line_items_by_fulfillment_order: groups,
            notify_customer,
            tracking_info,
        } = fulfillment;
        if groups.is_empty() {
            return Ok(FulfillmentCreatePayload {
                fulfillment: None,
                user_errors: vec![UserError {
                    field: Some(vec!["fulfillment".into()]),
                    message: "Line items by fulfillment order can't be blank".into(),
                }],
            });
        }
        // Validate everything before changing anything.
        let mut order_index = None;
        let mut plan: Vec<(usize, Vec<(usize, u32)>)> = Vec::new();
        for (i, group) in groups.iter().enumerate() {
            let located =
                parse_gid(&group.fulfillment_order_id, "FulfillmentOrder").and_then(|num| {
                    state.orders.iter().enumerate().find_map(|(oi, r)| {
                        r.fulfillment_orders
                            .iter()
                            .position(|f| f.id == num)
                            .map(|fi| (oi, fi))
                    })
                });
            let Some((oi, fi)) = located else {
                return Ok(FulfillmentCreatePayload::refused(
                    i,
                    "fulfillmentOrderId",
                    "Fulfillment order does not exist.".into(),
                ));
            };
            if *order_index.get_or_insert(oi) != oi {
                return Ok(FulfillmentCreatePayload::refused(
                    i,
                    "fulfillmentOrderId",
                    "All fulfillment orders must belong to the same order.".into(),
                ));
            }
            let fo = &state.orders[oi].fulfillment_orders[fi];
            let open = matches!(
                fo.status,
                FulfillmentOrderStatus::Open | FulfillmentOrderStatus::InProgress
            ) && fo.lines.iter().any(|l| l.remaining > 0);
            if !open {
                let status = format!("{:?}", fo.status).to_lowercase();
                return Ok(FulfillmentCreatePayload::refused(
                    i,
                    "fulfillmentOrderId",
                    format!(
                        "Fulfillment order {} has an unfulfillable status= {status}.",
                        fo.id
                    ),
                ));
            }
            let mut take = Vec::new();
            match &group.fulfillment_order_line_items {
                None => take.extend(
                    fo.lines
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| l.remaining > 0)
                        .map(|(li, l)| (li, l.remaining)),
                ),
                Some(items) if items.is_empty() => take.extend(
                    fo.lines
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| l.remaining > 0)
                        .map(|(li, l)| (li, l.remaining)),
                ),
                Some(items) => {
                    for item in items {
                        let li = parse_gid(&item.id, "FulfillmentOrderLineItem")
                            .and_then(|n| fo.lines.iter().position(|l| l.id == n));
                        let qty = u32::try_from(item.quantity).ok().filter(|q| *q > 0);
                        match (li, qty) {
                            (Some(li), Some(q)) if q <= fo.lines[li].remaining => take.push((li, q)),
                            _ => {
                                return Ok(FulfillmentCreatePayload::refused(
                                    i,
                                    "fulfillmentOrderLineItems",
                                    format!("Invalid fulfillment order line item quantity requested for {}.", item.id.as_str()),
                                ))
                            }
                        }
                    }
                }
            }
            plan.push((fi, take));
        }
        let Some(oi) = order_index else {
            return Err(async_graphql::Error::new("no fulfillment order"));
        };
        let tracking = tracking_info.map(|t| TrackingRecord {
            number: t
                .number
                .or_else(|| t.numbers.and_then(|n| n.into_iter().next())),
            company: t.company,
            url: t.url.or_else(|| t.urls.and_then(|u| u.into_iter().next())),
        });
        state.next_fulfillment_id += 1;
        let fid = state.next_fulfillment_id;
        let now = Utc::now();
        let notify = notify_customer.unwrap_or(false);
        let record = FulfillmentRecord {
            id: fid,
            created_at: now,
            tracking: tracking.clone().into_iter().collect(),
            events: Vec::new(),
        };
        let mut recorded = Vec::new();
        {
            let rec = &mut state.orders[oi];
            for (fi, take) in &plan {
                let fo = &mut rec.fulfillment_orders[*fi];
                for (li, q) in take {
                    fo.lines[*li].remaining -= q;
                }
                fo.status = if fo.lines.iter().all(|l| l.remaining == 0) {
                    FulfillmentOrderStatus::Closed
                } else {
                    FulfillmentOrderStatus::InProgress
                };
                recorded.push(RecordedFulfillment {
                    order_id: gid("Order", rec.order.id).0,
                    fulfillment_id: gid("Fulfillment", fid).0,
                    fulfillment_order_id: gid("FulfillmentOrder", fo.id).0,
                    tracking_number: tracking.as_ref().and_then(|t| t.number.clone()),
                    company: tracking.as_ref().and_then(|t| t.company.clone()),
                    url: tracking.as_ref().and_then(|t| t.url.clone()),
                    notify_customer: notify,
                });
            }
            rec.fulfillments.push(record.clone());
            rec.order.updated_at = now;
        }
        state.recorded.extend(recorded);
        Ok(FulfillmentCreatePayload {
            fulfillment: Some(Fulfillment(record)),
            user_errors: Vec::new(),
        })
    }

    /// Adds a delivery event to a fulfillment; an unknown fulfillment is refused with a
    /// `userError`, a `happenedAt` that is not a date-time with a GraphQL error.
    async fn fulfillment_event_create(
        &self,
        ctx: &Context<'_>,
        fulfillment_event: FulfillmentEventInput,
    ) -> async_graphql::Result<FulfillmentEventCreatePayload> {
        let happened_at = match &fulfillment_event.happened_at {
            None => Utc::now(),
            Some(DateTimeScalar(text)) => DateTime::parse_from_rfc3339(text)
                .map_err(|_| {
                    async_graphql::Error::new(format!(
                        "Variable $fulfillmentEvent of type FulfillmentEventInput! was provided invalid value for happenedAt ({text:?} is not a valid DateTime)"
                    ))
                })?
                .with_timezone(&Utc),
        };
        let mut state = lock(shared(ctx)?)?;
        let found = parse_gid(&fulfillment_event.fulfillment_id, "Fulfillment").and_then(|num| {
            state.orders.iter().enumerate().find_map(|(oi, r)| {
                r.fulfillments
                    .iter()
                    .position(|f| f.id == num)
                    .map(|fi| (oi, fi))
            })
        });
        let Some((oi, fi)) = found else {
            return Ok(FulfillmentEventCreatePayload {
                fulfillment_event: None,
                user_errors: vec![UserError {
                    field: Some(vec!["fulfillmentEvent".into(), "fulfillmentId".into()]),
                    message: "Fulfillment does not exist.".into(),
                }],
            });
        };
        state.next_event_id += 1;
        let record = EventRecord {
            id: state.next_event_id,
            status: fulfillment_event.status,
            happened_at,
        };
        let fulfillment = &mut state.orders[oi].fulfillments[fi];
        fulfillment.events.push(record.clone());
        let fulfillment_id = gid("Fulfillment", fulfillment.id).0;
        let event = FulfillmentEvent::from(&record);
        state.recorded_events.push(RecordedEvent {
            fulfillment_id,
            event_id: event.id.0.clone(),
            status: async_graphql::InputType::to_value(&record.status).to_string(),
            happened_at,
            message: fulfillment_event.message,
        });
        Ok(FulfillmentEventCreatePayload {
            fulfillment_event: Some(event),
            user_errors: Vec::new(),
        })
    }
}
