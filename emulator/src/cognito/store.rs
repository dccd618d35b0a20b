//! Cognito's tables: users, refresh tokens, identities, the credentials issued to them
//! and the user pool's signing key. Each function runs inside a caller's read or
//! transaction.

use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};
use shared::srp::Verifier;

/// A user of the pool.
pub(super) struct User {
    pub username: String,
    pub sub: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub verifier: Option<Verifier>,
    pub confirmed: bool,
    pub code: Option<String>,
    pub groups: Vec<String>,
}

pub(super) fn user(conn: &Connection, username: &str) -> Result<Option<User>> {
    Ok(conn
        .query_row(
            "SELECT username, sub, email, phone, salt, verifier, confirmed, code, groups
             FROM users WHERE username = ?1",
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
                    verifier: salt.zip(verifier).map(|(salt_hex, verifier_hex)| Verifier {
                        salt_hex,
                        verifier_hex,
                    }),
                    confirmed: r.get(6)?,
                    code: r.get(7)?,
                    groups: groups
                        .split(',')
                        .filter(|g| !g.is_empty())
                        .map(str::to_string)
                        .collect(),
                })
            },
        )
        .optional()?)
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

/// A user signing up.
pub(super) struct NewUser<'a> {
    pub username: &'a str,
    pub sub: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub verifier: &'a Verifier,
    pub confirmed: bool,
    pub code: Option<&'a str>,
    pub created_ms: i64,
}

/// Adds a user; false when the username is taken (and nothing changed).
pub(super) fn insert_user(conn: &Connection, u: &NewUser) -> Result<bool> {
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO users (username, sub, email, phone, salt, verifier, confirmed, code, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            u.username, u.sub, u.email, u.phone, u.verifier.salt_hex, u.verifier.verifier_hex,
            u.confirmed, u.code, u.created_ms
        ],
    )?;
    Ok(inserted > 0)
}

/// Creates a confirmed user in `groups`, or resets the password and groups of an existing
/// one (keeping its `sub`); returns the `sub`.
pub(super) fn put_confirmed_user(
    conn: &Connection,
    username: &str,
    sub: &str,
    verifier: &Verifier,
    groups: &[&str],
    created_ms: i64,
) -> Result<String> {
    let email = username.contains('@').then_some(username);
    // A phone number is the user's phone, so the one-time-code sign-in reaches them.
    let phone = shared::cognito::is_e164(username).then_some(username);
    conn.execute(
        "INSERT INTO users (username, sub, email, phone, salt, verifier, confirmed, groups, created_ms)
         VALUES (?1, ?2, ?3, ?8, ?4, ?5, 1, ?6, ?7)
         ON CONFLICT (username) DO UPDATE SET salt = excluded.salt, verifier = excluded.verifier,
             confirmed = 1, groups = excluded.groups, phone = excluded.phone",
        params![
            username,
            sub,
            email,
            verifier.salt_hex,
            verifier.verifier_hex,
            groups.join(","),
            created_ms,
            phone
        ],
    )?;
    Ok(conn.query_row(
        "SELECT sub FROM users WHERE username = ?1",
        [username],
        |r| r.get(0),
    )?)
}

/// What `ConfirmSignUp` came to.
pub(super) enum Confirmation {
    Confirmed,
    NoSuchUser,
    AlreadyConfirmed,
    WrongCode,
}

/// Confirms the user if `code` is the one sent to them.
pub(super) fn confirm(conn: &Connection, username: &str, code: &str) -> Result<Confirmation> {
    let Some(u) = user(conn, username)? else {
        return Ok(Confirmation::NoSuchUser);
    };
    if u.confirmed {
        return Ok(Confirmation::AlreadyConfirmed);
    }
    if u.code.as_deref() != Some(code) {
        return Ok(Confirmation::WrongCode);
    }
    conn.execute(
        "UPDATE users SET confirmed = 1, code = NULL WHERE username = ?1",
        [username],
    )?;
    Ok(Confirmation::Confirmed)
}

/// What replacing an unconfirmed user's code came to.
pub(super) enum CodeReplaced {
    /// The new code is stored; it goes to this address.
    Replaced {
        email: Option<String>,
    },
    NoSuchUser,
    AlreadyConfirmed,
}

pub(super) fn replace_code(conn: &Connection, username: &str, code: &str) -> Result<CodeReplaced> {
    let Some(u) = user(conn, username)? else {
        return Ok(CodeReplaced::NoSuchUser);
    };
    if u.confirmed {
        return Ok(CodeReplaced::AlreadyConfirmed);
    }
    conn.execute(
        "UPDATE users SET code = ?2 WHERE username = ?1",
        [username, code],
    )?;
    Ok(CodeReplaced::Replaced { email: u.email })
}

pub(super) fn insert_refresh_token(
    conn: &Connection,
    token: &str,
    username: &str,
    expires_ms: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO refresh_tokens (token, username, expires_ms) VALUES (?1, ?2, ?3)",
        params![token, username, expires_ms],
    )?;
    Ok(())
}

/// What a refresh token is at `now_ms`.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum RefreshToken {
    /// Good: the user it belongs to.
    Valid(String),
    /// Revoked by `RevokeToken` (signing out).
    Revoked,
    /// Never issued, expired, or ended by `GlobalSignOut`.
    Unknown,
}

pub(super) fn refresh_token(conn: &Connection, token: &str, now_ms: i64) -> Result<RefreshToken> {
    let row: Option<(String, Option<i64>)> = conn
        .query_row(
            "SELECT username, revoked_ms FROM refresh_tokens WHERE token = ?1 AND expires_ms > ?2",
            params![token, now_ms],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((username, None)) => RefreshToken::Valid(username),
        Some((_, Some(_))) => RefreshToken::Revoked,
        None => RefreshToken::Unknown,
    })
}

/// Revokes a refresh token at `now_ms`; false when no such token is good.
pub(super) fn revoke_refresh_token(conn: &Connection, token: &str, now_ms: i64) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE refresh_tokens SET revoked_ms = ?2
         WHERE token = ?1 AND expires_ms > ?2 AND revoked_ms IS NULL",
        params![token, now_ms],
    )? > 0)
}

/// Forgets every refresh token of the user whose `sub` this is.
pub(super) fn delete_refresh_tokens_of_sub(conn: &Connection, sub: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM refresh_tokens WHERE username IN (SELECT username FROM users WHERE sub = ?1)",
        [sub],
    )?;
    Ok(())
}

/// The user pool's signing key: its key id and its private key (PKCS#1 PEM); the
/// oldest, should there ever be more than one.
pub(super) fn signing_key(conn: &Connection) -> Result<Option<(String, String)>> {
    Ok(conn
        .query_row(
            "SELECT kid, private_key_pem FROM signing_keys ORDER BY created_ms, kid LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Keeps a signing key, unless the database has one already (another process sharing
/// the file may have been first): the caller reads back [`signing_key`].
pub(super) fn insert_signing_key(
    conn: &Connection,
    kid: &str,
    private_key_pem: &str,
    created_ms: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO signing_keys (kid, private_key_pem, created_ms)
         SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM signing_keys)",
        params![kid, private_key_pem, created_ms],
    )?;
    Ok(())
}

/// Records an identity: authenticated (the `sub` of its user) or not.
pub(super) fn insert_identity(
    conn: &Connection,
    id: &str,
    sub: Option<&str>,
    created_ms: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO identities (id, created_ms, sub) VALUES (?1, ?2, ?3)",
        params![id, created_ms, sub],
    )?;
    Ok(())
}

/// An identity: `None` when unknown, `Some(None)` when unauthenticated, else the `sub`
/// of its user.
pub(super) fn identity(conn: &Connection, id: &str) -> Result<Option<Option<String>>> {
    Ok(conn
        .query_row("SELECT sub FROM identities WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The identity of the user whose `sub` this is, if one was made.
pub(super) fn identity_of_sub(conn: &Connection, sub: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT id FROM identities WHERE sub = ?1 ORDER BY created_ms LIMIT 1",
            [sub],
            |r| r.get(0),
        )
        .optional()?)
}

/// Whom credentials belong to, as an IAM policy sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// An unauthenticated identity (the workshop pool allows them).
    Unauthenticated,
    /// A signed-in user: the role the identity pool chose from `cognito:groups`.
    User { sub: String, role: Role },
}

/// The identity pool's roles for signed-in users (`deploy/least-privilege.yaml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Customer,
    /// `cognito:groups` holds `admin`.
    Staff,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Staff => "staff",
        }
    }
}

/// Temporary AWS credentials the identity pool handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCredentials {
    pub access_key_id: String,
    pub secret_key: String,
    pub session_token: String,
    pub identity_id: String,
    /// Epoch seconds.
    pub expiration_s: i64,
    pub principal: Principal,
}

/// Records credentials, forgetting those expired before `now_s`.
pub(super) fn put_credentials(conn: &Connection, c: &IssuedCredentials, now_s: i64) -> Result<()> {
    conn.execute("DELETE FROM credentials WHERE expiration_s < ?1", [now_s])?;
    let (sub, role) = match &c.principal {
        Principal::Unauthenticated => (None, None),
        Principal::User { sub, role } => (Some(sub.as_str()), Some(role.as_str())),
    };
    conn.execute(
        "INSERT INTO credentials (access_key_id, secret, session_token, identity_id, expiration_s, sub, role)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            c.access_key_id,
            c.secret_key,
            c.session_token,
            c.identity_id,
            c.expiration_s,
            sub,
            role
        ],
    )?;
    Ok(())
}

pub(super) fn credentials(
    conn: &Connection,
    access_key_id: &str,
) -> Result<Option<IssuedCredentials>> {
    Ok(conn
        .query_row(
            "SELECT access_key_id, secret, session_token, identity_id, expiration_s, sub, role
             FROM credentials WHERE access_key_id = ?1",
            [access_key_id],
            |r| {
                let sub: Option<String> = r.get(5)?;
                let role: Option<String> = r.get(6)?;
                let principal = match (sub, role.as_deref()) {
                    (Some(sub), Some("staff")) => Principal::User {
                        sub,
                        role: Role::Staff,
                    },
                    (Some(sub), _) => Principal::User {
                        sub,
                        role: Role::Customer,
                    },
                    (None, _) => Principal::Unauthenticated,
                };
                Ok(IssuedCredentials {
                    access_key_id: r.get(0)?,
                    secret_key: r.get(1)?,
                    session_token: r.get(2)?,
                    identity_id: r.get(3)?,
                    expiration_s: r.get(4)?,
                    principal,
                })
            },
        )
        .optional()?)
}
