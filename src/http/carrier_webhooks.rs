//! Carrier tracking webhooks: a carrier that pushes status changes (instead of, or
//! beside, being polled) posts its tracking answer here. The body is read by the same
//! parser as a polled answer of that API and applied like a poll, so a pushed status and
//! a polled one can never disagree or be pushed to the storefront twice.
//!
//! Carriers sign their pushes in as many ways as there are carriers; the common ground
//! every one supports is a secret in the subscription URL or a header, so each account
//! configures a `webhook_token` and the request must present it.

use super::HttpState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use shipgate_carriers::track::apis;

/// The header a carrier can send the token in, instead of the query string.
const TOKEN_HEADER: &str = "x-shipgate-token";

/// `?token=`.
#[derive(Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
}

/// `POST /webhooks/carriers/{api}`.
pub(super) async fn receive(
    State(state): State<HttpState>,
    Path(api): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let Some((_, code)) = apis().find(|(name, _)| *name == api) else {
        return (StatusCode::NOT_FOUND, format!("no tracking API {api:?}"));
    };
    let expected = state
        .connectors
        .carrier_account(code)
        .and_then(|a| a.webhook_token.as_deref());
    let presented = query
        .token
        .as_deref()
        .or_else(|| headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()));
    match (expected, presented) {
        (Some(expected), Some(presented))
            if constant_time_eq(expected.as_bytes(), presented.as_bytes()) => {}
        (None, _) => {
            return (
                StatusCode::NOT_FOUND,
                format!("carrier {code:?} takes no webhooks here"),
            )
        }
        _ => return (StatusCode::UNAUTHORIZED, "wrong or missing token".into()),
    }
    match state
        .pipeline
        .apply_pushed_tracking(&api, code, &body)
        .await
    {
        Ok(applied) => (StatusCode::OK, format!("{applied} parcels updated")),
        Err(crate::pipeline::PushedTrackingError::Unreadable(reason)) => {
            (StatusCode::BAD_REQUEST, reason)
        }
        Err(crate::pipeline::PushedTrackingError::Store(reason)) => {
            tracing::error!(carrier = code, %reason, "carrier webhook could not be applied");
            (StatusCode::SERVICE_UNAVAILABLE, "retry later".into())
        }
    }
}

/// Compares without an early exit, so the time taken says nothing about the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
