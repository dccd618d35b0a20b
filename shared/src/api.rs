//! The REST calls of contract §3, without I/O: each endpoint is an [`ApiRequest`], and
//! each answer (status and body) is read into a typed result or an [`ApiError`] a person
//! can understand. The browser sends them with `fetch`; tests read fixtures.

use crate::model::{Bucket, Config, DrinkOrder, Order, OrderList, OrderState};
use crate::settings::{Flavour, Settings};
use crate::url::Endpoint;
use crate::wire::{self, Redeemed, WireError};
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
        }
    }
}

/// One REST request: sent with `Authorization: Bearer <access token>` when `signed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRequest {
    pub method: Method,
    pub url: String,
    pub body: Option<String>,
    pub signed: bool,
}

/// One REST call: the request and the reader of its answer, together, so no call site
/// pairs them by hand.
#[derive(Debug)]
pub struct ApiCall<T> {
    pub request: ApiRequest,
    flavour: Flavour,
    reader: fn(Flavour, &str) -> Result<T, WireError>,
}

impl<T> Clone for ApiCall<T> {
    fn clone(&self) -> Self {
        Self {
            request: self.request.clone(),
            flavour: self.flavour,
            reader: self.reader,
        }
    }
}

impl<T> ApiCall<T> {
    /// Reads an answer: non-2xx statuses become [`ApiError`]s, 2xx bodies the typed value.
    pub fn read(&self, status: u16, body: &str) -> Result<T, ApiError> {
        ok(status, body)?;
        Ok((self.reader)(self.flavour, body)?)
    }
}

/// A barista's action on an order (`PUT /orders/{id}?action=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderAction {
    Make,
    Unmake,
    Complete,
    Cancel,
}

impl OrderAction {
    pub const ALL: [OrderAction; 4] = [Self::Make, Self::Unmake, Self::Complete, Self::Cancel];

    /// The action an `?action=` names, if it is one.
    pub fn parse(action: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == action)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Make => "make",
            Self::Unmake => "unmake",
            Self::Complete => "complete",
            Self::Cancel => "cancel",
        }
    }
}

/// Why a REST call failed, in terms the apps act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No answer the browser may read: offline, or an error without CORS headers
    /// (Lambda and gateway errors have none, contract §3.0).
    #[error("The server could not be reached. Check the connection and try again.")]
    Network,
    #[error("Your session has expired. Sign in again.")]
    Unauthorized,
    /// The sign-in service could not refresh the session just now (throttled, failing,
    /// or unreachable): the person stays signed in and the call is tried again.
    #[error("Signing in is not working right now ({0}). Trying again shortly.")]
    SignInService(String),
    #[error("You are not allowed to do this.")]
    Forbidden,
    #[error("The request was refused: {message}")]
    Rejected { status: u16, message: String },
    #[error("The server had a problem (HTTP {0}). Try again in a moment.")]
    Server(u16),
    #[error("The server's answer could not be read: {0}")]
    Unreadable(#[from] WireError),
}

impl ApiError {
    /// Reads a non-2xx answer.
    pub fn from_status(status: u16, body: &str) -> Self {
        let message = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .or_else(|| v.get("error"))
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| body.trim().to_string());
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            400..=499 => Self::Rejected { status, message },
            _ => Self::Server(status),
        }
    }
}

/// The REST endpoints of one deployment.
#[derive(Clone, Debug)]
pub struct Api {
    pub flavour: Flavour,
    order_manager: Endpoint,
    config: Endpoint,
    validator: Option<Endpoint>,
    event_id: Option<String>,
}

fn get(url: String, signed: bool) -> ApiRequest {
    ApiRequest {
        method: Method::Get,
        url,
        body: None,
        signed,
    }
}

impl Api {
    pub fn new(settings: &Settings) -> Self {
        Self {
            flavour: settings.flavour,
            order_manager: settings.order_manager.clone(),
            config: settings.config.clone(),
            validator: settings.validator.clone(),
            event_id: settings.event_id.clone(),
        }
    }

    /// Appends `eventId` for the E backend (contract §3).
    fn with_event(&self, url: String) -> String {
        match (self.flavour, &self.event_id) {
            (Flavour::E, Some(id)) => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}eventId={}", crate::sigv4::uri_encode(id))
            }
            _ => url,
        }
    }

    fn call<T>(
        &self,
        request: ApiRequest,
        reader: fn(Flavour, &str) -> Result<T, WireError>,
    ) -> ApiCall<T> {
        ApiCall {
            request,
            flavour: self.flavour,
            reader,
        }
    }

    /// A URL of the order-manager API (with `eventId` in E), for a request no method
    /// here makes: tests of odd or malformed calls.
    pub fn order_manager_url(&self, path: &str) -> String {
        self.with_event(self.order_manager.join(path))
    }

    /// A URL of the config API (with `eventId` in E), as [`Api::order_manager_url`].
    pub fn config_url(&self, path: &str) -> String {
        self.with_event(self.config.join(path))
    }

    /// A URL of the validator API (with `eventId` in E), as [`Api::order_manager_url`].
    pub fn validator_url(&self, path: &str) -> String {
        let base = self.validator.as_ref().unwrap_or(&self.config);
        self.with_event(base.join(path))
    }

    /// `GET /config` (no sign-in).
    pub fn config(&self) -> ApiCall<Config> {
        self.call(get(self.config_url("config"), false), |flavour, body| {
            wire::parse_config(body, flavour)
        })
    }

    /// `PUT /store?state=open|closed`. The answer does not matter: the store switch is
    /// confirmed by `ConfigChanged`.
    pub fn set_store(&self, open: bool) -> ApiCall<()> {
        let state = if open { "open" } else { "closed" };
        let request = ApiRequest {
            method: Method::Put,
            url: self.config_url(&format!("store?state={state}")),
            body: None,
            signed: true,
        };
        self.call(request, accepted)
    }

    /// `GET /qr-code` (admins).
    pub fn qr_code(&self) -> ApiCall<Bucket> {
        self.call(get(self.validator_url("qr-code"), true), |_, body| {
            wire::parse_qr_code(body)
        })
    }

    /// `POST /qr-code?token=`: 200 with an order id or "No tokens remaining"; an invalid
    /// code is a 400 that browsers only see as [`ApiError::Network`] (no CORS headers).
    pub fn redeem(&self, token: &str) -> ApiCall<Redeemed> {
        let request = ApiRequest {
            method: Method::Post,
            url: self.validator_url(&format!(
                "qr-code?token={}",
                crate::sigv4::uri_encode(token)
            )),
            body: None,
            signed: true,
        };
        self.call(request, |_, body| wire::parse_redeem(body))
    }

    /// `GET /orders?state=`, with the state spelled as this backend stores it.
    pub fn orders(&self, state: &OrderState, max_items: Option<u32>) -> ApiCall<OrderList> {
        let mut path = format!(
            "orders?state={}",
            crate::sigv4::uri_encode(&state.query_value(self.flavour))
        );
        if let Some(n) = max_items {
            path.push_str(&format!("&maxItems={n}"));
        }
        self.call(get(self.order_manager_url(&path), true), |flavour, body| {
            wire::parse_orders(body, flavour)
        })
    }

    /// `GET /orders/{id}`.
    pub fn order(&self, id: &str) -> ApiCall<Order> {
        let url = self.order_manager_url(&format!("orders/{}", crate::sigv4::uri_encode(id)));
        self.call(get(url, true), |flavour, body| {
            wire::parse_order_body(body, flavour)
        })
    }

    /// `GET /myOrders`.
    pub fn my_orders(&self) -> ApiCall<OrderList> {
        self.call(
            get(self.order_manager_url("myOrders"), true),
            |flavour, body| wire::parse_orders(body, flavour),
        )
    }

    /// The customer's drink: `PUT /orders/{id}` with `{userId, drink, modifiers, icon}`.
    /// `modifiers` is always an array (a missing one crashes W's sanitizer).
    pub fn submit_order(&self, id: &str, drink: &DrinkOrder) -> ApiCall<()> {
        let body = json!({
            "userId": drink.user_id, "drink": drink.drink, "modifiers": drink.modifiers, "icon": drink.icon,
        });
        let request = ApiRequest {
            method: Method::Put,
            url: self.order_manager_url(&format!("orders/{}", crate::sigv4::uri_encode(id))),
            body: Some(body.to_string()),
            signed: true,
        };
        self.call(request, accepted)
    }

    /// A barista's (or a customer's cancel) action. The body is always `{}`: without
    /// one W's execution never starts yet the call answers 200. The answer does not
    /// matter: the real confirmation arrives as a real-time event.
    pub fn order_action(&self, id: &str, action: OrderAction) -> ApiCall<()> {
        let request = ApiRequest {
            method: Method::Put,
            url: self.order_manager_url(&format!(
                "orders/{}?action={}",
                crate::sigv4::uri_encode(id),
                action.as_str()
            )),
            body: Some("{}".into()),
            signed: true,
        };
        self.call(request, accepted)
    }
}

/// The reader of answers whose body does not matter.
fn accepted(_: Flavour, _: &str) -> Result<(), WireError> {
    Ok(())
}

fn ok(status: u16, body: &str) -> Result<(), ApiError> {
    match status {
        200..=299 => Ok(()),
        _ => Err(ApiError::from_status(status, body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{AppKind, Field};

    fn api(flavour: &str) -> Api {
        let mut d = crate::settings::sample_draft();
        d.set(Field::Flavour, flavour);
        d.set(Field::EventId, "ABC");
        Api::new(&d.validate(AppKind::Order).unwrap())
    }

    #[test]
    fn urls_join_cleanly_and_spell_states_per_backend() {
        let w = api("W");
        assert_eq!(w.config().request.url, "https://cfg.example/Prod/config");
        assert!(!w.config().request.signed);
        assert_eq!(
            w.orders(&OrderState::Completed, Some(10)).request.url,
            "https://om.example/Prod/orders?state=Completed&maxItems=10"
        );
        assert_eq!(
            w.redeem("a b").request.url,
            "https://val.example/Prod/qr-code?token=a%20b"
        );
        assert_eq!(
            w.set_store(false).request.url,
            "https://cfg.example/Prod/store?state=closed"
        );
        let e = api("E");
        assert_eq!(
            e.orders(&OrderState::Created, None).request.url,
            "https://om.example/Prod/orders?state=CREATED&eventId=ABC"
        );
        assert_eq!(
            e.config().request.url,
            "https://cfg.example/Prod/config?eventId=ABC"
        );
    }

    #[test]
    fn bodies_are_always_json_objects() {
        let w = api("W");
        let action = w.order_action("o1", OrderAction::Cancel).request;
        assert_eq!(
            (action.method, action.body.as_deref()),
            (Method::Put, Some("{}"))
        );
        assert_eq!(
            action.url,
            "https://om.example/Prod/orders/o1?action=cancel"
        );
        let drink = DrinkOrder {
            user_id: Some("u".into()),
            drink: "Latte".into(),
            modifiers: vec![],
            icon: "i".into(),
        };
        let submit = w.submit_order("o1", &drink).request;
        let body: serde_json::Value =
            serde_json::from_str(submit.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"userId": "u", "drink": "Latte", "modifiers": [], "icon": "i"})
        );
    }

    #[test]
    fn errors_by_status() {
        let w = api("W");
        let accepted = w.order_action("o", OrderAction::Make);
        assert_eq!(
            accepted.read(401, r#"{"message":"Unauthorized"}"#),
            Err(ApiError::Unauthorized)
        );
        assert_eq!(accepted.read(403, ""), Err(ApiError::Forbidden));
        assert_eq!(accepted.read(200, "not even JSON"), Ok(()));
        assert_eq!(
            w.redeem("c").read(400, r#"{"error":"Invalid code"}"#),
            Err(ApiError::Rejected {
                status: 400,
                message: "Invalid code".into()
            })
        );
        assert_eq!(
            accepted.read(502, "Bad gateway"),
            Err(ApiError::Server(502))
        );
        assert_eq!(
            w.redeem("c")
                .read(200, r#"{"error":"No tokens remaining"}"#),
            Ok(Redeemed::NoTokensRemaining)
        );
        assert!(matches!(
            w.orders(&OrderState::Created, None)
                .read(200, r#"{"__type":"x#ValidationException","message":"m"}"#),
            Err(ApiError::Unreadable(_))
        ));
        assert_eq!(
            ApiError::Network.to_string(),
            "The server could not be reached. Check the connection and try again."
        );
    }
}
