//! The user pool's JWTs (contract §2.3): RS256 access and ID tokens, their JWKS, and the
//! check API Gateway's Cognito authorizer makes.
//!
//! The signing key is an RSA key made for each database and kept in it (table
//! `signing_keys`), so that a restarted emulator still accepts the tokens it issued
//! before, and no two databases trust each other's tokens. An in-memory database uses
//! a key made once per process (every in-memory emulator of a test run shares it),
//! since making an RSA key takes a while.

use super::store::{self as sql, User};
use crate::ids;
use crate::local;
use crate::store::Store;
use anyhow::{Context, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// The size of a new signing key, as Cognito's own.
const KEY_BITS: usize = 2048;
const KEY_ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const REFRESH_TOKEN_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

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
    /// The sign-in both tokens came from (Cognito's `origin_jti` and `event_id`).
    #[serde(default)]
    pub origin_jti: String,
    #[serde(default)]
    pub event_id: String,
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

/// A new signing key: its key id and its private key as PKCS#1 PEM.
fn new_signing_key() -> Result<(String, String)> {
    let key = RsaPrivateKey::new(&mut rand::thread_rng(), KEY_BITS)
        .context("making the user pool's signing key")?;
    let pem = key
        .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
        .context("writing the signing key")?;
    let kid = format!("serverlesspresso-local-{}", ids::token(KEY_ID_ALPHABET, 12));
    Ok((kid, pem.to_string()))
}

/// The key of this process's in-memory databases, made on first use.
fn in_memory_signing_key() -> Result<(String, String)> {
    static KEY: OnceLock<(String, String)> = OnceLock::new();
    if let Some(key) = KEY.get() {
        return Ok(key.clone());
    }
    let made = new_signing_key()?;
    Ok(KEY.get_or_init(|| made).clone())
}

/// The signing key of the database `store`, made (and kept in it) if it has none.
fn signing_key(store: &Store, now_ms: i64) -> Result<(String, String)> {
    if let Some(key) = store.read(sql::signing_key)? {
        return Ok(key);
    }
    let (kid, pem) = if store.is_in_memory() {
        in_memory_signing_key()?
    } else {
        new_signing_key()?
    };
    store.write(|tx| sql::insert_signing_key(tx, &kid, &pem, now_ms))?;
    store
        .read(sql::signing_key)?
        .context("the signing key just stored is missing")
}

/// The claims of an ID token the identity pool reads: whose it is and their groups.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct IdClaims {
    pub sub: String,
    #[serde(rename = "cognito:groups", default)]
    pub groups: Vec<String>,
    pub token_use: String,
    pub exp: i64,
}

/// Signs and checks the pool's tokens.
pub(super) struct Tokens {
    key_id: String,
    encoding_key: EncodingKey,
    decoding_key: DecodingKey,
    /// The public half of the signing key, served at
    /// `/cognito/<pool>/.well-known/jwks.json`.
    jwks: Value,
    issuer: String,
}

impl Tokens {
    /// The tokens of the pool whose database is `store` (at `now_ms`, the time a new
    /// key is dated).
    pub(super) fn new(store: &Store, now_ms: i64) -> Result<Self> {
        let (key_id, pem) = signing_key(store, now_ms)?;
        let private = RsaPrivateKey::from_pkcs1_pem(&pem)
            .context("the signing key in the database is unreadable")?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        Ok(Self {
            encoding_key: EncodingKey::from_rsa_pem(pem.as_bytes())?,
            decoding_key: DecodingKey::from_rsa_components(&n, &e)?,
            jwks: json!({"keys": [{
                "alg": "RS256", "e": e, "kid": key_id, "kty": "RSA", "n": n, "use": "sig",
            }]}),
            key_id,
            issuer: format!(
                "https://cognito-idp.{}.amazonaws.com/{}",
                local::REGION,
                local::USER_POOL_ID
            ),
        })
    }

    /// The JWKS of the pool: the public half of its signing key.
    pub(super) fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// `AuthenticationResult` for a user signing in at `now_ms`: access and ID tokens
    /// lasting `lifetime_s`, and a new refresh token. In a phone pool (E's) the user's
    /// Cognito username is its `sub`, and the phone number is an attribute.
    pub(super) fn issue(&self, u: &User, now_ms: i64, lifetime_s: i64, phone_pool: bool) -> Value {
        let now = now_ms.div_euclid(1000);
        let username = if phone_pool { &u.sub } else { &u.username };
        let (origin_jti, event_id) = (ids::uuid(), ids::uuid());
        let access = AccessClaims {
            sub: u.sub.clone(),
            groups: u.groups.clone(),
            iss: self.issuer.clone(),
            client_id: local::CLIENT_ID.into(),
            origin_jti: origin_jti.clone(),
            event_id: event_id.clone(),
            token_use: "access".into(),
            scope: "aws.cognito.signin.user.admin".into(),
            auth_time: now,
            exp: now + lifetime_s,
            iat: now,
            jti: ids::uuid(),
            username: username.clone(),
        };
        let mut id = json!({
            "sub": u.sub, "iss": self.issuer, "aud": local::CLIENT_ID, "token_use": "id",
            "cognito:username": username, "auth_time": now, "exp": now + lifetime_s,
            "iat": now, "jti": ids::uuid(), "origin_jti": origin_jti, "event_id": event_id,
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
            if phone_pool {
                id["phone_number_verified"] = json!(true);
            }
        }
        json!({
            "AccessToken": self.sign(&access),
            "IdToken": self.sign(&id),
            "RefreshToken": ids::token(REFRESH_TOKEN_ALPHABET, 256),
            "ExpiresIn": lifetime_s,
            "TokenType": "Bearer",
        })
    }

    /// `AuthenticationResult` for a refresh at `now_ms`: new access and ID tokens
    /// lasting `lifetime_s`, and no refresh token (the client keeps the one it has).
    pub(super) fn reissue(
        &self,
        u: &User,
        now_ms: i64,
        lifetime_s: i64,
        phone_pool: bool,
    ) -> Value {
        let mut result = self.issue(u, now_ms, lifetime_s, phone_pool);
        result.as_object_mut().map(|r| r.remove("RefreshToken"));
        result
    }

    fn sign(&self, claims: &impl Serialize) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key_id.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding_key)
            .expect("RS256 signing with a valid key")
    }

    /// A valid ID token of this pool for its app client, unexpired at `now_ms`: what the
    /// identity pool accepts in `Logins`.
    pub(super) fn verify_id(&self, token: &str, now_ms: i64) -> Option<IdClaims> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[local::CLIENT_ID]);
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<IdClaims>(token, &self.decoding_key, &validation)
            .ok()?
            .claims;
        let unexpired = claims.exp >= now_ms.div_euclid(1000);
        (unexpired && claims.token_use == "id").then_some(claims)
    }

    /// A valid access token of this pool, unexpired at `now_ms`.
    pub(super) fn verify_access(&self, token: &str, now_ms: i64) -> Option<AccessClaims> {
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
}

#[cfg(test)]
mod tests {
    use super::super::{store, Cognito};
    use super::*;
    use crate::clock::{Clock, ManualClock};
    use crate::faults::TOKEN_LIFETIME_S;
    use crate::store::Store;
    use std::sync::Arc;

    #[test]
    fn tokens_verify_and_id_tokens_are_refused() {
        let clock = Arc::new(ManualClock::starting_now());
        let store = Store::open(None).unwrap();
        let cognito = Cognito::new(clock.clone(), Default::default(), &store).unwrap();
        cognito
            .create_user(&store, "barista@example.com", "secret1", &["admin"])
            .unwrap();
        let u = store
            .read(|c| store::user(c, "barista@example.com"))
            .unwrap()
            .unwrap();
        let tokens = cognito
            .tokens
            .issue(&u, clock.now_ms(), TOKEN_LIFETIME_S, false);
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

    #[test]
    fn a_database_file_keeps_its_own_key_and_in_memory_ones_share_the_process_key() {
        let dir = tempfile::tempdir().unwrap();
        let jwks = |store: &Store| Tokens::new(store, 0).unwrap().jwks().clone();
        let memory = Store::open(None).unwrap();
        assert_eq!(jwks(&memory), jwks(&Store::open(None).unwrap()));
        let file = Store::open(Some(&dir.path().join("a.db"))).unwrap();
        let kept = jwks(&file);
        assert_ne!(kept, jwks(&memory));
        assert_eq!(jwks(&file), kept, "read back, not made again");
        let reopened = Store::open(Some(&dir.path().join("a.db"))).unwrap();
        assert_eq!(jwks(&reopened), kept);
        let other = Store::open(Some(&dir.path().join("b.db"))).unwrap();
        assert_ne!(jwks(&other)["keys"][0]["n"], kept["keys"][0]["n"]);
        assert_eq!(kept["keys"][0]["alg"], "RS256");
    }
}
