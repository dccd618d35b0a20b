//! Recent orders: the orders that left the board today (ready, cancelled, timed out)
//! with their number, drink, times and outcome, newest first, and a search by number, for
//! the customer who says "I never got #14". Over the day's orders
//! ([`super::service_day`]), as the numbers are.

use super::panel::PanelButton;
use crate::board::age_text;
use crate::context::ConsoleContext;
use crate::numbers::{departed_matching, DayOrder};
use crate::text::Text;
use leptos::prelude::*;
use shared::i18n::Message;
use shared::ui::{t, use_i18n, StatusBadge};

/// The toolbar's "Recent orders" button and the panel it opens beneath the toolbar.
#[component]
pub fn RecentOrders() -> impl IntoView {
    let day = expect_context::<ConsoleContext>().day;
    let open = day.recent_open;
    let query = RwSignal::new(String::new());
    // Listed while the panel is open only: the day's orders change every second.
    let found = Memo::new(move |_| match open.get() {
        true => query.with(|q| day.orders.with(|o| departed_matching(o, q))),
        false => Vec::new(),
    });
    let i18n = use_i18n();
    let empty_text = move || {
        if query.with(|q| q.trim().is_empty()) {
            i18n.say(Text::NothingLeftYet)
        } else {
            i18n.say(Text::NoRecentNumbered.with("query", query.get().trim()))
        }
    };
    view! {
        <PanelButton label=Text::RecentOrders controls="recent-orders" open/>
        <section id="recent-orders" class="recent-orders card" aria-labelledby="recent-title" hidden=move || !open.get()>
            <div class="recent-head">
                <h2 id="recent-title">{t(Text::RecentOrders)}</h2>
                <label class="recent-search">
                    <span>{t(Text::OrderNumber)}</span>
                    <input type="search" inputmode="numeric" autocomplete="off"
                        prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                </label>
            </div>
            <Show when=move || found.with(|f| !f.is_empty()) fallback=move || view! { <p class="empty">{empty_text}</p> }>
                <table class="recent-table">
                    <thead><tr>
                        <th scope="col">{t(Text::ColOrder)}</th><th scope="col">{t(Text::ColDrink)}</th>
                        <th scope="col">{t(Text::ColReached)}</th><th scope="col">{t(Text::ColLeft)}</th><th scope="col">{t(Text::ColOutcome)}</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || found.get() key=|d| (d.order.id.clone(), d.outcome, d.left_ms) let:departed>
                            <RecentRow departed/>
                        </For>
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

#[component]
fn RecentRow(departed: DayOrder) -> impl IntoView {
    let DayOrder {
        order,
        outcome,
        left_ms: left_at_ms,
    } = departed;
    let reached = order.ts_ms;
    let i18n = use_i18n();
    let left = move || match (left_at_ms, reached) {
        (Some(left), Some(reached)) => i18n.say(
            Text::LeftAfter
                .with("time", i18n.time_of_day(left))
                .with("wait", i18n.say(age_text(reached, left))),
        ),
        (Some(left), None) => i18n.time_of_day(left),
        (None, _) => i18n.say(Text::EarlierUnknown),
    };
    view! {
        <tr data-order=order.id.clone()>
            <th scope="row">{order.number.map(|n| format!("#{n}")).unwrap_or_default()}</th>
            <td translate="no">{order.drink.map(|d| d.summary()).unwrap_or_default()}</td>
            <td>{move || reached.map(|ms| i18n.time_of_day(ms)).unwrap_or_default()}</td>
            <td>{left}</td>
            <td>{outcome.map(|status| view! { <StatusBadge status/> })}</td>
        </tr>
    }
}
