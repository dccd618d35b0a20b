//! EventBridge and the IoT publisher Lambdas (contract §4.2, §4.3): every event goes to
//! the per-order event log and is published on the MQTT topics its detail-type and
//! `userId` select, as `{"type": …, "detail": …}`.

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

    /// The topics the three publisher rules send this event to.
    pub fn topics(&self) -> Vec<String> {
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

/// The event bus: log, then publish.
pub struct Bus {
    publisher: Box<dyn Publisher>,
}

impl Bus {
    pub fn new(publisher: Box<dyn Publisher>) -> Self {
        Self { publisher }
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
            for topic in event.topics() {
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
