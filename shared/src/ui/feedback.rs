//! Small pieces that tell people what is going on: an order's state, and an error with
//! a way to try again.

use super::alert::{Alert, AlertKind};
use super::{t, use_i18n};
use crate::model::OrderStatus;
use crate::text::{status_name, Common, Explain};
use leptos::prelude::*;

/// An order's status as a coloured label.
#[component]
pub fn StatusBadge(status: OrderStatus) -> impl IntoView {
    view! { <span class=status.class()>{t(status_name(status))}</span> }
}

/// What went wrong in an action's last run, worded for people in the page's language
/// (`None` while it runs again or when it went well).
pub fn error_of<I, T, E>(action: Action<I, Result<T, E>>) -> Option<String>
where
    I: 'static,
    T: Clone + 'static,
    E: Explain + Clone + 'static,
{
    let i18n = use_i18n();
    action
        .value()
        .get()
        .and_then(Result::err)
        .map(|e| i18n.say(e.explain()))
}

/// An error, said plainly, with a retry button when there is something to retry.
#[component]
pub fn ErrorNotice(
    #[prop(into)] message: Signal<String>,
    #[prop(optional)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <Alert kind=AlertKind::Error>
            <p>{message}</p>
            {on_retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())>{t(Common::TryAgain)}</button>
            })}
        </Alert>
    }
}
