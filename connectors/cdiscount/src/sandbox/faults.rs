//! Fault injection shared by both sandboxes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// What the next calls should suffer.
#[derive(Debug, Default)]
pub struct Faults {
    statuses: Mutex<VecDeque<u16>>,
    delays: Mutex<VecDeque<Duration>>,
    requests: AtomicUsize,
}

impl Faults {
    /// The next `n` API calls answer HTTP `status` (429 with `Retry-After: 1`).
    pub fn fail_next(&self, n: usize, status: u16) {
        let mut q = self.statuses.lock().unwrap_or_else(|e| e.into_inner());
        q.extend(std::iter::repeat_n(status, n));
    }

    /// The next `n` API calls wait `delay` before answering (a timeout for a client
    /// with a shorter one).
    pub fn delay_next(&self, n: usize, delay: Duration) {
        let mut q = self.delays.lock().unwrap_or_else(|e| e.into_inner());
        q.extend(std::iter::repeat_n(delay, n));
    }

    /// API calls received so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Counts a call and returns the fault it must suffer, if any.
    pub(crate) async fn take(&self) -> Option<u16> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let delay = self
            .delays
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        self.statuses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
    }
}
