//! A native client of the public APIs, over real HTTP and WebSocket: what the order
//! robot, the benchmark and the integration tests use to act like the apps do.
//!
//! One client speaks W or E, as its settings say ([`Client::new`], [`Client::for_event`],
//! [`Client::for_variant`]): in E its URLs carry `eventId`, its states and event types
//! are the event's ([`Client::stored_state`], [`Client::finished_event_type`]), its topics
//! the event's ([`Client::admin_topic`]), and its people sign in with phone numbers
//! ([`Client::sign_in_phone`], [`Client::register_customer`], [`Client::sign_in_as`]).
//!
//! Its REST calls are the apps' own: [`shared::api::Api`] builds each request and reads
//! its answer ([`Client::send`]), so the tests exercise the code the apps ship; one raw
//! helper ([`Client::rest`], with [`Client::om`], [`Client::config`] and
//! [`Client::validator`] for URLs) is kept for calls no app makes (malformed input).
//!
//! Its calls carry the `Origin` of a page served by the emulator, as a browser's do, so
//! that [`Reply::cors`] says what such a page would see. Reading the codes the emulator
//! "sends" (a local-only route) needs the run's local token
//! ([`Client::with_local_token`]).

use crate::backend::{FinalState, Scope};
use crate::clock::{Clock, SystemClock};
use crate::variant::Variant;
use anyhow::{anyhow, bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
pub use reqwest::Method;
use serde_json::Value;
use shared::api::{Api, ApiCall, ApiError, ApiRequest, OrderAction};
use shared::cognito::{self, AuthStep, Session};
use shared::model::{DrinkOrder, MenuItem, OrderState};
use shared::mqtt::{MqttOutput, MqttSession, Packet};
use shared::sigv4::{self, AwsCredentials};
use shared::srp::SrpClient;
use shared::url::{Endpoint, SchemeKind};
use shared::{Flavour, Settings, SettingsDraft};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A Cognito error: `(__type, message)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ServiceError {
    pub kind: String,
    pub message: String,
}

/// A REST response: status and body text.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Whether it carries CORS headers for the client's origin (a browser page could
    /// read it).
    pub cors: bool,
    pub body: String,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Result<Self> {
        let status = response.status().as_u16();
        let cors = response
            .headers()
            .contains_key("access-control-allow-origin");
        Ok(Self {
            status,
            cors,
            body: response.text().await?,
        })
    }

    pub fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.body).with_context(|| format!("not JSON: {}", self.body))
    }
}

/// A phone number for a test person called `name`, the same every time:
/// `+1555` and seven digits from 1000000 to 4999999 (never the default barista's
/// +15555550100 nor the order robot's +1555555xxxx).
pub fn phone_for(name: &str) -> String {
    // FNV-1a: stable across runs and platforms.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("+1555{:07}", 1_000_000 + hash % 4_000_000)
}

/// One signed-in (or anonymous) user of the emulator at `base`.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub settings: Settings,
    pub tokens: Option<Session>,
    /// The client's own clock, for SRP timestamps and presigned URLs: the wall clock,
    /// or the emulator's when a test moves time ([`Client::with_clock`]).
    pub clock: Arc<dyn Clock>,
    /// The order-journey pages (E), as the order app's settings name them.
    journey: Option<Endpoint>,
    /// The origin of the pages this client acts as: the emulator's own.
    origin: String,
    /// The emulator's local token, for its local-only routes.
    local_token: Option<String>,
}

impl Client {
    /// A client configured like the apps are for the (W) emulator at `base`.
    pub fn new(base: &str) -> Result<Self> {
        Self::with_draft(crate::local::settings(base))
    }

    /// A client of `running`, configured as its apps are: its variant (in E, `event` or
    /// else its first), and the kind of identity its identity pool gives (authenticated
    /// under `--least-privilege`, else unauthenticated).
    pub fn of(running: &crate::Running, event: Option<&str>) -> Result<Self> {
        let base = running.base_url();
        let draft = match event {
            Some(event) => crate::local::settings_of(&base, &Variant::e([event])?, Some(event)),
            None => crate::local::settings_of(&base, &running.variant, None),
        };
        Self::with_draft(crate::local::with_identities(
            draft,
            running.least_privilege,
        ))
    }

    /// A client of event `event_id` of the E emulator at `base`, configured like the
    /// apps are for that event.
    pub fn for_event(base: &str, event_id: &str) -> Result<Self> {
        let variant = Variant::e([event_id])?;
        Self::with_draft(crate::local::settings_of(base, &variant, Some(event_id)))
    }

    /// A client of the emulator at `base` speaking `variant` (E: its first event), as
    /// the apps its `settings.json` files set up are.
    pub fn for_variant(base: &str, variant: &Variant) -> Result<Self> {
        match variant.first_event() {
            None => Self::new(base),
            Some(event) => Self::for_event(base, event),
        }
    }

    fn with_draft(draft: SettingsDraft) -> Result<Self> {
        let settings = draft
            .validate(shared::AppKind::Display)
            .map_err(|e| anyhow!("local settings are invalid: {e}"))?;
        // The display has no journey setting; the order app has.
        let journey = draft
            .validate(shared::AppKind::Order)
            .ok()
            .and_then(|s| s.journey_service);
        let origin = format!(
            "{}://{}",
            settings.order_manager.scheme().as_str(),
            settings.order_manager.authority()
        );
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()?,
            settings,
            tokens: None,
            clock: Arc::new(SystemClock),
            journey,
            origin,
            local_token: None,
        })
    }

    /// The same client with the emulator's local token (`Running::local_token`), which
    /// its local-only routes ask for: [`Client::sent_code`], [`Client::local`], and
    /// every sign-up or phone sign-in that reads a code.
    pub fn with_local_token(mut self, token: &str) -> Self {
        self.local_token = Some(token.to_string());
        self
    }

    /// The event this client is for (E), None for W.
    pub fn event_id(&self) -> Option<&str> {
        match self.settings.flavour {
            Flavour::E => self.settings.event_id.as_deref(),
            _ => None,
        }
    }

    pub fn is_e(&self) -> bool {
        self.settings.flavour == Flavour::E
    }

    /// The backend's scope of this client's calls (W, or its event).
    fn scope(&self) -> Scope {
        self.event_id()
            .map_or(Scope::W, |event| Scope::Event(event.to_string()))
    }

    /// The same client reading the time from `clock` (a test's manual clock, so that its
    /// sign-ins and presigned URLs are dated in the emulator's time).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// One Cognito JSON call: Ok(body) on 200, Err(ServiceError) on 400.
    pub async fn call(
        &self,
        call: cognito::CognitoCall,
    ) -> Result<std::result::Result<Value, ServiceError>> {
        let response = self
            .http
            .post(&call.url)
            .header("Origin", &self.origin)
            .header("Content-Type", cognito::CONTENT_TYPE)
            .header("X-Amz-Target", &call.target)
            .body(call.body.to_string())
            .send()
            .await?;
        let status = response.status().as_u16();
        let body: Value = response.json().await?;
        Ok(match status {
            200 => Ok(body),
            _ => Err(ServiceError {
                kind: body["__type"].as_str().unwrap_or_default().to_string(),
                message: body["message"].as_str().unwrap_or_default().to_string(),
            }),
        })
    }

    /// A raw call by target name (tests of odd requests).
    pub async fn cognito(
        &self,
        target: &str,
        body: Value,
    ) -> Result<std::result::Result<Value, ServiceError>> {
        let url = self.settings.cognito_idp_url();
        self.call(cognito::CognitoCall {
            url,
            target: target.to_string(),
            body,
        })
        .await
    }

    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
    ) -> Result<std::result::Result<Value, ServiceError>> {
        self.call(cognito::sign_up(&self.settings, email, password))
            .await
    }

    pub async fn confirm(
        &self,
        username: &str,
        code: &str,
    ) -> Result<std::result::Result<Value, ServiceError>> {
        self.call(cognito::confirm_sign_up(&self.settings, username, code))
            .await
    }

    /// Phone sign-in as the apps do it (contract §2.2, V1 and E): `SignUp` with a random
    /// password (a returning user's `UsernameExistsException` ignored), `CUSTOM_AUTH`,
    /// then the code "texted" to `phone` (read from the emulator at `base`,
    /// `/_local/codes/<phone>`) as the answer.
    pub async fn sign_in_phone(&mut self, base: &str, phone: &str) -> Result<()> {
        let password = crate::ids::token(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            30,
        );
        match self
            .call(cognito::sign_up_phone(&self.settings, phone, &password))
            .await?
        {
            Ok(_) => {}
            Err(e) if e.kind == "UsernameExistsException" => {}
            Err(e) => bail!("phone sign-up of {phone} refused: {e}"),
        }
        let challenge = self
            .call(cognito::initiate_custom(&self.settings, phone))
            .await?
            .map_err(|e| anyhow!("phone sign-in of {phone} refused: {e}"))?;
        let now = self.clock.now_ms();
        let AuthStep::CustomChallenge { session, username } =
            cognito::parse_auth(&challenge.to_string(), now, None)?
        else {
            bail!("expected CUSTOM_CHALLENGE, got {challenge}");
        };
        let code = self.sent_code(base, phone).await?;
        let result = self
            .call(cognito::answer_custom(
                &self.settings,
                &session,
                &username,
                &code,
            ))
            .await?
            .map_err(|e| anyhow!("the texted code was refused: {e}"))?;
        let AuthStep::Done(session) = cognito::parse_auth(&result.to_string(), now, None)? else {
            bail!("expected tokens, got {result}");
        };
        self.tokens = Some(session);
        Ok(())
    }

    /// Signs in as the apps of this client's backend do: E with the phone flow
    /// (`username` is the phone number; `password` is not used), W with SRP.
    pub async fn sign_in_as(&mut self, base: &str, username: &str, password: &str) -> Result<()> {
        if self.is_e() {
            self.sign_in_phone(base, username).await
        } else {
            self.sign_in(username, password)
                .await?
                .map_err(|e| anyhow!("{username} cannot sign in: {e}"))
        }
    }

    /// A new customer called `name`, signed up and in as this backend's apps do it:
    /// W with `<name>@example.com` / `password1` (the emailed code confirmed), E with the
    /// phone [`phone_for`]`(name)` and its texted code. Returns that username.
    pub async fn register_customer(&mut self, base: &str, name: &str) -> Result<String> {
        if self.is_e() {
            let phone = phone_for(name);
            self.sign_in_phone(base, &phone).await?;
            Ok(phone)
        } else {
            let email = format!("{name}@example.com");
            self.register(base, &email, "password1").await?;
            Ok(email)
        }
    }

    /// The code the emulator "sent" to `username` (local-only route).
    pub async fn sent_code(&self, base: &str, username: &str) -> Result<String> {
        let url = format!("{base}/_local/codes/{}", sigv4::uri_encode(username));
        let reply = self.local(Method::GET, &url, None).await?;
        let answer = reply.json()?;
        if reply.status != 200 {
            bail!(
                "reading the code sent to {username}: {} {}",
                reply.status,
                answer["message"].as_str().unwrap_or(&reply.body)
            );
        }
        answer["code"]
            .as_str()
            .map(str::to_string)
            .context("no code was sent")
    }

    /// A call of a local-only route (`url`, on the emulator): with the local token
    /// ([`Client::with_local_token`]), the body as JSON.
    pub async fn local(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<Reply> {
        let token = self.local_token.as_deref().context(
            "the local-only routes need the emulator's local token: set it with Client::with_local_token",
        )?;
        let mut request = self
            .http
            .request(method, url)
            .header(crate::access::LOCAL_TOKEN_HEADER, token);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        Reply::read(request.send().await?).await
    }

    /// `USER_SRP_AUTH` then `PASSWORD_VERIFIER`, as the apps sign in.
    pub async fn sign_in(
        &mut self,
        username: &str,
        password: &str,
    ) -> Result<std::result::Result<(), ServiceError>> {
        let srp = SrpClient::new(&crate::ids::random_bytes::<128>());
        let challenge = match self
            .call(cognito::initiate_srp(
                &self.settings,
                username,
                &srp.srp_a(),
            ))
            .await?
        {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let now = self.clock.now_ms();
        let AuthStep::PasswordVerifier(verifier) =
            cognito::parse_auth(&challenge.to_string(), now, None)?
        else {
            bail!("expected PASSWORD_VERIFIER, got {challenge}");
        };
        let claim = srp.claim(&self.settings.user_pool_id, password, &verifier, now)?;
        let result = match self
            .call(cognito::respond_password_verifier(&self.settings, &claim))
            .await?
        {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let AuthStep::Done(session) = cognito::parse_auth(&result.to_string(), now, None)? else {
            bail!("expected tokens, got {result}");
        };
        self.tokens = Some(session);
        Ok(Ok(()))
    }

    /// `REFRESH_TOKEN_AUTH`: new access and ID tokens.
    pub async fn refresh(&mut self) -> Result<std::result::Result<(), ServiceError>> {
        let refresh = self
            .tokens
            .as_ref()
            .map(|t| t.refresh_token.clone())
            .context("not signed in")?;
        let result = match self
            .call(cognito::refresh(&self.settings, &refresh))
            .await?
        {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let AuthStep::Done(session) =
            cognito::parse_auth(&result.to_string(), self.clock.now_ms(), Some(&refresh))?
        else {
            bail!("expected tokens, got {result}");
        };
        self.tokens = Some(session);
        Ok(Ok(()))
    }

    /// Signs out as the apps do: `RevokeToken` for the refresh token (the tokens are
    /// kept here, so a test can try them afterwards).
    pub async fn revoke(&self) -> Result<std::result::Result<Value, ServiceError>> {
        let refresh = &self.tokens.as_ref().context("not signed in")?.refresh_token;
        self.call(cognito::revoke(&self.settings, refresh)).await
    }

    /// Signs up, confirms with the emulated email code, and signs in.
    pub async fn register(&mut self, base: &str, email: &str, password: &str) -> Result<()> {
        self.sign_up(email, password)
            .await?
            .map_err(|e| anyhow!(e))?;
        let code = self.sent_code(base, email).await?;
        self.confirm(email, &code).await?.map_err(|e| anyhow!(e))?;
        self.sign_in(email, password).await?.map_err(|e| anyhow!(e))
    }

    /// The access token's `sub`.
    pub fn sub(&self) -> Result<String> {
        let access = &self.tokens.as_ref().context("not signed in")?.access_token;
        Ok(cognito::Claims::decode(access)
            .context("unreadable access token")?
            .sub)
    }

    /// `GetId` and `GetCredentialsForIdentity`: the signed-in person's authenticated
    /// identity (as the apps use), or an unauthenticated one before signing in.
    pub async fn credentials(&self) -> Result<AwsCredentials> {
        let id_token = self.tokens.as_ref().map(|t| t.id_token.as_str());
        let id = self
            .call(cognito::get_id(&self.settings, id_token))
            .await?
            .map_err(|e| anyhow!(e))?;
        let id = cognito::parse_identity_id(&id.to_string()).context("no IdentityId")?;
        let creds = self
            .call(cognito::get_credentials(&self.settings, &id, id_token))
            .await?
            .map_err(|e| anyhow!(e))?;
        Ok(cognito::parse_credentials(&creds.to_string())
            .context("no Credentials")?
            .0)
    }

    /// A raw REST call with the access token (when signed in): for calls no app makes.
    /// What the apps send goes through [`Client::send`] or [`Client::request`].
    pub async fn rest(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<Reply> {
        let mut request = self
            .http
            .request(method, url)
            .header("Origin", &self.origin);
        if let Some(tokens) = &self.tokens {
            request = request.header("Authorization", format!("Bearer {}", tokens.access_token));
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        Reply::read(request.send().await?).await
    }

    /// The REST endpoints, as the apps call them (`shared::api`).
    pub fn api(&self) -> Api {
        Api::new(&self.settings)
    }

    /// Sends one of the apps' requests as they send it: the access token when the
    /// request is signed, the body as JSON. The answer as it comes.
    pub async fn request(&self, request: &ApiRequest) -> Result<Reply> {
        let method = match request.method {
            shared::api::Method::Get => Method::GET,
            shared::api::Method::Put => Method::PUT,
            shared::api::Method::Post => Method::POST,
        };
        let mut http = self
            .http
            .request(method, &request.url)
            .header("Origin", &self.origin);
        if request.signed {
            let tokens = self.tokens.as_ref().context("not signed in")?;
            http = http.header("Authorization", format!("Bearer {}", tokens.access_token));
        }
        if let Some(body) = &request.body {
            http = http
                .header("Content-Type", "application/json")
                .body(body.clone());
        }
        Reply::read(http.send().await?).await
    }

    /// One of the apps' calls, sent and its answer read as they read it: the typed value,
    /// or the [`ApiError`] they would show. Err only when nothing came back.
    pub async fn send<T>(&self, call: ApiCall<T>) -> Result<std::result::Result<T, ApiError>> {
        let reply = self.request(&call.request).await?;
        Ok(call.read(reply.status, &reply.body))
    }

    /// An order-manager URL (with `eventId` in E), for [`Client::rest`].
    pub fn om(&self, path: &str) -> String {
        self.api().order_manager_url(path)
    }

    /// A validator URL (with `eventId` in E), for [`Client::rest`].
    pub fn validator(&self, path: &str) -> String {
        self.api().validator_url(path)
    }

    /// A config-service URL (with `eventId` in E), for [`Client::rest`].
    pub fn config(&self, path: &str) -> String {
        self.api().config_url(path)
    }

    /// `{journeyServiceURL}{orderId}.html` (E), None for W (which has no journey pages).
    pub fn journey_url(&self, order_id: &str) -> Option<String> {
        let base = self.journey.as_ref()?.as_str();
        Some(format!("{base}{}.html", sigv4::uri_encode(order_id)))
    }

    // ---- the backend's words -----------------------------------------------------------

    /// The `?state=` of `GET /orders` for `state`: W's `CREATED`, `Completed`,
    /// `Cancelled`; E's `CREATED`, `COMPLETED`, `CANCELLED` (its mapping template adds
    /// the event: `state=CREATED&eventId=ABC` queries `ABC-CREATED`).
    pub fn state_param(&self, state: &OrderState) -> String {
        state.query_value(self.settings.flavour)
    }

    /// `ORDERSTATE` as stored and as events carry it: W's `CREATED`, `Completed`,
    /// `Cancelled`; E's `ABC-CREATED`, `ABC-COMPLETED`, `ABC-CANCELLED`.
    pub fn stored_state(&self, state: &OrderState) -> String {
        let scope = self.scope();
        match state {
            OrderState::Created => scope.created(),
            OrderState::Completed => scope.final_state(FinalState::Completed),
            OrderState::Cancelled => scope.final_state(FinalState::Cancelled),
            OrderState::Other(s) => s.clone(),
        }
    }

    /// The event announcing a completed or cancelled order: W's
    /// `OrderManager.OrderCompleted`; E's `OrderManager.OrderABC-COMPLETED` (E's bug).
    pub fn finished_event_type(&self, state: &OrderState) -> String {
        let scope = self.scope();
        match state {
            OrderState::Cancelled => scope.final_event_type(FinalState::Cancelled),
            _ => scope.final_event_type(FinalState::Completed),
        }
    }

    /// The admin topic (E: `serverlesspresso-admin-<event>`).
    pub fn admin_topic(&self) -> String {
        shared::realtime::admin_topic(&self.settings)
    }

    /// The config topic (E: `serverlesspresso-config-<event>`).
    pub fn config_topic(&self) -> String {
        shared::realtime::config_topic(&self.settings)
    }

    /// This user's own topic, `serverlesspresso-user-<sub>` (the same in E).
    pub fn user_topic(&self) -> Result<String> {
        Ok(shared::realtime::user_topic(&self.sub()?))
    }

    // ---- what the apps' people do ------------------------------------------------------

    /// The current QR code's bucket, as the display gets it (`GET /qr-code`, admins).
    pub async fn qr_code(&self) -> Result<Value> {
        let reply = self.request(&self.api().qr_code().request).await?;
        if reply.status != 200 {
            bail!("GET /qr-code: {} {}", reply.status, reply.body);
        }
        Ok(reply.json()?["bucket"].clone())
    }

    /// Scans `code`: `POST /qr-code?token=`, the answer as it comes.
    pub async fn scan(&self, code: &str) -> Result<Reply> {
        self.request(&self.api().redeem(code).request).await
    }

    /// Scans `code` and returns the new order's id, or an error saying why not.
    pub async fn scan_ok(&self, code: &str) -> Result<String> {
        let reply = self.scan(code).await?;
        reply
            .json()
            .ok()
            .and_then(|v| v["orderId"].as_str().map(str::to_string))
            .ok_or_else(|| anyhow!("the scan was refused: {} {}", reply.status, reply.body))
    }

    /// `GET /orders?state=` in this backend's words: the rows.
    pub async fn orders(&self, state: &OrderState) -> Result<Vec<Value>> {
        let reply = self
            .request(&self.api().orders(state, None).request)
            .await?;
        match reply.json()? {
            Value::Array(rows) => Ok(rows),
            other => bail!("GET /orders answered {other}"),
        }
    }

    /// The menu, from `GET /config` read as the apps read it.
    pub async fn menu(&self) -> Result<Vec<MenuItem>> {
        let config = self
            .send(self.api().config())
            .await?
            .map_err(|e| anyhow!("GET /config: {e}"))?;
        Ok(config.menu)
    }

    /// What the order app sends for `drink` with `modifiers`: this user's `sub`, and the
    /// drink's icon from the menu (empty for a drink not on it).
    pub async fn drink_order(&self, drink: &str, modifiers: &[&str]) -> Result<DrinkOrder> {
        let icon = self
            .menu()
            .await?
            .into_iter()
            .find(|m| m.drink == drink)
            .map(|m| m.icon)
            .unwrap_or_default();
        Ok(DrinkOrder {
            user_id: Some(self.sub()?),
            drink: drink.to_string(),
            modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
            icon,
        })
    }

    /// The customer's choice: `PUT /orders/{id}` with the drink and its options.
    pub async fn submit_drink(
        &self,
        order: &str,
        drink: &str,
        modifiers: &[&str],
    ) -> Result<Reply> {
        let drink = self.drink_order(drink, modifiers).await?;
        self.request(&self.api().submit_order(order, &drink).request)
            .await
    }

    /// A barista's (or the customer's cancel) action: `PUT /orders/{id}?action=`
    /// (`make`, `unmake`, `complete`, `cancel`).
    pub async fn order_action(&self, order: &str, action: &str) -> Result<Reply> {
        let action = OrderAction::parse(action)
            .with_context(|| format!("{action:?} is no action of the apps: use Client::rest"))?;
        self.request(&self.api().order_action(order, action).request)
            .await
    }

    /// Opens or closes the store: `PUT /store?state=open|closed`.
    pub async fn set_store(&self, open: bool) -> Result<Reply> {
        self.request(&self.api().set_store(open).request).await
    }

    /// Connects to IoT over WebSocket with fresh credentials and subscribes.
    pub async fn subscribe(&self, client_id: &str, topics: &[&str]) -> Result<Subscriber> {
        let url = self.presigned(&self.credentials().await?)?;
        Subscriber::connect(&url, client_id, topics).await
    }

    /// The IoT WebSocket URL presigned with `credentials` at this client's now, as the
    /// apps presign it.
    pub fn presigned(&self, credentials: &AwsCredentials) -> Result<String> {
        let endpoint = Endpoint::parse(&self.settings.iot_url(), SchemeKind::WebSocket)?;
        Ok(sigv4::presign(
            &endpoint,
            &self.settings.region,
            sigv4::IOT_SERVICE,
            credentials,
            self.clock.now_ms(),
            None,
        ))
    }
}

/// An MQTT-over-WebSocket subscriber, as the apps connect: the same sans-io session
/// ([`MqttSession`]) drives CONNECT, SUBSCRIBE and acknowledgements, over a native socket.
pub struct Subscriber {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    session: MqttSession,
    pending: std::collections::VecDeque<Value>,
    /// The topics the broker refused (SUBACK 0x80), if any: nothing arrives on them.
    pub refused: Vec<String>,
}

impl Subscriber {
    /// Opens `url` with subprotocol `mqtt`, connects and subscribes as the apps do, and
    /// returns once the broker has answered the SUBSCRIBE (granted or refused).
    pub async fn connect(url: &str, client_id: &str, topics: &[&str]) -> Result<Self> {
        let mut request = url.into_client_request()?;
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "mqtt".parse()?);
        let (ws, response) = tokio_tungstenite::connect_async(request).await?;
        if response
            .headers()
            .get("sec-websocket-protocol")
            .map(|v| v.as_bytes())
            != Some(b"mqtt")
        {
            bail!("the server did not agree to subprotocol mqtt");
        }
        let topics = topics.iter().map(|t| t.to_string()).collect();
        let mut sub = Self {
            ws,
            session: MqttSession::new(client_id.to_string(), topics, 30),
            pending: Default::default(),
            refused: Vec::new(),
        };
        let connect = sub.session.start(SystemClock.now_ms());
        if sub.act(vec![connect]).await? {
            return Ok(sub);
        }
        loop {
            match sub.next_bytes(Duration::from_secs(10)).await? {
                Some(bytes) => {
                    let outputs = sub.session.receive(&bytes, SystemClock.now_ms());
                    if sub.act(outputs).await? {
                        return Ok(sub);
                    }
                }
                None => bail!("closed before SUBACK"),
            }
        }
    }

    /// Does what the session says; true once subscribed (or refused).
    async fn act(&mut self, outputs: Vec<MqttOutput>) -> Result<bool> {
        let mut subscribed = false;
        for output in outputs {
            match output {
                MqttOutput::Send(bytes) => self.send_raw(bytes).await?,
                MqttOutput::Ready => subscribed = true,
                MqttOutput::Refused(topics) => {
                    self.refused = topics;
                    subscribed = true;
                }
                MqttOutput::Message { payload, .. } => {
                    self.pending.push_back(serde_json::from_slice(&payload)?)
                }
                MqttOutput::Failed(why) => bail!("MQTT: {why}"),
            }
        }
        Ok(subscribed)
    }

    /// Sends any packet (tests of the broker's front door).
    pub async fn send(&mut self, packet: &Packet<'_>) -> Result<()> {
        let bytes = shared::mqtt::encode(packet).map_err(|e| anyhow!("{e:?}"))?;
        self.send_raw(bytes).await
    }

    /// Sends raw bytes (tests of the broker's front door).
    pub async fn send_raw(&mut self, bytes: Vec<u8>) -> Result<()> {
        self.ws.send(Message::Binary(bytes.into())).await?;
        Ok(())
    }

    /// The next bytes from the server (the session puts packets together), or None when
    /// the server closed the connection.
    async fn next_bytes(&mut self, wait: Duration) -> Result<Option<Vec<u8>>> {
        loop {
            match tokio::time::timeout(wait, self.ws.next())
                .await
                .context("timed out waiting for MQTT")?
            {
                Some(Ok(Message::Binary(bytes))) => return Ok(Some(bytes.to_vec())),
                Some(Ok(Message::Close(_))) | None => return Ok(None),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
            }
        }
    }

    /// The next published message (`{"type","detail"}`), waiting at most `wait`.
    pub async fn next_message(&mut self, wait: Duration) -> Result<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(message) = self.pending.pop_front() {
                return Ok(message);
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_bytes(left).await? {
                Some(bytes) => {
                    let outputs = self.session.receive(&bytes, SystemClock.now_ms());
                    self.act(outputs).await?;
                }
                None => bail!("the connection closed"),
            }
        }
    }

    /// Waits for a message of `detail_type` whose detail matches `orderId` (if given),
    /// skipping others.
    pub async fn expect(
        &mut self,
        detail_type: &str,
        order_id: Option<&str>,
        wait: Duration,
    ) -> Result<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self
                .next_message(left)
                .await
                .with_context(|| format!("waiting for {detail_type}"))?;
            let matches_order = order_id.is_none_or(|id| message["detail"]["orderId"] == id);
            if message["type"] == detail_type && matches_order {
                return Ok(message["detail"].clone());
            }
        }
    }

    /// Whether the server has closed the connection (within `wait`).
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        matches!(
            tokio::time::timeout(wait, async {
                loop {
                    match self.ws.next().await {
                        None | Some(Ok(Message::Close(_))) | Some(Err(_)) => return,
                        _ => {}
                    }
                }
            })
            .await,
            Ok(())
        )
    }
}
