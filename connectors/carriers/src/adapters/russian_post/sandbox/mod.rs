//! A loopback Russian Post for tests and `shipgate demo`: the Otpravka API
//! ([`otpravka`]: `POST /1.0/tariff`, `PUT /1.0/user/backlog`, `GET /1.0/backlog/{id}`,
//! `GET /1.0/forms/{id}/forms`, `DELETE /1.0/backlog`) behind the `AccessToken` and
//! `Basic` headers of one account (anything else: 401 without a body, as the spec's
//! table of answer codes for its claims method shows a 401), and the tracking API ([`tracking`]: SOAP 1.2
//! `getOperationHistory` at `/rtm34`) behind its own login, answering with the faults
//! of its WSDL.
//!
//! Orders get an id and an S10 barcode ending RU with the check digit of the carrier
//! file's `S10` format, so detection assigns them to `russian_post`; tracking knows
//! them until they are deleted. Tariffs, delivery times and error codes' words are
//! described in the handlers; the served XML answers and where they come from are in
//! `sandbox-data/russian_post/SOURCES.md`. Faults ([`Fault`]) can be injected.

mod otpravka;
mod tracking;

use crate::Registry;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The Otpravka application token the sandbox accepts.
pub const ACCESS_TOKEN: &str = "sandbox-access-token-7f3a9c";
/// The Otpravka account login.
pub const LOGIN: &str = "shop@example.ru";
/// The Otpravka account password.
pub const PASSWORD: &str = "sandbox-otpravka-password";
/// The tracking API login.
pub const TRACKING_LOGIN: &str = "SGSANDBOXRP";
/// The tracking API password.
pub const TRACKING_PASSWORD: &str = "sandbox-tracking-password";
/// The post office the account hands parcels in at (Москва 101000).
pub const POSTOFFICE_CODE: &str = "101000";

/// A failure to serve instead of the next answer, on either API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request is served as usual: queued before another fault, it aims that fault
    /// at a later call (the second call of a booking).
    Pass,
    /// HTTP 429 with `Retry-After` in seconds.
    Throttle(u64),
    /// HTTP 503.
    Unavailable,
    /// HTTP 200 with a body that is neither JSON nor XML.
    Garbage,
}

/// An order the sandbox took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The Otpravka order id.
    pub id: u64,
    /// The shop's `order-num`.
    pub order_num: String,
    /// The S10 barcode given to it.
    pub barcode: String,
    /// Its `mail-type`.
    pub mail_type: String,
    /// Its `index-to`.
    pub index_to: u32,
    /// Its charge without VAT, in kopecks.
    pub rate: i64,
    /// The VAT on it, in kopecks.
    pub vat: i64,
    /// Whether `DELETE /1.0/backlog` removed it.
    pub deleted: bool,
}

#[derive(Default)]
struct Inner {
    orders: Vec<Order>,
    faults: VecDeque<Fault>,
    serial: u64,
}

struct Shared {
    inner: Mutex<Inner>,
    registry: Registry,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The injected fault for this request, as its answer.
    fn fault(&self) -> Option<Response> {
        let fault = self.lock().faults.pop_front()?;
        Some(match fault {
            Fault::Pass => return None,
            Fault::Throttle(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, secs.to_string())],
                "Too Many Requests",
            )
                .into_response(),
            Fault::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response()
            }
            Fault::Garbage => (StatusCode::OK, "upstream proxy says hello").into_response(),
        })
    }
}

/// A running Russian Post sandbox.
pub struct RussianPostSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl RussianPostSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let registry = super::super::embedded_profile(super::CODE, super::PROFILE)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            registry,
        });
        let router = Router::new()
            .route("/1.0/tariff", post(otpravka::tariff))
            .route("/1.0/user/backlog", put(otpravka::create))
            .route("/1.0/backlog", delete(otpravka::remove))
            .route("/1.0/backlog/{id}", get(otpravka::order))
            .route("/1.0/forms/{id}/forms", get(otpravka::forms))
            .route("/rtm34", post(tracking::history))
            .with_state(shared.clone());
        Ok(Self {
            server: SandboxServer::start(router).await?,
            shared,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Settings that point the adapter at this sandbox.
    pub fn config(&self) -> super::Config {
        super::Config {
            access_token: ACCESS_TOKEN.into(),
            login: LOGIN.into(),
            password: PASSWORD.into(),
            tracking_login: TRACKING_LOGIN.into(),
            tracking_password: TRACKING_PASSWORD.into(),
            postoffice_code: POSTOFFICE_CODE.into(),
            base_url: self.base_url(),
            tracking_url: format!("{}/rtm34", self.base_url()),
            timeout_secs: 5,
            request_budget: crate::adapters::budget::for_sandbox(),
        }
    }

    /// Serves `fault` instead of the next answer.
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Every order taken so far, deleted ones included.
    pub fn orders(&self) -> Vec<Order> {
        self.shared.lock().orders.clone()
    }
}
