//! The browser side of the client: `fetch` for REST and Cognito, the auth session in
//! localStorage, and the real-time MQTT connection over a WebSocket. Thin by design:
//! what to send and how to read answers lives in [`crate::api`], [`crate::cognito`]
//! and [`crate::mqtt`], tested natively.

pub mod auth;
pub mod device;
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

/// Local midnight today and tomorrow (ms), in the browser's time zone: the daily
/// limit resets at local midnight (contract §7.1).
pub fn local_midnights(now_ms: i64) -> (i64, i64) {
    let day = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now_ms as f64));
    day.set_hours(0);
    day.set_minutes(0);
    day.set_seconds(0);
    day.set_milliseconds(0);
    let today = day.get_time() as i64;
    // Via the calendar, not +24 h, so daylight-saving days come out right.
    day.set_date(day.get_date() + 1);
    (today, day.get_time() as i64)
}

/// Sends a REST request with a fresh access token when it needs one.
pub async fn send_signed(
    auth: &auth::AuthClient,
    request: &crate::api::ApiRequest,
) -> Result<(u16, String), crate::api::ApiError> {
    let token = match request.signed {
        true => match auth.fresh().await {
            Ok(Some(user)) => Some(user.session.access_token),
            Ok(None) => return Err(crate::api::ApiError::Unauthorized),
            Err(auth::AuthError::Api(e)) => return Err(e),
            Err(_) => return Err(crate::api::ApiError::Unauthorized),
        },
        false => None,
    };
    http::send(request, token.as_deref()).await
}
