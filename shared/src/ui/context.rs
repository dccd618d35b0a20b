use super::browser::{self, StorageError};
use crate::settings::{AppKind, FieldErrors, Settings, SettingsDraft};
use leptos::prelude::*;

/// The settings deployed beside the app (`settings.json` next to its `index.html`),
/// fetched at boot when this browser holds none of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deployed {
    /// This browser has settings of its own: the file was not fetched.
    NotNeeded,
    Found(SettingsDraft),
    /// The host has no `settings.json` for this app.
    Missing,
    /// There is a file, but it could not be fetched or read.
    Unreadable(String),
}

/// Where the settings an app runs with came from. Precedence: a staff hand-off link
/// (which opens the settings page to be saved), this browser's storage, the deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Browser,
    Deployment,
}

/// What [`SettingsContext::resolve`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The deployed file is still on its way.
    Pending,
    Ready(Box<Settings>, Source),
    /// Neither this browser nor the deployment has usable settings; the reason is for
    /// staff, never shown as fields to a customer.
    NotSetUp(String),
}

/// Which app this is and where its settings come from. Settings only change through
/// "Save and reload" or a new deployment, so this is plain data and one resource.
#[derive(Clone)]
pub struct SettingsContext {
    pub app: AppKind,
    /// What storage held (empty when nothing was saved).
    pub stored: SettingsDraft,
    /// Storage could not be read at all, or held something unreadable.
    pub load_error: Option<StorageError>,
    /// The stored draft, validated for this app.
    pub validated: Result<Settings, FieldErrors>,
    /// The deployment's settings file, fetched only when storage has no valid settings.
    pub deployed: LocalResource<Deployed>,
}

impl SettingsContext {
    pub fn load(app: AppKind) -> Self {
        let (stored, load_error) = match browser::load_draft(app) {
            Ok(draft) => (draft.unwrap_or_default(), None),
            Err(e) => (SettingsDraft::default(), Some(e)),
        };
        let validated = stored.validate(app);
        let needed = validated.is_err();
        let deployed = LocalResource::new(move || async move {
            if needed {
                fetch_deployed().await
            } else {
                Deployed::NotNeeded
            }
        });
        Self {
            app,
            stored,
            load_error,
            validated,
            deployed,
        }
    }

    /// The settings this app runs with, and where they came from.
    pub fn resolve(&self) -> Resolved {
        if let Ok(settings) = &self.validated {
            return Resolved::Ready(Box::new(settings.clone()), Source::Browser);
        }
        match self.deployed.get() {
            None => Resolved::Pending,
            Some(Deployed::Found(draft)) => match draft.validate(self.app) {
                Ok(settings) => Resolved::Ready(Box::new(settings), Source::Deployment),
                Err(errors) => Resolved::NotSetUp(format!(
                    "the deployed settings.json is incomplete: {errors}"
                )),
            },
            Some(Deployed::Missing | Deployed::NotNeeded) => {
                Resolved::NotSetUp("no settings.json is deployed with this app".into())
            }
            Some(Deployed::Unreadable(why)) => Resolved::NotSetUp(why),
        }
    }

    /// What the settings form starts from: this browser's values, else the deployment's.
    pub fn starting_draft(&self) -> SettingsDraft {
        match (self.stored.is_empty(), self.deployed.get()) {
            (true, Some(Deployed::Found(draft))) => draft.for_app(self.app),
            _ => self.stored.clone(),
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
            Ok(text) => match SettingsDraft::from_json(&text) {
                Ok(draft) => Deployed::Found(draft),
                Err(e) => Deployed::Unreadable(format!("{url} is not a settings file: {e}")),
            },
            Err(_) => Deployed::Unreadable(format!("{url} could not be read")),
        },
        404 => Deployed::Missing,
        status => Deployed::Unreadable(format!("{url} answered HTTP {status}")),
    }
}

/// Reads this app's stored settings (and, when there are none, the deployed ones) and
/// provides them to every component below.
pub fn provide_settings(app: AppKind) {
    provide_context(SettingsContext::load(app));
}
