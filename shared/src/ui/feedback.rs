//! Small pieces that tell people what is going on: an order's state, and an error with
//! a way to try again.

use super::alert::{Alert, AlertKind};
use crate::model::OrderStatus;
use leptos::prelude::*;

/// An order's status as a coloured label.
#[component]
pub fn StatusBadge(status: OrderStatus) -> impl IntoView {
    view! { <span class=status.class()>{status.label()}</span> }
}

/// What went wrong in an action's last run, worded for people (`None` while it runs
/// again or when it went well).
pub fn error_of<I, T, E>(action: Action<I, Result<T, E>>) -> Option<String>
where
    I: 'static,
    T: Clone + 'static,
    E: std::fmt::Display + Clone + 'static,
{
    action
        .value()
        .get()
        .and_then(Result::err)
        .map(|e| e.to_string())
}

/// An error, said plainly, with a retry button when there is something to retry.
#[component]
pub fn ErrorNotice(
    #[prop(into)] message: String,
    #[prop(optional)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <Alert kind=AlertKind::Error>
            <p>{message}</p>
            {on_retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </Alert>
    }
}
