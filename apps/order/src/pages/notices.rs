//! The screens that explain why there is no menu: loading, scan, closed, unavailable,
//! invalid code, no tokens left, daily limit.

use crate::flow::long_countdown;
use leptos::prelude::*;
use shared::ui::use_clock;
use std::time::Duration;

/// A card with an icon, a title and a message.
#[component]
fn Notice(icon: &'static str, #[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <section class="card notice" aria-labelledby="notice-title">
            <img class="notice-icon" src=format!("icons/{icon}.svg") alt="" width="96" height="96"/>
            <h1 id="notice-title">{title}</h1>
            {children()}
        </section>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <section class="card notice" aria-busy="true" aria-labelledby="notice-title">
            <div class="spinner" aria-hidden="true"></div>
            <h1 id="notice-title">"Getting your order ready…"</h1>
        </section>
    }
}

#[component]
pub fn ScanPrompt() -> impl IntoView {
    view! {
        <Notice icon="scan" title="Scan the QR code to order">
            <p>"Point your phone's camera at the QR code on the big screen by the bar, then open the link."</p>
        </Notice>
    }
}

#[component]
pub fn Closed() -> impl IntoView {
    view! {
        <Notice icon="closed" title="The store is closed">
            <p>"Come back soon: the baristas will open again shortly."</p>
        </Notice>
    }
}

#[component]
pub fn Unavailable() -> impl IntoView {
    view! {
        <Notice icon="closed" title="We can't take your order right now">
            <p>"The bar has just closed or is at capacity. Scan the QR code again in a few minutes."</p>
        </Notice>
    }
}

/// A refused code: a mangled link says so; an old one says codes change.
#[component]
pub fn InvalidCode(garbled: bool) -> impl IntoView {
    let (title, text) = match garbled {
        true => (
            "This link has no valid order code",
            "It may have been cut short when it was copied. Scan the QR code on the big screen to order.",
        ),
        false => (
            "Scan the QR code again",
            "The code you scanned is no longer valid: the QR code on the big screen changes every few minutes. Scan the one showing now.",
        ),
    };
    view! {
        <Notice icon="scan" title=title>
            <p>{text}</p>
        </Notice>
    }
}

#[component]
pub fn NoTokens(next_window_ms: i64) -> impl IntoView {
    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(next_window_ms as f64));
    let time = format!("{:02}:{:02}", at.get_hours(), at.get_minutes());
    view! {
        <Notice icon="queue" title="All drinks for this round are taken">
            <p>{format!("A new QR code with more drinks appears on the big screen at {time}. Scan it then.")}</p>
        </Notice>
    }
}

#[component]
pub fn LimitReached(until_ms: i64) -> impl IntoView {
    let now = use_clock(Duration::from_secs(1));
    view! {
        <Notice icon="clock" title="You've had your coffee today">
            <p>"It's one coffee a day. You can order again in"</p>
            <p class="big-countdown" role="timer" aria-live="off">{move || long_countdown(until_ms, now.get())}</p>
        </Notice>
    }
}
