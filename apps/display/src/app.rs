use crate::pages::{BoardPage, Toolbar};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use shared::ui::{
    browser, provide_auth, provide_settings, NotFound, RequireSettings, RequireSignIn,
    SettingsScreen,
};
use shared::{AppKind, Settings};

#[component]
pub fn App() -> impl IntoView {
    provide_settings(AppKind::Display);
    view! {
        <Router base=browser::base_path()>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <RequireSettings><SignedInShell/></RequireSettings> }/>
                <Route path=path!("/settings") view=SettingsScreen/>
            </Routes>
        </Router>
    }
}

/// The board needs an admin (only admins may read the QR code).
#[component]
fn SignedInShell() -> impl IntoView {
    let settings = expect_context::<Settings>();
    provide_auth(&settings, AppKind::Display);
    view! {
        <Toolbar/>
        <main id="main" class="display-main">
            <RequireSignIn admin_only=true>
                <BoardPage/>
            </RequireSignIn>
        </main>
    }
}
