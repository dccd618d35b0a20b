//! Harness for the browser end-to-end tests: the emulator serving the built apps, a
//! WebDriver server, and fresh browser windows (Chromium, WebKit or Firefox) per test.
//!
//! - the engines themselves, their drivers and which tests run in each:
//!   `xtask::browsers` ([`Engine`]);
//! - [`harness`]: the emulator's lifecycle and the driver ([`Harness`],
//!   [`StoppedHarness`], [`least_privilege`], a [`deployed_copy`] of the apps);
//! - [`browser`]: the devices, one window ([`Browser`]: its verbs, Chromium's DevTools,
//!   the axe-core audit and the CSP check) and [`eventually`];
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
pub use xtask::browsers::Engine;

#[cfg(test)]
mod tests {
    /// Every test `cargo xtask test` names for an engine (`xtask::browsers`) exists: a
    /// renamed test would otherwise drop out of Firefox's run, or into WebKit's.
    #[test]
    fn the_engines_lists_name_real_tests() {
        let mut sources = String::new();
        for file in std::fs::read_dir(crate::workspace_root().join("tests/tests")).unwrap() {
            sources += &std::fs::read_to_string(file.unwrap().path()).unwrap();
        }
        let lists = xtask::browsers::CHROMIUM_ONLY
            .iter()
            .chain(&xtask::browsers::FIREFOX_JOURNEYS);
        for name in lists {
            assert!(
                sources.contains(&format!("async fn {name}() -> Result<()>")),
                "no browser test is called {name}"
            );
        }
    }
}
