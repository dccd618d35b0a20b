//! A toolbar button that opens and closes a panel of the console (Recent orders, Keys).

use leptos::prelude::*;

/// Shows or hides the panel whose id is `controls`, as `open` says; announced as
/// expanded or collapsed.
#[component]
pub fn PanelButton(
    label: &'static str,
    controls: &'static str,
    open: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <button type="button" class="button secondary" aria-expanded=move || open.get().to_string()
            aria-controls=controls on:click=move |_| open.update(|o| *o = !*o)>
            {label}
        </button>
    }
}
