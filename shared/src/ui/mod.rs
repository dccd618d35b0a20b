//! Leptos components and browser glue shared by the three apps.

pub mod browser;
mod context;
mod settings_page;
mod shell;

pub use context::{provide_settings, SettingsContext};
pub use settings_page::{NotFound, ReadyPage, RequireSettings, SettingsPage, SettingsSummary};
pub use shell::AppHeader;
