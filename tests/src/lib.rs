//! Harness for the browser end-to-end tests: the emulator serving the built apps, a
//! chromedriver, and one fresh headless Chromium per test.
//!
//! Run them with `cargo xtask test`, which builds the apps first. Every wait here polls
//! for a condition a person could see; none sleeps for a fixed time.

pub mod soak;

use anyhow::{bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use shared::{AppKind, SettingsDraft};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// How long any condition may take to become true.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A screen size the apps are designed for.
#[derive(Clone, Copy, Debug)]
pub struct Device {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    /// A touch screen with a mobile browser (phone, iPad), not a TV's.
    pub touch: bool,
}

pub const PHONE: Device = Device {
    name: "phone",
    width: 390,
    height: 844,
    touch: true,
};
pub const IPAD: Device = Device {
    name: "ipad",
    width: 1180,
    height: 820,
    touch: true,
};
/// A 4K TV, for screenshots of the board scaled up.
pub const TV_4K: Device = Device {
    name: "tv-4k",
    width: 3840,
    height: 2160,
    touch: false,
};
pub const TV: Device = Device {
    name: "tv",
    width: 1920,
    height: 1080,
    touch: false,
};

/// The device each app is made for.
pub fn device_for(app: AppKind) -> Device {
    match app {
        AppKind::Order => PHONE,
        AppKind::Barista => IPAD,
        AppKind::Display => TV,
    }
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is one level down")
        .to_path_buf()
}

/// The emulator (serving the built apps) and a chromedriver, for one test.
pub struct Harness {
    pub emulator: emulator::Running,
    /// W or E: what the harness's people and sign-ins do follows it.
    pub variant: emulator::Variant,
    config: emulator::Config,
    _state: tempfile::TempDir,
    chromedriver: Child,
    chromedriver_url: String,
}

/// The barista account every W test emulator has.
pub const ADMIN: (&str, &str) = ("barista@example.com", "barista-secret");

/// The barista of an emulator speaking `variant`: E's user pool has phone numbers.
fn admin_of(variant: &emulator::Variant) -> (String, String) {
    match variant {
        emulator::Variant::W => (ADMIN.0.into(), ADMIN.1.into()),
        emulator::Variant::E { .. } => (emulator::variant::E_ADMIN_PHONE.into(), String::new()),
    }
}

impl Harness {
    pub async fn start() -> Result<Self> {
        Self::start_with(emulator::clock::Timings::AWS).await
    }

    /// An emulator speaking `variant` (W, or E with its events). An E store opens closed,
    /// as E's seed says: this opens it, as the barista would first thing.
    pub async fn start_on(variant: emulator::Variant) -> Result<Self> {
        Self::start_timed_on(variant, emulator::clock::Timings::AWS).await
    }

    /// [`Harness::start_on`] with shortened timers.
    pub async fn start_timed_on(
        variant: emulator::Variant,
        timings: emulator::clock::Timings,
    ) -> Result<Self> {
        let harness =
            Self::start_serving_as(Self::apps_dir(), timings, true, variant, true).await?;
        if harness.variant.is_e() {
            harness.open_store().await?;
        }
        Ok(harness)
    }

    /// With shortened timers (bucket rotation, timeouts).
    pub async fn start_with(timings: emulator::clock::Timings) -> Result<Self> {
        Self::start_emulator(timings, true).await
    }

    /// Apps deployed without their `settings.json`.
    pub async fn start_without_app_settings() -> Result<Self> {
        Self::start_emulator(emulator::clock::Timings::AWS, false).await
    }

    /// The built apps' folder (`SERVERLESSPRESSO_APPS`, or `apps/`).
    pub fn apps_dir() -> PathBuf {
        std::env::var_os("SERVERLESSPRESSO_APPS")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("apps"))
    }

    async fn start_emulator(timings: emulator::clock::Timings, app_settings: bool) -> Result<Self> {
        Self::start_serving(Self::apps_dir(), timings, app_settings).await
    }

    /// Serving the apps built into `apps_dir` (a copy a test may change, as a new
    /// deployment would).
    pub async fn start_serving(
        apps_dir: PathBuf,
        timings: emulator::clock::Timings,
        app_settings: bool,
    ) -> Result<Self> {
        Self::start_serving_as(apps_dir, timings, app_settings, emulator::Variant::W, true).await
    }

    /// The apps served gzipped (as a CDN does) or not (as `trunk serve` does).
    pub async fn start_serving_gzip(gzip: bool) -> Result<Self> {
        let timings = emulator::clock::Timings::AWS;
        Self::start_serving_as(Self::apps_dir(), timings, true, emulator::Variant::W, gzip).await
    }

    async fn start_serving_as(
        apps_dir: PathBuf,
        timings: emulator::clock::Timings,
        app_settings: bool,
        variant: emulator::Variant,
        gzip_apps: bool,
    ) -> Result<Self> {
        for app in AppKind::ALL {
            let index = apps_dir.join(app.slug()).join("dist/index.html");
            if !index.exists() {
                bail!(
                    "{} is missing: build the apps first (`cargo xtask test` does)",
                    index.display()
                );
            }
        }
        let state = tempfile::tempdir()?;
        let mut config = emulator::Config {
            listen: "127.0.0.1:0".parse()?,
            apps_dir: Some(apps_dir),
            database: Some(state.path().join("emulator.db")),
            admins: vec![admin_of(&variant)],
            timings,
            app_settings,
            variant: variant.clone(),
            gzip_apps,
            least_privilege: least_privilege(),
            ..emulator::Config::default()
        };
        let emulator = emulator::start(config.clone()).await?;
        // A restart must come back on the same address, with the same local token.
        config.listen = emulator.addr;
        config.local_token = Some(emulator.local_token().to_string());

        let port = free_port()?;
        let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chromedriver = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {driver} (install it with `cargo xtask setup`)"))?;
        let chromedriver_url = format!("http://127.0.0.1:{port}");
        eventually("chromedriver accepts connections", || async {
            Ok(tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok())
        })
        .await?;
        Ok(Self {
            emulator,
            variant,
            config,
            _state: state,
            chromedriver,
            chromedriver_url,
        })
    }

    /// Stops the emulator (as a crash would, from the browser's point of view).
    pub async fn stop_emulator(self) -> Result<StoppedHarness> {
        let Self {
            emulator,
            config,
            _state,
            chromedriver,
            chromedriver_url,
            ..
        } = self;
        emulator.stop().await?;
        Ok(StoppedHarness {
            config,
            _state,
            chromedriver,
            chromedriver_url,
        })
    }

    /// A native client of the emulator's public APIs, speaking its variant (for E, its
    /// first event), with the emulator's local token (to read the codes it sends).
    pub fn client(&self) -> emulator::client::Client {
        emulator::client::Client::for_variant(&self.emulator.base_url(), &self.variant)
            .expect("local settings are valid")
            .with_local_token(self.emulator.local_token())
    }

    /// A native client of event `event` of this (E) emulator, with its local token.
    pub fn client_of_event(&self, event: &str) -> Result<emulator::client::Client> {
        Ok(
            emulator::client::Client::for_event(&self.emulator.base_url(), event)?
                .with_local_token(self.emulator.local_token()),
        )
    }

    /// The barista's sign-in: (username, password); in E a phone number.
    pub fn admin(&self) -> (String, String) {
        admin_of(&self.variant)
    }

    /// The barista, signed in through the public API.
    pub async fn barista(&self) -> Result<emulator::client::Client> {
        let mut c = self.client();
        let (user, password) = self.admin();
        c.sign_in_as(&self.emulator.base_url(), &user, &password)
            .await?;
        Ok(c)
    }

    /// Opens the store (E's seed has it closed).
    pub async fn open_store(&self) -> Result<()> {
        let reply = self.barista().await?.set_store(true).await?;
        anyhow::ensure!(reply.status == 200, "opening the store: {}", reply.body);
        Ok(())
    }

    /// A drink on this variant's menu, and an option for it (E's menu has milk).
    pub fn drink(&self) -> (&'static str, Option<&'static str>) {
        match self.variant {
            emulator::Variant::W => ("Latte", None),
            emulator::Variant::E { .. } => ("Flat White", Some("Oat")),
        }
    }

    /// The last code the emulator "emailed" to `username`.
    pub fn sent_code(&self, username: &str) -> Option<String> {
        self.emulator
            .cognito
            .sent_codes
            .lock()
            .ok()?
            .get(username)
            .cloned()
    }

    /// An absolute URL on the emulator.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.base_url())
    }

    /// The settings that point the apps at this emulator (what its `settings.json`
    /// files say).
    pub fn local_settings(&self) -> SettingsDraft {
        emulator::local::settings_for_variant(
            &self.emulator.base_url(),
            &self.config.timings,
            &self.variant,
        )
    }

    /// A fresh headless Chromium with an empty profile, sized like `device`.
    pub async fn browser(&self, device: Device) -> Result<Browser> {
        self.browser_with(device, &[]).await
    }

    /// A browser with extra Chromium switches (e.g. `--js-flags=--expose-gc`).
    pub async fn browser_with(&self, device: Device, extra: &[&str]) -> Result<Browser> {
        let profile = tempfile::tempdir()?;
        let user_data = format!("--user-data-dir={}", profile.path().display());
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
        // Device metrics set the viewport exactly; a window size would include the
        // browser's own frame and a minimum width.
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium_binary(),
                "args": args,
                "mobileEmulation": { "deviceMetrics": {
                    "width": device.width,
                    "height": device.height,
                    "pixelRatio": 1.0,
                    "mobile": device.touch,
                    "touch": device.touch,
                }},
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.chromedriver_url)
            .await
            .context("opening a Chromium session")?;
        Ok(Browser {
            client,
            device,
            csp_reports: std::sync::Arc::clone(&self.config.csp_reports),
            offline: Default::default(),
            _profile: profile,
        })
    }
}

/// A harness whose emulator is down; [`StoppedHarness::restart`] brings it back on the
/// same address with the same state.
pub struct StoppedHarness {
    config: emulator::Config,
    _state: tempfile::TempDir,
    chromedriver: Child,
    chromedriver_url: String,
}

impl StoppedHarness {
    pub async fn restart(self) -> Result<Harness> {
        let Self {
            config,
            _state,
            chromedriver,
            chromedriver_url,
        } = self;
        let emulator = emulator::start(config.clone()).await?;
        Ok(Harness {
            emulator,
            variant: config.variant.clone(),
            config,
            _state,
            chromedriver,
            chromedriver_url,
        })
    }
}

/// axe-core's script, from `tests/node_modules` (`cargo xtask setup` installs it).
fn axe_source() -> Result<String> {
    static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(source) = AXE.get() {
        return Ok(source.clone());
    }
    let path = workspace_root().join("tests/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {} (run `cargo xtask setup`)", path.display()))?;
    Ok(AXE.get_or_init(|| source).clone())
}

fn chromium_binary() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Whether the browser suite runs against an emulator started with `--least-privilege`
/// (`SERVERLESSPRESSO_LEAST_PRIVILEGE=1`; `cargo xtask test` runs it both ways).
pub fn least_privilege() -> bool {
    std::env::var("SERVERLESSPRESSO_LEAST_PRIVILEGE").is_ok_and(|v| v == "1")
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{nanos:x}{:x}", std::process::id())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Polls `check` until it answers true, failing after [`PATIENCE`] with `what`.
pub async fn eventually<F, Fut>(what: &str, check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    eventually_within(PATIENCE, what, check).await
}

/// [`eventually`] with its own time limit, for waits that are long by design.
pub async fn eventually_within<F, Fut>(patience: Duration, what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let deadline = Instant::now() + patience;
    let mut last_error = None;
    loop {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last_error = Some(e),
        }
        if Instant::now() > deadline {
            let detail = last_error
                .map(|e| format!(" (last error: {e:#})"))
                .unwrap_or_default();
            bail!("timed out after {patience:?} waiting until {what}{detail}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// chromedriver's DevTools pass-through: `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// One browser window, with the few verbs the tests need.
pub struct Browser {
    pub client: Client,
    pub device: Device,
    /// Where the browser reports Content-Security-Policy violations (the emulator's
    /// `report-uri`): none may occur on any screen ([`Browser::look`]).
    csp_reports: std::sync::Arc<emulator::csp::CspReports>,
    /// Off the network ([`Browser::set_offline`]): its reports cannot arrive.
    offline: std::sync::atomic::AtomicBool,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("opening {url}"))
    }

    /// Waits for an element matching `css` to be on the page.
    pub async fn wait_for(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting for `{css}`"))
    }

    /// Waits until the element matching `css` shows `text` (trimmed, exact).
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Result<()> {
        eventually(&format!("`{css}` shows {text:?}"), || async {
            let el = self.client.find(Locator::Css(css)).await?;
            Ok(el.text().await?.trim() == text)
        })
        .await
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.wait_for(css).await?.text().await?.trim().to_string())
    }

    /// The current value of an input or select.
    pub async fn value(&self, css: &str) -> Result<String> {
        Ok(self
            .wait_for(css)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default())
    }

    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>> {
        Ok(self.wait_for(css).await?.attr(name).await?)
    }

    /// Replaces an input's text as a person would: select all, type.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let input = self.wait_for(css).await?;
        input.clear().await?;
        input.send_keys(text).await?;
        Ok(())
    }

    /// Empties an input as a person would: select all, delete (events and all).
    pub async fn empty(&self, css: &str) -> Result<()> {
        use fantoccini::key::Key;
        let input = self.wait_for(css).await?;
        let keys = format!(
            "{}a{}{}",
            char::from(Key::Control),
            char::from(Key::Null),
            char::from(Key::Backspace)
        );
        input.send_keys(&keys).await?;
        Ok(())
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for(css)
            .await?
            .click()
            .await
            .with_context(|| format!("clicking `{css}`"))
    }

    /// Clicks the button whose text is exactly `label`.
    pub async fn click_button(&self, label: &str) -> Result<()> {
        let xpath = format!("//button[normalize-space()='{label}']");
        let button = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&xpath))
            .await
            .with_context(|| format!("waiting for the button {label:?}"))?;
        button
            .click()
            .await
            .with_context(|| format!("clicking {label:?}"))
    }

    pub async fn url(&self) -> Result<String> {
        Ok(self.client.current_url().await?.to_string())
    }

    /// Runs JavaScript and returns its value.
    pub async fn js(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// The viewport's CSS size, to check the device emulation took.
    pub async fn viewport(&self) -> Result<(u64, u64)> {
        let size = self
            .js("return [window.innerWidth, window.innerHeight]")
            .await?;
        Ok((size[0].as_u64().unwrap_or(0), size[1].as_u64().unwrap_or(0)))
    }

    /// Waits until the element matching `css` shows text containing `text`.
    pub async fn wait_for_text_containing(&self, css: &str, text: &str) -> Result<()> {
        eventually(&format!("`{css}` contains {text:?}"), || async {
            let el = self.client.find(Locator::Css(css)).await?;
            Ok(el.text().await?.contains(text))
        })
        .await
    }

    /// Looks at the screen as a person would: a screenshot as
    /// `artifacts/screenshots/<name>-<device>.png`, and an accessibility audit with
    /// axe-core that fails on any serious or critical violation.
    pub async fn look(&self, name: &str) -> Result<PathBuf> {
        let path = self.screenshot(name).await?;
        self.audit(name).await?;
        self.no_csp_violations(name).await?;
        Ok(path)
    }

    /// The page's Content-Security-Policy holds: a script injected into the page (as an
    /// XSS would) does not run, and no violation but those was ever reported to the
    /// emulator. The injected script's report arriving shows that the page's earlier ones
    /// have too; while the browser is offline or the emulator down, reports cannot
    /// arrive, and those already in are checked.
    pub async fn no_csp_violations(&self, name: &str) -> Result<()> {
        let canary = format!("__cspCanary{}", rand_suffix());
        let inject = format!(
            "const s = document.createElement('script'); s.textContent = 'window.{canary} = 1'; \
             document.head.appendChild(s); s.remove(); return window.{canary} === 1"
        );
        anyhow::ensure!(
            self.js(&inject).await? == false,
            "an injected inline script ran on {name}: the page has no Content-Security-Policy"
        );
        let sample = |report: &Value| {
            let sample = report["script-sample"].as_str();
            sample
                .or_else(|| report["sample"].as_str())
                .unwrap_or_default()
                .to_string()
        };
        if !self.offline.load(std::sync::atomic::Ordering::Relaxed) {
            let arrived = eventually_within(
                Duration::from_secs(5),
                &format!("the CSP report of the injected script on {name}"),
                || async {
                    Ok(self
                        .csp_reports
                        .all()
                        .iter()
                        .any(|r| sample(r).contains(&canary)))
                },
            )
            .await;
            if arrived.is_err() {
                eprintln!(
                    "{name}: no CSP report arrived (is the emulator down?); checking those in"
                );
            }
        }
        let violations: Vec<String> = self
            .csp_reports
            .all()
            .iter()
            .filter(|r| !sample(r).contains("__cspCanary"))
            .map(Value::to_string)
            .collect();
        anyhow::ensure!(
            violations.is_empty(),
            "Content-Security-Policy violations by {name} ({}):\n{}",
            self.device.name,
            violations.join("\n")
        );
        Ok(())
    }

    /// Runs axe-core (WCAG 2.x A and AA rules) on the page; serious and critical
    /// violations fail, each named with the elements it found.
    pub async fn audit(&self, name: &str) -> Result<()> {
        let axe = axe_source()?;
        self.client.execute(&axe, vec![]).await?;
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
              .then(r => done(r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ') + (n.failureSummary ? ' (' + n.failureSummary.replace(/\s+/g, ' ') + ')' : '')).join('; ')}`)))
              .catch(e => done(['axe failed: ' + e]));
        "#;
        let found = self.client.execute_async(script, vec![]).await?;
        let problems: Vec<String> = serde_json::from_value(found)?;
        anyhow::ensure!(
            problems.is_empty(),
            "accessibility problems on {name} ({}):
{}",
            self.device.name,
            problems.join(
                "
"
            )
        );
        Ok(())
    }

    /// Saves a PNG of the viewport as `artifacts/screenshots/<name>-<device>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let dir = workspace_root().join("artifacts/screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}-{}.png", self.device.name));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// A Chrome DevTools Protocol command (network emulation, CPU throttling, scripts
    /// run before a page's own).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        let answer = self
            .client
            .issue_cmd(Cdp {
                cmd: cmd.to_string(),
                params,
            })
            .await
            .with_context(|| format!("DevTools {cmd}"))?;
        Ok(answer)
    }

    /// Takes the browser off the network (as a phone losing Wi-Fi) or back on it: no
    /// request, WebSocket or fetch gets through while offline.
    pub async fn set_offline(&self, offline: bool) -> Result<()> {
        self.cdp("Network.enable", json!({})).await?;
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        )
        .await?;
        self.offline
            .store(offline, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// The people of a test: customers and baristas acting through the public APIs, as the
/// emulator's own tests do, so the browser under test sees real traffic.
impl Harness {
    /// Opens `app` as a new device would (it finds its settings beside its page), and
    /// waits for the sign-in page.
    pub async fn open(&self, browser: &Browser, app: shared::AppKind) -> Result<()> {
        browser
            .goto(&self.url(&format!("/{}/", app.slug())))
            .await?;
        browser.wait_for("#auth-title").await?;
        Ok(())
    }

    /// Opens `app` in `browser` and signs in as `user`: email and password in W, the
    /// phone number and its texted code in E.
    pub async fn sign_in_to(
        &self,
        browser: &Browser,
        app: shared::AppKind,
        user: (&str, &str),
    ) -> Result<()> {
        self.open(browser, app).await?;
        match self.variant {
            emulator::Variant::W => browser.sign_in(user.0, user.1).await,
            emulator::Variant::E { .. } => self.phone_sign_in(browser, user.0).await,
        }
    }

    /// The phone sign-in page: the number, "Get code", the code from the text message.
    pub async fn phone_sign_in(&self, browser: &Browser, phone: &str) -> Result<()> {
        let before = self.sent_code(phone);
        browser.fill("#auth-phone", phone).await?;
        browser.click_button("Get code").await?;
        let texted = || self.sent_code(phone).filter(|c| Some(c) != before.as_ref());
        eventually("the code is texted", || async { Ok(texted().is_some()) }).await?;
        browser
            .fill("#auth-code", &texted().unwrap_or_default())
            .await?;
        browser.click_button("Submit").await
    }

    /// A customer's sign-in for a browser: an account created through the API, as
    /// (username, password) for [`Harness::sign_in_to`].
    pub async fn customer_login(&self, name: &str) -> Result<(String, String)> {
        let mut customer = self.client();
        let username = customer
            .register_customer(&self.emulator.base_url(), name)
            .await?;
        Ok((username, "password1".into()))
    }

    /// A customer, signed up (W: `name@example.com`; E: a phone number) and signed in
    /// through the API.
    pub async fn customer(&self, name: &str) -> Result<emulator::client::Client> {
        let mut customer = self.client();
        customer
            .register_customer(&self.emulator.base_url(), name)
            .await?;
        Ok(customer)
    }

    /// The QR code the board shows now.
    pub async fn current_code(&self) -> Result<String> {
        let bucket = self.barista().await?.qr_code().await?;
        Ok(bucket["last_code"].as_str().unwrap_or_default().to_string())
    }

    /// `customer` scans `code`; the order id, or an error when the scan is refused.
    pub async fn scan(&self, customer: &emulator::client::Client, code: &str) -> Result<String> {
        customer.scan_ok(code).await
    }

    /// Submits `drink` (with this variant's option when it has one) once the workflow
    /// has stored its task token (asynchronously).
    pub async fn submit(
        &self,
        customer: &emulator::client::Client,
        order: &str,
        drink: &str,
    ) -> Result<()> {
        let barista = self.barista().await?;
        eventually("the order row exists", || async {
            let rows = barista.orders(&shared::model::OrderState::Created).await?;
            Ok(rows.iter().any(|o| o["SK"]["S"] == order))
        })
        .await?;
        let options: Vec<&str> = match self.drink() {
            (default, Some(option)) if default == drink => vec![option],
            _ => Vec::new(),
        };
        let reply = customer.submit_drink(order, drink, &options).await?;
        anyhow::ensure!(reply.status == 200, "submitting: {}", reply.body);
        Ok(())
    }

    /// A new customer scans the current code and orders `drink`; returns the order id.
    pub async fn order(&self, name: &str, drink: &str) -> Result<String> {
        let customer = self.customer(name).await?;
        let order = self.scan(&customer, &self.current_code().await?).await?;
        self.submit(&customer, &order, drink).await?;
        Ok(order)
    }

    /// A signed-in phone scans the code showing now and orders this backend's drink;
    /// returns the order id once the order has its number.
    pub async fn phone_orders(&self, phone: &Browser) -> Result<String> {
        let code = self.current_code().await?;
        phone
            .goto(&self.url(&format!("/order/?token={code}")))
            .await?;
        phone.wait_for_text("#menu-title", "Choose a drink").await?;
        let (drink, option) = self.drink();
        phone.click_button(drink).await?;
        if let Some(option) = option {
            phone.click_button(option).await?;
        }
        phone.click_button("Order now").await?;
        phone.wait_for(".order-number").await?;
        Ok(phone
            .attr(".status", "data-order")
            .await?
            .unwrap_or_default())
    }

    /// The barista's `make`, `unmake`, `complete` or `cancel`, through the API.
    pub async fn barista_action(&self, order: &str, action: &str) -> Result<()> {
        let reply = self.barista().await?.order_action(order, action).await?;
        anyhow::ensure!(reply.status == 200, "{action} failed: {}", reply.body);
        Ok(())
    }

    /// Sets faults in the emulator (`POST /_local/faults`, see the emulator's README
    /// section), e.g. `json!({"cognito": {"answer": "throttle", "forSeconds": 5}})`.
    pub async fn faults(&self, faults: Value) -> Result<Value> {
        let client = self.client();
        let reply = client
            .local(
                emulator::client::Method::POST,
                &self.url("/_local/faults"),
                Some(faults),
            )
            .await?;
        anyhow::ensure!(reply.status == 200, "faults refused: {}", reply.body);
        reply.json()
    }
}

impl Browser {
    /// Signs in on the shared sign-in page.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<()> {
        self.fill("#auth-email", email).await?;
        self.fill("#auth-password", password).await?;
        self.click_button("Sign in").await
    }

    /// Waits until the connection banner reports `status` (`live`, `reconnecting`, …).
    pub async fn wait_for_connection(&self, status: &str) -> Result<()> {
        eventually(&format!("the connection is {status}"), || async {
            Ok(self
                .attr(".connection-banner", "data-status")
                .await?
                .as_deref()
                == Some(status))
        })
        .await
    }
}

/// A copy of the built apps, laid out as `Harness::apps_dir()`: a deployment a test can
/// change (serve it with `Harness::start_serving`).
pub fn deployed_copy() -> Result<tempfile::TempDir> {
    let deployed = tempfile::tempdir()?;
    for app in shared::AppKind::ALL {
        let dist = Harness::apps_dir().join(app.slug()).join("dist");
        copy_dir(&dist, &deployed.path().join(app.slug()).join("dist"))?;
    }
    Ok(deployed)
}

/// Copies a folder and everything in it.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
