//! Following an order live: in the queue (and how many are ahead), being made, ready,
//! cancelled, timed out (contract §6.4), in the words every app uses for an order.

use super::alerts::NotifyMe;
use crate::context::OrderContext;
use crate::flow::{self, Placed, Screen};
use crate::text::Text;
use leptos::prelude::*;
use shared::api::OrderAction;
use shared::i18n::{Catalogue, Lang, Message};
use shared::model::{DrinkOrder, OrderState, TimeoutCause};
use shared::ui::{error_of, t, use_clock, use_i18n, Alert, AlertKind, ButtonKind, ConfirmButton};
use shared::web::now_ms;
use std::time::Duration;

/// How often the queue position is asked again while waiting.
const QUEUE_REFRESH: Duration = Duration::from_secs(20);

/// What the status card says.
struct Words {
    icon: &'static str,
    title: Text,
    detail: Text,
    number: Option<u32>,
    drink: Option<DrinkOrder>,
    cancellable: bool,
}

fn words(screen: &Screen) -> Words {
    let plain = |icon, title, detail| Words {
        icon,
        title,
        detail,
        number: None,
        drink: None,
        cancellable: false,
    };
    match screen {
        Screen::Submitted { drink, .. } => Words {
            drink: Some(drink.clone()),
            cancellable: true,
            ..plain("queue", Text::InQueueTitle, Text::GettingNumber)
        },
        Screen::Queued(Placed { number, drink, .. }) => Words {
            number: *number,
            drink: drink.clone(),
            cancellable: true,
            ..plain("queue", Text::InTheQueue, Text::LookForNumber)
        },
        Screen::BeingMade(Placed { number, drink, .. }) => Words {
            number: *number,
            drink: drink.clone(),
            cancellable: true,
            ..plain("coffee-machine", Text::BeingMade, Text::BaristaMaking)
        },
        Screen::Ready(Placed { number, drink, .. }) => Words {
            number: *number,
            drink: drink.clone(),
            ..plain("take-away", Text::ReadyTitle, Text::Enjoy)
        },
        Screen::Cancelled { .. } => {
            plain("cancelled", Text::CancelledTitle, Text::ScanToOrderAgain)
        }
        Screen::TimedOut {
            cause: TimeoutCause::Customer,
            ..
        } => plain("clock", Text::TimeRanOut, Text::TimeRanOutDetail),
        Screen::TimedOut { .. } => plain("clock", Text::MissedTitle, Text::MissedDetail),
        _ => plain("queue", Text::InTheQueue, Text::LookForNumber),
    }
}

/// What a screen reader is told when the order moves on: the status card's heading;
/// `urgent` (read out at once, interrupting) when the drink is ready.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    pub number: Option<u32>,
    pub title: Text,
    pub urgent: bool,
}

impl Announcement {
    /// "Order #12: Being made", in `lang`.
    pub fn say(&self, lang: Lang, catalogue: &Catalogue) -> String {
        let title = self.title.say(lang, catalogue);
        match self.number {
            Some(n) => Text::OrderNumbered
                .with("n", n)
                .with("status", title)
                .say(lang, catalogue),
            None => title,
        }
    }
}

/// The announcement for a screen that follows an order; none for the others (the menu
/// and the notices take focus to their heading instead).
pub fn announcement(screen: &Screen) -> Option<Announcement> {
    if screen.order_id().is_none() || matches!(screen, Screen::Menu { .. }) {
        return None;
    }
    let Words { title, number, .. } = words(screen);
    Some(Announcement {
        number,
        title,
        urgent: matches!(screen, Screen::Ready(_)),
    })
}

/// "2 orders ahead of you", from the open orders any signed-in user may list in W;
/// nothing when the backend does not let customers list them.
#[component]
fn QueuePosition(number: u32) -> impl IntoView {
    let ctx = expect_context::<OrderContext>();
    let tick = use_clock(QUEUE_REFRESH);
    let windows = ctx.live.model.with_untracked(|m| m.windows);
    let i18n = use_i18n();
    let ahead = LocalResource::new(move || {
        tick.track();
        let ctx = ctx.clone();
        async move {
            let open = ctx
                .auth
                .call(ctx.api.orders(&OrderState::Created, None))
                .await
                .ok()?;
            Some(flow::orders_ahead(&windows, &open.orders, number, now_ms()))
        }
    });
    move || {
        ahead.get().flatten().map(|n| {
            let text = match n {
                0 => i18n.say(Text::YoureNext),
                n => i18n.say(Text::OrdersAhead.count(n.into())),
            };
            view! { <p class="queue-position">{text}</p> }
        })
    }
}

#[component]
pub fn StatusScreen(screen: Screen) -> impl IntoView {
    let ctx = expect_context::<OrderContext>();
    let Words {
        icon,
        title,
        detail,
        number,
        drink,
        cancellable,
    } = words(&screen);
    let order_id = screen.order_id().unwrap_or_default().to_string();
    let final_screen = screen.is_final();
    let queued = matches!(screen, Screen::Queued(_));
    let ready = matches!(screen, Screen::Ready(_));
    let (now, model) = (ctx.live.now, ctx.live.model);
    // The daily limit, beneath a ready order.
    let limit = move || {
        let until = model.with(|m| m.next_order_ms)?;
        (ready && until > now.get()).then(|| view! {
            <p class="daily-limit">
                {t(Text::DailyLimitBefore)}
                <span role="timer" aria-live="off">{move || flow::long_countdown(until, now.get())}</span>
                {t(Text::DailyLimitAfter)}
            </p>
        })
    };
    let heading = super::use_focused_heading();
    let cancel = {
        let ctx = ctx.clone();
        Action::new_local(move |order_id: &String| {
            let (ctx, order_id) = (ctx.clone(), order_id.clone());
            async move {
                ctx.auth
                    .call(ctx.api.order_action(&order_id, OrderAction::Cancel))
                    .await
            }
        })
    };
    let i18n = use_i18n();
    let cancel_error =
        move || error_of(cancel).map(|e| i18n.say(Text::CouldNotCancel.with("why", e)));
    // The receipt: the backend's record of a finished order (`GET /orders/{id}`), when
    // this screen does not know the drink itself (a cancelled or timed-out order).
    let receipt = (final_screen && drink.is_none()).then(|| {
        let (ctx, order_id) = (ctx.clone(), order_id.clone());
        LocalResource::new(move || {
            let (ctx, order_id) = (ctx.clone(), order_id.clone());
            async move { ctx.auth.call(ctx.api.order(&order_id)).await }
        })
    });
    let receipt_view = move || {
        receipt.and_then(|r| r.get()).and_then(Result::ok).map(|order| {
            order.drink.map(|drink| {
                view! {
                    <table class="receipt" aria-label=t(Text::Receipt)>
                        <tbody>
                            {order.number.map(|n| view! { <tr><th scope="row">{t(Text::ReceiptOrder)}</th><td>{format!("#{n}")}</td></tr> })}
                            <tr><th scope="row">{t(Text::ReceiptDrink)}</th><td translate="no">{drink.drink.clone()}</td></tr>
                            <tr><th scope="row">{t(Text::ReceiptOptions)}</th>{match drink.options_text() {
                                Some(options) => view! { <td translate="no">{options}</td> }.into_any(),
                                None => view! { <td>{t(Text::ReceiptNone)}</td> }.into_any(),
                            }}</tr>
                        </tbody>
                    </table>
                }
            })
        })
    };
    let restart = ctx.clone();
    // The journey page of a finished order (V1 and E backends, contract §7.1).
    let journey = final_screen
        .then(|| expect_context::<shared::Settings>().journey_url(&order_id))
        .flatten();
    view! {
        <section class="card status" aria-labelledby="status-title" data-order=order_id.clone()>
            <img class="notice-icon" src=format!("icons/{icon}.svg") alt="" width="96" height="96"/>
            {number.map(|n| view! { <p class="order-number" aria-hidden="true">{format!("#{n}")}</p> })}
            <h1 id="status-title" tabindex="-1" node_ref=heading>{match number {
                // Read out whole ("Order #12: Being made"); the number is shown above.
                Some(n) => {
                    let said = Announcement { number: Some(n), title, urgent: false };
                    view! {
                        <span class="visually-hidden">{move || i18n.speak(|lang, c| said.say(lang, c))}</span>
                        <span aria-hidden="true">{t(title)}</span>
                    }.into_any()
                }
                None => t(title).into_any(),
            }}</h1>
            {drink.map(|d| view! { <p class="drink-line" translate="no">{d.summary()}</p> })}
            {match (queued, number) {
                (true, Some(n)) => view! { <QueuePosition number=n/> }.into_any(),
                _ => ().into_any(),
            }}
            <p>{t(detail)}</p>
            {limit}
            {cancellable.then(|| view! { <NotifyMe/> })}
            {receipt_view}
            {move || cancel_error().map(|e| view! { <Alert kind=AlertKind::Error>{e}</Alert> })}
            <div class="button-row">
                {final_screen.then(|| view! {
                    <button type="button" class="button primary-wide" on:click=move |_| restart.restart()>{t(Text::Next)}</button>
                })}
                {journey.map(|url| view! {
                    <a class="button secondary" href=url target="_blank" rel="noopener">{t(Text::ViewJourney)}</a>
                })}
                {cancellable.then(|| {
                    let order_id = order_id.clone();
                    view! {
                        <ConfirmButton label=t(Text::CancelOrder) question=t(Text::CancelQuestion)
                            kind=ButtonKind::DangerQuiet disabled=Signal::derive(move || cancel.pending().get())
                            on_confirm=move |()| { cancel.dispatch(order_id.clone()); }/>
                    }
                })}
            </div>
        </section>
    }
}
