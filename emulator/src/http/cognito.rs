//! Cognito's JSON API at `POST /cognito/` (user pool and identity pool, told apart by
//! `X-Amz-Target`; the work is `crate::cognito`'s), its preflight, the fault `cognito`,
//! and the user pool's JWKS.

use super::{bare_error, echo_preflight, with_cors, AppState};
use crate::faults::CognitoAnswer;
use crate::local;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

/// Cognito answers browsers' preflights for any origin (this emulator: for those
/// [`cors_for_origin`] allows).
pub(super) async fn cognito_preflight(headers: HeaderMap) -> Response {
    echo_preflight(
        &headers,
        "content-type,x-amz-target,x-amz-user-agent",
        "POST",
        Some("86400"),
    )
}

pub(super) async fn cognito(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let now = state.clock.now_ms();
    // The fault `cognito`: every call, user pool and identity pool alike.
    if let Some(fault) = state.faults.cognito(now) {
        let (status, kind, message) = match fault {
            CognitoAnswer::Throttle => (
                StatusCode::BAD_REQUEST,
                "TooManyRequestsException",
                "Rate exceeded",
            ),
            CognitoAnswer::Error => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalErrorException",
                "Internal error (a fault injected by the emulator)",
            ),
        };
        tracing::warn!("cognito {target}: {status} {kind} (fault cognito)");
        return cognito_answer(status, json!({"__type": kind, "message": message}));
    }
    let reply = match serde_json::from_slice::<Value>(&body) {
        Ok(body) if body.is_object() => {
            state
                .cognito
                .handle(&state.backend.store, &target, &body, now)
        }
        _ => Err(crate::cognito::CognitoError {
            kind: "SerializationException",
            message: "Start of structure or map found where not expected.".into(),
        }),
    };
    match reply {
        Ok(value) => cognito_answer(StatusCode::OK, value),
        Err(e) => {
            tracing::warn!("cognito {target}: {}: {}", e.kind, e.message);
            cognito_answer(
                StatusCode::BAD_REQUEST,
                json!({"__type": e.kind, "message": e.message}),
            )
        }
    }
}

/// An answer of Cognito's JSON API: its content type, CORS (for any origin in AWS; here
/// for those [`cors_for_origin`] allows).
fn cognito_answer(status: StatusCode, body: Value) -> Response {
    let mut out = HeaderMap::new();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    with_cors(status, out, body.to_string(), None)
}

pub(super) async fn jwks(State(state): State<AppState>, Path(pool): Path<String>) -> Response {
    if pool != local::USER_POOL_ID {
        return bare_error(
            StatusCode::NOT_FOUND,
            json!({"message": "User pool not found"}),
        );
    }
    let jwks = state.cognito.jwks().to_string();
    with_cors(StatusCode::OK, HeaderMap::new(), jwks, None)
}
