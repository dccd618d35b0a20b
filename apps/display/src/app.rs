use crate::pages::{BoardPage, Toolbar};
use leptos::prelude::*;
use shared::ui::StaffApp;
use shared::AppKind;

/// The board needs an admin (only admins may read the QR code).
#[component]
pub fn App() -> impl IntoView {
    view! {
        <StaffApp app=AppKind::Display chrome=|| view! { <Toolbar/> }.into_any()
            main_class="display-main" screen=|| view! { <BoardPage/> }.into_any()/>
    }
}
