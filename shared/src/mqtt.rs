//! MQTT 3.1.1 framing over a byte stream, with the `mqttrs` codec: a WebSocket message
//! may carry part of a packet or several, so bytes are buffered and cut into packets.

pub use mqttrs::{decode_slice, encode_slice, Error as MqttError, Packet};

/// The length of the first complete packet in `buf`, or `None` if more bytes are needed.
/// Bytes that cannot start an MQTT packet are an error.
pub fn next_packet_len(buf: &[u8]) -> Result<Option<usize>, MqttError> {
    if buf.is_empty() {
        return Ok(None);
    }
    // `clone_packet` reads the fixed header and copies one whole packet; its return
    // value is the packet's length (0 when incomplete).
    let mut scratch = vec![0u8; buf.len()];
    match mqttrs::clone_packet(buf, &mut scratch)? {
        0 => Ok(None),
        len => Ok(Some(len)),
    }
}

/// Cuts every complete packet off the front of `buf`, returning their byte ranges'
/// contents; what remains is an incomplete packet.
pub fn drain_packets(buf: &mut Vec<u8>) -> Result<Vec<Vec<u8>>, MqttError> {
    let mut packets = Vec::new();
    let mut start = 0;
    while let Some(len) = next_packet_len(&buf[start..])? {
        packets.push(buf[start..start + len].to_vec());
        start += len;
    }
    buf.drain(..start);
    Ok(packets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(packet: &Packet) -> Vec<u8> {
        let mut buf = vec![0u8; 1024];
        let len = encode_slice(packet, &mut buf).unwrap();
        buf.truncate(len);
        buf
    }

    #[test]
    fn cuts_a_stream_into_packets_whatever_the_chunking() {
        let publish = Packet::Publish(mqttrs::Publish {
            dup: false,
            qospid: mqttrs::QosPid::AtMostOnce,
            retain: false,
            topic_name: "serverlesspresso-admin",
            payload: br#"{"type":"X","detail":{}}"#,
        });
        let mut stream = encode(&publish);
        stream.extend(encode(&Packet::Pingresp));
        stream.extend(encode(&publish));
        for chunk in [1, 2, 5, 7, stream.len()] {
            let mut buf = Vec::new();
            let mut packets = Vec::new();
            for piece in stream.chunks(chunk) {
                buf.extend_from_slice(piece);
                packets.extend(drain_packets(&mut buf).unwrap());
            }
            assert!(buf.is_empty());
            assert_eq!(packets.len(), 3, "chunks of {chunk}");
            assert_eq!(decode_slice(&packets[1]).unwrap(), Some(Packet::Pingresp));
            assert_eq!(decode_slice(&packets[2]).unwrap(), Some(publish.clone()));
        }
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(
            next_packet_len(&[0x00, 0x00]).is_err(),
            "packet type 0 is reserved"
        );
        assert!(
            next_packet_len(&[0x30, 0xff, 0xff, 0xff, 0xff]).is_err(),
            "length over 4 bytes"
        );
        assert_eq!(next_packet_len(&[0x30]).unwrap(), None);
    }
}

/// What the connection should do after feeding the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MqttOutput {
    /// Write these bytes to the socket.
    Send(Vec<u8>),
    /// Connected and subscribed: messages flow from now on.
    Ready,
    /// A message on a subscribed topic.
    Message { topic: String, payload: Vec<u8> },
    /// The broker refused these subscriptions (SUBACK 0x80): nothing will arrive on
    /// them, so the connection is no use as it is. Report it and try again later.
    Refused(Vec<String>),
    /// The connection is unusable (refused, broken protocol, or silent): close it.
    Failed(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Connecting,
    Subscribing,
    Ready,
}

/// One MQTT 3.1.1 client connection without I/O: CONNECT (clean session), SUBSCRIBE to
/// every topic at QoS 0, keep-alive pings, and a dead-connection check. The socket is
/// the caller's; time is passed in.
pub struct MqttSession {
    client_id: String,
    topics: Vec<String>,
    keep_alive_s: u16,
    phase: Phase,
    buf: Vec<u8>,
    last_sent_ms: i64,
    last_heard_ms: i64,
}

/// A packet's bytes: the one MQTT encoder of the browser client, the native client and
/// the emulator's front door. Errs only for a packet MQTT cannot carry (a packet id of
/// 0, a remaining length over 256 MB).
pub fn encode(packet: &Packet) -> Result<Vec<u8>, MqttError> {
    let mut size = 512;
    loop {
        let mut buf = vec![0u8; size];
        match encode_slice(packet, &mut buf) {
            Ok(len) => {
                buf.truncate(len);
                return Ok(buf);
            }
            // The buffer was too small: a longer packet, a bigger buffer.
            Err(MqttError::WriteZero) if size < 1 << 29 => size *= 8,
            Err(e) => return Err(e),
        }
    }
}

/// A SUBSCRIBE of `topics` at QoS 0, as the apps subscribe (their one way to build it).
pub fn subscribe(pid: mqttrs::Pid, topics: impl IntoIterator<Item = String>) -> mqttrs::Subscribe {
    mqttrs::Subscribe {
        pid,
        topics: topics
            .into_iter()
            .map(|topic_path| mqttrs::SubscribeTopic {
                topic_path,
                qos: mqttrs::QoS::AtMostOnce,
            })
            .collect(),
    }
}

/// Sending `packet`, or failing the connection if it cannot be written.
fn send(packet: &Packet) -> MqttOutput {
    match encode(packet) {
        Ok(bytes) => MqttOutput::Send(bytes),
        Err(e) => MqttOutput::Failed(format!("cannot write {e:?}")),
    }
}

impl MqttSession {
    pub fn new(client_id: String, topics: Vec<String>, keep_alive_s: u16) -> Self {
        Self {
            client_id,
            topics,
            keep_alive_s,
            phase: Phase::Connecting,
            buf: Vec::new(),
            last_sent_ms: 0,
            last_heard_ms: 0,
        }
    }

    pub fn is_ready(&self) -> bool {
        self.phase == Phase::Ready
    }

    /// The CONNECT packet to send once the socket is open.
    pub fn start(&mut self, now_ms: i64) -> MqttOutput {
        self.last_sent_ms = now_ms;
        self.last_heard_ms = now_ms;
        // MQTT strings carry a 16-bit length (which the codec would silently cut).
        let too_long = |s: &String| s.len() > usize::from(u16::MAX);
        if too_long(&self.client_id) || self.topics.iter().any(too_long) {
            return MqttOutput::Failed("a client id or topic longer than MQTT allows".into());
        }
        send(&Packet::Connect(mqttrs::Connect {
            protocol: mqttrs::Protocol::MQTT311,
            keep_alive: self.keep_alive_s,
            client_id: &self.client_id,
            clean_session: true,
            last_will: None,
            username: None,
            password: None,
        }))
    }

    /// Feeds bytes from the socket.
    pub fn receive(&mut self, bytes: &[u8], now_ms: i64) -> Vec<MqttOutput> {
        self.last_heard_ms = now_ms;
        self.buf.extend_from_slice(bytes);
        let packets = match drain_packets(&mut self.buf) {
            Ok(p) => p,
            Err(e) => return vec![MqttOutput::Failed(format!("not MQTT: {e:?}"))],
        };
        let mut out = Vec::new();
        for raw in packets {
            match decode_slice(&raw) {
                Ok(Some(Packet::Connack(ack))) if self.phase == Phase::Connecting => {
                    if ack.code != mqttrs::ConnectReturnCode::Accepted {
                        out.push(MqttOutput::Failed(format!(
                            "connection refused: {:?}",
                            ack.code
                        )));
                        continue;
                    }
                    self.phase = Phase::Subscribing;
                    self.last_sent_ms = now_ms;
                    out.push(send(&Packet::Subscribe(subscribe(
                        mqttrs::Pid::new(),
                        self.topics.iter().cloned(),
                    ))));
                }
                Ok(Some(Packet::Suback(ack))) if self.phase == Phase::Subscribing => {
                    let refused: Vec<String> = ack
                        .return_codes
                        .iter()
                        .zip(&self.topics)
                        .filter(|(code, _)| matches!(code, mqttrs::SubscribeReturnCodes::Failure))
                        .map(|(_, topic)| topic.clone())
                        .collect();
                    if refused.is_empty() {
                        self.phase = Phase::Ready;
                        out.push(MqttOutput::Ready);
                    } else {
                        out.push(MqttOutput::Refused(refused));
                    }
                }
                Ok(Some(Packet::Publish(p))) => {
                    out.push(MqttOutput::Message {
                        topic: p.topic_name.to_string(),
                        payload: p.payload.to_vec(),
                    });
                    // A broker may deliver at QoS 1 even to a QoS 0 subscriber: answer
                    // as the protocol asks, or it sends the message again.
                    if let mqttrs::QosPid::AtLeastOnce(pid) = p.qospid {
                        self.last_sent_ms = now_ms;
                        out.push(send(&Packet::Puback(pid)));
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => out.push(MqttOutput::Failed("malformed packet".into())),
            }
        }
        out
    }

    /// Call regularly (every second or so): pings when the connection has been quiet,
    /// and fails it when the broker has been silent for 1.5 keep-alive periods.
    pub fn tick(&mut self, now_ms: i64) -> Vec<MqttOutput> {
        let period = i64::from(self.keep_alive_s) * 1000;
        if now_ms - self.last_heard_ms > period * 3 / 2 {
            return vec![MqttOutput::Failed("no answer from the server".into())];
        }
        if self.phase == Phase::Ready && now_ms - self.last_sent_ms >= period / 2 {
            self.last_sent_ms = now_ms;
            return vec![send(&Packet::Pingreq)];
        }
        Vec::new()
    }
}

#[cfg(test)]
mod session_tests {
    use super::*;

    fn broker_sends(packet: &Packet) -> Vec<u8> {
        encode(packet).unwrap()
    }

    #[test]
    fn connects_subscribes_and_delivers() {
        let mut s = MqttSession::new(
            "serverlesspresso-t".into(),
            vec!["a".into(), "b".into()],
            30,
        );
        let MqttOutput::Send(connect) = s.start(0) else {
            panic!("CONNECT is sent")
        };
        assert!(
            matches!(decode_slice(&connect), Ok(Some(Packet::Connect(c))) if c.client_id == "serverlesspresso-t" && c.clean_session)
        );
        let out = s.receive(
            &broker_sends(&Packet::Connack(mqttrs::Connack {
                session_present: false,
                code: mqttrs::ConnectReturnCode::Accepted,
            })),
            10,
        );
        let [MqttOutput::Send(sub)] = &out[..] else {
            panic!("{out:?}")
        };
        let Ok(Some(Packet::Subscribe(sub))) = decode_slice(sub) else {
            panic!()
        };
        assert_eq!(
            sub.topics
                .iter()
                .map(|t| t.topic_path.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        let mut suback_and_message = broker_sends(&Packet::Suback(mqttrs::Suback {
            pid: mqttrs::Pid::new(),
            return_codes: vec![mqttrs::SubscribeReturnCodes::Success(mqttrs::QoS::AtMostOnce); 2],
        }));
        suback_and_message.extend(broker_sends(&Packet::Publish(mqttrs::Publish {
            dup: false,
            qospid: mqttrs::QosPid::AtMostOnce,
            retain: false,
            topic_name: "a",
            payload: b"{}",
        })));
        // Split mid-packet: nothing is lost.
        let (first, second) = suback_and_message.split_at(7);
        let mut out = s.receive(first, 20);
        out.extend(s.receive(second, 21));
        assert_eq!(
            out,
            [
                MqttOutput::Ready,
                MqttOutput::Message {
                    topic: "a".into(),
                    payload: b"{}".to_vec()
                }
            ]
        );
        assert!(s.is_ready());
    }

    #[test]
    fn pings_when_quiet_and_fails_when_silent() {
        let mut s = MqttSession::new("c".into(), vec!["a".into()], 10);
        s.start(0);
        s.receive(
            &broker_sends(&Packet::Connack(mqttrs::Connack {
                session_present: false,
                code: mqttrs::ConnectReturnCode::Accepted,
            })),
            0,
        );
        s.receive(
            &broker_sends(&Packet::Suback(mqttrs::Suback {
                pid: mqttrs::Pid::new(),
                return_codes: vec![],
            })),
            0,
        );
        assert!(s.tick(4_000).is_empty());
        assert_eq!(s.tick(5_000), [MqttOutput::Send(vec![0xc0, 0x00])]);
        s.receive(&broker_sends(&Packet::Pingresp), 5_100);
        assert!(s.tick(9_000).is_empty());
        assert!(matches!(s.tick(20_200)[..], [MqttOutput::Failed(_)]));
    }

    #[test]
    fn a_packet_that_cannot_be_written_fails_the_connection() {
        let mut s = MqttSession::new("c".repeat(70_000), vec![], 30);
        assert!(
            matches!(s.start(0), MqttOutput::Failed(_)),
            "nothing cut short is sent"
        );
        let mut s = MqttSession::new("c".into(), vec!["t".repeat(70_000)], 30);
        assert!(matches!(s.start(0), MqttOutput::Failed(_)));
        // Long, but within MQTT's limits: written whole, however long.
        let mut s = MqttSession::new("c".repeat(2_000), vec![], 30);
        let MqttOutput::Send(connect) = s.start(0) else {
            panic!("a CONNECT")
        };
        assert!(
            matches!(decode_slice(&connect), Ok(Some(Packet::Connect(c))) if c.client_id.len() == 2_000)
        );
    }

    #[test]
    fn refusal_and_garbage_fail_the_connection() {
        let mut s = MqttSession::new("c".into(), vec![], 30);
        s.start(0);
        let refused = s.receive(
            &broker_sends(&Packet::Connack(mqttrs::Connack {
                session_present: false,
                code: mqttrs::ConnectReturnCode::NotAuthorized,
            })),
            1,
        );
        assert!(matches!(&refused[..], [MqttOutput::Failed(_)]));
        let mut s = MqttSession::new("c".into(), vec![], 30);
        assert!(matches!(
            &s.receive(&[0, 0], 1)[..],
            [MqttOutput::Failed(_)]
        ));
    }
}
