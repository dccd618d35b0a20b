use clap::Parser;
use emulator::faults::{FaultChange, Lasting, Switch, MAX_LATENCY_MS, MAX_LIFETIME_S};
use emulator::{local, Config};
use shared::AppKind;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The Serverlesspresso backend on this machine: REST APIs, Cognito, IoT over WebSocket
/// and the order workflows, with durable state in SQLite.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value_t = SocketAddr::from(([127, 0, 0, 1], local::DEFAULT_PORT)))]
    listen: SocketAddr,
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
    /// Run the timers this many times faster: 60 makes the 5-minute windows 5 seconds.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Run the order robot: robot customers place this many orders a minute and a
    /// robot barista makes and completes them, through the public APIs.
    #[arg(long, value_name = "N", default_value_t = 0.0)]
    robot_orders_per_minute: f64,
    /// Create (or reset) a barista/admin user: USERNAME:PASSWORD. Repeatable.
    #[arg(
        long = "admin",
        value_name = "USERNAME:PASSWORD",
        default_value = "barista@serverlesspresso.local:coffee-time"
    )]
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
    let admins = args
        .admins
        .iter()
        .map(|a| {
            a.split_once(':')
                .map(|(u, p)| (u.to_string(), p.to_string()))
                .ok_or_else(|| anyhow::anyhow!("--admin takes USERNAME:PASSWORD, got {a:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let running = emulator::start(Config {
        listen: args.listen,
        apps_dir: args.apps.clone(),
        database: (!args.in_memory).then(|| args.database.clone()),
        timings: emulator::clock::Timings::scaled(args.time_scale),
        admins: admins.clone(),
        app_settings: true,
        clock: std::sync::Arc::new(emulator::clock::SystemClock),
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
    match args.in_memory {
        true => println!("State: in memory"),
        false => println!("State: {}", args.database.display()),
    }
    if args.time_scale != 1.0 {
        println!("Timers run {}x faster", args.time_scale);
    }
    for (username, password) in &admins {
        println!("Barista/admin sign-in: {username} / {password}");
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
    println!(
        "\nSign-up and sign-in codes appear in this log and at {base}/_local/codes/<username>."
    );
    println!("An order's events: {base}/_local/orders/<orderId>/events");
    println!("Faults (see the README): GET or POST {base}/_local/faults");
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    running.stop().await
}

async fn start_robot(running: &emulator::Running, per_minute: f64) -> anyhow::Result<()> {
    use emulator::robot;
    use std::sync::Arc;
    let base = running.base_url();
    let (cognito, store) = (&running.cognito, &running.backend.store);
    let barista = robot::robot_user(
        &base,
        cognito,
        store,
        "robot-barista@serverlesspresso.local",
        &["admin"],
    )
    .await?;
    let board = barista
        .subscribe(
            "serverlesspresso-robot-barista",
            &["serverlesspresso-admin"],
        )
        .await?;
    let mut customers = Vec::new();
    for i in 0..5 {
        let c = robot::robot_user(
            &base,
            cognito,
            store,
            &format!("robot-{i}@serverlesspresso.local"),
            &["robot"],
        )
        .await?;
        let topic = format!("serverlesspresso-user-{}", c.sub()?);
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
