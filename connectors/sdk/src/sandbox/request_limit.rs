//! An optional request limit in front of a sandbox's API: a token bucket the way a
//! gateway in front of the remote runs one. Each sandbox answers a refused call in its
//! remote's own words (status, body, `Retry-After`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The limit (none until [`Self::set`]), the calls that reached it and those it refused.
#[derive(Debug, Default)]
pub struct RequestLimit {
    bucket: Mutex<Option<Bucket>>,
    seen: AtomicUsize,
    refused: AtomicUsize,
}

#[derive(Debug)]
struct Bucket {
    per_second: f64,
    size: f64,
    tokens: f64,
    at: Instant,
}

impl RequestLimit {
    /// From now on admits `per_second` calls a second, `size` at once; the bucket starts
    /// full.
    pub fn set(&self, per_second: f64, size: u32) {
        *self.bucket.lock().unwrap_or_else(|e| e.into_inner()) = Some(Bucket {
            per_second,
            size: f64::from(size),
            tokens: f64::from(size),
            at: Instant::now(),
        });
    }

    /// Calls that reached the limit so far, admitted or not.
    pub fn seen(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }

    /// Calls refused so far.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// Counts one call and takes a token for it; false (and counted as refused) when the
    /// bucket is empty. Without a limit every call is admitted.
    pub fn admit(&self) -> bool {
        self.seen.fetch_add(1, Ordering::SeqCst);
        let mut slot = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        let Some(b) = slot.as_mut() else {
            return true;
        };
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * b.per_second).min(b.size);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            self.refused.fetch_add(1, Ordering::SeqCst);
            false
        }
    }
}
