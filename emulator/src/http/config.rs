//! The config service (contract §3.1): `GET /config`, E's authenticated twin
//! `GET /admin-config`, and `PUT /store?state=`, each a direct integration with the
//! config table (answered with HTTP 200 and CORS, whatever DynamoDB says).

use super::{event_param, forbidden, internal, ok_json, scope_of, AppState, Caller};
use crate::backend::Scope;
use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{json, Value};
use shared::dynamo::item_to_json;
use std::collections::HashMap;

pub(super) async fn get_config(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match scope_of(&state, event_param(&q), "GET /config") {
        // W: a Scan of the table.
        Scope::W => match state.backend.config_items() {
            Ok(items) => ok_json(Value::Array(items.iter().map(item_to_json).collect())),
            Err(e) => internal(e),
        },
        scope => event_config(&state, &scope),
    }
}

/// E's `GET /admin-config?eventId=`: `/config` behind the Cognito authorizer.
pub(super) async fn get_admin_config(
    State(state): State<AppState>,
    _: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    event_config(
        &state,
        &scope_of(&state, event_param(&q), "GET /admin-config"),
    )
}

/// E: GetItem `config-<event>`, answered raw: `{"Item": …}`, or `{}` when there is no
/// such item (no event, or none named).
fn event_config(state: &AppState, scope: &Scope) -> Response {
    match state.backend.config_item(scope) {
        Ok(Some(item)) => ok_json(json!({"Item": item_to_json(&item)})),
        Ok(None) => ok_json(json!({})),
        Err(e) => internal(e),
    }
}

pub(super) async fn put_store(
    State(state): State<AppState>,
    Caller { claims, now }: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if state.least_privilege && !claims.is_admin() {
        return forbidden("PUT /store is for admins (--least-privilege)");
    }
    let open = q.get("state").map(String::as_str) == Some("open");
    let scope = scope_of(&state, event_param(&q), "PUT /store");
    match state.backend.set_store_open_in(&scope, open, now) {
        Ok(item) => ok_json(json!({"Attributes": item_to_json(&item)})),
        Err(e) => internal(e),
    }
}
