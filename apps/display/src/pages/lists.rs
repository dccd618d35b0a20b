//! Preparing and Ready: big numbers and drink names, readable across a room.

use super::board_page::BoardContext;
use crate::board::{fitting, Row};
use leptos::prelude::*;

/// Rows that fit a 1080p board at this type size.
const PREPARING_ROWS: usize = 14;
const READY_ROWS: usize = 14;
/// How long a newly ready order is highlighted.
const HIGHLIGHT_MS: i64 = 10_000;

fn row_view(row: Row, highlighted: bool) -> impl IntoView {
    view! {
        <li class=if highlighted { "display-row highlight" } else { "display-row" } data-order=row.order_id.clone()>
            <span class="display-number">{row.number.map(|n| n.to_string()).unwrap_or_default()}</span>
            <span class="display-drink">{row.drink}</span>
        </li>
    }
}

#[component]
pub fn Preparing() -> impl IntoView {
    let ctx = expect_context::<BoardContext>();
    let lists = ctx.lists;
    let shown = move || lists.with(|l| fitting(&l.preparing, PREPARING_ROWS));
    view! {
        <section class="display-panel" aria-labelledby="preparing-title">
            <h2 id="preparing-title">"Preparing"</h2>
            <ol class="display-list preparing">
                <For each=move || shown().0 key=|row| row.order_id.clone() let:row>
                    {row_view(row, false)}
                </For>
            </ol>
            {move || match shown().1 {
                0 => None,
                more => Some(view! { <p class="more">{format!("+ {more} more")}</p> }),
            }}
        </section>
    }
}

#[component]
pub fn Ready() -> impl IntoView {
    let ctx = expect_context::<BoardContext>();
    let (lists, just_ready, now) = (ctx.lists, ctx.just_ready, ctx.now);
    let highlighted = move |id: &str| {
        just_ready.with(|j| {
            j.as_ref()
                .is_some_and(|(ready, at)| ready == id && now.get() - at < HIGHLIGHT_MS)
        })
    };
    view! {
        <section class="display-panel" aria-labelledby="ready-title">
            <h2 id="ready-title">"Ready"</h2>
            <ol class="display-list ready" aria-live="polite">
                <For each=move || lists.with(|l| fitting(&l.ready, READY_ROWS).0) key=|row| row.order_id.clone() let:row>
                    {
                        let id = row.order_id.clone();
                        move || row_view(row.clone(), highlighted(&id))
                    }
                </For>
            </ol>
        </section>
    }
}
