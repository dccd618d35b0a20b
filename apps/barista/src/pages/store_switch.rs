//! Opening and closing the store: asks first, then spins until the `ConfigChanged`
//! event confirms (contract §7.2).

use super::console::ConsoleContext;
use leptos::prelude::*;
use shared::ui::ConfirmButton;

#[component]
pub fn StoreSwitch() -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let store_open = ctx.store_open;
    // The state asked for, until the event says it is so.
    let requested = RwSignal::new(None::<bool>);
    let failed = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if requested.get().is_some() && requested.get() == store_open.get() {
            requested.set(None);
        }
    });
    let switch = move |open: bool| {
        let ctx = ctx.clone();
        requested.set(Some(open));
        failed.set(None);
        leptos::task::spawn_local(async move {
            let sent = ctx.auth.send(&ctx.api.set_store(open)).await;
            if let Err(e) = sent.and_then(|(status, body)| ctx.api.read_accepted(status, &body)) {
                requested.set(None);
                failed.set(Some(e.to_string()));
            }
        });
    };
    let busy = Signal::derive(move || requested.get().is_some());
    view! {
        <div class="store-switch">
            <span class="store-state" data-open=move || store_open.get().map(|o| o.to_string())>
                {move || match (requested.get(), store_open.get()) {
                    (Some(true), _) => "Opening the store…",
                    (Some(false), _) => "Closing the store…",
                    (None, Some(true)) => "Store open",
                    (None, Some(false)) => "Store closed",
                    (None, None) => "Store: …",
                }}
            </span>
            {move || match store_open.get() {
                Some(true) => {
                    let switch = switch.clone();
                    view! {
                        <ConfirmButton label="Close store" question="Close the store? Customers will not be able to order."
                            class="button secondary" disabled=busy on_confirm=move || switch(false)/>
                    }.into_any()
                }
                Some(false) => {
                    let switch = switch.clone();
                    view! {
                        <ConfirmButton label="Open store" question="Open the store for orders?"
                            class="button" disabled=busy on_confirm=move || switch(true)/>
                    }.into_any()
                }
                None => ().into_any(),
            }}
            {move || failed.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </div>
    }
}
