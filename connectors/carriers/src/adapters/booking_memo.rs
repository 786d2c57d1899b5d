//! Bookings an adapter made in this process, by idempotency key: most carriers take no
//! idempotency key of their own, so a `book` retried after a lost answer would sell a
//! second label. The host's ledger covers a crashed process; this covers the retry.

use shipgate_sdk::Booking;
use std::collections::HashMap;
use std::sync::Mutex;

/// Bookings by idempotency key.
#[derive(Debug, Default)]
pub(crate) struct BookingMemo(Mutex<HashMap<String, Booking>>);

impl BookingMemo {
    /// The booking already made under `key`, if any.
    pub(crate) fn get(&self, key: &str) -> Option<Booking> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(key)
            .cloned()
    }

    /// Records the booking made under `key`.
    pub(crate) fn remember(&self, key: &str, booking: &Booking) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key.to_string(), booking.clone());
    }
}
