//! The local-only routes (`/_local/*`, not in AWS): sent codes, an order's event log,
//! new users, the settings, the faults and the CSP reports read back; their guard
//! ([`local_guard`]: this machine, the run's token, JSON bodies) and preflight; and the
//! CSP report route browsers post to.

use super::{event_param, internal, peer_of, with_cors, AppState, Cors};
use crate::access;
use crate::faults::FaultChange;
use crate::local;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;

/// Local-only helpers, not part of AWS: sent codes, an order's event log, new users,
/// settings, faults. Only for this machine with the run's token ([`local_guard`]); CORS
/// (the token's header included) for the pages [`cors_for_origin`] allows: browser
/// tests read codes from a page of the wasm test runner.
pub(super) fn local_routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/_local/codes/{username}",
            get(local_code).options(local_preflight),
        )
        .route(
            "/_local/orders/{id}/events",
            get(local_order_events).options(local_preflight),
        )
        .route(
            "/_local/users",
            post(local_create_user).options(local_preflight),
        )
        .route(
            "/_local/settings",
            get(local_settings).options(local_preflight),
        )
        .route(
            "/_local/faults",
            get(local_faults)
                .post(local_set_faults)
                .options(local_preflight),
        )
        .route(
            crate::csp::REPORT_PATH,
            get(local_csp_reports).options(local_preflight),
        )
        .route(super::printer::PRINTER_PATH, get(super::printer::page))
        .route(
            &format!("{}/tickets", super::printer::PRINTER_PATH),
            get(super::printer::tickets).options(local_preflight),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), local_guard))
        .route_layer(middleware::map_response(|mut response: Response| async {
            response.extensions_mut().insert(Cors);
            response
        }))
        // Browsers report violations of the apps' policy here: from this machine, with
        // no token (a browser sends none) and a report's own content type.
        .route(crate::csp::REPORT_PATH, post(local_report_csp))
}

/// `GET /_local/csp-reports`: every violation of the apps' Content-Security-Policy that
/// browsers reported, oldest first.
async fn local_csp_reports(State(state): State<AppState>) -> Response {
    Json(json!({ "reports": state.csp_reports.all() })).into_response()
}

/// `POST /_local/csp-reports` (the policy's `report-uri`): keeps the report, from this
/// machine only.
async fn local_report_csp(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Response {
    if !peer.ip().is_loopback() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    for report in crate::csp::reports_in(&body) {
        tracing::warn!("Content-Security-Policy violation: {report}");
        state.csp_reports.push(report);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// A browser's preflight of a local-only route: it carries no token (browsers send
/// none), and says nothing but which methods and headers the route takes.
async fn local_preflight() -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("Content-Type,X-Local-Token"),
    );
    with_cors(
        StatusCode::OK,
        headers,
        String::new(),
        Some("GET,POST,OPTIONS"),
    )
}

/// The local-only routes' door: [`access::local_refusal`] says who is turned away
/// (another machine 403, no or a wrong token 403, a body that is not JSON 415), with
/// why in the answer and the log.
async fn local_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let peer = peer_of(&request);
    let refusal = access::local_refusal(
        peer,
        request.method(),
        request.headers(),
        request.uri().query(),
        &state.local_token,
    );
    let Some(refusal) = refusal else {
        return next.run(request).await;
    };
    let status = refusal.status();
    let peer = peer.map_or_else(|| "unknown".to_string(), |p| p.to_string());
    tracing::warn!(peer = %peer, "{status} {} {}: {refusal}", request.method(), request.uri().path());
    (status, Json(json!({"message": refusal.to_string()}))).into_response()
}

async fn local_code(State(state): State<AppState>, Path(username): Path<String>) -> Response {
    let codes = state
        .cognito
        .sent_codes
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    match codes.get(&username) {
        Some(code) => Json(json!({"username": username, "code": code})).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"message": "no code was sent to this user"})),
        )
            .into_response(),
    }
}

async fn local_order_events(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.backend.order_events(&id) {
        Ok(events) => Json(json!({"orderId": id, "events": events})).into_response(),
        Err(e) => internal(e),
    }
}

/// The settings that point an app at this emulator, as a query string (E: for the
/// first event, or `?eventId=`).
async fn local_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let draft = local::with_identities(
        local::settings_of(
            &format!("http://{host}"),
            &state.backend.variant,
            event_param(&q),
        ),
        state.least_privilege,
    );
    draft.to_query(shared::AppKind::Display).into_response()
}

/// The faults in force (`GET /_local/faults`).
async fn local_faults(State(state): State<AppState>) -> Response {
    Json(state.faults.state_json(state.clock.now_ms())).into_response()
}

/// `POST /_local/faults`: changes the faults (every key optional, `{}` changes nothing)
/// and answers the state it leaves; 400, changing nothing, for what it does not
/// understand.
async fn local_set_faults(State(state): State<AppState>, body: Bytes) -> Response {
    let change = serde_json::from_slice::<Value>(&body)
        .map_err(|e| crate::faults::BadFaults::new(format!("not JSON: {e}")))
        .and_then(|body| FaultChange::from_json(&body));
    match change {
        Ok(change) => {
            tracing::info!("faults: {}", String::from_utf8_lossy(&body));
            Json(state.faults.apply(change, state.clock.now_ms())).into_response()
        }
        Err(e) => {
            tracing::warn!("400 /_local/faults: {e}");
            (
                StatusCode::BAD_REQUEST,
                Json(json!({"message": e.to_string()})),
            )
                .into_response()
        }
    }
}

#[derive(Deserialize)]
struct NewUser {
    username: String,
    password: String,
    #[serde(default)]
    groups: Vec<String>,
}

async fn local_create_user(State(state): State<AppState>, body: Bytes) -> Response {
    let Ok(user) = serde_json::from_slice::<NewUser>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": "expected {username, password, groups}"})),
        )
            .into_response();
    };
    let groups: Vec<&str> = user.groups.iter().map(String::as_str).collect();
    match state.cognito.create_user(
        &state.backend.store,
        &user.username,
        &user.password,
        &groups,
    ) {
        Ok(sub) => {
            Json(json!({"username": user.username, "sub": sub, "groups": groups})).into_response()
        }
        Err(e) => internal(e),
    }
}
