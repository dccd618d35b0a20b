//! The order robot (like the original OrderRobot extension): robot customers that
//! place orders at a steady rate and a robot barista that makes and completes them,
//! all through the same public APIs the apps use, for W or for one event of E (as its
//! clients are set up).

use crate::client::{Client, Subscriber};
use anyhow::{anyhow, Context, Result};
use reqwest::Method;
use serde_json::{json, Value};
use shared::model::MenuItem;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// One robot order from scan to the baristas' queue. Returns the order id and, for
/// each API call, the time until its event reached the customer's MQTT connection.
pub async fn place_order(
    customer: &Client,
    events: &mut Subscriber,
    code: &str,
    choice: &RobotChoice,
) -> Result<(String, [Duration; 2])> {
    let scanned = Instant::now();
    let reply = customer.scan(code).await?;
    let order_id = reply.json()?["orderId"]
        .as_str()
        .with_context(|| format!("scan refused: {}", reply.body))?
        .to_string();
    events
        .expect(
            "OrderProcessor.WorkflowStarted",
            Some(&order_id),
            Duration::from_secs(10),
        )
        .await?;
    let scan_latency = scanned.elapsed();
    let body = json!({
        "userId": customer.sub()?, "drink": choice.drink, "modifiers": choice.modifiers,
        "icon": choice.icon,
    });
    let submitted = Instant::now();
    customer
        .rest(
            Method::PUT,
            &customer.om(&format!("orders/{order_id}")),
            Some(body),
        )
        .await?;
    events
        .expect(
            "OrderManager.WaitingCompletion",
            Some(&order_id),
            Duration::from_secs(10),
        )
        .await?;
    Ok((order_id, [scan_latency, submitted.elapsed()]))
}

/// Makes and completes every robot order that reaches the baristas.
pub async fn run_barista(barista: Client, mut board: Subscriber, stats: Arc<RobotStats>) {
    loop {
        let message = match board.next_message(Duration::from_secs(3600)).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!("robot barista stopped: {e:#}");
                return;
            }
        };
        if message["type"] != "OrderManager.WaitingCompletion" || message["detail"]["robot"] != true
        {
            continue;
        }
        let Some(order) = message["detail"]["orderId"].as_str().map(str::to_string) else {
            continue;
        };
        let barista = barista.clone();
        let stats = Arc::clone(&stats);
        tokio::spawn(async move {
            for action in ["make", "complete"] {
                if barista.order_action(&order, action).await.is_err() {
                    stats.failed.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
            stats.completed.fetch_add(1, Ordering::Relaxed);
        });
    }
}

/// Places `per_minute` orders a minute until stopped, spread over `customers`.
pub async fn run_customers(
    admin: Client,
    customers: Vec<(Client, Subscriber)>,
    per_minute: f64,
    stats: Arc<RobotStats>,
) -> Result<()> {
    let interval = Duration::from_secs_f64(60.0 / per_minute.max(0.01));
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let customers: Vec<_> = customers
        .into_iter()
        .map(|c| Arc::new(tokio::sync::Mutex::new(c)))
        .collect();
    let menu = admin.menu().await?;
    let mut bucket: (Value, Instant) = (Value::Null, Instant::now());
    for n in 0.. {
        ticker.tick().await;
        // The display's view of the QR code, refreshed as its interval ends.
        let ends_at = bucket.0["end_ts"].as_i64().unwrap_or(0);
        if bucket.0.is_null()
            || admin.clock.now_ms() + 100 > ends_at
            || bucket.1.elapsed() > Duration::from_secs(5)
        {
            let reply = admin
                .rest(Method::GET, &admin.validator("qr-code"), None)
                .await?;
            bucket = (reply.json()?["bucket"].clone(), Instant::now());
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
            let (client, events) = &mut *guard;
            match place_order(client, events, &code, &choice).await {
                Ok((_, latencies)) => {
                    let mut all = stats.latencies_us.lock().unwrap_or_else(|p| p.into_inner());
                    all.extend(latencies.iter().map(|d| d.as_micros() as u64));
                    stats.placed.fetch_add(1, Ordering::Relaxed)
                }
                Err(e) => {
                    tracing::debug!("robot order failed: {e:#}");
                    stats.failed.fetch_add(1, Ordering::Relaxed)
                }
            };
        });
    }
    Ok(())
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
