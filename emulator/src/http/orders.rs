//! The order manager (contract §3.3): `GET /orders?state=` and `GET /myOrders` (the
//! GSIs' projections), `GET /orders/{id}` (its mapping template, trailing comma and
//! all) and `PUT /orders/{id}?action=`, which starts the OrderManager workflow; under
//! `--least-privilege`, who may do which action.

use super::{event_param, forbidden, internal, ok_json, scope_of, with_cors, AppState, Caller};
use crate::backend::{max_items, OrderAction, OrderManagerInput};
use crate::cognito::AccessClaims;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use shared::dynamo::{item_to_json, Item};
use std::collections::HashMap;

/// What `GSI-status` projects (`userId` is projected but never stored: W writes `USERID`).
const STATUS_INDEX: &[&str] = &[
    "PK",
    "SK",
    "orderNumber",
    "robot",
    "drinkOrder",
    "ORDERSTATE",
    "TS",
    "userId",
    "baristaUserId",
];
/// What `GSI-userId` projects.
const USER_INDEX: &[&str] = &[
    "PK",
    "SK",
    "orderNumber",
    "robot",
    "drinkOrder",
    "ORDERSTATE",
    "TS",
];

/// Keeps only the attributes a GSI projects.
fn project(item: &Item, attributes: &[&str]) -> Value {
    let kept: Item = item
        .iter()
        .filter(|(k, _)| attributes.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    item_to_json(&kept)
}

pub(super) async fn get_orders(
    State(state): State<AppState>,
    _: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let scope = scope_of(&state, event_param(&q), "GET /orders");
    let state_param = q.get("state").map(String::as_str).unwrap_or_default();
    // E's template queries `${eventId}-$state`, never empty.
    let key = Some(scope.state_key(state_param)).filter(|k| !k.is_empty());
    let Some(order_state) = key else {
        // The query runs with an empty key value; DynamoDB refuses, and the direct
        // integration passes its error on with HTTP 200.
        return ok_json(json!({
            "__type": "com.amazon.coral.validate#ValidationException",
            "message": "One or more parameter values were invalid: An AttributeValue may not contain an empty string",
        }));
    };
    let limit = match max_items(q.get("maxItems").map(String::as_str)) {
        Ok(n) => n,
        Err(e) => {
            return ok_json(
                json!({"__type": "com.amazon.coral.validate#ValidationException", "message": e.to_string()}),
            )
        }
    };
    match state.backend.orders_by_state(&order_state, limit) {
        Ok(items) => ok_json(Value::Array(
            items.iter().map(|i| project(i, STATUS_INDEX)).collect(),
        )),
        Err(e) => internal(e),
    }
}

pub(super) async fn get_my_orders(
    State(state): State<AppState>,
    Caller { claims, .. }: Caller,
) -> Response {
    match state.backend.orders_of_user(&claims.sub) {
        Ok(items) => ok_json(Value::Array(
            items.iter().map(|i| project(i, USER_INDEX)).collect(),
        )),
        Err(e) => internal(e),
    }
}

/// The mapping template of `GET /orders/{id}`, trailing comma and all.
pub fn order_body(id: &str, item: Option<&Item>) -> String {
    let attr = |name: &str| item.and_then(|i| i.get(name));
    let drink = attr("drinkOrder")
        .map(|v| v.to_json().to_string())
        .unwrap_or_default();
    let plain = |name: &str| {
        attr(name)
            .and_then(|v| match v {
                shared::dynamo::AttributeValue::S(s) | shared::dynamo::AttributeValue::N(s) => {
                    Some(s.clone())
                }
                _ => None,
            })
            .unwrap_or_default()
    };
    let order_id = if item.is_some() { id } else { "" };
    format!(
        "{{\"orderId\":\"{order_id}\",\"drinkOrder\":{drink},\"orderState\":\"{}\",\"TS\":\"{}\",}}",
        plain("ORDERSTATE"),
        plain("TS")
    )
}

pub(super) async fn get_order(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Response {
    match state.backend.order(&id) {
        Ok(item) => with_cors(
            StatusCode::OK,
            HeaderMap::new(),
            order_body(&id, item.as_ref()),
            None,
        ),
        Err(e) => internal(e),
    }
}

pub(super) async fn put_order(
    State(state): State<AppState>,
    Caller { claims, now }: Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let action = OrderAction::from_query(q.get("action").map(String::as_str));
    if state.least_privilege {
        if let Some(refused) = order_action_refused(&state, &claims, &id, &action) {
            return refused;
        }
    }
    let input = OrderManagerInput {
        action,
        body: serde_json::from_slice(&body).ok(),
        order_id: id,
        barista_user_id: claims.sub,
        scope: scope_of(&state, event_param(&q), "PUT /orders/{id}"),
    };
    ok_json(state.backend.start_order_manager(input, now))
}

/// `--least-privilege` for `PUT /orders/{id}` (docs/security.md): make, unmake and
/// complete are the baristas' (admins); a cancel is the order's owner's or an admin's;
/// a drink is put on an order by its owner.
fn order_action_refused(
    state: &AppState,
    claims: &AccessClaims,
    order_id: &str,
    action: &Result<OrderAction, crate::backend::UnknownAction>,
) -> Option<Response> {
    if claims.is_admin() {
        return None;
    }
    let owner = || {
        state
            .backend
            .order(order_id)
            .ok()
            .flatten()
            .and_then(|item| {
                item.get("USERID")
                    .and_then(|v| v.as_s().map(str::to_string))
            })
    };
    match action {
        Ok(OrderAction::Cancel | OrderAction::Submit) => match owner() {
            Some(owner) if owner == claims.sub => None,
            // An order that does not exist is the workflow's to answer.
            None => None,
            Some(_) => Some(forbidden(&format!(
                "{action:?} of order {order_id} by {}, who does not own it (--least-privilege)",
                claims.sub
            ))),
        },
        // An unknown action is the workflow's to refuse.
        Err(_) => None,
        Ok(_) => Some(forbidden(&format!(
            "{action:?} of order {order_id} by {}: the baristas' (admins') only (--least-privilege)",
            claims.sub
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::dynamo::AttributeValue;

    #[test]
    fn order_body_has_the_templates_trailing_comma() {
        let item: Item = [
            ("SK", AttributeValue::s("o1")),
            ("ORDERSTATE", AttributeValue::s("CREATED")),
            ("TS", AttributeValue::n(1652890034744_i64)),
            ("drinkOrder", AttributeValue::s(r#"{"drink":"Latte"}"#)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(
            order_body("o1", Some(&item)),
            r#"{"orderId":"o1","drinkOrder":{"S":"{\"drink\":\"Latte\"}"},"orderState":"CREATED","TS":"1652890034744",}"#
        );
        assert_eq!(
            order_body("zz", None),
            r#"{"orderId":"","drinkOrder":,"orderState":"","TS":"",}"#
        );
    }
}
