//! Leptos components and browser glue shared by the three apps.

mod alert;
pub mod auth;
pub mod browser;
mod clock;
mod confirm;
mod context;
mod deferred;
mod feedback;
pub mod i18n;
pub mod live;
mod settings_page;
mod shell;
mod sound;
mod visibility;

pub use crate::web::split::NotLoaded;
pub use alert::{Alert, AlertKind, Announce};
pub use auth::{provide_auth, Auth, RequireSignIn, SignInPage, SignOutButton};
pub use clock::use_clock;
pub use confirm::{ButtonKind, ConfirmButton};
pub use context::{provide_settings, Deployed, Resolved, SettingsContext, Source};
pub use deferred::Deferred;
pub use feedback::{error_of, ErrorNotice, StatusBadge};
pub use i18n::{provide_i18n, t, use_i18n, I18n};
pub use live::{
    load_board, use_live_model, ConnectionBanner, Live, LiveNotices, LiveStatus,
    UseLiveModelOptions,
};
pub use settings_page::{NotFound, RequireSettings, SettingsPage, SettingsScreen, StaffApp};
pub use shell::AppHeader;
pub use sound::TapChime;
pub use visibility::use_page_visible;
