//! A loopback DPD: LoginService `getAuth` issuing tokens, ShipmentService `storeOrders`
//! and ParcelLifeCycleService `getTrackingData` refusing unknown or expired tokens with
//! DPD's real `authenticationFault` (HTTP 500), parcel label numbers of 14 digits with
//! their ISO 7064 MOD 37,36 check character, a real PDF or ZPL label in base64, the real
//! getTrackingData answer (sandbox-data/dpd) for its parcel, and fault injection.

use crate::adapters::chronopost::soap::Leaves;
use crate::adapters::sandbox_kit;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

const TRACKING_ANSWER: &str = include_str!("../../../sandbox-data/dpd/getTrackingData.xml");
const AUTH_FAULT: &str = include_str!("../../../sandbox-data/dpd/authenticationFault.xml");
/// The parcel the real tracking answer is served for.
pub const FIXTURE_PARCEL: &str = "01905081234567";
/// The sandbox DELIS id.
pub const DELIS_ID: &str = "sandboxuser";
/// The sandbox password.
pub const PASSWORD: &str = "sandboxpass";

#[derive(Default)]
struct Sandbox {
    faults: VecDeque<Option<u16>>,
    tokens: BTreeSet<String>,
    logins: usize,
    next_serial: u32,
    references: BTreeMap<String, String>,
}

/// The running sandbox; stops when dropped.
pub struct DpdSandbox {
    server: SandboxServer,
    state: Arc<Mutex<Sandbox>>,
}

impl DpdSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(Sandbox::default()));
        let router = Router::new()
            .route("/services/LoginService/V2_0/", post(login))
            .route("/services/ShipmentService/V4_4/", post(shipment))
            .route("/services/ParcelLifeCycleService/V2_0/", post(lifecycle))
            .with_state(state.clone());
        Ok(Self {
            server: SandboxServer::start(router).await?,
            state,
        })
    }

    /// The base URL to give the adapter.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// How many tokens were issued.
    pub fn logins(&self) -> usize {
        lock(&self.state).logins
    }

    /// Expires every issued token, as DPD does daily.
    pub fn expire_tokens(&self) {
        lock(&self.state).tokens.clear();
    }

    /// The next service call answers with this status (429 carries `Retry-After: 1`).
    pub fn fail_next(&self, status: u16) {
        lock(&self.state).faults.push_back(Some(status));
    }

    /// The next service call answers 200 with a cut envelope.
    pub fn garble_next(&self) {
        lock(&self.state).faults.push_back(None);
    }

    /// The `mpsCustomerReferenceNumber1` a parcel was stored under.
    pub fn reference_of(&self, parcel: &str) -> Option<String> {
        lock(&self.state).references.get(parcel).cloned()
    }
}

fn lock(state: &Mutex<Sandbox>) -> MutexGuard<'_, Sandbox> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

type Shared = State<Arc<Mutex<Sandbox>>>;

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml;charset=UTF-8")],
        body,
    )
        .into_response()
}

fn auth_fault() -> Response {
    xml(StatusCode::INTERNAL_SERVER_ERROR, AUTH_FAULT.to_string())
}

fn answer(ns: &str, operation: &str, inner: &str) -> Response {
    xml(
        StatusCode::OK,
        format!(
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns2:{operation}Response xmlns:ns2="{ns}">{inner}</ns2:{operation}Response></soap:Body></soap:Envelope>"#
        ),
    )
}

/// Plays a queued fault, then checks the header token; the envelope when all is well.
fn intake(state: &Mutex<Sandbox>, body: &[u8]) -> Result<Leaves, Box<Response>> {
    let mut s = lock(state);
    match s.faults.pop_front() {
        Some(Some(429)) => {
            return Err(Box::new(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "1")],
                    "",
                )
                    .into_response(),
            ))
        }
        Some(Some(code)) => {
            return Err(Box::new(
                (
                    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY),
                    "<html><body>Bad Gateway</body></html>",
                )
                    .into_response(),
            ))
        }
        Some(None) => {
            return Err(Box::new(xml(
                StatusCode::OK,
                "<soap:Envelope><soap:Body><ns2:stor".into(),
            )))
        }
        None => {}
    }
    let leaves = Leaves::read(body).ok_or_else(|| Box::new(auth_fault()))?;
    if leaves.get("delisId") != DELIS_ID || !s.tokens.contains(leaves.get("authToken")) {
        return Err(Box::new(auth_fault()));
    }
    Ok(leaves)
}

async fn login(State(state): Shared, body: axum::body::Bytes) -> Response {
    let Some(leaves) = Leaves::read(&body) else {
        return auth_fault();
    };
    if leaves.get("delisId") != DELIS_ID || leaves.get("password") != PASSWORD {
        return auth_fault();
    }
    let mut s = lock(&state);
    s.logins += 1;
    let token = format!("sandbox-token-{}", s.logins);
    s.tokens.insert(token.clone());
    answer(
        "http://dpd.com/common/service/types/LoginService/2.0",
        "getAuth",
        &format!("<return><delisId>{DELIS_ID}</delisId><customerUid>{DELIS_ID}</customerUid><authToken>{token}</authToken><depot>0190</depot><authTokenExpires>2026-11-24T03:00:00.0</authTokenExpires></return>"),
    )
}

/// ISO 7064 MOD 37,36 check character of a serial.
fn mod_37_36(serial: &str) -> char {
    let mut cd: u32 = 36;
    for c in serial.chars() {
        cd += c.to_digit(36).unwrap_or(0);
        if cd > 36 {
            cd -= 36;
        }
        cd *= 2;
        if cd > 36 {
            cd -= 37;
        }
    }
    let cd = match 37 - cd {
        36 => 0,
        other => other,
    };
    char::from_digit(cd, 36).map_or('0', |c| c.to_ascii_uppercase())
}

async fn shipment(State(state): Shared, body: axum::body::Bytes) -> Response {
    let leaves = match intake(&state, &body) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let weights = leaves.all("weight");
    if weights.is_empty() || weights.iter().any(|w| w.parse::<u32>().is_err()) {
        return answer(
            "http://dpd.com/common/service/types/ShipmentService/4.4",
            "storeOrders",
            "<orderResult><shipmentResponses><faults><faultCode>COMMON_7</faultCode><message>parcels.weight is invalid</message></faults></shipmentResponses></orderResult>",
        );
    }
    let zpl = leaves.get("outputFormat") == "ZPL";
    let reference = leaves.get("mpsCustomerReferenceNumber1").to_string();
    let mut s = lock(&state);
    let mut parcels = String::new();
    let mut label = Vec::new();
    let mut first = String::new();
    for _ in weights {
        s.next_serial += 1;
        let serial = format!("0190508{:07}", s.next_serial);
        let number = format!("{serial}{}", mod_37_36(&serial));
        label.extend(if zpl {
            sandbox_kit::zpl("DPD", &number)
        } else if label.is_empty() {
            sandbox_kit::pdf(&["DPD", &number])
        } else {
            Vec::new()
        });
        parcels.push_str(&format!(
            "<parcelInformation><parcelLabelNumber>{number}</parcelLabelNumber></parcelInformation>"
        ));
        if first.is_empty() {
            first = number.clone();
        }
        s.references.insert(number, reference.clone());
    }
    answer(
        "http://dpd.com/common/service/types/ShipmentService/4.4",
        "storeOrders",
        &format!(
            "<orderResult><output><format>{}</format><content>{}</content></output><shipmentResponses><identificationNumber>{first}</identificationNumber><mpsId>MPS{first}</mpsId>{parcels}</shipmentResponses></orderResult>",
            if zpl { "ZPL" } else { "PDF" },
            base64::engine::general_purpose::STANDARD.encode(label)
        ),
    )
}

async fn lifecycle(State(state): Shared, body: axum::body::Bytes) -> Response {
    let leaves = match intake(&state, &body) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    if leaves.get("parcelLabelNumber") == FIXTURE_PARCEL {
        return xml(StatusCode::OK, TRACKING_ANSWER.to_string());
    }
    answer(
        "http://dpd.com/common/service/types/ParcelLifeCycleService/2.0",
        "getTrackingData",
        "<trackingresult></trackingresult>",
    )
}
