use super::i18n::LanguageSwitchLater;
use super::{t, SettingsContext};
use crate::text::{app_name, Common};
use leptos::prelude::*;

/// The header every app shares: skip link, logo, app name, then the app's own links
/// (none on screens shown before sign-in), and the language switch.
#[component]
pub fn AppHeader(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    let app = expect_context::<SettingsContext>().app;
    view! {
        <a class="skip-link" href="#main">{t(Common::SkipToContent)}</a>
        <header class="app-header">
            <a class="brand" href=super::browser::base_uri()>
                <img src="icons/logo.svg" alt="" width="32" height="32"/>
                <span class="brand-name" translate="no">"Serverlesspresso"</span>
                <span class="brand-app">{t(app_name(app))}</span>
            </a>
            {children.map(|links| view! { <nav class="app-nav" aria-label=t(Common::MainNav)>{links()}</nav> })}
            <LanguageSwitchLater/>
        </header>
    }
}
