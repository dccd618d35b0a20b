//! The identity pool (contract §2.4): `GetId` and `GetCredentialsForIdentity`, whose
//! temporary credentials presign the IoT WebSocket.
//!
//! With `Logins` (the user pool's ID token under its provider name, as AWS Amplify sends
//! it, and the apps with `identities: authenticated`) the identity is authenticated: one
//! per user, and its credentials carry the role the pool picks from the token's
//! `cognito:groups` (`admin`: staff, else customer), which the IoT front door's
//! least-privilege policy reads; without `--least-privilege` that front door refuses it,
//! as AWS IoT does an identity with no IoT policy attached. Without `Logins` it is
//! unauthenticated, as the workshop's apps ask; under `--least-privilege` it is refused
//! (`deploy/least-privilege.yaml` turns them off).

use super::store::{self, IssuedCredentials, Principal, Role};
use super::tokens::{IdClaims, Tokens};
use super::{err, required, CognitoError, Reply};
use crate::ids;
use crate::local;
use crate::store::Store;
use anyhow::Result;
use serde_json::{json, Value};

const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// What the identity pool needs besides the request.
pub(super) struct IdentityPool<'a> {
    pub store: &'a Store,
    pub tokens: &'a Tokens,
    /// Credentials issued now last this long.
    pub lifetime_s: i64,
    /// `AllowUnauthenticatedIdentities: false`.
    pub least_privilege: bool,
}

/// The provider name the pool knows this emulator's user pool by, as the key of `Logins`.
pub fn login_provider() -> String {
    format!(
        "cognito-idp.{}.amazonaws.com/{}",
        local::REGION,
        local::USER_POOL_ID
    )
}

impl IdentityPool<'_> {
    /// Answers `AWSCognitoIdentityService.<action>` at `now` (ms).
    pub(super) fn handle(&self, action: &str, body: &Value, now: i64) -> Reply {
        match action {
            "GetId" => self.get_id(body, now),
            "GetCredentialsForIdentity" => self.get_credentials(body, now),
            _ => Err(err(
                "UnknownOperationException",
                format!("Unknown operation AWSCognitoIdentityService.{action}"),
            )),
        }
    }

    /// The signed-in user `Logins` names, if it names one; an error for a login the pool
    /// does not accept (another provider, a bad or expired token).
    fn login(&self, body: &Value, now: i64) -> Result<Option<IdClaims>, CognitoError> {
        let Some(logins) = body.get("Logins") else {
            return Ok(None);
        };
        let invalid = || {
            err(
                "NotAuthorizedException",
                "Invalid login token. Not a valid OpenId Connect identity token.",
            )
        };
        let logins = logins.as_object().ok_or_else(invalid)?;
        let provider = login_provider();
        match (logins.len(), logins.get(&provider).and_then(Value::as_str)) {
            (1, Some(token)) => self.tokens.verify_id(token, now).map(Some).ok_or_else(invalid),
            _ => Err(err(
                "NotAuthorizedException",
                format!("Invalid identity pool configuration. Check assigned IAM roles for this pool; only {provider} is a provider of this pool."),
            )),
        }
    }

    fn unauthenticated_refused(&self) -> Result<(), CognitoError> {
        if self.least_privilege {
            return Err(err(
                "NotAuthorizedException",
                "Unauthenticated access is not supported for this identity pool.",
            ));
        }
        Ok(())
    }

    fn get_id(&self, body: &Value, now: i64) -> Reply {
        let pool = required(body, "IdentityPoolId")?;
        if pool != local::IDENTITY_POOL_ID {
            return Err(err(
                "ResourceNotFoundException",
                format!("IdentityPool '{pool}' not found."),
            ));
        }
        let id = match self.login(body, now)? {
            // One identity per user, as the service keeps it.
            Some(user) => match self.store.read(|c| store::identity_of_sub(c, &user.sub))? {
                Some(id) => id,
                None => self.new_identity(Some(&user.sub), now)?,
            },
            None => {
                self.unauthenticated_refused()?;
                self.new_identity(None, now)?
            }
        };
        Ok(json!({"IdentityId": id}))
    }

    fn new_identity(&self, sub: Option<&str>, now: i64) -> Result<String, CognitoError> {
        let id = format!("{}:{}", local::REGION, ids::uuid());
        self.store
            .write(|tx| store::insert_identity(tx, &id, sub, now))?;
        Ok(id)
    }

    fn get_credentials(&self, body: &Value, now: i64) -> Reply {
        let id = required(body, "IdentityId")?;
        let Some(owner) = self.store.read(|c| store::identity(c, id))? else {
            return Err(err(
                "ResourceNotFoundException",
                format!("Identity '{id}' not found."),
            ));
        };
        let login = self.login(body, now)?;
        let principal = match (owner, login) {
            (None, None) => {
                self.unauthenticated_refused()?;
                Principal::Unauthenticated
            }
            (Some(sub), Some(user)) if user.sub == sub => Principal::User {
                sub,
                role: match user.groups.iter().any(|g| g == "admin") {
                    true => Role::Staff,
                    false => Role::Customer,
                },
            },
            _ => {
                return Err(err(
                    "NotAuthorizedException",
                    "Logins don't match. Please include at least one valid login for this identity or identity pool.",
                ))
            }
        };
        let now_s = now.div_euclid(1000);
        let issued = IssuedCredentials {
            access_key_id: format!(
                "ASIA{}",
                ids::token(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
            ),
            secret_key: ids::token(SECRET_ALPHABET, 40),
            session_token: ids::token(SECRET_ALPHABET, 360),
            identity_id: id.to_string(),
            expiration_s: now_s + self.lifetime_s,
            principal,
        };
        record_credentials(self.store, &issued, now)?;
        // `Expiration` is epoch seconds as a JSON number, as the service sends it.
        Ok(json!({
            "IdentityId": id,
            "Credentials": {
                "AccessKeyId": issued.access_key_id, "SecretKey": issued.secret_key,
                "SessionToken": issued.session_token, "Expiration": issued.expiration_s,
            },
        }))
    }
}

/// Records credentials as issued at `now` (ms), so that URLs presigned with them are
/// accepted until they expire.
pub fn record_credentials(store: &Store, credentials: &IssuedCredentials, now: i64) -> Result<()> {
    store.write(|tx| store::put_credentials(tx, credentials, now.div_euclid(1000)))
}

/// The issued credentials with this access key id, for checking presigned URLs.
pub fn issued_credentials(store: &Store, access_key_id: &str) -> Result<Option<IssuedCredentials>> {
    store.read(|c| store::credentials(c, access_key_id))
}
