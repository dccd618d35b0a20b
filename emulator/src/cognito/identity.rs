//! The identity pool (contract §2.4): `GetId` and `GetCredentialsForIdentity` for
//! unauthenticated identities, whose temporary credentials presign the IoT WebSocket.

use super::store::{self, IssuedCredentials};
use super::{err, required, Reply};
use crate::ids;
use crate::local;
use crate::store::Store;
use anyhow::Result;
use serde_json::{json, Value};

/// Credentials last an hour, unless `credentialsLifetimeSeconds` says otherwise.
pub const CREDENTIALS_LIFETIME_S: i64 = 3600;
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Answers `AWSCognitoIdentityService.<action>` at `now` (ms); credentials issued now
/// last `lifetime_s`.
pub(super) fn handle(
    store: &Store,
    action: &str,
    body: &Value,
    now: i64,
    lifetime_s: i64,
) -> Reply {
    match action {
        "GetId" => get_id(store, body, now),
        "GetCredentialsForIdentity" => get_credentials(store, body, now, lifetime_s),
        _ => Err(err(
            "UnknownOperationException",
            format!("Unknown operation AWSCognitoIdentityService.{action}"),
        )),
    }
}

fn get_id(store: &Store, body: &Value, now: i64) -> Reply {
    let pool = required(body, "IdentityPoolId")?;
    if pool != local::IDENTITY_POOL_ID {
        return Err(err(
            "ResourceNotFoundException",
            format!("IdentityPool '{pool}' not found."),
        ));
    }
    let id = format!("{}:{}", local::REGION, ids::uuid());
    store.write(|tx| store::insert_identity(tx, &id, now))?;
    Ok(json!({"IdentityId": id}))
}

fn get_credentials(store: &Store, body: &Value, now: i64, lifetime_s: i64) -> Reply {
    let id = required(body, "IdentityId")?;
    if !store.read(|c| store::identity_exists(c, id))? {
        return Err(err(
            "ResourceNotFoundException",
            format!("Identity '{id}' not found."),
        ));
    }
    let now_s = now.div_euclid(1000);
    let issued = IssuedCredentials {
        access_key_id: format!(
            "ASIA{}",
            ids::token(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        ),
        secret_key: ids::token(SECRET_ALPHABET, 40),
        session_token: ids::token(SECRET_ALPHABET, 360),
        identity_id: id.to_string(),
        expiration_s: now_s + lifetime_s,
    };
    record_credentials(store, &issued, now)?;
    // `Expiration` is epoch seconds as a JSON number, as the service sends it.
    Ok(json!({
        "IdentityId": id,
        "Credentials": {
            "AccessKeyId": issued.access_key_id, "SecretKey": issued.secret_key,
            "SessionToken": issued.session_token, "Expiration": issued.expiration_s,
        },
    }))
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
