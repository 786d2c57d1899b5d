//! The push-message parser must never panic; a correctly signed body goes through the
//! same path as the platform's deliveries.
#![no_main]

use axum::http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use shipgate_douyin::sign::event_sign;
use shipgate_douyin::webhook::receive;

fuzz_target!(|data: &[u8]| {
    let _ = shipgate_douyin::webhook::parse(data);
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&event_sign("1234567890123456789", data, "s")) {
        h.insert("event-sign", v);
    }
    let _ = receive(&h, data, "1234567890123456789", "s");
});
