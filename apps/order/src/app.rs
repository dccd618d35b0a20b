use crate::pages::{HistoryPage, OrderHome};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use shared::ui::{
    browser, provide_auth, provide_settings, AppHeader, NotFound, RequireSettings, RequireSignIn,
    SettingsScreen, SignOutButton,
};
use shared::{AppKind, Settings};

/// Customers reach `/` (from the QR code) and `/history`; `/settings` is for staff and
/// linked from nowhere a customer sees.
#[component]
pub fn App() -> impl IntoView {
    provide_settings(AppKind::Order);
    view! {
        <Router base=browser::base_path()>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <RequireSettings><CustomerShell><OrderHome/></CustomerShell></RequireSettings> }/>
                <Route path=path!("/history") view=|| view! { <RequireSettings><CustomerShell><HistoryPage/></CustomerShell></RequireSettings> }/>
                <Route path=path!("/settings") view=SettingsScreen/>
            </Routes>
        </Router>
    }
}

/// Header and page for a customer: sign in first, then the page.
#[component]
fn CustomerShell(children: ChildrenFn) -> impl IntoView {
    let settings = expect_context::<Settings>();
    provide_auth(&settings, AppKind::Order);
    view! {
        <AppHeader>
            <A href="./" exact=true>"Order"</A>
            <A href="history">"History"</A>
            <SignOutButton/>
        </AppHeader>
        <main id="main" class="app-main order-main">
            <RequireSignIn>{children()}</RequireSignIn>
        </main>
    }
}
