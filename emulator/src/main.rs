use clap::{Parser, ValueEnum};
use emulator::faults::{FaultChange, Lasting, Switch, MAX_LATENCY_MS, MAX_LIFETIME_S};
use emulator::{local, Config, Variant};
use shared::AppKind;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Which backend to speak (`--backend`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    /// The workshop backend (variant W): one coffee bar, email sign-in.
    W,
    /// serverless-coffee's multi-event backend (variant E): an `eventId` everywhere,
    /// phone sign-in with texted codes, order-journey pages.
    E,
}

/// The Serverlesspresso backend on this machine: REST APIs, Cognito, IoT over WebSocket
/// and the order workflows, with durable state in SQLite.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The backend variant to speak: w (the workshop's) or e (the multi-event one).
    #[arg(long, value_enum, default_value = "w")]
    backend: BackendArg,
    /// An event of the E backend (repeatable; several run at once). Each gets E's
    /// seed: its menu, a closed store, its own order numbers, QR codes and topics.
    /// The apps' settings name the first. Default with --backend e: ABC.
    #[arg(long = "event", value_name = "ID")]
    events: Vec<String>,
    /// Address to listen on (loopback by default). Any other address lets everyone on
    /// the network use the emulator, and needs --i-know-this-is-exposed.
    #[arg(long, default_value_t = SocketAddr::from(([127, 0, 0, 1], local::DEFAULT_PORT)))]
    listen: SocketAddr,
    /// Allow --listen on an address other than loopback: the emulator is then open to
    /// everyone who can reach that address, over plain HTTP, with no rate limits (only
    /// the local-only routes stay limited to this machine).
    #[arg(long)]
    i_know_this_is_exposed: bool,
    /// Least privilege, as docs/security.md sets a real deployment up: no
    /// unauthenticated identities; customers may subscribe only to their own user topic
    /// and the config topic, staff to the admin and config topics; make, unmake, complete
    /// and the store switch for admins only; a cancel for the order's owner or an admin.
    /// Without it the emulator is as open as the workshop backend.
    #[arg(long)]
    least_privilege: bool,
    /// The token the local-only routes (/_local/*) ask for, in the X-Local-Token header
    /// (or ?localToken= on a GET): at least 16 letters, digits or -._~. By default a new
    /// random one each run, printed at startup.
    #[arg(long, value_name = "TOKEN")]
    local_token: Option<String>,
    /// Serve the built apps from DIR/{order,barista,display}/dist.
    #[arg(long, value_name = "DIR")]
    apps: Option<PathBuf>,
    /// SQLite database file for durable state.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "serverlesspresso.db",
        conflicts_with = "in_memory"
    )]
    database: PathBuf,
    /// Keep all state in memory (lost on exit).
    #[arg(long)]
    in_memory: bool,
    /// Serve the apps' files uncompressed (as `trunk serve` and some static hosts do);
    /// by default they are gzipped for browsers that accept it, as a CDN does.
    #[arg(long)]
    no_gzip: bool,
    /// Run the timers this many times faster: 60 makes the 5-minute windows 5 seconds.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=3600))]
    time_scale: u32,
    /// Run the order robot: robot customers place this many orders a minute and a
    /// robot barista makes and completes them, through the public APIs.
    #[arg(long, value_name = "N", default_value_t = 0.0)]
    robot_orders_per_minute: f64,
    /// Create (or reset) a barista/admin user: USERNAME:PASSWORD. Repeatable. W's
    /// default: barista@serverlesspresso.local:coffee-time. In E the username is a phone
    /// number and the password may be left out (baristas sign in with a texted code; a
    /// password given also works for SRP sign-in); E's default: +15555550100.
    #[arg(long = "admin", value_name = "USERNAME[:PASSWORD]")]
    admins: Vec<String>,
    /// Fault: access and ID tokens last SECONDS (3600 in AWS); the apps refresh them
    /// five minutes ahead, so 302 has them refreshing every few seconds.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(i64).range(1..=MAX_LIFETIME_S))]
    token_lifetime: Option<i64>,
    /// Fault: identity-pool credentials (which presign the IoT WebSocket) last SECONDS
    /// (3600 in AWS).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(i64).range(1..=MAX_LIFETIME_S))]
    credentials_lifetime: Option<i64>,
    /// Fault: every call of the three REST APIs waits MS milliseconds first (a slow
    /// backend).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=MAX_LATENCY_MS))]
    rest_latency_ms: Option<u64>,
    /// Fault: the IoT endpoint refuses every subscription (SUBACK 0x80), to see how the
    /// apps say so.
    #[arg(long)]
    refuse_subscriptions: bool,
}

impl Args {
    /// The faults the command line asks for, for the whole run (`POST /_local/faults`
    /// with `{"clear": true}` ends the timed ones).
    fn faults(&self) -> FaultChange {
        fn until_cleared<T>(on: Option<T>) -> Switch<T> {
            match on {
                Some(fault) => Switch::Start(fault, Lasting::UntilCleared),
                None => Switch::Leave,
            }
        }
        FaultChange {
            token_lifetime_s: self.token_lifetime,
            credentials_lifetime_s: self.credentials_lifetime,
            rest_latency: until_cleared(self.rest_latency_ms),
            refuse_subscriptions: until_cleared(self.refuse_subscriptions.then_some(())),
            ..FaultChange::default()
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        // Colours for a terminal, plain text for a log file.
        .with_ansi(std::io::stdout().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,rumqttd=warn".into()),
        )
        .with_target(false)
        .init();
    let args = Args::parse();
    let variant = match args.backend {
        BackendArg::W if !args.events.is_empty() => {
            anyhow::bail!("--event names an event of the E backend: add --backend e")
        }
        BackendArg::W => Variant::W,
        BackendArg::E => Variant::e(args.events.iter().cloned())?,
    };
    let admins = if args.admins.is_empty() {
        let (username, password) = variant.default_admin();
        vec![(username.to_string(), password.to_string())]
    } else {
        args.admins
            .iter()
            .map(|a| match (a.split_once(':'), &variant) {
                (Some((u, p)), _) => Ok((u.to_string(), p.to_string())),
                // E's baristas need no password.
                (None, Variant::E { .. }) => Ok((a.to_string(), String::new())),
                (None, Variant::W) => Err(anyhow::anyhow!(
                    "--admin takes USERNAME:PASSWORD, got {a:?}"
                )),
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    let running = emulator::start(Config {
        listen: args.listen,
        apps_dir: args.apps.clone(),
        database: (!args.in_memory).then(|| args.database.clone()),
        windows: shared::windows::Windows::scaled(args.time_scale),
        admins: admins.clone(),
        app_settings: true,
        clock: std::sync::Arc::new(emulator::clock::SystemClock),
        variant: variant.clone(),
        gzip_apps: !args.no_gzip,
        local_token: args.local_token.clone(),
        allow_exposed: args.i_know_this_is_exposed,
        least_privilege: args.least_privilege,
        csp_reports: Default::default(),
    })
    .await?;
    let faults = args.faults();
    if faults != FaultChange::default() {
        let state = running.apply_faults(faults);
        println!("Faults: {state}");
    }
    let base = running.base_url();
    if args.robot_orders_per_minute > 0.0 {
        start_robot(&running, args.robot_orders_per_minute).await?;
        println!(
            "Order robot: {} orders a minute",
            args.robot_orders_per_minute
        );
    }
    println!("Serverlesspresso emulator listening on {base}");
    if emulator::access::is_exposed(running.addr) {
        println!(
            "\nWARNING: {} is not a loopback address (--i-know-this-is-exposed): everyone who \
             can reach it on the network can use this emulator, over plain HTTP and with no \
             rate limits. Only the local-only routes stay limited to this machine.\n",
            running.addr
        );
    }
    match &variant {
        Variant::W => println!("Backend: W (the workshop backend)"),
        Variant::E { events } => {
            println!(
                "Backend: E (the multi-event backend), events: {} (the apps are set up for {})",
                events.join(", "),
                events[0]
            );
            println!("  Each event's store starts closed: open it from the barista console first.");
        }
    }
    match args.in_memory {
        true => println!("State: in memory"),
        false => println!("State: {}", args.database.display()),
    }
    if args.least_privilege {
        println!("Least privilege: signed-in identities only, subscriptions and actions by role (docs/security.md)");
    }
    if args.time_scale != 1 {
        println!("Timers run {}x faster", args.time_scale);
    }
    for (username, password) in &admins {
        match &variant {
            Variant::W => println!("Barista/admin sign-in: {username} / {password}"),
            Variant::E { .. } => {
                println!("Barista/admin sign-in: phone {username} (the code is texted to this log)")
            }
        }
    }
    if args.apps.is_some() {
        println!("\nOpen the apps in this order (each finds its settings by itself):");
        for app in emulator::apps::APPS {
            let what = match app {
                AppKind::Display => "Display board  ",
                AppKind::Barista => "Barista console",
                AppKind::Order => "Order app      ",
            };
            println!("  {what}  {base}/{}/", app.slug());
        }
        println!("  The order app is meant to be opened by scanning the board's QR code.");
    }
    let token = running.local_token();
    match &variant {
        Variant::W => println!(
            "\nSign-up and sign-in codes appear in this log and at {base}/_local/codes/<username>?localToken={token}"
        ),
        Variant::E { .. } => println!(
            "\nEveryone signs in with a phone number (E.164, like +15555550123); the code is \"texted\" to this log and to {base}/_local/codes/<phone>?localToken={token}"
        ),
    }
    println!("An order's events: {base}/_local/orders/<orderId>/events?localToken={token}");
    println!(
        "An order's journey: {base}{}<orderId>.html",
        local::JOURNEY_PATH
    );
    println!("Faults (see the README): GET or POST {base}/_local/faults");
    println!(
        "\nThe local-only routes (/_local/*) answer only this machine, with this run's token:\n  \
         X-Local-Token: {token}\n  \
         (a GET may add ?localToken={token} instead; POSTs send Content-Type: application/json)\n  \
         e.g. curl -H 'X-Local-Token: {token}' {base}/_local/faults"
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    running.stop().await
}

async fn start_robot(running: &emulator::Running, per_minute: f64) -> anyhow::Result<()> {
    use emulator::robot;
    use std::sync::Arc;
    let (cognito, store) = (&running.cognito, &running.backend.store);
    // Robots of the apps' event (E's first), named so that E's phone pool takes them.
    let template = emulator::client::Client::of(running, None)?;
    let name = |who: &str, i: usize| match running.variant {
        Variant::W => format!("robot-{who}@serverlesspresso.local"),
        Variant::E { .. } => format!("+1555555{:04}", 9000 + i),
    };
    let barista =
        robot::robot_user_like(&template, cognito, store, &name("barista", 0), &["admin"]).await?;
    let board = barista
        .subscribe("serverlesspresso-robot-barista", &[&barista.admin_topic()])
        .await?;
    let mut customers = Vec::new();
    for i in 0..5 {
        let c = robot::robot_user_like(
            &template,
            cognito,
            store,
            &name(&i.to_string(), i + 1),
            &["robot"],
        )
        .await?;
        let topic = c.user_topic()?;
        let events = c
            .subscribe(&format!("serverlesspresso-robot-{i}"), &[&topic])
            .await?;
        customers.push((c, events));
    }
    let stats = Arc::new(robot::RobotStats::default());
    tokio::spawn(robot::run_barista(
        barista.clone(),
        board,
        Arc::clone(&stats),
    ));
    tokio::spawn(robot::run_customers(barista, customers, per_minute, stats));
    Ok(())
}
