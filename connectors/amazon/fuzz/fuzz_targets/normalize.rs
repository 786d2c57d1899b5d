//! `normalize` on arbitrary bytes: it must return, never panic, and any order it returns
//! must be valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_sdk::Origin;

fuzz_target!(|data: &[u8]| {
    let origin = Origin {
        tenant: "t".into(),
        merchant: "m".into(),
        connector_id: "amazon-1".into(),
    };
    if let Ok(order) = shipgate_amazon::normalize(&origin, data) {
        assert!(order.validate().is_ok());
    }
});
