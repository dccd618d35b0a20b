use crate::pages::Console;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use shared::ui::{
    browser, provide_auth, provide_settings, AppHeader, NotFound, RequireSettings, RequireSignIn,
    SettingsScreen, SignOutButton,
};
use shared::{AppKind, Settings};

#[component]
pub fn App() -> impl IntoView {
    provide_settings(AppKind::Barista);
    view! {
        <Router base=browser::base_path()>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <RequireSettings><SignedInShell/></RequireSettings> }/>
                <Route path=path!("/settings") view=SettingsScreen/>
            </Routes>
        </Router>
    }
}

/// Baristas only: the console needs the `admin` group.
#[component]
fn SignedInShell() -> impl IntoView {
    let settings = expect_context::<Settings>();
    provide_auth(&settings, AppKind::Barista);
    view! {
        <AppHeader>
            <A href="settings">"Settings"</A>
            <SignOutButton/>
        </AppHeader>
        <main id="main" class="app-main wide">
            <RequireSignIn admin_only=true>
                <Console/>
            </RequireSignIn>
        </main>
    }
}
