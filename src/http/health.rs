//! `/healthz` and `/readyz`, for orchestrators: liveness says the process serves HTTP
//! (restart it if not), readiness says its store and queue answer (send it no traffic
//! if not). Failures name what failed and why, never a URL or a password.

use std::future::Future;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

use super::HttpState;

/// How long each readiness check may take; a dependency slower than this is as good as
/// down for a probe that runs every few seconds.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: no dependency is asked, so a database outage never gets the process killed.
pub(super) async fn healthz() -> &'static str {
    "ok"
}

/// Each check's result: `"ok"` or the error.
#[derive(Debug, Serialize)]
pub(super) struct Readiness {
    store: String,
    queue: String,
}

/// Readiness: the store answers a query and the queue reports its depth, each within
/// [`CHECK_TIMEOUT`]; 503 when either fails.
pub(super) async fn readyz(State(state): State<HttpState>) -> (StatusCode, Json<Readiness>) {
    let (store, queue) = tokio::join!(
        check(state.store.ping()),
        check(async { state.queue.pending().await.map(|_| ()) }),
    );
    let status = if store.is_ok() && queue.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let text = |r: Result<(), String>| r.err().unwrap_or_else(|| "ok".into());
    if status != StatusCode::OK {
        tracing::warn!(store = %text(store.clone()), queue = %text(queue.clone()), "not ready");
    }
    (
        status,
        Json(Readiness {
            store: text(store),
            queue: text(queue),
        }),
    )
}

/// Runs one check under the timeout; its error as text.
async fn check<E: std::fmt::Display>(
    probe: impl Future<Output = Result<(), E>>,
) -> Result<(), String> {
    match tokio::time::timeout(CHECK_TIMEOUT, probe).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())),
    }
}
