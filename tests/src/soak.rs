//! A time-scaled event day at the bar: the TV, the barista's iPad and several phones open
//! in headless Chromium against the emulator, robot customers at an event's rate,
//! scripted customers ordering, cancelling and timing out on the phones, a robot barista,
//! and a fault schedule with every fault the emulator can inject plus browsers going
//! offline. After each fault, and at the end, every screen is compared with REST.
//!
//! `cargo xtask soak` runs a whole day and prints its figures; a short day runs inside
//! `cargo xtask test`.

use crate::{eventually_within, Browser, Device, Harness, ADMIN, IPAD, PHONE, TV};
use anyhow::{anyhow, bail, Context, Result};
use emulator::client::Client;
use emulator::robot::{self, keep_fresh, BaristaPlan, RobotControl, RobotStats};
use serde_json::{json, Value};
use shared::model::{Order, OrderState};
use shared::windows::Windows;
use shared::AppKind;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What kind of day.
#[derive(Clone, Debug)]
pub struct Plan {
    pub simulated_hours: f64,
    /// How much faster than real time the emulator's timers run.
    pub time_scale: u32,
    pub phones: usize,
    /// Robot customers' orders per simulated hour (an event's rate).
    pub robot_orders_per_hour: f64,
    /// Every fault of the schedule, or a few.
    pub all_faults: bool,
}

impl Plan {
    /// Eight hours of service, in about ten minutes.
    pub fn day() -> Self {
        Self {
            simulated_hours: 8.0,
            time_scale: 48,
            phones: 3,
            robot_orders_per_hour: 60.0,
            all_faults: true,
        }
    }

    /// An hour of service with a few faults, for every test run.
    pub fn short() -> Self {
        Self {
            simulated_hours: 1.0,
            time_scale: 48,
            phones: 2,
            robot_orders_per_hour: 60.0,
            all_faults: false,
        }
    }

    fn wall(&self) -> Duration {
        Duration::from_secs_f64(self.simulated_hours * 3600.0 / f64::from(self.time_scale))
    }
}

/// One fault of the schedule.
#[derive(Clone, Debug)]
enum Fault {
    /// `POST /_local/faults` with this body, lasting this long.
    Emulator(&'static str, Value, Duration),
    /// The emulator process stops and starts again on the same database.
    Restart,
    /// Browsers off the network (DevTools), for this long.
    Offline(Duration),
}

impl Fault {
    fn name(&self) -> String {
        match self {
            Self::Emulator(name, ..) => (*name).to_string(),
            Self::Restart => "emulator restart".into(),
            Self::Offline(d) => format!("browsers offline {} s", d.as_secs()),
        }
    }
}

fn schedule(all: bool) -> Vec<Fault> {
    let s = Duration::from_secs;
    let mut faults = vec![
        Fault::Emulator("dropped WebSockets", json!({"dropWebSockets": true}), s(0)),
        Fault::Emulator(
            "REST 503",
            json!({"rest": {"status": 503, "forSeconds": 6}}),
            s(6),
        ),
        Fault::Offline(s(10)),
    ];
    if all {
        faults = vec![
            Fault::Emulator(
                "Cognito throttling",
                json!({"cognito": {"answer": "throttle", "forSeconds": 10}, "dropWebSockets": true}),
                s(10),
            ),
            Fault::Emulator("dropped WebSockets", json!({"dropWebSockets": true}), s(0)),
            Fault::Offline(s(30)),
            Fault::Emulator(
                "refused subscriptions",
                json!({"refuseSubscriptions": {"forSeconds": 8}, "dropWebSockets": true}),
                s(8),
            ),
            Fault::Emulator(
                "REST 503",
                json!({"rest": {"status": 503, "forSeconds": 8}, "dropWebSockets": true}),
                s(8),
            ),
            Fault::Restart,
            Fault::Emulator(
                "Cognito 5xx",
                json!({"cognito": {"answer": "error", "forSeconds": 10}, "dropWebSockets": true}),
                s(10),
            ),
            Fault::Emulator(
                "slow REST",
                json!({"restLatency": {"ms": 1500, "forSeconds": 8}, "dropWebSockets": true}),
                s(8),
            ),
            Fault::Offline(s(30)),
        ];
    }
    faults
}

/// Counters of the day's phones (the robots count theirs in [`RobotStats`]).
#[derive(Default)]
struct Tally {
    placed: AtomicU64,
    cancelled_by_phones: AtomicU64,
    cancel_too_late: AtomicU64,
    abandoned_by_phones: AtomicU64,
}

/// Counts the page's live timers and listeners, installed before the app's own code.
const COUNT_TIMERS_AND_LISTENERS: &str = r#"
(() => {
  const timeouts = new Set(), intervals = new Set();
  let listeners = 0;
  const st = window.setTimeout.bind(window), ct = window.clearTimeout.bind(window);
  const si = window.setInterval.bind(window), ci = window.clearInterval.bind(window);
  window.setTimeout = (f, ms, ...a) => { const id = st((...x) => { timeouts.delete(id); return typeof f === 'function' ? f(...x) : undefined; }, ms, ...a); timeouts.add(id); return id; };
  window.clearTimeout = (id) => { timeouts.delete(id); return ct(id); };
  window.setInterval = (...a) => { const id = si(...a); intervals.add(id); return id; };
  window.clearInterval = (id) => { intervals.delete(id); return ci(id); };
  const add = EventTarget.prototype.addEventListener, rem = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (...a) { listeners++; return add.apply(this, a); };
  EventTarget.prototype.removeEventListener = function (...a) { listeners--; return rem.apply(this, a); };
  window.soakCounts = () => ({ timeouts: timeouts.size, intervals: intervals.size, listeners });
  window.sawSignIn = false;
  new MutationObserver(() => {
    const title = document.querySelector('#auth-title');
    if (title && !window.sawSignIn) {
      window.sawSignIn = location.href + ' at ' + Math.round(performance.now()) + ' ms: ' + document.body.innerText.replace(/\s+/g, ' ').slice(0, 300);
    }
  }).observe(document, { childList: true, subtree: true });
})();
"#;

/// What a browser's page holds: heap after garbage collection, timers, listeners.
#[derive(Clone, Copy, Debug, Default)]
struct Footprint {
    heap: f64,
    timers: i64,
    listeners: i64,
}

async fn footprint(browser: &Browser) -> Result<Footprint> {
    browser.cdp("HeapProfiler.enable", json!({})).await?;
    browser
        .cdp("HeapProfiler.collectGarbage", json!({}))
        .await?;
    let usage = browser.cdp("Runtime.getHeapUsage", json!({})).await?;
    let counts = browser.js("return window.soakCounts()").await?;
    Ok(Footprint {
        heap: usage["usedSize"].as_f64().unwrap_or(0.0),
        timers: counts["timeouts"].as_i64().unwrap_or(0)
            + counts["intervals"].as_i64().unwrap_or(0),
        listeners: counts["listeners"].as_i64().unwrap_or(0),
    })
}

/// A browser with the counting script installed before any page script runs.
async fn counted_browser(harness: &Harness, device: Device) -> Result<Browser> {
    let browser = harness.browser(device).await?;
    browser.before_each_page(COUNT_TIMERS_AND_LISTENERS).await?;
    Ok(browser)
}

/// `GET /orders?state=CREATED` as the apps ask it (the first 100 rows, contract §3.3).
async fn open_orders(client: &Client) -> Result<Vec<Order>> {
    orders(client, OrderState::Created, None).await
}

/// Every order in `state`: the query answers 100 by default (contract §3.3).
async fn orders_in(client: &Client, state: OrderState) -> Result<Vec<Order>> {
    orders(client, state, Some(100_000)).await
}

async fn orders(client: &Client, state: OrderState, max: Option<u32>) -> Result<Vec<Order>> {
    let call = client.api().orders(&state, max);
    let list = client
        .send(call)
        .await?
        .map_err(|e| anyhow!("orders in {state:?}: {e}"))?;
    Ok(list.orders)
}

/// The code the display shows now.
async fn current_code(barista: &Client) -> Result<String> {
    let bucket = barista.qr_code().await?;
    Ok(bucket["last_code"].as_str().unwrap_or_default().to_string())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The robots of the day, the emulator's (`emulator::robot`, which
/// `--robot-orders-per-minute` runs): a barista who makes every order (the phones' too) as
/// it reaches the bar and completes it a simulated minute later, well inside the
/// baristas' window, and robot customers at the event's rate; all held and stopped by
/// `control`.
async fn start_robots(
    harness: &Harness,
    windows: Windows,
    control: &Arc<RobotControl>,
    stats: &Arc<RobotStats>,
) -> Result<(
    tokio::task::JoinHandle<()>,
    tokio::task::JoinHandle<Result<()>>,
)> {
    let template = harness.client();
    let (cognito, store) = (&harness.emulator.cognito, &harness.emulator.backend.store);
    let name = |who: &str| format!("robot-{who}@example.com");
    let barista =
        robot::robot_user_like(&template, cognito, store, &name("barista"), &["admin"]).await?;
    let board = barista
        .subscribe("serverlesspresso-robot-barista", &[&barista.admin_topic()])
        .await?;
    let mut customers = Vec::new();
    for i in 0..5 {
        let customer =
            robot::robot_user_like(&template, cognito, store, &name(&i.to_string()), &["robot"])
                .await?;
        let events = customer
            .subscribe(
                &format!("serverlesspresso-robot-{i}"),
                &[&customer.user_topic()?],
            )
            .await?;
        customers.push((customer, events));
    }
    let making = Duration::from_millis(u64::try_from(windows.barista_ms / 15).unwrap_or(1_000));
    let plan = BaristaPlan {
        everyone: true,
        making,
        windows,
        sweep: Some(making / 4),
    };
    let serving = tokio::spawn(robot::run_barista_with(
        barista.clone(),
        board,
        plan,
        Arc::clone(control),
        Arc::clone(stats),
    ));
    let ordering = tokio::spawn(robot::run_customers_with(
        barista,
        customers,
        Arc::clone(control),
        Arc::clone(stats),
    ));
    Ok((serving, ordering))
}

/// A phone's scripted customer: scan, choose, order; every fourth round cancels, every
/// fifth lets the time to choose run out.
async fn scripted_customer(
    harness_base: String,
    phone: &Browser,
    mut barista: Client,
    tally: &Tally,
    control: &RobotControl,
) -> Result<()> {
    let mut round = 0u64;
    while !control.is_stopped() {
        if control.is_held() {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        keep_fresh(&mut barista).await;
        let Ok(code) = current_code(&barista).await else {
            // The validator is failing (a fault): as the display, try again shortly.
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        round += 1;
        phone
            .goto(&format!("{harness_base}/order/?token={code}"))
            .await?;
        // The menu, or a reason there is none (no drinks left, an old code): next round.
        let on_menu =
            eventually_within(Duration::from_secs(10), "the menu or a notice", || async {
                Ok(phone
                    .wait_for("#menu-title, #notice-title, #status-title")
                    .await
                    .is_ok())
            })
            .await
            .is_ok()
                && phone.wait_for("#menu-title").await.is_ok();
        if !on_menu {
            continue;
        }
        if round.is_multiple_of(5) {
            // Lets the time to choose run out.
            tally.abandoned_by_phones.fetch_add(1, Ordering::Relaxed);
            let _ = eventually_within(
                Duration::from_secs(30),
                "the customer's time runs out",
                || async {
                    Ok(phone
                        .text("#status-title")
                        .await
                        .unwrap_or_default()
                        .contains("Time ran out"))
                },
            )
            .await;
            continue;
        }
        if phone.click_button("Latte").await.is_err()
            || phone.click_button("Order now").await.is_err()
        {
            continue;
        }
        let numbered = eventually_within(
            Duration::from_secs(20),
            "the order has its number",
            || async { Ok(phone.wait_for(".order-number").await.is_ok()) },
        )
        .await
        .is_ok();
        if !numbered {
            continue;
        }
        tally.placed.fetch_add(1, Ordering::Relaxed);
        if round.is_multiple_of(4)
            && phone.click_button("Cancel order").await.is_ok()
            && phone.click_button("Yes").await.is_ok()
        {
            // Counted by what the customer then sees: cancelled, or made before the
            // cancel arrived (the robot barista is quick).
            let shown =
                eventually_within(Duration::from_secs(20), "the cancel's outcome", || async {
                    let title = phone.text("#status-title").await.unwrap_or_default();
                    Ok(title.contains("cancelled") || title.contains("Ready"))
                })
                .await;
            let title = phone.text("#status-title").await.unwrap_or_default();
            if shown.is_ok() && title.contains("cancelled") {
                tally.cancelled_by_phones.fetch_add(1, Ordering::Relaxed);
            } else {
                tally.cancel_too_late.fetch_add(1, Ordering::Relaxed);
            }
        }
        // Until it is finished one way or another (the robot barista makes it).
        let _ = eventually_within(Duration::from_secs(60), "the order is finished", || async {
            Ok(phone.wait_for("button.primary-wide").await.is_ok())
        })
        .await;
    }
    Ok(())
}

/// The ids a selector finds on a page.
async fn ids(browser: &Browser, css: &str) -> Result<BTreeSet<String>> {
    let found = browser
        .js(&format!(
            "return [...document.querySelectorAll(\"{css}\")].map(e => e.dataset.order)"
        ))
        .await?;
    Ok(serde_json::from_value::<Vec<String>>(found)?
        .into_iter()
        .collect())
}

/// Whether the TV and the console show what REST says: every live order on both (the TV
/// shows the first cells and counts the rest), nothing else.
async fn agrees_with_rest(
    tv: &Browser,
    console: &Browser,
    api: &Client,
    windows: &Windows,
) -> Result<Vec<String>> {
    let now = now_ms();
    let live: BTreeSet<String> = open_orders(api)
        .await?
        .into_iter()
        // Orders near the edge of their window may be leaving the screens right now.
        .filter(|o| windows.is_live(o, now) && windows.is_live(o, now + 1_000))
        .map(|o| o.id)
        .collect();
    let mut wrong = Vec::new();
    let cards = ids(
        console,
        ".board-column:nth-child(-n+2) .order-card[data-order]",
    )
    .await?;
    for id in live.difference(&cards) {
        wrong.push(format!("console misses {id}"));
    }
    let on_tv = ids(tv, ".display-list.preparing .display-row[data-order]").await?;
    let more = tv
        .js("const m = document.querySelector('.display-list.preparing .more'); return m ? parseInt(m.textContent.replace(/\\D/g, ''), 10) : 0")
        .await?
        .as_u64()
        .unwrap_or(0) as usize;
    if on_tv.len() + more < live.len() {
        wrong.push(format!(
            "the TV shows {} (+{more}) of {} live orders",
            on_tv.len(),
            live.len()
        ));
    }
    for id in on_tv.difference(&live) {
        let still_open = open_orders(api)
            .await?
            .iter()
            .any(|o| &o.id == id && windows.is_live(o, now_ms()));
        if still_open {
            continue;
        }
        wrong.push(format!("the TV still shows {id}"));
    }
    Ok(wrong)
}

/// The figures of a day.
#[derive(Debug)]
pub struct Report {
    pub lines: Vec<String>,
    pub lost: usize,
    pub sign_outs: usize,
    pub heap_flat: bool,
}

/// Runs a day at the bar and reports its figures.
pub async fn day_at_the_bar(plan: Plan) -> Result<Report> {
    let windows = Windows::scaled(plan.time_scale);
    // In a slot: a restart takes the running emulator out and puts a new one back.
    let mut slot = Some(Harness::start_with(windows).await?);
    let harness = slot.as_ref().context("the harness")?;
    let base = harness.emulator.base_url();
    // Tokens that need refreshing every simulated few minutes, credentials that expire
    // between reconnects.
    harness
        .faults(json!({"tokenLifetimeSeconds": 330, "credentialsLifetimeSeconds": 120}))
        .await?;

    let tv = counted_browser(harness, TV).await?;
    let console = counted_browser(harness, IPAD).await?;
    harness.sign_in_to(&tv, AppKind::Display, ADMIN).await?;
    harness
        .sign_in_to(&console, AppKind::Barista, ADMIN)
        .await?;
    let mut phones = Vec::new();
    for i in 0..plan.phones {
        // Customers with the admin group: no one-coffee-a-day limit for a whole day.
        let user = format!("phone{i}@example.com");
        harness.emulator.cognito.create_user(
            &harness.emulator.backend.store,
            &user,
            "password1",
            &["admin"],
        )?;
        let phone = counted_browser(harness, PHONE).await?;
        harness
            .sign_in_to(&phone, AppKind::Order, (&user, "password1"))
            .await?;
        phones.push(phone);
    }
    for browser in [&tv, &console] {
        browser.wait_for_connection("live").await?;
    }
    // Signed in: from now on a sign-in form is a sign-out nobody asked for.
    for browser in std::iter::once(&tv).chain([&console]).chain(phones.iter()) {
        browser.js("window.sawSignIn = false").await?;
    }

    // Robot customers' orders a minute of wall time, at the event's rate.
    let per_minute = plan.robot_orders_per_hour * f64::from(plan.time_scale) / 60.0;
    let control = Arc::new(RobotControl::new(per_minute));
    let stats = Arc::new(RobotStats::default());
    let tally = Arc::new(Tally::default());
    let (robot_barista, robot_customers) = start_robots(harness, windows, &control, &stats).await?;
    // The barista's REST view, to compare the screens with and to read the QR code.
    let mut check = harness.barista().await?;
    let start = Instant::now();
    let mut footprints_at_start = Vec::new();
    let mut footprints_at_midday = Vec::new();

    // The phones' customers run beside the schedule.
    let customers = {
        let phones = &phones;
        let (tally, control, barista, base) = (&tally, &control, check.clone(), base.clone());
        async move {
            let runs = phones.iter().map(|phone| {
                scripted_customer(base.clone(), phone, barista.clone(), tally, control)
            });
            futures::future::join_all(runs).await
        }
    };

    let schedule_run = async {
        // Warm up for a tenth of the day, then measure the start.
        tokio::time::sleep(plan.wall() / 10).await;
        for browser in std::iter::once(&tv).chain([&console]).chain(phones.iter()) {
            footprints_at_start.push(footprint(browser).await?);
        }
        let faults = schedule(plan.all_faults);
        let gap = (plan.wall() * 8 / 10) / u32::try_from(faults.len()).unwrap_or(1);
        let mut convergence: Vec<(String, Duration)> = Vec::new();
        let midday = faults.len() / 2;
        for (n, fault) in faults.into_iter().enumerate() {
            if n == midday {
                for browser in std::iter::once(&tv).chain([&console]).chain(phones.iter()) {
                    footprints_at_midday.push(footprint(browser).await?);
                }
            }
            tokio::time::sleep(gap / 2).await;
            match &fault {
                Fault::Emulator(_, body, lasts) => {
                    slot.as_ref()
                        .context("the harness")?
                        .faults(body.clone())
                        .await?;
                    tokio::time::sleep(*lasts).await;
                }
                Fault::Restart => {
                    let running = slot.take().context("the harness")?;
                    let restarted = running.stop_emulator().await?.restart().await?;
                    restarted
                        .faults(
                            json!({"tokenLifetimeSeconds": 330, "credentialsLifetimeSeconds": 120}),
                        )
                        .await?;
                    slot = Some(restarted);
                }
                Fault::Offline(lasts) => {
                    let offline = [&tv, &console].into_iter().chain(phones.first());
                    for browser in offline.clone() {
                        browser.set_offline(true).await?;
                    }
                    tokio::time::sleep(*lasts).await;
                    for browser in offline {
                        browser.set_offline(false).await?;
                    }
                }
            }
            // The fault is over: hold the traffic and time how long the screens take to
            // agree with REST again.
            control.hold(true);
            keep_fresh(&mut check).await;
            let over = Instant::now();
            let mut last = Vec::new();
            let converged = eventually_within(
                Duration::from_secs(30),
                "the screens agree with REST",
                || async {
                    let wrong = agrees_with_rest(&tv, &console, &check, &windows).await?;
                    Ok(wrong.is_empty())
                },
            )
            .await;
            if converged.is_err() {
                last = agrees_with_rest(&tv, &console, &check, &windows)
                    .await
                    .unwrap_or_default();
            }
            convergence.push((fault.name(), over.elapsed()));
            if !last.is_empty() {
                bail!("after {}: {}", fault.name(), last.join("; "));
            }
            control.hold(false);
            tokio::time::sleep(gap / 2).await;
        }
        let left = plan.wall().saturating_sub(start.elapsed());
        tokio::time::sleep(left).await;
        Ok::<_, anyhow::Error>(convergence)
    };

    let (convergence, customers) = tokio::join!(
        async {
            let result = schedule_run.await;
            control.stop();
            result
        },
        customers
    );
    let convergence = convergence?;
    for run in customers {
        run?;
    }
    robot_barista.await.context("the robot barista failed")?;
    robot_customers
        .await
        .context("the robot customers failed")??;

    // The end of the day: traffic stopped, every screen checked against REST.
    keep_fresh(&mut check).await;
    let mut lost = Vec::new();
    let settled = eventually_within(
        Duration::from_secs(30),
        "the screens agree with REST at the end",
        || async {
            Ok(agrees_with_rest(&tv, &console, &check, &windows)
                .await?
                .is_empty())
        },
    )
    .await;
    if settled.is_err() {
        lost = agrees_with_rest(&tv, &console, &check, &windows).await?;
    }
    // Each phone following an order says what REST says about it.
    for (i, phone) in phones.iter().enumerate() {
        let Ok(Some(order)) = phone.attr(".status", "data-order").await else {
            continue;
        };
        let Ok(title) = phone.text("#status-title").await else {
            continue;
        };
        let state = [
            (OrderState::Completed, "Completed", "Ready"),
            (OrderState::Cancelled, "Cancelled", "cancelled"),
        ];
        for (state, rest_state, words) in state {
            let in_state = orders_in(&check, state)
                .await?
                .iter()
                .any(|o| o.id == order);
            if in_state && !title.contains(words) {
                lost.push(format!(
                    "phone {} shows {title:?} for an order REST has {rest_state}",
                    i + 1
                ));
            }
        }
    }
    let mut sign_outs = 0;
    let mut lines = Vec::new();
    let completed = orders_in(&check, OrderState::Completed).await?.len();
    let cancelled = orders_in(&check, OrderState::Cancelled).await?.len();
    let now = now_ms();
    let open = open_orders(&check).await?;
    let timed_out = open.iter().filter(|o| !windows.is_live(o, now)).count();
    lines.push(format!(
        "soak: {:.1} simulated hours in {:.0} s of wall time (time scale {}), {} phones, TV 1920x1080, iPad 1180x820",
        plan.simulated_hours,
        start.elapsed().as_secs_f64(),
        plan.time_scale,
        plan.phones
    ));
    let with_drink = completed
        + orders_in(&check, OrderState::Cancelled)
            .await?
            .iter()
            .filter(|o| o.drink.is_some())
            .count()
        + open.iter().filter(|o| o.drink.is_some()).count();
    lines.push(format!(
        "orders placed: {} confirmed to the customer ({with_drink} orders with a drink in REST)",
        tally.placed.load(Ordering::Relaxed) + stats.placed.load(Ordering::Relaxed)
    ));
    lines.push(format!("orders completed: {completed}"));
    lines.push(format!(
        "orders cancelled: {cancelled} ({} by phones; {} more cancels came after the drink was made or failed, and the phone said so)",
        tally.cancelled_by_phones.load(Ordering::Relaxed),
        tally.cancel_too_late.load(Ordering::Relaxed)
    ));
    lines.push(format!(
        "orders timed out: {timed_out} ({} customers let the time to choose run out on phones)",
        tally.abandoned_by_phones.load(Ordering::Relaxed)
    ));
    lines.push(format!("orders lost: {}", lost.len()));
    let mut sign_out_lines = Vec::new();
    for browser in std::iter::once(&tv).chain([&console]).chain(phones.iter()) {
        let seen = browser.js("return window.sawSignIn").await?;
        if seen != false {
            sign_outs += 1;
            sign_out_lines.push(format!("  signed out on {}: {seen}", browser.device.name));
        }
    }
    lines.push(format!("unexpected sign-outs: {sign_outs}"));
    lines.extend(sign_out_lines);
    if let Some((fault, longest)) = convergence.iter().max_by_key(|(_, d)| *d) {
        lines.push(format!(
            "longest convergence after a fault: {:.1} s ({fault}); all: {}",
            longest.as_secs_f64(),
            convergence
                .iter()
                .map(|(f, d)| format!("{f} {:.1} s", d.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut heap_flat = true;
    let names = ["display", "barista"]
        .into_iter()
        .map(str::to_string)
        .chain((0..plan.phones).map(|i| format!("phone {}", i + 1)));
    for (((name, browser), before), midday) in names
        .zip(std::iter::once(&tv).chain([&console]).chain(phones.iter()))
        .zip(&footprints_at_start)
        .zip(
            footprints_at_midday
                .iter()
                .map(Some)
                .chain(std::iter::repeat(None)),
        )
    {
        let after = footprint(browser).await?;
        let growth = (after.heap - before.heap) / before.heap.max(1.0);
        // Flat: the second half of the day adds no more than 10 % (the first fills
        // caches and the reactive arena once), or less than 1 MB for heaps too small for
        // a share to mean much. Phones load a new page at every scan, so theirs is a
        // fresh heap each time: said, not judged; the TV and the iPad keep one page.
        let all_day = !name.starts_with("phone");
        let since_midday = midday.map_or(growth, |m| (after.heap - m.heap) / m.heap.max(1.0));
        let flat = !all_day || since_midday <= 0.10 || after.heap - before.heap < 1_000_000.0;
        heap_flat &= flat;
        lines.push(format!(
            "{name}: JS heap {:.2} MB at start, {} {:.2} MB at end ({:+.0} % over the day, {:+.0} % since midday){}; timers {} -> {}; listeners {} -> {}",
            before.heap / 1e6,
            midday.map_or(String::new(), |m| format!("{:.2} MB at midday,", m.heap / 1e6)),
            after.heap / 1e6,
            growth * 100.0,
            since_midday * 100.0,
            if flat { "" } else { " NOT FLAT" },
            before.timers,
            after.timers,
            before.listeners,
            after.listeners
        ));
    }
    for lost in &lost {
        lines.push(format!("  lost: {lost}"));
    }
    for browser in std::iter::once(tv).chain([console]).chain(phones) {
        browser.close().await?;
    }
    Ok(Report {
        lines,
        lost: lost.len(),
        sign_outs,
        heap_flat,
    })
}
