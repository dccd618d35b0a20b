use crate::pages::{BoardPage, Toolbar};
use leptos::prelude::*;
use shared::deferred_screen;
use shared::ui::{Deferred, StaffApp};
use shared::AppKind;

/// The board needs an admin (only admins may read the QR code).
#[component]
pub fn App() -> impl IntoView {
    view! {
        <StaffApp app=AppKind::Display chrome=|| view! { <Toolbar/> }.into_any()
            main_class="display-main" screen=|| view! { <Deferred load=board/> }.into_any()/>
    }
}

// The sign-in form comes first: the board loads when first shown (split off in the
// release build).
deferred_screen!(board => BoardPage);
