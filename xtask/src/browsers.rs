//! The browser engines the tests drive, each through its own W3C WebDriver server:
//! Chromium (chromedriver), WebKit (WebKitGTK's `WebKitWebDriver`, the engine of Safari
//! and of every browser on iOS and iPadOS) and Firefox (geckodriver). `cargo xtask setup`
//! installs all three (Debian's packages; geckodriver from crates.io), the browser tests
//! open their windows with [`Engine::capabilities`], and [`CHROMIUM_ONLY`] and
//! [`FIREFOX_JOURNEYS`] say which tests `cargo xtask test` runs in which engine.
//!
//! The engine comes from `SERVERLESSPRESSO_BROWSER` (`chromium`, the default, `webkit` or
//! `firefox`); `cargo xtask test --browser …` sets it. What a person sees is checked the
//! same way in every engine; the harness's DevTools verbs (network emulation, CPU
//! throttling, heap figures) are Chromium's alone ([`Engine::has_devtools`]).

use anyhow::{bail, Result};
use serde_json::{json, Map, Value};
use std::path::Path;

/// Firefox's own interface without its toolbars, and without the minimum width they set.
const FIREFOX_WITHOUT_TOOLBARS: &str = "#navigator-toolbox { visibility: collapse !important; }\n\
#main-window, #navigator-toolbox, #nav-bar, #TabsToolbar, #browser, #appcontent, \
#tabbrowser-tabbox { min-width: 0 !important; }\n";

/// The viewport a device gives a page, in CSS pixels, and whether it is a touch screen
/// with a mobile browser.
#[derive(Clone, Copy, Debug)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    pub touch: bool,
}

/// A browser engine and the WebDriver server that drives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    WebKit,
    Firefox,
}

/// Where Debian puts each browser and driver (`cargo xtask setup` installs them there;
/// `geckodriver` comes from `cargo install` and is found on `PATH`).
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
pub const GECKODRIVER: &str = "geckodriver";

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::WebKit, Engine::Firefox];

    /// The engine named by `SERVERLESSPRESSO_BROWSER` (Chromium when unset).
    pub fn chosen() -> Result<Self> {
        match std::env::var("SERVERLESSPRESSO_BROWSER") {
            Ok(name) => Self::from_name(&name),
            Err(_) => Ok(Engine::Chromium),
        }
    }

    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "chromium" | "" => Engine::Chromium,
            "webkit" => Engine::WebKit,
            "firefox" => Engine::Firefox,
            other => bail!("no browser engine {other:?}: chromium, webkit or firefox"),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::WebKit => "webkit",
            Engine::Firefox => "firefox",
        }
    }

    /// Whether the harness can send this engine DevTools commands (Chromium's
    /// `goog/cdp/execute`).
    pub fn has_devtools(self) -> bool {
        self == Engine::Chromium
    }

    /// The WebDriver server's program (an environment variable overrides Debian's
    /// place: `CHROMEDRIVER`, `WEBKIT_DRIVER`, `GECKODRIVER`) and its arguments to
    /// listen on `port`.
    pub fn driver(self, port: u16) -> (String, Vec<String>) {
        let program = |var: &str, default: &str| std::env::var(var).unwrap_or(default.into());
        match self {
            Engine::Chromium => (
                program("CHROMEDRIVER", CHROMEDRIVER),
                vec![format!("--port={port}")],
            ),
            Engine::WebKit => (
                program("WEBKIT_DRIVER", WEBKIT_DRIVER),
                vec![format!("--port={port}")],
            ),
            // Each geckodriver picks its own free port for Firefox's remote agent, so
            // that two tests at once do not both ask for the default one.
            Engine::Firefox => (
                program("GECKODRIVER", GECKODRIVER),
                vec![
                    format!("--port={port}"),
                    "--websocket-port=0".into(),
                    "--log=fatal".into(),
                ],
            ),
        }
    }

    /// Writes what the engine's fresh profile in `profile` needs before the session
    /// starts: for Firefox, a `userChrome.css` hiding its toolbars, so that its window
    /// is the viewport and may be as narrow as a phone (with them, 500 px at least).
    pub fn prepare_profile(self, profile: &Path) -> std::io::Result<()> {
        if self == Engine::Firefox {
            let chrome = profile.join("chrome");
            std::fs::create_dir_all(&chrome)?;
            std::fs::write(chrome.join("userChrome.css"), FIREFOX_WITHOUT_TOOLBARS)?;
        }
        Ok(())
    }

    /// The session's capabilities: the engine's binary, a fresh profile in `profile`,
    /// `extra` command-line switches (Chromium's), and, for Chromium, the device's exact
    /// viewport (the others are sized after the session starts, by the test harness).
    pub fn capabilities(
        self,
        device: &Viewport,
        extra: &[&str],
        profile: &Path,
    ) -> Map<String, Value> {
        let capabilities = match self {
            Engine::Chromium => {
                let user_data = format!("--user-data-dir={}", profile.display());
                let mut args = vec![
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--hide-scrollbars",
                    &user_data,
                ];
                args.extend_from_slice(extra);
                // Device metrics set the viewport exactly; a window size would include
                // the browser's own frame and a minimum width.
                json!({
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": std::env::var("CHROMIUM").unwrap_or(CHROMIUM.into()),
                        "args": args,
                        "mobileEmulation": { "deviceMetrics": {
                            "width": device.width,
                            "height": device.height,
                            "pixelRatio": 1.0,
                            "mobile": device.touch,
                            "touch": device.touch,
                        }},
                    },
                })
            }
            // MiniBrowser, WebKitGTK's browser for automation: it has no headless mode,
            // so it needs an X display (`xvfb-run`; `cargo xtask test` starts one). Its
            // full-screen mode has no toolbar, so its window is the viewport, down to
            // 334 px wide (the toolbar would hold it at 447 px, wider than a phone).
            Engine::WebKit => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": {
                    "binary": std::env::var("MINIBROWSER").unwrap_or(MINIBROWSER.into()),
                    "args": ["--automation", "--full-screen"],
                },
            }),
            Engine::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": std::env::var("FIREFOX").unwrap_or(FIREFOX.into()),
                    "args": ["-headless", "-profile", profile.display().to_string()],
                    "prefs": {
                        // Nothing but the page talks to the network (this machine's is
                        // closed, and a test's requests are the page's).
                        "app.update.enabled": false,
                        "browser.safebrowsing.malware.enabled": false,
                        "browser.safebrowsing.phishing.enabled": false,
                        "network.captive-portal-service.enabled": false,
                        "network.connectivity-service.enabled": false,
                        "datareporting.policy.dataSubmissionEnabled": false,
                        "toolkit.telemetry.enabled": false,
                        "browser.shell.checkDefaultBrowser": false,
                        // Reads the profile's userChrome.css ([`Engine::prepare_profile`]).
                        "toolkit.legacyUserProfileCustomizations.stylesheets": true,
                        // The page's language is English unless a test chooses another,
                        // whatever this machine's locale.
                        "intl.accept_languages": "en-US",
                    },
                },
            }),
        };
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        capabilities
    }
}

/// The browser tests run in Chromium only. Those that need its DevTools: the print
/// preview and the rotated iPad (media and device-metrics emulation), the phone taken off
/// the network (network emulation: the other engines' "offline" is the emulator going
/// away, which every engine runs), 200 % zoom (a 195 px viewport: WebKit's smallest
/// window is 334 px), the heap over a long run and the day at the bar (heap
/// figures, `--expose-gc`), a phone without WebAssembly (`--jitless`), and the pocket
/// tests that count tabs or grant notifications through DevTools, and the two that set
/// the browser's preferred languages (Chromium's `--lang` and `--accept-lang`; German's
/// test is also the 200 % zoom). And two whose subject is not the browser: Trunk's
/// developer loop and the deploy.
pub const CHROMIUM_ONLY: [&str; 15] = [
    "usable_at_double_zoom",
    "the_print_dialog_prints_the_ticket_alone",
    "the_station_fits_both_ipads_both_ways",
    "a_phone_and_a_tv_off_the_network_catch_up",
    "the_shell_loads_offline_and_no_api_traffic_is_cached",
    "a_long_run_keeps_memory_bounded",
    "a_short_day_at_the_bar",
    "a_phone_that_cannot_run_the_app_is_told_why",
    "an_order_ready_while_the_phone_is_away_alerts_once",
    "refused_notifications_are_not_asked_for_again",
    "back_from_a_suspended_tab_the_phone_shows_the_truth_at_once",
    "trunk_serve_signs_in_and_picks_up_an_edit_to_shared",
    "a_deploy_uploads_safely_and_the_uploaded_apps_serve_a_customer",
    "a_phone_that_prefers_spanish_orders_in_spanish",
    "german_fits_a_narrow_phone_and_a_double_zoom",
];

/// What `cargo xtask test` runs in Firefox when it runs every engine: the journeys of
/// each app, W and E (the customer's scan, sign-in, order and ready; the barista's
/// service; the TV's rotating code and its lists; the settings hand-off), and the
/// dropped-connection faults, and the journey in Japanese. `--browser firefox` runs its
/// whole set.
pub const FIREFOX_JOURNEYS: [&str; 10] = [
    "w_scan_order_make_complete_and_collect",
    "e_scan_order_make_complete_and_collect",
    "sign_up_scan_order_and_follow_it_to_ready",
    "orders_move_through_preview_production_and_pickup",
    "qr_tokens_and_orders_from_preparing_to_ready",
    "a_fresh_code_at_the_bucket_boundary",
    "configure_barista_app_hands_off_the_settings",
    "a_dropped_connection_comes_back_and_catches_up",
    "orders_placed_while_offline_appear_after_reconnecting",
    "a_phone_switched_to_japanese_orders_in_japanese",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_are_refused() {
        for engine in Engine::ALL {
            assert_eq!(Engine::from_name(engine.name()).unwrap(), engine);
        }
        let refused = Engine::from_name("safari").unwrap_err().to_string();
        assert!(refused.contains("chromium, webkit or firefox"), "{refused}");
    }

    #[test]
    fn only_chromium_is_given_devtools_and_switches() {
        let profile = Path::new("/tmp/profile");
        let phone = &Viewport {
            width: 390,
            height: 844,
            touch: true,
        };
        let chromium = Engine::Chromium.capabilities(phone, &["--js-flags=--expose-gc"], profile);
        let args = chromium["goog:chromeOptions"]["args"].to_string();
        assert!(args.contains("--js-flags=--expose-gc"), "{args}");
        assert!(Engine::Chromium.has_devtools());
        for engine in [Engine::WebKit, Engine::Firefox] {
            assert!(!engine.has_devtools());
            let caps = Value::Object(engine.capabilities(phone, &["--js-flags"], profile));
            assert!(!caps.to_string().contains("--js-flags"), "{caps}");
        }
    }
}
