//! AWS IoT's MQTT-over-WebSocket endpoint (contract §4.1): a SigV4-checking front door
//! at `/mqtt` in front of an embedded rumqttd broker.
//!
//! The front door does what IoT's policy does for the apps' identities: it accepts only
//! URLs presigned for `iotdevicegateway` in this emulator's region with credentials the
//! identity pool issued, client ids starting with `serverlesspresso-`, lets clients
//! subscribe but never publish, and asks each connection's [`SubscribePolicy`] about
//! every topic filter of a SUBSCRIBE ([`NoWildcards`] for everyone, or under
//! `--least-privilege` the [`LeastPrivilege`] of the credentials' role). A refused
//! filter gets a failure (0x80) in its SUBACK while the others are subscribed: the
//! SUBSCRIBE goes on to the broker with the allowed filters only, and the broker's
//! SUBACK comes back with the refusals put in their places. Everything else goes
//! through to the broker byte for byte.
//!
//! Three faults act here: `refuseSubscriptions` (the front door answers each SUBSCRIBE
//! itself, with a failed SUBACK), `silenceWebSockets` (the broker's packets are lost on
//! the way to the client, the connection left open) and `dropWebSockets` (every bridge
//! closes).

use crate::clock::Clock;
use crate::cognito::{issued_credentials, IssuedCredentials, Principal, Role};
use crate::events::Publisher;
use crate::faults::Faults;
use crate::store::Store;
use anyhow::{Context, Result};
use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use shared::mqtt::{decode_slice, drain_packets, Packet};
use shared::sigv4;
use shared::time::UtcDateTime;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

pub const CLIENT_ID_PREFIX: &str = "serverlesspresso-";
/// How far `X-Amz-Date` may be from now, as AWS allows for clock skew.
const MAX_SKEW_MS: i64 = 15 * 60 * 1000;

/// Which topic filters one connection may subscribe to: IoT's policy for the identity
/// whose credentials presigned its URL. Asked about every filter of every SUBSCRIBE.
pub trait SubscribePolicy: Send + Sync {
    /// `Err(why)` refuses `filter`: a failure (0x80) in its place in the SUBACK, and
    /// `why` in the log.
    fn check(&self, filter: &str) -> Result<(), String>;
}

/// Any function of a filter is a policy.
impl<F: Fn(&str) -> Result<(), String> + Send + Sync> SubscribePolicy for F {
    fn check(&self, filter: &str) -> Result<(), String> {
        self(filter)
    }
}

/// Every connection's policy for now: any topic named in full, no MQTT wildcards (`#`,
/// `+`), with which one client would receive every other client's messages (each
/// customer's own topic included).
pub struct NoWildcards;

impl SubscribePolicy for NoWildcards {
    fn check(&self, filter: &str) -> Result<(), String> {
        if filter.contains(['#', '+']) {
            Err("wildcards (# and +) are not allowed: subscribe to each topic by name".into())
        } else {
            Ok(())
        }
    }
}

/// `--least-privilege`: what the roles of `deploy/least-privilege.yaml` allow, for the
/// identity the connection's credentials were issued to. A customer: their own user
/// topic and the config topics (the store's state and menu, which `GET /config` tells
/// anyone); staff: the admin and config topics; an unauthenticated identity: nothing.
/// Wildcards never.
pub struct LeastPrivilege(pub Principal);

impl SubscribePolicy for LeastPrivilege {
    fn check(&self, filter: &str) -> Result<(), String> {
        NoWildcards.check(filter)?;
        let is_topic = |topic: &str| {
            filter == topic
                || filter
                    .strip_prefix(topic)
                    .is_some_and(|event| event.starts_with('-'))
        };
        let config = is_topic(CONFIG_TOPIC);
        match &self.0 {
            Principal::User {
                role: Role::Staff, ..
            } if config || is_topic(ADMIN_TOPIC) => Ok(()),
            Principal::User {
                role: Role::Customer,
                sub,
            } if config || filter == shared::realtime::user_topic(sub) => Ok(()),
            Principal::User { role, .. } => Err(format!(
                "the {role:?} role may not subscribe to {filter} (--least-privilege)"
            )),
            Principal::Unauthenticated => {
                Err("unauthenticated identities may not subscribe (--least-privilege)".into())
            }
        }
    }
}

/// The topic names the roles are written for (E adds `-<eventId>`).
const ADMIN_TOPIC: &str = "serverlesspresso-admin";
const CONFIG_TOPIC: &str = "serverlesspresso-config";

/// Publishes through a local link into the broker.
struct LinkPublisher(Mutex<rumqttd::local::LinkTx>);

impl Publisher for LinkPublisher {
    fn publish(&self, topic: &str, payload: Vec<u8>) {
        let mut link = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = link.publish(topic.to_string(), payload) {
            tracing::error!("publishing to {topic} failed: {e}");
        }
    }
}

/// Starts the broker on a free loopback port, on its own threads; returns its address
/// and a publisher for the backend's events.
pub fn start_broker() -> Result<(SocketAddr, Box<dyn Publisher>)> {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let config: rumqttd::Config = serde_json::from_value(json!({
        "id": 0,
        "router": {
            "max_connections": 20_000,
            "max_outgoing_packet_count": 200,
            "max_segment_size": 104_857_600,
            "max_segment_count": 10,
        },
        "v4": {"1": {
            "name": "v4-1",
            "listen": addr.to_string(),
            "next_connection_delay_ms": 0,
            "connections": {
                "connection_timeout_ms": 60_000,
                "max_payload_size": 131_072,
                "max_inflight_count": 100,
                "dynamic_filters": true,
            },
        }},
    }))
    .context("broker configuration")?;
    let mut broker = rumqttd::Broker::new(config);
    let (link_tx, mut link_rx) = broker.link("serverlesspresso-emulator-publisher")?;
    std::thread::Builder::new()
        .name("mqtt-broker".into())
        .spawn(move || {
            if let Err(e) = broker.start() {
                tracing::error!("MQTT broker stopped: {e}");
            }
        })?;
    // The link receives acknowledgements; drain them so the router never waits on it.
    std::thread::Builder::new()
        .name("mqtt-publisher-link".into())
        .spawn(move || while link_rx.recv().is_ok() {})?;
    wait_until_listening(addr)?;
    Ok((addr, Box::new(LinkPublisher(Mutex::new(link_tx)))))
}

/// The broker binds its port on its own thread: until it does, a WebSocket's bridge
/// would find nobody there (a client connecting right after start was dropped at once).
fn wait_until_listening(addr: SocketAddr) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !broker_answers(addr) {
        if std::time::Instant::now() > deadline {
            anyhow::bail!("the MQTT broker did not start listening on {addr}");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Ok(())
}

/// Whether the broker at `addr` answers a CONNECT with a CONNACK. A connection closed
/// before its CONNECT, or after a DISCONNECT, makes rumqttd log an error that means
/// nothing to whoever started the emulator; one closed after its CONNACK is a client
/// gone, which it logs below the warnings shown.
fn broker_answers(addr: SocketAddr) -> bool {
    use std::io::{Read, Write};
    let patience = std::time::Duration::from_millis(500);
    let Ok(mut tcp) = std::net::TcpStream::connect_timeout(&addr, patience) else {
        return false;
    };
    let connect = Packet::Connect(mqttrs::Connect {
        protocol: mqttrs::Protocol::MQTT311,
        keep_alive: 10,
        client_id: "serverlesspresso-emulator-start",
        clean_session: true,
        last_will: None,
        username: None,
        password: None,
    });
    let mut connack = [0u8; 4];
    shared::mqtt::encode(&connect).is_ok_and(|bytes| {
        tcp.set_read_timeout(Some(patience)).is_ok()
            && tcp.write_all(&bytes).is_ok()
            && tcp.read_exact(&mut connack).is_ok()
            && connack[0] == 0x20
    })
}

/// Why a WebSocket URL was refused (HTTP 403, as IoT answers).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PresignError {
    #[error("missing {0}")]
    Missing(&'static str),
    #[error("unsupported algorithm")]
    Algorithm,
    #[error("malformed X-Amz-Credential")]
    Credential,
    #[error("signed for service {0}, not iotdevicegateway")]
    Service(String),
    #[error("signed for region {0}, not this emulator's {region}", region = crate::local::REGION)]
    Region(String),
    #[error("X-Amz-SignedHeaders must be host")]
    SignedHeaders,
    #[error("malformed X-Amz-Date")]
    Date,
    #[error("the signature has expired or is from the future")]
    Expired,
    #[error("unknown access key")]
    UnknownKey,
    #[error("the credentials have expired")]
    CredentialsExpired,
    #[error("missing or wrong X-Amz-Security-Token")]
    SecurityToken,
    #[error("the signature does not match")]
    Signature,
}

/// Checks a presigned `GET` of `path` on `host` at `now_ms`: signed with credentials the
/// identity pool issued (found by the access key id in `X-Amz-Credential`), unexpired at
/// `now_ms`, with that issue's own session token.
pub fn verify_presigned(
    store: &Store,
    host: &str,
    path: &str,
    query: &str,
    now_ms: i64,
) -> Result<IssuedCredentials, PresignError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |name: &'static str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or(PresignError::Missing(name))
    };
    if get("X-Amz-Algorithm")? != sigv4::ALGORITHM {
        return Err(PresignError::Algorithm);
    }
    if get("X-Amz-SignedHeaders")? != "host" {
        return Err(PresignError::SignedHeaders);
    }
    let credential = get("X-Amz-Credential")?;
    let [key_id, day, region, service, "aws4_request"] =
        credential.split('/').collect::<Vec<_>>()[..]
    else {
        return Err(PresignError::Credential);
    };
    if service != sigv4::IOT_SERVICE {
        return Err(PresignError::Service(service.to_string()));
    }
    if region != crate::local::REGION {
        return Err(PresignError::Region(region.to_string()));
    }
    let at = UtcDateTime::parse_amz_date(get("X-Amz-Date")?).ok_or(PresignError::Date)?;
    if at.amz_day() != day {
        return Err(PresignError::Credential);
    }
    let signed_at = at.to_epoch_ms();
    let valid_until = match pairs.iter().find(|(k, _)| k == "X-Amz-Expires") {
        Some((_, seconds)) => {
            signed_at
                + seconds
                    .parse::<i64>()
                    .map_err(|_| PresignError::Expired)?
                    .min(604_800)
                    * 1000
        }
        None => signed_at + MAX_SKEW_MS,
    };
    if now_ms > valid_until || signed_at > now_ms + MAX_SKEW_MS {
        return Err(PresignError::Expired);
    }
    let issued = issued_credentials(store, key_id)
        .map_err(|_| PresignError::UnknownKey)?
        .ok_or(PresignError::UnknownKey)?;
    if issued.expiration_s * 1000 < now_ms {
        return Err(PresignError::CredentialsExpired);
    }
    let token = get("X-Amz-Security-Token").unwrap_or_default();
    if token.is_empty() || !crate::access::same_secret(token, &issued.session_token) {
        return Err(PresignError::SecurityToken);
    }
    let signature = get("X-Amz-Signature")?;
    // IoT's SDK appends the token after signing; other signers sign it. Accept both.
    let matches = |include_token: bool| {
        let signed = pairs
            .iter()
            .filter(|(k, _)| {
                k != "X-Amz-Signature" && (include_token || k != "X-Amz-Security-Token")
            })
            .map(|(k, v)| (k.as_str(), v.as_str()));
        let canonical =
            sigv4::canonical_request("GET", path, &sigv4::canonical_query(signed), host);
        let expected = sigv4::sign(&issued.secret_key, &at, region, service, &canonical);
        // In constant time: how much of a guess matches must not show in the timing.
        crate::access::same_secret(signature, &expected)
    };
    if matches(false) || matches(true) {
        Ok(issued)
    } else {
        Err(PresignError::Signature)
    }
}

/// Why the front door closed a connection.
#[derive(Debug, thiserror::Error)]
enum BridgeClose {
    #[error("not MQTT: {0}")]
    NotMqtt(String),
    #[error("the first packet must be CONNECT")]
    NotConnected,
    #[error("client id {0:?} is not allowed (must start with serverlesspresso-)")]
    ClientId(String),
    #[error("clients may not publish (topic {0})")]
    Publish(String),
    #[error("the broker sent a malformed packet")]
    FromBroker,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    WebSocket(#[from] axum::Error),
}

/// What one WebSocket's bridge to the broker needs besides the socket.
pub struct Bridge {
    pub broker: SocketAddr,
    pub peer: String,
    /// Becomes true when the emulator stops.
    pub shutdown: watch::Receiver<bool>,
    /// Changes when every WebSocket is to be dropped ([`Faults::drops`], taken before
    /// the upgrade).
    pub drops: watch::Receiver<u64>,
    /// Whether subscriptions are being refused, read as each SUBSCRIBE arrives.
    pub faults: Arc<Faults>,
    pub clock: Arc<dyn Clock>,
    /// The topic filters this connection may subscribe to.
    pub policy: Arc<dyn SubscribePolicy>,
}

impl Bridge {
    /// Shuttles one client's MQTT between its WebSocket and the broker, until either
    /// side closes, the WebSockets are dropped or the emulator shuts down.
    pub async fn run(self, socket: WebSocket) {
        let Self {
            broker,
            peer,
            mut shutdown,
            mut drops,
            faults,
            clock,
            policy,
        } = self;
        let tcp = match TcpStream::connect(broker).await {
            Ok(tcp) => tcp,
            Err(e) => {
                tracing::error!(peer = %peer, "mqtt: broker unreachable: {e}");
                return;
            }
        };
        let _ = tcp.set_nodelay(true);
        let (mut from_broker, mut to_broker) = tcp.into_split();
        let (mut to_client, mut from_client) = socket.split();
        // Packets the front door answers itself (refused subscriptions' SUBACKs).
        let (answer, mut answers) = mpsc::unbounded_channel::<Vec<u8>>();
        // SUBSCRIBEs sent on without some of their filters: by packet id, which
        // places of the SUBACK are refusals.
        let narrowed: Mutex<HashMap<u16, Vec<bool>>> = Mutex::default();

        let upstream = async {
            let mut buf = Vec::new();
            let mut client_id: Option<String> = None;
            while let Some(message) = from_client.next().await {
                match message? {
                    Message::Binary(bytes) => buf.extend_from_slice(&bytes),
                    Message::Close(_) => return Ok(()),
                    Message::Ping(_) | Message::Pong(_) => continue,
                    Message::Text(_) => return Err(BridgeClose::NotMqtt("a text frame".into())),
                }
                let packets =
                    drain_packets(&mut buf).map_err(|e| BridgeClose::NotMqtt(format!("{e:?}")))?;
                for packet in packets {
                    let refusing = || faults.refusing_subscriptions(clock.now_ms());
                    match admit(&packet, &mut client_id, refusing, policy.as_ref())? {
                        Admitted::Forward => to_broker.write_all(&packet).await?,
                        Admitted::Refused { suback, why } => {
                            tracing::warn!(peer = %peer, "mqtt: SUBSCRIBE refused: {why}");
                            let _ = answer.send(suback);
                        }
                        Admitted::Narrowed {
                            subscribe,
                            pid,
                            refused,
                            why,
                        } => {
                            tracing::warn!(peer = %peer, "mqtt: SUBSCRIBE refused in part: {why}");
                            lock(&narrowed).insert(pid, refused);
                            to_broker.write_all(&subscribe).await?;
                        }
                    }
                }
            }
            Ok::<_, BridgeClose>(())
        };
        let downstream = async {
            let mut chunk = vec![0u8; 64 * 1024];
            // The broker's bytes go on in whole packets, so that the front door's own
            // answers never land inside one.
            let mut unfinished: Vec<u8> = Vec::new();
            loop {
                tokio::select! {
                    read = from_broker.read(&mut chunk) => {
                        let n = read?;
                        if n == 0 {
                            return Ok(());
                        }
                        unfinished.extend_from_slice(&chunk[..n]);
                        let whole = whole_packets_len(&unfinished)?;
                        if whole > 0 {
                            let rest = unfinished.split_off(whole);
                            let mut packets = std::mem::replace(&mut unfinished, rest);
                            if faults.silencing_websockets(clock.now_ms()) {
                                // Lost on the way, as to a suspended tab.
                                continue;
                            }
                            if !lock(&narrowed).is_empty() {
                                packets = with_refusals(&packets, &narrowed)?;
                            }
                            to_client.send(Message::Binary(packets.into())).await?;
                        }
                    }
                    Some(packet) = answers.recv() => {
                        to_client.send(Message::Binary(packet.into())).await?;
                    }
                }
            }
        };
        let result: Result<(), BridgeClose> = tokio::select! {
            r = upstream => r,
            r = downstream => r,
            _ = shutdown.wait_for(|stopping| *stopping) => Ok(()),
            Ok(()) = drops.changed() => {
                tracing::info!(peer = %peer, "mqtt: connection dropped (dropWebSockets)");
                Ok(())
            }
        };
        if let Err(reason) = result {
            tracing::warn!(peer = %peer, "mqtt: connection closed: {reason}");
        }
    }
}

/// How many bytes at the front of `buf` are whole MQTT packets (by their fixed headers:
/// a type byte, then the remaining length in one to four bytes of seven bits).
fn whole_packets_len(buf: &[u8]) -> Result<usize, BridgeClose> {
    let mut start = 0;
    loop {
        let packet = &buf[start..];
        let (mut remaining, mut header) = (0usize, 1);
        loop {
            let Some(&byte) = packet.get(header) else {
                return Ok(start);
            };
            remaining |= usize::from(byte & 0x7f) << (7 * (header - 1));
            header += 1;
            if byte & 0x80 == 0 {
                break;
            }
            if header > 4 {
                return Err(BridgeClose::FromBroker);
            }
        }
        if packet.len() < header + remaining {
            return Ok(start);
        }
        start += header + remaining;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the front door does with a client packet it allows.
#[derive(Debug, PartialEq)]
enum Admitted {
    /// On to the broker.
    Forward,
    /// A SUBSCRIBE whose filters are all refused (or while subscriptions are refused):
    /// not sent on, answered with this SUBACK, a failure (0x80) for each filter.
    Refused { suback: Vec<u8>, why: String },
    /// A SUBSCRIBE some of whose filters are refused: `subscribe` (the same packet id,
    /// the allowed filters only) goes on to the broker, whose SUBACK for `pid` is to get
    /// a failure at each place `refused` says.
    Narrowed {
        subscribe: Vec<u8>,
        pid: u16,
        refused: Vec<bool>,
        why: String,
    },
}

/// IoT's policy for the apps' identities, applied to one client packet; `refusing`
/// says whether subscriptions are being refused (asked only of a SUBSCRIBE), `policy`
/// which filters this connection may subscribe to.
fn admit(
    packet: &[u8],
    client_id: &mut Option<String>,
    refusing: impl FnOnce() -> bool,
    policy: &dyn SubscribePolicy,
) -> Result<Admitted, BridgeClose> {
    let decoded = decode_slice(packet)
        .map_err(|e| BridgeClose::NotMqtt(format!("{e:?}")))?
        .ok_or_else(|| BridgeClose::NotMqtt("truncated packet".into()))?;
    match (&decoded, client_id.is_some()) {
        (Packet::Connect(connect), false) => {
            if !connect.client_id.starts_with(CLIENT_ID_PREFIX) {
                return Err(BridgeClose::ClientId(connect.client_id.to_string()));
            }
            *client_id = Some(connect.client_id.to_string());
            Ok(Admitted::Forward)
        }
        (_, false) | (Packet::Connect(_), true) => Err(BridgeClose::NotConnected),
        (Packet::Publish(p), true) => Err(BridgeClose::Publish(p.topic_name.to_string())),
        (Packet::Subscribe(subscribe), true) if refusing() => Ok(Admitted::Refused {
            suback: refused_suback(subscribe),
            why: "the fault refuseSubscriptions".into(),
        }),
        (Packet::Subscribe(subscribe), true) => Ok(apply_policy(subscribe, policy)),
        (_, true) => Ok(Admitted::Forward),
    }
}

/// What `policy` makes of `subscribe`.
fn apply_policy(subscribe: &mqttrs::Subscribe, policy: &dyn SubscribePolicy) -> Admitted {
    let verdicts: Vec<Result<(), String>> = subscribe
        .topics
        .iter()
        .map(|t| policy.check(&t.topic_path))
        .collect();
    if verdicts.iter().all(Result::is_ok) {
        return Admitted::Forward;
    }
    let why = subscribe
        .topics
        .iter()
        .zip(&verdicts)
        .filter_map(|(t, verdict)| {
            verdict
                .as_ref()
                .err()
                .map(|reason| format!("{:?}: {reason}", t.topic_path))
        })
        .collect::<Vec<_>>()
        .join("; ");
    if verdicts.iter().all(Result::is_err) {
        return Admitted::Refused {
            suback: refused_suback(subscribe),
            why,
        };
    }
    let allowed = mqttrs::Subscribe {
        pid: subscribe.pid,
        topics: subscribe
            .topics
            .iter()
            .zip(&verdicts)
            .filter(|(_, verdict)| verdict.is_ok())
            .map(|(t, _)| t.clone())
            .collect(),
    };
    Admitted::Narrowed {
        subscribe: encode(&Packet::Subscribe(allowed)),
        pid: subscribe.pid.get(),
        refused: verdicts.iter().map(Result::is_err).collect(),
        why,
    }
}

/// `packet`'s bytes: only SUBSCRIBEs and SUBACKs this front door built from ones that
/// were read, so they can be written.
fn encode(packet: &Packet) -> Vec<u8> {
    shared::mqtt::encode(packet).expect("a packet rebuilt from a valid one encodes")
}

/// The SUBACK that refuses every topic of `subscribe`.
fn refused_suback(subscribe: &mqttrs::Subscribe) -> Vec<u8> {
    let suback = Packet::Suback(mqttrs::Suback {
        pid: subscribe.pid,
        return_codes: vec![mqttrs::SubscribeReturnCodes::Failure; subscribe.topics.len()],
    });
    encode(&suback)
}

/// The broker's whole `packets` with each SUBACK of a narrowed SUBSCRIBE (in
/// `narrowed`, which forgets it) given back its refused places: the broker's return
/// codes in the allowed places, in order, and a failure (0x80) in the refused ones.
fn with_refusals(
    packets: &[u8],
    narrowed: &Mutex<HashMap<u16, Vec<bool>>>,
) -> Result<Vec<u8>, BridgeClose> {
    let mut out = Vec::with_capacity(packets.len() + 16);
    let mut rest = packets;
    while !rest.is_empty() {
        let len = shared::mqtt::next_packet_len(rest)
            .map_err(|_| BridgeClose::FromBroker)?
            .ok_or(BridgeClose::FromBroker)?;
        let (packet, after) = rest.split_at(len);
        rest = after;
        // Only a SUBACK (type 9) is looked into.
        let suback = match packet[0] >> 4 {
            9 => decode_slice(packet).map_err(|_| BridgeClose::FromBroker)?,
            _ => None,
        };
        let Some(Packet::Suback(suback)) = suback else {
            out.extend_from_slice(packet);
            continue;
        };
        let Some(refused) = lock(narrowed).remove(&suback.pid.get()) else {
            out.extend_from_slice(packet);
            continue;
        };
        let mut granted = suback.return_codes.into_iter();
        let return_codes: Vec<_> = refused
            .iter()
            .map(|&refused| match refused {
                true => mqttrs::SubscribeReturnCodes::Failure,
                false => granted
                    .next()
                    .unwrap_or(mqttrs::SubscribeReturnCodes::Failure),
            })
            .collect();
        out.extend(encode(&Packet::Suback(mqttrs::Suback {
            pid: suback.pid,
            return_codes,
        })));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_brokers_stream_is_cut_after_whole_packets() {
        let payload = vec![b'x'; 20_000];
        let publish = encode(&Packet::Publish(mqttrs::Publish {
            dup: false,
            qospid: mqttrs::QosPid::AtMostOnce,
            retain: false,
            topic_name: "serverlesspresso-admin",
            payload: &payload,
        }));
        let ping = encode(&Packet::Pingresp);
        let stream = [ping.clone(), publish.clone(), ping.clone()].concat();
        assert_eq!(whole_packets_len(&stream).unwrap(), stream.len());
        for cut in 0..stream.len() {
            let expected = [0, ping.len(), ping.len() + publish.len(), stream.len()]
                .into_iter()
                .filter(|end| *end <= cut)
                .max()
                .unwrap();
            assert_eq!(
                whole_packets_len(&stream[..cut]).unwrap(),
                expected,
                "{cut}"
            );
        }
        assert!(whole_packets_len(&[0x30, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
    }

    #[test]
    fn a_refused_subscribe_is_answered_and_not_forwarded() {
        let subscribe = encode(&Packet::Subscribe(mqttrs::Subscribe {
            pid: mqttrs::Pid::try_from(7).unwrap(),
            topics: ["serverlesspresso-admin", "serverlesspresso-config"]
                .iter()
                .map(|t| mqttrs::SubscribeTopic {
                    topic_path: t.to_string(),
                    qos: mqttrs::QoS::AtMostOnce,
                })
                .collect(),
        }));
        let mut client = Some("serverlesspresso-x".to_string());
        assert_eq!(
            admit(&subscribe, &mut client, || false, &NoWildcards).unwrap(),
            Admitted::Forward
        );
        let Admitted::Refused { suback, .. } =
            admit(&subscribe, &mut client, || true, &NoWildcards).unwrap()
        else {
            panic!("refused");
        };
        assert_eq!(suback, [0x90, 4, 0, 7, 0x80, 0x80]);
        // Only a SUBSCRIBE asks whether subscriptions are refused.
        let ping = encode(&Packet::Pingreq);
        assert_eq!(
            admit(&ping, &mut client, || panic!("not asked"), &NoWildcards).unwrap(),
            Admitted::Forward
        );
    }

    fn subscribe(pid: u16, topics: &[&str]) -> Vec<u8> {
        encode(&Packet::Subscribe(shared::mqtt::subscribe(
            mqttrs::Pid::try_from(pid).unwrap(),
            topics.iter().map(|t| t.to_string()),
        )))
    }

    fn suback(pid: u16, codes: &[mqttrs::SubscribeReturnCodes]) -> Vec<u8> {
        encode(&Packet::Suback(mqttrs::Suback {
            pid: mqttrs::Pid::try_from(pid).unwrap(),
            return_codes: codes.to_vec(),
        }))
    }

    #[test]
    fn wildcard_filters_are_refused_and_the_others_sent_on() {
        use mqttrs::SubscribeReturnCodes::{Failure, Success};
        let mut client = Some("serverlesspresso-x".to_string());
        let admit = |packet: &[u8], client: &mut Option<String>| {
            admit(packet, client, || false, &NoWildcards).unwrap()
        };
        for alone in ["#", "serverlesspresso-user-+", "+/x", "serverlesspresso/#"] {
            let Admitted::Refused { suback, why } = admit(&subscribe(3, &[alone]), &mut client)
            else {
                panic!("{alone} is refused");
            };
            assert_eq!(suback, [0x90, 3, 0, 3, 0x80], "{alone}");
            assert!(why.contains("wildcards"), "{why}");
        }
        let mixed = subscribe(
            9,
            &[
                "#",
                "serverlesspresso-config",
                "+",
                "serverlesspresso-admin",
            ],
        );
        let Admitted::Narrowed {
            subscribe: sent_on,
            pid,
            refused,
            why,
        } = admit(&mixed, &mut client)
        else {
            panic!("narrowed");
        };
        assert_eq!(
            sent_on,
            subscribe(9, &["serverlesspresso-config", "serverlesspresso-admin"])
        );
        assert_eq!((pid, refused), (9, vec![true, false, true, false]));
        assert!(why.contains("\"#\"") && why.contains("\"+\""), "{why}");

        // The broker's SUBACK for 9 gets the refusals back in their places; other
        // packets, and SUBACKs of other SUBSCRIBEs, pass as they are.
        let narrowed = Mutex::new(HashMap::from([(9, vec![true, false, true, false])]));
        let qos0 = Success(mqttrs::QoS::AtMostOnce);
        let ping = encode(&Packet::Pingresp);
        let other = suback(4, &[qos0]);
        let from_broker = [ping.clone(), suback(9, &[qos0, qos0]), other.clone()].concat();
        assert_eq!(
            with_refusals(&from_broker, &narrowed).unwrap(),
            [ping, suback(9, &[Failure, qos0, Failure, qos0]), other].concat()
        );
        assert!(lock(&narrowed).is_empty(), "answered once");
    }

    #[test]
    fn a_policy_is_any_function_of_a_filter() {
        let only_config = |filter: &str| match filter {
            "serverlesspresso-config" => Ok(()),
            _ => Err("not yours".to_string()),
        };
        let mut client = Some("serverlesspresso-x".to_string());
        let packet = subscribe(5, &["serverlesspresso-admin", "serverlesspresso-config"]);
        let Admitted::Narrowed { refused, .. } =
            admit(&packet, &mut client, || false, &only_config).unwrap()
        else {
            panic!("narrowed");
        };
        assert_eq!(refused, [true, false]);
    }
}
