//! A time-scaled event day at the bar: the TV, the barista's iPad and several phones open
//! in headless Chromium against the emulator, robot customers at an event's rate,
//! scripted customers ordering, cancelling and timing out on the phones, a robot barista,
//! and a fault schedule with every fault the emulator can inject plus browsers going
//! offline. After each fault, and at the end, every screen is compared with REST.
//!
//! `cargo xtask soak` runs a whole day and prints its figures; a short day runs inside
//! `cargo xtask test`.

use crate::{eventually_within, Browser, Device, Harness, ADMIN, IPAD, PHONE, TV};
use anyhow::{bail, ensure, Context, Result};
use emulator::client::{Client, Method};
use serde_json::{json, Value};
use shared::windows::Windows;
use shared::AppKind;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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

/// Counters of the day.
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
    browser.cdp("Page.enable", json!({})).await?;
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": COUNT_TIMERS_AND_LISTENERS}),
        )
        .await?;
    Ok(browser)
}

/// A signed-in client that refreshes its tokens when the emulator refuses them.
#[derive(Clone)]
struct Api {
    client: Client,
}

impl Api {
    async fn signed_in(base: &str, user: (&str, &str)) -> Result<Self> {
        let mut client = Client::new(base)?;
        client
            .sign_in(user.0, user.1)
            .await?
            .map_err(|e| anyhow::anyhow!(e))?;
        Ok(Self { client })
    }

    /// A REST call, signing in again or refreshing when the token was refused.
    async fn rest(
        &mut self,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<emulator::client::Reply> {
        let reply = self.client.rest(method.clone(), url, body.clone()).await?;
        if reply.status != 401 {
            return Ok(reply);
        }
        self.client
            .refresh()
            .await?
            .map_err(|e| anyhow::anyhow!(e))?;
        self.client.rest(method, url, body).await
    }

    async fn open_orders(&mut self) -> Result<Vec<shared::model::Order>> {
        let url = self.client.om("orders?state=CREATED");
        let reply = self.rest(Method::GET, &url, None).await?;
        ensure!(
            reply.status == 200,
            "orders: {} {}",
            reply.status,
            reply.body
        );
        Ok(shared::wire::parse_orders(&reply.body, shared::Flavour::W)?.orders)
    }

    async fn orders_in(&mut self, state: &str) -> Result<Vec<shared::model::Order>> {
        // Every row: the query answers 100 by default (contract §3.3).
        let url = self
            .client
            .om(&format!("orders?state={state}&maxItems=100000"));
        let reply = self.rest(Method::GET, &url, None).await?;
        ensure!(
            reply.status == 200,
            "orders: {} {}",
            reply.status,
            reply.body
        );
        Ok(shared::wire::parse_orders(&reply.body, shared::Flavour::W)?.orders)
    }

    async fn current_code(&mut self) -> Result<String> {
        let url = self.client.validator("qr-code");
        let reply = self.rest(Method::GET, &url, None).await?;
        Ok(reply.json()?["bucket"]["last_code"]
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    async fn act(&mut self, order: &str, action: &str) -> Result<()> {
        let url = self.client.om(&format!("orders/{order}?action={action}"));
        let reply = self.rest(Method::PUT, &url, Some(json!({}))).await?;
        ensure!(reply.status == 200, "{action}: {}", reply.body);
        Ok(())
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The robot barista: makes every live order, then completes it a simulated minute
/// later, well inside the baristas' window.
async fn robot_barista(
    mut api: Api,
    windows: Windows,
    running: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
) {
    let making = Duration::from_millis(u64::try_from(windows.barista_ms / 15).unwrap_or(1_000));
    let mut making_since: std::collections::HashMap<String, Instant> = Default::default();
    while running.load(Ordering::Relaxed) {
        if !paused.load(Ordering::Relaxed) {
            if let Ok(open) = api.open_orders().await {
                for order in open.iter().filter(|o| windows.is_live(o, now_ms())) {
                    match making_since.get(&order.id) {
                        None => {
                            if api.act(&order.id, "make").await.is_ok() {
                                making_since.insert(order.id.clone(), Instant::now());
                            }
                        }
                        Some(since) if since.elapsed() >= making => {
                            if api.act(&order.id, "complete").await.is_ok() {
                                making_since.remove(&order.id);
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        tokio::time::sleep(making / 4).await;
    }
}

/// Robot customers at the event's rate, each a new account, through the public APIs
/// (reading their emailed codes with the emulator's `local_token`).
#[allow(clippy::too_many_arguments)]
async fn robot_customers(
    base: String,
    local_token: String,
    mut barista: Api,
    per_hour: f64,
    time_scale: u32,
    tally: Arc<Tally>,
    running: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
) {
    let every = Duration::from_secs_f64(3600.0 / per_hour / f64::from(time_scale));
    let mut n = 0;
    while running.load(Ordering::Relaxed) {
        tokio::time::sleep(every).await;
        if paused.load(Ordering::Relaxed) {
            continue;
        }
        n += 1;
        let placed = async {
            let mut customer = Client::new(&base)?.with_local_token(&local_token);
            customer
                .register(&base, &format!("robot{n}@example.com"), "password1")
                .await?;
            let code = barista.current_code().await?;
            let reply = customer
                .rest(
                    Method::POST,
                    &customer.validator(&format!("qr-code?token={code}")),
                    None,
                )
                .await?;
            let Some(order) = reply
                .json()
                .ok()
                .and_then(|v| v["orderId"].as_str().map(str::to_string))
            else {
                return Ok::<bool, anyhow::Error>(false);
            };
            // The workflow stores its token asynchronously: submit once the row exists.
            for _ in 0..50 {
                let body = json!({"userId": customer.sub()?, "drink": "Latte", "modifiers": [], "icon": "barista-icons_cafe-latte"});
                customer
                    .rest(
                        Method::PUT,
                        &customer.om(&format!("orders/{order}")),
                        Some(body),
                    )
                    .await?;
                let rows = barista.open_orders().await?;
                if rows.iter().any(|o| o.id == order && o.drink.is_some()) {
                    return Ok(true);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Ok(false)
        };
        if let Ok(true) = placed.await {
            tally.placed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A phone's scripted customer: scan, choose, order; every fourth round cancels, every
/// fifth lets the time to choose run out.
async fn scripted_customer(
    harness_base: String,
    phone: &Browser,
    mut barista: Api,
    tally: &Tally,
    running: &AtomicBool,
    paused: &AtomicBool,
) -> Result<()> {
    let mut round = 0u64;
    while running.load(Ordering::Relaxed) {
        if paused.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        round += 1;
        let code = barista.current_code().await?;
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
    api: &mut Api,
    windows: &Windows,
) -> Result<Vec<String>> {
    let now = now_ms();
    let live: BTreeSet<String> = api
        .open_orders()
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
        let still_open = api
            .open_orders()
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
    let timings = emulator::clock::Timings::scaled(f64::from(plan.time_scale));
    let windows = Windows::scaled(plan.time_scale);
    // In a slot: a restart takes the running emulator out and puts a new one back.
    let mut slot = Some(Harness::start_with(timings).await?);
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

    let running = Arc::new(AtomicBool::new(true));
    let paused = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let barista = Api::signed_in(&base, ADMIN).await?;
    let robots = [
        tokio::spawn(robot_barista(
            barista.clone(),
            windows,
            Arc::clone(&running),
            Arc::clone(&paused),
        )),
        tokio::spawn(robot_customers(
            base.clone(),
            // The harness restarts the emulator with the same token.
            harness.emulator.local_token().to_string(),
            barista.clone(),
            plan.robot_orders_per_hour,
            plan.time_scale,
            Arc::clone(&tally),
            Arc::clone(&running),
            Arc::clone(&paused),
        )),
    ];
    let start = Instant::now();
    let mut footprints_at_start = Vec::new();
    let mut footprints_at_midday = Vec::new();
    let mut check = barista.clone();

    // The phones' customers run beside the schedule.
    let customers = {
        let phones = &phones;
        let (tally, running, paused, barista, base) =
            (&tally, &running, &paused, &barista, base.clone());
        async move {
            let runs = phones.iter().map(|phone| {
                scripted_customer(base.clone(), phone, barista.clone(), tally, running, paused)
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
            paused.store(true, Ordering::Relaxed);
            let over = Instant::now();
            let mut last = Vec::new();
            let converged = eventually_within(
                Duration::from_secs(30),
                "the screens agree with REST",
                || async {
                    let wrong =
                        agrees_with_rest(&tv, &console, &mut check.clone(), &windows).await?;
                    Ok(wrong.is_empty())
                },
            )
            .await;
            if converged.is_err() {
                last = agrees_with_rest(&tv, &console, &mut check, &windows)
                    .await
                    .unwrap_or_default();
            }
            convergence.push((fault.name(), over.elapsed()));
            if !last.is_empty() {
                bail!("after {}: {}", fault.name(), last.join("; "));
            }
            paused.store(false, Ordering::Relaxed);
            tokio::time::sleep(gap / 2).await;
        }
        let left = plan.wall().saturating_sub(start.elapsed());
        tokio::time::sleep(left).await;
        Ok::<_, anyhow::Error>(convergence)
    };

    let (convergence, customers) = tokio::join!(
        async {
            let result = schedule_run.await;
            running.store(false, Ordering::Relaxed);
            result
        },
        customers
    );
    let convergence = convergence?;
    for run in customers {
        run?;
    }
    for robot in robots {
        robot.await.context("a robot failed")?;
    }

    // The end of the day: traffic stopped, every screen checked against REST.
    let mut lost = Vec::new();
    let settled = eventually_within(
        Duration::from_secs(30),
        "the screens agree with REST at the end",
        || async {
            Ok(
                agrees_with_rest(&tv, &console, &mut check.clone(), &windows)
                    .await?
                    .is_empty(),
            )
        },
    )
    .await;
    if settled.is_err() {
        lost = agrees_with_rest(&tv, &console, &mut check, &windows).await?;
    }
    // Each phone following an order says what REST says about it.
    for (i, phone) in phones.iter().enumerate() {
        let Ok(Some(order)) = phone.attr(".status", "data-order").await else {
            continue;
        };
        let Ok(title) = phone.text("#status-title").await else {
            continue;
        };
        let state = [("Completed", "Ready"), ("Cancelled", "cancelled")];
        for (rest_state, words) in state {
            let in_state = check
                .orders_in(rest_state)
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
    let completed = check.orders_in("Completed").await?.len();
    let cancelled = check.orders_in("Cancelled").await?.len();
    let now = now_ms();
    let open = check.open_orders().await?;
    let timed_out = open.iter().filter(|o| !windows.is_live(o, now)).count();
    lines.push(format!(
        "soak: {:.1} simulated hours in {:.0} s of wall time (time scale {}), {} phones, TV 1920x1080, iPad 1180x820",
        plan.simulated_hours,
        start.elapsed().as_secs_f64(),
        plan.time_scale,
        plan.phones
    ));
    let with_drink = completed
        + check
            .orders_in("Cancelled")
            .await?
            .iter()
            .filter(|o| o.drink.is_some())
            .count()
        + open.iter().filter(|o| o.drink.is_some()).count();
    lines.push(format!(
        "orders placed: {} confirmed to the customer ({with_drink} orders with a drink in REST)",
        tally.placed.load(Ordering::Relaxed)
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
