//! The all-day strip above the columns: each drink waiting to be made, with its count
//! and options, live; tapping one highlights its cards (tapping again, or another,
//! moves on).

use crate::board::AllDay;
use crate::context::ConsoleContext;
use crate::text::Text;
use leptos::prelude::*;
use shared::ui::t;

#[component]
pub fn AllDayStrip() -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let (board, highlight) = (ctx.live.model, ctx.highlight);
    let counts = Memo::new(move |_| board.with(|b| b.all_day()));
    // A drink no longer waiting is no longer highlighted.
    Effect::new(move |_| {
        let gone = highlight
            .get()
            .is_some_and(|d| counts.with(|c| !c.iter().any(|a| a.drink == d)));
        if gone {
            highlight.set(None);
        }
    });
    view! {
        <Show when=move || counts.with(|c| !c.is_empty())>
            <nav class="all-day" aria-labelledby="all-day-title">
                <span id="all-day-title" class="all-day-title">{t(Text::ToMake)}</span>
                <For each=move || counts.get() key=|a| (a.drink.clone(), a.count, a.options.clone()) let:count>
                    <AllDayButton count/>
                </For>
            </nav>
        </Show>
    }
}

#[component]
fn AllDayButton(count: AllDay) -> impl IntoView {
    let highlight = expect_context::<ConsoleContext>().highlight;
    let drink = count.drink.clone();
    let pressed = {
        let drink = drink.clone();
        move || highlight.with(|h| h.as_deref() == Some(drink.as_str()))
    };
    let toggle = {
        let pressed = pressed.clone();
        move |_| highlight.set((!pressed()).then(|| drink.clone()))
    };
    view! {
        <button type="button" class="all-day-drink" translate="no" aria-pressed=move || pressed().to_string() on:click=toggle>
            <span class="all-day-count">{count.label()}</span>
            {count.options_text().map(|o| view! { <span class="all-day-options">{o}</span> })}
        </button>
    }
}
