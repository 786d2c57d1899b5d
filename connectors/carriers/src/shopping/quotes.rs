//! What a rate-shopping round answers: the rates, and why each missing carrier is missing.

use super::fx::FxTable;
use super::sort::price_key;
use shipgate_sdk::model::{CountryCode, Currency};
use shipgate_sdk::Rate;
use std::fmt;
use std::time::Duration;

/// Why a carrier gave no rate in this round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The adapter has no rating API: asking it would only fail.
    NoQuoteCapability,
    /// The carrier does not pick up in the origin country (`None`: the request gave no
    /// origin country and the carrier serves only some).
    NoPickupIn(Option<CountryCode>),
    /// The request asked for a service this carrier does not sell.
    ServiceNotOffered(String),
    /// The carrier did not answer within the per-carrier timeout.
    TimedOut(Duration),
    /// The carrier was still pending when the round's deadline came.
    CutAtDeadline(Duration),
    /// The carrier answered with an error (its `ConnectorError` text).
    Failed {
        /// The error as the adapter reported it.
        error: String,
        /// Whether asking again later may work (throttling, 5xx, transport).
        retryable: bool,
    },
    /// The carrier answered, but with no rate for this request (or none for the
    /// requested service).
    NoRate,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoQuoteCapability => f.write_str("not eligible: the adapter cannot quote"),
            Self::NoPickupIn(Some(c)) => write!(f, "not eligible: does not pick up in {c}"),
            Self::NoPickupIn(None) => f.write_str(
                "not eligible: the request has no origin country and the carrier picks up only in some",
            ),
            Self::ServiceNotOffered(s) => write!(f, "not eligible: service {s:?} not offered"),
            Self::TimedOut(t) => write!(f, "timed out after {} ms", t.as_millis()),
            Self::CutAtDeadline(t) => {
                write!(f, "cut at the {} ms deadline", t.as_millis())
            }
            Self::Failed { error, .. } => write!(f, "failed: {error}"),
            Self::NoRate => f.write_str("answered with no rate"),
        }
    }
}

/// One carrier without a rate, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The carrier's registry code.
    pub carrier: String,
    /// Why it is missing.
    pub reason: Reason,
}

/// The answer of one rate-shopping round.
#[derive(Debug, Clone, PartialEq)]
pub struct Quotes {
    /// Every rate, in the order the options asked for.
    pub rates: Vec<Rate>,
    /// Every carrier that gave no rate, in the order the carriers were given.
    pub left_out: Vec<LeftOut>,
    /// Wall time of the round, from start to the last answer or the deadline.
    pub elapsed: Duration,
    /// Whether every rate was compared on one scale (one currency, or all converted by
    /// the exchange table): only then is the first rate of a price sort the cheapest.
    pub comparable: bool,
    /// The exchange table the round compared with, kept for [`Quotes::cheapest`].
    pub(crate) fx: Option<FxTable>,
}

impl Quotes {
    /// The cheapest rate, when prices could be compared at all; `None` for mixed
    /// currencies without an exchange table, or no rate.
    pub fn cheapest(&self) -> Option<&Rate> {
        if !self.comparable {
            return None;
        }
        self.rates
            .iter()
            .min_by_key(|r| price_key(r, self.fx.as_ref()))
    }

    /// The currencies the rates came in, sorted.
    pub fn currencies(&self) -> Vec<Currency> {
        let mut all: Vec<Currency> = self.rates.iter().map(|r| r.price.currency).collect();
        all.sort();
        all.dedup();
        all
    }

    /// Why `carrier` is missing, if it is.
    pub fn reason_for(&self, carrier: &str) -> Option<&Reason> {
        self.left_out
            .iter()
            .find(|l| l.carrier == carrier)
            .map(|l| &l.reason)
    }
}
