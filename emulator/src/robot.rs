//! The order robot (like the original OrderRobot extension): robot customers that
//! place orders at a steady rate and a robot barista that makes and completes them,
//! all through the same public APIs the apps use, for W or for one event of E (as its
//! clients are set up).
//!
//! `--robot-orders-per-minute` runs it beside people at the bar ([`run_barista`],
//! [`run_customers`]): robot orders only, made and completed as they arrive. A soak runs
//! it as the bar's only barista, with time to make each drink, held while the screens are
//! compared and stopped at the end of the day ([`run_barista_with`] and a
//! [`BaristaPlan`], [`run_customers_with`], one [`RobotControl`] for both). Either way the
//! robots carry on through what goes wrong at an event, as the apps do: tokens are
//! refreshed before they expire ([`keep_fresh`]), a lost MQTT connection is made again
//! with fresh credentials, a refused call is tried again, and a robot barista that also
//! reads the open orders from REST finds those its connection missed.

use crate::client::{Client, Subscriber};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use shared::model::{DrinkOrder, MenuItem, OrderState};
use shared::windows::Windows;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a robot customer orders: a drink, its icon and its options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobotChoice {
    pub drink: String,
    pub icon: String,
    pub modifiers: Vec<String>,
}

/// The `n`th robot order's choice: the available drinks in turn, each group's options
/// in turn.
pub fn choice(menu: &[MenuItem], n: usize) -> Option<RobotChoice> {
    let available: Vec<&MenuItem> = menu.iter().filter(|m| m.available).collect();
    let item = available.get(n % available.len().max(1))?;
    Some(RobotChoice {
        drink: item.drink.clone(),
        icon: item.icon.clone(),
        modifiers: item
            .modifiers
            .iter()
            .filter_map(|group| {
                group
                    .options
                    .get(n / available.len() % group.options.len().max(1))
            })
            .cloned()
            .collect(),
    })
}

/// What the robot has done so far.
#[derive(Default)]
pub struct RobotStats {
    pub placed: AtomicU64,
    pub completed: AtomicU64,
    pub failed: AtomicU64,
    /// API call to MQTT message, in microseconds.
    pub latencies_us: std::sync::Mutex<Vec<u64>>,
}

/// Creates a robot user (group `robot`, so its orders are flagged `robot`) and signs in,
/// as a W client of the emulator at `base`.
pub async fn robot_user(
    base: &str,
    backend_cognito: &crate::cognito::Cognito,
    store: &crate::store::Store,
    name: &str,
    groups: &[&str],
) -> Result<Client> {
    robot_user_like(&Client::new(base)?, backend_cognito, store, name, groups).await
}

/// [`robot_user`] with a client set up like `template` (W, or an event of E, where
/// `name` must be a phone number). Robots sign in with SRP, which E's app client allows
/// too.
pub async fn robot_user_like(
    template: &Client,
    backend_cognito: &crate::cognito::Cognito,
    store: &crate::store::Store,
    name: &str,
    groups: &[&str],
) -> Result<Client> {
    let password = "robot-password-1";
    backend_cognito.create_user(store, name, password, groups)?;
    let mut client = template.clone();
    client.tokens = None;
    client
        .sign_in(name, password)
        .await?
        .map_err(|e| anyhow!(e))?;
    Ok(client)
}

/// What runs the robots: the customers' rate, which may change while they run; a hold
/// (no new order, the barista's hands still, nothing forgotten); and a stop.
#[derive(Debug, Default)]
pub struct RobotControl {
    /// Orders a minute, as the bits of an `f64`.
    per_minute: AtomicU64,
    held: AtomicBool,
    stopped: AtomicBool,
}

impl RobotControl {
    /// Robots placing `per_minute` orders a minute.
    pub fn new(per_minute: f64) -> Self {
        let control = Self::default();
        control.set_per_minute(per_minute);
        control
    }

    pub fn per_minute(&self) -> f64 {
        f64::from_bits(self.per_minute.load(Ordering::Relaxed))
    }

    /// The customers' rate from their next order on (0: none until it changes again).
    pub fn set_per_minute(&self, per_minute: f64) {
        let per_minute = if per_minute.is_finite() {
            per_minute.max(0.0)
        } else {
            0.0
        };
        self.per_minute
            .store(per_minute.to_bits(), Ordering::Relaxed);
    }

    /// Holds the robots (`true`) or lets them carry on (`false`).
    pub fn hold(&self, held: bool) {
        self.held.store(held, Ordering::Relaxed);
    }

    pub fn is_held(&self) -> bool {
        self.held.load(Ordering::Relaxed)
    }

    /// Stops the robots: [`run_customers_with`] and [`run_barista_with`] return at their
    /// next step (orders already on their way finish by themselves).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }
}

/// A robot refreshes its tokens when they have less than this left.
const REFRESH_MARGIN_MS: i64 = 60_000;

/// How long a robot waits before trying a failed step again (a call, a connection).
const RETRY: Duration = Duration::from_millis(500);

/// Refreshes `client`'s tokens when they have less than a minute left, as the apps'
/// session does before a call. A refresh that fails (Cognito throttled or down) is left
/// to the next call, while the tokens it has still work.
pub async fn keep_fresh(client: &mut Client) {
    let Some(tokens) = &client.tokens else {
        return;
    };
    if tokens.expires_at_ms - client.clock.now_ms() > REFRESH_MARGIN_MS {
        return;
    }
    match client.refresh().await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::debug!("a robot's refresh was refused: {e}"),
        Err(e) => tracing::debug!("a robot's refresh failed: {e:#}"),
    }
}

/// A client id for a robot's new MQTT connection (one that replaces a lost one).
fn new_client_id() -> String {
    static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
    let n = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
    format!("serverlesspresso-robot-again-{n}")
}

/// `client`'s subscription to `topics` on a new connection, with fresh credentials; an
/// error when it cannot connect or the broker refuses a topic.
async fn subscribe_again(client: &Client, topics: &[&str]) -> Result<Subscriber> {
    let subscriber = client.subscribe(&new_client_id(), topics).await?;
    if !subscriber.refused.is_empty() {
        bail!("the broker refused {:?}", subscriber.refused);
    }
    Ok(subscriber)
}

/// One robot order from scan to the baristas' queue. Returns the order id and, for
/// each API call, the time until its event reached the customer's MQTT connection.
pub async fn place_order(
    customer: &Client,
    events: &mut Subscriber,
    code: &str,
    choice: &RobotChoice,
) -> Result<(String, [Duration; 2])> {
    let scanned = Instant::now();
    let order_id = customer.scan_ok(code).await?;
    events
        .expect(
            "OrderProcessor.WorkflowStarted",
            Some(&order_id),
            Duration::from_secs(10),
        )
        .await?;
    let scan_latency = scanned.elapsed();
    let drink = DrinkOrder {
        user_id: Some(customer.sub()?),
        drink: choice.drink.clone(),
        modifiers: choice.modifiers.clone(),
        icon: choice.icon.clone(),
    };
    let submitted = Instant::now();
    customer
        .send(customer.api().submit_order(&order_id, &drink))
        .await?
        .map_err(|e| anyhow!("submitting {order_id}: {e}"))?;
    events
        .expect(
            "OrderManager.WaitingCompletion",
            Some(&order_id),
            Duration::from_secs(10),
        )
        .await?;
    Ok((order_id, [scan_latency, submitted.elapsed()]))
}

/// How a robot barista works.
#[derive(Clone, Debug)]
pub struct BaristaPlan {
    /// Every order (the bar's only barista, as in a soak), or only robot orders (the
    /// emulator's robot, beside people at the bar).
    pub everyone: bool,
    /// How long a drink takes, from make to complete.
    pub making: Duration,
    /// The backend's windows: an order found in REST is taken while it is live, and
    /// every order is given up at the end of the baristas' window.
    pub windows: Windows,
    /// How often it also reads every open order from REST, for the orders its board
    /// missed while its connection was down (new ones to take, taken ones finished by
    /// someone else); `None`: the board only.
    pub sweep: Option<Duration>,
}

impl BaristaPlan {
    /// Robot orders only, made and completed as they reach the board.
    pub fn robots_only() -> Self {
        Self {
            everyone: false,
            making: Duration::ZERO,
            windows: Windows::AWS,
            sweep: None,
        }
    }
}

/// An order the robot barista has taken.
struct Taken {
    /// When it was made; None until then.
    made: Option<Instant>,
    /// Finished: completed by the robot, or cancelled or completed by someone else. Kept
    /// until `until`, so that it is not taken again.
    done: bool,
    /// When the next step may be tried (after a failed one).
    next_try: Instant,
    /// The end of the baristas' window: the order is forgotten then.
    until: Instant,
}

impl Taken {
    fn new(left: Duration) -> Self {
        let now = Instant::now();
        Self {
            made: None,
            done: false,
            next_try: now,
            until: now + left,
        }
    }
}

/// Makes and completes every robot order that reaches the baristas.
pub async fn run_barista(barista: Client, board: Subscriber, stats: Arc<RobotStats>) {
    let control = Arc::new(RobotControl::default());
    run_barista_with(barista, board, BaristaPlan::robots_only(), control, stats).await;
}

/// A robot barista working as `plan` says, until `control` stops it: it takes orders as
/// they reach `board` (the admin topic) and, with a sweep, as REST lists them; makes
/// each and completes it `plan.making` later, unless someone else finishes it first (a
/// customer's cancel). A failed call is tried again and a lost board connected again,
/// until the order's window ends.
pub async fn run_barista_with(
    mut barista: Client,
    board: Subscriber,
    plan: BaristaPlan,
    control: Arc<RobotControl>,
    stats: Arc<RobotStats>,
) {
    let tick = Duration::from_millis(200);
    let finished = [OrderState::Completed, OrderState::Cancelled]
        .map(|state| barista.finished_event_type(&state));
    let mut board = Some(board);
    let mut reconnect_at = Instant::now();
    let mut sweep_at = Instant::now();
    let mut taken: HashMap<String, Taken> = HashMap::new();
    while !control.is_stopped() {
        // The next message on the board, or a tick.
        match &mut board {
            Some(b) => {
                match tokio::time::timeout(tick, b.next_message(Duration::from_secs(3600))).await {
                    Ok(Ok(message)) => read_board(&message, &plan, &finished, &mut taken),
                    Ok(Err(e)) => {
                        tracing::debug!("the robot barista lost its board: {e:#}");
                        board = None;
                    }
                    Err(_) => {}
                }
            }
            None => tokio::time::sleep(tick).await,
        }
        keep_fresh(&mut barista).await;
        if board.is_none() && Instant::now() >= reconnect_at {
            match subscribe_again(&barista, &[&barista.admin_topic()]).await {
                Ok(b) => board = Some(b),
                Err(e) => {
                    tracing::debug!("the robot barista cannot see its board: {e:#}");
                    reconnect_at = Instant::now() + RETRY;
                }
            }
        }
        if let Some(every) = plan.sweep.filter(|_| Instant::now() >= sweep_at) {
            sweep_at = Instant::now() + every;
            sweep(&barista, &plan, &mut taken).await;
        }
        // Finished orders are kept only for the sweep, which must not take them again.
        let now = Instant::now();
        taken.retain(|_, t| t.until > now && !(t.done && plan.sweep.is_none()));
        if control.is_held() {
            continue;
        }
        for (order, t) in taken.iter_mut().filter(|(_, t)| !t.done) {
            while !t.done && Instant::now() >= t.next_try {
                let action = match t.made {
                    None => "make",
                    Some(at) if at.elapsed() >= plan.making => "complete",
                    Some(_) => break,
                };
                match barista.order_action(order, action).await {
                    Ok(reply) if reply.status == 200 => {
                        if action == "make" {
                            t.made = Some(Instant::now());
                        } else {
                            t.done = true;
                            stats.completed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    answer => {
                        match answer {
                            Ok(reply) => tracing::debug!(
                                "the robot's {action} of {order}: {} {}",
                                reply.status,
                                reply.body
                            ),
                            Err(e) => tracing::debug!("the robot's {action} of {order}: {e:#}"),
                        }
                        stats.failed.fetch_add(1, Ordering::Relaxed);
                        t.next_try = Instant::now() + RETRY;
                    }
                }
            }
        }
    }
}

/// What the board says: an order reached the baristas (taken, if the barista makes
/// such orders), or an order was finished, by anyone (a customer's cancel, another
/// barista): left alone from then on.
fn read_board(
    message: &Value,
    plan: &BaristaPlan,
    finished: &[String],
    taken: &mut HashMap<String, Taken>,
) {
    let detail = &message["detail"];
    let Some(order) = detail["orderId"].as_str() else {
        return;
    };
    if message["type"] == "OrderManager.WaitingCompletion"
        && (plan.everyone || detail["robot"] == true)
    {
        let window = Duration::from_millis(u64::try_from(plan.windows.barista_ms).unwrap_or(0));
        taken
            .entry(order.to_string())
            .or_insert_with(|| Taken::new(window));
    } else if finished.iter().any(|f| message["type"] == f.as_str()) {
        if let Some(t) = taken.get_mut(order) {
            t.done = true;
        }
    }
}

/// Reads every open order from REST: takes the live ones the barista makes (every
/// order, or robot orders) that it has not taken yet, and leaves alone those it took
/// that are no longer open (finished by someone else while its board was down).
async fn sweep(barista: &Client, plan: &BaristaPlan, taken: &mut HashMap<String, Taken>) {
    // Every row: the query answers 100 by default (contract §3.3), and an order missing
    // from the answer is taken to be finished.
    let answer = barista
        .send(barista.api().orders(&OrderState::Created, Some(100_000)))
        .await;
    let open = match answer {
        Ok(Ok(list)) => list.orders,
        Ok(Err(e)) => {
            tracing::debug!("the robot barista's sweep: {e}");
            return;
        }
        Err(e) => {
            tracing::debug!("the robot barista's sweep: {e:#}");
            return;
        }
    };
    for (id, t) in taken.iter_mut() {
        t.done |= !open.iter().any(|o| &o.id == id);
    }
    let now_ms = barista.clock.now_ms();
    for order in open {
        if !plan.windows.is_live(&order, now_ms) || !(plan.everyone || order.robot) {
            continue;
        }
        let left_ms = order.ts_ms.map_or(plan.windows.barista_ms, |ts| {
            ts + plan.windows.barista_ms - now_ms
        });
        let left = Duration::from_millis(u64::try_from(left_ms).unwrap_or(0));
        taken.entry(order.id).or_insert_with(|| Taken::new(left));
    }
}

/// Places `per_minute` orders a minute, spread over `customers`, for as long as it runs.
pub async fn run_customers(
    admin: Client,
    customers: Vec<(Client, Subscriber)>,
    per_minute: f64,
    stats: Arc<RobotStats>,
) -> Result<()> {
    let control = Arc::new(RobotControl::new(per_minute.max(0.01)));
    run_customers_with(admin, customers, control, stats).await
}

/// A robot customer: signed in, with its MQTT connection (None once lost: it is made
/// again before the customer's next order).
struct Customer {
    client: Client,
    events: Option<Subscriber>,
}

/// Places orders at `control`'s rate, spread over `customers`, until it stops them;
/// `admin` reads the QR code as the display does. Errs only when the menu cannot be
/// read at the start.
pub async fn run_customers_with(
    mut admin: Client,
    customers: Vec<(Client, Subscriber)>,
    control: Arc<RobotControl>,
    stats: Arc<RobotStats>,
) -> Result<()> {
    let customers: Vec<_> = customers
        .into_iter()
        .map(|(client, events)| {
            Arc::new(tokio::sync::Mutex::new(Customer {
                client,
                events: Some(events),
            }))
        })
        .collect();
    let menu = admin.menu().await?;
    let mut bucket: (Value, Instant) = (Value::Null, Instant::now());
    let mut last_turn = None;
    for n in 0.. {
        if !next_turn(&control, &mut last_turn).await {
            break;
        }
        keep_fresh(&mut admin).await;
        // The display's view of the QR code, refreshed as its interval ends.
        let ends_at = bucket.0["end_ts"].as_i64().unwrap_or(0);
        if bucket.0.is_null()
            || admin.clock.now_ms() + 100 > ends_at
            || bucket.1.elapsed() > Duration::from_secs(5)
        {
            match admin.qr_code().await {
                Ok(now_showing) => bucket = (now_showing, Instant::now()),
                Err(e) => {
                    tracing::debug!("the robot cannot read the QR code: {e:#}");
                    stats.failed.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
            }
        }
        let code = bucket.0["last_code"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let customer = Arc::clone(&customers[n % customers.len()]);
        let stats = Arc::clone(&stats);
        let choice = choice(&menu, n).context("the menu has no drink available")?;
        tokio::spawn(async move {
            let mut guard = customer.lock().await;
            let Customer { client, events } = &mut *guard;
            keep_fresh(client).await;
            if events.is_none() {
                let connected = async { subscribe_again(client, &[&client.user_topic()?]).await };
                *events = connected
                    .await
                    .inspect_err(|e| tracing::debug!("a robot customer cannot connect: {e:#}"))
                    .ok();
            }
            let placed = match events.as_mut() {
                Some(events) => place_order(client, events, &code, &choice).await,
                None => Err(anyhow!("not connected")),
            };
            match placed {
                Ok((_, latencies)) => {
                    let mut all = stats.latencies_us.lock().unwrap_or_else(|p| p.into_inner());
                    all.extend(latencies.iter().map(|d| d.as_micros() as u64));
                    stats.placed.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::debug!("robot order failed: {e:#}");
                    stats.failed.fetch_add(1, Ordering::Relaxed);
                    // The connection may be what failed: the next order makes a new one.
                    *events = None;
                }
            }
        });
    }
    Ok(())
}

/// Waits for the next order's turn, `60 / rate` seconds after the last one (at once for
/// the first, or when late), reading the rate and the hold as it waits. False once
/// stopped.
async fn next_turn(control: &RobotControl, last: &mut Option<Instant>) -> bool {
    loop {
        if control.is_stopped() {
            return false;
        }
        let per_minute = control.per_minute();
        if control.is_held() || per_minute <= 0.0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        let every = Duration::from_secs_f64(60.0 / per_minute);
        let due = last.map_or_else(Instant::now, |last| last + every);
        let now = Instant::now();
        if now >= due {
            *last = Some(now);
            return true;
        }
        tokio::time::sleep((due - now).min(Duration::from_millis(100))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::model::ModifierGroup;

    #[test]
    fn robots_take_the_available_drinks_and_options_in_turn() {
        let item = |drink: &str, available: bool, options: &[&str]| MenuItem {
            drink: drink.into(),
            icon: format!("{drink}-icon"),
            available,
            modifiers: if options.is_empty() {
                vec![]
            } else {
                vec![ModifierGroup {
                    name: "Milk".into(),
                    options: options.iter().map(|o| o.to_string()).collect(),
                }]
            },
        };
        let menu = [
            item("Flat White", true, &["Regular", "Oat"]),
            item("Cappuccino", false, &["Regular", "Oat"]),
            item("Espresso", true, &[]),
        ];
        let picks: Vec<(String, Vec<String>)> = (0..4)
            .map(|n| {
                let c = choice(&menu, n).unwrap();
                (c.drink, c.modifiers)
            })
            .collect();
        assert_eq!(
            picks,
            [
                ("Flat White".into(), vec!["Regular".into()]),
                ("Espresso".into(), vec![]),
                ("Flat White".into(), vec!["Oat".into()]),
                ("Espresso".into(), vec![]),
            ]
        );
        assert_eq!(choice(&[], 0), None);
    }
}
