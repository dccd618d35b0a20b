//! The console from a keyboard or a bump bar: a key selects a card (a thick ring around
//! it), Enter does its main action, `u` unmakes, Delete asks to cancel, `?` shows the
//! keys, where each action can be given another key (see [`crate::keys`]).

use super::card::act;
use super::panel::PanelButton;
use crate::board::Column;
use crate::context::ConsoleContext;
use crate::keys::{navigate, KeyAction, KeyMap, Press};
use crate::text::{key_action, Text};
use leptos::ev;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys;
use shared::api::OrderAction;
use shared::ui::{browser, t, use_i18n, I18n};

/// Where this browser keeps its key map.
const KEYS_KEY: &str = "serverlesspresso.barista.keys";

/// A key typed into a field or a confirmation is not a command.
fn typing_or_confirming(event: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element
            .closest(".confirm, .keys-panel")
            .ok()
            .flatten()
            .is_some()
}

/// The keyboard's commands for the console, and the keys panel (`?`).
#[component]
pub fn KeyboardControl() -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let (board, selected) = (ctx.live.model, ctx.selected);
    let keymap = RwSignal::new(
        browser::recall(KEYS_KEY)
            .map(|text| KeyMap::from_text(&text))
            .unwrap_or_default(),
    );
    let panel_open = RwSignal::new(false);
    let i18n = use_i18n();
    // The action waiting for its new key in the panel.
    let capturing = RwSignal::new(None::<KeyAction>);

    let handle = window_event_listener(ev::keydown, move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let key = event.key();
        if let Some(action) = capturing.get_untracked() {
            if key != "Escape" && !matches!(key.as_str(), "Shift" | "Control" | "Alt" | "Meta") {
                keymap.update(|m| {
                    m.rebind(action, &key);
                    browser::remember(KEYS_KEY, &m.to_text());
                });
            }
            capturing.set(None);
            event.prevent_default();
            return;
        }
        let Some(press) = keymap.with_untracked(|m| m.press(&key)) else {
            return;
        };
        if press == Press::Action(KeyAction::Help)
            || (panel_open.get_untracked() && press == Press::Action(KeyAction::Clear))
        {
            panel_open.update(|o| *o = !*o);
            event.prevent_default();
            return;
        }
        if typing_or_confirming(&event) {
            return;
        }
        event.prevent_default();
        let current = selected.get_untracked();
        let card = current
            .as_ref()
            .and_then(|id| board.with_untracked(|b| b.cards.get(id).cloned()));
        match (press, card) {
            (Press::Action(KeyAction::Main), Some(card)) => match card.column {
                Column::Preview if !card.claimed_by_other => {
                    act(&ctx, card.order.id, OrderAction::Make)
                }
                Column::Production => act(&ctx, card.order.id, OrderAction::Complete),
                _ => {}
            },
            (Press::Action(KeyAction::Unmake), Some(card)) if card.column == Column::Production => {
                act(&ctx, card.order.id, OrderAction::Unmake);
            }
            (Press::Action(KeyAction::Cancel), Some(card)) => ask_to_cancel(&card.order.id),
            (Press::Action(KeyAction::Main | KeyAction::Unmake | KeyAction::Cancel), _) => {}
            (press, _) => {
                let next = board.with_untracked(|b| navigate(b, current.as_deref(), press));
                if let Some(id) = &next {
                    scroll_to(id);
                }
                selected.set(next);
            }
        }
    });
    on_cleanup(move || handle.remove());

    view! {
        <PanelButton label=Text::Keys controls="keys-panel" open=panel_open/>
        <section id="keys-panel" class="keys-panel card" aria-labelledby="keys-title" hidden=move || !panel_open.get()>
            <h2 id="keys-title">{t(Text::Keys)}</h2>
            <p>{t(Text::KeysHelp)}</p>
            <table class="keys-table">
                <tbody>
                    {KeyAction::ALL.into_iter().map(|action| view! {
                        <tr>
                            <th scope="row">{t(key_action(action))}</th>
                            <td><kbd>{move || keymap.with(|m| key_label(m.key_for(action), i18n))}</kbd></td>
                            <td>
                                <button type="button" class="button secondary" on:click=move |_| capturing.set(Some(action))>
                                    {move || i18n.say(if capturing.get() == Some(action) { Text::PressAKey } else { Text::Change })}
                                </button>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <div class="button-row">
                <button type="button" class="button secondary" on:click=move |_| {
                    keymap.set(KeyMap::default());
                    browser::remember(KEYS_KEY, &KeyMap::default().to_text());
                }>{t(Text::DefaultKeys)}</button>
                <button type="button" class="button" on:click=move |_| panel_open.set(false)>{t(Text::Close)}</button>
            </div>
        </section>
    }
}

/// A key as people know it: "↓", "Enter", "U".
fn key_label(key: &str, i18n: I18n) -> String {
    match key {
        "ArrowDown" => "↓".into(),
        "ArrowUp" => "↑".into(),
        "ArrowLeft" => "←".into(),
        "ArrowRight" => "→".into(),
        " " => i18n.say(Text::SpaceKey),
        k if k.chars().count() == 1 => k.to_uppercase(),
        k => k.into(),
    }
}

fn card_element(order_id: &str) -> Option<web_sys::Element> {
    let css = format!(".order-card[data-order=\"{order_id}\"]");
    document().query_selector(&css).ok().flatten()
}

fn scroll_to(order_id: &str) {
    if let Some(card) = card_element(order_id) {
        card.scroll_into_view_with_bool(false);
    }
}

/// Opens the card's own confirmation, as a tap on Cancel would (its "Yes" takes focus).
fn ask_to_cancel(order_id: &str) {
    let cancel = card_element(order_id)
        .and_then(|card| {
            card.query_selector(".card-actions .danger-quiet")
                .ok()
                .flatten()
        })
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = cancel {
        button.click();
    }
}
