//! The fan-out: every eligible carrier asked at once, each in its own task, collected
//! until the last answer or the deadline, whichever comes first.

use super::eligibility::ineligible;
use super::options::ShoppingOptions;
use super::quotes::{LeftOut, Quotes, Reason};
use super::sort;
use shipgate_sdk::{Carrier, Rate, RateRequest};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;
use tokio::time::{timeout, timeout_at, Instant};

/// What became of one carrier in the round.
type Outcome = Result<Vec<Rate>, Reason>;

/// Quotes `request` with every eligible carrier concurrently and returns what came back
/// before `options.deadline`. A carrier that never answers is cut at the deadline; the
/// answers already in are returned with it, so the round never takes longer than the
/// deadline (plus the time to sort). Carriers still running at the deadline are aborted.
pub async fn shop(
    carriers: &[Arc<dyn Carrier>],
    request: &RateRequest,
    options: &ShoppingOptions,
) -> Quotes {
    let started = Instant::now();
    let deadline = started + options.deadline;
    let shared = Arc::new(request.clone());
    let mut outcomes: Vec<Option<Outcome>> = vec![None; carriers.len()];
    let mut tasks = JoinSet::new();
    let mut index_of = HashMap::with_capacity(carriers.len());
    for (i, carrier) in carriers.iter().enumerate() {
        if let Some(reason) = ineligible(carrier.info(), request) {
            outcomes[i] = Some(Err(reason));
            continue;
        }
        let carrier = Arc::clone(carrier);
        let request = Arc::clone(&shared);
        let limit = options.per_carrier_timeout;
        let handle = tasks.spawn(async move {
            match timeout(limit, carrier.quote(&request)).await {
                Ok(Ok(rates)) => Ok(rates),
                Ok(Err(err)) => Err(Reason::Failed {
                    error: err.to_string(),
                    retryable: err.is_retryable(),
                }),
                Err(_) => Err(Reason::TimedOut(limit)),
            }
        });
        index_of.insert(handle.id(), i);
    }
    loop {
        match timeout_at(deadline, tasks.join_next_with_id()).await {
            Ok(None) => break,
            Ok(Some(Ok((id, outcome)))) => {
                if let Some(&i) = index_of.get(&id) {
                    outcomes[i] = Some(outcome);
                }
            }
            Ok(Some(Err(failure))) => {
                if let Some(&i) = index_of.get(&failure.id()) {
                    outcomes[i] = Some(Err(Reason::Failed {
                        error: format!("the adapter's quote task ended abnormally: {failure}"),
                        retryable: false,
                    }));
                }
            }
            Err(_) => {
                tasks.abort_all();
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    let mut rates = Vec::new();
    let mut left_out = Vec::new();
    for (carrier, outcome) in carriers.iter().zip(outcomes) {
        let code = carrier.info().code.clone();
        let outcome = outcome.unwrap_or(Err(Reason::CutAtDeadline(options.deadline)));
        match outcome.map(|answered| wanted(answered, request.service.as_deref())) {
            Ok(found) if found.is_empty() => left_out.push(LeftOut {
                carrier: code,
                reason: Reason::NoRate,
            }),
            Ok(found) => rates.extend(found),
            Err(reason) => left_out.push(LeftOut {
                carrier: code,
                reason,
            }),
        }
    }
    let fx = options.fx.as_ref();
    sort::sort(&mut rates, options.sort, fx);
    tracing::debug!(
        carriers = carriers.len(),
        rates = rates.len(),
        left_out = left_out.len(),
        elapsed_ms = elapsed.as_millis() as u64,
        "rate shopping round done"
    );
    Quotes {
        comparable: sort::comparable(&rates, fx),
        rates,
        left_out,
        elapsed,
        fx: options.fx.clone(),
    }
}

/// The rates of one answer that match the requested service, if the request named one
/// (some carriers answer with every service whatever was asked).
fn wanted(rates: Vec<Rate>, service: Option<&str>) -> Vec<Rate> {
    match service {
        Some(code) => rates.into_iter().filter(|r| r.service == code).collect(),
        None => rates,
    }
}
