use super::browser::{self, StorageError};
use crate::settings::{AppKind, FieldErrors, Settings, SettingsDraft};
use leptos::prelude::*;

/// Which app this is and the settings it found in storage when the page loaded.
/// Settings only change through "Save and reload", so this is plain data.
#[derive(Clone, Debug)]
pub struct SettingsContext {
    pub app: AppKind,
    /// What storage held (empty when nothing was saved).
    pub stored: SettingsDraft,
    /// Storage could not be read at all, or held something unreadable.
    pub load_error: Option<StorageError>,
    /// The stored draft, validated for this app.
    pub validated: Result<Settings, FieldErrors>,
}

impl SettingsContext {
    pub fn load(app: AppKind) -> Self {
        let (stored, load_error) = match browser::load_draft(app) {
            Ok(draft) => (draft.unwrap_or_default(), None),
            Err(e) => (SettingsDraft::default(), Some(e)),
        };
        let validated = stored.validate(app);
        Self {
            app,
            stored,
            load_error,
            validated,
        }
    }

    pub fn settings(&self) -> Option<&Settings> {
        self.validated.as_ref().ok()
    }
}

/// Reads this app's stored settings and provides them to every component below.
pub fn provide_settings(app: AppKind) {
    provide_context(SettingsContext::load(app));
}
