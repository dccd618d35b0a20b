//! The board: QR panel, Preparing and Ready, kept live and resynced after reconnects.

use super::lists::{Preparing, Ready};
use super::qr_panel::QrPanel;
use crate::board::{with_tokens_from, Lists};
use leptos::prelude::*;
use shared::api::{Api, ApiError};
use shared::model::{Bucket, OrderState};
use shared::realtime::{RealtimeEvent, ADMIN_TOPIC, CONFIG_TOPIC};
use shared::ui::{use_clock, use_live_connection, Auth, ConnectionBanner, ErrorNotice};
use shared::web::device::ScreenAwake;
use shared::web::now_ms;
use shared::Settings;
use std::time::Duration;

/// What the board's parts share.
#[derive(Clone)]
pub struct BoardContext {
    pub api: Api,
    pub auth: Auth,
    pub settings: Settings,
    pub now: ReadSignal<i64>,
    pub lists: RwSignal<Lists>,
    pub bucket: RwSignal<Option<Bucket>>,
    pub store_open: RwSignal<Option<bool>>,
    /// The order that most recently turned ready, and when (for its highlight).
    pub just_ready: RwSignal<Option<(String, i64)>>,
}

async fn load_lists(api: &Api, auth: &Auth) -> Result<(Lists, bool), ApiError> {
    let (status, body) = auth.send(&api.orders(&OrderState::Created, None)).await?;
    let open = api.read_orders(status, &body)?;
    let (status, body) = auth.send(&api.orders(&OrderState::Completed, None)).await?;
    let completed = api.read_orders(status, &body)?;
    let (status, body) = auth.send(&api.config()).await?;
    let store_open = api.read_config(status, &body)?.store.store_open;
    Ok((Lists::load(&open, &completed, now_ms()), store_open))
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let auth = expect_context::<Auth>();
    let api = Api::new(&settings);
    let now = use_clock(Duration::from_secs(1));
    let ctx = BoardContext {
        api: api.clone(),
        auth: auth.clone(),
        settings,
        now,
        lists: RwSignal::new(Lists::default()),
        bucket: RwSignal::new(None),
        store_open: RwSignal::new(None),
        just_ready: RwSignal::new(None),
    };
    provide_context(ctx.clone());
    StoredValue::new_local(ScreenAwake::start());
    let load_error = RwSignal::new(None::<ApiError>);
    let (lists, store_open, bucket, just_ready) =
        (ctx.lists, ctx.store_open, ctx.bucket, ctx.just_ready);

    let reload = Action::new_local(move |_: &()| {
        let (api, auth) = (api.clone(), auth.clone());
        async move {
            match load_lists(&api, &auth).await {
                Ok((loaded, open)) => {
                    lists.set(loaded);
                    store_open.set(Some(open));
                    load_error.set(None);
                }
                Err(e) => load_error.set(Some(e)),
            }
        }
    });
    reload.dispatch(());

    // Ready rows leave after ten minutes; checked once a second, written only on change.
    Effect::new(move |_| {
        let now = now.get();
        lists.maybe_update(|l| l.expire(now));
    });

    use_live_connection(
        &ctx.auth,
        vec![ADMIN_TOPIC.to_string(), CONFIG_TOPIC.to_string()],
        move |event| match &event {
            RealtimeEvent::ConfigChanged {
                store_open: Some(open),
            } => store_open.set(Some(*open)),
            RealtimeEvent::NewOrder { .. } => {
                bucket.update(|b| *b = with_tokens_from(b.take(), &event))
            }
            _ => {
                let mut turned_ready = false;
                lists.update(|l| turned_ready = l.apply(&event, now_ms()));
                if turned_ready {
                    just_ready.set(event.order_id().map(|id| (id.to_string(), now_ms())));
                }
            }
        },
        move || {
            // Catch up on what happened while offline.
            reload.dispatch(());
        },
    );

    view! {
        <ConnectionBanner/>
        {move || load_error.get().map(|e| view! {
            <ErrorNotice message=e.to_string() on_retry=Callback::new(move |()| { reload.dispatch(()); })/>
        })}
        <div class="display-grid">
            <QrPanel/>
            <Preparing/>
            <Ready/>
        </div>
    }
}
