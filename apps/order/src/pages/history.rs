//! Past orders (`GET /myOrders`), newest first, each with its drink and status.

use crate::text::Text;
use leptos::prelude::*;
use shared::api::{Api, ApiError};
use shared::i18n::Message;
use shared::model::{DrinkOrder, Order};
use shared::text::{Common, Explain};
use shared::ui::{t, use_i18n, Alert, AlertKind, Announce, Auth, ErrorNotice, I18n, StatusBadge};
use shared::web::now_ms;
use shared::Settings;

/// An order that got as far as a drink (abandoned scans are not history).
#[derive(Clone)]
struct Past {
    order: Order,
    drink: DrinkOrder,
}

/// The orders, newest first, and how many could not be read.
async fn history(api: Api, auth: Auth) -> Result<(Vec<Past>, usize), ApiError> {
    let list = auth.call(api.my_orders()).await?;
    let mut past: Vec<Past> = list
        .orders
        .into_iter()
        .filter_map(|order| {
            let drink = order.drink.clone()?;
            Some(Past { order, drink })
        })
        .collect();
    past.sort_by_key(|p| std::cmp::Reverse(p.order.ts_ms));
    Ok((past, list.unreadable))
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let auth = expect_context::<Auth>();
    let api = Api::new(&settings);
    let windows = settings.windows();
    let settings = StoredValue::new(settings);
    let journey = move |id: &str| settings.with_value(|s| s.journey_url(id));
    let orders = LocalResource::new(move || history(api.clone(), auth.clone()));
    let i18n: I18n = use_i18n();
    let date_text = move |ts_ms: Option<i64>| move || ts_ms.map(|ms| i18n.date_time(ms));
    view! {
        <section aria-labelledby="history-title">
            <h1 id="history-title">{t(Text::YourOrders)}</h1>
            <Suspense fallback=|| view! { <div class="spinner" role="status" aria-label=t(Common::Loading)></div> }>
                {move || orders.get().map(|result| match result {
                    Err(e) => view! { <ErrorNotice message=t(e.explain()) on_retry=Callback::new(move |()| orders.refetch())/> }.into_any(),
                    Ok((list, 0)) if list.is_empty() => view! { <p class="card">{t(Text::NoOrdersYet)}</p> }.into_any(),
                    Ok((list, unreadable)) => {
                        let now = now_ms();
                        view! {
                            {(unreadable > 0).then(|| view! {
                                <Alert kind=AlertKind::Warning announce=Announce::Polite>
                                    {move || i18n.say(Text::SomeUnreadable.count(unreadable as i64))}
                                </Alert>
                            })}
                            <ul class="history">
                                <For each=move || list.clone() key=|p| p.order.id.clone() let(Past { order, drink })>
                                    <li class="card history-item">
                                        <img src=shared::model::drink_image(&drink.icon) alt="" width="56" height="56"/>
                                        <div>
                                            <h2 translate="no">{drink.summary()}</h2>
                                            <p class="history-meta">
                                                {order.number.map(|n| format!("#{n} · ")).unwrap_or_default()}
                                                {date_text(order.ts_ms)}
                                            </p>
                                            {journey(&order.id).map(|url| view! {
                                                <a href=url target="_blank" rel="noopener">{t(Text::OrderJourney)}</a>
                                            })}
                                        </div>
                                        <StatusBadge status=windows.status(&order, now)/>
                                    </li>
                                </For>
                            </ul>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
