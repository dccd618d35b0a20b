//! The browser side of the client: `fetch` for REST and Cognito, the auth session in
//! localStorage, the real-time MQTT connection over a WebSocket, and code split off to
//! load on first use ([`split`]). Below `ui`: nothing here uses a component.
//! Thin by design: what to send and how to read answers lives in [`crate::api`],
//! [`crate::cognito`] and [`crate::mqtt`], tested natively.

pub mod auth;
pub mod device;
pub mod http;
pub mod notify;
pub mod realtime;
pub mod split;

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

/// Waits `ms` milliseconds (a browser timer).
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(ms).unwrap_or(i32::MAX),
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A number in 0.0..1.0 for jitter (not for secrets).
pub fn jitter() -> f64 {
    js_sys::Math::random()
}

pub(crate) fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// "14:05": the local time of day at `ms`.
pub fn time_of_day(ms: i64) -> String {
    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", at.get_hours(), at.get_minutes())
}

/// "2026-12-04": the local date at `ms`.
pub fn date_text(ms: i64) -> String {
    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02}",
        at.get_full_year(),
        at.get_month() + 1,
        at.get_date()
    )
}

/// Offers `text` to the person as a file called `name` of type `mime` (a download).
pub fn save_file(name: &str, mime: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(link) = link {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
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

/// Sends a REST request with a fresh access token when it needs one (`refresh`: a new
/// one whatever the current one's expiry).
pub async fn send_signed(
    auth: &auth::AuthClient,
    request: &crate::api::ApiRequest,
    refresh: bool,
) -> Result<(u16, String), crate::api::ApiError> {
    use crate::api::ApiError;
    let token = match request.signed {
        true => match auth.fresh(refresh).await {
            Ok(Some(user)) => Some(user.session.access_token),
            Ok(None) => return Err(ApiError::Unauthorized),
            Err(auth::AuthError::Api(e)) => return Err(e),
            // Not a refused session: the person stays signed in.
            Err(e) => return Err(ApiError::SignInService(e.to_string())),
        },
        false => None,
    };
    http::send(request, token.as_deref()).await
}
