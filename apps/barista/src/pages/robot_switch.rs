//! The robot switch and its speed (staff only, as the original console's): while on, the
//! console makes and completes the robot customers' orders at the chosen share every
//! tick, never a person's; closing the store turns it off. The cards it handles say so.

use super::card::act;
use crate::context::ConsoleContext;
use crate::robot;
use crate::text::Text;
use leptos::prelude::*;
use shared::i18n::Message;
use shared::ui::use_i18n;
use std::time::Duration;

#[component]
pub fn RobotSwitch() -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let (board, made) = (ctx.live.model, ctx.robot_made);
    let on = RwSignal::new(false);
    let speed = RwSignal::new(50u8);
    let i18n = use_i18n();
    let period = board.with_untracked(|b| robot::period_ms(&b.windows));
    // Closing the store turns the robot off (as the original's did).
    Effect::new(move |_| {
        if board.with(|b| b.store_open) == Some(false) {
            on.set(false);
        }
    });
    let tick = move || {
        if !on.get_untracked() {
            return;
        }
        // What it made and is no longer on the board is done with.
        made.update(|m| board.with_untracked(|b| m.retain(|id| b.cards.contains_key(id))));
        let actions = board
            .with_untracked(|b| made.with_untracked(|m| robot::tick(b, speed.get_untracked(), m)));
        for (id, action) in actions {
            if action == shared::api::OrderAction::Make {
                made.update(|m| {
                    m.insert(id.clone());
                });
            }
            act(&ctx, id, action);
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(period as u64)) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <div class="robot-switch">
            <button type="button" class="button secondary" aria-pressed=move || on.get().to_string()
                on:click=move |_| on.update(|o| *o = !*o)>
                {move || i18n.say(if on.get() { Text::RobotOn } else { Text::RobotOff })}
            </button>
            <label class="robot-speed">
                <span>{move || i18n.say(Text::RobotSpeed.with("percent", speed.get()))}</span>
                <input type="range" min="0" max="100" step="10" prop:value=move || speed.get().to_string()
                    on:input=move |ev| speed.set(event_target_value(&ev).parse().unwrap_or(50))/>
            </label>
        </div>
    }
}
