//! Signing in and staying signed in: the Cognito flows of contract §2 over `fetch`, the
//! session kept in localStorage per app, refreshed before it expires, and identity-pool
//! credentials for the real-time connection.

use super::split::NotLoaded;
use super::{http, jitter, local_storage, now_ms, random_bytes};
use crate::api::ApiError;
use crate::cognito::{
    self, AfterRefreshFailure, AuthStep, Claims, CognitoCall, CognitoError, Session,
};
use crate::kind::AppKind;
use crate::settings::Settings;
use crate::sigv4::AwsCredentials;
use crate::srp::{PasswordClaim, PasswordVerifier, SrpClient};

/// Refresh when the access token has less than this left.
const REFRESH_MARGIN_MS: i64 = 5 * 60 * 1000;

/// Why signing in (or staying signed in) failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Cognito(#[from] CognitoError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("Sign-in went wrong: {0}")]
    Protocol(String),
    #[error(transparent)]
    NotLoaded(#[from] NotLoaded),
}

impl crate::text::Explain for AuthError {
    fn explain(&self) -> crate::i18n::Phrase {
        use crate::i18n::Message;
        match self {
            Self::Cognito(e) => e.explain(),
            Self::Api(e) => e.explain(),
            Self::Protocol(why) => crate::text::Common::ErrSignInWentWrong.with("why", why),
            Self::NotLoaded(e) => e.explain(),
        }
    }
}

impl From<leptos::wasm_split::SplitLoaderError> for AuthError {
    fn from(e: leptos::wasm_split::SplitLoaderError) -> Self {
        Self::NotLoaded(e.into())
    }
}

// SRP's big-number arithmetic is needed only once a password is submitted: in the split
// release build it is fetched then, not with the first screen.
crate::split_off! { srp:
    /// A fresh client and its `SRP_A`.
    fn srp_client(random: [u8; 128]) -> Result<(SrpClient, String), AuthError> {
        let client = SrpClient::new(&random);
        let srp_a = client.srp_a();
        Ok((client, srp_a))
    }

    fn srp_claim(
        srp: SrpClient,
        user_pool_id: String,
        password: String,
        challenge: PasswordVerifier,
        now_ms: i64,
    ) -> Result<PasswordClaim, AuthError> {
        srp.claim(&user_pool_id, &password, &challenge, now_ms)
            .map_err(|e| AuthError::Protocol(e.to_string()))
    }
}

/// The signed-in person, read from the tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub session: Session,
    /// From the access token: `sub` is the user id the backend stores.
    pub access: Claims,
    /// From the ID token: `cognito:groups` decides admin screens (contract §2.3).
    pub id: Claims,
}

impl SignedIn {
    pub fn from_session(session: Session) -> Option<Self> {
        Some(Self {
            access: Claims::decode(&session.access_token)?,
            id: Claims::decode(&session.id_token)?,
            session,
        })
    }

    pub fn is_admin(&self) -> bool {
        self.id.is_admin() || self.access.is_admin()
    }

    /// What to call the person: their email, or their user name.
    pub fn display_name(&self) -> String {
        self.id
            .email
            .clone()
            .or_else(|| self.id.phone_number.clone())
            .or_else(|| self.access.username.clone())
            .unwrap_or_else(|| self.access.sub.clone())
    }
}

/// A texted code is on its way; answer with [`AuthClient::answer_phone_code`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneChallenge {
    session: String,
    username: String,
}

/// The outcome of answering a texted code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhoneAnswer {
    SignedIn(Box<SignedIn>),
    /// "Invalid code": try again with this challenge.
    WrongCode(PhoneChallenge),
}

/// Cognito for one app.
#[derive(Clone, Debug)]
pub struct AuthClient {
    settings: Settings,
    app: AppKind,
}

async fn call(c: CognitoCall) -> Result<String, AuthError> {
    Ok(http::cognito(&c).await??)
}

fn protocol(what: &str) -> AuthError {
    AuthError::Protocol(what.to_string())
}

impl AuthClient {
    /// The client of `app` for these settings. Sessions and identities this browser kept
    /// for other settings (another backend) are deleted.
    pub fn new(settings: Settings, app: AppKind) -> Self {
        let client = Self { settings, app };
        forget_all(app, &[&client.session_key(), &client.identity_key()]);
        client
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Per app and per backend: a device pointed at other services (new settings, a new
    /// deployment) never offers one backend's tokens to another.
    fn session_key(&self) -> String {
        format!(
            "{}{}",
            session_prefix(self.app),
            self.settings.fingerprint()
        )
    }

    /// The signed-in person's identity-pool identity, per backend like the session.
    fn identity_key(&self) -> String {
        format!(
            "{}{}",
            identity_prefix(self.app),
            self.settings.fingerprint()
        )
    }

    pub async fn sign_up(&self, email: &str, password: &str) -> Result<(), AuthError> {
        call(cognito::sign_up(&self.settings, email, password))
            .await
            .map(drop)
    }

    pub async fn confirm(&self, email: &str, code: &str) -> Result<(), AuthError> {
        call(cognito::confirm_sign_up(&self.settings, email, code))
            .await
            .map(drop)
    }

    pub async fn resend_code(&self, email: &str) -> Result<(), AuthError> {
        call(cognito::resend_code(&self.settings, email))
            .await
            .map(drop)
    }

    /// SRP sign-in; the session is stored on success.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SignedIn, AuthError> {
        let (srp, srp_a) = srp_client(random_bytes::<128>()).await?;
        let answer = call(cognito::initiate_srp(&self.settings, email, &srp_a)).await?;
        let AuthStep::PasswordVerifier(challenge) = cognito::parse_auth(&answer, now_ms(), None)?
        else {
            return Err(protocol("expected a password challenge"));
        };
        let pool = self.settings.user_pool_id.clone();
        let claim = srp_claim(srp, pool, password.into(), challenge, now_ms()).await?;
        let answer = call(cognito::respond_password_verifier(&self.settings, &claim)).await?;
        let AuthStep::Done(session) = cognito::parse_auth(&answer, now_ms(), None)? else {
            return Err(protocol("expected tokens"));
        };
        self.store(session)
    }

    fn store(&self, session: Session) -> Result<SignedIn, AuthError> {
        let signed_in =
            SignedIn::from_session(session).ok_or_else(|| protocol("unreadable tokens"))?;
        if let Some(storage) = local_storage() {
            let json = serde_json::to_string(&signed_in.session)
                .map_err(|e| AuthError::Protocol(e.to_string()))?;
            // Not storing only means signing in again next visit.
            let _ = storage.set_item(&self.session_key(), &json);
        }
        Ok(signed_in)
    }

    /// The stored session, if any (possibly expired: see [`Self::fresh`]).
    pub fn stored(&self) -> Option<SignedIn> {
        let json = local_storage()?.get_item(&self.session_key()).ok()??;
        SignedIn::from_session(serde_json::from_str(&json).ok()?)
    }

    /// A session good for a while yet: refreshed when near expiry, or now with
    /// `force`. `Ok(None)` when signed out or the refresh token was refused (sign in
    /// again); an error when the refresh could not be done for now (still signed in).
    pub async fn fresh(&self, force: bool) -> Result<Option<SignedIn>, AuthError> {
        let Some(mut current) = self.stored() else {
            return Ok(None);
        };
        if !force && current.session.expires_at_ms - now_ms() > REFRESH_MARGIN_MS {
            return Ok(Some(current));
        }
        if force {
            // The backend refused the token: it is no use, whatever its expiry says.
            current.session.expires_at_ms = now_ms();
        }
        let refresh = current.session.refresh_token.clone();
        let mut backoff = crate::retry::Backoff::default();
        loop {
            let error = match call(cognito::refresh(&self.settings, &refresh)).await {
                Ok(answer) => match cognito::parse_auth(&answer, now_ms(), Some(&refresh))? {
                    AuthStep::Done(session) => return self.store(session).map(Some),
                    _ => protocol("expected tokens"),
                },
                Err(e) => e,
            };
            let ends_session = matches!(&error, AuthError::Cognito(e) if e.ends_session());
            let still_valid = current.session.expires_at_ms > now_ms();
            match cognito::after_refresh_failure(ends_session, still_valid, &mut backoff, jitter())
            {
                AfterRefreshFailure::SignOut => {
                    self.sign_out();
                    return Ok(None);
                }
                AfterRefreshFailure::UseCurrent => return Ok(Some(current)),
                AfterRefreshFailure::RetryIn(ms) => super::sleep(ms).await,
                AfterRefreshFailure::GiveUp => return Err(error),
            }
        }
    }

    /// Phone sign-in (V1/E, contract §2.2): the account is created on first use with a
    /// random password nobody types, then Cognito texts a code.
    pub async fn start_phone_sign_in(&self, phone: &str) -> Result<PhoneChallenge, AuthError> {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+";
        let password: String = random_bytes::<30>()
            .iter()
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect();
        match call(cognito::sign_up_phone(&self.settings, phone, &password)).await {
            Ok(_) => {}
            // A returning customer: the account exists, which is fine.
            Err(AuthError::Cognito(e)) if e.kind == cognito::CognitoErrorKind::UsernameExists => {}
            Err(e) => return Err(e),
        }
        let answer = call(cognito::initiate_custom(&self.settings, phone)).await?;
        match cognito::parse_auth(&answer, now_ms(), None)? {
            AuthStep::CustomChallenge { session, username } => {
                Ok(PhoneChallenge { session, username })
            }
            _ => Err(protocol("expected a code challenge")),
        }
    }

    /// Answers the texted code. A wrong code gives a new challenge (same code) to retry.
    pub async fn answer_phone_code(
        &self,
        challenge: &PhoneChallenge,
        code: &str,
    ) -> Result<PhoneAnswer, AuthError> {
        let answer = call(cognito::answer_custom(
            &self.settings,
            &challenge.session,
            &challenge.username,
            code,
        ))
        .await?;
        match cognito::parse_auth(&answer, now_ms(), None)? {
            AuthStep::Done(session) => self
                .store(session)
                .map(|u| PhoneAnswer::SignedIn(Box::new(u))),
            AuthStep::CustomChallenge { session, username } => {
                Ok(PhoneAnswer::WrongCode(PhoneChallenge { session, username }))
            }
            AuthStep::PasswordVerifier(_) => Err(protocol("unexpected password challenge")),
        }
    }

    /// Ends the session: the refresh token is revoked at Cognito (in the background: the
    /// person is signed out at once, network or not), and every token, identity and
    /// code-in-progress this app kept in the browser is deleted.
    pub fn sign_out(&self) {
        if let Some(session) = self.stored().map(|s| s.session) {
            let revoke = cognito::revoke(&self.settings, &session.refresh_token);
            wasm_bindgen_futures::spawn_local(async move {
                // Not revoked (offline): the token is gone from here all the same.
                let _ = call(revoke).await;
            });
        }
        forget_all(self.app, &[]);
    }

    /// Identity-pool credentials for IoT (contract §2.4): of an unauthenticated identity,
    /// as the workshop's pool needs, or where the settings ask for authenticated
    /// identities, of the signed-in person's (`GetId` and `GetCredentialsForIdentity`
    /// with their ID token in `Logins`, as AWS Amplify does, so the identity pool gives
    /// the role of their group). The identity id is kept per person.
    pub async fn credentials(&self) -> Result<(AwsCredentials, i64), AuthError> {
        let user = self
            .fresh(false)
            .await?
            .ok_or_else(|| protocol("signed out"))?;
        let id_token = Some(user.session.id_token.as_str());
        let owner = format!("{} ", user.access.sub);
        let cached = local_storage()
            .and_then(|s| s.get_item(&self.identity_key()).ok().flatten())
            .and_then(|kept| kept.strip_prefix(&owner).map(str::to_string));
        let identity = match cached {
            Some(id) => id,
            None => {
                let answer = call(cognito::get_id(&self.settings, id_token)).await?;
                let id = cognito::parse_identity_id(&answer)
                    .ok_or_else(|| protocol("no identity id"))?;
                if let Some(s) = local_storage() {
                    let _ = s.set_item(&self.identity_key(), &format!("{owner}{id}"));
                }
                id
            }
        };
        match call(cognito::get_credentials(
            &self.settings,
            &identity,
            id_token,
        ))
        .await
        {
            Ok(answer) => {
                cognito::parse_credentials(&answer).ok_or_else(|| protocol("no credentials"))
            }
            Err(AuthError::Cognito(e)) if matches!(&e.kind, cognito::CognitoErrorKind::Other(k) if k == "ResourceNotFoundException") =>
            {
                // The pool forgot this identity (a reset emulator): get a new one.
                if let Some(s) = local_storage() {
                    let _ = s.remove_item(&self.identity_key());
                }
                Box::pin(self.credentials()).await
            }
            Err(e) => Err(e),
        }
    }
}

fn session_prefix(app: AppKind) -> String {
    format!("serverlesspresso.{}.session.", app.slug())
}

fn identity_prefix(app: AppKind) -> String {
    format!("serverlesspresso.{}.identity.", app.slug())
}

/// Deletes every session and identity `app` keeps in localStorage but the ones named in
/// `keep`, and everything it keeps in this tab's sessionStorage when `keep` is empty
/// (signing out, or new settings: nothing of the person stays).
pub fn forget_all(app: AppKind, keep: &[&str]) {
    let prefixes = [session_prefix(app), identity_prefix(app)];
    if let Some(storage) = local_storage() {
        remove_keys(&storage, |key| {
            prefixes.iter().any(|p| key.starts_with(p.as_str())) && !keep.contains(&key)
        });
    }
    if keep.is_empty() {
        let tab = format!("serverlesspresso.{}.", app.slug());
        if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
            remove_keys(&storage, |key| key.starts_with(&tab));
        }
    }
}

fn remove_keys(storage: &web_sys::Storage, doomed: impl Fn(&str) -> bool) {
    let count = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| doomed(key))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}
