//! The Serverlesspresso backend in one process, for development and tests.
//!
//! It speaks the wire contract of variant W (`../shared/reference/serverlesspresso-contract.md`),
//! or of variant E (the multi-event backend, [`Variant::E`]), so that the apps cannot tell
//! it from AWS, and it can serve the three apps' built files so one URL opens everything.

pub mod apps;
pub mod backend;
pub mod client;
pub mod clock;
pub mod cognito;
pub mod events;
pub mod faults;
mod http;
mod ids;
pub mod iot;
pub mod journey;
pub mod local;
pub mod robot;
pub mod store;
pub mod variant;

use backend::Backend;
use clock::{Clock, SystemClock, Timings};
use cognito::Cognito;
use events::Bus;
use faults::{FaultChange, Faults};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
pub use variant::Variant;

/// How to run the emulator.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Folder holding `order/dist`, `barista/dist` and `display/dist`; apps are served
    /// under `/order/`, `/barista/` and `/display/` when set.
    pub apps_dir: Option<PathBuf>,
    /// SQLite file for durable state; `None` keeps everything in memory.
    pub database: Option<PathBuf>,
    /// The backend's timers (bucket, customer and barista waits).
    pub timings: Timings,
    /// Confirmed users to create in the `admin` group: (username, password). In E the
    /// username is a phone number (E.164) and an empty password becomes a random one
    /// (they sign in with a texted code).
    pub admins: Vec<(String, String)>,
    /// Serve each app's `settings.json` (as a deployment does), so no device needs
    /// setting up. Off to see an app that was deployed without settings.
    pub app_settings: bool,
    /// Where every part of the emulator reads the time: the wall clock, or a test's
    /// [`clock::ManualClock`] that moves only when told to.
    pub clock: Arc<dyn Clock>,
    /// The backend it speaks: W (the default) or E with its events.
    pub variant: Variant,
    /// Serve the apps' files gzipped to browsers that accept it, as a CDN does (on by
    /// default); off shows what an uncompressed host costs.
    pub gzip_apps: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], local::DEFAULT_PORT)),
            apps_dir: None,
            database: None,
            timings: Timings::AWS,
            admins: Vec::new(),
            app_settings: true,
            clock: Arc::new(SystemClock),
            variant: Variant::W,
            gzip_apps: true,
        }
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Running {
    pub addr: SocketAddr,
    pub backend: Arc<Backend>,
    pub cognito: Arc<Cognito>,
    /// The clock it runs on (`Config::clock`).
    pub clock: Arc<dyn Clock>,
    /// The faults in force (`/_local/faults`); none at start.
    pub faults: Arc<Faults>,
    /// The backend it speaks (`Config::variant`).
    pub variant: Variant,
    /// The backend's timers (`Config::timings`).
    pub timings: Timings,
    stop: Option<oneshot::Sender<()>>,
    /// Tells open WebSocket bridges to close.
    closing: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    timers: tokio::task::JoinHandle<()>,
}

impl Running {
    /// `http://host:port`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The settings its `settings.json` files hand the apps (E: for the first event).
    pub fn settings(&self) -> shared::SettingsDraft {
        local::settings_for_variant(&self.base_url(), &self.timings, &self.variant)
    }

    /// Applies a change to the faults now, as `POST /_local/faults` does; returns the
    /// state it leaves (the route's answer).
    pub fn apply_faults(&self, change: FaultChange) -> serde_json::Value {
        self.faults.apply(change, self.clock.now_ms())
    }

    /// Stops accepting connections and waits for the server to finish.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.closing.send(true);
        self.timers.abort();
        (&mut self.task).await??;
        Ok(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.closing.send(true);
        self.timers.abort();
    }
}

/// Binds and starts serving in the background.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let variant = config.variant.clone();
    if variant.is_e() {
        if let Some((bad, _)) = config
            .admins
            .iter()
            .find(|(username, _)| !shared::cognito::is_e164(username))
        {
            anyhow::bail!(
                "--admin {bad:?}: E's user pool signs in with phone numbers only; give one in E.164 form, like {}",
                variant::E_ADMIN_PHONE
            );
        }
    }
    let store = Store::open_for(config.database.as_deref(), &variant)?;
    let (broker, publisher) = iot::start_broker()?;
    let clock = Arc::clone(&config.clock);
    let routing = match variant {
        Variant::W => events::Routing::W,
        Variant::E { .. } => events::Routing::E,
    };
    let backend = Arc::new(Backend::new(
        store,
        config.timings,
        variant.clone(),
        Bus::with_routing(publisher, routing),
        Arc::clone(&clock),
    ));
    let faults = Arc::new(Faults::new());
    let cognito =
        Arc::new(Cognito::new(Arc::clone(&clock), Arc::clone(&faults))?.phone_pool(variant.is_e()));
    for (username, password) in &config.admins {
        // E's baristas sign in with a texted code; a password they never type.
        let password = match password.as_str() {
            "" => ids::token(b"abcdefghijklmnopqrstuvwxyz0123456789", 30),
            given => given.to_string(),
        };
        cognito.create_user(&backend.store, username, &password, &["admin"])?;
    }
    // Timers left by a previous run fire now if overdue, else when due.
    let timers = tokio::spawn(Arc::clone(&backend).run_timers());

    let (closing, shutdown) = tokio::sync::watch::channel(false);
    let mut router = http::router(http::AppState {
        backend: Arc::clone(&backend),
        cognito: Arc::clone(&cognito),
        clock: Arc::clone(&clock),
        faults: Arc::clone(&faults),
        broker,
        shutdown,
    });
    if let Some(dir) = &config.apps_dir {
        let base = format!("http://{addr}");
        let settings = config
            .app_settings
            .then(|| local::settings_for_variant(&base, &config.timings, &variant));
        let mut apps = apps::router(dir, &base, settings, &variant);
        if config.gzip_apps {
            apps = apps.layer(tower_http::compression::CompressionLayer::new());
        }
        router = router.merge(apps);
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Running {
        addr,
        backend,
        cognito,
        clock,
        faults,
        variant,
        timings: config.timings,
        stop: Some(stop),
        closing,
        task,
        timers,
    })
}
