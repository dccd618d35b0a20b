//! AWS IoT's MQTT-over-WebSocket endpoint (contract §4.1): a SigV4-checking front door
//! at `/mqtt` in front of an embedded rumqttd broker.
//!
//! The front door does what IoT's policy does for the apps' identities: it accepts only
//! URLs presigned for `iotdevicegateway` with credentials the identity pool issued,
//! client ids starting with `serverlesspresso-`, and lets clients subscribe but never
//! publish. Everything else goes through to the broker byte for byte.
//!
//! Two faults act here: `refuseSubscriptions` (the front door answers each SUBSCRIBE
//! itself, with a failed SUBACK) and `dropWebSockets` (every bridge closes).

use crate::clock::Clock;
use crate::cognito::issued_credentials;
use crate::events::Publisher;
use crate::faults::Faults;
use crate::store::Store;
use anyhow::{Context, Result};
use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use shared::mqtt::{decode_slice, drain_packets, encode_slice, Packet};
use shared::sigv4;
use shared::time::UtcDateTime;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

pub const CLIENT_ID_PREFIX: &str = "serverlesspresso-";
/// How far `X-Amz-Date` may be from now, as AWS allows for clock skew.
const MAX_SKEW_MS: i64 = 15 * 60 * 1000;

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
    Ok((addr, Box::new(LinkPublisher(Mutex::new(link_tx)))))
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
) -> Result<(), PresignError> {
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
    if get("X-Amz-Security-Token").ok() != Some(issued.session_token.as_str()) {
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
        sigv4::sign(&issued.secret_key, &at, region, service, &canonical) == signature
    };
    if matches(false) || matches(true) {
        Ok(())
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
    #[error("the broker sent a malformed packet header")]
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
                    match admit(&packet, &mut client_id, refusing)? {
                        Admitted::Forward => to_broker.write_all(&packet).await?,
                        Admitted::Refused { suback } => {
                            tracing::warn!(peer = %peer, "mqtt: SUBSCRIBE refused (refuseSubscriptions)");
                            let _ = answer.send(suback);
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
                            let packets = std::mem::replace(&mut unfinished, rest);
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

/// What the front door does with a client packet it allows.
#[derive(Debug, PartialEq)]
enum Admitted {
    /// On to the broker.
    Forward,
    /// A SUBSCRIBE while subscriptions are refused: not sent on, answered with this
    /// SUBACK, a failure (0x80) for each topic.
    Refused { suback: Vec<u8> },
}

/// IoT's policy for the apps' identities, applied to one client packet; `refusing`
/// says whether subscriptions are being refused (asked only of a SUBSCRIBE).
fn admit(
    packet: &[u8],
    client_id: &mut Option<String>,
    refusing: impl FnOnce() -> bool,
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
        }),
        (_, true) => Ok(Admitted::Forward),
    }
}

/// The SUBACK that refuses every topic of `subscribe`.
fn refused_suback(subscribe: &mqttrs::Subscribe) -> Vec<u8> {
    let suback = Packet::Suback(mqttrs::Suback {
        pid: subscribe.pid,
        return_codes: vec![mqttrs::SubscribeReturnCodes::Failure; subscribe.topics.len()],
    });
    // Fixed header (at most 5), packet id (2), a byte per topic.
    let mut buf = vec![0u8; 7 + subscribe.topics.len()];
    let len = encode_slice(&suback, &mut buf).expect("the buffer fits the SUBACK");
    buf.truncate(len);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(packet: &Packet) -> Vec<u8> {
        let mut buf = vec![0u8; 70_000];
        let len = encode_slice(packet, &mut buf).unwrap();
        buf.truncate(len);
        buf
    }

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
            admit(&subscribe, &mut client, || false).unwrap(),
            Admitted::Forward
        );
        let Admitted::Refused { suback } = admit(&subscribe, &mut client, || true).unwrap() else {
            panic!("refused");
        };
        assert_eq!(suback, [0x90, 4, 0, 7, 0x80, 0x80]);
        // Only a SUBSCRIBE asks whether subscriptions are refused.
        let ping = encode(&Packet::Pingreq);
        assert_eq!(
            admit(&ping, &mut client, || panic!("not asked")).unwrap(),
            Admitted::Forward
        );
    }
}
