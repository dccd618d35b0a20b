//! The screens that explain why there is no menu: loading, scan, closed, unavailable,
//! invalid code, no drinks left in this round, the daily limit.

use crate::flow::{long_countdown, Screen};
use crate::text::Text;
use leptos::prelude::*;
use shared::i18n::Message;
use shared::ui::{t, use_clock, use_i18n};
use std::time::Duration;

/// What a screen without a menu says: its icon, title and message (as text, reactive).
fn words(screen: &Screen) -> (&'static str, Text, Signal<String>) {
    let (icon, title, text) = match screen {
        Screen::Closed => ("closed", Text::ClosedTitle, Text::ClosedDetail),
        Screen::Unavailable => ("closed", Text::UnavailableTitle, Text::UnavailableDetail),
        Screen::InvalidCode { garbled: true } => ("scan", Text::GarbledTitle, Text::GarbledDetail),
        Screen::InvalidCode { garbled: false } => {
            ("scan", Text::StaleCodeTitle, Text::StaleCodeDetail)
        }
        Screen::NoTokens { next_window_ms } => {
            let (i18n, at) = (use_i18n(), *next_window_ms);
            let text = Signal::derive(move || {
                i18n.say(Text::NoTokensDetail.with("time", i18n.time_of_day(at)))
            });
            return ("queue", Text::NoTokensTitle, text);
        }
        _ => ("scan", Text::ScanTitle, Text::ScanDetail),
    };
    (icon, title, t(text))
}

/// The screen for everything but the menu and an order's status.
#[component]
pub fn NoticeScreen(screen: Screen) -> impl IntoView {
    match screen {
        Screen::Loading => view! {
            <section class="card notice" aria-busy="true" aria-labelledby="notice-title">
                <div class="spinner" aria-hidden="true"></div>
                <h1 id="notice-title">{t(Text::GettingReady)}</h1>
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
fn Notice(icon: &'static str, title: Text, children: Children) -> impl IntoView {
    let heading = super::use_focused_heading();
    view! {
        <section class="card notice" aria-labelledby="notice-title">
            <img class="notice-icon" src=format!("icons/{icon}.svg") alt="" width="96" height="96"/>
            <h1 id="notice-title" tabindex="-1" node_ref=heading>{t(title)}</h1>
            {children()}
        </section>
    }
}

/// One coffee a day, with the time until the next.
#[component]
fn LimitReached(until_ms: i64) -> impl IntoView {
    let now = use_clock(Duration::from_secs(1));
    view! {
        <Notice icon="clock" title=Text::HadYourCoffee>
            <p>{t(Text::OrderAgainIn)}</p>
            <p class="big-countdown" role="timer" aria-live="off">{move || long_countdown(until_ms, now.get())}</p>
        </Notice>
    }
}
