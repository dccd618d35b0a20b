//! The admin toolbar (contract §1.2): hand the settings to the barista console, clear
//! settings, sign out. It slides away when nobody touches the TV.
//!
//! The original also handed the settings to a phone as a QR code ("Configure order
//! app"). Customers' phones take no settings from links or codes (anyone can print one:
//! see `shared::trust`); they read the deployment's `settings.json`.

use crate::text::Text;
use leptos::ev;
use leptos::prelude::*;
use shared::text::Common;
use shared::ui::{browser, t, use_clock, AppHeader, Auth, SettingsContext};
use shared::{AppKind, Settings};
use std::time::Duration;

/// Seconds without a touch, a key or the mouse before the toolbar hides.
const IDLE_MS: i64 = 10_000;

#[component]
pub fn Toolbar() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let auth = expect_context::<Auth>();
    let app = expect_context::<SettingsContext>().app;
    let now = use_clock(Duration::from_secs(1));
    let last_activity = RwSignal::new(shared::web::now_ms());
    for handle in [
        window_event_listener(ev::pointermove, move |_| {
            last_activity.set(shared::web::now_ms())
        }),
        window_event_listener(ev::keydown, move |_| {
            last_activity.set(shared::web::now_ms())
        }),
        window_event_listener(ev::touchstart, move |_| {
            last_activity.set(shared::web::now_ms())
        }),
    ] {
        on_cleanup(move || handle.remove());
    }
    let idle = move || now.get() - last_activity.get() > IDLE_MS;
    let barista_link = settings.hand_off_url(AppKind::Barista);
    let signed_in = move || auth.user.get().is_some();
    let auth_out = auth.clone();

    view! {
        <div class="display-toolbar" data-idle=move || idle().to_string()
            on:focusin=move |_| last_activity.set(shared::web::now_ms())>
            <AppHeader>
                <Show when=signed_in>
                    {barista_link.clone().map(|url| view! {
                        <a class="button secondary small" href=url target="_blank" rel="noopener">{t(Text::ConfigureBarista)}</a>
                    })}
                </Show>
                <button type="button" class="button secondary small" on:click=move |_| {
                    if browser::clear_draft(app).is_ok() {
                        shared::web::auth::forget_all(app, &[]);
                        browser::reload_app("");
                    }
                }>{t(Text::ClearSettings)}</button>
                <Show when=signed_in>
                    {let auth = auth_out.clone(); view! {
                        <button type="button" class="button secondary small" on:click=move |_| auth.sign_out()>{t(Common::SignOut)}</button>
                    }}
                </Show>
            </AppHeader>
        </div>
    }
}
