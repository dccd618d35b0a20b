//! The Serverlesspresso backend in one process, for development and tests.
//!
//! It speaks the wire contract of variant W (`../shared/reference/serverlesspresso-contract.md`),
//! or of variant E (the multi-event backend, [`Variant::E`]), so that the apps cannot tell
//! it from AWS, and it can serve the three apps' built files so one URL opens everything.
//!
//! It is meant for the developer's own machine: [`access`] says who may talk to it (the
//! `Host` check, CORS, the local-only routes' token), and [`start`] refuses to listen
//! beyond loopback unless told [`Config::allow_exposed`].

pub mod access;
pub mod apps;
pub mod backend;
pub mod client;
pub mod clock;
pub mod cognito;
pub mod csp;
pub mod events;
pub mod faults;
pub mod http;
mod ids;
pub mod iot;
pub mod journey;
pub mod local;
pub mod robot;
pub mod store;
pub mod variant;

use backend::Backend;
use clock::{Clock, SystemClock};
use cognito::Cognito;
use events::Bus;
use faults::{FaultChange, Faults};
use shared::windows::Windows;
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
    pub windows: Windows,
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
    /// The token the local-only routes (`/_local/*`) ask for (`X-Local-Token`); `None`
    /// makes a random one for the run ([`Running::local_token`]).
    pub local_token: Option<String>,
    /// Allows `listen` on an address other than loopback (`--i-know-this-is-exposed`):
    /// without it [`start`] refuses such an address, since everyone on the network
    /// could use the emulator.
    pub allow_exposed: bool,
    /// `--least-privilege`: the rules of `deploy/least-privilege.yaml` (docs/security.md)
    /// instead of the workshop backend's open ones: no unauthenticated identities, each
    /// identity's subscriptions limited to its role's topics, the barista's actions and
    /// the store switch for admins only, a cancel for the order's owner or an admin.
    pub least_privilege: bool,
    /// Where browsers' reports of Content-Security-Policy violations are kept: given, it
    /// outlives a restart (a test's browsers report to whichever run is up).
    pub csp_reports: Arc<csp::CspReports>,
}

impl Config {
    /// Checks what [`start`] cannot fix: a non-loopback `listen` without
    /// `allow_exposed`, a `local_token` too short or not fit for a URL.
    pub fn validate(&self) -> anyhow::Result<()> {
        access::check_listen(self.listen, self.allow_exposed)?;
        if let Some(token) = &self.local_token {
            access::check_local_token(token)?;
        }
        Ok(())
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], local::DEFAULT_PORT)),
            apps_dir: None,
            database: None,
            windows: Windows::AWS,
            admins: Vec::new(),
            app_settings: true,
            clock: Arc::new(SystemClock),
            variant: Variant::W,
            gzip_apps: true,
            local_token: None,
            allow_exposed: false,
            least_privilege: false,
            csp_reports: Arc::default(),
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
    /// The backend's timers (`Config::windows`).
    pub windows: Windows,
    /// `Config::least_privilege`.
    pub least_privilege: bool,
    /// The Content-Security-Policy violations browsers reported for the apps' pages.
    pub csp_reports: Arc<csp::CspReports>,
    /// The local-only routes' token (`Config::local_token`, or made for this run).
    local_token: String,
    /// Everything it serves, as one service (see [`Running::service`]).
    service: axum::Router,
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
        local::with_identities(
            local::settings_for_variant(&self.base_url(), &self.windows, &self.variant),
            self.least_privilege,
        )
    }

    /// The token the local-only routes (`/_local/*`) ask for: the `X-Local-Token`
    /// header, or `?localToken=` on a GET.
    pub fn local_token(&self) -> &str {
        &self.local_token
    }

    /// The emulator's whole HTTP service, as it answers on [`Running::addr`], to drive
    /// in-process (`tower::ServiceExt::oneshot`). Each request needs a
    /// `ConnectInfo<SocketAddr>` extension: the peer it comes from.
    pub fn service(&self) -> axum::Router {
        self.service.clone()
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
    config.validate()?;
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let local_token = config
        .local_token
        .clone()
        .unwrap_or_else(access::new_local_token);
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
        config.windows,
        variant.clone(),
        Bus::with_routing(publisher, routing),
        Arc::clone(&clock),
    ));
    let faults = Arc::new(Faults::new());
    let cognito = Arc::new(
        Cognito::new(Arc::clone(&clock), Arc::clone(&faults), &backend.store)?
            .phone_pool(variant.is_e())
            .least_privilege(config.least_privilege),
    );
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
    let csp_reports = Arc::clone(&config.csp_reports);
    let mut router = http::router(http::AppState {
        backend: Arc::clone(&backend),
        cognito: Arc::clone(&cognito),
        clock: Arc::clone(&clock),
        faults: Arc::clone(&faults),
        broker,
        shutdown,
        local_token: local_token.clone().into(),
        least_privilege: config.least_privilege,
        csp_reports: Arc::clone(&csp_reports),
        printer: Arc::default(),
    });
    if let Some(dir) = &config.apps_dir {
        let base = format!("http://{addr}");
        let settings = config.app_settings.then(|| {
            local::with_identities(
                local::settings_for_variant(&base, &config.windows, &variant),
                config.least_privilege,
            )
        });
        let mut apps = apps::router(
            dir,
            &base,
            settings,
            &variant,
            &local_token,
            config.least_privilege,
        );
        if config.gzip_apps {
            apps = apps.layer(tower_http::compression::CompressionLayer::new());
        }
        router = router.merge(apps);
    }
    // Outermost: a request not addressed to this emulator goes no further.
    let router = router.layer(axum::middleware::from_fn_with_state(
        access::HostCheck::new(addr),
        http::check_host,
    ));
    let (stop, stopped) = oneshot::channel::<()>();
    let service = router
        .clone()
        .into_make_service_with_connect_info::<SocketAddr>();
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
        windows: config.windows,
        least_privilege: config.least_privilege,
        csp_reports,
        local_token,
        service: router,
        stop: Some(stop),
        closing,
        task,
        timers,
    })
}
