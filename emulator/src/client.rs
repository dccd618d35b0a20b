//! A native client of the public APIs, over real HTTP and WebSocket: what the order
//! robot, the benchmark and the integration tests use to act like the apps do.

use crate::clock::{Clock, SystemClock};
use anyhow::{anyhow, bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
pub use reqwest::Method;
use serde_json::Value;
use shared::cognito::{self, AuthStep, Session};
use shared::mqtt::{decode_slice, drain_packets, encode_slice, Packet};
use shared::sigv4::{self, AwsCredentials};
use shared::srp::SrpClient;
use shared::url::{Endpoint, SchemeKind};
use shared::{Settings, SettingsDraft};
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
    pub cors: bool,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.body).with_context(|| format!("not JSON: {}", self.body))
    }
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
}

impl Client {
    /// A client configured like the apps are for the emulator at `base`.
    pub fn new(base: &str) -> Result<Self> {
        let draft: SettingsDraft = crate::local::settings(base);
        let settings = draft
            .validate(shared::AppKind::Display)
            .map_err(|e| anyhow!("local settings are invalid: {e}"))?;
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()?,
            settings,
            tokens: None,
            clock: Arc::new(SystemClock),
        })
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

    /// The code the emulator "sent" to `username` (local-only route).
    pub async fn sent_code(&self, base: &str, username: &str) -> Result<String> {
        let reply: Value = self
            .http
            .get(format!("{base}/_local/codes/{username}"))
            .send()
            .await?
            .json()
            .await?;
        reply["code"]
            .as_str()
            .map(str::to_string)
            .context("no code was sent")
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

    /// `GetId` and `GetCredentialsForIdentity` (unauthenticated identity).
    pub async fn credentials(&self) -> Result<AwsCredentials> {
        let id = self
            .call(cognito::get_id(&self.settings))
            .await?
            .map_err(|e| anyhow!(e))?;
        let id = cognito::parse_identity_id(&id.to_string()).context("no IdentityId")?;
        let creds = self
            .call(cognito::get_credentials(&self.settings, &id))
            .await?
            .map_err(|e| anyhow!(e))?;
        Ok(cognito::parse_credentials(&creds.to_string())
            .context("no Credentials")?
            .0)
    }

    /// A REST call with the access token (when signed in).
    pub async fn rest(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<Reply> {
        let mut request = self.http.request(method, url);
        if let Some(tokens) = &self.tokens {
            request = request.header("Authorization", format!("Bearer {}", tokens.access_token));
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let cors = response
            .headers()
            .contains_key("access-control-allow-origin");
        Ok(Reply {
            status,
            cors,
            body: response.text().await?,
        })
    }

    pub fn om(&self, path: &str) -> String {
        self.settings.order_manager.join(path)
    }

    pub fn validator(&self, path: &str) -> String {
        self.settings
            .validator
            .as_ref()
            .map(|v| v.join(path))
            .unwrap_or_default()
    }

    pub fn config(&self, path: &str) -> String {
        self.settings.config.join(path)
    }

    /// Connects to IoT over WebSocket with fresh credentials and subscribes.
    pub async fn subscribe(&self, client_id: &str, topics: &[&str]) -> Result<Subscriber> {
        let creds = self.credentials().await?;
        let endpoint = Endpoint::parse(&self.settings.iot_url(), SchemeKind::WebSocket)?;
        let url = sigv4::presign(
            &endpoint,
            &self.settings.region,
            sigv4::IOT_SERVICE,
            &creds,
            self.clock.now_ms(),
            None,
        );
        Subscriber::connect(&url, client_id, topics).await
    }
}

fn encode(packet: &Packet) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let len = encode_slice(packet, &mut buf).expect("small packets fit 4 KB");
    buf.truncate(len);
    buf
}

/// An MQTT-over-WebSocket subscriber, as the apps connect.
pub struct Subscriber {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    buf: Vec<u8>,
    pending: std::collections::VecDeque<Value>,
}

impl Subscriber {
    /// Opens `url` with subprotocol `mqtt`, sends CONNECT and SUBSCRIBE, waits for SUBACK.
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
        let mut sub = Self {
            ws,
            buf: Vec::new(),
            pending: Default::default(),
        };
        sub.send(&Packet::Connect(mqttrs::Connect {
            protocol: mqttrs::Protocol::MQTT311,
            keep_alive: 30,
            client_id,
            clean_session: true,
            last_will: None,
            username: None,
            password: None,
        }))
        .await?;
        match sub.next_packet(Duration::from_secs(10)).await? {
            Some(p) if matches!(p.first(), Some(b) if b >> 4 == 2) => {}
            other => bail!("expected CONNACK, got {other:?}"),
        }
        let subscriptions = topics
            .iter()
            .map(|t| mqttrs::SubscribeTopic {
                topic_path: t.to_string(),
                qos: mqttrs::QoS::AtMostOnce,
            })
            .collect();
        sub.send(&Packet::Subscribe(mqttrs::Subscribe {
            pid: mqttrs::Pid::new(),
            topics: subscriptions,
        }))
        .await?;
        loop {
            match sub.next_packet(Duration::from_secs(10)).await? {
                Some(p) if p.first().is_some_and(|b| b >> 4 == 9) => return Ok(sub),
                Some(p) => sub.queue_publish(&p)?,
                None => bail!("closed before SUBACK"),
            }
        }
    }

    pub async fn send(&mut self, packet: &Packet<'_>) -> Result<()> {
        self.ws.send(Message::Binary(encode(packet).into())).await?;
        Ok(())
    }

    /// Sends raw bytes (tests of the broker's front door).
    pub async fn send_raw(&mut self, bytes: Vec<u8>) -> Result<()> {
        self.ws.send(Message::Binary(bytes.into())).await?;
        Ok(())
    }

    /// The next whole packet, or None when the server closed the connection.
    async fn next_packet(&mut self, wait: Duration) -> Result<Option<Vec<u8>>> {
        loop {
            let mut packets =
                drain_packets(&mut self.buf).map_err(|e| anyhow!("bad MQTT from server: {e:?}"))?;
            if !packets.is_empty() {
                let first = packets.remove(0);
                // Put the rest back in front, to be read next.
                let mut rest: Vec<u8> = packets.concat();
                rest.extend_from_slice(&self.buf);
                self.buf = rest;
                return Ok(Some(first));
            }
            match tokio::time::timeout(wait, self.ws.next())
                .await
                .context("timed out waiting for MQTT")?
            {
                Some(Ok(Message::Binary(bytes))) => self.buf.extend_from_slice(&bytes),
                Some(Ok(Message::Close(_))) | None => return Ok(None),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
            }
        }
    }

    fn queue_publish(&mut self, packet: &[u8]) -> Result<()> {
        if let Some(Packet::Publish(p)) = decode_slice(packet).map_err(|e| anyhow!("{e:?}"))? {
            self.pending.push_back(serde_json::from_slice(p.payload)?);
        }
        Ok(())
    }

    /// The next published message (`{"type","detail"}`), waiting at most `wait`.
    pub async fn next_message(&mut self, wait: Duration) -> Result<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(message) = self.pending.pop_front() {
                return Ok(message);
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_packet(left).await? {
                Some(packet) => self.queue_publish(&packet)?,
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
