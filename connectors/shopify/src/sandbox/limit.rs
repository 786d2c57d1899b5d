//! The sandbox's request-rate limit: Shopify's per-app, per-shop leaky bucket counted in
//! requests (the REST Admin API's: 40 requests leaking at 2/s on Standard). Over it, the
//! answer is HTTP 429 with `Retry-After` and `X-Shopify-Shop-Api-Call-Limit`, like
//! Shopify's. Every request let through is timestamped, so a test can measure the rate
//! it was really served at.

use super::bucket::CostBucket;
use super::server::json_response;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use std::time::Instant;

/// Shopify's header telling how full the request bucket is (`32/40`).
pub(crate) const CALL_LIMIT_HEADER: &str = "x-shopify-shop-api-call-limit";

/// What the sandbox counts of the requests that reached it past the token check.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    limit: Option<Limit>,
    served: Vec<Instant>,
    refused: usize,
}

#[derive(Debug)]
struct Limit {
    bucket: CostBucket,
    per_second: f64,
}

impl RequestLog {
    /// A log that refuses requests over `per_second` with a bucket of `size` requests,
    /// or refuses none when `per_second` is `None`.
    pub(crate) fn new(per_second: Option<f64>, size: u32) -> Self {
        Self {
            limit: per_second.map(|per_second| Limit {
                bucket: CostBucket::new(f64::from(size.max(1)), per_second),
                per_second,
            }),
            served: Vec::new(),
            refused: 0,
        }
    }

    /// Counts one request: `Ok` with the call-limit header value to send when it may be
    /// served, or Shopify's 429 answer when the bucket is full.
    pub(crate) fn admit(&mut self) -> Result<Option<HeaderValue>, Box<Response>> {
        let now = Instant::now();
        let Some(limit) = &mut self.limit else {
            self.served.push(now);
            return Ok(None);
        };
        let taken = limit.bucket.try_take(1.0);
        let status = limit.bucket.status();
        let used = (status.maximum_available - status.currently_available).ceil();
        let header = HeaderValue::from_str(&format!("{used}/{}", status.maximum_available)).ok();
        if taken.is_ok() {
            self.served.push(now);
            return Ok(header);
        }
        self.refused += 1;
        let wait = ((1.0 - status.currently_available) / limit.per_second).max(0.1);
        let mut resp = too_many_requests(limit.per_second, &format!("{wait:.1}"));
        if let Some(h) = header {
            resp.headers_mut().insert(CALL_LIMIT_HEADER, h);
        }
        Err(Box::new(resp))
    }

    /// When each served request arrived.
    pub(crate) fn served(&self) -> &[Instant] {
        &self.served
    }

    /// Requests refused with 429 for going over the limit.
    pub(crate) fn refused(&self) -> usize {
        self.refused
    }
}

/// Shopify's 429 for an app over `per_second` calls, asking to wait `retry_after`
/// seconds.
pub(crate) fn too_many_requests(per_second: f64, retry_after: &str) -> Response {
    let body = format!(
        r#"{{"errors":"Exceeded {per_second} calls per second for api client. Reduce request rates to resume uninterrupted service."}}"#
    );
    let mut resp = json_response(StatusCode::TOO_MANY_REQUESTS, body);
    if let Ok(v) = HeaderValue::from_str(retry_after) {
        resp.headers_mut().insert("retry-after", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_bucket_is_a_429_with_retry_after_and_the_call_limit() {
        let mut log = RequestLog::new(Some(2.0), 3);
        for _ in 0..3 {
            let header = log.admit().unwrap().unwrap();
            assert!(header.to_str().unwrap().ends_with("/3"), "{header:?}");
        }
        let refused = log.admit().unwrap_err();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after: f64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.1..=0.5).contains(&retry_after), "{retry_after}");
        assert_eq!(refused.headers()[CALL_LIMIT_HEADER], "3/3");
        assert_eq!((log.served().len(), log.refused()), (3, 1));
    }

    #[test]
    fn without_a_limit_everything_is_served_and_timed() {
        let mut log = RequestLog::new(None, 40);
        for _ in 0..100 {
            assert_eq!(log.admit().unwrap(), None);
        }
        assert_eq!((log.served().len(), log.refused()), (100, 0));
    }
}
