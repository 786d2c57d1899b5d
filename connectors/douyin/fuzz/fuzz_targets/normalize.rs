//! `normalize` must never panic, whatever the bytes; any order it returns is valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_sdk::Origin;

fuzz_target!(|data: &[u8]| {
    let origin = Origin {
        tenant: "t".into(),
        merchant: "m".into(),
        connector_id: "douyin".into(),
    };
    if let Ok(order) = shipgate_douyin::mapping::normalize(&origin, data) {
        assert!(order.validate().is_ok());
    }
});
