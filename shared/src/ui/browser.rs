//! The thin layer over browser APIs: localStorage, the page URL, reloads.
//! Everything here is a few lines over `web_sys`; the logic it feeds is in
//! [`crate::settings`] and tested natively.

use crate::i18n::{Message, Phrase};
use crate::kind::AppKind;
use crate::settings::SettingsDraft;
use crate::text::{Explain, Setup};

/// Why settings could not be read or written (said to people through [`Explain`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("This browser is not keeping data for this site (private browsing or blocked storage), so settings cannot be saved. Open the app in a normal browser window.")]
    Unavailable,
    #[error("The browser refused to save the settings: {0}")]
    WriteFailed(String),
    #[error("The saved settings could not be read ({0}). Enter them again.")]
    Corrupt(String),
}

impl Explain for StorageError {
    fn explain(&self) -> Phrase {
        match self {
            Self::Unavailable => Setup::StorageUnavailable.into(),
            Self::WriteFailed(why) => Setup::StorageWriteFailed.with("why", why),
            Self::Corrupt(why) => Setup::StorageCorrupt.with("why", why),
        }
    }
}

fn window() -> web_sys::Window {
    web_sys::window().expect("the apps only run in a browser window")
}

fn local_storage() -> Result<web_sys::Storage, StorageError> {
    match window().local_storage() {
        Ok(Some(storage)) => Ok(storage),
        // Ok(None) when storage is disabled, Err when access throws (e.g. sandboxed).
        Ok(None) | Err(_) => Err(StorageError::Unavailable),
    }
}

/// The settings this app saved, if any.
pub fn load_draft(app: AppKind) -> Result<Option<SettingsDraft>, StorageError> {
    let stored = local_storage()?
        .get_item(&app.storage_key())
        .map_err(|_| StorageError::Unavailable)?;
    stored
        .map(|json| {
            SettingsDraft::from_json(&json).map_err(|e| StorageError::Corrupt(e.to_string()))
        })
        .transpose()
}

pub fn save_draft(app: AppKind, draft: &SettingsDraft) -> Result<(), StorageError> {
    local_storage()?
        .set_item(&app.storage_key(), &draft.for_app(app).to_json())
        .map_err(|e| StorageError::WriteFailed(js_error_text(&e)))
}

pub fn clear_draft(app: AppKind) -> Result<(), StorageError> {
    local_storage()?
        .remove_item(&app.storage_key())
        .map_err(|e| StorageError::WriteFailed(js_error_text(&e)))
}

/// What this browser remembers under `key` (see [`remember`]), if anything.
pub fn recall(key: &str) -> Option<String> {
    local_storage().ok()?.get_item(key).ok().flatten()
}

/// Remembers `value` under `key` across reloads, where the browser keeps data (a small
/// fact about this device, never a secret: settings and sessions have their own places).
pub fn remember(key: &str, value: &str) {
    if let Ok(storage) = local_storage() {
        let _ = storage.set_item(key, value);
    }
}

/// Whether `value` is new under `key`: it is remembered, and `true` returned, unless it
/// was already (so something happens once per device, across reloads). Without
/// storage, everything is new.
pub fn first_time(key: &str, value: &str) -> bool {
    if recall(key).as_deref() == Some(value) {
        return false;
    }
    remember(key, value);
    true
}

/// `location.search`, with its leading `?`, or "".
pub fn query() -> String {
    window().location().search().unwrap_or_default()
}

/// The URL the app is served under (`document.baseURI`, set by Trunk's `<base>`),
/// e.g. `http://127.0.0.1:8787/order/`.
pub fn base_uri() -> String {
    window()
        .document()
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_else(|| "/".to_string())
}

/// The path of [`base_uri`] without its trailing slash, as `<Router base>` wants it:
/// `/order` under the emulator, `` under `trunk serve`.
pub fn base_path() -> String {
    let path = web_sys::Url::new(&base_uri())
        .map(|u| u.pathname())
        .unwrap_or_default();
    path.trim_end_matches('/').to_string()
}

/// The page's path inside the app (`/`, `/history`, `/settings`…): the location's path
/// without [`base_path`].
pub fn app_path() -> String {
    let path = window().location().pathname().unwrap_or_default();
    let inside = path.strip_prefix(&base_path()).unwrap_or(&path);
    if inside.is_empty() {
        "/".into()
    } else {
        inside.to_string()
    }
}

/// Loads the app afresh at its start page with the given query (no `?`).
pub fn reload_app(query: &str) {
    let mut url = base_uri();
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    // A failed navigation leaves the page as it is; nothing sensible remains to do.
    let _ = window().location().replace(&url);
}

fn js_error_text(value: &wasm_bindgen::JsValue) -> String {
    js_sys::Error::from(value.clone())
        .message()
        .as_string()
        .unwrap_or_else(|| format!("{value:?}"))
}

/// Query parameter `name` of the page's address, if present and not empty.
pub fn query_param(name: &str) -> Option<String> {
    form_urlencoded::parse(query().trim_start_matches('?').as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
}

/// Removes query parameter `name` from the address bar without a reload, so a one-time
/// value such as the QR `token` is not used twice by a later reload.
pub fn remove_query_param(name: &str) {
    let location = window().location();
    let (Ok(search), Ok(path)) = (location.search(), location.pathname()) else {
        return;
    };
    let kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(name))
        .collect();
    let url = if kept.is_empty() {
        path
    } else {
        format!("{path}?{}", kept.join("&"))
    };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// A line in the browser console for things worth knowing but not worth a screen.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// A value kept for this tab only (it survives a reload, not a closed tab).
pub fn session_get(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

/// Keeps a value for this tab; without session storage it is simply not kept.
pub fn session_set(key: &str, value: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(key, value);
    }
}

pub fn session_remove(key: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(key);
    }
}
