//! DynamoDB-typed JSON: any bytes either parse or give an error; never a panic, and
//! what parses writes back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::dynamo::{item_from_json, item_to_json};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(item) = item_from_json(&value) {
        assert_eq!(item_from_json(&item_to_json(&item)).as_ref(), Ok(&item));
    }
});
