//! The order app's start: the boot sequence of contract §7.1 (store, latest order, daily
//! limit, resume, then the QR token), the live connection, and the screen it leads to.

use super::menu::MenuScreen;
use super::notices::{
    Closed, InvalidCode, LimitReached, Loading, NoTokens, ScanPrompt, Unavailable,
};
use super::status::StatusScreen;
use crate::flow::{self, Screen};
use leptos::prelude::*;
use shared::api::{Api, ApiError};
use shared::model::Config;
use shared::realtime::{user_topic, CONFIG_TOPIC};
use shared::ui::{browser, use_live_connection, Auth, ConnectionBanner, ErrorNotice};
use shared::web::{local_midnights, now_ms};
use shared::wire::Redeemed;
use shared::Settings;

/// What every order screen may read and change.
#[derive(Clone)]
pub struct OrderContext {
    pub api: Api,
    pub auth: Auth,
    pub screen: RwSignal<Screen>,
    pub config: RwSignal<Option<Config>>,
    /// Start again from REST (after "Next", or to retry).
    pub reload: Action<(), ()>,
}

async fn boot(api: Api, auth: Auth, token: Option<String>) -> Result<(Config, Screen), ApiError> {
    let (status, body) = auth.send(&api.config()).await?;
    let config = api.read_config(status, &body)?;
    let (status, body) = auth.send(&api.my_orders()).await?;
    let orders = api.read_orders(status, &body)?;
    let now = now_ms();
    let (today, tomorrow) = local_midnights(now);
    let is_admin = auth.user.get_untracked().is_some_and(|u| u.is_admin());
    if let Some(screen) =
        flow::latest(&orders).and_then(|o| flow::screen_for(o, now, today, is_admin, tomorrow))
    {
        return Ok((config, screen));
    }
    if !config.store.store_open {
        return Ok((config, Screen::Closed));
    }
    let Some(token) = token else {
        return Ok((config, Screen::Scan));
    };
    let redeemed = match auth.send(&api.redeem(&token)).await {
        Ok((status, body)) => api.read_redeem(status, &body),
        Err(e) => Err(e),
    };
    let screen = match redeemed {
        Ok(Redeemed::Started { order_id }) => Screen::Menu {
            order_id,
            deadline_ms: now + flow::CHOOSE_WINDOW_MS,
        },
        Ok(Redeemed::NoTokensRemaining) => Screen::NoTokens {
            next_window_ms: flow::next_window_ms(now),
        },
        // The validator's 400 has no CORS headers, so the browser reports a network
        // error; config and orders just loaded, so the code is what was refused.
        Err(ApiError::Network | ApiError::Rejected { .. }) => Screen::InvalidCode,
        Err(e) => return Err(e),
    };
    Ok((config, screen))
}

/// After a reconnect: what REST says about the order on screen.
async fn resync(ctx: OrderContext) -> Result<(), ApiError> {
    let (status, body) = ctx.auth.send(&ctx.api.my_orders()).await?;
    let orders = ctx.api.read_orders(status, &body)?;
    let current = ctx.screen.get_untracked();
    let order = current
        .order_id()
        .and_then(|id| orders.iter().find(|o| o.id == id));
    ctx.screen.set(flow::resync(&current, order, now_ms()));
    Ok(())
}

#[component]
pub fn OrderHome() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let auth = expect_context::<Auth>();
    let screen = RwSignal::new(Screen::Loading);
    let config = RwSignal::new(None::<Config>);
    let failure = RwSignal::new(None::<ApiError>);
    // Read once and removed from the address bar: a reload must not spend a second
    // token (it resumes the order from `GET /myOrders` instead).
    let token = StoredValue::new(browser::take_query_param("token"));
    let api = Api::new(&settings);

    let reload = {
        let (api, auth) = (api.clone(), auth.clone());
        Action::new_local(move |_: &()| {
            let (api, auth) = (api.clone(), auth.clone());
            // The token is spent on the first load only.
            let token = token.try_update_value(Option::take).flatten();
            async move {
                match boot(api, auth, token).await {
                    Ok((loaded, next)) => {
                        config.set(Some(loaded));
                        screen.set(next);
                        failure.set(None);
                    }
                    Err(e) => failure.set(Some(e)),
                }
            }
        })
    };
    let ctx = OrderContext {
        api: api.clone(),
        auth: auth.clone(),
        screen,
        config,
        reload,
    };
    provide_context(ctx.clone());
    reload.dispatch(());

    let sub = auth
        .user
        .get_untracked()
        .map(|u| u.access.sub)
        .unwrap_or_default();
    let resync_ctx = ctx.clone();
    use_live_connection(
        &auth,
        vec![user_topic(&sub), CONFIG_TOPIC.to_string()],
        move |event| {
            if let shared::realtime::RealtimeEvent::ConfigChanged {
                store_open: Some(open),
            } = &event
            {
                config.update(|c| {
                    if let Some(c) = c {
                        c.store.store_open = *open;
                    }
                });
            }
            screen.update(|s| *s = flow::apply(s, &event));
        },
        move || {
            // Catch up on what happened to the order while offline.
            let ctx = resync_ctx.clone();
            leptos::task::spawn_local(async move {
                if let Err(e) = resync(ctx).await {
                    browser::warn(&format!("resync failed: {e}"));
                }
            });
        },
    );

    view! {
        <ConnectionBanner/>
        {move || failure.get().map(|e| view! {
            <ErrorNotice message=e.to_string() on_retry=Callback::new(move |()| { reload.dispatch(()); })/>
        })}
        {move || match screen.get() {
            Screen::Loading => view! { <Loading/> }.into_any(),
            Screen::Scan => view! { <ScanPrompt/> }.into_any(),
            Screen::Closed => view! { <Closed/> }.into_any(),
            Screen::Unavailable => view! { <Unavailable/> }.into_any(),
            Screen::InvalidCode => view! { <InvalidCode/> }.into_any(),
            Screen::NoTokens { next_window_ms } => view! { <NoTokens next_window_ms/> }.into_any(),
            Screen::LimitReached { until_ms } => view! { <LimitReached until_ms/> }.into_any(),
            Screen::Menu { order_id, deadline_ms } => view! { <MenuScreen order_id deadline_ms/> }.into_any(),
            other => view! { <StatusScreen screen=other/> }.into_any(),
        }}
    }
}
