//! Starting an emulator for a test (W or E), and the people who use it: each helper
//! speaks the emulator's variant (E: its first event), so one test body serves both.
#![allow(dead_code)]

use emulator::client::{Client, Subscriber};
use emulator::clock::{Clock, ManualClock, SystemClock};
use emulator::{Config, Running, Variant};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use shared::mqtt::{decode_slice, drain_packets, Packet};
use shared::sigv4::AwsCredentials;
use shared::windows::Windows;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub const WAIT: Duration = Duration::from_secs(10);
/// A pause long enough for anything that would happen to have happened.
pub const QUIET: Duration = Duration::from_millis(500);
pub const ADMIN: (&str, &str) = ("barista@example.com", "barista-secret");
/// E's barista: a phone number, signing in with a texted code.
pub const E_ADMIN: &str = "+15555550100";

/// Variant E with event ABC, as `--backend e` starts.
pub fn e() -> Variant {
    Variant::event("ABC")
}

pub async fn start(windows: Windows, database: Option<PathBuf>) -> Running {
    start_on(Arc::new(SystemClock), windows, database).await
}

/// An emulator whose time moves only when the test moves `clock`.
pub async fn start_on(
    clock: Arc<dyn Clock>,
    windows: Windows,
    database: Option<PathBuf>,
) -> Running {
    start_variant(Variant::W, clock, windows, database).await
}

/// An emulator of `variant`, with its barista ([`ADMIN`], or E's [`E_ADMIN`]).
pub async fn start_variant(
    variant: Variant,
    clock: Arc<dyn Clock>,
    windows: Windows,
    database: Option<PathBuf>,
) -> Running {
    let admin = match variant {
        Variant::W => (ADMIN.0.to_string(), ADMIN.1.to_string()),
        Variant::E { .. } => (E_ADMIN.to_string(), String::new()),
    };
    emulator::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database,
        windows,
        admins: vec![admin],
        clock,
        variant,
        ..Default::default()
    })
    .await
    .expect("the emulator starts")
}

/// [`start_variant`] on the wall clock with AWS's windows.
pub async fn start_as(variant: Variant) -> Running {
    start_variant(variant, Arc::new(SystemClock), Windows::AWS, None).await
}

/// A manual clock showing the wall clock's time, for [`start_on`].
pub fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::starting_now())
}

/// A client of `emu` living in the emulator's time, set up as its apps are (E: for its
/// first event), with its local token (to read the codes it sends).
pub fn client(emu: &Running) -> Client {
    Client::of(emu, None)
        .unwrap()
        .with_clock(Arc::clone(&emu.clock))
        .with_local_token(emu.local_token())
}

/// A client of event `event` of the E emulator `emu`.
pub fn client_of(emu: &Running, event: &str) -> Client {
    Client::of(emu, Some(event))
        .unwrap()
        .with_clock(Arc::clone(&emu.clock))
        .with_local_token(emu.local_token())
}

/// `GET` of a local-only route (`path`, from `/_local/`) with the emulator's token.
pub async fn local_get(emu: &Running, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", emu.base_url()))
        .header(emulator::access::LOCAL_TOKEN_HEADER, emu.local_token())
        .send()
        .await
        .unwrap()
}

/// The barista, signed in as the apps do (W: SRP; E: the phone's texted code).
pub async fn admin(emu: &Running) -> Client {
    signed_in_admin(emu, client(emu)).await
}

/// The barista, as a client of event `event` of E.
pub async fn admin_of(emu: &Running, event: &str) -> Client {
    signed_in_admin(emu, client_of(emu, event)).await
}

async fn signed_in_admin(emu: &Running, mut c: Client) -> Client {
    let (username, password) = if c.is_e() { (E_ADMIN, "") } else { ADMIN };
    c.sign_in_as(&emu.base_url(), username, password)
        .await
        .expect("admin signs in");
    c
}

/// A customer, signed up and in as the apps do (W: `<name>@example.com`; E: a phone).
pub async fn customer(emu: &Running, name: &str) -> Client {
    let mut c = client(emu);
    c.register_customer(&emu.base_url(), name).await.unwrap();
    c
}

/// The current QR code, as the display gets it.
pub async fn qr_code(admin: &Client) -> Value {
    admin.qr_code().await.unwrap()
}

/// Scans the code: POST /qr-code?token=…
pub async fn scan(customer: &Client, code: &str) -> emulator::client::Reply {
    customer.scan(code).await.unwrap()
}

/// Opens the store (E's seed has it closed) and waits until the config topic says so.
pub async fn open_store(barista: &Client) {
    let mut config = barista
        .subscribe(
            &format!("serverlesspresso-{}", rand_suffix()),
            &[&barista.config_topic()],
        )
        .await
        .unwrap();
    let reply = barista.set_store(true).await.unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let change = config
        .expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();
    assert_eq!(change["NewImage"]["storeOpen"]["BOOL"], true);
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
    let topic = customer.user_topic().unwrap();
    customer
        .subscribe(
            &format!("serverlesspresso-{}", rand_suffix()),
            &[&topic, &customer.config_topic()],
        )
        .await
        .unwrap()
}

/// The admin topic, as the barista console subscribes.
pub async fn admin_events(client: &Client) -> Subscriber {
    subscribe_to(client, &[&client.admin_topic()]).await
}

/// Any topics.
pub async fn subscribe_to(client: &Client, topics: &[&str]) -> Subscriber {
    client
        .subscribe(&format!("serverlesspresso-{}", rand_suffix()), topics)
        .await
        .unwrap()
}

/// Nothing arrives on `events` for a while.
pub async fn assert_quiet(events: &mut Subscriber, what: &str) {
    if let Ok(message) = events.next_message(QUIET).await {
        panic!("{what}: got {message}");
    }
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
    order_with(barista, customer, phone, drink_name, &[]).await
}

/// [`order_at_the_bar`] with options (`&["Oat"]`).
pub async fn order_with(
    barista: &Client,
    customer: &Client,
    phone: &mut Subscriber,
    drink_name: &str,
    modifiers: &[&str],
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
    let reply = customer
        .submit_drink(&order, drink_name, modifiers)
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    phone
        .expect("OrderManager.WaitingCompletion", Some(&order), WAIT)
        .await
        .unwrap();
    order
}

/// The order's row, straight from the store.
pub fn order_row(emu: &Running, order: &str) -> Value {
    let item = emu
        .backend
        .order(order)
        .unwrap()
        .unwrap_or_else(|| panic!("no order {order}"));
    shared::dynamo::item_to_json(&item)
}

/// The types of an order's events, oldest first (`/_local/orders/<id>/events`).
pub async fn event_log(emu: &Running, order: &str) -> Vec<Value> {
    let log: Value = local_get(emu, &format!("/_local/orders/{order}/events"))
        .await
        .json()
        .await
        .unwrap();
    log["events"].as_array().unwrap().clone()
}

/// The status of `GET /myOrders` as the order app asks it: whether `c`'s token is good.
pub async fn my_orders_status(c: &Client) -> u16 {
    c.request(&c.api().my_orders().request)
        .await
        .unwrap()
        .status
}

/// A URL presigned with `credentials` at the emulator's now.
pub fn presigned(emu: &Running, credentials: &AwsCredentials) -> String {
    client(emu).presigned(credentials).unwrap()
}

/// An MQTT connection driven packet by packet.
pub struct RawMqtt {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    buf: Vec<u8>,
}

impl RawMqtt {
    pub async fn connect(url: &str, client_id: &str) -> Self {
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "mqtt".parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let mut raw = Self {
            ws,
            buf: Vec::new(),
        };
        // The CONNECT the apps send: the sans-io session's.
        let mut session = shared::mqtt::MqttSession::new(client_id.to_string(), Vec::new(), 30);
        let shared::mqtt::MqttOutput::Send(connect) = session.start(0) else {
            panic!("a CONNECT to send");
        };
        raw.ws.send(Message::Binary(connect.into())).await.unwrap();
        let connack = raw.next(WAIT).await.expect("CONNACK");
        assert_eq!(connack[0] >> 4, 2, "CONNACK");
        raw
    }

    pub async fn send(&mut self, packet: &Packet<'_>) {
        let bytes = shared::mqtt::encode(packet).unwrap();
        self.ws.send(Message::Binary(bytes.into())).await.unwrap();
    }

    /// The next packet within `wait`, or None.
    pub async fn next(&mut self, wait: Duration) -> Option<Vec<u8>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let mut packets = drain_packets(&mut self.buf).unwrap();
            if !packets.is_empty() {
                let first = packets.remove(0);
                let mut rest = packets.concat();
                rest.extend_from_slice(&self.buf);
                self.buf = rest;
                return Some(first);
            }
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Ok(Some(Ok(Message::Binary(bytes)))) => self.buf.extend_from_slice(&bytes),
                Ok(Some(Ok(_))) => {}
                _ => return None,
            }
        }
    }

    /// SUBSCRIBE with packet id `pid`; the SUBACK's return codes.
    pub async fn subscribe(
        &mut self,
        pid: u16,
        topics: &[&str],
    ) -> Vec<mqttrs::SubscribeReturnCodes> {
        self.send(&Packet::Subscribe(shared::mqtt::subscribe(
            mqttrs::Pid::try_from(pid).unwrap(),
            topics.iter().map(|t| t.to_string()),
        )))
        .await;
        loop {
            let packet = self.next(WAIT).await.expect("a SUBACK");
            if let Some(Packet::Suback(ack)) = decode_slice(&packet).unwrap() {
                assert_eq!(u16::from(ack.pid), pid, "the SUBACK answers this SUBSCRIBE");
                return ack.return_codes;
            }
        }
    }

    /// The topic of the next PUBLISH within `wait`.
    pub async fn next_publish(&mut self, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let packet = self.next(left).await?;
            if let Some(Packet::Publish(p)) = decode_slice(&packet).unwrap() {
                return Some(p.topic_name.to_string());
            }
        }
    }
}
