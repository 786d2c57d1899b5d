//! The SOAP sandbox. Answers are cut from the recorded calls in `tests/data/`: the
//! `GetOrderList` envelope around a generated `OrderList`, each order the recorded
//! `1904241640CLE8Z` with its anonymisation placeholders replaced by plausible values
//! (a French address, a mobile number) and its number, state and dates set; the
//! `ValidateOrderList` answer in the recorded shape, including `Validated=false` with
//! the recorded `OrderStateIncoherent` message for a state change Cdiscount refuses.
//! Constructed (nothing recorded): the token fault, a WCF `a:InvalidSecurity` SOAP
//! 1.1 fault with HTTP 500, and the answer for an unknown order number.

use super::faults::Faults;
use crate::config::SoapConfig;
use crate::mapping::paris;
use crate::soap::scan::scan;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use chrono::{Duration, NaiveDateTime, Utc};
use shipgate_sdk::sandbox::SandboxServer;
use std::sync::{Arc, Mutex};

const LIST: &str = include_str!("../../tests/data/GetOrderList.get_order_list.response.xml");
const STS_PATH: &str = "/users/httpIssue.svc/";
const SVC_PATH: &str = "/MarketplaceAPIService.svc";
const DATE: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// A `ValidateOrderList` the sandbox accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedValidation {
    /// The order.
    pub order_number: String,
    /// `CarrierName`.
    pub carrier_name: String,
    /// `TrackingNumber`.
    pub tracking_number: String,
}

#[derive(Debug, Clone)]
struct Entry {
    number: String,
    state: String,
    updated: NaiveDateTime,
}

struct Inner {
    password: String,
    tokens: Vec<String>,
    orders: Vec<Entry>,
    validations: Vec<RecordedValidation>,
    corrupt: Vec<(String, String, String)>,
}

struct Shared {
    login: String,
    inner: Mutex<Inner>,
    faults: Faults,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running SOAP sandbox.
pub struct SoapSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SoapSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoapSandbox")
            .field("addr", &self.server.addr())
            .finish_non_exhaustive()
    }
}

fn template() -> &'static str {
    let spans = scan(LIST.as_bytes()).map(|s| s.orders).unwrap_or_default();
    spans.get(2).and_then(|r| LIST.get(r.clone())).unwrap_or("")
}

fn render(e: &Entry, corrupt: &[(String, String, String)]) -> String {
    let mut xml = template()
        .replace("SHIPPINGFIRSTNAME", "Camille")
        .replace("SHIPPINGLASTNAME", "Martin")
        .replace("FIRSTNAME", "Camille")
        .replace("LASTNAME", "Martin")
        .replace("MOBILEPHONE", "0612345678")
        .replace("<Country>COUNTRY</Country>", "<Country>FR</Country>")
        .replace("ZIPCODE", "69003")
        .replace("CITY", "Lyon")
        .replace("STREET", "3 rue des Lilas")
        .replace("BUILDING", "Bat. B")
        .replace("CIVILITY", "MME")
        .replace("1904241640CLE8Z", &e.number)
        .replace(
            "<OrderState>Shipped</OrderState>",
            &format!("<OrderState>{}</OrderState>", e.state),
        )
        .replace(
            "<LastUpdatedDate>2019-04-27T04:10:48.53</LastUpdatedDate>",
            &format!(
                "<LastUpdatedDate>{}</LastUpdatedDate>",
                e.updated.format("%Y-%m-%dT%H:%M:%S%.3f")
            ),
        );
    for (number, from, to) in corrupt {
        if *number == e.number {
            xml = xml.replace(from.as_str(), to);
        }
    }
    xml
}

fn list_answer(orders: &str) -> String {
    let open = LIST
        .find("<OrderList>")
        .map_or(0, |i| i + "<OrderList>".len());
    let close = LIST.find("</OrderList>").unwrap_or(LIST.len());
    format!("{}{orders}{}", &LIST[..open], &LIST[close..])
}

fn xml(status: StatusCode, body: String) -> Response {
    (status, [("content-type", "text/xml; charset=utf-8")], body).into_response()
}

fn fault(code: &str, text: &str) -> Response {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>\
             <faultcode xmlns:a=\"http://schemas.xmlsoap.org/ws/2005/02/sc\">{code}</faultcode>\
             <faultstring xml:lang=\"fr-FR\">{text}</faultstring></s:Fault></s:Body></s:Envelope>"
        ),
    )
}

/// Texts of every element with local name `name` (any prefix).
fn texts(body: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    let open = format!("{name}>");
    while let Some(i) = rest.find(&open) {
        let before = rest[..i].chars().last();
        rest = &rest[i + open.len()..];
        if matches!(before, Some('<') | Some(':')) {
            if let Some(end) = rest.find("</") {
                out.push(rest[..end].trim().to_string());
            }
        }
    }
    out
}

async fn sts(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let creds = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let mut inner = s.lock();
    if creds != Some(format!("{}:{}", s.login, inner.password)) {
        return (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    }
    let token = format!("{:032x}", 0x5b_0000 + inner.tokens.len() as u128);
    inner.tokens.push(token.clone());
    xml(
        StatusCode::OK,
        format!("<string xmlns=\"http://schemas.microsoft.com/2003/10/Serialization/\">{token}</string>"),
    )
}

fn get_order_list(inner: &Inner, body: &str) -> Response {
    let local = |n: &str| {
        texts(body, n)
            .first()
            .and_then(|t| NaiveDateTime::parse_from_str(t, DATE).ok())
    };
    let (begin, end) = (local("BeginModificationDate"), local("EndModificationDate"));
    let refs = if body.contains("OrderReferenceList>") {
        Some(texts(body, "string"))
    } else {
        None
    };
    let orders: String = inner
        .orders
        .iter()
        .filter(|e| begin.is_none_or(|b| e.updated >= b) && end.is_none_or(|x| e.updated < x))
        .filter(|e| refs.as_ref().is_none_or(|r| r.contains(&e.number)))
        .map(|e| render(e, &inner.corrupt))
        .collect();
    xml(StatusCode::OK, list_answer(&orders))
}

fn validate_answer(number: &str, errors: Option<&str>) -> String {
    let (message, list, validated) = match errors {
        Some(m) => (
            format!("{number} error: {m}"),
            format!("<Errors><Error><ErrorType>OrderStateIncoherent</ErrorType><Message>{m}</Message></Error></Errors>"),
            "false",
        ),
        None => (String::new(), "<Errors/>".to_string(), "true"),
    };
    format!(
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><ValidateOrderListResponse xmlns=\"http://www.cdiscount.com\"><ValidateOrderListResult xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><ErrorMessage xmlns=\"http://schemas.datacontract.org/2004/07/Cdiscount.Framework.Core.Communication.Messages\">{message}</ErrorMessage><OperationSuccess xmlns=\"http://schemas.datacontract.org/2004/07/Cdiscount.Framework.Core.Communication.Messages\">true</OperationSuccess><ErrorList/><SellerLogin>SELLERLOGIN</SellerLogin><TokenId>TOKENID</TokenId><ValidateOrderResults><ValidateOrderResult>{list}<OrderNumber>{number}</OrderNumber><ValidateOrderLineResults/><Validated>{validated}</Validated><Warnings/></ValidateOrderResult></ValidateOrderResults></ValidateOrderListResult></ValidateOrderListResponse></s:Body></s:Envelope>"
    )
}

fn validate(inner: &mut Inner, body: &str) -> Response {
    let first = |n: &str| texts(body, n).into_iter().next().unwrap_or_default();
    let (number, wanted) = (first("OrderNumber"), first("OrderState"));
    let Some(entry) = inner.orders.iter_mut().find(|e| e.number == number) else {
        return xml(
            StatusCode::OK,
            validate_answer(
                &number,
                Some(&format!("La commande \"{number}\" est introuvable.")),
            ),
        );
    };
    let allowed = wanted == "Shipped"
        && matches!(
            entry.state.as_str(),
            "WaitingForShipmentAcceptation" | "AcceptedBySeller"
        );
    if !allowed {
        let m = format!(
            "Le passage à l'état {wanted} est impossible à ce stade de la commande \"{number}\"."
        );
        return xml(StatusCode::OK, validate_answer(&number, Some(&m)));
    }
    entry.state = "Shipped".into();
    entry.updated = paris::to_local(Utc::now());
    inner.validations.push(RecordedValidation {
        order_number: number.clone(),
        carrier_name: first("CarrierName"),
        tracking_number: first("TrackingNumber"),
    });
    xml(StatusCode::OK, validate_answer(&number, None))
}

async fn service(State(s): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    if let Some(status) = s.faults.take().await {
        return match status {
            429 => (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                "Too Many Requests",
            )
                .into_response(),
            500..=599 => {
                let code =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut r = fault(
                    "s:Receiver",
                    "The server was unable to process the request.",
                );
                *r.status_mut() = code;
                r
            }
            other => (
                StatusCode::from_u16(other).unwrap_or(StatusCode::BAD_REQUEST),
                "injected",
            )
                .into_response(),
        };
    }
    let action = headers
        .get("soapaction")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim_matches('"')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    if !body.contains(&format!("<{action} ")) && !body.contains(&format!(":{action} ")) {
        return fault(
            "s:Client",
            &format!("the body holds no <{action}> element matching the SOAPAction"),
        );
    }
    let mut inner = s.lock();
    let token = texts(&body, "TokenId")
        .into_iter()
        .next()
        .unwrap_or_default();
    if !inner.tokens.contains(&token) {
        return fault(
            "a:InvalidSecurity",
            "An error occurred when verifying security for the message.",
        );
    }
    match action.as_str() {
        "GetOrderList" => get_order_list(&inner, &body),
        "ValidateOrderList" => validate(&mut inner, &body),
        other => fault(
            "a:ActionNotSupported",
            &format!("action {other} is not served by the sandbox"),
        ),
    }
}

impl SoapSandbox {
    /// Starts a sandbox with `n` orders `WaitingForShipmentAcceptation`, numbers
    /// `231123{i:04}SBX`, updated an hour apart ending an hour ago (French wall clock).
    pub async fn start(n: usize) -> std::io::Result<Self> {
        let now = paris::to_local(Utc::now());
        let orders = (0..n)
            .map(|i| Entry {
                number: format!("231123{i:04}SBX"),
                state: "WaitingForShipmentAcceptation".into(),
                updated: now - Duration::hours((n - i) as i64),
            })
            .collect();
        let shared = Arc::new(Shared {
            login: "seller-api".into(),
            inner: Mutex::new(Inner {
                password: "sbx-pass-77".into(),
                tokens: Vec::new(),
                orders,
                validations: Vec::new(),
                corrupt: Vec::new(),
            }),
            faults: Faults::default(),
        });
        let router = Router::new()
            .route(STS_PATH, get(sts))
            .route(SVC_PATH, post(service))
            .with_state(shared.clone());
        Ok(Self {
            server: SandboxServer::start(router).await?,
            shared,
        })
    }

    /// A connector configuration pointing at this sandbox.
    pub fn config(&self) -> SoapConfig {
        let base = self.server.base_url();
        SoapConfig {
            endpoint: format!("{base}{SVC_PATH}"),
            sts_url: format!(
                "{base}{STS_PATH}?realm=https://wsvc.cdiscount.com/MarketplaceAPIService.svc"
            ),
            login: self.shared.login.clone(),
            password: self.shared.lock().password.clone(),
            window_secs: 6 * 3600,
            lookback_secs: 60,
            request_timeout_secs: 5,
            // Tests and the demo are not slowed down by a guess made for production.
            budget: crate::BudgetConfig {
                requests_per_second: 50.0,
                burst: 50,
                ..crate::BudgetConfig::default()
            },
        }
    }

    /// Order numbers held.
    pub fn order_numbers(&self) -> Vec<String> {
        self.shared
            .lock()
            .orders
            .iter()
            .map(|e| e.number.clone())
            .collect()
    }

    /// Sets an order's state (`CancelledByCustomer`, `Shipped`…).
    pub fn set_state(&self, number: &str, state: &str) {
        if let Some(e) = self
            .shared
            .lock()
            .orders
            .iter_mut()
            .find(|e| e.number == number)
        {
            e.state = state.to_string();
        }
    }

    /// The order's current state.
    pub fn state(&self, number: &str) -> Option<String> {
        self.shared
            .lock()
            .orders
            .iter()
            .find(|e| e.number == number)
            .map(|e| e.state.clone())
    }

    /// Replaces `from` by `to` in order `number`'s XML from now on.
    pub fn corrupt_order(&self, number: &str, from: &str, to: &str) {
        self.shared
            .lock()
            .corrupt
            .push((number.into(), from.into(), to.into()));
    }

    /// Changes the API password and revokes every token issued.
    pub fn rotate_password(&self, password: &str) {
        let mut inner = self.shared.lock();
        inner.password = password.to_string();
        inner.tokens.clear();
    }

    /// Revokes every token issued (the STS still answers).
    pub fn revoke_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        self.shared.lock().tokens.len()
    }

    /// Validations accepted so far.
    pub fn validations(&self) -> Vec<RecordedValidation> {
        self.shared.lock().validations.clone()
    }

    /// Fault injection.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }
}
