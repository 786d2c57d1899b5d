//! The compliance kit: checks every connector's tests run against its loopback sandbox,
//! so "implements the contract" in `docs/specs/connector.md` is proven, not claimed.
//!
//! Behind the `testkit` cargo feature: a connector enables it in `[dev-dependencies]`
//! only, and production builds never carry it.
//!
//! Each check is an `async fn` (or a plain `fn`) over `&dyn Source` / `&dyn Storefront`
//! plus small closures through which the connector's test drives its sandbox ("make the
//! next `n` requests answer HTTP `status`", "how many fulfillments does order `x` have").
//!
//! **Style:** every check returns a [`CheckResult`]: `Ok(())`, or `Err` with one message
//! that names the check, the rule of the spec it enforces and what was seen. Checks never
//! panic on a connector's misbehaviour (a panic *inside* `normalize` is caught and
//! reported); a test calls `.await.unwrap()` or returns the result, and the message shows
//! up as the failure.

mod corpus;
mod errors;
mod normalize;
mod pull;
mod push;

pub use corpus::{corpus, Mutation};
pub use errors::{
    bad_credentials_are_permanent, client_errors_are_permanent, secret_stays_out_of_debug,
    server_errors_are_retryable, throttling_is_retryable, FAULT_BURST,
};
pub use normalize::normalize_never_panics;
pub use pull::{
    bad_records_are_quarantined_and_the_rest_goes_on, pulls_everything_once,
    resumes_from_a_saved_cursor,
};
pub use push::push_is_idempotent;

/// What every check returns: `Ok(())` when the connector meets the rule, `Err(message)`
/// naming the check and what went wrong otherwise.
pub type CheckResult = Result<(), String>;
