//! Whether the page is in front of someone: a phone locks or puts the tab behind another,
//! and the page should catch up the moment it is back.

use leptos::leptos_dom::helpers::window_event_listener_untyped;
use leptos::prelude::*;

fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| !d.hidden())
}

/// Whether the page is visible now (`document.visibilityState`), kept current for as long
/// as the calling component lives.
///
/// ```no_run
/// use leptos::prelude::*;
/// use shared::ui::use_page_visible;
///
/// #[component]
/// fn Away() -> impl IntoView {
///     let visible = use_page_visible();
///     move || (!visible.get()).then_some("Welcome back soon")
/// }
/// ```
pub fn use_page_visible() -> ReadSignal<bool> {
    let (visible, set_visible) = signal(page_visible());
    // `visibilitychange` is fired at the document and bubbles to the window.
    let handle = window_event_listener_untyped("visibilitychange", move |_| {
        set_visible.set(page_visible());
    });
    on_cleanup(move || handle.remove());
    visible
}
