use crate::pages::Console;
use crate::text::Text;
use leptos::prelude::*;
use shared::deferred_screen;
use shared::ui::{t, AppHeader, Deferred, SignOutButton, StaffApp};
use shared::AppKind;

/// Baristas only: the console needs the `admin` group.
#[component]
pub fn App() -> impl IntoView {
    let header = || {
        view! {
            <AppHeader>
                <a href="settings">{t(Text::Settings)}</a>
                <SignOutButton/>
            </AppHeader>
        }
        .into_any()
    };
    view! { <StaffApp app=AppKind::Barista chrome=header main_class="app-main wide" screen=|| view! { <Deferred load=console/> }.into_any()/> }
}

// The sign-in form comes first: the console loads when first shown (split off in the
// release build).
deferred_screen!(console => Console);
