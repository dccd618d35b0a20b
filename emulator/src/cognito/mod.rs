//! Cognito: the user pool's JSON API (contract §2.2), its tokens (§2.3) and the identity
//! pool (§2.4), at `POST /cognito/` with `X-Amz-Target`, as the AWS services answer.
//!
//! - [`user_pool`]: sign-up, confirmation, SRP and custom sign-in, refresh, sign-out;
//! - [`tokens`]: the JWTs, their JWKS and the authorizer's check;
//! - [`identity`]: the identity pool's ids and temporary credentials;
//! - [`store`]: the SQL behind them.
//!
//! This module answers one call: it finds the action and hands it the time it arrived.

mod identity;
mod store;
mod tokens;
mod user_pool;

pub use identity::{issued_credentials, login_provider, record_credentials};
pub use store::{is_robot, IssuedCredentials, Principal, Role};
pub use tokens::AccessClaims;

use crate::clock::Clock;
use crate::faults::Faults;
use crate::local;
use crate::store::Store;
use anyhow::Result;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An error as Cognito sends it: HTTP 400 with `{"__type", "message"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoError {
    pub kind: &'static str,
    pub message: String,
}

fn err(kind: &'static str, message: impl Into<String>) -> CognitoError {
    CognitoError {
        kind,
        message: message.into(),
    }
}

impl From<anyhow::Error> for CognitoError {
    fn from(e: anyhow::Error) -> Self {
        tracing::error!("cognito internal error: {e:#}");
        err("InternalErrorException", "Internal error")
    }
}

impl From<rusqlite::Error> for CognitoError {
    fn from(e: rusqlite::Error) -> Self {
        anyhow::Error::from(e).into()
    }
}

type Reply = Result<Value, CognitoError>;

/// A non-empty top-level string field of the request.
fn required<'a>(body: &'a Value, name: &str) -> Result<&'a str, CognitoError> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| err("InvalidParameterException", format!("1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must not be null")))
}

/// A string in one of the request's maps (`AuthParameters`, `ChallengeResponses`).
fn param<'a>(body: &'a Value, map: &str, name: &str) -> Result<&'a str, CognitoError> {
    body.get(map)
        .and_then(|m| m.get(name))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            err(
                "InvalidParameterException",
                format!("Missing required parameter {name}"),
            )
        })
}

/// The user pool and identity pool.
pub struct Cognito {
    tokens: tokens::Tokens,
    /// For what happens outside a request (users created by the CLI or a test).
    clock: Arc<dyn Clock>,
    /// The lifetimes of what it issues (`tokenLifetimeSeconds`,
    /// `credentialsLifetimeSeconds`).
    faults: Arc<Faults>,
    sessions: user_pool::Sessions,
    /// E's pool: usernames are phone numbers only (`UsernameAttributes: phone_number`),
    /// and tokens carry the user's `sub` as their `username`.
    phone_pool: bool,
    /// `--least-privilege`: the identity pool hands out no unauthenticated identities.
    least_privilege: bool,
    /// The latest code sent to each user, for the local-only admin route.
    pub sent_codes: Mutex<HashMap<String, String>>,
}

impl Cognito {
    /// The pool whose users, and signing key, live in `store` (a key is made there if
    /// the database has none).
    pub fn new(clock: Arc<dyn Clock>, faults: Arc<Faults>, store: &Store) -> Result<Self> {
        Ok(Self {
            tokens: tokens::Tokens::new(store, clock.now_ms())?,
            clock,
            faults,
            sessions: Default::default(),
            phone_pool: false,
            least_privilege: false,
            sent_codes: Mutex::new(HashMap::new()),
        })
    }

    /// The same pool as E's (`true`): phone-number usernames only, tokens whose
    /// `username` is the `sub`; W's free-form usernames (`false`, the default).
    pub fn phone_pool(mut self, phone_pool: bool) -> Self {
        self.phone_pool = phone_pool;
        self
    }

    /// An identity pool that allows no unauthenticated identities (`true`), as
    /// `--least-privilege` and `deploy/least-privilege.yaml` have it.
    pub fn least_privilege(mut self, least_privilege: bool) -> Self {
        self.least_privilege = least_privilege;
        self
    }

    /// Answers one `X-Amz-Target` call arriving at `now` (ms).
    pub fn handle(&self, store: &Store, target: &str, body: &Value, now: i64) -> Reply {
        let (service, action) = target.split_once('.').unwrap_or((target, ""));
        if service == "AWSCognitoIdentityService" {
            let pool = identity::IdentityPool {
                store,
                tokens: &self.tokens,
                lifetime_s: self.faults.credentials_lifetime_s(),
                least_privilege: self.least_privilege,
            };
            return pool.handle(action, body, now);
        }
        if service != "AWSCognitoIdentityProviderService" {
            return Err(err(
                "UnknownOperationException",
                format!("Unknown operation {target}"),
            ));
        }
        if action != "GlobalSignOut" {
            let client = required(body, "ClientId")?;
            if client != local::CLIENT_ID {
                return Err(err(
                    "ResourceNotFoundException",
                    format!("User pool client {client} does not exist."),
                ));
            }
        }
        match action {
            "SignUp" => self.sign_up(store, body, now),
            "ConfirmSignUp" => self.confirm_sign_up(store, body),
            "ResendConfirmationCode" => self.resend_code(store, body),
            "InitiateAuth" => self.initiate_auth(store, body, now),
            "RespondToAuthChallenge" => self.respond_to_challenge(store, body, now),
            "GlobalSignOut" => self.global_sign_out(store, body, now),
            "RevokeToken" => self.revoke_token(store, body, now),
            _ => Err(err(
                "UnknownOperationException",
                format!("Unknown operation {target}"),
            )),
        }
    }

    /// What API Gateway's Cognito authorizer accepts at `now_ms`: a valid, unexpired
    /// access token (ID tokens lack the scope the methods require).
    pub fn verify_access_token(&self, token: &str, now_ms: i64) -> Option<AccessClaims> {
        self.tokens.verify_access(token, now_ms)
    }

    /// The user pool's JWKS (`/.well-known/jwks.json`): the public half of the key its
    /// tokens are signed with.
    pub fn jwks(&self) -> &Value {
        self.tokens.jwks()
    }

    /// "Sends" a code: logs it and keeps it for `/_local/codes/<username>`.
    fn send_code(&self, username: &str, code: &str, medium: &str) {
        tracing::info!(user = %username, "cognito: {medium} code for {username} is {code}");
        self.sent_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(username.to_string(), code.to_string());
    }
}
