//! Choosing a drink within the five-minute window: drink cards, one option per
//! modifier group, a summary, and Order now (contract §7.1 step 3).

use crate::context::OrderContext;
use crate::flow;
use crate::text::Text;
use leptos::prelude::*;
use shared::api::ApiError;
use shared::i18n::Message;
use shared::model::{Config, DrinkOrder, MenuItem};
use shared::ui::{error_of, t, use_i18n, Alert, AlertKind};
use std::collections::BTreeMap;

#[component]
pub fn MenuScreen(order_id: String, deadline_ms: i64) -> impl IntoView {
    let ctx = expect_context::<OrderContext>();
    let (now, model) = (ctx.live.now, ctx.live.model);
    let (menu, choose_ms): (Vec<MenuItem>, i64) = model.with_untracked(|m| {
        (
            m.config
                .as_ref()
                .map(|c| c.menu.clone())
                .unwrap_or_default(),
            m.windows.choose_ms,
        )
    });
    let config = Memo::new(move |_| model.with(|m| m.config.clone()));
    let selected = RwSignal::new(None::<String>);
    // Modifier group name → chosen option.
    let choices = RwSignal::new(BTreeMap::<String, String>::new());
    let expired = move || now.get() >= deadline_ms;
    let menu = StoredValue::new(menu);
    let chosen_item = move || {
        let drink = selected.get()?;
        menu.with_value(|m| m.iter().find(|i| i.drink == drink).cloned())
    };

    let submit = {
        let ctx = ctx.clone();
        let order_id = order_id.clone();
        Action::new_local(move |drink: &DrinkOrder| {
            let (ctx, order_id, drink) = (ctx.clone(), order_id.clone(), drink.clone());
            async move {
                ctx.auth
                    .call(ctx.api.submit_order(&order_id, &drink))
                    .await?;
                ctx.live.model.update(|m| m.submitted(&order_id, drink));
                Ok::<_, ApiError>(())
            }
        })
    };
    let submit_error = move || error_of(submit);

    let user_id = ctx.auth.user.get_untracked().map(|u| u.access.sub);
    let chime = ctx.chime;
    let order_now = move |_| {
        let Some(item) = chosen_item() else { return };
        // The tap that allows the page a sound: the chime when the drink is ready.
        chime.unlock();
        let modifiers = choices.with_untracked(|c| {
            item.modifiers
                .iter()
                .filter_map(|g| c.get(&g.name).cloned())
                .collect::<Vec<_>>()
        });
        submit.dispatch(DrinkOrder {
            user_id: user_id.clone(),
            drink: item.drink.clone(),
            modifiers,
            icon: item.icon.clone(),
        });
    };
    let can_order = move || {
        let chosen: Vec<String> = choices.with(|c| c.values().cloned().collect());
        let config: Option<Config> = config.get();
        !expired()
            && !submit.pending().get()
            && selected
                .get()
                .zip(config)
                .is_some_and(|(drink, config)| flow::ready_to_order(&config, &drink, &chosen))
    };
    // Per mille, in integers: float formatting would cost the app ~9 KB of wasm.
    let heading = super::use_focused_heading();
    let i18n = use_i18n();
    let per_mille_left = move || (deadline_ms - now.get()).clamp(0, choose_ms) * 1000 / choose_ms;

    view! {
        <section class="menu" aria-labelledby="menu-title">
            <div class="countdown" role="timer" aria-label=t(Text::TimeLeftLabel)>
                <div class="countdown-bar" style:transform=move || { let pm = per_mille_left(); format!("scaleX({}.{:03})", pm / 1000, pm % 1000) }></div>
                <span>{move || i18n.say(Text::ChooseCountdown.with("time", flow::countdown(deadline_ms, now.get().max(deadline_ms - choose_ms))))}</span>
            </div>
            <Show when=expired>
                <Alert kind=AlertKind::Warning>{t(Text::TimeIsUp)}</Alert>
            </Show>
            <h1 id="menu-title" tabindex="-1" node_ref=heading>{t(Text::ChooseADrink)}</h1>
            <div class="drink-grid" role="group" aria-label=t(Text::Drinks)>
                {menu.get_value().into_iter().map(|item| {
                    let name = item.drink.clone();
                    let pressed = { let name = name.clone(); move || selected.get().as_deref() == Some(name.as_str()) };
                    let pick = { let name = name.clone(); move |_| { selected.set(Some(name.clone())); choices.set(BTreeMap::new()); } };
                    view! {
                        <button type="button" class="drink-card" aria-pressed=move || pressed().to_string()
                            disabled=!item.available on:click=pick>
                            <img src=shared::model::drink_image(&item.icon) alt="" width="72" height="72"/>
                            <span class="drink-name" translate="no">{name.clone()}</span>
                            {(!item.available).then(|| view! { <span class="drink-note">{t(Text::Unavailable)}</span> })}
                        </button>
                    }
                }).collect_view()}
            </div>
            {move || chosen_item().filter(|i| !i.modifiers.is_empty()).map(|item| view! {
                <div class="card">
                    <h2>{t(Text::Customize)}</h2>
                    {item.modifiers.into_iter().map(|group| {
                        let group_name = group.name.clone();
                        view! {
                            <fieldset class="modifier-group">
                                <legend translate="no">{group.name.clone()}</legend>
                                {group.options.into_iter().map(|option| {
                                    let (g1, g2, o1, o2) = (group_name.clone(), group_name.clone(), option.clone(), option.clone());
                                    view! {
                                        <button type="button" class="option" translate="no"
                                            aria-pressed=move || choices.with(|c| c.get(&g1) == Some(&o1)).to_string()
                                            on:click=move |_| choices.update(|c| { c.insert(g2.clone(), o2.clone()); })>
                                            {option}
                                        </button>
                                    }
                                }).collect_view()}
                            </fieldset>
                        }
                    }).collect_view()}
                </div>
            })}
            <div class="card order-summary">
                <h2>{t(Text::YourOrder)}</h2>
                {move || match chosen_item() {
                    Some(item) => view! { <p class="drink-line" translate="no">{DrinkOrder {
                        user_id: None,
                        drink: item.drink,
                        modifiers: choices.with(|c| c.values().cloned().collect()),
                        icon: item.icon,
                    }.summary()}</p> }.into_any(),
                    None => view! { <p class="drink-line">{t(Text::PickADrink)}</p> }.into_any(),
                }}
                {move || submit_error().map(|e| view! { <Alert kind=AlertKind::Error>{e}</Alert> })}
                <button type="button" class="button order-now" disabled=move || !can_order() on:click=order_now
                    aria-busy=move || submit.pending().get().to_string()>
                    {move || i18n.say(if submit.pending().get() { Text::Ordering } else { Text::OrderNow })}
                </button>
            </div>
        </section>
    }
}
