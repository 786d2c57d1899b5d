//! Our retry policy: the backends' own retries are either immediate (apalis-sqlite) or
//! fixed (apalis-redis), so the delay between attempts is decided here.

use std::time::Duration;

use rand::Rng;

/// How often and how far apart a transiently failing job is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first run included; at least 1.
    pub max_attempts: u32,
    /// The backoff ceiling for the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// The largest backoff ceiling, whatever the attempt.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// Full jitter: uniform in [0, min(max_delay, base_delay * 2^(attempt-1))], but never
    /// less than retry_after when the remote gave one.
    ///
    /// `attempt` is the attempt that just failed (1 for the first run). Full jitter
    /// spreads the retries of many jobs that failed together (a remote outage) instead
    /// of sending them back in one wave.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        let ceiling = self
            .base_delay
            .checked_mul(1u32 << doublings)
            .map_or(self.max_delay, |d| d.min(self.max_delay));
        let ceiling_nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let jittered = Duration::from_nanos(rand::thread_rng().gen_range(0..=ceiling_nanos));
        jittered.max(retry_after.unwrap_or(Duration::ZERO))
    }
}

impl Default for RetryPolicy {
    /// 8 attempts, 500 ms base, 5 min cap: seven retries whose ceilings run 0.5 s … 32 s,
    /// so a job is dead about a minute after a lasting failure unless the remote asked
    /// for longer waits; the cap only matters when `max_attempts` is raised.
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(300),
        }
    }
}
