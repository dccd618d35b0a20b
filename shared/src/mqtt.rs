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
