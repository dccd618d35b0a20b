//! The browser side of the client: `fetch` for REST and Cognito, the auth session in
//! localStorage, and the real-time MQTT connection over a WebSocket. Thin by design:
//! what to send and how to read answers lives in [`crate::api`], [`crate::cognito`]
//! and [`crate::mqtt`], tested natively.

pub mod auth;
pub mod http;
pub mod realtime;

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Cryptographically random bytes from `crypto.getRandomValues`.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut out).is_ok());
    // Every browser that runs wasm has Web Crypto; without it, sign-in cannot be safe.
    assert!(filled, "crypto.getRandomValues is unavailable");
    out
}

/// A number in 0.0..1.0 for jitter (not for secrets).
pub fn jitter() -> f64 {
    js_sys::Math::random()
}

pub(crate) fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
