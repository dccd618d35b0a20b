//! Load benchmark: the emulator with N WebSocket subscribers and the order robot at a
//! given rate; prints throughput and API-call-to-MQTT latency. Run it with
//! `cargo xtask bench`. Everything stays on loopback and stops by itself.

use anyhow::Result;
use clap::Parser;
use emulator::client::{Client, Subscriber};
use emulator::robot::{self, RobotStats};
use emulator::Config;
use shared::windows::Windows;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// WebSocket subscribers to hold open (phones, baristas, displays together).
    #[arg(long, default_value_t = 2000)]
    subscribers: usize,
    /// Orders the robot places per minute.
    #[arg(long, default_value_t = 500.0)]
    orders_per_minute: f64,
    /// How long to place orders.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Robot customers taking turns.
    #[arg(long, default_value_t = 40)]
    customers: usize,
    /// Admin-topic watchers (barista consoles, display boards).
    #[arg(long, default_value_t = 10)]
    admin_watchers: usize,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    // Real customer and barista windows; one-second buckets, so the validator's ten
    // tokens per bucket allow up to 600 orders a minute.
    let emu = emulator::start(Config {
        listen: "127.0.0.1:0".parse()?,
        windows: Windows {
            qr_ms: 1_000,
            ..Windows::AWS
        },
        ..Default::default()
    })
    .await?;
    let base = emu.base_url();
    println!(
        "emulator on {base}; {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let barista = robot::robot_user(
        &base,
        &emu.cognito,
        &emu.backend.store,
        "robot-barista@example.com",
        &["admin"],
    )
    .await?;
    let mut customers = Vec::new();
    for i in 0..args.customers {
        let c = robot::robot_user(
            &base,
            &emu.cognito,
            &emu.backend.store,
            &format!("robot-{i}@example.com"),
            &["robot"],
        )
        .await?;
        let topic = format!("serverlesspresso-user-{}", c.sub()?);
        let events = c
            .subscribe(
                &format!("serverlesspresso-robot-{i}"),
                &[&topic, "serverlesspresso-config"],
            )
            .await?;
        customers.push((c, events));
    }
    let board = barista
        .subscribe(
            "serverlesspresso-robot-barista",
            &["serverlesspresso-admin"],
        )
        .await?;

    // Everyone else: admin watchers and idle phones on their own topics.
    let idle_count = args.subscribers.saturating_sub(args.customers + 1);
    let connect_started = Instant::now();
    let mut idle: Vec<Subscriber> = Vec::with_capacity(idle_count);
    let anonymous = Client::new(&base)?;
    for chunk_start in (0..idle_count).step_by(100) {
        let batch = (chunk_start..(chunk_start + 100).min(idle_count)).map(|i| {
            let c = anonymous.clone();
            let admin = i < args.admin_watchers;
            async move {
                let topic = if admin {
                    "serverlesspresso-admin".to_string()
                } else {
                    format!("serverlesspresso-user-idle-{i}")
                };
                c.subscribe(
                    &format!("serverlesspresso-idle-{i}"),
                    &[&topic, "serverlesspresso-config"],
                )
                .await
            }
        });
        for s in futures_util::future::join_all(batch).await {
            idle.push(s?);
        }
    }
    let connected = idle.len() + customers.len() + 1;
    println!(
        "{connected} WebSocket subscribers connected in {:.1} s",
        connect_started.elapsed().as_secs_f64()
    );
    // Admin watchers must read their messages, as a real console would.
    let mut watchers = Vec::new();
    for mut s in idle.drain(..args.admin_watchers.min(idle_count)) {
        watchers.push(tokio::spawn(async move {
            while s.next_message(Duration::from_secs(3600)).await.is_ok() {}
        }));
    }

    let stats = Arc::new(RobotStats::default());
    let barista_task = tokio::spawn(robot::run_barista(
        barista.clone(),
        board,
        Arc::clone(&stats),
    ));
    let started = Instant::now();
    let customers_task = tokio::spawn(robot::run_customers(
        barista,
        customers,
        args.orders_per_minute,
        Arc::clone(&stats),
    ));
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    customers_task.abort();
    // Let orders in flight finish, bounded.
    let drain_until = Instant::now() + Duration::from_secs(10);
    while stats.completed.load(Ordering::Relaxed) < stats.placed.load(Ordering::Relaxed)
        && Instant::now() < drain_until
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    barista_task.abort();
    for w in watchers {
        w.abort();
    }

    let mut latencies = stats.latencies_us.lock().unwrap().clone();
    latencies.sort_unstable();
    println!(
        "subscribers held: {connected} (still open: {})",
        idle.len() + 1
    );
    println!(
        "target rate: {:.0} orders/min for {} s",
        args.orders_per_minute, args.seconds
    );
    println!(
        "orders placed:    {:.0} per minute",
        stats.placed.load(Ordering::Relaxed) as f64 / minutes
    );
    println!(
        "orders completed: {:.0} per minute",
        stats.completed.load(Ordering::Relaxed) as f64 / minutes
    );
    println!("failed steps:     {}", stats.failed.load(Ordering::Relaxed));
    println!(
        "API call -> MQTT message at the subscriber: p50 {:.1} ms, p99 {:.1} ms (n = {})",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.len()
    );
    println!(
        "process RSS (emulator + load generator): {:.0} MB",
        rss_mb()
    );
    Ok(())
}
