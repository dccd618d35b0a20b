//! The console: three columns of live orders, the store switch, sound and wake lock.

use super::all_day::AllDayStrip;
use super::card::OrderCard;
use super::keyboard::KeyboardControl;
use super::numbers::ServiceNumbersPanel;
use super::printer::{stored_printer, DialogTicket, PrinterPanel};
use super::recent::RecentOrders;
use super::robot_switch::RobotSwitch;
use super::store_switch::StoreSwitch;
use crate::board::{Board, Column};
use crate::context::ConsoleContext;
use crate::text::Text;
use leptos::prelude::*;
use shared::api::Api;
use shared::i18n::Message;
use shared::model::OrderState;
use shared::realtime::{admin_topic, config_topic};
use shared::ui::{
    load_board, t, use_i18n, use_live_model, Alert, AlertKind, Announce, Auth, LiveNotices,
    TapChime, UseLiveModelOptions,
};
use shared::web::device::ScreenAwake;
use shared::Settings;

#[component]
pub fn Console() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let auth = expect_context::<Auth>();
    let api = Api::new(&settings);
    let me = auth
        .user
        .get_untracked()
        .map(|u| u.access.sub)
        .unwrap_or_default();
    let load = {
        let (api, auth) = (api.clone(), auth.clone());
        move || load_board(api.clone(), auth.clone())
    };
    let live = use_live_model(
        &auth,
        load,
        UseLiveModelOptions {
            initial: Board::new(settings.windows(), &me),
            // The store's news comes on the config topic (in E, only there).
            topics: vec![admin_topic(&settings), config_topic(&settings)],
        },
    );
    let day = super::service_day::use_service_day(api.clone(), auth.clone(), live);
    let ctx = ConsoleContext {
        api,
        auth,
        live,
        day,
        action_error: RwSignal::new(None),
        highlight: RwSignal::new(None),
        selected: RwSignal::new(None),
        robot_made: RwSignal::new(Default::default()),
        printer: RwSignal::new(stored_printer()),
        tickets: RwSignal::new(Default::default()),
        dialog_ticket: RwSignal::new(None),
    };
    provide_context(ctx.clone());
    let board = live.model;

    // Sound needs a tap to start (browsers' rule); the screen stays on.
    let chime = TapChime::new();
    let sound_on = RwSignal::new(false);
    StoredValue::new_local(ScreenAwake::start());
    let toggle_sound = move |_| {
        chime.unlock();
        sound_on.update(|on| *on = !*on);
    };
    // A chime for each new order, when sound is on.
    let arrivals = Memo::new(move |_| board.with(|b| b.arrivals));
    Effect::new(move |previous: Option<u32>| {
        let now = arrivals.get();
        if previous.is_some_and(|p| p < now) && sound_on.get_untracked() {
            chime.play();
        }
        now
    });

    let i18n = use_i18n();
    let column = move |col: Column, id: &'static str, title: Text| {
        let count = move || board.with(|b| b.column(col).len());
        view! {
            <section class="board-column" aria-labelledby=format!("col-{id}")>
                <h2 id=format!("col-{id}")>{t(title)} " " <span class="count">{count}</span></h2>
                <For
                    each=move || board.with(|b| b.column(col))
                    key=|card| (card.order.id.clone(), card.pending, card.claimed_by_other, card.column)
                    let:card
                >
                    <OrderCard card/>
                </For>
                <Show when=move || count() == 0>
                    <p class="empty">{t(Text::NoOrders)}</p>
                </Show>
            </section>
        }
    };
    let recall = move || {
        board.with(|b| b.recall.clone()).map(|r| {
            let last = match r.state {
                OrderState::Cancelled => Text::LastCancelled,
                _ => Text::LastReady,
            };
            let drink = r.card.order.drink.map(|d| d.summary()).unwrap_or_default();
            i18n.say(
                last.with("n", r.card.order.number.unwrap_or_default())
                    .with("drink", drink),
            )
        })
    };

    view! {
        <LiveNotices status=live.status/>
        {move || ctx.action_error.get().map(|(action, e)| view! { <Alert kind=AlertKind::Error>{super::card::action_failed(action, &e)}</Alert> })}
        {move || match board.with(|b| b.unreadable) {
            0 => None,
            n => Some(view! {
                <Alert kind=AlertKind::Warning announce=Announce::Polite>
                    {move || i18n.say(Text::SomeUnreadable.count(n as i64))}
                </Alert>
            }),
        }}
        <div class="console-toolbar">
            <StoreSwitch/>
            <button type="button" class="button secondary" aria-pressed=move || sound_on.get().to_string()
                on:click=toggle_sound>
                {move || i18n.say(if sound_on.get() { Text::ChimeOn } else { Text::ChimeOff })}
            </button>
            {move || recall().map(|text| view! { <p class="recall" role="status">{text}</p> })}
            <RobotSwitch/>
            <RecentOrders/>
            <KeyboardControl/>
            <PrinterPanel/>
            <ServiceNumbersPanel/>
        </div>
        <AllDayStrip/>
        <div class="board">
            {column(Column::Preview, "Preview", Text::Preview)}
            {column(Column::Production, "Production", Text::Production)}
            {column(Column::Pickup, "Pickup", Text::Pickup)}
        </div>
        <DialogTicket/>
    }
}
