//! The admin toolbar (contract §1.2): hand the settings to the barista console and the
//! order app, clear settings, sign out. It slides away when nobody touches the TV.

use crate::qr::QrCode;
use leptos::ev;
use leptos::prelude::*;
use shared::deferred_screen;
use shared::ui::{browser, use_clock, AppHeader, Auth, Deferred, SettingsContext};
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
    let order_link = settings.hand_off_url(AppKind::Order);
    let barista_link = settings.hand_off_url(AppKind::Barista);
    let show_order_qr = RwSignal::new(false);
    provide_context(OrderQrShown(show_order_qr));
    let has_order_link = order_link.is_some();
    let signed_in = move || auth.user.get().is_some();
    let auth_out = auth.clone();

    view! {
        <div class="display-toolbar" data-idle=move || idle().to_string()
            on:focusin=move |_| last_activity.set(shared::web::now_ms())>
            <AppHeader>
                <Show when=signed_in>
                    {barista_link.clone().map(|url| view! {
                        <a class="button secondary small" href=url target="_blank" rel="noopener">"Configure barista app"</a>
                    })}
                    {has_order_link.then(|| view! {
                        <button type="button" class="button secondary small" on:click=move |_| show_order_qr.set(true)>
                            "Configure order app"
                        </button>
                    })}
                </Show>
                <button type="button" class="button secondary small" on:click=move |_| {
                    if browser::clear_draft(app).is_ok() {
                        browser::reload_app("");
                    }
                }>"Clear settings"</button>
                <Show when=signed_in>
                    {let auth = auth_out.clone(); view! {
                        <button type="button" class="button secondary small" on:click=move |_| auth.sign_out()>"Sign out"</button>
                    }}
                </Show>
            </AppHeader>
        </div>
        <Show when=move || show_order_qr.get()>
            <Deferred load=order_app_qr/>
        </Show>
    }
}

/// Whether the order app's hand-off QR code is open.
#[derive(Clone, Copy)]
struct OrderQrShown(RwSignal<bool>);

// The QR encoder is needed only once the dialog opens (or the board shows): split off in
// the release build.
deferred_screen!(order_app_qr => OrderAppQr);

/// The order app's hand-off link as a QR code, for staff setting up a phone by hand.
#[component]
fn OrderAppQr() -> impl IntoView {
    let shown = expect_context::<OrderQrShown>().0;
    let url = expect_context::<Settings>()
        .hand_off_url(AppKind::Order)
        .unwrap_or_default();
    view! {
        <div class="dialog-backdrop">
            <div class="card dialog" role="dialog" aria-modal="true" aria-labelledby="order-qr-title">
                <h2 id="order-qr-title">"Configure the order app"</h2>
                <p>"Scan this with a phone: the order app opens with these settings filled in."</p>
                <QrCode text=Signal::derive({ let url = url.clone(); move || url.clone() }) label="QR code of the order app's settings link"/>
                <p class="qr-link"><a href=url.clone()>{url.clone()}</a></p>
                <button type="button" class="button" on:click=move |_| shown.set(false)>"Close"</button>
            </div>
        </div>
    }
}
