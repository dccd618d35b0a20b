//! Opening and closing the store: asks first, then spins until the backend's word on the
//! store (`ConfigChanged`) arrives (contract §7.2).

use crate::context::ConsoleContext;
use crate::text::Text;
use leptos::prelude::*;
use shared::i18n::Message;
use shared::ui::{error_of, t, use_i18n, ButtonKind, ConfirmButton};

#[component]
pub fn StoreSwitch() -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let board = ctx.live.model;
    let store_open = Memo::new(move |_| board.with(|b| b.store_open));
    let news = Memo::new(move |_| board.with(|b| b.store_news));
    // Sends the switch; answers which state was asked for, and how much news of the
    // store there had been when it was asked.
    let send = Action::new_local(move |open: &bool| {
        let (ctx, open, asked_at) = (ctx.clone(), *open, news.get_untracked());
        async move {
            ctx.auth
                .call(ctx.api.set_store(open))
                .await
                .map(|()| (open, asked_at))
        }
    });
    // Waiting from the tap until news of the store arrives after it.
    let requested = move || {
        if let Some(open) = send.input().get() {
            return Some(open);
        }
        match send.value().get() {
            Some(Ok((open, asked_at))) if news.get() == asked_at => Some(open),
            _ => None,
        }
    };
    let i18n = use_i18n();
    let failed = move || error_of(send).map(|e| i18n.say(Text::CouldNotSwitchStore.with("why", e)));
    let busy = Signal::derive(move || requested().is_some());
    view! {
        <div class="store-switch">
            <span class="store-state" data-open=move || store_open.get().map(|o| o.to_string())>
                {move || i18n.say(match (requested(), store_open.get()) {
                    (Some(true), _) => Text::OpeningStore,
                    (Some(false), _) => Text::ClosingStore,
                    (None, Some(true)) => Text::StoreOpen,
                    (None, Some(false)) => Text::StoreClosed,
                    (None, None) => Text::StoreUnknown,
                })}
            </span>
            {move || match store_open.get() {
                Some(true) => view! {
                    <ConfirmButton label=t(Text::CloseStore) question=t(Text::CloseStoreQuestion)
                        kind=ButtonKind::Secondary disabled=busy on_confirm=move |()| { send.dispatch(false); }/>
                }.into_any(),
                Some(false) => view! {
                    <ConfirmButton label=t(Text::OpenStore) question=t(Text::OpenStoreQuestion)
                        disabled=busy on_confirm=move |()| { send.dispatch(true); }/>
                }.into_any(),
                None => ().into_any(),
            }}
            {move || failed().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </div>
    }
}
