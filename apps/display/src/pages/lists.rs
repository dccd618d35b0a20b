//! Preparing and Ready: big numbers and drink names, readable across a room.

use crate::board::{fitting, Row};
use crate::context::BoardContext;
use crate::text::Text;
use leptos::prelude::*;
use shared::i18n::Message;
use shared::ui::{t, use_i18n};

/// The cells a list has on a 16:9 screen at this type size (two columns of six); the
/// last one says "+ N more" when there are more orders than cells.
const CELLS: usize = 12;

fn number_text(number: Option<u32>) -> String {
    number.map(|n| format!("#{n}")).unwrap_or_default()
}

/// One list: its rows, "+ N more", or what an empty list means.
#[component]
fn List(title: Text, class: &'static str, empty: Text, rows: Signal<Vec<Row>>) -> impl IntoView {
    let live = expect_context::<BoardContext>().live;
    let i18n = use_i18n();
    let shown = Memo::new(move |_| rows.with(|r| fitting(r, CELLS)));
    let (heading_id, labelled_by) = (format!("{class}-title"), format!("{class}-title"));
    view! {
        <section class="display-panel" aria-labelledby=labelled_by>
            <h2 id=heading_id>{t(title)}</h2>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="display-empty">{t(empty)}</p>
            </Show>
            <ol class=format!("display-list {class}") aria-live=if class == "ready" { "polite" } else { "off" }>
                <For each=move || shown.get().0 key=|row| row.order_id.clone() let:row>
                    {
                        let id = row.order_id.clone();
                        let highlighted = move || live.model.with(|m| m.highlighted(&id, live.now.get()));
                        view! {
                            <li class="display-row" class:highlight=highlighted data-order=row.order_id.clone()>
                                <span class="display-number">{number_text(row.number)}</span>
                                <span class="display-drink" translate="no">{row.drink}</span>
                            </li>
                        }
                    }
                </For>
                {move || match shown.get().1 {
                    0 => None,
                    more => Some(view! { <li class="display-row more">{move || i18n.say(Text::More.count(more as i64))}</li> }),
                }}
            </ol>
        </section>
    }
}

#[component]
pub fn Preparing() -> impl IntoView {
    let live = expect_context::<BoardContext>().live;
    let rows = Signal::derive(move || live.model.with(|m| m.preparing.clone()));
    view! { <List title=Text::Preparing class="preparing" empty=Text::NoOrdersYet rows/> }
}

#[component]
pub fn Ready() -> impl IntoView {
    let live = expect_context::<BoardContext>().live;
    let rows = Signal::derive(move || live.model.with(|m| m.ready.clone()));
    view! { <List title=Text::Ready class="ready" empty=Text::ReadyAppearHere rows/> }
}
