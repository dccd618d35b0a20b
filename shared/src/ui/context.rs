//! The settings an app runs with, in context: this browser's saved settings and the
//! deployment's `settings.json`, resolved by the rules of [`crate::trust`].

use super::browser::{self, StorageError};
use crate::kind::AppKind;
use crate::settings::{FieldErrors, Settings, SettingsDraft};
use crate::trust::{self, Deployment, Resolution};
use leptos::prelude::*;

/// The settings deployed beside the app (`settings.json` next to its `index.html`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deployed {
    Found(Deployment),
    /// The host has no `settings.json` for this app.
    Missing,
    /// There is a file, but it could not be fetched or read.
    Unreadable(String),
}

impl Deployed {
    /// The deployment whose rules apply, if the file was read.
    pub fn deployment(&self) -> Option<&Deployment> {
        match self {
            Self::Found(deployment) => Some(deployment),
            Self::Missing | Self::Unreadable(_) => None,
        }
    }
}

/// Where the settings an app runs with came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Saved in this browser (on top of the deployment's, where it allows).
    Browser,
    Deployment,
}

/// What [`SettingsContext::resolve`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The deployed file is still on its way.
    Pending,
    Ready(Box<Settings>, Source),
    /// Neither the deployment nor this browser has usable settings; the reason is for
    /// staff, never shown as fields to a customer.
    NotSetUp(String),
}

/// Which app this is and where its settings come from. Settings only change through
/// "Save and reload" or a new deployment, so this is plain data and one resource.
#[derive(Clone)]
pub struct SettingsContext {
    pub app: AppKind,
    /// What this browser saved (empty when nothing was).
    pub stored: SettingsDraft,
    /// Storage could not be read at all, or held something unreadable.
    pub load_error: Option<StorageError>,
    /// The deployment's settings file. It is authoritative, so it is always fetched
    /// (the page preloads it beside the code).
    pub deployed: LocalResource<Deployed>,
}

impl SettingsContext {
    pub fn load(app: AppKind) -> Self {
        let (stored, load_error) = match browser::load_draft(app) {
            Ok(draft) => (draft.unwrap_or_default(), None),
            Err(e) => (SettingsDraft::default(), Some(e)),
        };
        Self {
            app,
            stored,
            load_error,
            deployed: LocalResource::new(fetch_deployed),
        }
    }

    /// The deployment's rules and this browser's settings, once the file has arrived.
    fn resolution(&self) -> Option<Resolution> {
        let deployed = self.deployed.get()?;
        Some(trust::resolve(
            self.app,
            &self.stored,
            deployed.deployment(),
        ))
    }

    /// The settings this app runs with, and where they came from.
    pub fn resolve(&self) -> Resolved {
        match self.resolution() {
            None => Resolved::Pending,
            Some(Resolution::Ready {
                settings,
                from_browser,
                ..
            }) => Resolved::Ready(
                settings,
                if from_browser {
                    Source::Browser
                } else {
                    Source::Deployment
                },
            ),
            Some(Resolution::NotSetUp { reason, .. }) => match self.deployed.get() {
                Some(Deployed::Unreadable(why)) => Resolved::NotSetUp(why),
                _ => Resolved::NotSetUp(reason),
            },
        }
    }

    /// Settings saved in this browser that the rules refuse (they are not used), and why.
    pub fn set_aside(&self) -> Option<FieldErrors> {
        match self.resolution()? {
            Resolution::Ready { set_aside, .. } | Resolution::NotSetUp { set_aside, .. } => {
                set_aside
            }
        }
    }

    /// The deployment, once its file has arrived and if there is one.
    pub fn deployment(&self) -> Option<Deployment> {
        self.deployed.get()?.deployment().cloned()
    }

    /// What the settings form starts from: what the app runs with, else the deployment's
    /// values with this browser's on top.
    pub fn starting_draft(&self) -> SettingsDraft {
        match self.resolve() {
            Resolved::Ready(settings, _) => settings.draft().clone(),
            _ => self
                .deployment()
                .map(|d| d.draft.for_app(self.app))
                .unwrap_or_default()
                .overlaid_with(&self.stored),
        }
    }
}

/// `settings.json` beside the app's `index.html`. The page preloads it (so it arrives with
/// the code, not after it) and this fetch, in the browser's default cache mode, takes that
/// answer. A new deployment's values still arrive on the next load: the file is served
/// `Cache-Control: no-cache` and the service worker fetches it from the network first.
async fn fetch_deployed() -> Deployed {
    use gloo_net::http::Request;
    let url = format!("{}settings.json", browser::base_uri());
    let response = match Request::get(&url).send().await {
        Ok(response) => response,
        Err(_) => {
            return Deployed::Unreadable(format!("{url} could not be fetched (offline?)"));
        }
    };
    match response.status() {
        200 => match response.text().await {
            // A host that answers every path with the app's page (SPA fallback) has no
            // settings file either.
            Ok(text) if text.trim_start().starts_with('<') => Deployed::Missing,
            Ok(text) => match Deployment::from_json(&text) {
                Ok(deployment) => Deployed::Found(deployment),
                Err(e) => Deployed::Unreadable(format!("{url} is not a settings file: {e}")),
            },
            Err(_) => Deployed::Unreadable(format!("{url} could not be read")),
        },
        404 => Deployed::Missing,
        status => Deployed::Unreadable(format!("{url} answered HTTP {status}")),
    }
}

/// Reads this app's saved settings and the deployed ones, and provides them to every
/// component below.
pub fn provide_settings(app: AppKind) {
    super::provide_i18n(app);
    provide_context(SettingsContext::load(app));
}
