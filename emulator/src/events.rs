//! EventBridge and the IoT publisher Lambdas (contract §4.2, §4.3): every event goes to
//! the per-order event log and is published on the MQTT topics its detail-type and
//! `userId` select, as `{"type": …, "detail": …}`.
//!
//! E's publishers ([`Routing::E`]) add the event to the admin and config topics as
//! their code does: the admin one appends `detail.eventId` (JavaScript's `undefined`
//! when the detail has none, as `ConfigChanged`'s does not), the config one the second
//! `-`-separated part of `NewImage.PK` (`config-ABC` gives `ABC`).

use crate::store::{self, Store};
use serde_json::{json, Value};

/// One EventBridge event on the `Serverlesspresso` bus.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub detail_type: String,
    pub detail: Value,
}

pub const ADMIN_TOPIC: &str = "serverlesspresso-admin";
pub const CONFIG_TOPIC: &str = "serverlesspresso-config";
pub const USER_TOPIC_PREFIX: &str = "serverlesspresso-user-";

impl Event {
    pub fn new(detail_type: &str, detail: Value) -> Self {
        Self {
            detail_type: detail_type.to_string(),
            detail,
        }
    }

    pub fn order_id(&self) -> Option<&str> {
        self.detail.get("orderId").and_then(Value::as_str)
    }

    /// The topics the three publisher rules send this event to (W).
    pub fn topics(&self) -> Vec<String> {
        self.topics_for(Routing::W)
    }

    /// The topics the publisher Lambdas of `routing` send this event to.
    pub fn topics_for(&self, routing: Routing) -> Vec<String> {
        let mut topics = self.w_topics();
        if routing == Routing::E {
            for topic in &mut topics {
                if topic == ADMIN_TOPIC {
                    // `${baseTopic}-${event.detail.eventId}`
                    let event = self.detail.get("eventId").map_or_else(
                        || "undefined".to_string(),
                        |v| v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    );
                    *topic = format!("{ADMIN_TOPIC}-{event}");
                } else if topic == CONFIG_TOPIC {
                    // `PK.split('-')[1]`; a detail without `NewImage.PK.S` makes the
                    // Lambda throw, and it publishes nothing.
                    let Some(pk) = self
                        .detail
                        .pointer("/NewImage/PK/S")
                        .and_then(Value::as_str)
                    else {
                        topic.clear();
                        continue;
                    };
                    let event = pk.split('-').nth(1).unwrap_or("undefined");
                    *topic = format!("{CONFIG_TOPIC}-{event}");
                }
            }
            topics.retain(|t| !t.is_empty());
        }
        topics
    }

    fn w_topics(&self) -> Vec<String> {
        let t = self.detail_type.as_str();
        let mut topics = Vec::new();
        let order_flow = t.starts_with("OrderManager.") || t.starts_with("OrderProcessor.");
        if order_flow || t.starts_with("Validator.") || t.starts_with("ConfigService.") {
            topics.push(ADMIN_TOPIC.to_string());
        }
        if order_flow {
            // The rule templates `detail.userId` in; a missing one becomes "undefined".
            let user = self
                .detail
                .get("userId")
                .and_then(Value::as_str)
                .unwrap_or("undefined");
            topics.push(format!("{USER_TOPIC_PREFIX}{user}"));
        }
        if t.starts_with("ConfigService.") {
            topics.push(CONFIG_TOPIC.to_string());
        }
        topics
    }

    /// The MQTT payload.
    pub fn payload(&self) -> Vec<u8> {
        json!({"type": self.detail_type, "detail": self.detail})
            .to_string()
            .into_bytes()
    }
}

/// Where published messages go (the MQTT broker, or a test's recorder).
pub trait Publisher: Send + Sync {
    fn publish(&self, topic: &str, payload: Vec<u8>);
}

/// Which publisher Lambdas route the events: W's or E's (per-event topics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Routing {
    #[default]
    W,
    E,
}

/// The event bus: log, then publish.
pub struct Bus {
    publisher: Box<dyn Publisher>,
    routing: Routing,
}

impl Bus {
    /// A bus with W's publishers.
    pub fn new(publisher: Box<dyn Publisher>) -> Self {
        Self::with_routing(publisher, Routing::W)
    }

    pub fn with_routing(publisher: Box<dyn Publisher>, routing: Routing) -> Self {
        Self { publisher, routing }
    }

    pub fn emit(&self, store: &Store, events: Vec<Event>, now_ms: i64) {
        for event in events {
            if let Err(e) = store.write(|tx| {
                store::log_event(
                    tx,
                    event.order_id(),
                    now_ms,
                    &event.detail_type,
                    &event.detail,
                )
            }) {
                tracing::error!("event log write failed: {e:#}");
            }
            tracing::info!(
                order = event.order_id().unwrap_or("-"),
                "event {} {}",
                event.detail_type,
                event.detail
            );
            let payload = event.payload();
            for topic in event.topics_for(self.routing) {
                self.publisher.publish(&topic, payload.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(ty: &str, detail: Value) -> Vec<String> {
        Event::new(ty, detail).topics()
    }

    #[test]
    fn routes_like_the_three_publisher_rules() {
        assert_eq!(
            topics(
                "OrderManager.MakeOrder",
                json!({"userId": "u1", "orderId": "o"})
            ),
            ["serverlesspresso-admin", "serverlesspresso-user-u1"]
        );
        assert_eq!(
            topics("Validator.NewOrder", json!({"userId": "u1"})),
            ["serverlesspresso-admin"]
        );
        // ConfigChanged reaches admin subscribers twice: admin and config topics.
        assert_eq!(
            topics("ConfigService.ConfigChanged", json!({"NewImage": {}})),
            ["serverlesspresso-admin", "serverlesspresso-config"]
        );
        assert_eq!(
            topics("OrderProcessor.ShopUnavailable", json!({})),
            ["serverlesspresso-admin", "serverlesspresso-user-undefined"]
        );
        assert!(topics("Other.Thing", json!({})).is_empty());
    }

    #[test]
    fn e_routes_admin_and_config_per_event_as_its_lambdas_do() {
        let e = |ty: &str, detail: Value| Event::new(ty, detail).topics_for(Routing::E);
        assert_eq!(
            e(
                "OrderManager.OrderABC-COMPLETED",
                json!({"userId": "u1", "orderId": "o", "eventId": "ABC"})
            ),
            ["serverlesspresso-admin-ABC", "serverlesspresso-user-u1"]
        );
        assert_eq!(
            e(
                "Validator.NewOrder",
                json!({"userId": "u1", "eventId": "XYZ"})
            ),
            ["serverlesspresso-admin-XYZ"]
        );
        // ConfigChanged's detail is the stream image only: no eventId for the admin
        // publisher (`undefined`); the config publisher reads the event from the PK.
        assert_eq!(
            e(
                "ConfigService.ConfigChanged",
                json!({"NewImage": {"PK": {"S": "config-ABC"}}})
            ),
            [
                "serverlesspresso-admin-undefined",
                "serverlesspresso-config-ABC"
            ]
        );
        assert_eq!(
            e(
                "ConfigService.ConfigChanged",
                json!({"NewImage": {"PK": {"S": "config-my-bar"}}})
            )[1],
            "serverlesspresso-config-my",
            "split('-')[1]"
        );
        assert_eq!(
            e("ConfigService.ConfigChanged", json!({"NewImage": {}})),
            ["serverlesspresso-admin-undefined"],
            "the config Lambda throws on a missing PK"
        );
        assert_eq!(
            e(
                "OrderManager.MakeOrder",
                json!({"userId": "u1", "eventId": ""})
            ),
            ["serverlesspresso-admin-", "serverlesspresso-user-u1"],
            "a request without eventId"
        );
    }

    #[test]
    fn payload_is_the_envelope() {
        let e = Event::new("OrderProcessor.orderFinished", json!({"orderId": "o1"}));
        let v: Value = serde_json::from_slice(&e.payload()).unwrap();
        assert_eq!(
            v,
            json!({"type": "OrderProcessor.orderFinished", "detail": {"orderId": "o1"}})
        );
        assert_eq!(e.order_id(), Some("o1"));
    }
}
