//! The user pool's flows (contract §2.2): sign-up with an emailed code, SRP sign-in,
//! the phone pools' custom (one-time code) sign-in, refresh and global sign-out, and the
//! confirmed users the CLI and tests create.

use super::store::{self, CodeReplaced, Confirmation, NewUser, User};
use super::{err, param, required, Cognito, CognitoError, Reply};
use crate::ids;
use crate::local;
use crate::store::Store;
use anyhow::Result;
use serde_json::{json, Value};
use shared::srp::{PasswordClaim, SrpServer, Verifier};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Refresh tokens last 30 days.
const REFRESH_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;
/// How long a sign-in may take between its two calls.
const SESSION_LIFETIME_MS: i64 = 3 * 60 * 1000;
/// How far the `TIMESTAMP` of an SRP claim may be from now.
const CLAIM_TIMESTAMP_SKEW_MS: i64 = 5 * 60 * 1000;
/// Wrong one-time codes allowed before the custom flow fails (contract §2.2).
const MAX_CUSTOM_ANSWERS: u32 = 4;
const SESSION_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// An SRP sign-in between `InitiateAuth` and `RespondToAuthChallenge`.
struct SrpSession {
    username: String,
    srp_a: String,
    server: SrpServer,
    expires_ms: i64,
}

/// A custom (one-time code) sign-in waiting for its answer.
struct CustomSession {
    username: String,
    code: String,
    wrong_answers: u32,
    expires_ms: i64,
}

/// The server's side of the next SRP challenge, pinned by a test.
struct PinnedChallenge {
    server_secret: [u8; 128],
    secret_block: String,
}

/// Sign-ins in progress.
#[derive(Default)]
pub(super) struct Sessions {
    /// By `SECRET_BLOCK`.
    srp: Mutex<HashMap<String, SrpSession>>,
    /// By `Session`.
    custom: Mutex<HashMap<String, CustomSession>>,
    pinned: Mutex<Option<PinnedChallenge>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
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

fn email_delivery(email: &str) -> Value {
    json!({"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": mask(email)})
}

fn incorrect_password() -> CognitoError {
    err("NotAuthorizedException", "Incorrect username or password.")
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Cognito {
    pub(super) fn sign_up(&self, store: &Store, body: &Value, now: i64) -> Reply {
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
        if self.phone_pool && !shared::cognito::is_e164(username) {
            // `UsernameAttributes: phone_number`: an email (or anything else) is refused.
            return Err(err(
                "InvalidParameterException",
                "Username should be a phone number.",
            ));
        }
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
        let new_user = NewUser {
            username,
            sub: &sub,
            email: email.as_deref(),
            phone: phone_pool_user.then_some(username),
            verifier: &verifier,
            confirmed: phone_pool_user,
            code: code.as_deref(),
            created_ms: now,
        };
        if !store.write(|tx| store::insert_user(tx, &new_user))? {
            return Err(err("UsernameExistsException", "User already exists"));
        }
        let mut reply = json!({"UserConfirmed": code.is_none(), "UserSub": sub});
        if let (Some(code), Some(email)) = (&code, &email) {
            self.send_code(username, code, "email");
            reply["CodeDeliveryDetails"] = email_delivery(email);
        }
        Ok(reply)
    }

    pub(super) fn confirm_sign_up(&self, store: &Store, body: &Value) -> Reply {
        let username = required(body, "Username")?;
        let code = required(body, "ConfirmationCode")?;
        match store.write(|tx| store::confirm(tx, username, code))? {
            Confirmation::Confirmed => Ok(json!({})),
            Confirmation::NoSuchUser => Err(err(
                "UserNotFoundException",
                "Username/client id combination not found.",
            )),
            Confirmation::AlreadyConfirmed => Err(err(
                "NotAuthorizedException",
                "User cannot be confirmed. Current status is CONFIRMED",
            )),
            Confirmation::WrongCode => Err(err(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            )),
        }
    }

    pub(super) fn resend_code(&self, store: &Store, body: &Value) -> Reply {
        let username = required(body, "Username")?;
        let code = ids::six_digits();
        match store.write(|tx| store::replace_code(tx, username, &code))? {
            CodeReplaced::Replaced { email } => {
                self.send_code(username, &code, "email");
                Ok(json!({"CodeDeliveryDetails": email_delivery(&email.unwrap_or_default())}))
            }
            CodeReplaced::NoSuchUser => Err(err(
                "UserNotFoundException",
                "Username/client id combination not found.",
            )),
            CodeReplaced::AlreadyConfirmed => Err(err(
                "InvalidParameterException",
                "User is already confirmed.",
            )),
        }
    }

    pub(super) fn initiate_auth(&self, store: &Store, body: &Value, now: i64) -> Reply {
        match required(body, "AuthFlow")? {
            "USER_SRP_AUTH" => self.start_srp(store, body, now),
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
                let token = param(body, "AuthParameters", "REFRESH_TOKEN")?;
                let invalid = || err("NotAuthorizedException", "Invalid Refresh Token");
                let username = match store.read(|c| store::refresh_token(c, token, now))? {
                    store::RefreshToken::Valid(username) => username,
                    store::RefreshToken::Revoked => {
                        return Err(err(
                            "NotAuthorizedException",
                            "Refresh Token has been revoked",
                        ))
                    }
                    store::RefreshToken::Unknown => return Err(invalid()),
                };
                let u = store
                    .read(|c| store::user(c, &username))?
                    .ok_or_else(invalid)?;
                let result =
                    self.tokens
                        .reissue(&u, now, self.faults.token_lifetime_s(), self.phone_pool);
                Ok(json!({"ChallengeParameters": {}, "AuthenticationResult": result}))
            }
            "CUSTOM_AUTH" => self.start_custom(store, body, now),
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

    /// `USER_SRP_AUTH`: the `PASSWORD_VERIFIER` challenge, remembered by its secret block.
    fn start_srp(&self, store: &Store, body: &Value, now: i64) -> Reply {
        let username = param(body, "AuthParameters", "USERNAME")?;
        let srp_a = param(body, "AuthParameters", "SRP_A")?;
        let u = signed_up_user(store, username)?;
        let verifier = u.verifier.ok_or_else(incorrect_password)?;
        let pinned = lock(&self.sessions.pinned).take();
        let (server_secret, secret_block) = match pinned {
            Some(p) => (p.server_secret, p.secret_block),
            None => (
                ids::random_bytes(),
                base64_encode(&ids::random_bytes::<64>()),
            ),
        };
        let server = SrpServer::new(&verifier, &server_secret).map_err(|_| incorrect_password())?;
        let reply = json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": verifier.salt_hex, "SRP_B": server.srp_b(), "SECRET_BLOCK": secret_block,
                "USER_ID_FOR_SRP": u.username, "USERNAME": u.username,
            },
        });
        let mut sessions = lock(&self.sessions.srp);
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

    /// `CUSTOM_AUTH` (phone pools): texts a one-time code.
    fn start_custom(&self, store: &Store, body: &Value, now: i64) -> Reply {
        let username = param(body, "AuthParameters", "USERNAME")?;
        let u = signed_up_user(store, username)?;
        let Some(phone) = u.phone.clone() else {
            return Err(err(
                "InvalidParameterException",
                "Custom auth lambda trigger is not configured for the user pool.",
            ));
        };
        let code = ids::six_digits();
        self.send_code(&u.username, &code, "SMS");
        let session = ids::token(SESSION_ALPHABET, 96);
        let mut sessions = lock(&self.sessions.custom);
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

    pub(super) fn respond_to_challenge(&self, store: &Store, body: &Value, now: i64) -> Reply {
        match required(body, "ChallengeName")? {
            "PASSWORD_VERIFIER" => self.verify_password_claim(store, body, now),
            "CUSTOM_CHALLENGE" => self.answer_custom_challenge(store, body, now),
            other => Err(err(
                "InvalidParameterException",
                format!("Unsupported ChallengeName {other}"),
            )),
        }
    }

    fn verify_password_claim(&self, store: &Store, body: &Value, now: i64) -> Reply {
        let secret_block = param(body, "ChallengeResponses", "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let claim = PasswordClaim {
            user_id_for_srp: param(body, "ChallengeResponses", "USERNAME")?.to_string(),
            timestamp: param(body, "ChallengeResponses", "TIMESTAMP")?.to_string(),
            secret_block: secret_block.to_string(),
            signature: param(body, "ChallengeResponses", "PASSWORD_CLAIM_SIGNATURE")?.to_string(),
        };
        let session = lock(&self.sessions.srp)
            .remove(secret_block)
            .filter(|s| s.expires_ms > now && s.username == claim.user_id_for_srp)
            .ok_or_else(|| err("NotAuthorizedException", "Invalid session for the user."))?;
        let recent = shared::time::UtcDateTime::parse_cognito_timestamp(&claim.timestamp)
            .is_some_and(|t| (t.to_epoch_ms() - now).abs() < CLAIM_TIMESTAMP_SKEW_MS);
        if !recent {
            return Err(incorrect_password());
        }
        let valid = session
            .server
            .verify(local::USER_POOL_ID, &session.srp_a, &claim)
            .unwrap_or(false);
        if !valid {
            return Err(incorrect_password());
        }
        self.signed_in(store, &session.username, now)
    }

    fn answer_custom_challenge(&self, store: &Store, body: &Value, now: i64) -> Reply {
        let session_id = required(body, "Session")?;
        let answer = param(body, "ChallengeResponses", "ANSWER")?;
        let mut sessions = lock(&self.sessions.custom);
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
            return Err(incorrect_password());
        }
        // A wrong answer gets a fresh challenge with the same code.
        let next = ids::token(SESSION_ALPHABET, 96);
        let username = session.username.clone();
        sessions.insert(next.clone(), session);
        Ok(
            json!({"ChallengeName": "CUSTOM_CHALLENGE", "Session": next, "ChallengeParameters": {"USERNAME": username}}),
        )
    }

    /// Tokens for a user who has just proved who they are, with a new refresh token.
    fn signed_in(&self, store: &Store, username: &str, now: i64) -> Reply {
        let u = store
            .read(|c| store::user(c, username))?
            .ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
        let result = self
            .tokens
            .issue(&u, now, self.faults.token_lifetime_s(), self.phone_pool);
        let refresh = result["RefreshToken"].as_str().unwrap_or_default();
        store.write(|tx| {
            store::insert_refresh_token(tx, refresh, username, now + REFRESH_LIFETIME_MS)
        })?;
        Ok(json!({"ChallengeParameters": {}, "AuthenticationResult": result}))
    }

    pub(super) fn global_sign_out(&self, store: &Store, body: &Value, now: i64) -> Reply {
        let claims = self
            .verify_access_token(required(body, "AccessToken")?, now)
            .ok_or_else(|| err("NotAuthorizedException", "Invalid Access Token"))?;
        // By `sub`: a phone pool's tokens name the user by it.
        store.write(|tx| store::delete_refresh_tokens_of_sub(tx, &claims.sub))?;
        Ok(json!({}))
    }

    /// `RevokeToken`: signing out ends the refresh token (the app client has token
    /// revocation on, as new clients do); a refresh with it is refused from now on.
    pub(super) fn revoke_token(&self, store: &Store, body: &Value, now: i64) -> Reply {
        let token = required(body, "Token")?;
        if store.write(|tx| store::revoke_refresh_token(tx, token, now))? {
            Ok(json!({}))
        } else {
            Err(err(
                "UnsupportedTokenTypeException",
                "The token is not a valid refresh token of this client.",
            ))
        }
    }

    /// Creates a confirmed user in the given groups (the local admin route and CLI), or
    /// resets an existing user's password and groups; returns the user's `sub`.
    pub fn create_user(
        &self,
        store: &Store,
        username: &str,
        password: &str,
        groups: &[&str],
    ) -> Result<String> {
        self.create_user_with_salt(store, username, password, groups, &ids::random_bytes())
    }

    /// [`Cognito::create_user`] with a chosen SRP salt instead of a random one: for tests
    /// that replay a recorded sign-in, whose salt is fixed.
    pub fn create_user_with_salt(
        &self,
        store: &Store,
        username: &str,
        password: &str,
        groups: &[&str],
        salt: &[u8; 16],
    ) -> Result<String> {
        let verifier = Verifier::new(local::USER_POOL_ID, username, password, salt)
            .map_err(|e| anyhow::anyhow!(e))?;
        let sub = ids::uuid();
        let now = self.clock.now_ms();
        store.write(|tx| store::put_confirmed_user(tx, username, &sub, &verifier, groups, now))
    }

    /// For tests that replay a recorded sign-in: the next `USER_SRP_AUTH` uses this server
    /// secret `b` (big-endian, at most 128 bytes) and answers with this `SECRET_BLOCK`,
    /// instead of fresh random ones. Only the next challenge is affected.
    pub fn pin_next_srp_challenge(&self, server_secret: &[u8], secret_block: &str) {
        let mut padded = [0u8; 128];
        let len = server_secret.len().min(128);
        padded[128 - len..].copy_from_slice(&server_secret[server_secret.len() - len..]);
        *lock(&self.sessions.pinned) = Some(PinnedChallenge {
            server_secret: padded,
            secret_block: secret_block.to_string(),
        });
    }
}

/// A user who may sign in: known and confirmed.
fn signed_up_user(store: &Store, username: &str) -> Result<User, CognitoError> {
    let u = store
        .read(|c| store::user(c, username))?
        .ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
    if !u.confirmed {
        return Err(err("UserNotConfirmedException", "User is not confirmed."));
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_destinations() {
        assert_eq!(mask("ana@example.com"), "a***@e***");
        assert_eq!(mask("+15551234567"), "+*******4567");
    }
}
