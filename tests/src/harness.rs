//! The emulator's lifecycle: a [`Harness`] starts it for one test (W or E, with the
//! timers and the deployment it asks for), stops and restarts it on the same state, sets
//! its faults, and hands out native clients of it and browser windows ([`Browser`]) of
//! the chosen [`Engine`].

use crate::browser::{Browser, Device};
use anyhow::{bail, Result};
use serde_json::Value;
use shared::{AppKind, SettingsDraft};
use std::path::{Path, PathBuf};
use xtask::browsers::Engine;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is one level down")
        .to_path_buf()
}

/// The emulator (serving the built apps) for one test, and the engine of its browsers.
pub struct Harness {
    pub emulator: emulator::Running,
    /// W or E: what the harness's people and sign-ins do follows it.
    pub variant: emulator::Variant,
    config: emulator::Config,
    _state: tempfile::TempDir,
    /// The browser engine of every window ([`Engine::chosen`]).
    pub engine: Engine,
}

/// The barista account every W test emulator has.
pub const ADMIN: (&str, &str) = ("barista@example.com", "barista-secret");

/// The barista of an emulator speaking `variant`: E's user pool has phone numbers.
pub(crate) fn admin_of(variant: &emulator::Variant) -> (String, String) {
    match variant {
        emulator::Variant::W => (ADMIN.0.into(), ADMIN.1.into()),
        emulator::Variant::E { .. } => (emulator::variant::E_ADMIN_PHONE.into(), String::new()),
    }
}

impl Harness {
    pub async fn start() -> Result<Self> {
        Self::start_with(shared::windows::Windows::AWS).await
    }

    /// An emulator speaking `variant` (W, or E with its events). An E store opens closed,
    /// as E's seed says: this opens it, as the barista would first thing.
    pub async fn start_on(variant: emulator::Variant) -> Result<Self> {
        Self::start_timed_on(variant, shared::windows::Windows::AWS).await
    }

    /// [`Harness::start_on`] with shortened timers.
    pub async fn start_timed_on(
        variant: emulator::Variant,
        windows: shared::windows::Windows,
    ) -> Result<Self> {
        let harness =
            Self::start_serving_as(Self::apps_dir(), windows, true, variant, true).await?;
        if harness.variant.is_e() {
            harness.open_store().await?;
        }
        Ok(harness)
    }

    /// With shortened timers (bucket rotation, timeouts).
    pub async fn start_with(windows: shared::windows::Windows) -> Result<Self> {
        Self::start_emulator(windows, true).await
    }

    /// Apps deployed without their `settings.json`.
    pub async fn start_without_app_settings() -> Result<Self> {
        Self::start_emulator(shared::windows::Windows::AWS, false).await
    }

    /// The built apps' folder (`SERVERLESSPRESSO_APPS`, or `apps/`).
    pub fn apps_dir() -> PathBuf {
        std::env::var_os("SERVERLESSPRESSO_APPS")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("apps"))
    }

    async fn start_emulator(windows: shared::windows::Windows, app_settings: bool) -> Result<Self> {
        Self::start_serving(Self::apps_dir(), windows, app_settings).await
    }

    /// Serving the apps built into `apps_dir` (a copy a test may change, as a new
    /// deployment would).
    pub async fn start_serving(
        apps_dir: PathBuf,
        windows: shared::windows::Windows,
        app_settings: bool,
    ) -> Result<Self> {
        Self::start_serving_as(apps_dir, windows, app_settings, emulator::Variant::W, true).await
    }

    /// The apps served gzipped (as a CDN does) or not (as `trunk serve` does).
    pub async fn start_serving_gzip(gzip: bool) -> Result<Self> {
        let windows = shared::windows::Windows::AWS;
        Self::start_serving_as(Self::apps_dir(), windows, true, emulator::Variant::W, gzip).await
    }

    async fn start_serving_as(
        apps_dir: PathBuf,
        windows: shared::windows::Windows,
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
            windows,
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

        let engine = Engine::chosen()?;
        Ok(Self {
            emulator,
            variant,
            config,
            _state: state,
            engine,
        })
    }

    /// Stops the emulator (as a crash would, from the browser's point of view).
    pub async fn stop_emulator(self) -> Result<StoppedHarness> {
        let Self {
            emulator,
            config,
            _state,
            engine,
            ..
        } = self;
        emulator.stop().await?;
        Ok(StoppedHarness {
            config,
            _state,
            engine,
        })
    }

    /// A native client of the emulator's public APIs, speaking its variant (for E, its
    /// first event), with the emulator's local token (to read the codes it sends).
    pub fn client(&self) -> emulator::client::Client {
        emulator::client::Client::of(&self.emulator, None)
            .expect("local settings are valid")
            .with_local_token(self.emulator.local_token())
    }

    /// A native client of event `event` of this (E) emulator, with its local token.
    pub fn client_of_event(&self, event: &str) -> Result<emulator::client::Client> {
        Ok(emulator::client::Client::of(&self.emulator, Some(event))?
            .with_local_token(self.emulator.local_token()))
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
        self.emulator.settings()
    }

    /// A fresh browser window of the chosen engine with an empty profile, its viewport
    /// sized like `device`.
    pub async fn browser(&self, device: Device) -> Result<Browser> {
        self.browser_with(device, &[]).await
    }

    /// A browser with extra Chromium switches (e.g. `--js-flags=--expose-gc`; other
    /// engines are started without them).
    pub async fn browser_with(&self, device: Device, extra: &[&str]) -> Result<Browser> {
        Browser::open(
            self.engine,
            device,
            extra,
            std::sync::Arc::clone(&self.config.csp_reports),
        )
        .await
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

    /// The emulated receipt printer's address, as staff type it in the console.
    pub fn printer_address(&self) -> String {
        self.url(emulator::http::printer::PRINTER_PATH)
    }

    /// What the emulated receipt printer printed, ticket by ticket, oldest first.
    pub async fn printed_tickets(&self) -> Result<Vec<String>> {
        let path = format!("{}/tickets", emulator::http::printer::PRINTER_PATH);
        let reply = self
            .client()
            .local(emulator::client::Method::GET, &self.url(&path), None)
            .await?;
        anyhow::ensure!(reply.status == 200, "no tickets: {}", reply.body);
        let tickets = reply.json()?["tickets"].clone();
        Ok(tickets
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["text"].as_str().map(str::to_string))
            .collect())
    }
}

/// A harness whose emulator is down; [`StoppedHarness::restart`] brings it back on the
/// same address with the same state.
pub struct StoppedHarness {
    config: emulator::Config,
    _state: tempfile::TempDir,
    engine: Engine,
}

impl StoppedHarness {
    pub async fn restart(self) -> Result<Harness> {
        let Self {
            config,
            _state,
            engine,
        } = self;
        let emulator = emulator::start(config.clone()).await?;
        Ok(Harness {
            emulator,
            variant: config.variant.clone(),
            config,
            _state,
            engine,
        })
    }
}

/// Whether the browser suite runs against an emulator started with `--least-privilege`
/// (`SERVERLESSPRESSO_LEAST_PRIVILEGE=1`; `cargo xtask test` runs it both ways).
pub fn least_privilege() -> bool {
    std::env::var("SERVERLESSPRESSO_LEAST_PRIVILEGE").is_ok_and(|v| v == "1")
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
