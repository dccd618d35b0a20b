//! Following an order live: in the queue, its number, being made, ready, cancelled,
//! timed out (contract §6.4), with cancel and next.

use super::home::OrderContext;
use crate::flow::Screen;
use leptos::prelude::*;
use shared::api::{ApiError, OrderAction};
use shared::model::{DrinkOrder, TimeoutCause};
use shared::ui::{ConfirmButton, OrderStateBadge};

fn drink_line(drink: &Option<DrinkOrder>) -> Option<String> {
    drink.as_ref().map(|d| match d.modifiers.is_empty() {
        true => d.drink.clone(),
        false => format!("{} ({})", d.drink, d.modifiers.join(", ")),
    })
}

fn number_text(number: Option<u32>) -> String {
    number.map_or_else(|| "Your order".to_string(), |n| format!("Order #{n}"))
}

#[component]
pub fn StatusScreen(screen: Screen) -> impl IntoView {
    let ctx = expect_context::<OrderContext>();
    let (icon, title, detail, number, drink, cancellable) = match &screen {
        Screen::Submitted { drink, .. } => (
            "queue",
            "Your order is in the queue".to_string(),
            "Getting your order number…",
            None,
            Some(drink.clone()),
            true,
        ),
        Screen::Queued { number, drink, .. } => (
            "tv",
            number_text(*number),
            "Look out for your order number on the big screen.",
            *number,
            drink.clone(),
            true,
        ),
        Screen::BeingMade { number, drink, .. } => (
            "coffee-machine",
            "Your order is being made".to_string(),
            "A barista is making your drink right now.",
            *number,
            drink.clone(),
            true,
        ),
        Screen::Ready { number, drink, .. } => (
            "take-away",
            "Ready for collection".to_string(),
            "Pick up your drink at the bar. Enjoy!",
            *number,
            drink.clone(),
            false,
        ),
        Screen::Cancelled { .. } => (
            "closed",
            "Your order has been cancelled".to_string(),
            "Scan the QR code on the big screen to order again.",
            None,
            None,
            false,
        ),
        Screen::TimedOut {
            cause: TimeoutCause::Customer,
            ..
        } => (
            "clock",
            "Oops! Having trouble deciding?".to_string(),
            "The 5 minutes to choose ran out. Scan the QR code on the big screen to start again.",
            None,
            None,
            false,
        ),
        Screen::TimedOut { .. } => (
            "clock",
            "Oops! Our baristas might have missed your coffee".to_string(),
            "Sorry about that. Please order again and let us know at the bar.",
            None,
            None,
            false,
        ),
        _ => ("queue", String::new(), "", None, None, false),
    };
    let order_id = screen.order_id().unwrap_or_default().to_string();
    let final_screen = screen.is_final();
    let cancel = {
        let ctx = ctx.clone();
        Action::new_local(move |order_id: &String| {
            let (ctx, order_id) = (ctx.clone(), order_id.clone());
            async move {
                let (status, body) = ctx
                    .auth
                    .send(&ctx.api.order_action(&order_id, OrderAction::Cancel))
                    .await?;
                ctx.api.read_accepted(status, &body)
            }
        })
    };
    let cancel_error = move || {
        cancel
            .value()
            .get()
            .and_then(|r: Result<(), ApiError>| r.err())
            .map(|e| e.to_string())
    };
    let reload = ctx.reload;
    // The receipt: the backend's record of a finished order (`GET /orders/{id}`).
    let receipt = final_screen.then(|| {
        let (ctx, order_id) = (ctx.clone(), order_id.clone());
        LocalResource::new(move || {
            let (ctx, order_id) = (ctx.clone(), order_id.clone());
            async move {
                let (status, body) = ctx.auth.send(&ctx.api.order(&order_id)).await?;
                ctx.api.read_order(status, &body)
            }
        })
    });
    let receipt_view = move || {
        receipt.and_then(|r| r.get()).and_then(Result::ok).map(|order| {
            let drink = order.drink.clone();
            view! {
                <table class="receipt" aria-label="Receipt">
                    <tbody>
                        <tr><th scope="row">"Drink"</th><td>{drink.as_ref().map(|d| d.drink.clone())}</td></tr>
                        <tr><th scope="row">"Options"</th><td>{drink.map(|d| if d.modifiers.is_empty() { "None".to_string() } else { d.modifiers.join(", ") })}</td></tr>
                        <tr><th scope="row">"Status"</th><td><OrderStateBadge state=order.state.clone()/></td></tr>
                    </tbody>
                </table>
            }
        })
    };
    view! {
        <section class="card status" aria-labelledby="status-title" data-order=order_id.clone()>
            <img class="notice-icon" src=format!("icons/{icon}.svg") alt="" width="96" height="96"/>
            {number.map(|n| view! { <p class="order-number" aria-hidden="true">{format!("#{n}")}</p> })}
            <h1 id="status-title" aria-live="polite">{title}</h1>
            {drink_line(&drink).map(|d| view! { <p class="drink-line">{d}</p> })}
            <p>{detail}</p>
            {receipt_view}
            {move || cancel_error().map(|e| view! { <div class="alert error" role="alert">{e}</div> })}
            <div class="button-row">
                {cancellable.then(|| {
                    let order_id = order_id.clone();
                    view! {
                        <ConfirmButton label="Cancel order" question="Are you sure you want to cancel this order?"
                            class="button cancel" disabled=Signal::derive(move || cancel.pending().get())
                            on_confirm=move || { cancel.dispatch(order_id.clone()); }/>
                    }
                })}
                {final_screen.then(|| view! {
                    <button type="button" class="button" on:click=move |_| { reload.dispatch(()); }>"Next"</button>
                })}
            </div>
        </section>
    }
}
