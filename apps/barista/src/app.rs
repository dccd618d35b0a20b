use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use shared::ui::{
    browser, provide_settings, AppHeader, NotFound, ReadyPage, RequireSettings, SettingsPage,
};
use shared::AppKind;

#[component]
pub fn App() -> impl IntoView {
    provide_settings(AppKind::Barista);
    view! {
        <Router base=browser::base_path()>
            <AppHeader>
                <A href="settings">"Settings"</A>
            </AppHeader>
            <main id="main" class="app-main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <RequireSettings><ReadyPage/></RequireSettings> }/>
                    <Route path=path!("/settings") view=SettingsPage/>
                </Routes>
            </main>
        </Router>
    }
}
