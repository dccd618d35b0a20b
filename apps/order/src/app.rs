use crate::pages::{HistoryPage, OrderHome};
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router, A};
use leptos_router::path;
use shared::deferred_screen;
use shared::ui::{
    browser, provide_auth, provide_settings, AppHeader, Deferred, NotFound, RequireSettings,
    RequireSignIn, SettingsScreen, SignOutButton,
};
use shared::{AppKind, Settings};

/// Customers reach `/` (from the QR code) and `/history`; `/settings` is for staff and
/// linked from nowhere a customer sees.
#[component]
pub fn App() -> impl IntoView {
    provide_settings(AppKind::Order);
    view! {
        <Router base=browser::base_path()>
            <FlatRoutes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <RequireSettings><CustomerShell><Deferred load=order_home/></CustomerShell></RequireSettings> }/>
                <Route path=path!("/history") view=|| view! { <RequireSettings><CustomerShell><Deferred load=history/></CustomerShell></RequireSettings> }/>
                <Route path=path!("/settings") view=SettingsScreen/>
            </FlatRoutes>
        </Router>
    }
}

// The first screen a fresh phone sees is the sign-in form: the screens behind it load
// when first shown (split off in the release build).
deferred_screen!(order_home => OrderHome);
deferred_screen!(history => HistoryPage);

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
