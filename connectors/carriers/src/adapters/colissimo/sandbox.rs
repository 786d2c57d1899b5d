//! A loopback Colissimo: SLS `generateLabel` answering multipart (`<jsonInfos>` and
//! `<label>` parts, boundary `uuid:…`) with credentials checked from the body (message
//! 30000 "Identifiant ou mot de passe incorrect"), S10 parcel numbers with their check
//! digit and a real PDF or ZPL label; and La Poste's Suivi API v2 with its
//! `X-Okapi-Key` check, the real answer (sandbox-data/colissimo) for its number and the
//! Suivi API's 404 shape for unknown ones. Fault injection (429 with `Retry-After`, 5xx,
//! a cut answer) for tests.

use crate::adapters::chronopost::support::s10;
use crate::adapters::sandbox_kit;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// The real Suivi API answer the sandbox serves (see sandbox-data/colissimo).
const TRACKING_ANSWER: &str = include_str!("../../../sandbox-data/colissimo/idships.json");
/// The number that answer is about.
pub const FIXTURE_NUMBER: &str = "EW112720413FR";
/// The sandbox contract number.
pub const CONTRACT: &str = "834307";
/// The sandbox password.
pub const PASSWORD: &str = "PLFLEX0117";
/// The sandbox Okapi key.
pub const OKAPI_KEY: &str = "okapi-sandbox-key";

#[derive(Default)]
struct Sandbox {
    faults: VecDeque<Option<u16>>,
    next_serial: u32,
    labels: BTreeMap<String, String>,
    calls: usize,
}

/// The running sandbox; stops when dropped.
pub struct ColissimoSandbox {
    server: SandboxServer,
    state: Arc<Mutex<Sandbox>>,
}

impl ColissimoSandbox {
    /// Starts the sandbox on a free loopback port (SLS and Suivi on the same host).
    pub async fn start() -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(Sandbox {
            next_serial: 15_984_040,
            ..Sandbox::default()
        }));
        let router = Router::new()
            .route(
                "/sls-ws/SlsServiceWSRest/2.0/generateLabel",
                post(generate_label),
            )
            .route("/suivi/v2/idships/{id}", get(idships))
            .with_state(state.clone());
        Ok(Self {
            server: SandboxServer::start(router).await?,
            state,
        })
    }

    /// The base URL for both `sls_url` and `tracking_url`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The next call answers with this HTTP status (429 carries `Retry-After: 3`).
    pub fn fail_next(&self, status: u16) {
        lock(&self.state).faults.push_back(Some(status));
    }

    /// The next call answers 200 with a cut body.
    pub fn garble_next(&self) {
        lock(&self.state).faults.push_back(None);
    }

    /// How many `generateLabel` calls were made.
    pub fn label_calls(&self) -> usize {
        lock(&self.state).calls
    }

    /// The `senderParcelRef` a parcel number was generated under.
    pub fn reference_of(&self, parcel: &str) -> Option<String> {
        lock(&self.state).labels.get(parcel).cloned()
    }
}

fn lock(state: &Mutex<Sandbox>) -> MutexGuard<'_, Sandbox> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

type Shared = State<Arc<Mutex<Sandbox>>>;

/// Plays an injected fault, if one is queued.
fn fault(state: &Mutex<Sandbox>) -> Option<Response> {
    match lock(state).faults.pop_front()? {
        Some(429) => Some(
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "3")],
                "Too Many Requests",
            )
                .into_response(),
        ),
        Some(code) => Some(
            (
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "<html><body>Service Unavailable</body></html>",
            )
                .into_response(),
        ),
        None => Some((StatusCode::OK, "--uuid:cut\r\nContent-ID: <jsonI").into_response()),
    }
}

const BOUNDARY: &str = "uuid:5b0d2c4e-7a51-4f0e-9a3c-1d2e3f405162";

/// A multipart SLS answer: the JSON infos, and the label when there is one.
fn multipart(status: StatusCode, infos: &Value, label: Option<&[u8]>) -> Response {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <jsonInfos>\r\n\r\n{infos}\r\n"
    )
    .into_bytes();
    if let Some(label) = label {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <label>\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(label);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let content_type = format!(
        "multipart/mixed; boundary=\"{BOUNDARY}\"; start=\"<jsonInfos>\"; type=\"application/json\""
    );
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn error(status: StatusCode, id: &str, text: &str) -> Response {
    multipart(
        status,
        &json!({
            "messages": [{ "id": id, "type": "ERROR", "messageContent": text }],
            "labelXmlV2Reponse": null,
            "labelV2Response": null,
        }),
        None,
    )
}

async fn generate_label(State(state): Shared, body: axum::body::Bytes) -> Response {
    if let Some(r) = fault(&state) {
        return r;
    }
    lock(&state).calls += 1;
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "30001", "Requête JSON invalide");
    };
    if request["contractNumber"] != CONTRACT || request["password"] != PASSWORD {
        return error(
            StatusCode::BAD_REQUEST,
            "30000",
            "Identifiant ou mot de passe incorrect",
        );
    }
    let letter = &request["letter"];
    let weight = letter["parcel"]["weight"]
        .as_str()
        .and_then(|w| w.parse::<f64>().ok())
        .or_else(|| letter["parcel"]["weight"].as_f64());
    if !weight.is_some_and(|w| w > 0.0 && w <= 30.0) {
        return error(
            StatusCode::BAD_REQUEST,
            "30220",
            "Le poids du colis est obligatoire et ne peut dépasser 30 kg",
        );
    }
    let zpl = request["outputFormat"]["outputPrintingType"]
        .as_str()
        .is_some_and(|t| t.starts_with("ZPL"));
    let reference = letter["sender"]["senderParcelRef"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let parcel = {
        let mut s = lock(&state);
        s.next_serial += 1;
        let parcel = s10("CB", s.next_serial, "FR");
        s.labels.insert(parcel.clone(), reference);
        parcel
    };
    let label = if zpl {
        sandbox_kit::zpl("Colissimo", &parcel)
    } else {
        sandbox_kit::pdf(&["Colissimo", &parcel])
    };
    multipart(
        StatusCode::OK,
        &json!({
            "messages": [{ "id": "0", "type": "INFOS", "messageContent": "La requête a été traitée avec succès", "replacementValues": [] }],
            "labelXmlV2Reponse": null,
            "labelV2Response": { "parcelNumber": parcel, "parcelNumberPartner": null, "pdfUrl": null, "fields": null },
        }),
        Some(&label),
    )
}

fn json_answer(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn idships(State(state): Shared, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Some(r) = fault(&state) {
        return r;
    }
    if headers.get("X-Okapi-Key").and_then(|v| v.to_str().ok()) != Some(OKAPI_KEY) {
        return json_answer(
            StatusCode::UNAUTHORIZED,
            &json!({ "code": "UNAUTHORIZED", "message": "Invalid credentials" }),
        );
    }
    if id == FIXTURE_NUMBER {
        let all: Value = serde_json::from_str(TRACKING_ANSWER).unwrap_or(Value::Null);
        return json_answer(StatusCode::OK, &all[0]);
    }
    if lock(&state).labels.contains_key(&id) {
        return json_answer(
            StatusCode::OK,
            &json!({
                "lang": "fr_FR", "scope": "open", "returnCode": 200,
                "shipment": {
                    "idShip": id, "product": "colissimo", "isFinal": false,
                    "event": [{ "code": "DR1", "label": "Votre colis va bientôt nous être confié.", "date": "2026-11-02T09:00:00+01:00" }],
                }
            }),
        );
    }
    json_answer(
        StatusCode::NOT_FOUND,
        &json!({
            "returnCode": 404,
            "returnMessage": "Résultat non trouvé",
            "lang": "fr_FR", "scope": "open", "idShip": id,
        }),
    )
}
