//! The HTTP face of the emulator: the three REST APIs with their `/Prod` stages (contract
//! §3), Cognito's JSON endpoint, the IoT WebSocket, and local-only admin routes.
//!
//! This module holds the router, [`AppState`] and what every API shares: CORS marking
//! ([`with_cors`], [`cors_for_origin`]), API Gateway's errors ([`bare_error`],
//! [`forbidden`], [`internal`]), the Cognito authorizer ([`Caller`]), the scope of a
//! call ([`scope_of`], [`event_param`]), the `Host` check ([`check_host`]) and the REST
//! faults ([`rest_faults`]). Each API's routes are in their own file:
//!
//! - [`config`]: the config service (`/config`, E's `/admin-config`, `/store`);
//! - [`validator`]: the validator (`/qr-code`);
//! - [`orders`]: the order manager (`/orders`, `/orders/{id}`, `/myOrders`);
//! - [`cognito`]: Cognito's JSON API and the user pool's JWKS;
//! - [`iot`]: the `/mqtt` WebSocket upgrade;
//! - [`local`]: the local-only routes (`/_local/*`) and their guard, the CSP reports;
//! - [`journey`]: the order-journey pages (`/journey/<orderId>.html`).
//!
//! API Gateway's ways are kept: CORS headers on success but not on Lambda errors or
//! gateway errors, 401 `{"message":"Unauthorized"}`, 403 `Missing Authentication Token`
//! for unknown routes, and HTTP 200 for whatever a direct integration returns. Where
//! API Gateway and Cognito answer `Access-Control-Allow-Origin: *`, this emulator echoes
//! the request's `Origin` if it is its own or a loopback dev server's, and sends no CORS
//! headers to any other ([`cors_for_origin`], `access.rs`): a page of any site could
//! otherwise use a developer's emulator.
//!
//! The local-only routes (`/_local/*`, [`local::local_routes`]) answer only this machine,
//! with the run's token, and JSON bodies only ([`local::local_guard`]); every request must
//! be addressed to the emulator by name ([`check_host`], applied by `lib.rs` to everything
//! it serves).
//!
//! In variant E every route reads `?eventId=` as E's mapping templates and Lambdas do
//! (see the README's emulator section for what each does without one): the direct
//! integrations use it as given (`""` when missing), so an unknown or missing event
//! gets what DynamoDB answers for keys that hold nothing; the validator's Lambdas
//! refuse a call without one (400). Such calls are logged as warnings.
//!
//! The faults of `/_local/faults` (`faults.rs`) that act on HTTP act here: a failing or
//! throttled Cognito in [`cognito::cognito`], a failing or slow REST API in
//! [`rest_faults`].

mod cognito;
mod config;
mod iot;
mod journey;
mod local;
mod orders;
pub mod printer;
mod validator;

use crate::access::{self, HostCheck};
use crate::backend::{Backend, Scope};
use crate::clock::Clock;
use crate::cognito::{AccessClaims, Cognito};
use crate::faults::Faults;
use crate::local::{
    COGNITO_PATH, CONFIG_PREFIX, JOURNEY_PATH, MQTT_PATH, ORDER_MANAGER_PREFIX, VALIDATOR_PREFIX,
};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub backend: Arc<Backend>,
    pub cognito: Arc<Cognito>,
    /// Read once as each request arrives; the time is passed on from there.
    pub clock: Arc<dyn Clock>,
    pub faults: Arc<Faults>,
    pub broker: SocketAddr,
    /// Becomes true when the emulator stops, closing open WebSockets.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// What the local-only routes ask for (`X-Local-Token`).
    pub local_token: Arc<str>,
    /// `--least-privilege` (see `Config::least_privilege`).
    pub least_privilege: bool,
    /// The apps' Content-Security-Policy violations that browsers reported.
    pub csp_reports: Arc<crate::csp::CspReports>,
    /// The tickets the emulated receipt printer printed.
    pub printer: Arc<printer::Printer>,
}

const ALLOW_HEADERS: &str = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token";

pub fn router(state: AppState) -> Router {
    let om = ORDER_MANAGER_PREFIX;
    let validator = VALIDATOR_PREFIX;
    let config = CONFIG_PREFIX;
    let mut router = Router::new();
    if state.backend.variant.is_e() {
        // E's config API has an authenticated twin of `/config`.
        router = router.route(
            &format!("{config}/admin-config"),
            rest(get(config::get_admin_config), "GET,OPTIONS"),
        );
    }
    router
        .route(
            &format!("{config}/config"),
            rest(get(config::get_config), "GET,OPTIONS"),
        )
        .route(
            &format!("{config}/store"),
            rest(axum::routing::put(config::put_store), "PUT,OPTIONS"),
        )
        .route(
            &format!("{validator}/qr-code"),
            validator::validator_route(get(validator::get_qr_code).post(validator::post_qr_code)),
        )
        .route(
            &format!("{om}/orders"),
            rest(get(orders::get_orders), "GET,OPTIONS"),
        )
        .route(
            &format!("{om}/orders/{{id}}"),
            rest(
                get(orders::get_order).put(orders::put_order),
                "GET,OPTIONS,PUT",
            ),
        )
        .route(
            &format!("{om}/myOrders"),
            rest(get(orders::get_my_orders), "GET,OPTIONS"),
        )
        .route(
            COGNITO_PATH,
            post(cognito::cognito).options(cognito::cognito_preflight),
        )
        .route(
            &format!("{COGNITO_PATH}{{pool}}/.well-known/jwks.json"),
            get(cognito::jwks),
        )
        .route(MQTT_PATH, get(iot::mqtt))
        .route(
            &format!("{JOURNEY_PATH}{{page}}"),
            get(journey::journey_page),
        )
        .route(
            &format!("{}/{}", printer::PRINTER_PATH, shared::epos::SERVICE_PATH),
            post(printer::print).options(printer::preflight),
        )
        .merge(local::local_routes(&state))
        .fallback(missing_authentication_token)
        .layer(middleware::from_fn_with_state(state.clone(), rest_faults))
        .layer(middleware::from_fn(cors_for_origin))
        .with_state(state)
}

/// The request's `Host`: its header, or the authority of its URI (HTTP/2).
fn host_of(request: &Request) -> Option<String> {
    request
        .headers()
        .get(header::HOST)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
}

/// The peer a request comes from (the server's `ConnectInfo`).
fn peer_of(request: &Request) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
}

/// Refuses (421) any request whose `Host` does not name this emulator (DNS rebinding).
pub(crate) async fn check_host(
    State(hosts): State<HostCheck>,
    request: Request,
    next: Next,
) -> Response {
    let host = host_of(&request);
    if host.as_deref().is_some_and(|h| hosts.allows(h)) {
        return next.run(request).await;
    }
    let message = hosts.refusal(host.as_deref());
    let peer = peer_of(&request).map_or_else(|| "unknown".to_string(), |p| p.to_string());
    tracing::warn!(peer = %peer, "421 {} {}: {message}", request.method(), request.uri().path());
    bare_error(
        StatusCode::MISDIRECTED_REQUEST,
        json!({ "message": message }),
    )
}

/// Marks an answer that API Gateway or Cognito would send with CORS headers;
/// [`cors_for_origin`] decides whether this request's origin gets them.
#[derive(Clone, Copy)]
struct Cors;

/// CORS for the answers marked [`Cors`]: the request's `Origin` echoed when
/// [`access::cors_allowed`] allows it, and no `Access-Control-*` header at all otherwise
/// (nor without an `Origin`); `Vary: Origin` either way, since the answer depends on it.
async fn cors_for_origin(request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let host = host_of(&request);
    let mut response = next.run(request).await;
    if response.extensions_mut().remove::<Cors>().is_none() {
        return response;
    }
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    let allowed = origin.filter(|o| {
        o.to_str()
            .is_ok_and(|o| access::cors_allowed(o, host.as_deref()))
    });
    match allowed {
        Some(origin) => {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        None => {
            let cors: Vec<header::HeaderName> = headers
                .keys()
                .filter(|name| name.as_str().starts_with("access-control-"))
                .cloned()
                .collect();
            for name in cors {
                headers.remove(name);
            }
        }
    }
    response
}

/// Whether `path` is a call of one of the three REST APIs.
fn is_rest_api(path: &str) -> bool {
    [ORDER_MANAGER_PREFIX, VALIDATOR_PREFIX, CONFIG_PREFIX]
        .iter()
        .any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// The faults `rest` and `restLatency`, for the three APIs' calls but not their
/// preflights (a mock integration, no Lambda behind it): the call waits, then answers as
/// API Gateway's default gateway response for the status does, without CORS headers.
async fn rest_faults(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS || !is_rest_api(request.uri().path()) {
        return next.run(request).await;
    }
    let now = state.clock.now_ms();
    let (latency, failing) = (state.faults.rest_latency(now), state.faults.rest(now));
    if let Some(latency) = latency {
        // Real time, not the emulator's clock: a browser is waiting.
        tokio::time::sleep(latency).await;
    }
    match failing {
        Some(status) => gateway_response(status),
        None => next.run(request).await,
    }
}

/// API Gateway's default gateway response for `status`, as `rest` answers.
fn gateway_response(status: u16) -> Response {
    let (kind, message) = match status {
        429 => ("TooManyRequestsException", "Too Many Requests"),
        503 => ("ServiceUnavailableException", "Service Unavailable"),
        504 => ("InternalServerErrorException", "Endpoint request timed out"),
        _ => ("InternalServerErrorException", "Internal server error"),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    tracing::warn!("{status} (fault rest): {message}");
    let mut response = bare_error(status, json!({ "message": message }));
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(kind));
    response
}

/// A REST resource: its methods, the mock OPTIONS integration, and API Gateway's answer
/// to any other method.
fn rest(methods: MethodRouter<AppState>, allow_methods: &'static str) -> MethodRouter<AppState> {
    methods
        .options(move || async move {
            with_cors(
                StatusCode::OK,
                HeaderMap::new(),
                String::new(),
                Some(allow_methods),
            )
        })
        .fallback(missing_authentication_token)
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("*"))
}

/// A response with CORS headers, where API Gateway sends `Access-Control-Allow-Origin: *`
/// (and preflight headers when `allow_methods` is given): for the origins
/// [`cors_for_origin`] allows.
fn with_cors(
    status: StatusCode,
    mut headers: HeaderMap,
    body: String,
    allow_methods: Option<&str>,
) -> Response {
    if let Some(methods) = allow_methods {
        headers
            .entry("access-control-allow-headers")
            .or_insert(HeaderValue::from_static(ALLOW_HEADERS));
        headers.insert("access-control-allow-methods", header_value(methods));
    }
    if !body.is_empty() {
        // JSON unless the caller said which (Cognito's `application/x-amz-json-1.1`).
        headers
            .entry(header::CONTENT_TYPE)
            .or_insert(HeaderValue::from_static("application/json"));
    }
    let mut response = (status, headers, body).into_response();
    response.extensions_mut().insert(Cors);
    response
}

/// A CORS preflight's answer: the headers the request asks for are allowed (`otherwise`
/// when it names none), with `methods`, and cached for `max_age` seconds when given.
fn echo_preflight(
    request: &HeaderMap,
    otherwise: &str,
    methods: &str,
    max_age: Option<&'static str>,
) -> Response {
    let requested = request
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(otherwise);
    let mut out = HeaderMap::new();
    out.insert("access-control-allow-headers", header_value(requested));
    if let Some(seconds) = max_age {
        out.insert("access-control-max-age", HeaderValue::from_static(seconds));
    }
    with_cors(StatusCode::OK, out, String::new(), Some(methods))
}

/// 200 with CORS: what direct integrations answer, error or not.
fn ok_json(value: Value) -> Response {
    with_cors(StatusCode::OK, HeaderMap::new(), value.to_string(), None)
}

/// A Lambda or gateway error: no CORS headers, so browsers see a network error.
fn bare_error(status: StatusCode, body: Value) -> Response {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn missing_authentication_token(method: Method, uri: axum::http::Uri) -> Response {
    tracing::warn!("403 Missing Authentication Token: {method} {uri}");
    bare_error(
        StatusCode::FORBIDDEN,
        json!({"message": "Missing Authentication Token"}),
    )
}

/// API Gateway's answer to a missing, invalid or expired token.
struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        tracing::warn!("401 Unauthorized: missing, invalid or expired access token");
        bare_error(StatusCode::UNAUTHORIZED, json!({"message": "Unauthorized"}))
    }
}

/// A request the Cognito authorizer let through: whose access token it carried (in
/// `Authorization`, with or without `Bearer `), and when it arrived. As an extractor it
/// answers 401 for a missing, invalid or expired token before the route runs.
struct Caller {
    claims: AccessClaims,
    now: i64,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Unauthorized> {
        let now = state.clock.now_ms();
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim());
        token
            .and_then(|t| state.cognito.verify_access_token(t, now))
            .map(|claims| Caller { claims, now })
            .ok_or(Unauthorized)
    }
}

fn internal(e: anyhow::Error) -> Response {
    tracing::error!("500: {e:#}");
    bare_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({"message": "Internal server error"}),
    )
}

/// The scope of a call: W, or the `eventId` it names in E (logged when it names none,
/// or one this emulator was not started with).
fn scope_of(state: &AppState, event_id: Option<&str>, route: &str) -> Scope {
    let scope = state.backend.scope(event_id);
    if let Scope::Event(id) = &scope {
        if id.is_empty() {
            tracing::warn!("{route} without eventId: E reads it as an empty event id");
        } else if !state.backend.variant.knows(id) {
            tracing::warn!(
                "{route} for event {id:?}, which this emulator was not started with (--event): E answers as for an event with no data"
            );
        }
    }
    scope
}

/// `?eventId=` of a query string.
fn event_param(q: &HashMap<String, String>) -> Option<&str> {
    q.get("eventId").map(String::as_str)
}

/// API Gateway's answer when an authorizer or policy denies a signed-in caller.
fn forbidden(why: &str) -> Response {
    tracing::warn!("403: {why}");
    bare_error(
        StatusCode::FORBIDDEN,
        json!({"message": "User is not authorized to access this resource"}),
    )
}
