use super::SettingsContext;
use leptos::prelude::*;

/// The header every app shares: skip link, logo, app name, then the app's own links.
#[component]
pub fn AppHeader(children: Children) -> impl IntoView {
    let app = expect_context::<SettingsContext>().app;
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <a class="brand" href=super::browser::base_uri()>
                <img src="icons/logo.svg" alt="" width="32" height="32"/>
                <span class="brand-name">"Serverlesspresso"</span>
                <span class="brand-app">{app.title()}</span>
            </a>
            <nav class="app-nav" aria-label="Main">{children()}</nav>
        </header>
    }
}
