//! Starting an emulator for a test, and the people who use it.
#![allow(dead_code)]

use emulator::client::{Client, Subscriber};
use emulator::clock::{Clock, ManualClock, SystemClock, Timings};
use emulator::{Config, Running};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(10);
pub const ADMIN: (&str, &str) = ("barista@example.com", "barista-secret");

pub async fn start(timings: Timings, database: Option<PathBuf>) -> Running {
    start_on(Arc::new(SystemClock), timings, database).await
}

/// An emulator whose time moves only when the test moves `clock`.
pub async fn start_on(
    clock: Arc<dyn Clock>,
    timings: Timings,
    database: Option<PathBuf>,
) -> Running {
    emulator::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database,
        timings,
        admins: vec![(ADMIN.0.into(), ADMIN.1.into())],
        clock,
        ..Default::default()
    })
    .await
    .expect("the emulator starts")
}

/// A manual clock showing the wall clock's time, for [`start_on`].
pub fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::starting_now())
}

/// A client of `emu` living in the emulator's time.
pub fn client(emu: &Running) -> Client {
    Client::new(&emu.base_url())
        .unwrap()
        .with_clock(Arc::clone(&emu.clock))
}

pub async fn admin(emu: &Running) -> Client {
    let mut c = client(emu);
    c.sign_in(ADMIN.0, ADMIN.1)
        .await
        .unwrap()
        .expect("admin signs in");
    c
}

pub async fn customer(emu: &Running, name: &str) -> Client {
    let mut c = client(emu);
    c.register(&emu.base_url(), &format!("{name}@example.com"), "password1")
        .await
        .unwrap();
    c
}

/// The current QR code, as the display gets it.
pub async fn qr_code(admin: &Client) -> Value {
    let reply = admin
        .rest(reqwest::Method::GET, &admin.validator("qr-code"), None)
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json().unwrap()["bucket"].clone()
}

/// Scans the code: POST /qr-code?token=…
pub async fn scan(customer: &Client, code: &str) -> emulator::client::Reply {
    customer
        .rest(
            reqwest::Method::POST,
            &customer.validator(&format!("qr-code?token={code}")),
            None,
        )
        .await
        .unwrap()
}

pub async fn scan_ok(customer: &Client, code: &str) -> String {
    let reply = scan(customer, code).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json().unwrap()["orderId"]
        .as_str()
        .expect("an orderId")
        .to_string()
}

/// The customer's own topic and config, as the order app subscribes.
pub async fn customer_events(customer: &Client) -> Subscriber {
    let topic = format!("serverlesspresso-user-{}", customer.sub().unwrap());
    customer
        .subscribe(
            &format!("serverlesspresso-{}", rand_suffix()),
            &[&topic, "serverlesspresso-config"],
        )
        .await
        .unwrap()
}

/// The admin topic, as the barista console subscribes.
pub async fn admin_events(client: &Client) -> Subscriber {
    client
        .subscribe(
            &format!("serverlesspresso-{}", rand_suffix()),
            &["serverlesspresso-admin"],
        )
        .await
        .unwrap()
}

pub fn rand_suffix() -> String {
    format!("{:016x}", rand::random::<u64>())
}

pub async fn put_order(
    client: &Client,
    order_id: &str,
    action: Option<&str>,
    body: Value,
) -> emulator::client::Reply {
    let path = match action {
        Some(a) => format!("orders/{order_id}?action={a}"),
        None => format!("orders/{order_id}"),
    };
    client
        .rest(reqwest::Method::PUT, &client.om(&path), Some(body))
        .await
        .unwrap()
}

pub fn drink(customer: &Client, drink: &str) -> Value {
    serde_json::json!({
        "userId": customer.sub().unwrap(), "drink": drink, "modifiers": [],
        "icon": "barista-icons_cafe-latte",
    })
}

/// Scans the current code and orders `drink_name`; returns the order id once the order
/// has reached the baristas.
pub async fn order_at_the_bar(
    barista: &Client,
    customer: &Client,
    phone: &mut Subscriber,
    drink_name: &str,
) -> String {
    let order = scan_ok(
        customer,
        qr_code(barista).await["last_code"].as_str().unwrap(),
    )
    .await;
    phone
        .expect("OrderProcessor.WorkflowStarted", Some(&order), WAIT)
        .await
        .unwrap();
    put_order(customer, &order, None, drink(customer, drink_name)).await;
    phone
        .expect("OrderManager.WaitingCompletion", Some(&order), WAIT)
        .await
        .unwrap();
    order
}
