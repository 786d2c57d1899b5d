//! Error-class checks: what the host retries (throttling, 5xx, 408) and what it sends
//! straight to the dead list (bad credentials, other 4xx), driven through the sandbox's
//! fault injection; and secrets kept out of `Debug` and error text.

use super::CheckResult;
use crate::{ConnectorError, Cursor, Source};
use std::fmt::Debug;
use std::time::{Duration, Instant};

/// How many consecutive faults a check injects. A connector MAY resend in-process after
/// a short wait, so one injected fault could be absorbed without anyone seeing it; a
/// burst this long MUST surface as an error (spec §4.3).
pub const FAULT_BURST: usize = 8;

/// The `Retry-After` every sandbox sends with an injected 429 (spec §7).
const SANDBOX_RETRY_AFTER: Duration = Duration::from_secs(1);

/// What the first pull into a burst of faults did.
struct Provoked {
    /// The error it returned.
    err: ConnectorError,
    /// How many requests it sent (by the sandbox's count).
    sent: usize,
    /// How long it took.
    took: Duration,
}

/// Injects [`FAULT_BURST`] answers of `status`, pulls once (which must fail), then keeps
/// pulling until the burst is spent and a pull succeeds. Every error must be of the same
/// class. `requests` is the sandbox's count of requests received.
async fn provoke(
    check: &str,
    source: &dyn Source,
    fail_next: &dyn Fn(usize, u16),
    requests: &dyn Fn() -> usize,
    status: u16,
) -> Result<Provoked, String> {
    fail_next(FAULT_BURST, status);
    let before = requests();
    let started = Instant::now();
    let first = match source.pull(&Cursor::default()).await {
        Ok(_) => {
            return Err(format!(
                "{check}: {FAULT_BURST} HTTP {status} answers in a row were absorbed and the pull \
                 succeeded: persistent failures must reach the host as errors"
            ))
        }
        Err(e) => e,
    };
    let took = started.elapsed();
    let sent = requests().saturating_sub(before);
    for _ in 0..=FAULT_BURST {
        match source.pull(&Cursor::default()).await {
            Ok(_) => {
                return Ok(Provoked {
                    err: first,
                    sent,
                    took,
                })
            }
            Err(e) if e.is_retryable() == first.is_retryable() => {}
            Err(e) => {
                return Err(format!(
                    "{check}: HTTP {status} gave `{first}` first and then `{e}`, of another class"
                ))
            }
        }
    }
    Err(format!(
        "{check}: pulls still fail after the {FAULT_BURST} injected HTTP {status} answers \
         were spent: the connector does not recover when the remote does"
    ))
}

/// Proves throttling handling (spec §4): HTTP 429 with `Retry-After: 1` becomes
/// [`ConnectorError::Throttled`], retryable, whose `retry_after()` is the one second the
/// remote asked for; a connector that resent in-process within that pull waited the
/// second between sends (`requests` is the sandbox's count of requests received); and
/// once the remote stops throttling, pulls succeed again.
pub async fn throttling_is_retryable(
    source: &dyn Source,
    fail_next: impl Fn(usize, u16),
    requests: impl Fn() -> usize,
) -> CheckResult {
    const CHECK: &str = "throttling_is_retryable";
    let Provoked { err, sent, took } = provoke(CHECK, source, &fail_next, &requests, 429).await?;
    if !matches!(err, ConnectorError::Throttled { .. }) || !err.is_retryable() {
        return Err(format!(
            "{CHECK}: HTTP 429 became `{err}` ({err:?}); it must be a retryable Throttled"
        ));
    }
    if err.retry_after() != Some(SANDBOX_RETRY_AFTER) {
        return Err(format!(
            "{CHECK}: the remote said Retry-After: 1 but the error carries retry_after {:?}",
            err.retry_after()
        ));
    }
    let resends = u32::try_from(sent.saturating_sub(1)).unwrap_or(u32::MAX);
    if took < SANDBOX_RETRY_AFTER.saturating_mul(resends) {
        return Err(format!(
            "{CHECK}: the pull sent {sent} requests into a 429 burst in {took:?}: it resent \
             without waiting the {SANDBOX_RETRY_AFTER:?} Retry-After asked for"
        ));
    }
    Ok(())
}

/// Proves server errors are retried (spec §4): HTTP 500, 502, 503, 504 and 408 each
/// become a retryable [`ConnectorError::Remote`] carrying the status, and the source
/// recovers once the remote does.
pub async fn server_errors_are_retryable(
    source: &dyn Source,
    fail_next: impl Fn(usize, u16),
) -> CheckResult {
    const CHECK: &str = "server_errors_are_retryable";
    for status in [500, 502, 503, 504, 408] {
        let Provoked { err, .. } = provoke(CHECK, source, &fail_next, &|| 0, status).await?;
        match &err {
            ConnectorError::Remote { status: s, .. } if *s == status && err.is_retryable() => {}
            other => {
                return Err(format!(
                    "{CHECK}: HTTP {status} became `{other}` ({other:?}); it must be a \
                     retryable Remote error with status {status}"
                ))
            }
        }
    }
    Ok(())
}

/// Proves other client errors are permanent (spec §4): HTTP 400, 404 and 422 are not
/// retryable (the same request would be refused again), and are not mistaken for
/// throttling or bad credentials.
pub async fn client_errors_are_permanent(
    source: &dyn Source,
    fail_next: impl Fn(usize, u16),
) -> CheckResult {
    const CHECK: &str = "client_errors_are_permanent";
    for status in [400, 404, 422] {
        let Provoked { err, .. } = provoke(CHECK, source, &fail_next, &|| 0, status).await?;
        if err.is_retryable()
            || matches!(
                err,
                ConnectorError::Throttled { .. } | ConnectorError::Unauthorized { .. }
            )
        {
            return Err(format!(
                "{CHECK}: HTTP {status} became `{err}` ({err:?}); it must be a permanent \
                 error (Rejected or NotFound)"
            ));
        }
    }
    Ok(())
}

/// Proves bad credentials are permanent (spec §4): after `revoke` makes the sandbox
/// refuse the credentials the source holds, a pull fails with
/// [`ConnectorError::Unauthorized`], not retryable, and neither its text nor its `Debug`
/// contains `secret` (the credential the source sent). The sandbox keeps refusing
/// afterwards: run this check on a sandbox of its own.
pub async fn bad_credentials_are_permanent(
    source: &dyn Source,
    revoke: impl FnOnce(),
    secret: &str,
) -> CheckResult {
    const CHECK: &str = "bad_credentials_are_permanent";
    revoke();
    let err = match source.pull(&Cursor::default()).await {
        Ok(_) => {
            return Err(format!(
                "{CHECK}: the pull succeeded with revoked credentials"
            ))
        }
        Err(e) => e,
    };
    if !matches!(err, ConnectorError::Unauthorized { .. }) || err.is_retryable() {
        return Err(format!(
            "{CHECK}: revoked credentials became `{err}` ({err:?}); they must be a \
             non-retryable Unauthorized"
        ));
    }
    let shown = format!("{err} {err:?}");
    if shown.contains(secret) {
        return Err(format!(
            "{CHECK}: the error text or Debug contains the credential"
        ));
    }
    Ok(())
}

/// Proves a secret is redacted (spec §5): `value`'s `Debug` (a connector, its config)
/// does not contain `secret`. Returns an error for an empty `secret`, which would prove
/// nothing.
pub fn secret_stays_out_of_debug(value: &impl Debug, secret: &str) -> CheckResult {
    const CHECK: &str = "secret_stays_out_of_debug";
    if secret.is_empty() {
        return Err(format!("{CHECK}: an empty secret proves nothing"));
    }
    if format!("{value:?}").contains(secret) || format!("{value:#?}").contains(secret) {
        return Err(format!("{CHECK}: Debug output contains the secret"));
    }
    Ok(())
}
