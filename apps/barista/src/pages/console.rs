//! The console: three columns of live orders, the store switch, sound and wake lock.

use super::card::OrderCard;
use super::store_switch::StoreSwitch;
use crate::board::{Board, Column};
use leptos::prelude::*;
use shared::api::{Api, ApiError};
use shared::model::OrderState;
use shared::realtime::{RealtimeEvent, ADMIN_TOPIC};
use shared::ui::{use_clock, use_live_connection, Auth, ConnectionBanner, ErrorNotice};
use shared::web::device::{Chime, ScreenAwake};
use shared::web::now_ms;
use shared::Settings;
use std::time::Duration;

/// What the console's parts share.
#[derive(Clone)]
pub struct ConsoleContext {
    pub api: Api,
    pub auth: Auth,
    pub board: RwSignal<Board>,
    pub now: ReadSignal<i64>,
    pub store_open: RwSignal<Option<bool>>,
    /// The last action that could not be sent.
    pub action_error: RwSignal<Option<String>>,
}

async fn load(api: Api, auth: Auth, me: String) -> Result<(Board, bool), ApiError> {
    let (status, body) = auth.send(&api.orders(&OrderState::Created, None)).await?;
    let open = api.read_orders(status, &body)?;
    let (status, body) = auth.send(&api.orders(&OrderState::Completed, None)).await?;
    let completed = api.read_orders(status, &body)?;
    let (status, body) = auth.send(&api.config()).await?;
    let store_open = api.read_config(status, &body)?.store.store_open;
    Ok((Board::load(open, completed, &me, now_ms()), store_open))
}

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
    let board = RwSignal::new(Board::default());
    let store_open = RwSignal::new(None::<bool>);
    let load_error = RwSignal::new(None::<ApiError>);
    let now = use_clock(Duration::from_secs(1));
    let ctx = ConsoleContext {
        api: api.clone(),
        auth: auth.clone(),
        board,
        now,
        store_open,
        action_error: RwSignal::new(None),
    };
    provide_context(ctx.clone());

    // Pickup cards and the recall go after a minute.
    // In place, and subscribers hear of it only when something went.
    Effect::new(move |_| {
        let now = now.get();
        board.maybe_update(|b| b.expire(now));
    });

    let reload = {
        let (api, auth, me) = (api.clone(), auth.clone(), me.clone());
        Action::new_local(move |_: &()| {
            let (api, auth, me) = (api.clone(), auth.clone(), me.clone());
            async move {
                match load(api, auth, me).await {
                    Ok((loaded, open)) => {
                        board.update(|b| *b = loaded.merged_with_previous(b));
                        store_open.set(Some(open));
                        load_error.set(None);
                    }
                    Err(e) => load_error.set(Some(e)),
                }
            }
        })
    };
    reload.dispatch(());

    // Sound needs a tap to start (browsers' rule); the screen stays on.
    let chime = StoredValue::new_local(None::<Chime>);
    let sound_on = RwSignal::new(false);
    StoredValue::new_local(ScreenAwake::start());
    let toggle_sound = move |_| {
        if chime.with_value(Option::is_none) {
            chime.set_value(Chime::new());
        }
        sound_on.update(|on| *on = !*on);
    };

    use_live_connection(
        &auth,
        vec![ADMIN_TOPIC.to_string()],
        move |event| {
            if let RealtimeEvent::ConfigChanged {
                store_open: Some(open),
            } = event
            {
                store_open.set(Some(open));
                return;
            }
            let mut arrived = false;
            board.update(|b| arrived = b.apply(&event, &me, now_ms()));
            if arrived && sound_on.get_untracked() {
                chime.with_value(|c| c.as_ref().map(Chime::play));
            }
        },
        move || {
            // Catch up on what happened while offline.
            reload.dispatch(());
        },
    );

    let column = move |col: Column, title: &'static str| {
        let count = move || board.with(|b| b.column(col).len());
        view! {
            <section class="board-column" aria-labelledby=format!("col-{title}")>
                <h2 id=format!("col-{title}")>{title} " " <span class="count">{count}</span></h2>
                <For
                    each=move || board.with(|b| b.column(col))
                    key=|card| (card.order.id.clone(), card.pending, card.claimed_by_other, card.column)
                    let:card
                >
                    <OrderCard card/>
                </For>
                <Show when=move || count() == 0>
                    <p class="empty">"No orders"</p>
                </Show>
            </section>
        }
    };
    let recall = move || {
        board.with(|b| b.recall.clone()).map(|r| {
            let what = match r.state {
                OrderState::Cancelled => "cancelled",
                _ => "completed",
            };
            let drink = r.card.order.drink.map(|d| d.drink).unwrap_or_default();
            format!(
                "Last {what}: #{} {drink}",
                r.card.order.number.unwrap_or_default()
            )
        })
    };

    view! {
        <ConnectionBanner/>
        {move || load_error.get().map(|e| view! {
            <ErrorNotice message=e.to_string() on_retry=Callback::new(move |()| { reload.dispatch(()); })/>
        })}
        {move || ctx.action_error.get().map(|e| view! { <div class="alert error" role="alert">{e}</div> })}
        <div class="console-toolbar">
            <StoreSwitch/>
            <button type="button" class="button secondary" aria-pressed=move || sound_on.get().to_string()
                on:click=toggle_sound>
                {move || if sound_on.get() { "Chime on" } else { "Chime off" }}
            </button>
            {move || recall().map(|text| view! { <p class="recall" role="status">{text}</p> })}
        </div>
        <div class="board">
            {column(Column::Preview, "Preview")}
            {column(Column::Production, "Production")}
            {column(Column::Pickup, "Pickup")}
        </div>
    }
}
