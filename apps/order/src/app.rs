use crate::pages::{HistoryPage, OrderHome};
use crate::text::Text;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router, A};
use leptos_router::path;
use shared::deferred_screen;
use shared::text::Common;
use shared::ui::t;
use shared::ui::{
    browser, provide_auth, provide_settings, AppHeader, Auth, Deferred, NotFound, RequireSettings,
    SettingsScreen, SignInPage, SignOutButton,
};
use shared::{AppKind, Settings};

/// Customers reach `/` (from the QR code) and `/history`; `/settings` is for staff and
/// linked from nowhere a customer sees. Which of them an address is, is read once when the
/// app loads; moving between the customer's two pages is the router's, which comes with
/// those pages after sign-in, so that the first screen of a fresh phone loads without it.
#[component]
pub fn App() -> impl IntoView {
    provide_settings(AppKind::Order);
    match browser::app_path().trim_end_matches('/') {
        "" | "/history" => view! { <RequireSettings><Customer/></RequireSettings> }.into_any(),
        "/settings" => view! { <SettingsScreen/> }.into_any(),
        _ => view! { <NotFound/> }.into_any(),
    }
}

/// A customer: the sign-in form, then their pages.
#[component]
fn Customer() -> impl IntoView {
    let settings = expect_context::<Settings>();
    provide_auth(&settings, AppKind::Order);
    let user = expect_context::<Auth>().user;
    // Only signing in or out changes the page, not a token refresh.
    let signed_in = Memo::new(move |_| user.with(Option::is_some));
    // Someone typing into the sign-in form will want their pages next: fetch them meanwhile.
    let prefetched = StoredValue::new(false);
    let prefetch = move |_| {
        if !prefetched.get_value() {
            prefetched.set_value(true);
            leptos::task::spawn_local(async {
                // A failure here is tried again when the pages are shown.
                let _ = prefetch_customer_pages().await;
            });
        }
    };
    let sign_in = move || {
        view! {
            <AppHeader/>
            <main id="main" class="app-main order-main" on:input=prefetch><SignInPage/></main>
        }
    };
    view! {
        <Show when=move || signed_in.get() fallback=sign_in>
            <Deferred load=customer_pages loading=|| view! {
                <AppHeader/>
                <main id="main" class="app-main order-main">
                    <div class="spinner" role="status" aria-label=t(Common::Loading)></div>
                </main>
            }/>
        </Show>
    }
}

// The first screen a fresh phone sees is the sign-in form: the pages behind it, with the
// router, are fetched once the customer starts signing in (split off in the release build).
deferred_screen!(customer_pages => CustomerPages, prefetch prefetch_customer_pages);

/// The customer's pages and their header, once signed in.
#[component]
fn CustomerPages() -> impl IntoView {
    view! {
        <Router base=browser::base_path()>
            <AppHeader>
                <A href="./" exact=true>{t(Text::NavOrder)}</A>
                <A href="history">{t(Text::NavHistory)}</A>
                <SignOutButton/>
            </AppHeader>
            <main id="main" class="app-main order-main">
                <FlatRoutes fallback=|| ()>
                    <Route path=path!("/") view=OrderHome/>
                    <Route path=path!("/history") view=HistoryPage/>
                </FlatRoutes>
            </main>
        </Router>
    }
}
