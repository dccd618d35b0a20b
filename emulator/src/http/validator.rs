//! The validator (contract §3.2): `GET /qr-code` (the current bucket, for admins) and
//! `POST /qr-code?token=` (a scan, which starts an order), Lambdas behind proxy
//! integrations: their errors carry no CORS headers. In E both need `?eventId=`.

use super::{
    bare_error, echo_preflight, event_param, internal, missing_authentication_token, ok_json,
    scope_of, AppState, Caller,
};
use crate::backend::{QrCode, Redeemed, Scope};
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::MethodRouter;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The validator API uses SAM's CORS: `Allow-Headers: *`, which per the Fetch spec does
/// not cover `Authorization`, so the requested headers are echoed.
pub(super) fn validator_route(methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
    methods
        .options(|headers: HeaderMap| async move {
            echo_preflight(&headers, "*", "GET,POST,OPTIONS", None)
        })
        .fallback(missing_authentication_token)
}

/// E's validator Lambdas (`getCode.js`, `verifyCode.js`) answer a call without `eventId`
/// with a bare `{statusCode: 400}`: API Gateway sends 400 with an empty body and no CORS
/// headers. The log says why.
fn missing_event_id(route: &str) -> Response {
    tracing::warn!(
        "400: {route} without eventId (E's validator needs one: this is the multi-event backend; add ?eventId=<event>)"
    );
    bare_error(StatusCode::BAD_REQUEST, Value::Null)
}

/// E's validator Lambdas: a missing or empty `eventId` is refused.
fn validator_scope(state: &AppState, event_id: Option<&str>, route: &str) -> Option<Scope> {
    if state.backend.variant.is_e() && event_id.is_none_or(str::is_empty) {
        return None;
    }
    Some(scope_of(state, event_id, route))
}

pub(super) async fn get_qr_code(
    State(state): State<AppState>,
    Caller { claims, now }: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !claims.is_admin() {
        tracing::warn!(user = %claims.username, "403: GET /qr-code needs the admin group");
        return bare_error(StatusCode::FORBIDDEN, Value::Null);
    }
    let Some(scope) = validator_scope(&state, event_param(&q), "GET /qr-code") else {
        return missing_event_id("GET /qr-code");
    };
    match state.backend.current_bucket(&scope, now) {
        Ok(QrCode::Bucket(bucket)) => ok_json(json!({ "bucket": bucket })),
        Ok(QrCode::NoSuchEvent) => {
            tracing::warn!(
                "400: GET /qr-code: no config for event {:?}",
                scope.event_id()
            );
            bare_error(
                StatusCode::BAD_REQUEST,
                json!({"error": "No matching event ID"}),
            )
        }
        Err(e) => lambda_error(e),
    }
}

/// A Lambda that threw, behind a proxy integration: 502, no CORS headers.
fn lambda_error(e: anyhow::Error) -> Response {
    tracing::error!("502: the Lambda failed: {e:#}");
    bare_error(
        StatusCode::BAD_GATEWAY,
        json!({"message": "Internal server error"}),
    )
}

pub(super) async fn post_qr_code(
    State(state): State<AppState>,
    Caller { claims, now }: Caller,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        tracing::warn!("422: POST /qr-code without a query string");
        return bare_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": "Missing parameter"}),
        );
    };
    let param = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let token = param("token").unwrap_or_default();
    let event_id = param("eventId");
    let Some(scope) = validator_scope(&state, event_id.as_deref(), "POST /qr-code") else {
        return missing_event_id("POST /qr-code");
    };
    match state.backend.redeem(&scope, &token, &claims.sub, now) {
        Ok(Redeemed::Started { order_id }) => ok_json(json!({ "orderId": order_id })),
        Ok(Redeemed::NoTokensRemaining) => ok_json(json!({"error": "No tokens remaining"})),
        Ok(Redeemed::InvalidCode) => {
            tracing::warn!(user = %claims.username, "400: invalid QR code {token:?}");
            bare_error(StatusCode::BAD_REQUEST, json!({"error": "Invalid code"}))
        }
        Err(e) => internal(e),
    }
}
