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

    /// The styles are safe for a right-to-left language: sides are logical (`inline-start`,
    /// `start`), never left or right, except where a rule is symmetric (`left: 0; right:
    /// 0`, or centred at 50 %).
    #[test]
    fn the_styles_have_no_left_or_right() {
        let physical = [
            "margin-left",
            "margin-right",
            "padding-left",
            "padding-right",
            "border-left",
            "border-right",
            "text-align: left",
            "text-align: right",
            "float: left",
            "float: right",
            "origin: left",
            "origin: right",
        ];
        let mut found = Vec::new();
        for file in std::fs::read_dir(crate::workspace_root().join("style")).unwrap() {
            let path = file.unwrap().path();
            let css = std::fs::read_to_string(&path).unwrap();
            for (n, line) in css.lines().enumerate() {
                let code = line.split("/*").next().unwrap_or_default();
                let sided = |side: &str| {
                    code.contains(&format!(" {side}:")) || code.starts_with(&format!("{side}:"))
                };
                let symmetric = (sided("left") && sided("right")) || code.contains("50%");
                if physical.iter().any(|p| code.contains(p))
                    || ((sided("left") || sided("right")) && !symmetric)
                {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "left or right in the styles:\n{}",
            found.join("\n")
        );
    }
}
