//! Cognito's JSON protocol (contract §2.2, §2.4), without I/O: each call is a
//! [`CognitoCall`] (target and body) and each answer is read by a function here, so the
//! browser client and native tools send the same requests and read them the same way.

use crate::settings::Settings;
use crate::sigv4::AwsCredentials;
use crate::srp::{PasswordClaim, PasswordVerifier};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

/// One request: `POST <endpoint>` with `X-Amz-Target: <target>` and a JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct CognitoCall {
    pub url: String,
    pub target: String,
    pub body: Value,
}

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

fn idp(settings: &Settings, action: &str, mut body: Value) -> CognitoCall {
    body["ClientId"] = json!(settings.client_id);
    CognitoCall {
        url: settings.cognito_idp_url(),
        target: format!("AWSCognitoIdentityProviderService.{action}"),
        body,
    }
}

fn identity(settings: &Settings, action: &str, body: Value) -> CognitoCall {
    CognitoCall {
        url: settings.cognito_identity_url(),
        target: format!("AWSCognitoIdentityService.{action}"),
        body,
    }
}

/// Sign-up with email and password (W).
pub fn sign_up(settings: &Settings, email: &str, password: &str) -> CognitoCall {
    idp(
        settings,
        "SignUp",
        json!({
            "Username": email, "Password": password,
            "UserAttributes": [{"Name": "email", "Value": email}],
        }),
    )
}

pub fn confirm_sign_up(settings: &Settings, username: &str, code: &str) -> CognitoCall {
    idp(
        settings,
        "ConfirmSignUp",
        json!({"Username": username, "ConfirmationCode": code}),
    )
}

pub fn resend_code(settings: &Settings, username: &str) -> CognitoCall {
    idp(
        settings,
        "ResendConfirmationCode",
        json!({"Username": username}),
    )
}

/// First half of SRP sign-in.
pub fn initiate_srp(settings: &Settings, username: &str, srp_a: &str) -> CognitoCall {
    idp(
        settings,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"USERNAME": username, "SRP_A": srp_a},
        }),
    )
}

/// Second half of SRP sign-in.
pub fn respond_password_verifier(settings: &Settings, claim: &PasswordClaim) -> CognitoCall {
    idp(
        settings,
        "RespondToAuthChallenge",
        json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": {
                "USERNAME": claim.user_id_for_srp, "TIMESTAMP": claim.timestamp,
                "PASSWORD_CLAIM_SECRET_BLOCK": claim.secret_block,
                "PASSWORD_CLAIM_SIGNATURE": claim.signature,
            },
        }),
    )
}

pub fn refresh(settings: &Settings, refresh_token: &str) -> CognitoCall {
    idp(
        settings,
        "InitiateAuth",
        json!({
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": refresh_token},
        }),
    )
}

/// Phone sign-in (V1/E): sign-up with a random password (the user never types it),
/// then `CUSTOM_AUTH` and the SMS code.
pub fn sign_up_phone(settings: &Settings, phone: &str, random_password: &str) -> CognitoCall {
    idp(
        settings,
        "SignUp",
        json!({
            "Username": phone, "Password": random_password,
            "UserAttributes": [{"Name": "name", "Value": phone}],
        }),
    )
}

/// A phone number as Cognito's phone pools want it: `+` and 8 to 15 digits (E.164).
pub fn is_e164(phone: &str) -> bool {
    let digits = phone.strip_prefix('+').unwrap_or("");
    (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

pub fn initiate_custom(settings: &Settings, phone: &str) -> CognitoCall {
    idp(
        settings,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "AuthParameters": {"USERNAME": phone}}),
    )
}

pub fn answer_custom(
    settings: &Settings,
    session: &str,
    username: &str,
    code: &str,
) -> CognitoCall {
    idp(
        settings,
        "RespondToAuthChallenge",
        json!({
            "ChallengeName": "CUSTOM_CHALLENGE", "Session": session,
            "ChallengeResponses": {"USERNAME": username, "ANSWER": code},
        }),
    )
}

/// The name an identity pool knows this user pool's ID tokens by, as the key of
/// `Logins`: `cognito-idp.<region>.amazonaws.com/<userPoolId>`.
pub fn login_provider(settings: &Settings) -> String {
    format!(
        "cognito-idp.{}.amazonaws.com/{}",
        settings.region, settings.user_pool_id
    )
}

/// `Logins` for an authenticated identity: the signed-in person's ID token.
fn logins(settings: &Settings, id_token: &str) -> Value {
    let mut logins = serde_json::Map::new();
    logins.insert(login_provider(settings), json!(id_token));
    Value::Object(logins)
}

/// The ID token to send as `Logins`: the signed-in person's, where the settings ask for
/// authenticated identities ([`Settings::authenticated_identities`]), else none.
fn login_token<'a>(settings: &Settings, id_token: Option<&'a str>) -> Option<&'a str> {
    id_token.filter(|_| settings.authenticated_identities)
}

/// `GetId`: where the settings ask for authenticated identities, the signed-in person's
/// (their ID token in `Logins`, as AWS Amplify sends it: the identity pool then picks
/// the role from the token); otherwise, or before signing in, an unauthenticated one.
pub fn get_id(settings: &Settings, id_token: Option<&str>) -> CognitoCall {
    let mut body = json!({"IdentityPoolId": settings.identity_pool_id});
    if let Some(token) = login_token(settings, id_token) {
        body["Logins"] = logins(settings, token);
    }
    identity(settings, "GetId", body)
}

/// `GetCredentialsForIdentity`, with the same `Logins` as the `GetId` that made the
/// identity (an authenticated identity's credentials need them).
pub fn get_credentials(
    settings: &Settings,
    identity_id: &str,
    id_token: Option<&str>,
) -> CognitoCall {
    let mut body = json!({"IdentityId": identity_id});
    if let Some(token) = login_token(settings, id_token) {
        body["Logins"] = logins(settings, token);
    }
    identity(settings, "GetCredentialsForIdentity", body)
}

/// Signing out: `RevokeToken` ends the refresh token (and the tokens issued from it),
/// so a copy of it left anywhere is of no use.
pub fn revoke(settings: &Settings, refresh_token: &str) -> CognitoCall {
    idp(settings, "RevokeToken", json!({"Token": refresh_token}))
}

/// The kinds of Cognito errors the apps tell apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CognitoErrorKind {
    NotAuthorized,
    UserNotFound,
    UserNotConfirmed,
    UsernameExists,
    CodeMismatch,
    ExpiredCode,
    InvalidPassword,
    InvalidParameter,
    TooManyRequests,
    Other(String),
}

/// A Cognito error answer, with a message a person understands.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::Phrase::say(&crate::text::Explain::explain(self), crate::i18n::Lang::En, &Default::default()))]
pub struct CognitoError {
    pub kind: CognitoErrorKind,
    /// What the service said.
    pub message: String,
}

impl CognitoError {
    /// Reads `{"__type","message"}`.
    pub fn parse(body: &str) -> Self {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let raw = v.get("__type").and_then(Value::as_str).unwrap_or("Unknown");
        let name = raw.rsplit('#').next().unwrap_or(raw);
        let kind = match name {
            "NotAuthorizedException" => CognitoErrorKind::NotAuthorized,
            "UserNotFoundException" => CognitoErrorKind::UserNotFound,
            "UserNotConfirmedException" => CognitoErrorKind::UserNotConfirmed,
            "UsernameExistsException" => CognitoErrorKind::UsernameExists,
            "CodeMismatchException" => CognitoErrorKind::CodeMismatch,
            "ExpiredCodeException" => CognitoErrorKind::ExpiredCode,
            "InvalidPasswordException" => CognitoErrorKind::InvalidPassword,
            "InvalidParameterException" => CognitoErrorKind::InvalidParameter,
            "TooManyRequestsException" | "LimitExceededException" => {
                CognitoErrorKind::TooManyRequests
            }
            other => CognitoErrorKind::Other(other.to_string()),
        };
        let message = v
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Self { kind, message }
    }
}

impl CognitoError {
    /// Whether this answer to a refresh ends the session: Cognito refused the refresh
    /// token itself (expired, revoked, or the user is gone). Anything else (throttling,
    /// a fault of the service) passes, and the person stays signed in.
    pub fn ends_session(&self) -> bool {
        matches!(
            self.kind,
            CognitoErrorKind::NotAuthorized | CognitoErrorKind::UserNotFound
        )
    }
}

/// How many times a refresh is tried in a row before the caller is told.
pub const REFRESH_ATTEMPTS: u32 = 4;

/// What to do after a token refresh failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterRefreshFailure {
    /// Cognito refused the refresh token: sign in again.
    SignOut,
    /// The access token is still good for a while: use it, refresh next time.
    UseCurrent,
    /// Try again after this many milliseconds.
    RetryIn(u32),
    /// Tried enough for now: report it, still signed in; a later call tries again.
    GiveUp,
}

/// The refresh policy: a session ends only when Cognito refuses the refresh token; a
/// throttled or failing service, or no network, never signs anyone out (a TV would sign
/// itself out on a hiccup).
pub fn after_refresh_failure(
    ends_session: bool,
    current_still_valid: bool,
    backoff: &mut crate::retry::Backoff,
    jitter: f64,
) -> AfterRefreshFailure {
    if ends_session {
        AfterRefreshFailure::SignOut
    } else if current_still_valid {
        AfterRefreshFailure::UseCurrent
    } else if backoff.attempt() + 1 >= REFRESH_ATTEMPTS {
        AfterRefreshFailure::GiveUp
    } else {
        AfterRefreshFailure::RetryIn(backoff.next_delay_ms(jitter))
    }
}

/// What a sign-in (or refresh) yields.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: String,
    /// When the access token expires (ms since the epoch).
    pub expires_at_ms: i64,
}

/// What `InitiateAuth` answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthStep {
    /// SRP: prove the password.
    PasswordVerifier(PasswordVerifier),
    /// Phone: enter the SMS code.
    CustomChallenge {
        session: String,
        username: String,
    },
    Done(Session),
}

fn field(v: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Reads an `InitiateAuth` or `RespondToAuthChallenge` answer. `refresh_token` is kept
/// when the answer has none (refresh answers do not repeat it).
pub fn parse_auth(
    body: &str,
    now_ms: i64,
    refresh_token: Option<&str>,
) -> Result<AuthStep, CognitoError> {
    let bad = || CognitoError {
        kind: CognitoErrorKind::Other("BadResponse".into()),
        message: "unreadable answer".into(),
    };
    let v: Value = serde_json::from_str(body).map_err(|_| bad())?;
    if let Some(result) = v.get("AuthenticationResult") {
        let expires_in = result
            .get("ExpiresIn")
            .and_then(Value::as_i64)
            .unwrap_or(3600);
        return Ok(AuthStep::Done(Session {
            access_token: field(result, &["AccessToken"]).ok_or_else(bad)?,
            id_token: field(result, &["IdToken"]).ok_or_else(bad)?,
            refresh_token: field(result, &["RefreshToken"])
                .or(refresh_token.map(str::to_string))
                .ok_or_else(bad)?,
            expires_at_ms: now_ms + expires_in * 1000,
        }));
    }
    match v.get("ChallengeName").and_then(Value::as_str) {
        Some("PASSWORD_VERIFIER") => {
            let p = |k: &str| field(&v, &["ChallengeParameters", k]).ok_or_else(bad);
            Ok(AuthStep::PasswordVerifier(PasswordVerifier {
                salt_hex: p("SALT")?,
                srp_b_hex: p("SRP_B")?,
                secret_block: p("SECRET_BLOCK")?,
                user_id_for_srp: p("USER_ID_FOR_SRP")?,
            }))
        }
        Some("CUSTOM_CHALLENGE") => Ok(AuthStep::CustomChallenge {
            session: field(&v, &["Session"]).ok_or_else(bad)?,
            username: field(&v, &["ChallengeParameters", "USERNAME"]).ok_or_else(bad)?,
        }),
        _ => Err(bad()),
    }
}

/// `GetId`'s identity id.
pub fn parse_identity_id(body: &str) -> Option<String> {
    field(&serde_json::from_str(body).ok()?, &["IdentityId"])
}

/// `GetCredentialsForIdentity`: the credentials and when they expire (ms).
pub fn parse_credentials(body: &str) -> Option<(AwsCredentials, i64)> {
    let v: Value = serde_json::from_str(body).ok()?;
    let c = v.get("Credentials")?;
    let expiration = c.get("Expiration").and_then(Value::as_f64)?;
    Some((
        AwsCredentials {
            access_key_id: field(c, &["AccessKeyId"])?,
            secret_access_key: field(c, &["SecretKey"])?,
            session_token: field(c, &["SessionToken"]),
        },
        (expiration * 1000.0) as i64,
    ))
}

/// The claims the apps use, read (not verified: the backend verifies) from a JWT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub username: Option<String>,
    pub email: Option<String>,
    /// The phone number of a V1/E user (whose `username` is their `sub`).
    pub phone_number: Option<String>,
    pub groups: Vec<String>,
    /// Expiry (ms since the epoch).
    pub expires_at_ms: i64,
}

impl Claims {
    pub fn decode(jwt: &str) -> Option<Self> {
        let payload = URL_SAFE_NO_PAD
            .decode(jwt.split('.').nth(1)?.trim_end_matches('='))
            .ok()?;
        let v: Value = serde_json::from_slice(&payload).ok()?;
        Some(Self {
            sub: field(&v, &["sub"])?,
            username: field(&v, &["username"]).or_else(|| field(&v, &["cognito:username"])),
            email: field(&v, &["email"]),
            phone_number: field(&v, &["phone_number"]),
            groups: v
                .get("cognito:groups")
                .and_then(Value::as_array)
                .map(|g| {
                    g.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            expires_at_ms: v.get("exp").and_then(Value::as_i64)? * 1000,
        })
    }

    pub fn is_admin(&self) -> bool {
        self.groups.iter().any(|g| g == "admin")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::AppKind;

    fn settings() -> Settings {
        crate::settings::sample_draft()
            .validate(AppKind::Barista)
            .unwrap()
    }

    #[test]
    fn calls_carry_target_client_id_and_endpoint() {
        let s = settings();
        let call = initiate_srp(&s, "ana@example.com", "abc");
        assert_eq!(call.url, "https://cognito-idp.us-east-1.amazonaws.com/");
        assert_eq!(
            call.target,
            "AWSCognitoIdentityProviderService.InitiateAuth"
        );
        assert_eq!(call.body["ClientId"], "clientid");
        assert_eq!(call.body["AuthParameters"]["SRP_A"], "abc");
        let id = get_id(&s, None);
        assert_eq!(id.url, "https://cognito-identity.us-east-1.amazonaws.com/");
        assert!(id.body.get("ClientId").is_none());
        assert!(id.body.get("Logins").is_none());
    }

    #[test]
    fn identities_are_unauthenticated_unless_the_settings_ask_otherwise() {
        // The workshop backend's pool attaches no AWS IoT policy: an authenticated
        // identity could not connect, so its ID token is not sent.
        let s = settings();
        assert!(!s.authenticated_identities);
        assert!(get_id(&s, Some("id.token.jwt"))
            .body
            .get("Logins")
            .is_none());
        let credentials = get_credentials(&s, "us-east-1:abc", Some("id.token.jwt"));
        assert!(credentials.body.get("Logins").is_none());
    }

    #[test]
    fn authenticated_identities_carry_the_id_token_under_the_pools_provider_name() {
        let mut draft = crate::settings::sample_draft();
        draft.set(crate::settings::Field::Identities, "authenticated");
        let s = draft.validate(AppKind::Barista).unwrap();
        let expected = json!({format!("cognito-idp.us-east-1.amazonaws.com/{}", s.user_pool_id): "id.token.jwt"});
        assert_eq!(get_id(&s, Some("id.token.jwt")).body["Logins"], expected);
        let credentials = get_credentials(&s, "us-east-1:abc", Some("id.token.jwt"));
        assert_eq!(credentials.body["Logins"], expected);
        assert_eq!(credentials.body["IdentityId"], "us-east-1:abc");
        let revoke = revoke(&s, "refresh-token");
        assert_eq!(
            revoke.target,
            "AWSCognitoIdentityProviderService.RevokeToken"
        );
        assert_eq!(
            revoke.body,
            json!({"Token": "refresh-token", "ClientId": "clientid"})
        );
    }

    #[test]
    fn reads_challenges_and_results() {
        let step = parse_auth(r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","SRP_B":"cd","SECRET_BLOCK":"ef","USER_ID_FOR_SRP":"ana","USERNAME":"ana"}}"#, 0, None).unwrap();
        assert!(matches!(step, AuthStep::PasswordVerifier(p) if p.srp_b_hex == "cd"));
        let done = parse_auth(r#"{"AuthenticationResult":{"AccessToken":"a","IdToken":"i","ExpiresIn":3600,"TokenType":"Bearer"}}"#, 1_000, Some("r")).unwrap();
        assert_eq!(
            done,
            AuthStep::Done(Session {
                access_token: "a".into(),
                id_token: "i".into(),
                refresh_token: "r".into(),
                expires_at_ms: 3_601_000
            })
        );
        assert!(parse_auth("{}", 0, None).is_err());
    }

    #[test]
    fn errors_read_and_explain() {
        let e = CognitoError::parse(
            r#"{"__type":"UsernameExistsException","message":"User already exists"}"#,
        );
        assert_eq!(e.kind, CognitoErrorKind::UsernameExists);
        assert_eq!(
            e.to_string(),
            "An account with this email already exists. Sign in instead."
        );
        let prefixed = CognitoError::parse(
            r#"{"__type":"com.amazonaws#NotAuthorizedException","message":"Incorrect username or password."}"#,
        );
        assert_eq!(prefixed.kind, CognitoErrorKind::NotAuthorized);
        assert_eq!(
            CognitoError::parse("garbage").kind,
            CognitoErrorKind::Other("Unknown".into())
        );
    }

    #[test]
    fn phone_numbers() {
        assert!(is_e164("+15551234567"));
        assert!(is_e164("+447700900123"));
        for bad in [
            "15551234567",
            "+1555",
            "+0123456789",
            "+1555123456789012",
            "+1555abc4567",
            "",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn credentials_and_claims() {
        let (c, exp) = parse_credentials(r#"{"IdentityId":"i","Credentials":{"AccessKeyId":"A","SecretKey":"S","SessionToken":"T","Expiration":1700000000}}"#).unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.session_token.as_deref(), exp),
            ("A", Some("T"), 1_700_000_000_000)
        );
        let payload = URL_SAFE_NO_PAD.encode(
            br#"{"sub":"s1","cognito:groups":["admin"],"username":"ana","exp":1700000000}"#,
        );
        let claims = Claims::decode(&format!("h.{payload}.sig")).unwrap();
        assert!(claims.is_admin());
        assert_eq!(
            (claims.sub.as_str(), claims.expires_at_ms),
            ("s1", 1_700_000_000_000)
        );
        assert_eq!(Claims::decode("nope"), None);
    }

    #[test]
    fn only_a_refused_refresh_token_ends_a_session() {
        use crate::retry::Backoff;
        let refused = CognitoError::parse(
            r#"{"__type":"NotAuthorizedException","message":"Refresh Token has expired"}"#,
        );
        let throttled = CognitoError::parse(
            r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#,
        );
        let broken = CognitoError::parse(r#"{"__type":"InternalErrorException","message":"x"}"#);
        assert!(refused.ends_session());
        assert!(!throttled.ends_session());
        assert!(!broken.ends_session());

        let mut backoff = Backoff::default();
        assert_eq!(
            after_refresh_failure(true, true, &mut backoff, 0.0),
            AfterRefreshFailure::SignOut
        );
        assert_eq!(
            after_refresh_failure(false, true, &mut backoff, 0.0),
            AfterRefreshFailure::UseCurrent,
            "a token that still works is used"
        );
        let tries: Vec<_> = (0..REFRESH_ATTEMPTS)
            .map(|_| after_refresh_failure(false, false, &mut backoff, 0.0))
            .collect();
        assert_eq!(
            tries,
            [
                AfterRefreshFailure::RetryIn(500),
                AfterRefreshFailure::RetryIn(1000),
                AfterRefreshFailure::RetryIn(2000),
                AfterRefreshFailure::GiveUp,
            ]
        );
    }
}
