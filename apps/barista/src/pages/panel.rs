//! A toolbar button that opens and closes a panel of the console (Recent orders, Keys).

use crate::text::Text;
use leptos::prelude::*;
use shared::ui::t;

/// Shows or hides the panel whose id is `controls`, as `open` says; announced as
/// expanded or collapsed.
#[component]
pub fn PanelButton(label: Text, controls: &'static str, open: RwSignal<bool>) -> impl IntoView {
    view! {
        <button type="button" class="button secondary" aria-expanded=move || open.get().to_string()
            aria-controls=controls on:click=move |_| open.update(|o| *o = !*o)>
            {t(label)}
        </button>
    }
}
