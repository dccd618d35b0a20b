//! Telling someone who is not looking at the page: a system notification (where the
//! browser has one and the person allowed it), a vibration, the tab's title and the
//! installed app's badge. Each is a few lines over a browser API that some browsers lack
//! (iOS has notifications only in an installed web app, and no vibration): where one is
//! missing, it does nothing and says so through [`Permission::Unsupported`].

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Whether this page may show system notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// The browser has no notifications here (iOS Safari outside an installed web app).
    Unsupported,
    /// Not asked yet: a button may ask, once the person wants it.
    Ask,
    Granted,
    /// Refused: never ask again.
    Denied,
}

fn has(target: &JsValue, name: &str) -> bool {
    js_sys::Reflect::has(target, &JsValue::from_str(name)).unwrap_or(false)
}

fn supported() -> bool {
    web_sys::window().is_some_and(|w| has(&w, "Notification"))
}

/// The page's notification permission now.
pub fn permission() -> Permission {
    if !supported() {
        return Permission::Unsupported;
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => Permission::Granted,
        web_sys::NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Ask,
    }
}

/// Asks for permission (call it from the person's own tap: browsers ignore or penalise
/// a request made on load) and returns the answer.
pub async fn request_permission() -> Permission {
    if !supported() {
        return Permission::Unsupported;
    }
    if let Ok(promise) = web_sys::Notification::request_permission() {
        let _ = JsFuture::from(promise).await;
    }
    permission()
}

/// Shows a notification when permitted, through the service worker where there is one
/// (Android's browsers have no other way, and a tap on it opens `url` there: see
/// `public/sw.js`), otherwise from the page. `tag` replaces an earlier notification of
/// the same tag rather than stacking another.
pub async fn show(title: &str, body: &str, tag: &str, url: &str) {
    if permission() != Permission::Granted {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    let data = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&data, &"url".into(), &url.into());
    options.set_data(&data);
    if let Some(registration) = service_worker().await {
        if let Ok(promise) = registration.show_notification_with_options(title, &options) {
            if JsFuture::from(promise).await.is_ok() {
                return;
            }
        }
    }
    let _ = web_sys::Notification::new_with_options(title, &options);
}

/// The page's active service worker registration, if it has one.
async fn service_worker() -> Option<web_sys::ServiceWorkerRegistration> {
    let navigator = web_sys::window()?.navigator();
    if !has(&navigator, "serviceWorker") {
        return None;
    }
    let registration = JsFuture::from(navigator.service_worker().get_registration())
        .await
        .ok()?;
    let registration = registration
        .dyn_into::<web_sys::ServiceWorkerRegistration>()
        .ok()?;
    registration.active().is_some().then_some(registration)
}

/// Vibrates in this pattern (milliseconds on, off, on…) where the device can.
pub fn vibrate(pattern: &[u32]) {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    if has(&navigator, "vibrate") {
        let pattern: js_sys::Array = pattern.iter().map(|&ms| JsValue::from(ms)).collect();
        let _ = navigator.vibrate_with_pattern(&pattern);
    }
}

/// The installed app's icon badge (`navigator.setAppBadge`), where there is one: `true`
/// shows a dot, `false` clears it.
pub fn app_badge(on: bool) {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    let name = if on { "setAppBadge" } else { "clearAppBadge" };
    if let Ok(f) = js_sys::Reflect::get(&navigator, &JsValue::from_str(name)) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            // A promise that rejects outside an installed app: nothing to do about it.
            let _ = f.call0(&navigator);
        }
    }
}
