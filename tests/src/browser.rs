//! The browser side of a test: the devices the apps are made for, one browser window
//! ([`Browser`], in the [`Engine`] chosen) with the few verbs the tests need, Chromium's
//! DevTools commands (offline, heap), the axe-core audit and the Content-Security-Policy
//! check of every screen looked at, and [`eventually`], the one way a test waits.

use crate::workspace_root;
use anyhow::{bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use shared::AppKind;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use xtask::browsers::{Engine, Viewport};

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

impl Device {
    pub fn viewport(&self) -> Viewport {
        Viewport {
            width: self.width,
            height: self.height,
            touch: self.touch,
        }
    }
}

/// The device each app is made for.
pub fn device_for(app: AppKind) -> Device {
    match app {
        AppKind::Order => PHONE,
        AppKind::Barista => IPAD,
        AppKind::Display => TV,
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

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{nanos:x}{:x}", std::process::id())
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
    /// Which engine this window is ([`Engine::chosen`]).
    pub engine: Engine,
    /// Where the browser reports Content-Security-Policy violations (the emulator's
    /// `report-uri`): none may occur on any screen ([`Browser::look`]).
    csp_reports: std::sync::Arc<emulator::csp::CspReports>,
    /// Off the network ([`Browser::set_offline`]): its reports cannot arrive.
    offline: std::sync::atomic::AtomicBool,
    _profile: tempfile::TempDir,
    /// Its WebDriver server, stopped with the window.
    _driver: Driver,
}

/// A WebDriver server listening on a free loopback port, killed when dropped.
struct Driver {
    url: String,
    _process: tokio::process::Child,
}

impl Driver {
    async fn start(engine: Engine) -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let (program, args) = engine.driver(port);
        let process = tokio::process::Command::new(&program)
            .args(&args)
            // WebKitGTK takes the page's languages from the locale: English unless a
            // test chooses another, whatever this machine's.
            .env("LANGUAGE", "en_US")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {program} (install it with `cargo xtask setup`)"))?;
        eventually(&format!("{program} accepts connections"), || async {
            Ok(tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok())
        })
        .await?;
        Ok(Self {
            url: format!("http://127.0.0.1:{port}"),
            _process: process,
        })
    }
}

impl Browser {
    /// A new window of `engine`, through a WebDriver server of its own (WebKitWebDriver
    /// and geckodriver drive one session each), with an empty profile, its viewport
    /// sized like `device`, plus `extra` switches (Chromium only); its CSP violations
    /// are reported to `csp_reports`.
    pub(crate) async fn open(
        engine: Engine,
        device: Device,
        extra: &[&str],
        csp_reports: std::sync::Arc<emulator::csp::CspReports>,
    ) -> Result<Self> {
        let driver = Driver::start(engine).await?;
        let profile = tempfile::tempdir()?;
        engine.prepare_profile(profile.path())?;
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(engine.capabilities(&device.viewport(), extra, profile.path()))
            .connect(&driver.url)
            .await
            .with_context(|| format!("opening a {} window", engine.name()))?;
        let browser = Self {
            client,
            device,
            engine,
            csp_reports,
            offline: Default::default(),
            _profile: profile,
            _driver: driver,
        };
        if engine != Engine::Chromium {
            browser.size_viewport().await?;
        }
        Ok(browser)
    }

    /// Sizes the window so that its viewport is the device's: the window's own frame
    /// (toolbars) differs by engine, so it is measured and added.
    async fn size_viewport(&self) -> Result<()> {
        let (width, height) = (self.device.width, self.device.height);
        self.client
            .set_window_rect(0, 0, width, height)
            .await
            .context("sizing the window")?;
        let (inner_width, inner_height) = self.viewport().await?;
        let frame_x = u32::try_from(u64::from(width).saturating_sub(inner_width))?;
        let frame_y = u32::try_from(u64::from(height).saturating_sub(inner_height))?;
        if frame_x > 0 || frame_y > 0 {
            self.client
                .set_window_rect(0, 0, width + frame_x, height + frame_y)
                .await
                .context("sizing the window")?;
        }
        let viewport = self.viewport().await?;
        anyhow::ensure!(
            viewport == (u64::from(width), u64::from(height)),
            "{} gave the {} a {viewport:?} viewport, not {width}x{height}",
            self.engine.name(),
            self.device.name
        );
        Ok(())
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("opening {url}"))
    }

    /// Waits for an element matching `css` to be on the page; a timeout says what the
    /// page showed instead.
    pub async fn wait_for(&self, css: &str) -> Result<Element> {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => Ok(element),
            Err(e) => {
                let page = self.page_text().await;
                Err(anyhow::Error::new(e)
                    .context(format!("waiting for `{css}`; the page showed {page}")))
            }
        }
    }

    /// The page's address and the start of its text, for a failure to say what a person
    /// would have seen instead.
    async fn page_text(&self) -> String {
        let text = self
            .js("return document.body ? document.body.innerText.slice(0, 400) : ''")
            .await
            .map_or_else(|e| format!("(unreadable: {e})"), |text| text.to_string());
        format!("at {}: {text}", self.url().await.unwrap_or_default())
    }

    /// Waits until the element matching `css` shows `text` (trimmed, exact).
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Result<()> {
        self.wait_for_text_within(PATIENCE, css, text).await
    }

    /// [`Browser::wait_for_text`] with its own time limit; a timeout names the text last
    /// seen, so a failure says what the person was looking at instead.
    pub async fn wait_for_text_within(
        &self,
        patience: Duration,
        css: &str,
        text: &str,
    ) -> Result<()> {
        let seen = std::cell::RefCell::new(None::<String>);
        let waited = eventually_within(patience, &format!("`{css}` shows {text:?}"), || async {
            let el = self.client.find(Locator::Css(css)).await?;
            let shown = self.text_of(&el).await?;
            let done = shown == text;
            *seen.borrow_mut() = Some(shown);
            Ok(done)
        })
        .await;
        match (waited, seen.take()) {
            (Ok(()), _) => Ok(()),
            (Err(e), Some(shown)) => Err(e.context(format!("`{css}` last showed {shown:?}"))),
            (Err(e), None) => {
                let page = self.page_text().await;
                Err(e.context(format!("`{css}` was never seen; the page showed {page}")))
            }
        }
    }

    /// Waits until the TV shows a QR code to scan. A board opened in the last seconds of
    /// a window shows "We are making drinks!" until the next one (5 % of the window: 15 s
    /// of AWS's five minutes), so the wait allows for that on top of [`PATIENCE`].
    pub async fn wait_for_qr_code(&self) -> Result<()> {
        let closing =
            Duration::from_millis(shared::windows::Windows::AWS.qr_ms.unsigned_abs() / 20);
        self.wait_for_text_within(PATIENCE + closing, "#qr-title", "Scan to order")
            .await
    }

    /// Whether an element matching `css` is on the page now (no waiting: for checks
    /// inside [`eventually`] and for what must not be there).
    pub async fn shows(&self, css: &str) -> Result<bool> {
        Ok(!self.client.find_all(Locator::Css(css)).await?.is_empty())
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        let element = self.wait_for(css).await?;
        self.text_of(&element).await
    }

    /// The text of `element` as a person sees (or a screen reader reads) it, trimmed.
    /// WebKitWebDriver's element text is empty for some elements on screen (an
    /// ellipsised line under `overflow: hidden`, a visually hidden live region), where
    /// the page's own `innerText` is right; Chromium's driver text is kept as it is.
    pub async fn text_of(&self, element: &Element) -> Result<String> {
        if self.engine == Engine::Chromium {
            return Ok(element.text().await?.trim().to_string());
        }
        let text = self
            .client
            .execute(
                "return arguments[0].innerText",
                vec![serde_json::to_value(element)?],
            )
            .await?;
        Ok(text.as_str().unwrap_or_default().trim().to_string())
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

    /// Presses `key` (or types `text`) where the keyboard's focus is, as a person at a
    /// keyboard would: no element is picked by the test.
    pub async fn press(&self, text: &str) -> Result<()> {
        let focused = self.client.active_element().await?;
        focused
            .send_keys(text)
            .await
            .with_context(|| format!("pressing {text:?}"))
    }

    /// Presses Tab until the focus is on an element matching `css` whose text contains
    /// `text`: fails when the keyboard cannot reach it in 40 presses.
    pub async fn tab_to(&self, css: &str, text: &str) -> Result<()> {
        let script = format!(
            "const e = document.activeElement; return !!e && e.matches({css:?}) && e.textContent.includes({text:?});"
        );
        for _ in 0..40 {
            if self.js(&script).await? == true {
                return Ok(());
            }
            self.press(&char::from(fantoccini::key::Key::Tab).to_string())
                .await?;
        }
        bail!("Tab never reached `{css}` with {text:?}")
    }

    /// Reloads the page as a person does (the reload button, or iOS bringing a tab
    /// back). Firefox's WebDriver refresh bypasses the service worker, as a forced
    /// reload does, so there the page's own address is opened again instead.
    pub async fn reload(&self) -> Result<()> {
        if self.engine == Engine::Firefox {
            let here = self.url().await?;
            return self.goto(&here).await;
        }
        self.client.refresh().await.context("reloading the page")
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
            Ok(self.text_of(&el).await?.contains(text))
        })
        .await
    }

    /// Looks at the screen as a person would: a screenshot as
    /// `artifacts/screenshots/<name>-<device>.png` ([`Browser::screenshot`]), and an
    /// accessibility audit with axe-core that fails on any serious or critical violation.
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
        // WebKit's reports carry no sample, whatever `'report-sample'` asks: there, any
        // inline script's report is taken for the canary's, and Chromium's run (whose
        // reports name the script) is the one that catches an inline script of the app's.
        let sample = |report: &Value| {
            let sample = report["script-sample"].as_str();
            let sampleless_inline = self.engine == Engine::WebKit
                && report["blocked-uri"] == "inline"
                && sample.is_none()
                && report["sample"].is_null();
            if sampleless_inline {
                return canary.clone();
            }
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

    /// Saves a PNG of the viewport as `artifacts/screenshots/<name>-<device>.png`
    /// (`<name>-<device>-webkit.png` and `-firefox.png` from the other engines, to be
    /// looked at beside Chromium's).
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let dir = workspace_root().join("artifacts/screenshots");
        std::fs::create_dir_all(&dir)?;
        let engine = match self.engine {
            Engine::Chromium => String::new(),
            other => format!("-{}", other.name()),
        };
        let path = dir.join(format!("{name}-{}{engine}.png", self.device.name));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// A Chrome DevTools Protocol command (network emulation, CPU throttling, scripts
    /// run before a page's own).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        if !self.engine.has_devtools() {
            bail!(
                "DevTools ({cmd}) is Chromium's: this test cannot run in {}",
                self.engine.name()
            );
        }
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

    /// Runs `script` in every page this window loads from now on, before the page's own
    /// scripts (DevTools: Chromium only).
    pub async fn before_each_page(&self, script: &str) -> Result<()> {
        self.cdp("Page.enable", json!({})).await?;
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": script }),
        )
        .await?;
        Ok(())
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

    /// Waits until the app's service worker controls the page (the first visit installs
    /// it; the page is controlled from the next load on), then loads the page once more,
    /// so that everything it fetches goes through the worker.
    pub async fn wait_for_service_worker(&self) -> Result<()> {
        eventually("the service worker controls the page", || async {
            if self
                .js("return !!navigator.serviceWorker.controller")
                .await?
                == true
            {
                return Ok(true);
            }
            self.reload().await?;
            Ok(false)
        })
        .await?;
        self.reload().await?;
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
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
