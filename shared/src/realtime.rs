//! The real-time events of contract §4.3, typed. Every MQTT payload is
//! `{"type": "<detail-type>", "detail": {…}}`; unknown types become
//! [`RealtimeEvent::Unknown`], never an error.

use crate::dynamo::item_from_json;
use crate::kind::Flavour;
use crate::model::{Bucket, Order, OrderState, TimeoutCause};
use crate::settings::Settings;
use crate::wire::{order_from_item, parse_bucket, store_open_of, WireError};
use serde_json::Value;

/// Topics of the publisher rules (contract §4.2).
pub const ADMIN_TOPIC: &str = "serverlesspresso-admin";
pub const CONFIG_TOPIC: &str = "serverlesspresso-config";

/// The admin topic of a deployment: E has one per event (`serverlesspresso-admin-ABC`).
pub fn admin_topic(settings: &Settings) -> String {
    per_event(ADMIN_TOPIC, settings)
}

/// The config topic of a deployment: E has one per event.
pub fn config_topic(settings: &Settings) -> String {
    per_event(CONFIG_TOPIC, settings)
}

fn per_event(topic: &str, settings: &Settings) -> String {
    match (settings.flavour, &settings.event_id) {
        (Flavour::E, Some(event)) => format!("{topic}-{event}"),
        _ => topic.to_string(),
    }
}

/// The event (E's `detail.eventId`) a payload belongs to, if it says.
pub fn event_of(payload: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(payload).ok()?;
    v.pointer("/detail/eventId")?.as_str().map(str::to_string)
}

/// Whether a payload is for this deployment's event: the user topic is shared by every
/// event of an E backend, so an order at another event must not move this screen.
pub fn is_for_this_event(payload: &[u8], settings: &Settings) -> bool {
    match (&settings.event_id, event_of(payload)) {
        (Some(mine), Some(theirs)) => *mine == theirs,
        _ => true,
    }
}

/// The order app's own topic.
pub fn user_topic(sub: &str) -> String {
    format!("serverlesspresso-user-{sub}")
}

/// One event, as the apps use it.
#[derive(Clone, Debug, PartialEq)]
pub enum RealtimeEvent {
    /// `Validator.NewOrder`: a token was spent; the bucket after it.
    NewOrder {
        order_id: String,
        user_id: String,
        bucket: Option<Bucket>,
    },
    /// `OrderProcessor.WorkflowStarted`: the customer may choose now.
    WorkflowStarted {
        order_id: String,
        user_id: String,
    },
    /// `OrderProcessor.ShopUnavailable`: closed or full; carries no order id.
    ShopUnavailable {
        user_id: String,
    },
    /// `OrderProcessor.WaitingCompletion`: the order has its number.
    OrderNumbered {
        order_id: String,
        user_id: String,
        number: Option<u32>,
    },
    /// `OrderManager.WaitingCompletion`: the order reached the baristas.
    WaitingCompletion {
        order: Order,
    },
    /// `OrderManager.MakeOrder`: claimed (make) or released (unmake, empty barista).
    MakeOrder {
        order_id: String,
        user_id: String,
        barista_user_id: Option<String>,
    },
    /// `OrderManager.OrderCompleted` (and E's `OrderManager.Order<id>-COMPLETED`).
    OrderCompleted {
        order_id: String,
        user_id: String,
    },
    /// `OrderManager.OrderCancelled` (and E's `…-CANCELLED`).
    OrderCancelled {
        order_id: String,
        user_id: String,
    },
    /// `OrderProcessor.OrderTimeOut`.
    OrderTimeOut {
        order_id: String,
        user_id: String,
        cause: TimeoutCause,
    },
    /// `OrderProcessor.orderFinished`: no screen changes for it.
    OrderFinished {
        order_id: String,
        user_id: String,
    },
    /// `ConfigService.ConfigChanged`: `store_open` only when the config item changed.
    ConfigChanged {
        store_open: Option<bool>,
    },
    Unknown {
        detail_type: String,
    },
}

impl RealtimeEvent {
    /// The order this event is about, if any.
    pub fn order_id(&self) -> Option<&str> {
        match self {
            Self::NewOrder { order_id, .. }
            | Self::WorkflowStarted { order_id, .. }
            | Self::OrderNumbered { order_id, .. }
            | Self::MakeOrder { order_id, .. }
            | Self::OrderCompleted { order_id, .. }
            | Self::OrderCancelled { order_id, .. }
            | Self::OrderTimeOut { order_id, .. }
            | Self::OrderFinished { order_id, .. } => Some(order_id),
            Self::WaitingCompletion { order } => Some(&order.id),
            Self::ShopUnavailable { .. } | Self::ConfigChanged { .. } | Self::Unknown { .. } => {
                None
            }
        }
    }
}

fn text(detail: &Value, name: &'static str) -> Result<String, WireError> {
    detail
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or(WireError::Missing(name))
}

/// `"41"` in W, `41` in V1.
fn number(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    }
}

/// Reads one MQTT payload.
pub fn parse_event(payload: &[u8]) -> Result<RealtimeEvent, WireError> {
    let v: Value = serde_json::from_slice(payload).map_err(|e| WireError::Json(e.to_string()))?;
    let detail_type = v
        .get("type")
        .and_then(Value::as_str)
        .ok_or(WireError::Missing("type"))?;
    let empty = Value::Object(Default::default());
    let d = v.get("detail").unwrap_or(&empty);
    let order_id = || text(d, "orderId");
    let user_id = || {
        Ok::<_, WireError>(
            d.get("userId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )
    };
    Ok(match detail_type {
        "Validator.NewOrder" => RealtimeEvent::NewOrder {
            order_id: order_id()?,
            user_id: user_id()?,
            bucket: d.get("bucket").and_then(|b| parse_bucket(b).ok()),
        },
        "OrderProcessor.WorkflowStarted" => RealtimeEvent::WorkflowStarted {
            order_id: order_id()?,
            user_id: user_id()?,
        },
        "OrderProcessor.ShopUnavailable" => RealtimeEvent::ShopUnavailable {
            user_id: user_id()?,
        },
        "OrderProcessor.WaitingCompletion" => RealtimeEvent::OrderNumbered {
            order_id: order_id()?,
            user_id: user_id()?,
            number: number(d.get("orderNumber")),
        },
        "OrderManager.WaitingCompletion" => {
            let drink = d.get("drinkOrder").cloned().unwrap_or(Value::Null);
            let item = serde_json::json!({
                "SK": {"S": order_id()?},
                "ORDERSTATE": {"S": d.get("state").and_then(Value::as_str).unwrap_or("CREATED")},
                "USERID": {"S": user_id()?},
                "drinkOrder": {"S": drink.to_string()},
                "robot": {"BOOL": d.get("robot").and_then(Value::as_bool).unwrap_or(false)},
            });
            let mut order = order_from_item(&item_from_json(&item)?)?;
            order.number = number(d.get("orderNumber"));
            order.ts_ms = d.get("TS").and_then(Value::as_i64);
            RealtimeEvent::WaitingCompletion { order }
        }
        "OrderManager.MakeOrder" => RealtimeEvent::MakeOrder {
            order_id: order_id()?,
            user_id: user_id()?,
            barista_user_id: d
                .get("baristaUserId")
                .and_then(Value::as_str)
                .filter(|b| !b.is_empty())
                .map(str::to_string),
        },
        "OrderProcessor.OrderTimeOut" => RealtimeEvent::OrderTimeOut {
            order_id: order_id()?,
            user_id: user_id()?,
            cause: TimeoutCause::parse(d.get("cause").and_then(Value::as_str).unwrap_or_default()),
        },
        "OrderProcessor.orderFinished" => RealtimeEvent::OrderFinished {
            order_id: order_id()?,
            user_id: user_id()?,
        },
        "ConfigService.ConfigChanged" => RealtimeEvent::ConfigChanged {
            store_open: d
                .get("NewImage")
                .and_then(|i| item_from_json(i).ok())
                .and_then(|i| store_open_of(&i)),
        },
        other => match other
            .strip_prefix("OrderManager.Order")
            .map(OrderState::parse)
        {
            // W: OrderCompleted / OrderCancelled; E: Order<eventId>-COMPLETED (contract §4.3).
            Some(OrderState::Completed) => RealtimeEvent::OrderCompleted {
                order_id: order_id()?,
                user_id: user_id()?,
            },
            Some(OrderState::Cancelled) => RealtimeEvent::OrderCancelled {
                order_id: order_id()?,
                user_id: user_id()?,
            },
            _ => RealtimeEvent::Unknown {
                detail_type: other.to_string(),
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> RealtimeEvent {
        parse_event(json.as_bytes()).unwrap()
    }

    #[test]
    fn every_event_of_the_contract() {
        assert_eq!(
            parse(
                r#"{"type":"Validator.NewOrder","detail":{"orderId":"o","userId":"u","Message":"m","bucket":{"PK":1,"last_id":1,"last_code":"c","start_ts":0,"start_full":"","end_ts":9,"end_full":"","availableTokens":0}}}"#
            ),
            RealtimeEvent::NewOrder {
                order_id: "o".into(),
                user_id: "u".into(),
                bucket: Some(Bucket {
                    id: 1,
                    code: "c".into(),
                    start_ts: 0,
                    end_ts: 9,
                    available_tokens: 0
                }),
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderProcessor.WorkflowStarted","detail":{"Message":"m","TaskToken":"t","orderId":"o","userId":"u"}}"#
            ),
            RealtimeEvent::WorkflowStarted {
                order_id: "o".into(),
                user_id: "u".into()
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderProcessor.ShopUnavailable","detail":{"Message":"m","userId":"u"}}"#
            ),
            RealtimeEvent::ShopUnavailable {
                user_id: "u".into()
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderProcessor.WaitingCompletion","detail":{"Message":"m","TaskToken":"t","orderId":"o","orderNumber":"41","userId":"u"}}"#
            ),
            RealtimeEvent::OrderNumbered {
                order_id: "o".into(),
                user_id: "u".into(),
                number: Some(41)
            }
        );
        let RealtimeEvent::WaitingCompletion { order } = parse(
            r#"{"type":"OrderManager.WaitingCompletion","detail":{"orderId":"d6e373b5","orderNumber":"112","state":"CREATED",
               "drinkOrder":{"userId":"u","drink":"Flat White","modifiers":[],"icon":"barista-icons_flat-white-alternative@2x"},
               "userId":"u","robot":false,"TS":1665751954523,"Message":"m"}}"#,
        ) else {
            panic!("not WaitingCompletion")
        };
        assert_eq!(
            (order.id.as_str(), order.number, order.ts_ms),
            ("d6e373b5", Some(112), Some(1_665_751_954_523))
        );
        assert_eq!(order.drink.unwrap().drink, "Flat White");
        assert_eq!(
            parse(
                r#"{"type":"OrderManager.MakeOrder","detail":{"baristaUserId":"b","orderId":"o","userId":"u","Message":"m"}}"#
            ),
            RealtimeEvent::MakeOrder {
                order_id: "o".into(),
                user_id: "u".into(),
                barista_user_id: Some("b".into())
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderManager.MakeOrder","detail":{"baristaUserId":"","orderId":"o","userId":"u"}}"#
            ),
            RealtimeEvent::MakeOrder {
                order_id: "o".into(),
                user_id: "u".into(),
                barista_user_id: None
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderManager.OrderCompleted","detail":{"orderId":"o","userId":"u","ORDERSTATE":"Completed"}}"#
            ),
            RealtimeEvent::OrderCompleted {
                order_id: "o".into(),
                user_id: "u".into()
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderManager.OrderCancelled","detail":{"orderId":"o","userId":"u","ORDERSTATE":"Cancelled"}}"#
            ),
            RealtimeEvent::OrderCancelled {
                order_id: "o".into(),
                user_id: "u".into()
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderProcessor.OrderTimeOut","detail":{"userId":"u","orderId":"o","cause":"Barista timedout"}}"#
            ),
            RealtimeEvent::OrderTimeOut {
                order_id: "o".into(),
                user_id: "u".into(),
                cause: TimeoutCause::Barista
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderProcessor.orderFinished","detail":{"Message":"m","userId":"u","orderId":"o"}}"#
            ),
            RealtimeEvent::OrderFinished {
                order_id: "o".into(),
                user_id: "u".into()
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"ConfigService.ConfigChanged","detail":{"NewImage":{"PK":{"S":"config"},"storeOpen":{"BOOL":false}}}}"#
            ),
            RealtimeEvent::ConfigChanged {
                store_open: Some(false)
            }
        );
    }

    #[test]
    fn deltas_and_unknowns() {
        // The menu changing is not the store closing.
        assert_eq!(
            parse(
                r#"{"type":"ConfigService.ConfigChanged","detail":{"NewImage":{"PK":{"S":"menu"},"value":{"L":[]}}}}"#
            ),
            RealtimeEvent::ConfigChanged { store_open: None }
        );
        // E builds the type from the state.
        assert_eq!(
            parse(
                r#"{"type":"OrderManager.OrderABC-COMPLETED","detail":{"orderId":"o","userId":"u","eventId":"ABC"}}"#
            ),
            RealtimeEvent::OrderCompleted {
                order_id: "o".into(),
                user_id: "u".into()
            }
        );
        // V1 numbers are JSON numbers; V1 make may carry a null barista.
        assert_eq!(
            parse(
                r#"{"type":"OrderProcessor.WaitingCompletion","detail":{"orderId":"o","orderNumber":41,"userId":"u"}}"#
            ),
            RealtimeEvent::OrderNumbered {
                order_id: "o".into(),
                user_id: "u".into(),
                number: Some(41)
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderManager.MakeOrder","detail":{"baristaUserId":null,"orderId":"o","userId":"u"}}"#
            ),
            RealtimeEvent::MakeOrder {
                order_id: "o".into(),
                user_id: "u".into(),
                barista_user_id: None
            }
        );
        assert_eq!(
            parse(
                r#"{"type":"OrderManager.DrinkAverageTime","detail":{"drink":"Latte","duration":42}}"#
            ),
            RealtimeEvent::Unknown {
                detail_type: "OrderManager.DrinkAverageTime".into()
            }
        );
    }

    #[test]
    fn malformed_payloads_are_errors() {
        assert!(parse_event(b"not json").is_err());
        assert_eq!(parse_event(b"{}"), Err(WireError::Missing("type")));
        assert_eq!(
            parse_event(br#"{"type":"OrderManager.OrderCompleted","detail":{}}"#),
            Err(WireError::Missing("orderId"))
        );
        assert_eq!(
            parse_event(br#"{"type":"OrderManager.OrderCompleted"}"#),
            Err(WireError::Missing("orderId"))
        );
    }

    #[test]
    fn e_has_topics_per_event_and_events_say_which() {
        let mut draft = crate::settings::sample_draft();
        let w = draft.validate(crate::AppKind::Barista).unwrap();
        assert_eq!(admin_topic(&w), "serverlesspresso-admin");
        assert_eq!(config_topic(&w), "serverlesspresso-config");
        draft.set(crate::Field::Flavour, "E");
        draft.set(crate::Field::EventId, "ABC");
        let e = draft.validate(crate::AppKind::Barista).unwrap();
        assert_eq!(admin_topic(&e), "serverlesspresso-admin-ABC");
        assert_eq!(config_topic(&e), "serverlesspresso-config-ABC");
        let ours = br#"{"type":"OrderManager.MakeOrder","detail":{"orderId":"o","eventId":"ABC"}}"#;
        let theirs =
            br#"{"type":"OrderManager.MakeOrder","detail":{"orderId":"o","eventId":"XYZ"}}"#;
        let no_event = br#"{"type":"OrderManager.MakeOrder","detail":{"orderId":"o"}}"#;
        assert!(is_for_this_event(ours, &e));
        assert!(!is_for_this_event(theirs, &e), "another event's order");
        assert!(is_for_this_event(no_event, &e));
        assert!(is_for_this_event(theirs, &w), "W has no events");
    }
}
