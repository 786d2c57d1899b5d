//! An optional request limit for a sandbox: a token bucket the way a gateway in front of
//! the API would run one, so tests can prove a connector keeps under it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The limit (none until [`Self::set`]) and the calls it refused.
#[derive(Debug, Default)]
pub struct RequestLimit {
    bucket: Mutex<Option<Bucket>>,
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

    /// Calls refused so far.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// Takes a token for one call; false (and counted) when the bucket is empty.
    pub(crate) fn admit(&self) -> bool {
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
