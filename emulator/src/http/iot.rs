//! `GET /mqtt`: AWS IoT's MQTT over WebSocket. The SigV4-presigned URL is checked here,
//! then the upgraded socket goes to `crate::iot`'s front door and broker.

use super::{bare_error, AppState};
use crate::cognito::Principal;
use crate::iot;
use crate::local;
use axum::extract::{RawQuery, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

pub(super) async fn mqtt(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<SocketAddr>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let issued = match iot::verify_presigned(
        &state.backend.store,
        host,
        local::MQTT_PATH,
        query.as_deref().unwrap_or_default(),
        state.clock.now_ms(),
    ) {
        Ok(issued) => issued,
        Err(e) => {
            tracing::warn!(peer = %peer, "mqtt: 403 refused: {e}");
            return bare_error(StatusCode::FORBIDDEN, json!({"message": "Forbidden"}));
        }
    };
    // AWS IoT lets an authenticated Cognito identity in only with an AWS IoT policy
    // attached to it (AttachPolicy), which the workshop backend never attaches: its apps
    // use unauthenticated identities (the `identities` setting). Under
    // --least-privilege, deploy/least-privilege.yaml's attacher gives each its policy.
    if !state.least_privilege && issued.principal != Principal::Unauthenticated {
        tracing::warn!(
            peer = %peer,
            "mqtt: 403 refused: an authenticated identity has no AWS IoT policy attached in the workshop backend (set identities=unauthenticated, or start with --least-privilege)"
        );
        return bare_error(StatusCode::FORBIDDEN, json!({"message": "Forbidden"}));
    }
    // The policy of the credentials' identity: the workshop's (any topic by name), or
    // under --least-privilege its role's.
    let policy: Arc<dyn iot::SubscribePolicy> = match state.least_privilege {
        true => Arc::new(iot::LeastPrivilege(issued.principal)),
        false => Arc::new(iot::NoWildcards),
    };
    let bridge = iot::Bridge {
        broker: state.broker,
        peer: peer.to_string(),
        shutdown: state.shutdown.clone(),
        // Taken now, so that a drop during the upgrade closes this one too.
        drops: state.faults.drops(),
        faults: Arc::clone(&state.faults),
        clock: Arc::clone(&state.clock),
        policy,
    };
    // Browsers' MQTT clients ask for `mqtt`; aws-iot-device-sdk (through mqtt.js 4)
    // asks for `mqttv3.1`. IoT agrees to either.
    upgrade
        .protocols(["mqtt", "mqttv3.1"])
        .on_upgrade(move |socket| bridge.run(socket))
}
