//! Reading the REST responses of variant W (contract §3), with the E and V1 shapes where
//! they differ. Nothing here panics: bad input is a [`WireError`].

use crate::dynamo::{item_from_json, AttributeValue, DynamoError, Item};
use crate::kind::Flavour;
use crate::model::{
    Bucket, Config, DrinkOrder, MenuItem, ModifierGroup, Order, OrderList, OrderState, StoreConfig,
    TimeoutCause,
};
use serde_json::Value;

/// Why a response could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("the response is not JSON: {0}")]
    Json(String),
    #[error("the response is not DynamoDB-typed JSON: {0}")]
    Dynamo(#[from] DynamoError),
    #[error("the response has no {0}")]
    Missing(&'static str),
    #[error("the response has an invalid {0}")]
    Invalid(&'static str),
    /// A direct integration passed an AWS error on with HTTP 200.
    #[error("the backend reported {kind}: {message}")]
    Backend { kind: String, message: String },
}

fn json(body: &str) -> Result<Value, WireError> {
    serde_json::from_str(body).map_err(|e| WireError::Json(e.to_string()))
}

/// A direct integration's error body (`{"__type","message"}`) returned with 200.
fn backend_error(v: &Value) -> Option<WireError> {
    let kind = v.get("__type")?.as_str()?;
    Some(WireError::Backend {
        kind: kind.rsplit('#').next().unwrap_or(kind).to_string(),
        message: v
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    })
}

/// V1 wraps results as `{"result": …}`.
fn unwrap_result(v: Value, flavour: Flavour) -> Value {
    match (flavour, v) {
        (Flavour::V1, Value::Object(mut map)) if map.contains_key("result") => {
            map.remove("result").unwrap_or_default()
        }
        (_, v) => v,
    }
}

/// Plain JSON (V1) or typed JSON (W, E) → a typed item, so one reader serves both.
fn as_item(v: &Value, flavour: Flavour) -> Result<Item, WireError> {
    match flavour {
        Flavour::V1 => plain_to_item(v).ok_or(WireError::Invalid("item")),
        _ => Ok(item_from_json(v)?),
    }
}

fn plain_to_value(v: &Value) -> Option<AttributeValue> {
    Some(match v {
        Value::Null => AttributeValue::Null,
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(l) => AttributeValue::L(l.iter().map(plain_to_value).collect::<Option<_>>()?),
        Value::Object(_) => AttributeValue::M(plain_to_item(v)?),
    })
}

fn plain_to_item(v: &Value) -> Option<Item> {
    v.as_object()?
        .iter()
        .map(|(k, v)| Some((k.clone(), plain_to_value(v)?)))
        .collect()
}

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name)
        .and_then(AttributeValue::as_s)
        .map(str::to_string)
}

fn strings(v: Option<&AttributeValue>) -> Vec<String> {
    v.and_then(AttributeValue::as_l)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.as_s().map(str::to_string))
        .collect()
}

fn menu_item(v: &AttributeValue) -> Option<MenuItem> {
    let m = v.as_m()?;
    Some(MenuItem {
        drink: text(m, "drink")?,
        icon: text(m, "icon").unwrap_or_default(),
        available: m
            .get("available")
            .and_then(AttributeValue::as_bool)
            .unwrap_or(true),
        modifiers: m
            .get("modifiers")
            .and_then(AttributeValue::as_l)
            .unwrap_or_default()
            .iter()
            .filter_map(|g| {
                let g = g.as_m()?;
                Some(ModifierGroup {
                    name: text(g, "Name")?,
                    options: strings(g.get("Options")),
                })
            })
            .collect(),
    })
}

fn store_config(item: &Item) -> StoreConfig {
    StoreConfig {
        store_open: item
            .get("storeOpen")
            .and_then(AttributeValue::as_bool)
            .unwrap_or(false),
        max_orders_per_user: item
            .get("maxOrdersPerUser")
            .and_then(AttributeValue::as_i64),
        max_orders_in_queue: item
            .get("maxOrdersInQueue")
            .and_then(AttributeValue::as_i64),
    }
}

/// The store switch from a config item, if it is *the* config item (`PK` `config`, or
/// `config-<eventId>` in E). `ConfigChanged` for the menu must not be read as closed.
pub fn store_open_of(item: &Item) -> Option<bool> {
    let pk = text(item, "PK")?;
    (pk == "config" || pk.starts_with("config-")).then(|| store_config(item).store_open)
}

/// `GET /config`: W scans the table (find items by `PK`, never by position); E returns
/// one `{"Item"}` holding config and menu; V1 plain items.
pub fn parse_config(body: &str, flavour: Flavour) -> Result<Config, WireError> {
    let v = json(body)?;
    if let Some(e) = backend_error(&v) {
        return Err(e);
    }
    if let Some(item) = v.get("Item") {
        let item = item_from_json(item)?;
        let menu = item
            .get("menu")
            .and_then(AttributeValue::as_l)
            .unwrap_or_default();
        return Ok(Config {
            menu: menu.iter().filter_map(menu_item).collect(),
            store: store_config(&item),
        });
    }
    let Value::Array(items) = unwrap_result(v, flavour) else {
        return Err(WireError::Invalid("config list"));
    };
    let items: Vec<Item> = items
        .iter()
        .map(|i| as_item(i, flavour))
        .collect::<Result<_, _>>()?;
    let by_pk = |pk: &str| items.iter().find(|i| text(i, "PK").as_deref() == Some(pk));
    let config = by_pk("config").ok_or(WireError::Missing("config item"))?;
    let menu = by_pk("menu").ok_or(WireError::Missing("menu item"))?;
    Ok(Config {
        menu: menu
            .get("value")
            .and_then(AttributeValue::as_l)
            .unwrap_or_default()
            .iter()
            .filter_map(menu_item)
            .collect(),
        store: store_config(config),
    })
}

/// `drinkOrder`: a JSON string in W, a map in V1.
fn drink_order(v: Option<&AttributeValue>) -> Option<DrinkOrder> {
    let parsed = match v? {
        AttributeValue::S(json) => plain_to_item(&serde_json::from_str(json).ok()?)?,
        AttributeValue::M(m) => m.clone(),
        _ => return None,
    };
    Some(DrinkOrder {
        user_id: text(&parsed, "userId"),
        drink: text(&parsed, "drink")?,
        modifiers: strings(parsed.get("modifiers")),
        icon: text(&parsed, "icon").unwrap_or_default(),
    })
}

/// Reads one order item of `GET /orders` or `GET /myOrders`.
pub fn order_from_item(item: &Item) -> Result<Order, WireError> {
    Ok(Order {
        id: text(item, "SK").ok_or(WireError::Missing("SK"))?,
        number: item
            .get("orderNumber")
            .and_then(AttributeValue::as_i64)
            .and_then(|n| u32::try_from(n).ok()),
        state: OrderState::parse(&text(item, "ORDERSTATE").unwrap_or_default()),
        drink: drink_order(item.get("drinkOrder")),
        user_id: text(item, "USERID").or_else(|| text(item, "userId")),
        barista_user_id: text(item, "baristaUserId"),
        ts_ms: item.get("TS").and_then(AttributeValue::as_i64),
        robot: item
            .get("robot")
            .and_then(AttributeValue::as_bool)
            .unwrap_or(false),
        timed_out: text(item, "reason").map(|r| TimeoutCause::parse(&r)),
    })
}

/// `GET /orders?state=` and `GET /myOrders`: the orders, and how many rows could not be
/// read (not orders at all, or a drink that cannot be read): those are counted, so a
/// screen can say that something is missing instead of losing it quietly.
pub fn parse_orders(body: &str, flavour: Flavour) -> Result<OrderList, WireError> {
    let v = json(body)?;
    if let Some(e) = backend_error(&v) {
        return Err(e);
    }
    let Value::Array(rows) = unwrap_result(v, flavour) else {
        return Err(WireError::Invalid("order list"));
    };
    let mut list = OrderList::default();
    for row in &rows {
        let order = as_item(row, flavour).ok().and_then(|item| {
            let order = order_from_item(&item).ok()?;
            // A drink that is there but cannot be read is no order to show.
            (order.drink.is_some() || !item.contains_key("drinkOrder")).then_some(order)
        });
        match order {
            Some(order) => list.orders.push(order),
            None => list.unreadable += 1,
        }
    }
    Ok(list)
}

/// Drops commas that stand right before `}` or `]` outside strings: W's
/// `GET /orders/{id}` template leaves one.
pub fn drop_trailing_commas(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut in_string = false;
    let mut escaped = false;
    // A comma and the white space after it, held until we know what follows.
    let mut held: Option<String> = None;
    for c in body.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if let Some(h) = held.as_mut() {
            if c.is_whitespace() {
                h.push(c);
                continue;
            }
            let h = held.take().unwrap_or_default();
            match c {
                '}' | ']' => out.push_str(h.trim_start_matches(',')),
                _ => out.push_str(&h),
            }
        }
        match c {
            ',' => held = Some(",".to_string()),
            '"' => {
                in_string = true;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.push_str(&held.unwrap_or_default());
    out
}

/// `GET /orders/{id}`: `{"orderId","drinkOrder":{"S":…},"orderState","TS",}`, leniently.
/// A missing order comes back malformed, which reads as `Missing("order")`.
pub fn parse_order_body(body: &str, flavour: Flavour) -> Result<Order, WireError> {
    let v = unwrap_result(
        json(&drop_trailing_commas(body)).map_err(|_| WireError::Missing("order"))?,
        flavour,
    );
    let id = v
        .get("orderId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(WireError::Missing("order"))?;
    let drink = match v.get("drinkOrder") {
        Some(d @ Value::Object(m)) if m.contains_key("S") => Some(AttributeValue::from_json(d)?),
        Some(d @ Value::Object(_)) => plain_to_value(d),
        _ => None,
    };
    Ok(Order {
        id: id.to_string(),
        number: None,
        state: OrderState::parse(
            v.get("orderState")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        ),
        drink: drink_order(drink.as_ref()),
        user_id: None,
        barista_user_id: None,
        ts_ms: v.get("TS").and_then(|t| {
            t.as_str()
                .and_then(|s| s.parse().ok())
                .or_else(|| t.as_i64())
        }),
        robot: false,
        timed_out: None,
    })
}

/// `GET /qr-code`.
pub fn parse_bucket(v: &Value) -> Result<Bucket, WireError> {
    let b = v.get("bucket").unwrap_or(v);
    let num = |name: &'static str| {
        b.get(name)
            .and_then(Value::as_i64)
            .ok_or(WireError::Missing(name))
    };
    Ok(Bucket {
        id: num("last_id")?,
        code: b
            .get("last_code")
            .and_then(Value::as_str)
            .ok_or(WireError::Missing("last_code"))?
            .to_string(),
        start_ts: num("start_ts")?,
        end_ts: num("end_ts")?,
        available_tokens: num("availableTokens")?,
    })
}

pub fn parse_qr_code(body: &str) -> Result<Bucket, WireError> {
    parse_bucket(&json(body)?)
}

/// The answer to `POST /qr-code?token=` (contract §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redeemed {
    Started { order_id: String },
    NoTokensRemaining,
}

/// Reads a 200 answer of `POST /qr-code`: an order id or "No tokens remaining".
pub fn parse_redeem(body: &str) -> Result<Redeemed, WireError> {
    let v = json(body)?;
    if let Some(id) = v.get("orderId").and_then(Value::as_str) {
        return Ok(Redeemed::Started {
            order_id: id.to_string(),
        });
    }
    match v.get("error").and_then(Value::as_str) {
        Some("No tokens remaining") => Ok(Redeemed::NoTokensRemaining),
        Some(other) => Err(WireError::Backend {
            kind: "ValidatorError".into(),
            message: other.to_string(),
        }),
        None => Err(WireError::Missing("orderId")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W_CONFIG: &str = r#"[
      {"PK":{"S":"config"},"storeOpen":{"BOOL":true},"maxOrdersPerUser":{"N":"1"},"maxOrdersInQueue":{"N":"10"}},
      {"PK":{"S":"menu"},"value":{"L":[
        {"M":{"drink":{"S":"Latte"},"icon":{"S":"barista-icons_cafe-latte"},"available":{"BOOL":true},"modifiers":{"L":[]}}},
        {"M":{"drink":{"S":"Americano"},"icon":{"S":"barista-icons_americano"},"available":{"BOOL":false},
              "modifiers":{"L":[{"M":{"Name":{"S":"Milk"},"Options":{"L":[{"S":"Regular"},{"S":"Oat"}]}}}]}}}]}}
    ]"#;

    #[test]
    fn w_config_is_found_by_pk_not_position() {
        let c = parse_config(W_CONFIG, Flavour::W).unwrap();
        assert!(c.store.store_open);
        assert_eq!(c.store.max_orders_per_user, Some(1));
        assert_eq!(c.menu.len(), 2);
        assert!(!c.menu[1].available);
        assert_eq!(
            c.menu[1].modifiers[0],
            ModifierGroup {
                name: "Milk".into(),
                options: vec!["Regular".into(), "Oat".into()]
            }
        );
    }

    #[test]
    fn e_and_v1_config_shapes() {
        let e = r#"{"Item":{"PK":{"S":"config-ABC"},"storeOpen":{"BOOL":false},"drinksPerBarcode":{"N":"10"},
            "menu":{"L":[{"M":{"drink":{"S":"Singe Espresso"},"icon":{"S":"i"},"available":{"BOOL":true},"modifiers":{"L":[]}}}]}}}"#;
        let c = parse_config(e, Flavour::E).unwrap();
        assert!(!c.store.store_open);
        assert_eq!(c.menu[0].drink, "Singe Espresso");
        let v1 = r#"[{"topic":"menu","PK":"menu","value":[{"drink":"Americano","icon":"i","available":true,
            "modifiers":[{"Name":"Milk","Options":["Regular","Oat"]}]}]},
            {"topic":"config","PK":"config","storeOpen":true,"maxOrdersPerUser":1,"maxOrdersInQueue":10}]"#;
        let c = parse_config(v1, Flavour::V1).unwrap();
        assert!(c.store.store_open);
        assert_eq!(c.menu[0].modifiers[0].options, ["Regular", "Oat"]);
    }

    #[test]
    fn config_errors() {
        assert!(matches!(
            parse_config("nope", Flavour::W),
            Err(WireError::Json(_))
        ));
        assert_eq!(
            parse_config("[]", Flavour::W),
            Err(WireError::Missing("config item"))
        );
        assert!(matches!(
            parse_config(r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"gone"}"#, Flavour::W),
            Err(WireError::Backend { kind, .. }) if kind == "ResourceNotFoundException"
        ));
    }

    #[test]
    fn w_orders_with_string_numbers_and_json_string_drinks() {
        let body = r#"[
          {"PK":{"S":"orders"},"SK":{"S":"wtU8IRSLMyUFTnbLs84Hm"},"ORDERSTATE":{"S":"CREATED"},
           "TS":{"N":"1652890034744"},"robot":{"BOOL":false},"orderNumber":{"S":"40"},"baristaUserId":{"S":"750a"},
           "drinkOrder":{"S":"{\"userId\":\"9f1c\",\"drink\":\"Americano\",\"modifiers\":[],\"icon\":\"barista-icons_americano\"}"}},
          {"PK":{"S":"orders"},"SK":{"S":"waiting"},"ORDERSTATE":{"S":"CREATED"},"TS":{"N":"1"}},
          {"not":"typed"}
        ]"#;
        let list = parse_orders(body, Flavour::W).unwrap();
        assert_eq!(list.unreadable, 1, "a row that is not an order is counted");
        let orders = list.orders;
        assert_eq!(orders.len(), 2);
        assert_eq!(orders[0].number, Some(40));
        assert_eq!(orders[0].state, OrderState::Created);
        assert_eq!(orders[0].drink.as_ref().unwrap().drink, "Americano");
        assert_eq!(orders[0].claimed_by(), Some("750a"));
        assert_eq!(orders[0].ts_ms, Some(1_652_890_034_744));
        assert_eq!(orders[1].number, None);
        assert_eq!(orders[1].drink, None);
    }

    #[test]
    fn e_marks_a_timed_out_order_cancelled_with_its_reason() {
        let body = r#"[{"PK":{"S":"orders"},"SK":{"S":"o1"},"ORDERSTATE":{"S":"ABC-CANCELLED"},
            "orderNumber":{"S":"4"},"TS":{"N":"1"},"reason":{"S":"Barista timedout"},
            "drinkOrder":{"S":"{\"drink\":\"Latte\",\"modifiers\":[\"Oat\"],\"icon\":\"i\"}"}}]"#;
        let order = parse_orders(body, Flavour::E).unwrap().orders.remove(0);
        assert_eq!(order.state, OrderState::Cancelled);
        assert_eq!(order.timed_out, Some(TimeoutCause::Barista));
    }

    #[test]
    fn an_unreadable_drink_is_counted_not_shown() {
        let body = r#"[{"PK":{"S":"orders"},"SK":{"S":"o1"},"ORDERSTATE":{"S":"CREATED"},
            "orderNumber":{"S":"4"},"TS":{"N":"1"},"drinkOrder":{"S":"{not json"}}]"#;
        let list = parse_orders(body, Flavour::W).unwrap();
        assert_eq!((list.orders.len(), list.unreadable), (0, 1));
    }

    #[test]
    fn v1_orders() {
        let body = r#"{"result":[{"PK":"orders","SK":"o1","orderNumber":40,"robot":false,"ORDERSTATE":"COMPLETED",
            "drinkOrder":{"drink":"Latte","icon":"i","modifiers":["Oat"]},"TS":1652890034744,"baristaUserId":null}]}"#;
        let orders = parse_orders(body, Flavour::V1).unwrap().orders;
        assert_eq!(orders[0].number, Some(40));
        assert_eq!(orders[0].state, OrderState::Completed);
        assert_eq!(orders[0].drink.as_ref().unwrap().modifiers, ["Oat"]);
        assert_eq!(orders[0].claimed_by(), None);
    }

    #[test]
    fn order_body_with_trailing_comma() {
        let body = r#"{"orderId":"o1","drinkOrder":{"S":"{\"drink\":\"Latte\",\"modifiers\":[],\"icon\":\"i\"}"},"orderState":"Completed","TS":"1652890034744",}"#;
        let o = parse_order_body(body, Flavour::W).unwrap();
        assert_eq!(o.id, "o1");
        assert_eq!(o.state, OrderState::Completed);
        assert_eq!(o.drink.unwrap().drink, "Latte");
        assert_eq!(o.ts_ms, Some(1_652_890_034_744));
        let missing = r#"{"orderId":"","drinkOrder":,"orderState":"","TS":"",}"#;
        assert_eq!(
            parse_order_body(missing, Flavour::W),
            Err(WireError::Missing("order"))
        );
    }

    #[test]
    fn trailing_commas_inside_strings_are_kept() {
        assert_eq!(
            drop_trailing_commas(r#"{"a":"x,}","b":[1,2,],}"#),
            r#"{"a":"x,}","b":[1,2]}"#
        );
        assert_eq!(
            drop_trailing_commas(r#"{"a":"q\",}",}"#),
            r#"{"a":"q\",}"}"#
        );
        assert_eq!(drop_trailing_commas("[1, 2]"), "[1, 2]");
    }

    #[test]
    fn qr_code_and_redeem_answers() {
        let b = parse_qr_code(r#"{"bucket":{"PK":5541234,"last_id":5541234,"last_code":"V1StGXR8_Z","start_ts":1662370200000,
            "start_full":"x","end_ts":1662370499999,"end_full":"y","availableTokens":0}}"#).unwrap();
        assert_eq!(b.code, "V1StGXR8_Z");
        assert_eq!(b.available_tokens, 0);
        assert_eq!(
            parse_redeem(r#"{"orderId":"abc"}"#).unwrap(),
            Redeemed::Started {
                order_id: "abc".into()
            }
        );
        assert_eq!(
            parse_redeem(r#"{"error":"No tokens remaining"}"#).unwrap(),
            Redeemed::NoTokensRemaining
        );
        assert!(parse_redeem("{}").is_err());
        assert!(parse_qr_code(r#"{"bucket":{}}"#).is_err());
    }

    #[test]
    fn store_open_only_from_the_config_item() {
        let menu =
            item_from_json(&serde_json::json!({"PK": {"S": "menu"}, "value": {"L": []}})).unwrap();
        assert_eq!(store_open_of(&menu), None);
        let config = item_from_json(
            &serde_json::json!({"PK": {"S": "config"}, "storeOpen": {"BOOL": true}}),
        )
        .unwrap();
        assert_eq!(store_open_of(&config), Some(true));
    }
}
