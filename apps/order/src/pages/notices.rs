//! The screens that explain why there is no menu: loading, scan, closed, unavailable,
//! invalid code, no drinks left in this round, the daily limit.

use crate::flow::{long_countdown, Screen};
use leptos::prelude::*;
use shared::ui::use_clock;
use shared::web::time_of_day;
use std::time::Duration;

/// What a screen without a menu says: its icon, title and message.
fn words(screen: &Screen) -> (&'static str, &'static str, String) {
    let (icon, title, text) = match screen {
        Screen::Closed => (
            "closed",
            "The store is closed",
            "Come back soon: the baristas will open again shortly.",
        ),
        Screen::Unavailable => (
            "closed",
            "We can't take your order right now",
            "The bar has just closed or is at capacity. Scan the QR code again in a few minutes.",
        ),
        Screen::InvalidCode { garbled: true } => (
            "scan",
            "This link has no valid order code",
            "It may have been cut short when it was copied. Scan the QR code on the big screen to order.",
        ),
        Screen::InvalidCode { garbled: false } => (
            "scan",
            "Scan the QR code again",
            "The code you scanned is no longer valid: the QR code on the big screen changes every few minutes. Scan the one showing now.",
        ),
        Screen::NoTokens { next_window_ms } => {
            return (
                "queue",
                "All drinks for this round are taken",
                format!(
                    "A new QR code with more drinks appears on the big screen at {}. Scan it then.",
                    time_of_day(*next_window_ms)
                ),
            )
        }
        _ => (
            "scan",
            "Scan the QR code to order",
            "Point your phone's camera at the QR code on the big screen by the bar, then open the link.",
        ),
    };
    (icon, title, text.to_string())
}

/// The screen for everything but the menu and an order's status.
#[component]
pub fn NoticeScreen(screen: Screen) -> impl IntoView {
    match screen {
        Screen::Loading => view! {
            <section class="card notice" aria-busy="true" aria-labelledby="notice-title">
                <div class="spinner" aria-hidden="true"></div>
                <h1 id="notice-title">"Getting your order ready…"</h1>
            </section>
        }
        .into_any(),
        Screen::LimitReached { until_ms } => view! { <LimitReached until_ms/> }.into_any(),
        other => {
            let (icon, title, text) = words(&other);
            view! { <Notice icon title><p>{text}</p></Notice> }.into_any()
        }
    }
}

/// A card with an icon, a title and a message.
#[component]
fn Notice(icon: &'static str, title: &'static str, children: Children) -> impl IntoView {
    let heading = super::use_focused_heading();
    view! {
        <section class="card notice" aria-labelledby="notice-title">
            <img class="notice-icon" src=format!("icons/{icon}.svg") alt="" width="96" height="96"/>
            <h1 id="notice-title" tabindex="-1" node_ref=heading>{title}</h1>
            {children()}
        </section>
    }
}

/// One coffee a day, with the time until the next.
#[component]
fn LimitReached(until_ms: i64) -> impl IntoView {
    let now = use_clock(Duration::from_secs(1));
    view! {
        <Notice icon="clock" title="You've had your coffee today">
            <p>"It's one coffee a day. You can order again in"</p>
            <p class="big-countdown" role="timer" aria-live="off">{move || long_countdown(until_ms, now.get())}</p>
        </Notice>
    }
}
