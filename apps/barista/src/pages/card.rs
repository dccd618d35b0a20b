//! One order card: number, drink, options, robot tag, ageing timer, and its actions.
//! The main action is large; Cancel is small, set apart and confirmed.

use super::printer::{print_ticket, TicketState};
use crate::board::{age_text, Age, Card, Column};
use crate::context::ConsoleContext;
use crate::text::Text;
use leptos::prelude::*;
use shared::api::{ApiError, OrderAction};
use shared::i18n::Message;
use shared::text::Explain;
use shared::ui::{t, use_i18n, ButtonKind, ConfirmButton};

/// How long an action waits for its event before the console asks REST.
const UNCONFIRMED: std::time::Duration = std::time::Duration::from_secs(5);

/// Sends `action` for the card unless one is already on its way; the card shows
/// progress until the matching real-time event arrives.
pub(crate) fn act(ctx: &ConsoleContext, order_id: String, action: OrderAction) {
    let board = ctx.live.model;
    let mut started = false;
    board.update(|b| started = b.start(&order_id, action));
    if !started {
        return;
    }
    let ctx = ctx.clone();
    leptos::task::spawn_local(async move {
        match ctx.auth.call(ctx.api.order_action(&order_id, action)).await {
            Ok(()) => {
                ctx.action_error.set(None);
                // A person's drink gets its cup ticket (not the console's robot's).
                let robot = ctx.robot_made.with_untracked(|m| m.contains(&order_id));
                if action == OrderAction::Make && !robot {
                    print_ticket(&ctx, &order_id);
                }
                // Its event should follow within moments; if it never comes (a message
                // lost, or E's unmake, which never sends one), REST says how it went.
                let live = ctx.live;
                set_timeout(
                    move || {
                        let waiting = live
                            .model
                            .try_with_untracked(|b| {
                                b.cards
                                    .get(&order_id)
                                    .is_some_and(|c| c.pending == Some(action))
                            })
                            .unwrap_or(false);
                        if waiting {
                            live.reload();
                        }
                    },
                    UNCONFIRMED,
                );
            }
            Err(e) => {
                board.update(|b| b.failed(&order_id));
                ctx.action_error.set(Some((action, e)));
            }
        }
    });
}

/// "Could not make the order: …", in the page's language.
pub(crate) fn action_failed(action: OrderAction, error: &ApiError) -> impl Fn() -> String {
    let (i18n, error) = (use_i18n(), error.clone());
    move || {
        let failed = match action {
            OrderAction::Make => Text::CouldNotMake,
            OrderAction::Unmake => Text::CouldNotUnmake,
            OrderAction::Complete => Text::CouldNotComplete,
            OrderAction::Cancel => Text::CouldNotCancel,
        };
        i18n.say(failed.with("why", i18n.say(error.explain())))
    }
}

#[component]
pub fn OrderCard(card: Card) -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let now = ctx.live.now;
    let windows = ctx.live.model.with_untracked(|b| b.windows);
    let since = card.since_ms();
    let id = card.order.id.clone();
    let number = card
        .order
        .number
        .map(|n| format!("#{n}"))
        .unwrap_or_default();
    let drink = card.order.drink.clone();
    let options = drink.as_ref().and_then(|d| d.options_text());
    let pending = card.pending;
    let busy = Signal::derive(move || pending.is_some());
    let label = move |action: OrderAction, idle: Text, working: Text| {
        t(if pending == Some(action) {
            working
        } else {
            idle
        })
    };
    let button = {
        let (ctx, id) = (ctx.clone(), id.clone());
        move |action: OrderAction, idle: Text, working: Text, class: &'static str| {
            let (ctx, id) = (ctx.clone(), id.clone());
            view! {
                <button type="button" class=format!("button {class}") disabled=move || busy.get()
                    aria-busy=(pending == Some(action)).to_string()
                    on:click=move |_| act(&ctx, id.clone(), action)>
                    {label(action, idle, working)}
                </button>
            }
        }
    };
    let cancel = {
        let (ctx, id) = (ctx.clone(), id.clone());
        move || {
            let (ctx, id) = (ctx.clone(), id.clone());
            view! {
                <ConfirmButton label=label(OrderAction::Cancel, Text::Cancel, Text::Cancelling)
                    question=t(Text::CancelQuestion) kind=ButtonKind::DangerQuiet disabled=busy
                    on_confirm=move |()| act(&ctx, id.clone(), OrderAction::Cancel)/>
            }
        }
    };
    let actions = match card.column {
        Column::Preview if card.claimed_by_other => view! { <p class="claimed">{t(Text::ClaimedByOther)}</p> }.into_any(),
        Column::Preview => view! {
            <div class="card-actions">{cancel()}{button(OrderAction::Make, Text::Make, Text::Claiming, "make")}</div>
        }.into_any(),
        Column::Production => view! {
            <div class="card-actions">
                {button(OrderAction::Unmake, Text::Unmake, Text::Releasing, "secondary quiet")}
                {button(OrderAction::Complete, Text::Complete, Text::Completing, "complete")}
            </div>
        }
        .into_any(),
        Column::Pickup => view! { <p class="ready-note">{t(Text::ReadyForPickup)}</p> }.into_any(),
    };
    let age_class = move || Age::of(now.get() - since, &windows).class();
    let ticking = card.column != Column::Pickup;
    let i18n = use_i18n();
    let card_label = t(Text::OrderCard.with("number", &number));
    let highlighted = {
        let drink = card.order.drink.as_ref().map(|d| d.drink.clone());
        let highlight = ctx.highlight;
        move || ticking && highlight.with(|h| h.is_some() && *h == drink)
    };
    let by_robot = {
        let (id, made) = (card.order.id.clone(), ctx.robot_made);
        move || made.with(|m| m.contains(&id))
    };
    // Selected by the keyboard while it has something to do (not in Pickup).
    let is_selected = {
        let (id, selected) = (card.order.id.clone(), ctx.selected);
        move || ticking && selected.with(|s| s.as_deref() == Some(id.as_str()))
    };

    view! {
        <article class=move || format!("order-card {}{}", if ticking { age_class() } else { "ready" },
                if highlighted() { " highlighted" } else { "" })
            aria-current=move || is_selected().then_some("true")
            data-order=card.order.id.clone() aria-label=card_label>
            <header>
                <span class="order-card-number">{number.clone()}</span>
                {card.order.robot.then(|| view! { <span class="badge robot">{t(Text::Robot)}</span> })}
                {ticking.then(|| view! {
                    <span class="age" role="timer" aria-label=t(Text::WaitingFor)>{move || i18n.say(age_text(since, now.get()))}</span>
                })}
            </header>
            <p class="order-card-drink" translate="no">{drink.map(|d| d.drink).unwrap_or_default()}</p>
            {options.map(|o| view! { <p class="order-card-options" translate="no">{o}</p> })}
            {move || by_robot().then(|| view! { <p class="robot-made">{t(Text::MadeByRobot)}</p> })}
            {(card.column == Column::Production).then(|| view! { <TicketState order_id=card.order.id.clone()/> })}
            {actions}
        </article>
    }
}
