//! `GET /journey/<orderId>.html`: the order-journey pages of E (and V1), rendered by
//! `crate::journey` from an order's event log.

use super::{internal, peer_of, AppState};
use crate::access;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// `GET /journey/<orderId>.html`: the order's journey, rendered from its event log
/// (`journey.rs`); a 404 page for an order the emulator has never seen. Its link to the
/// log as JSON (a local-only route) carries the local token, on this machine only.
pub(super) async fn journey_page(
    State(state): State<AppState>,
    Path(page): Path<String>,
    request: Request,
) -> Response {
    let local = peer_of(&request).is_some_and(|p| p.ip().to_canonical().is_loopback());
    let found = match page.strip_suffix(".html") {
        Some(id) if !id.is_empty() => {
            let events = state.backend.order_events(id);
            let order = state.backend.order(id);
            match (events, order) {
                (Ok(events), Ok(order)) => Some((id.to_string(), events, order)),
                (Err(e), _) | (_, Err(e)) => return internal(e),
            }
        }
        _ => None,
    };
    let policy = crate::csp::page_policy(crate::journey::STYLE);
    let html_headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
        (header::CACHE_CONTROL, "no-cache".to_string()),
        (header::CONTENT_SECURITY_POLICY, policy),
    ];
    match found {
        Some((id, events, order)) if !events.is_empty() || order.is_some() => {
            let events_link = local.then(|| {
                format!(
                    "/_local/orders/{}/events?{}={}",
                    shared::sigv4::uri_encode(&id),
                    access::LOCAL_TOKEN_PARAM,
                    state.local_token
                )
            });
            let html = crate::journey::render(
                &id,
                &events,
                order.as_ref(),
                &state.backend.windows,
                state.clock.now_ms(),
                events_link.as_deref(),
            );
            (StatusCode::OK, html_headers, html).into_response()
        }
        _ => {
            let id = page.strip_suffix(".html").unwrap_or(&page);
            (
                StatusCode::NOT_FOUND,
                html_headers,
                crate::journey::not_found(id),
            )
                .into_response()
        }
    }
}
