//! Everything the three Serverlesspresso apps share.
//!
//! Pure logic (settings, URLs, wire parsing) is plain Rust with native tests; the
//! Leptos components and browser glue live in [`ui`], behind the `ui` feature.

pub mod api;
pub mod cognito;
pub mod dynamo;
pub mod epos;
pub mod i18n;
pub mod kind;
pub mod live;
pub mod model;
pub mod mqtt;
pub mod realtime;
pub mod retry;
pub mod settings;
pub mod sigv4;
pub mod srp;
pub mod text;
pub mod time;
pub mod trust;
pub mod url;
pub mod windows;
pub mod wire;

#[cfg(feature = "ui")]
pub mod ui;
#[cfg(feature = "ui")]
pub mod web;

pub use kind::{AppKind, Flavour};
pub use settings::{Field, FieldError, Settings, SettingsDraft};
