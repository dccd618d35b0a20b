//! Small pieces that tell people what is going on: an order's state, and an error with
//! a way to try again.

use crate::model::OrderState;
use leptos::prelude::*;

/// An order's state as a coloured label.
#[component]
pub fn OrderStateBadge(state: OrderState) -> impl IntoView {
    let class = match state {
        OrderState::Created => "badge state-created",
        OrderState::Completed => "badge state-completed",
        OrderState::Cancelled => "badge state-cancelled",
        OrderState::Other(_) => "badge",
    };
    view! { <span class=class>{state.label().to_string()}</span> }
}

/// An error, said plainly, with a retry button when there is something to retry.
#[component]
pub fn ErrorNotice(
    #[prop(into)] message: String,
    #[prop(optional)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="alert error" role="alert">
            <p>{message}</p>
            {on_retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </div>
    }
}
