//! The toolbar's "Numbers": the service numbers of [`crate::numbers`] for staff and the
//! organiser, live, over the day's orders ([`super::service_day`]), and those orders as a
//! CSV download.

use super::panel::PanelButton;
use crate::context::ConsoleContext;
use crate::numbers::{csv, wait_text, ServiceNumbers, Waits};
use crate::text::Text;
use leptos::prelude::*;
use shared::i18n::Message;
use shared::text::Explain;
use shared::ui::{t, use_i18n, ErrorNotice, I18n};
use shared::web::{date_text, save_file, time_of_day};

#[component]
pub fn ServiceNumbersPanel() -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let (board, now, day) = (ctx.live.model, ctx.live.now, ctx.day);
    let (open, orders) = (day.numbers_open, day.orders);
    // Counted while the panel is open only: a closed one costs the iPad nothing all day.
    let numbers = Memo::new(move |_| {
        if !open.get() {
            return ServiceNumbers::default();
        }
        let windows = board.with_untracked(|b| b.windows);
        orders.with(|o| ServiceNumbers::of(o, &windows, now.get()))
    });
    let failed = move || day.failed.get();
    let i18n = use_i18n();

    let download = move |_| {
        let text = orders.with_untracked(|o| csv(o, time_of_day));
        let name = format!("serverlesspresso-{}.csv", date_text(now.get_untracked()));
        save_file(&name, "text/csv;charset=utf-8", &text);
    };

    view! {
        <PanelButton label=Text::Numbers controls="numbers-panel" open/>
        <section id="numbers-panel" class="numbers-panel card" aria-labelledby="numbers-title" hidden=move || !open.get()>
            <h2 id="numbers-title">{t(Text::ServiceNumbers)}</h2>
            {move || failed().map(|e| view! {
                <ErrorNotice message=Signal::derive(move || i18n.say(Text::DayNotLoaded.with("why", i18n.say(e.explain()))))
                    on_retry=Callback::new(move |()| day.reload())/>
            })}
            <dl class="numbers">
                {figure("completed-hour", Text::CompletedThisHour, move || numbers.with(|n| n.completed_this_hour.to_string()))}
                {figure("completed-today", Text::CompletedToday, move || numbers.with(|n| n.completed_today.to_string()))}
                {figure("waiting-now", Text::WaitingNow, move || numbers.with(|n| n.waiting_now.to_string()))}
                {figure("wait-average-today", Text::AverageWaitToday, move || numbers.with(|n| average(n.waits_today, i18n)))}
                {figure("wait-longest-today", Text::LongestWaitToday, move || numbers.with(|n| longest(n.waits_today, i18n)))}
                {figure("wait-average-recent", Text::AverageWaitRecent, move || numbers.with(|n| average(n.waits_last_half_hour, i18n)))}
                {figure("wait-longest-recent", Text::LongestWaitRecent, move || numbers.with(|n| longest(n.waits_last_half_hour, i18n)))}
                {figure("timed-out", Text::TimedOutToday, move || numbers.with(|n| n.timed_out.to_string()))}
                {figure("cancelled", Text::CancelledToday, move || numbers.with(|n| n.cancelled.to_string()))}
            </dl>
            <p class="numbers-top" data-figure="top-drinks">
                <strong>{t(Text::TopDrinks)}</strong>
                {move || numbers.with(|n| match n.top_drinks.is_empty() {
                    true => i18n.say(Text::NoneYet),
                    false => n.top_drinks.iter().map(|(d, c)| format!("{d} {c}")).collect::<Vec<_>>().join(" · "),
                })}
            </p>
            <p class="numbers-note">{move || numbers.with(|n| timed_note(n, i18n))}</p>
            <div class="button-row">
                <button type="button" class="button secondary" on:click=download>{t(Text::DownloadCsv)}</button>
            </div>
        </section>
    }
}

/// One figure: its name and value, found by tests as `[data-figure=name]`.
fn figure(
    name: &'static str,
    label: Text,
    value: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="numbers-figure" data-figure=name>
            <dt>{t(label)}</dt>
            <dd>{value}</dd>
        </div>
    }
}

fn average(waits: Option<Waits>, i18n: I18n) -> String {
    waits.map_or("–".into(), |w| i18n.say(wait_text(w.average_ms)))
}

fn longest(waits: Option<Waits>, i18n: I18n) -> String {
    waits.map_or("–".into(), |w| i18n.say(wait_text(w.longest_ms)))
}

/// Over how many drinks the waits are measured.
fn timed_note(numbers: &ServiceNumbers, i18n: I18n) -> String {
    let timed = numbers.waits_today.map_or(0, |w| w.timed);
    i18n.say(match numbers.completed_today {
        0 => Text::NoDrinkCompleted.into(),
        1 if timed == 1 => Text::OneDrinkMeasured.into(),
        n if timed == n => Text::AllDrinksMeasured.with("n", n),
        n => Text::SomeDrinksMeasured.with("timed", timed).with("n", n),
    })
}
