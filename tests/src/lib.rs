//! Harness for the browser end-to-end tests: the emulator serving the built apps, a
//! chromedriver, and one fresh headless Chromium per test.
//!
//! - [`harness`]: the emulator's lifecycle and the chromedriver ([`Harness`],
//!   [`StoppedHarness`], [`least_privilege`], a [`deployed_copy`] of the apps);
//! - [`browser`]: the devices, one Chromium window ([`Browser`]: its verbs, DevTools, the
//!   axe-core audit and the CSP check) and [`eventually`];
//! - [`people`]: customers, baristas, sign-ins and orders (`impl Harness`);
//! - [`soak`]: a time-scaled day at the bar.
//!
//! Run them with `cargo xtask test`, which builds the apps first. Every wait here polls
//! for a condition a person could see; none sleeps for a fixed time.

pub mod browser;
pub mod harness;
pub mod people;
pub mod soak;

pub use browser::{
    device_for, eventually, eventually_within, Browser, Device, IPAD, PATIENCE, PHONE, TV, TV_4K,
};
pub use harness::{deployed_copy, least_privilege, workspace_root, Harness, StoppedHarness, ADMIN};
