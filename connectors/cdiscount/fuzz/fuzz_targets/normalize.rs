//! `normalize` on arbitrary bytes: it must return, never panic, whichever shape the
//! bytes pretend to be; an `Ok` order must pass the canonical validation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_sdk::Origin;

fuzz_target!(|data: &[u8]| {
    let origin = Origin {
        tenant: "t".into(),
        merchant: "m".into(),
        connector_id: "cdiscount".into(),
    };
    if let Ok(order) = shipgate_cdiscount::normalize(&origin, data) {
        assert!(order.validate().is_ok());
    }
});
