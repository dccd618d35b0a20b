//! MQTT payloads: any bytes give an event or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = shared::realtime::parse_event(data);
    let mut buf = data.to_vec();
    let _ = shared::mqtt::drain_packets(&mut buf);
});
