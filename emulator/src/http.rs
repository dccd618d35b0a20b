//! The HTTP face of the emulator: the three REST APIs with their `/Prod` stages (contract
//! §3), Cognito's JSON endpoint, the IoT WebSocket, and local-only admin routes.
//!
//! API Gateway's ways are kept: CORS headers on success but not on Lambda errors or
//! gateway errors, 401 `{"message":"Unauthorized"}`, 403 `Missing Authentication Token`
//! for unknown routes, and HTTP 200 for whatever a direct integration returns. Where
//! API Gateway and Cognito answer `Access-Control-Allow-Origin: *`, this emulator echoes
//! the request's `Origin` if it is its own or a loopback dev server's, and sends no CORS
//! headers to any other ([`cors_for_origin`], `access.rs`): a page of any site could
//! otherwise use a developer's emulator.
//!
//! The local-only routes (`/_local/*`, [`local_routes`]) answer only this machine, with
//! the run's token, and JSON bodies only ([`local_guard`]); every request must be
//! addressed to the emulator by name ([`check_host`], applied by `lib.rs` to everything
//! it serves).
//!
//! In variant E every route reads `?eventId=` as E's mapping templates and Lambdas do
//! (see the README's emulator section for what each does without one): the direct
//! integrations use it as given (`""` when missing), so an unknown or missing event
//! gets what DynamoDB answers for keys that hold nothing; the validator's Lambdas
//! refuse a call without one (400). Such calls are logged as warnings.
//!
//! The faults of `/_local/faults` (`faults.rs`) that act on HTTP act here: a failing or
//! throttled Cognito in [`cognito`], a failing or slow REST API in [`rest_faults`].

use crate::access::{self, HostCheck};
use crate::backend::{max_items, Backend, OrderAction, OrderManagerInput, QrCode, Redeemed, Scope};
use crate::clock::Clock;
use crate::cognito::{AccessClaims, Cognito};
use crate::faults::{CognitoAnswer, FaultChange, Faults};
use crate::iot;
use crate::local;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, Request, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use shared::dynamo::{item_to_json, Item};
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
}

const ALLOW_HEADERS: &str = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token";

pub fn router(state: AppState) -> Router {
    let om = local::ORDER_MANAGER_PREFIX;
    let validator = local::VALIDATOR_PREFIX;
    let config = local::CONFIG_PREFIX;
    let mut router = Router::new();
    if state.backend.variant.is_e() {
        // E's config API has an authenticated twin of `/config`.
        router = router.route(
            &format!("{config}/admin-config"),
            rest(get(get_admin_config), "GET,OPTIONS"),
        );
    }
    router
        .route(
            &format!("{config}/config"),
            rest(get(get_config), "GET,OPTIONS"),
        )
        .route(
            &format!("{config}/store"),
            rest(axum::routing::put(put_store), "PUT,OPTIONS"),
        )
        .route(
            &format!("{validator}/qr-code"),
            validator_route(get(get_qr_code).post(post_qr_code)),
        )
        .route(
            &format!("{om}/orders"),
            rest(get(get_orders), "GET,OPTIONS"),
        )
        .route(
            &format!("{om}/orders/{{id}}"),
            rest(get(get_order).put(put_order), "GET,OPTIONS,PUT"),
        )
        .route(
            &format!("{om}/myOrders"),
            rest(get(get_my_orders), "GET,OPTIONS"),
        )
        .route(
            local::COGNITO_PATH,
            post(cognito).options(cognito_preflight),
        )
        .route(
            &format!("{}{{pool}}/.well-known/jwks.json", local::COGNITO_PATH),
            get(jwks),
        )
        .route(local::MQTT_PATH, get(mqtt))
        .route(
            &format!("{}{{page}}", local::JOURNEY_PATH),
            get(journey_page),
        )
        .merge(local_routes(&state))
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
    [
        local::ORDER_MANAGER_PREFIX,
        local::VALIDATOR_PREFIX,
        local::CONFIG_PREFIX,
    ]
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

/// Local-only helpers, not part of AWS: sent codes, an order's event log, new users,
/// settings, faults. Only for this machine with the run's token ([`local_guard`]); CORS
/// (the token's header included) for the pages [`cors_for_origin`] allows: browser
/// tests read codes from a page of the wasm test runner.
fn local_routes(state: &AppState) -> Router<AppState> {
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

/// The validator API uses SAM's CORS: `Allow-Headers: *`, which per the Fetch spec does
/// not cover `Authorization`, so the requested headers are echoed.
fn validator_route(methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
    methods
        .options(|headers: HeaderMap| async move {
            let requested = headers
                .get("access-control-request-headers")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("*")
                .to_string();
            let mut out = HeaderMap::new();
            out.insert("access-control-allow-headers", header_value(&requested));
            with_cors(StatusCode::OK, out, String::new(), Some("GET,POST,OPTIONS"))
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

/// The Cognito authorizer at `now`: an access token in `Authorization` (with or without
/// `Bearer `).
fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    now: i64,
) -> Result<AccessClaims, Unauthorized> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim());
    token
        .and_then(|t| state.cognito.verify_access_token(t, now))
        .ok_or(Unauthorized)
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

// ---- config service -----------------------------------------------------------------

async fn get_config(
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
async fn get_admin_config(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(denied) = authorize(&state, &headers, state.clock.now_ms()) {
        return denied.into_response();
    }
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

async fn put_store(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let now = state.clock.now_ms();
    let claims = match authorize(&state, &headers, now) {
        Ok(claims) => claims,
        Err(denied) => return denied.into_response(),
    };
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

// ---- validator ----------------------------------------------------------------------

/// E's validator Lambdas answer a call without `eventId` 400 with no body; this one
/// says why (a browser cannot read it either way: no CORS headers).
fn missing_event_id(route: &str) -> Response {
    tracing::warn!("400: {route} without eventId (E's validator needs one)");
    bare_error(
        StatusCode::BAD_REQUEST,
        json!({"error": "Missing eventId: this is the multi-event (E) backend; add ?eventId=<event>"}),
    )
}

/// E's validator Lambdas: a missing or empty `eventId` is refused.
fn validator_scope(state: &AppState, event_id: Option<&str>, route: &str) -> Option<Scope> {
    if state.backend.variant.is_e() && event_id.is_none_or(str::is_empty) {
        return None;
    }
    Some(scope_of(state, event_id, route))
}

async fn get_qr_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let now = state.clock.now_ms();
    let claims = match authorize(&state, &headers, now) {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
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

async fn post_qr_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let now = state.clock.now_ms();
    let claims = match authorize(&state, &headers, now) {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
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

// ---- order manager ------------------------------------------------------------------

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

async fn get_orders(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let now = state.clock.now_ms();
    if let Err(denied) = authorize(&state, &headers, now) {
        return denied.into_response();
    }
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

async fn get_my_orders(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let now = state.clock.now_ms();
    let claims = match authorize(&state, &headers, now) {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
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

async fn get_order(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let now = state.clock.now_ms();
    if let Err(denied) = authorize(&state, &headers, now) {
        return denied.into_response();
    }
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

async fn put_order(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let now = state.clock.now_ms();
    let claims = match authorize(&state, &headers, now) {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
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

/// API Gateway's answer when an authorizer or policy denies a signed-in caller.
fn forbidden(why: &str) -> Response {
    tracing::warn!("403: {why}");
    bare_error(
        StatusCode::FORBIDDEN,
        json!({"message": "User is not authorized to access this resource"}),
    )
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

// ---- Cognito ------------------------------------------------------------------------

/// Cognito answers browsers' preflights for any origin (this emulator: for those
/// [`cors_for_origin`] allows).
async fn cognito_preflight(headers: HeaderMap) -> Response {
    let requested = headers
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("content-type,x-amz-target,x-amz-user-agent")
        .to_string();
    let mut out = HeaderMap::new();
    out.insert("access-control-allow-headers", header_value(&requested));
    out.insert("access-control-max-age", HeaderValue::from_static("86400"));
    with_cors(StatusCode::OK, out, String::new(), Some("POST"))
}

async fn cognito(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
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

async fn jwks(State(state): State<AppState>, Path(pool): Path<String>) -> Response {
    if pool != local::USER_POOL_ID {
        return bare_error(
            StatusCode::NOT_FOUND,
            json!({"message": "User pool not found"}),
        );
    }
    let jwks = state.cognito.jwks().to_string();
    with_cors(StatusCode::OK, HeaderMap::new(), jwks, None)
}

// ---- IoT ----------------------------------------------------------------------------

async fn mqtt(
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

// ---- local-only admin routes --------------------------------------------------------

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
    let draft = local::settings_of(
        &format!("http://{host}"),
        &state.backend.variant,
        event_param(&q),
    );
    draft.to_query(shared::AppKind::Display).into_response()
}

/// `GET /journey/<orderId>.html`: the order's journey, rendered from its event log
/// (`journey.rs`); a 404 page for an order the emulator has never seen. Its link to the
/// log as JSON (a local-only route) carries the local token, on this machine only.
async fn journey_page(
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
                &state.backend.timings,
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
