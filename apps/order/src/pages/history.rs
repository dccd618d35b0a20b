//! Past orders (`GET /myOrders`), newest first, each with its receipt details.

use leptos::prelude::*;
use shared::api::{Api, ApiError};
use shared::model::Order;
use shared::ui::{Auth, ErrorNotice, OrderStateBadge};
use shared::Settings;

async fn history(api: Api, auth: Auth) -> Result<Vec<Order>, ApiError> {
    let (status, body) = auth.send(&api.my_orders()).await?;
    let mut orders = api.read_orders(status, &body)?;
    orders.retain(|o| o.drink.is_some());
    orders.sort_by_key(|o| std::cmp::Reverse(o.ts_ms));
    Ok(orders)
}

fn date_text(ts_ms: Option<i64>) -> String {
    ts_ms
        .map(|ms| {
            let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
            String::from(d.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
        })
        .unwrap_or_default()
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let auth = expect_context::<Auth>();
    let api = Api::new(&settings);
    let orders = LocalResource::new(move || history(api.clone(), auth.clone()));
    view! {
        <section aria-labelledby="history-title">
            <h1 id="history-title">"Your orders"</h1>
            <Suspense fallback=|| view! { <div class="spinner" aria-label="Loading"></div> }>
                {move || orders.get().map(|result| match result {
                    Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p>"No orders yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="history">
                            <For each=move || list.clone() key=|o| o.id.clone() let:order>
                                <li class="card history-item">
                                    <img src=format!("drinks/{}.svg", order.drink.as_ref().map(|d| d.icon.clone()).unwrap_or_default())
                                        alt="" width="56" height="56"/>
                                    <div>
                                        <h2>{order.drink.as_ref().map(|d| d.drink.clone()).unwrap_or_default()}</h2>
                                        <p class="history-meta">
                                            {order.number.map(|n| format!("Order #{n} · ")).unwrap_or_default()}
                                            {date_text(order.ts_ms)}
                                        </p>
                                        {order.drink.as_ref().filter(|d| !d.modifiers.is_empty()).map(|d| view! {
                                            <p>{d.modifiers.join(", ")}</p>
                                        })}
                                    </div>
                                    <OrderStateBadge state=order.state.clone()/>
                                </li>
                            </For>
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
