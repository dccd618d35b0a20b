use super::SettingsContext;
use leptos::prelude::*;

/// The header every app shares: skip link, logo, app name, then the app's own links
/// (none on screens shown before sign-in).
#[component]
pub fn AppHeader(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    let app = expect_context::<SettingsContext>().app;
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <a class="brand" href=super::browser::base_uri()>
                <img src="icons/logo.svg" alt="" width="32" height="32"/>
                <span class="brand-name">"Serverlesspresso"</span>
                <span class="brand-app">{app.title()}</span>
            </a>
            {children.map(|links| view! { <nav class="app-nav" aria-label="Main">{links()}</nav> })}
        </header>
    }
}
