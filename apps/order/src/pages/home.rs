//! The order app's start: the live model (the boot sequence of contract §7.1, then
//! events and resyncs) and the screen it leads to.

use super::alerts::OrderAlerts;
use super::menu::MenuScreen;
use super::notices::NoticeScreen;
use super::status::StatusScreen;
use crate::context::{OrderContext, LEFT_KEY};
use crate::flow::{self, OrderModel, Screen, Snapshot, TokenOutcome};
use leptos::prelude::*;
use shared::api::{Api, ApiError};
use shared::realtime::{config_topic, user_topic};
use shared::ui::{browser, use_live_model, Auth, LiveNotices, TapChime, UseLiveModelOptions};
use shared::web::{local_midnights, now_ms};
use shared::wire::Redeemed;
use shared::Settings;

/// One load: the store's config and the customer's orders and, while the boot sequence
/// has not finished, the scanned token, spent only when it is needed.
async fn load_snapshot(
    api: Api,
    auth: Auth,
    probe: OrderModel,
    token: StoredValue<Option<Option<String>>>,
) -> Result<Snapshot, ApiError> {
    let (config, orders) = futures::join!(auth.call(api.config()), auth.call(api.my_orders()));
    let (config, list) = (config?, orders?);
    if list.unreadable > 0 {
        browser::warn(&format!(
            "{} of your orders could not be read",
            list.unreadable
        ));
    }
    let orders = list.orders;
    let now = now_ms();
    let (today_ms, tomorrow_ms) = local_midnights(now);
    let outcome = match token.get_value() {
        None => TokenOutcome::NotUsed,
        Some(None) => TokenOutcome::NoToken,
        Some(Some(_)) if !probe.needs_token(&config, &orders, now, today_ms, tomorrow_ms) => {
            TokenOutcome::NotUsed
        }
        Some(Some(code)) if !flow::is_code(&code) => TokenOutcome::Garbled,
        Some(Some(code)) => match auth.call(api.redeem(&code)).await {
            Ok(Redeemed::Started { order_id }) => TokenOutcome::Started { order_id },
            Ok(Redeemed::NoTokensRemaining) => TokenOutcome::NoTokensRemaining,
            // The validator's 400 has no CORS headers, so the browser reports a network
            // error; config and orders just loaded, so the code is what was refused.
            Err(ApiError::Network | ApiError::Rejected { .. }) => TokenOutcome::Refused,
            Err(e) => return Err(e),
        },
    };
    // Settled: a reload or a resync must not spend it again (it resumes the order from
    // `GET /myOrders` instead).
    token.set_value(None);
    browser::remove_query_param("token");
    Ok(Snapshot {
        config,
        orders,
        today_ms,
        tomorrow_ms,
        token: outcome,
    })
}

#[component]
pub fn OrderHome() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let auth = expect_context::<Auth>();
    let api = Api::new(&settings);
    let user = auth.user.get_untracked();
    let sub = user
        .as_ref()
        .map(|u| u.access.sub.clone())
        .unwrap_or_default();
    let model = OrderModel::new(settings.windows(), user.is_some_and(|u| u.is_admin()))
        .having_left(browser::recall(LEFT_KEY));
    // The token stays in the address until it is settled, so a reload before that
    // (during sign-up, or a failed first load) still has it.
    let token = StoredValue::new(Some(browser::query_param("token")));
    let load = {
        let (api, auth, probe) = (api.clone(), auth.clone(), model.clone());
        move || load_snapshot(api.clone(), auth.clone(), probe.clone(), token)
    };
    let live = use_live_model(
        &auth,
        load,
        UseLiveModelOptions {
            initial: model,
            topics: vec![user_topic(&sub), config_topic(&settings)],
        },
    );
    provide_context(OrderContext {
        api,
        auth,
        live,
        chime: TapChime::new(),
    });
    let screen = Memo::new(move |_| live.model.with(|m| m.screen.clone()));

    view! {
        <LiveNotices status=live.status/>
        <OrderAlerts screen/>
        {move || match screen.get() {
            Screen::Menu { order_id, deadline_ms } => view! { <MenuScreen order_id deadline_ms/> }.into_any(),
            status if status.order_id().is_some() => view! { <StatusScreen screen=status/> }.into_any(),
            other => view! { <NoticeScreen screen=other/> }.into_any(),
        }}
    }
}
