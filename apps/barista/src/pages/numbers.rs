//! The toolbar's "Numbers": the service numbers of [`crate::numbers`] for staff and the
//! organiser, live, and the day's orders as a CSV download. The day's orders load from
//! REST when the panel opens and after every resync of the board; the times this
//! console saw orders leave are kept in this browser for the day, so a reload keeps the
//! waits.

use super::panel::PanelButton;
use crate::context::ConsoleContext;
use crate::numbers::{csv, day_orders, wait_text, DaySnapshot, ServiceLog, ServiceNumbers, Waits};
use leptos::prelude::*;
use shared::api::{Api, ApiError};
use shared::model::OrderState;
use shared::ui::{browser, Auth, ErrorNotice};
use shared::web::{date_text, local_midnights, save_file, time_of_day};

/// Where this browser keeps the times it saw orders leave.
const LOG_KEY: &str = "serverlesspresso.barista.service-log";
/// The most orders of each state one load asks REST for.
const DAY_MAX: u32 = 2_000;

async fn load_day(api: Api, auth: Auth) -> Result<DaySnapshot, ApiError> {
    let (open, completed, cancelled) = futures::join!(
        auth.call(api.orders(&OrderState::Created, Some(DAY_MAX))),
        auth.call(api.orders(&OrderState::Completed, Some(DAY_MAX))),
        auth.call(api.orders(&OrderState::Cancelled, Some(DAY_MAX))),
    );
    Ok(DaySnapshot {
        open: open?.orders,
        completed: completed?.orders,
        cancelled: cancelled?.orders,
    })
}

#[component]
pub fn ServiceNumbersPanel() -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let (board, now) = (ctx.live.model, ctx.live.now);
    let open = RwSignal::new(false);
    let today = move || local_midnights(now.get()).0;

    // What this console sees leave, kept for the day.
    let log = RwSignal::new({
        let mut log = browser::recall(LOG_KEY)
            .map(|text| ServiceLog::from_text(&text))
            .unwrap_or_default();
        log.keep_from(local_midnights(shared::web::now_ms()).0);
        log
    });
    Effect::new(move |_| {
        let mut changed = false;
        board.with(|b| log.update_untracked(|l| changed = l.record(b)));
        if changed {
            log.with_untracked(|l| browser::remember(LOG_KEY, &l.to_text()));
            log.notify();
        }
    });

    // The day from REST: loaded when the panel opens and after each resync of the board.
    let resyncs = Memo::new(move |_| board.with(|b| b.store_news));
    let day = LocalResource::new({
        let (api, auth) = (ctx.api.clone(), ctx.auth.clone());
        move || {
            let wanted = open.get();
            resyncs.track();
            let (api, auth) = (api.clone(), auth.clone());
            async move {
                match wanted {
                    true => Some(load_day(api, auth).await),
                    false => None,
                }
            }
        }
    });
    let orders = Memo::new(move |_| {
        let rest = day.get().flatten().and_then(Result::ok).unwrap_or_default();
        let start = today();
        board.with(|b| log.with(|l| day_orders(&rest, b, l, now.get(), start)))
    });
    let numbers = Memo::new(move |_| {
        let windows = board.with_untracked(|b| b.windows);
        orders.with(|o| ServiceNumbers::of(o, &windows, now.get()))
    });
    let failed = move || day.get().flatten().and_then(Result::err);

    let download = move |_| {
        let text = orders.with_untracked(|o| csv(o, time_of_day));
        let name = format!("serverlesspresso-{}.csv", date_text(now.get_untracked()));
        save_file(&name, "text/csv;charset=utf-8", &text);
    };

    view! {
        <PanelButton label="Numbers" controls="numbers-panel" open/>
        <section id="numbers-panel" class="numbers-panel card" aria-labelledby="numbers-title" hidden=move || !open.get()>
            <h2 id="numbers-title">"Service numbers"</h2>
            {move || failed().map(|e| view! {
                <ErrorNotice message=format!("Today's orders could not be loaded: {e}. The numbers below count only what this console saw.")
                    on_retry=Callback::new(move |()| day.refetch())/>
            })}
            <dl class="numbers">
                {figure("completed-hour", "Completed this hour", move || numbers.with(|n| n.completed_this_hour.to_string()))}
                {figure("completed-today", "Completed today", move || numbers.with(|n| n.completed_today.to_string()))}
                {figure("waiting-now", "Waiting now", move || numbers.with(|n| n.waiting_now.to_string()))}
                {figure("wait-average-today", "Average wait today", move || numbers.with(|n| average(n.waits_today)))}
                {figure("wait-longest-today", "Longest wait today", move || numbers.with(|n| longest(n.waits_today)))}
                {figure("wait-average-recent", "Average wait, last 30 min", move || numbers.with(|n| average(n.waits_last_half_hour)))}
                {figure("wait-longest-recent", "Longest wait, last 30 min", move || numbers.with(|n| longest(n.waits_last_half_hour)))}
                {figure("timed-out", "Timed out today", move || numbers.with(|n| n.timed_out.to_string()))}
                {figure("cancelled", "Cancelled today", move || numbers.with(|n| n.cancelled.to_string()))}
            </dl>
            <p class="numbers-top" data-figure="top-drinks">
                <strong>"Top drinks today: "</strong>
                {move || numbers.with(|n| match n.top_drinks.is_empty() {
                    true => "none yet".to_string(),
                    false => n.top_drinks.iter().map(|(d, c)| format!("{d} {c}")).collect::<Vec<_>>().join(" · "),
                })}
            </p>
            <p class="numbers-note">{move || numbers.with(timed_note)}</p>
            <div class="button-row">
                <button type="button" class="button secondary" on:click=download>"Download today's orders (CSV)"</button>
            </div>
        </section>
    }
}

/// One figure: its name and value, found by tests as `[data-figure=name]`.
fn figure(
    name: &'static str,
    label: &'static str,
    value: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="numbers-figure" data-figure=name>
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
}

fn average(waits: Option<Waits>) -> String {
    waits.map_or("–".into(), |w| wait_text(w.average_ms))
}

fn longest(waits: Option<Waits>) -> String {
    waits.map_or("–".into(), |w| wait_text(w.longest_ms))
}

/// Over how many drinks the waits are measured.
fn timed_note(numbers: &ServiceNumbers) -> String {
    let timed = numbers.waits_today.map_or(0, |w| w.timed);
    match numbers.completed_today {
        0 => "No drink completed yet today.".to_string(),
        1 if timed == 1 => "Wait measured for the one drink completed today.".to_string(),
        n if timed == n => format!("Waits measured over all {n} drinks completed today."),
        n => format!(
            "Waits measured over {timed} of the {n} drinks completed today: the others were completed while no console was open here."
        ),
    }
}
