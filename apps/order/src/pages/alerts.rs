//! Telling the customer who is not looking: each step of the order read out by screen
//! readers (the ready step at once), and when the order is finished, once per order (a
//! reload or coming back to the page does not repeat it): the chime unlocked by "Order
//! now", a vibration, "Ready · #12" in the tab's title while the page is hidden, the
//! installed app's badge, and a system notification where the customer asked for one
//! ([`NotifyMe`]).

use super::status;
use crate::context::OrderContext;
use crate::flow::{OrderAlert, Screen};
use crate::text::Text;
use leptos::prelude::*;
use shared::ui::{browser, t, use_i18n, use_page_visible};
use shared::web::notify::{self, Permission};

/// Where this phone remembers the last order it alerted for.
const ALERTED_KEY: &str = "serverlesspresso.order.alerted";

/// The order's live regions and its alert. Lives as long as the order page, so the
/// regions are in the page before their text changes (a region added with its text is
/// not reliably read out).
#[component]
pub fn OrderAlerts(screen: Memo<Screen>) -> impl IntoView {
    let ctx = expect_context::<OrderContext>();
    let visible = use_page_visible();
    let i18n = use_i18n();
    let announcement = Memo::new(move |_| screen.with(status::announcement));
    let said = move |urgent: bool| {
        announcement
            .get()
            .filter(|a| a.urgent == urgent)
            .map(|a| i18n.speak(|lang, c| a.say(lang, c)))
    };
    // The page's own title, put back when the customer looks again.
    let title = StoredValue::new(document().title());
    Effect::new(move |_| {
        let Some(alert) = screen.with(OrderAlert::of) else {
            return;
        };
        if !browser::first_time(ALERTED_KEY, &alert.key()) {
            return;
        }
        let (title_now, body) = untrack(|| (i18n.say(alert.title()), i18n.say(alert.body())));
        ctx.chime.play();
        notify::vibrate(&[200, 100, 200]);
        if !visible.get_untracked() {
            document().set_title(&format!("{title_now} – {}", title.get_value()));
            notify::app_badge(true);
        }
        let url = browser::base_uri();
        leptos::task::spawn_local(async move {
            notify::show(&title_now, &body, &alert.order_id, &url).await;
        });
    });
    Effect::new(move |_| {
        if visible.get() {
            document().set_title(&title.get_value());
            notify::app_badge(false);
        }
    });
    view! {
        <div id="order-announcer" class="visually-hidden" role="status" aria-atomic="true">{move || said(false)}</div>
        <div id="order-alerter" class="visually-hidden" role="alert" aria-atomic="true">{move || said(true)}</div>
    }
}

/// "Tell me when it's ready": asks for notifications when the customer wants them (never
/// on load), says so once they are on, and is not there where the browser has none or
/// the customer refused them.
#[component]
pub fn NotifyMe() -> impl IntoView {
    let permission = RwSignal::new(notify::permission());
    let ask = Action::new_local(move |()| async move {
        permission.set(notify::request_permission().await);
    });
    move || {
        match permission.get() {
        Permission::Ask => view! {
            <button type="button" class="button secondary notify-me" disabled=move || ask.pending().get()
                on:click=move |_| { ask.dispatch(()); }>
                {t(Text::TellMe)}
            </button>
        }
        .into_any(),
        Permission::Granted => view! {
            <p class="notify-on">{t(Text::NotifyOn)}</p>
        }
        .into_any(),
        Permission::Denied | Permission::Unsupported => ().into_any(),
    }
    }
}
