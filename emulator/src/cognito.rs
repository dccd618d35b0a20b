//! Cognito: the user pool's JSON API (contract §2.2), its tokens (§2.3) and the identity
//! pool (§2.4), at `POST /cognito/` with `X-Amz-Target`, as the AWS services answer.

use crate::clock::Clock;
use crate::ids;
use crate::local;
use crate::store::Store;
use anyhow::Result;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shared::srp::{PasswordClaim, SrpServer, Verifier};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const SIGNING_KEY_PEM: &[u8] = include_bytes!("../keys/dev-signing-key.pem");
pub const JWKS: &str = include_str!("../keys/jwks.json");
const KEY_ID: &str = "serverlesspresso-local-1";
pub const TOKEN_LIFETIME_S: i64 = 3600;
const REFRESH_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;
const CREDENTIALS_LIFETIME_S: i64 = 3600;
/// How long a sign-in may take between its two calls.
const SESSION_LIFETIME_MS: i64 = 3 * 60 * 1000;
/// Wrong one-time codes allowed before the custom flow fails (contract §2.2).
const MAX_CUSTOM_ANSWERS: u32 = 4;

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

/// The claims of an access token, as API Gateway's authorizer reads them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub sub: String,
    #[serde(
        rename = "cognito:groups",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub groups: Vec<String>,
    pub iss: String,
    pub client_id: String,
    pub token_use: String,
    pub scope: String,
    pub auth_time: i64,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub username: String,
}

impl AccessClaims {
    pub fn is_admin(&self) -> bool {
        self.groups.iter().any(|g| g == "admin")
    }
}

struct User {
    username: String,
    sub: String,
    email: Option<String>,
    phone: Option<String>,
    verifier: Option<Verifier>,
    confirmed: bool,
    code: Option<String>,
    groups: Vec<String>,
}

fn user(conn: &Connection, username: &str) -> rusqlite::Result<Option<User>> {
    conn.query_row(
        "SELECT username, sub, email, phone, salt, verifier, confirmed, code, groups FROM users WHERE username = ?1",
        [username],
        |r| {
            let salt: Option<String> = r.get(4)?;
            let verifier: Option<String> = r.get(5)?;
            let groups: String = r.get(8)?;
            Ok(User {
                username: r.get(0)?,
                sub: r.get(1)?,
                email: r.get(2)?,
                phone: r.get(3)?,
                verifier: salt.zip(verifier).map(|(salt_hex, verifier_hex)| Verifier { salt_hex, verifier_hex }),
                confirmed: r.get(6)?,
                code: r.get(7)?,
                groups: groups.split(',').filter(|g| !g.is_empty()).map(str::to_string).collect(),
            })
        },
    )
    .optional()
}

/// Whether the user with this `sub` is one of the order robot's customers.
pub fn is_robot(conn: &Connection, sub: &str) -> Result<bool> {
    let groups: Option<String> = conn
        .query_row("SELECT groups FROM users WHERE sub = ?1", [sub], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(groups.is_some_and(|g| g.split(',').any(|g| g == "robot")))
}

fn is_phone(username: &str) -> bool {
    username.len() > 4
        && username.starts_with('+')
        && username[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Hides most of an address, as `CodeDeliveryDetails.Destination` does.
fn mask(destination: &str) -> String {
    let mut chars = destination.chars();
    let first: String = chars.next().into_iter().collect();
    match destination.split_once('@') {
        Some((_, domain)) => format!("{first}***@{}***", domain.chars().next().unwrap_or('*')),
        None => format!(
            "+*******{}",
            &destination[destination.len().saturating_sub(4)..]
        ),
    }
}

struct SrpSession {
    username: String,
    srp_a: String,
    server: SrpServer,
    expires_ms: i64,
}

struct CustomSession {
    username: String,
    code: String,
    wrong_answers: u32,
    expires_ms: i64,
}

/// The user pool and identity pool.
pub struct Cognito {
    encoding_key: EncodingKey,
    decoding_key: DecodingKey,
    issuer: String,
    /// For what happens outside a request (users created by the CLI or a test).
    clock: Arc<dyn Clock>,
    srp_sessions: Mutex<HashMap<String, SrpSession>>,
    custom_sessions: Mutex<HashMap<String, CustomSession>>,
    /// The latest code sent to each user, for the local-only admin route.
    pub sent_codes: Mutex<HashMap<String, String>>,
}

fn required<'a>(body: &'a Value, name: &str) -> Result<&'a str, CognitoError> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| err("InvalidParameterException", format!("1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must not be null")))
}

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

impl Cognito {
    pub fn new(clock: Arc<dyn Clock>) -> Result<Self> {
        let jwks: Value = serde_json::from_str(JWKS)?;
        let key = &jwks["keys"][0];
        let n = key["n"].as_str().unwrap_or_default();
        let e = key["e"].as_str().unwrap_or_default();
        Ok(Self {
            encoding_key: EncodingKey::from_rsa_pem(SIGNING_KEY_PEM)?,
            decoding_key: DecodingKey::from_rsa_components(n, e)?,
            issuer: format!(
                "https://cognito-idp.{}.amazonaws.com/{}",
                local::REGION,
                local::USER_POOL_ID
            ),
            clock,
            srp_sessions: Mutex::new(HashMap::new()),
            custom_sessions: Mutex::new(HashMap::new()),
            sent_codes: Mutex::new(HashMap::new()),
        })
    }

    /// Answers one `X-Amz-Target` call arriving at `now` (ms).
    pub fn handle(&self, store: &Store, target: &str, body: &Value, now: i64) -> Reply {
        let (service, action) = target.split_once('.').unwrap_or((target, ""));
        if service == "AWSCognitoIdentityService" {
            return self.identity(store, action, body, now);
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
            _ => Err(err(
                "UnknownOperationException",
                format!("Unknown operation {target}"),
            )),
        }
    }

    fn send_code(&self, username: &str, code: &str, medium: &str) {
        tracing::info!(user = %username, "cognito: {medium} code for {username} is {code}");
        self.sent_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(username.to_string(), code.to_string());
    }

    fn sign_up(&self, store: &Store, body: &Value, now: i64) -> Reply {
        let username = required(body, "Username")?;
        let password = required(body, "Password")?;
        let attribute = |name: &str| {
            body.get("UserAttributes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|a| a["Name"] == name)
                .and_then(|a| a["Value"].as_str())
                .map(str::to_string)
        };
        let phone_pool_user = is_phone(username);
        let email = attribute("email");
        if !phone_pool_user && email.is_none() {
            return Err(err(
                "InvalidParameterException",
                "Attributes did not conform to the schema: email: The attribute is required",
            ));
        }
        if password.chars().count() < 6 {
            return Err(err(
                "InvalidPasswordException",
                "Password did not conform with policy: Password not long enough",
            ));
        }
        let sub = ids::uuid();
        let verifier = Verifier::new(
            local::USER_POOL_ID,
            username,
            password,
            &ids::random_bytes(),
        )
        .map_err(|e| anyhow::anyhow!(e))?;
        // Phone (V1/E) pools auto-confirm in their PreSignUp trigger.
        let code = (!phone_pool_user).then(ids::six_digits);
        let inserted = store.write(|tx| {
            Ok(tx.execute(
                "INSERT OR IGNORE INTO users (username, sub, email, phone, salt, verifier, confirmed, code, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    username, sub, email, phone_pool_user.then_some(username), verifier.salt_hex,
                    verifier.verifier_hex, phone_pool_user, code, now
                ],
            )?)
        })?;
        if inserted == 0 {
            return Err(err("UsernameExistsException", "User already exists"));
        }
        let delivery = match (&code, &email) {
            (Some(code), Some(email)) => {
                self.send_code(username, code, "email");
                json!({"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": mask(email)})
            }
            _ => Value::Null,
        };
        let mut reply = json!({"UserConfirmed": code.is_none(), "UserSub": sub});
        if !delivery.is_null() {
            reply["CodeDeliveryDetails"] = delivery;
        }
        Ok(reply)
    }

    fn confirm_sign_up(&self, store: &Store, body: &Value) -> Reply {
        let username = required(body, "Username")?;
        let code = required(body, "ConfirmationCode")?;
        store.write(|tx| {
            let Some(u) = user(tx, username)? else {
                return Ok(Err(err(
                    "UserNotFoundException",
                    "Username/client id combination not found.",
                )));
            };
            if u.confirmed {
                return Ok(Err(err(
                    "NotAuthorizedException",
                    "User cannot be confirmed. Current status is CONFIRMED",
                )));
            }
            if u.code.as_deref() != Some(code) {
                return Ok(Err(err(
                    "CodeMismatchException",
                    "Invalid verification code provided, please try again.",
                )));
            }
            tx.execute(
                "UPDATE users SET confirmed = 1, code = NULL WHERE username = ?1",
                [username],
            )?;
            Ok(Ok(json!({})))
        })?
    }

    fn resend_code(&self, store: &Store, body: &Value) -> Reply {
        let username = required(body, "Username")?;
        let code = ids::six_digits();
        let email = store.write(|tx| {
            let Some(u) = user(tx, username)? else {
                return Ok(Err(err(
                    "UserNotFoundException",
                    "Username/client id combination not found.",
                )));
            };
            if u.confirmed {
                return Ok(Err(err(
                    "InvalidParameterException",
                    "User is already confirmed.",
                )));
            }
            tx.execute(
                "UPDATE users SET code = ?2 WHERE username = ?1",
                [username, &code],
            )?;
            Ok(Ok(u.email.unwrap_or_default()))
        })??;
        self.send_code(username, &code, "email");
        Ok(
            json!({"CodeDeliveryDetails": {"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": mask(&email)}}),
        )
    }

    fn initiate_auth(&self, store: &Store, body: &Value, now: i64) -> Reply {
        match required(body, "AuthFlow")? {
            "USER_SRP_AUTH" => {
                let username = param(body, "AuthParameters", "USERNAME")?;
                let srp_a = param(body, "AuthParameters", "SRP_A")?;
                let u = self.signed_up_user(store, username)?;
                let verifier = u.verifier.ok_or_else(|| {
                    err("NotAuthorizedException", "Incorrect username or password.")
                })?;
                let server = SrpServer::new(&verifier, &ids::random_bytes()).map_err(|_| {
                    err("NotAuthorizedException", "Incorrect username or password.")
                })?;
                let secret_block = base64_encode(&ids::random_bytes::<64>());
                let reply = json!({
                    "ChallengeName": "PASSWORD_VERIFIER",
                    "ChallengeParameters": {
                        "SALT": verifier.salt_hex, "SRP_B": server.srp_b(), "SECRET_BLOCK": secret_block,
                        "USER_ID_FOR_SRP": u.username, "USERNAME": u.username,
                    },
                });
                let mut sessions = self.srp_sessions.lock().unwrap_or_else(|p| p.into_inner());
                sessions.retain(|_, s| s.expires_ms > now);
                sessions.insert(
                    secret_block,
                    SrpSession {
                        username: u.username,
                        srp_a: srp_a.to_string(),
                        server,
                        expires_ms: now + SESSION_LIFETIME_MS,
                    },
                );
                Ok(reply)
            }
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
                let token = param(body, "AuthParameters", "REFRESH_TOKEN")?;
                let username: Option<String> = store.read(|c| {
                    Ok(c.query_row(
                        "SELECT username FROM refresh_tokens WHERE token = ?1 AND expires_ms > ?2",
                        params![token, now],
                        |r| r.get(0),
                    )
                    .optional()?)
                })?;
                let username = username
                    .ok_or_else(|| err("NotAuthorizedException", "Invalid Refresh Token"))?;
                let u = store
                    .read(|c| Ok(user(c, &username)?))?
                    .ok_or_else(|| err("NotAuthorizedException", "Invalid Refresh Token"))?;
                let mut result = self.tokens(&u, now);
                result.as_object_mut().map(|r| r.remove("RefreshToken"));
                Ok(json!({"ChallengeParameters": {}, "AuthenticationResult": result}))
            }
            "CUSTOM_AUTH" => {
                let username = param(body, "AuthParameters", "USERNAME")?;
                let u = self.signed_up_user(store, username)?;
                let Some(phone) = u.phone.clone() else {
                    return Err(err(
                        "InvalidParameterException",
                        "Custom auth lambda trigger is not configured for the user pool.",
                    ));
                };
                let code = ids::six_digits();
                self.send_code(&u.username, &code, "SMS");
                let session = ids::token(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                    96,
                );
                let mut sessions = self
                    .custom_sessions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                sessions.retain(|_, s| s.expires_ms > now);
                sessions.insert(
                    session.clone(),
                    CustomSession {
                        username: u.username.clone(),
                        code,
                        wrong_answers: 0,
                        expires_ms: now + SESSION_LIFETIME_MS,
                    },
                );
                Ok(json!({
                    "ChallengeName": "CUSTOM_CHALLENGE", "Session": session,
                    "ChallengeParameters": {"USERNAME": u.sub, "phone": phone},
                }))
            }
            "USER_PASSWORD_AUTH" => Err(err(
                "InvalidParameterException",
                "USER_PASSWORD_AUTH flow not enabled for this client",
            )),
            other => Err(err(
                "InvalidParameterException",
                format!("Unsupported AuthFlow {other}"),
            )),
        }
    }

    fn signed_up_user(&self, store: &Store, username: &str) -> Result<User, CognitoError> {
        let u = store
            .read(|c| Ok(user(c, username)?))?
            .ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
        if !u.confirmed {
            return Err(err("UserNotConfirmedException", "User is not confirmed."));
        }
        Ok(u)
    }

    fn respond_to_challenge(&self, store: &Store, body: &Value, now: i64) -> Reply {
        match required(body, "ChallengeName")? {
            "PASSWORD_VERIFIER" => {
                let secret_block =
                    param(body, "ChallengeResponses", "PASSWORD_CLAIM_SECRET_BLOCK")?;
                let claim = PasswordClaim {
                    user_id_for_srp: param(body, "ChallengeResponses", "USERNAME")?.to_string(),
                    timestamp: param(body, "ChallengeResponses", "TIMESTAMP")?.to_string(),
                    secret_block: secret_block.to_string(),
                    signature: param(body, "ChallengeResponses", "PASSWORD_CLAIM_SIGNATURE")?
                        .to_string(),
                };
                let session = self
                    .srp_sessions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(secret_block)
                    .filter(|s| s.expires_ms > now && s.username == claim.user_id_for_srp)
                    .ok_or_else(|| {
                        err("NotAuthorizedException", "Invalid session for the user.")
                    })?;
                let recent = shared::time::UtcDateTime::parse_cognito_timestamp(&claim.timestamp)
                    .is_some_and(|t| (t.to_epoch_ms() - now).abs() < 5 * 60 * 1000);
                if !recent {
                    return Err(err(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ));
                }
                let valid = session
                    .server
                    .verify(local::USER_POOL_ID, &session.srp_a, &claim)
                    .unwrap_or(false);
                if !valid {
                    return Err(err(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ));
                }
                self.signed_in(store, &session.username, now)
            }
            "CUSTOM_CHALLENGE" => {
                let session_id = required(body, "Session")?;
                let answer = param(body, "ChallengeResponses", "ANSWER")?;
                let mut sessions = self
                    .custom_sessions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                let mut session = sessions
                    .remove(session_id)
                    .filter(|s| s.expires_ms > now)
                    .ok_or_else(|| {
                        err(
                            "NotAuthorizedException",
                            "Invalid session for the user, session is expired.",
                        )
                    })?;
                if answer == session.code {
                    drop(sessions);
                    return self.signed_in(store, &session.username, now);
                }
                session.wrong_answers += 1;
                if session.wrong_answers >= MAX_CUSTOM_ANSWERS {
                    return Err(err(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ));
                }
                // A wrong answer gets a fresh challenge with the same code.
                let next = ids::token(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                    96,
                );
                let username = session.username.clone();
                sessions.insert(next.clone(), session);
                Ok(
                    json!({"ChallengeName": "CUSTOM_CHALLENGE", "Session": next, "ChallengeParameters": {"USERNAME": username}}),
                )
            }
            other => Err(err(
                "InvalidParameterException",
                format!("Unsupported ChallengeName {other}"),
            )),
        }
    }

    fn signed_in(&self, store: &Store, username: &str, now: i64) -> Reply {
        let u = store
            .read(|c| Ok(user(c, username)?))?
            .ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
        let result = self.tokens(&u, now);
        let refresh = result["RefreshToken"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        store.write(|tx| {
            tx.execute(
                "INSERT INTO refresh_tokens (token, username, expires_ms) VALUES (?1, ?2, ?3)",
                params![refresh, username, now + REFRESH_LIFETIME_MS],
            )?;
            Ok(())
        })?;
        Ok(json!({"ChallengeParameters": {}, "AuthenticationResult": result}))
    }

    fn global_sign_out(&self, store: &Store, body: &Value, now: i64) -> Reply {
        let claims = self
            .verify_access_token(required(body, "AccessToken")?, now)
            .ok_or_else(|| err("NotAuthorizedException", "Invalid Access Token"))?;
        store.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM refresh_tokens WHERE username = ?1",
                [&claims.username],
            )?)
        })?;
        Ok(json!({}))
    }

    /// Access, ID and refresh tokens for a user.
    fn tokens(&self, u: &User, now_ms: i64) -> Value {
        let now = now_ms / 1000;
        let jti = ids::uuid();
        let access = AccessClaims {
            sub: u.sub.clone(),
            groups: u.groups.clone(),
            iss: self.issuer.clone(),
            client_id: local::CLIENT_ID.into(),
            token_use: "access".into(),
            scope: "aws.cognito.signin.user.admin".into(),
            auth_time: now,
            exp: now + TOKEN_LIFETIME_S,
            iat: now,
            jti: jti.clone(),
            username: u.username.clone(),
        };
        let mut id = json!({
            "sub": u.sub, "iss": self.issuer, "aud": local::CLIENT_ID, "token_use": "id",
            "cognito:username": u.username, "auth_time": now, "exp": now + TOKEN_LIFETIME_S,
            "iat": now, "jti": ids::uuid(), "origin_jti": jti,
        });
        if !u.groups.is_empty() {
            id["cognito:groups"] = json!(u.groups);
        }
        if let Some(email) = &u.email {
            id["email"] = json!(email);
            id["email_verified"] = json!(true);
        }
        if let Some(phone) = &u.phone {
            id["phone_number"] = json!(phone);
        }
        json!({
            "AccessToken": self.sign(&access),
            "IdToken": self.sign(&id),
            "RefreshToken": ids::token(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 256),
            "ExpiresIn": TOKEN_LIFETIME_S,
            "TokenType": "Bearer",
        })
    }

    fn sign(&self, claims: &impl Serialize) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KEY_ID.into());
        jsonwebtoken::encode(&header, claims, &self.encoding_key)
            .expect("RS256 signing with a valid key")
    }

    /// What API Gateway's Cognito authorizer accepts at `now_ms`: a valid, unexpired
    /// access token (ID tokens lack the scope the methods require).
    pub fn verify_access_token(&self, token: &str, now_ms: i64) -> Option<AccessClaims> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.validate_aud = false;
        // Expiry is checked against the emulator's clock, not the library's.
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding_key, &validation)
            .ok()?
            .claims;
        let unexpired = claims.exp >= now_ms.div_euclid(1000);
        (unexpired && claims.token_use == "access" && claims.client_id == local::CLIENT_ID)
            .then_some(claims)
    }

    /// Creates a confirmed user in the given groups (the local admin route and CLI).
    pub fn create_user(
        &self,
        store: &Store,
        username: &str,
        password: &str,
        groups: &[&str],
    ) -> Result<String> {
        let verifier = Verifier::new(
            local::USER_POOL_ID,
            username,
            password,
            &ids::random_bytes(),
        )
        .map_err(|e| anyhow::anyhow!(e))?;
        let sub = ids::uuid();
        let email = username.contains('@').then_some(username);
        store.write(|tx| {
            tx.execute(
                "INSERT INTO users (username, sub, email, salt, verifier, confirmed, groups, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7)
                 ON CONFLICT (username) DO UPDATE SET salt = excluded.salt, verifier = excluded.verifier,
                     confirmed = 1, groups = excluded.groups",
                params![username, sub, email, verifier.salt_hex, verifier.verifier_hex, groups.join(","), self.clock.now_ms()],
            )?;
            Ok(tx.query_row("SELECT sub FROM users WHERE username = ?1", [username], |r| r.get(0))?)
        })
    }

    // ---- identity pool ---------------------------------------------------------------

    fn identity(&self, store: &Store, action: &str, body: &Value, now: i64) -> Reply {
        match action {
            "GetId" => {
                let pool = required(body, "IdentityPoolId")?;
                if pool != local::IDENTITY_POOL_ID {
                    return Err(err(
                        "ResourceNotFoundException",
                        format!("IdentityPool '{pool}' not found."),
                    ));
                }
                let id = format!("{}:{}", local::REGION, ids::uuid());
                store.write(|tx| {
                    tx.execute(
                        "INSERT INTO identities (id, created_ms) VALUES (?1, ?2)",
                        params![id, now],
                    )?;
                    Ok(())
                })?;
                Ok(json!({"IdentityId": id}))
            }
            "GetCredentialsForIdentity" => {
                let id = required(body, "IdentityId")?;
                let known: Option<String> = store.read(|c| {
                    Ok(
                        c.query_row("SELECT id FROM identities WHERE id = ?1", [id], |r| {
                            r.get(0)
                        })
                        .optional()?,
                    )
                })?;
                if known.is_none() {
                    return Err(err(
                        "ResourceNotFoundException",
                        format!("Identity '{id}' not found."),
                    ));
                }
                let now_s = now / 1000;
                let access_key_id = format!(
                    "ASIA{}",
                    ids::token(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
                );
                let secret = ids::token(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                    40,
                );
                let session_token = ids::token(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                    360,
                );
                let expiration = now_s + CREDENTIALS_LIFETIME_S;
                store.write(|tx| {
                    tx.execute("DELETE FROM credentials WHERE expiration_s < ?1", [now_s])?;
                    tx.execute(
                        "INSERT INTO credentials (access_key_id, secret, session_token, identity_id, expiration_s)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![access_key_id, secret, session_token, id, expiration],
                    )?;
                    Ok(())
                })?;
                Ok(json!({
                    "IdentityId": id,
                    "Credentials": {
                        "AccessKeyId": access_key_id, "SecretKey": secret,
                        "SessionToken": session_token, "Expiration": expiration,
                    },
                }))
            }
            _ => Err(err(
                "UnknownOperationException",
                format!("Unknown operation AWSCognitoIdentityService.{action}"),
            )),
        }
    }
}

/// Issued credentials, for checking presigned URLs: (secret, session token, expiry s).
pub fn issued_credentials(
    store: &Store,
    access_key_id: &str,
) -> Result<Option<(String, String, i64)>> {
    store.read(|c| {
        Ok(c.query_row(
            "SELECT secret, session_token, expiration_s FROM credentials WHERE access_key_id = ?1",
            [access_key_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
    })
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn masks_destinations() {
        assert_eq!(mask("ana@example.com"), "a***@e***");
        assert_eq!(mask("+15551234567"), "+*******4567");
    }

    #[test]
    fn tokens_verify_and_id_tokens_are_refused() {
        let clock = Arc::new(ManualClock::starting_now());
        let cognito = Cognito::new(clock.clone()).unwrap();
        let store = Store::open(None).unwrap();
        cognito
            .create_user(&store, "barista@example.com", "secret1", &["admin"])
            .unwrap();
        let u = store
            .read(|c| Ok(user(c, "barista@example.com")?))
            .unwrap()
            .unwrap();
        let tokens = cognito.tokens(&u, clock.now_ms());
        let access = tokens["AccessToken"].as_str().unwrap();
        let claims = cognito.verify_access_token(access, clock.now_ms()).unwrap();
        assert!(claims.is_admin());
        assert_eq!(claims.username, "barista@example.com");
        assert_eq!(
            cognito.verify_access_token(tokens["IdToken"].as_str().unwrap(), clock.now_ms()),
            None
        );
        assert_eq!(
            cognito.verify_access_token("not.a.jwt", clock.now_ms()),
            None
        );
        // Valid to the last second of its hour, then expired.
        clock.advance_ms(TOKEN_LIFETIME_S * 1000);
        assert!(cognito
            .verify_access_token(access, clock.now_ms())
            .is_some());
        clock.advance_ms(TOKEN_LIFETIME_S * 1000);
        assert_eq!(cognito.verify_access_token(access, clock.now_ms()), None);
    }
}
