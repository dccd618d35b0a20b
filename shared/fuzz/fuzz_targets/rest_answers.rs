//! REST answers in every backend flavour: parsed or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::settings::Flavour;
use shared::wire;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for flavour in Flavour::ALL {
        let _ = wire::parse_config(text, flavour);
        let _ = wire::parse_orders(text, flavour);
        let _ = wire::parse_order_body(text, flavour);
    }
    let _ = wire::parse_qr_code(text);
    let _ = wire::parse_redeem(text);
    let _ = wire::drop_trailing_commas(text);
});
