//! The settings every app needs (contract §1): the model, its validation, and the
//! query-string hand-off from the display board (§1.2).
//!
//! One shape, [`SettingsDraft`], carries what a person typed, what a hand-off URL
//! holds and what localStorage keeps; [`SettingsDraft::validate`] turns it into the
//! typed [`Settings`] the rest of the code uses.

use crate::url::{check_host_port, Endpoint, HostError, SchemeKind, UrlError};
use std::collections::BTreeMap;
use std::fmt;

// Also named from here, where they used to live (the REST client and the fuzz targets
// do).
pub use crate::kind::{AppKind, Flavour};

/// What each app needs of the settings.
impl AppKind {
    /// The fields this app shows on its settings page, in order (contract §1.1).
    pub fn fields(self) -> &'static [Field] {
        use Field::*;
        match self {
            Self::Order => &[
                Region,
                UserPoolId,
                UserPoolWebClientId,
                IdentityPoolId,
                Identities,
                IotHost,
                OrderManagerEndpoint,
                ValidatorEndpoint,
                ConfigEndpoint,
                Flavour,
                EventId,
                JourneyServiceUrl,
                CognitoEndpoint,
                IotEndpoint,
                TimeScale,
            ],
            Self::Barista => &[
                Region,
                UserPoolId,
                UserPoolWebClientId,
                IdentityPoolId,
                Identities,
                IotHost,
                OrderManagerEndpoint,
                ConfigEndpoint,
                Flavour,
                EventId,
                CognitoEndpoint,
                IotEndpoint,
                TimeScale,
            ],
            Self::Display => &[
                Region,
                UserPoolId,
                UserPoolWebClientId,
                IdentityPoolId,
                Identities,
                IotHost,
                OrderManagerEndpoint,
                ValidatorEndpoint,
                ConfigEndpoint,
                OrderAppUrl,
                BaristaAppUrl,
                Flavour,
                EventId,
                CognitoEndpoint,
                IotEndpoint,
                TimeScale,
            ],
        }
    }

    /// localStorage key. Per app, because the emulator serves all three apps from
    /// one origin and each app's "Clear settings" must only clear its own.
    pub fn storage_key(self) -> String {
        format!("serverlesspresso.{}.settings", self.slug())
    }
}

/// One setting. Its [`key`](Field::key) is the name used in query strings and storage;
/// the first six are exactly the keys of the W stack's `DisplayAppURI` output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Region,
    UserPoolId,
    UserPoolWebClientId,
    OrderManagerEndpoint,
    ValidatorEndpoint,
    ConfigEndpoint,
    IdentityPoolId,
    /// Authenticated or unauthenticated identity-pool identities for AWS IoT.
    Identities,
    IotHost,
    OrderAppUrl,
    BaristaAppUrl,
    JourneyServiceUrl,
    EventId,
    Flavour,
    CognitoEndpoint,
    IotEndpoint,
    TimeScale,
}

impl Field {
    pub const ALL: [Field; 17] = [
        Field::Region,
        Field::UserPoolId,
        Field::UserPoolWebClientId,
        Field::OrderManagerEndpoint,
        Field::ValidatorEndpoint,
        Field::ConfigEndpoint,
        Field::IdentityPoolId,
        Field::Identities,
        Field::IotHost,
        Field::OrderAppUrl,
        Field::BaristaAppUrl,
        Field::JourneyServiceUrl,
        Field::EventId,
        Field::Flavour,
        Field::CognitoEndpoint,
        Field::IotEndpoint,
        Field::TimeScale,
    ];

    /// Query-string and storage key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::UserPoolId => "userPoolId",
            Self::UserPoolWebClientId => "userPoolWebClientId",
            Self::OrderManagerEndpoint => "orderManagerEndpoint",
            Self::ValidatorEndpoint => "APIGWEndpointValidatorService",
            Self::ConfigEndpoint => "APIGWEndpointConfigService",
            Self::IdentityPoolId => "poolId",
            Self::Identities => "identities",
            Self::IotHost => "host",
            Self::OrderAppUrl => "orderAppUrl",
            Self::BaristaAppUrl => "baristaAppUrl",
            Self::JourneyServiceUrl => "journeyServiceURL",
            Self::EventId => "eventId",
            Self::Flavour => "flavour",
            Self::CognitoEndpoint => "cognitoEndpoint",
            Self::IotEndpoint => "iotEndpoint",
            Self::TimeScale => "timeScale",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Region => "Region",
            Self::UserPoolId => "User pool id",
            Self::UserPoolWebClientId => "User pool app client id",
            Self::OrderManagerEndpoint => "Order manager endpoint",
            Self::ValidatorEndpoint => "Validator endpoint",
            Self::ConfigEndpoint => "Config endpoint",
            Self::IdentityPoolId => "Identity pool id",
            Self::Identities => "Identities",
            Self::IotHost => "IoT host",
            Self::OrderAppUrl => "Order app URL",
            Self::BaristaAppUrl => "Barista app URL",
            Self::JourneyServiceUrl => "Order journey URL",
            Self::EventId => "Event id",
            Self::Flavour => "Backend",
            Self::CognitoEndpoint => "Cognito endpoint override",
            Self::IotEndpoint => "IoT WebSocket override",
            Self::TimeScale => "Time scale",
        }
    }

    /// An example value, shown as the input's placeholder.
    pub fn example(self) -> &'static str {
        match self {
            Self::Region => "us-east-1",
            Self::UserPoolId => "us-east-1_AbCdEf123",
            Self::UserPoolWebClientId => "1a2b3c4d5e6f7g8h9i0j1k2l3m",
            Self::OrderManagerEndpoint | Self::ValidatorEndpoint | Self::ConfigEndpoint => {
                "https://abc123.execute-api.us-east-1.amazonaws.com/Prod/"
            }
            Self::IdentityPoolId => "us-east-1:11111111-2222-3333-4444-555555555555",
            Self::Identities => "unauthenticated",
            Self::IotHost => "a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com",
            Self::OrderAppUrl => "https://order.example.com/",
            Self::BaristaAppUrl => "https://barista.example.com/",
            Self::JourneyServiceUrl => "https://d111111abcdef8.cloudfront.net/",
            Self::EventId => "ABC",
            Self::Flavour => "W",
            Self::CognitoEndpoint => "http://127.0.0.1:8080/cognito/",
            Self::IotEndpoint => "ws://127.0.0.1:8080/mqtt",
            Self::TimeScale => "1",
        }
    }

    /// Where to find the value.
    pub fn help(self) -> &'static str {
        match self {
            Self::Region => "The AWS region of the deployment.",
            Self::UserPoolId => "Cognito user pool id, from the stack outputs.",
            Self::UserPoolWebClientId => "The user pool's app client id (no secret).",
            Self::OrderManagerEndpoint => "Order manager REST API, ending in /Prod/.",
            Self::ValidatorEndpoint => "Validator (QR code) REST API, ending in /Prod/.",
            Self::ConfigEndpoint => "Config REST API, ending in /Prod/.",
            Self::IdentityPoolId => "aws cognito-identity list-identity-pools --max-results 10",
            Self::Identities => {
                "unauthenticated for the workshop backend's identity pool; authenticated for the pool of deploy/least-privilege.yaml."
            }
            Self::IotHost => "aws iot describe-endpoint --endpoint-type iot:Data-ATS",
            Self::OrderAppUrl => {
                "Where customers' phones open the order app; the QR code points here."
            }
            Self::BaristaAppUrl => {
                "Where the barista console runs; used by “Configure barista app”."
            }
            Self::JourneyServiceUrl => "Order journey pages (V1 and E backends only).",
            Self::EventId => "Event key of the multi-event (E) backend.",
            Self::Flavour => "Which generation of the Serverlesspresso backend this is.",
            Self::CognitoEndpoint => {
                "Only for a local emulator: replaces the Cognito service URLs."
            }
            Self::IotEndpoint => "Only for a local emulator: replaces wss://<IoT host>/mqtt.",
            Self::TimeScale => {
                "Only for an emulator started with --time-scale: how much faster its timers run."
            }
        }
    }

    /// Settings most people never touch; the page tucks them away.
    pub fn is_advanced(self) -> bool {
        matches!(
            self,
            Self::Flavour
                | Self::Identities
                | Self::EventId
                | Self::JourneyServiceUrl
                | Self::CognitoEndpoint
                | Self::IotEndpoint
                | Self::TimeScale
        )
    }

    /// Whether a value is needed, given the backend flavour.
    pub fn is_required(self, flavour: Flavour) -> bool {
        match self {
            Self::EventId => flavour == Flavour::E,
            Self::Flavour
            | Self::Identities
            | Self::JourneyServiceUrl
            | Self::BaristaAppUrl
            | Self::CognitoEndpoint
            | Self::IotEndpoint
            | Self::TimeScale => false,
            _ => true,
        }
    }

    /// Checks one trimmed, non-empty value on its own.
    fn check(self, value: &str) -> Result<(), FieldError> {
        let url = |kind| {
            Endpoint::parse(value, kind)
                .map(drop)
                .map_err(FieldError::Url)
        };
        match self {
            Self::Region => check_region(value),
            Self::UserPoolId => check_user_pool_id(value),
            Self::UserPoolWebClientId => check_client_id(value),
            Self::IdentityPoolId => check_identity_pool_id(value),
            Self::IotHost => check_iot_host(value),
            Self::EventId => check_event_id(value),
            Self::Flavour => Flavour::parse(value).map(drop).ok_or(FieldError::Flavour),
            Self::TimeScale => parse_time_scale(value).map(drop),
            Self::Identities => parse_identities(value).map(drop),
            Self::IotEndpoint => url(SchemeKind::WebSocket),
            Self::OrderManagerEndpoint
            | Self::ValidatorEndpoint
            | Self::ConfigEndpoint
            | Self::OrderAppUrl
            | Self::BaristaAppUrl
            | Self::JourneyServiceUrl
            | Self::CognitoEndpoint => url(SchemeKind::Web),
        }
    }
}

/// Why a field's value was refused. `Display` gives the message shown under the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("This field is required.")]
    Missing,
    #[error("Enter an AWS region in lower case, such as us-east-1.")]
    Region,
    #[error("Enter a user pool id: the region, an underscore, then letters and digits, such as us-east-1_AbCdEf123.")]
    UserPoolId,
    #[error(
        "Enter the app client id: letters and digits only (26 of them in a Cognito app client)."
    )]
    ClientId,
    #[error("Enter an identity pool id: the region, a colon, then an id such as 11111111-2222-3333-4444-555555555555.")]
    IdentityPoolId,
    #[error("This id is for region {found}, but the region above is {expected}.")]
    RegionMismatch { expected: String, found: String },
    #[error("Enter only the host name, without wss:// or a path, such as a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com.")]
    IotHostWithScheme,
    #[error(
        "Enter a host name such as a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com: this one {0}."
    )]
    IotHost(HostError),
    #[error("This URL {0}.")]
    Url(UrlError),
    #[error("Use letters, digits, - and _ only (at most 64).")]
    EventId,
    #[error("Choose W, E or V1.")]
    Flavour,
    #[error("Enter a whole number from 1 to 3600 (1 is real time).")]
    TimeScale,
    #[error("Enter authenticated or unauthenticated.")]
    Identities,
    #[error("Use AWS's own endpoint for this region, such as {example}, or an emulator on this machine (127.0.0.1 or localhost).")]
    NotAws { example: String },
    #[error("Only an emulator on this machine (127.0.0.1 or localhost) can be named here.")]
    LoopbackOnly,
    #[error(
        "Use https:// or wss:// (plain http:// and ws:// only for an emulator on this machine)."
    )]
    PlainHttp,
    #[error("{host} is not one of this deployment's hosts. Its settings.json lists the hosts staff may use (allowedHosts).")]
    HostNotAllowed { host: String },
    #[error(
        "This deployment's settings.json sets this value: it cannot be changed on this device."
    )]
    FixedByDeployment,
}

/// All the refusals of one validation, in the order of the app's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(Field, FieldError)>);

impl FieldErrors {
    pub fn get(&self, field: Field) -> Option<&FieldError> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, e)| e)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (field, err)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}: {err}", field.label())?;
        }
        Ok(())
    }
}

/// What a person typed, or a hand-off URL carried, keyed by field. Values are kept
/// trimmed; empty values are absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsDraft(BTreeMap<Field, String>);

impl SettingsDraft {
    pub fn get(&self, field: Field) -> &str {
        self.0.get(&field).map_or("", String::as_str)
    }

    /// Sets a value, trimmed; an empty value removes the field.
    pub fn set(&mut self, field: Field, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            self.0.remove(&field);
        } else {
            self.0.insert(field, value.to_string());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.0.keys().copied()
    }

    /// Reads settings from a query string (with or without the leading `?`), as
    /// `URLSearchParams` would: raw `DisplayAppURI` values and percent-encoded ones
    /// both work. Unknown keys (such as `token`) are ignored.
    pub fn from_query(query: &str) -> Self {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut draft = Self::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if let Some(field) = Field::from_key(&key) {
                draft.set(field, &value);
            }
        }
        draft
    }

    /// Whether a query string carries any setting (a hand-off URL rather than, say,
    /// a customer's `?token=`).
    pub fn query_has_settings(query: &str) -> bool {
        !Self::from_query(query).is_empty()
    }

    /// Removes every settings key from a query string, keeping the rest (`token`).
    /// Returns the new query without `?`, possibly empty.
    pub fn strip_from_query(query: &str) -> String {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut out = String::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if Field::from_key(&key).is_none() {
                push_query_pair(&mut out, &key, &value);
            }
        }
        out
    }

    /// This draft with every value of `over` written on top.
    pub fn overlaid_with(mut self, over: &SettingsDraft) -> Self {
        for (field, value) in &over.0 {
            self.0.insert(*field, value.clone());
        }
        self
    }

    /// Only the fields `app` uses.
    pub fn for_app(&self, app: AppKind) -> Self {
        // Inserting one by one: `collect` into a BTreeMap sorts first, and each sort
        // instantiation costs the apps a couple of kilobytes of wasm.
        let mut out = BTreeMap::new();
        for field in app.fields() {
            if let Some(value) = self.0.get(field) {
                out.insert(*field, value.clone());
            }
        }
        Self(out)
    }

    /// The query string (no `?`) that hands these settings to `app`: only that
    /// app's fields, percent-encoded.
    pub fn to_query(&self, app: AppKind) -> String {
        let mut out = String::new();
        for field in app.fields() {
            if let Some(value) = self.0.get(field) {
                push_query_pair(&mut out, field.key(), value);
            }
        }
        out
    }

    /// The storage form: a JSON object keyed by [`Field::key`].
    pub fn to_json(&self) -> String {
        let mut map = serde_json::Map::new();
        for (field, value) in &self.0 {
            map.insert(field.key().to_string(), value.as_str().into());
        }
        serde_json::Value::Object(map).to_string()
    }

    /// Reads the storage form. Unknown keys are dropped (settings of an older or newer
    /// version); anything but a JSON object of strings is an error.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        let map: BTreeMap<String, String> = serde_json::from_str(json)?;
        let mut draft = Self::default();
        for (key, value) in map {
            if let Some(field) = Field::from_key(&key) {
                draft.set(field, &value);
            }
        }
        Ok(draft)
    }

    /// The backend flavour the draft names, W when it names none or an unknown one.
    pub fn flavour(&self) -> Flavour {
        Flavour::parse(self.get(Field::Flavour)).unwrap_or_default()
    }

    /// Cognito ids embed their region; one that differs from the region setting means
    /// values from two different stacks.
    fn check_region_of(&self, field: Field) -> Result<(), FieldError> {
        let separator = match field {
            Field::UserPoolId => '_',
            Field::IdentityPoolId => ':',
            _ => return Ok(()),
        };
        let region = self.get(Field::Region);
        let found = self.get(field).split(separator).next().unwrap_or_default();
        if check_region(region).is_err() || found == region {
            return Ok(());
        }
        Err(FieldError::RegionMismatch {
            expected: region.to_string(),
            found: found.to_string(),
        })
    }

    /// Checks every field `app` uses and, when all are good, returns typed settings.
    pub fn validate(&self, app: AppKind) -> Result<Settings, FieldErrors> {
        let flavour = self.flavour();
        let mut errors = Vec::new();
        for &field in app.fields() {
            let value = self.get(field);
            let result = if value.is_empty() {
                if field.is_required(flavour) {
                    Err(FieldError::Missing)
                } else {
                    Ok(())
                }
            } else {
                field
                    .check(value)
                    .and_then(|()| self.check_region_of(field))
            };
            if let Err(e) = result {
                errors.push((field, e));
            }
        }
        if !errors.is_empty() {
            return Err(FieldErrors(errors));
        }
        Ok(Settings::from_checked(&self.for_app(app), flavour))
    }
}

/// Validated settings. Construct them with [`SettingsDraft::validate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub flavour: Flavour,
    pub region: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub identity_pool_id: String,
    pub iot_host: String,
    pub order_manager: Endpoint,
    pub config: Endpoint,
    /// Present for the order app and the display.
    pub validator: Option<Endpoint>,
    /// Present for the display.
    pub order_app: Option<Endpoint>,
    pub barista_app: Option<Endpoint>,
    pub journey_service: Option<Endpoint>,
    pub event_id: Option<String>,
    pub cognito_override: Option<Endpoint>,
    pub iot_override: Option<Endpoint>,
    /// How much faster than real time the backend's timers run (an emulator's
    /// `--time-scale`); 1 for AWS.
    pub time_scale: u32,
    /// Whether the apps ask the identity pool for the signed-in person's authenticated
    /// identity (`Logins`, a role per group: `deploy/least-privilege.yaml`, which also
    /// attaches the AWS IoT policy such an identity needs) or, as the workshop backend
    /// expects, for an unauthenticated one (its pool attaches no IoT policy, and AWS IoT
    /// refuses an authenticated identity without one).
    pub authenticated_identities: bool,
    /// The draft these came from, for saving and handing off.
    draft: SettingsDraft,
}

impl Settings {
    fn from_checked(draft: &SettingsDraft, flavour: Flavour) -> Self {
        let text = |f: Field| draft.get(f).to_string();
        let endpoint = |f: Field, kind| match draft.get(f) {
            "" => None,
            v => Endpoint::parse(v, kind).ok(),
        };
        let web = |f: Field| endpoint(f, SchemeKind::Web);
        let required = |f: Field| web(f).expect("validated before construction");
        Self {
            flavour,
            region: text(Field::Region),
            user_pool_id: text(Field::UserPoolId),
            client_id: text(Field::UserPoolWebClientId),
            identity_pool_id: text(Field::IdentityPoolId),
            iot_host: text(Field::IotHost),
            order_manager: required(Field::OrderManagerEndpoint),
            config: required(Field::ConfigEndpoint),
            validator: web(Field::ValidatorEndpoint),
            order_app: web(Field::OrderAppUrl),
            barista_app: web(Field::BaristaAppUrl),
            journey_service: web(Field::JourneyServiceUrl),
            event_id: Some(text(Field::EventId)).filter(|s| !s.is_empty()),
            cognito_override: web(Field::CognitoEndpoint),
            iot_override: endpoint(Field::IotEndpoint, SchemeKind::WebSocket),
            time_scale: parse_time_scale(draft.get(Field::TimeScale)).unwrap_or(1),
            authenticated_identities: parse_identities(draft.get(Field::Identities))
                .unwrap_or(false),
            draft: draft.clone(),
        }
    }

    pub fn draft(&self) -> &SettingsDraft {
        &self.draft
    }

    /// 16 hex digits that change whenever any service this app talks to changes: a
    /// session is kept under it, so a device pointed elsewhere never offers one
    /// backend's tokens to another.
    pub fn fingerprint(&self) -> String {
        // FNV-1a: a storage key, not a secret, and small enough for the first screen's
        // code (SHA-256 would bring its tables along).
        let mut hash = 0xcbf2_9ce4_8422_2325_u64;
        for part in [
            self.cognito_idp_url(),
            self.cognito_identity_url(),
            self.user_pool_id.clone(),
            self.client_id.clone(),
            self.identity_pool_id.clone(),
            // Another kind of identity: the one kept is of no use.
            match self.authenticated_identities {
                true => "authenticated".into(),
                false => String::new(),
            },
            self.iot_url(),
            self.order_manager.to_string(),
            self.config.to_string(),
            self.validator
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ] {
            for byte in part.bytes().chain([0]) {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }

    /// The backend's time windows, as fast as its timers run.
    pub fn windows(&self) -> crate::windows::Windows {
        crate::windows::Windows::scaled(self.time_scale)
    }

    /// Cognito user pool service URL (contract §2.2), or the emulator's.
    pub fn cognito_idp_url(&self) -> String {
        match &self.cognito_override {
            Some(e) => e.as_str().to_string(),
            None => format!("https://cognito-idp.{}.amazonaws.com/", self.region),
        }
    }

    /// Cognito identity pool service URL (contract §2.4), or the emulator's.
    pub fn cognito_identity_url(&self) -> String {
        match &self.cognito_override {
            Some(e) => e.as_str().to_string(),
            None => format!("https://cognito-identity.{}.amazonaws.com/", self.region),
        }
    }

    /// The IoT WebSocket URL before signing (contract §4.1), or the emulator's.
    pub fn iot_url(&self) -> String {
        match &self.iot_override {
            Some(e) => e.as_str().to_string(),
            None => format!("wss://{}/mqtt", self.iot_host),
        }
    }

    /// The order journey page of `order_id` (V1 and E, contract §3.4):
    /// `{journeyServiceURL}{orderId}.html`, when the deployment has the journey service.
    pub fn journey_url(&self, order_id: &str) -> Option<String> {
        let base = self.journey_service.as_ref()?;
        let base = base.as_str();
        let slash = if base.ends_with('/') { "" } else { "/" };
        Some(format!(
            "{base}{slash}{}.html",
            crate::sigv4::uri_encode(order_id)
        ))
    }

    /// The URL that opens `app` with these settings in its query string, for the
    /// display's "Configure barista app" and "Configure order app" (contract §1.2).
    /// Only staff apps take settings from a link (see [`crate::trust::takes_hand_offs`]):
    /// the order app has none.
    pub fn hand_off_url(&self, app: AppKind) -> Option<String> {
        let base = match app {
            AppKind::Barista => self.barista_app.as_ref()?,
            AppKind::Order | AppKind::Display => return None,
        };
        Some(format!("{}?{}", base.as_str(), self.draft.to_query(app)))
    }

    /// The address the TV's QR code encodes for a QR `code`: the order app with the code
    /// as its only query parameter, percent-encoded, so that whatever the backend sends
    /// cannot add parameters (contract §1.2: the customer's QR carries only the token).
    pub fn order_link(&self, code: &str) -> Option<String> {
        let mut query = String::new();
        push_query_pair(&mut query, "token", code);
        Some(format!("{}?{query}", self.order_app.as_ref()?.as_str()))
    }
}

/// A complete draft for tests elsewhere in the crate (AWS-looking values).
#[cfg(test)]
pub(crate) fn sample_draft() -> SettingsDraft {
    let mut d = SettingsDraft::default();
    for (f, v) in [
        (Field::Region, "us-east-1"),
        (Field::UserPoolId, "us-east-1_Pool"),
        (Field::UserPoolWebClientId, "clientid"),
        (
            Field::IdentityPoolId,
            "us-east-1:11111111-2222-3333-4444-555555555555",
        ),
        (Field::IotHost, "h"),
        (Field::OrderManagerEndpoint, "https://om.example/Prod/"),
        (Field::ValidatorEndpoint, "https://val.example/Prod"),
        (Field::ConfigEndpoint, "https://cfg.example/Prod/"),
    ] {
        d.set(f, v);
    }
    d
}

/// Appends `key=value`, percent-encoding only what a query value cannot hold as it is.
/// `:` and `/` stay readable, as in the stack's `DisplayAppURI`, which keeps hand-off
/// links short (and their QR codes less dense).
fn push_query_pair(out: &mut String, key: &str, value: &str) {
    fn encode(out: &mut String, text: &str) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~:/@!$'()*,;?".contains(&b) {
                out.push(b as char);
            } else {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    if !out.is_empty() {
        out.push('&');
    }
    encode(out, key);
    out.push('=');
    encode(out, value);
}

/// `identities`: `authenticated` (true) or `unauthenticated` (false, also when empty).
fn parse_identities(value: &str) -> Result<bool, FieldError> {
    match value {
        "authenticated" => Ok(true),
        "" | "unauthenticated" => Ok(false),
        _ => Err(FieldError::Identities),
    }
}

/// A time scale: a whole number from 1 (real time) to 3600.
fn parse_time_scale(value: &str) -> Result<u32, FieldError> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=3600).contains(n))
        .ok_or(FieldError::TimeScale)
}

fn check_region(value: &str) -> Result<(), FieldError> {
    let parts: Vec<&str> = value.split('-').collect();
    let letters = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && letters(parts[0])
        && parts[1..parts.len() - 1].iter().all(|p| letters(p))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    ok.then_some(()).ok_or(FieldError::Region)
}

fn check_user_pool_id(value: &str) -> Result<(), FieldError> {
    let ok = value.len() <= 55
        && value.split_once('_').is_some_and(|(region, id)| {
            check_region(region).is_ok()
                && !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    ok.then_some(()).ok_or(FieldError::UserPoolId)
}

fn check_client_id(value: &str) -> Result<(), FieldError> {
    let ok = value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+');
    ok.then_some(()).ok_or(FieldError::ClientId)
}

fn check_identity_pool_id(value: &str) -> Result<(), FieldError> {
    let is_uuid = |s: &str| {
        let groups: Vec<&str> = s.split('-').collect();
        groups.len() == 5
            && groups
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let ok = value
        .split_once(':')
        .is_some_and(|(region, id)| check_region(region).is_ok() && is_uuid(id));
    ok.then_some(()).ok_or(FieldError::IdentityPoolId)
}

fn check_iot_host(value: &str) -> Result<(), FieldError> {
    if value.contains("://") || value.contains('/') {
        return Err(FieldError::IotHostWithScheme);
    }
    check_host_port(value).map_err(FieldError::IotHost)
}

fn check_event_id(value: &str) -> Result<(), FieldError> {
    let ok = value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(()).ok_or(FieldError::EventId)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `DisplayAppURI` as the W stack prints it: values raw, not percent-encoded.
    const DISPLAY_APP_URI_QUERY: &str = "?region=us-east-1&userPoolId=us-east-1_AbCdEf123\
        &userPoolWebClientId=1a2b3c4d5e6f7g8h9i0j1k2l3m\
        &orderManagerEndpoint=https://om1.execute-api.us-east-1.amazonaws.com/Prod/\
        &APIGWEndpointValidatorService=https://val1.execute-api.us-east-1.amazonaws.com/Prod/\
        &APIGWEndpointConfigService=https://cfg1.execute-api.us-east-1.amazonaws.com/Prod/";

    fn complete_draft() -> SettingsDraft {
        let mut d = SettingsDraft::from_query(DISPLAY_APP_URI_QUERY);
        d.set(
            Field::IdentityPoolId,
            "us-east-1:11111111-2222-3333-4444-555555555555",
        );
        d.set(
            Field::IotHost,
            "a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com",
        );
        d.set(Field::OrderAppUrl, "https://order.example.com/");
        d
    }

    #[test]
    fn reads_the_display_app_uri_keys_raw() {
        let d = SettingsDraft::from_query(DISPLAY_APP_URI_QUERY);
        assert_eq!(d.get(Field::Region), "us-east-1");
        assert_eq!(d.get(Field::UserPoolId), "us-east-1_AbCdEf123");
        assert_eq!(
            d.get(Field::UserPoolWebClientId),
            "1a2b3c4d5e6f7g8h9i0j1k2l3m"
        );
        assert_eq!(
            d.get(Field::OrderManagerEndpoint),
            "https://om1.execute-api.us-east-1.amazonaws.com/Prod/"
        );
        assert_eq!(
            d.get(Field::ValidatorEndpoint),
            "https://val1.execute-api.us-east-1.amazonaws.com/Prod/"
        );
        assert_eq!(
            d.get(Field::ConfigEndpoint),
            "https://cfg1.execute-api.us-east-1.amazonaws.com/Prod/"
        );
        assert_eq!(d.fields().count(), 6);
    }

    #[test]
    fn reads_pool_id_and_host_and_percent_encoding_and_trims() {
        let d = SettingsDraft::from_query(
            "poolId=us-east-1%3A11111111-2222-3333-4444-555555555555\
             &host=%20abc-ats.iot.us-east-1.amazonaws.com%20&token=XYZ&region=",
        );
        assert_eq!(
            d.get(Field::IdentityPoolId),
            "us-east-1:11111111-2222-3333-4444-555555555555"
        );
        assert_eq!(d.get(Field::IotHost), "abc-ats.iot.us-east-1.amazonaws.com");
        // `token` is not a setting; an empty `region` is absent, not "".
        assert_eq!(d.fields().count(), 2);
        assert!(!SettingsDraft::query_has_settings("?token=V1StGXR8_Z"));
        assert!(SettingsDraft::query_has_settings(
            "?token=V1StGXR8_Z&host=h"
        ));
    }

    #[test]
    fn strip_from_query_keeps_the_token() {
        assert_eq!(
            SettingsDraft::strip_from_query("?region=us-east-1&token=V1StGXR8_Z&host=h"),
            "token=V1StGXR8_Z"
        );
        assert_eq!(SettingsDraft::strip_from_query("region=x"), "");
    }

    #[test]
    fn complete_draft_validates_for_every_app() {
        let d = complete_draft();
        for app in AppKind::ALL {
            let s = d.validate(app).unwrap_or_else(|e| panic!("{app:?}: {e}"));
            assert_eq!(s.flavour, Flavour::W);
            assert_eq!(s.region, "us-east-1");
            assert_eq!(
                s.order_manager.join("/orders"),
                "https://om1.execute-api.us-east-1.amazonaws.com/Prod/orders"
            );
            assert_eq!(
                s.cognito_idp_url(),
                "https://cognito-idp.us-east-1.amazonaws.com/"
            );
            assert_eq!(
                s.iot_url(),
                "wss://a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com/mqtt"
            );
        }
        let barista = d.validate(AppKind::Barista).unwrap();
        assert_eq!(
            barista.validator, None,
            "the barista app has no validator field"
        );
    }

    #[test]
    fn each_app_requires_its_own_fields() {
        let errors = SettingsDraft::default()
            .validate(AppKind::Barista)
            .unwrap_err();
        let missing: Vec<Field> = errors.0.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            missing,
            [
                Field::Region,
                Field::UserPoolId,
                Field::UserPoolWebClientId,
                Field::IdentityPoolId,
                Field::IotHost,
                Field::OrderManagerEndpoint,
                Field::ConfigEndpoint
            ]
        );
        assert!(errors.0.iter().all(|(_, e)| *e == FieldError::Missing));

        let mut d = complete_draft();
        d.set(Field::OrderAppUrl, "");
        assert_eq!(
            d.validate(AppKind::Display).unwrap_err().0,
            [(Field::OrderAppUrl, FieldError::Missing)]
        );
        assert!(d.validate(AppKind::Order).is_ok());
    }

    #[test]
    fn event_id_is_required_only_for_flavour_e() {
        let mut d = complete_draft();
        d.set(Field::Flavour, "e");
        assert_eq!(
            d.validate(AppKind::Order).unwrap_err().0,
            [(Field::EventId, FieldError::Missing)]
        );
        d.set(Field::EventId, "ABC");
        let s = d.validate(AppKind::Order).unwrap();
        assert_eq!(s.flavour, Flavour::E);
        assert_eq!(s.event_id.as_deref(), Some("ABC"));
    }

    #[test]
    fn field_messages_are_specific() {
        let mut d = complete_draft();
        d.set(Field::Region, "US-EAST-1");
        d.set(Field::UserPoolId, "AbCdEf123");
        d.set(Field::UserPoolWebClientId, "abc-def");
        d.set(Field::IdentityPoolId, "us-east-1:not-a-uuid");
        d.set(
            Field::IotHost,
            "wss://abc-ats.iot.us-east-1.amazonaws.com/mqtt",
        );
        d.set(
            Field::OrderManagerEndpoint,
            "abc.execute-api.us-east-1.amazonaws.com/Prod/",
        );
        d.set(
            Field::ConfigEndpoint,
            "https://cfg1.execute-api.us-east-1.amazonaws.com/Prod ",
        );
        d.set(Field::ValidatorEndpoint, "https://x.example/Prod/?a");
        let errors = d.validate(AppKind::Order).unwrap_err();
        assert_eq!(errors.get(Field::Region), Some(&FieldError::Region));
        assert_eq!(errors.get(Field::UserPoolId), Some(&FieldError::UserPoolId));
        assert_eq!(
            errors.get(Field::UserPoolWebClientId),
            Some(&FieldError::ClientId)
        );
        assert_eq!(
            errors.get(Field::IdentityPoolId),
            Some(&FieldError::IdentityPoolId)
        );
        assert_eq!(
            errors.get(Field::IotHost),
            Some(&FieldError::IotHostWithScheme)
        );
        assert_eq!(
            errors.get(Field::OrderManagerEndpoint).unwrap().to_string(),
            "This URL must start with https://."
        );
        // Trailing spaces are trimmed, not refused (WS issue #6).
        assert_eq!(errors.get(Field::ConfigEndpoint), None);
        assert_eq!(
            errors.get(Field::ValidatorEndpoint).unwrap().to_string(),
            "This URL must not contain ? or #."
        );
        assert_eq!(errors.len(), 7);
    }

    #[test]
    fn ids_must_match_the_region() {
        let mut d = complete_draft();
        d.set(Field::Region, "eu-west-1");
        let errors = d.validate(AppKind::Barista).unwrap_err();
        assert_eq!(
            errors.get(Field::UserPoolId).unwrap().to_string(),
            "This id is for region us-east-1, but the region above is eu-west-1."
        );
        assert!(errors.get(Field::IdentityPoolId).is_some());
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn region_formats() {
        for ok in [
            "us-east-1",
            "ap-southeast-2",
            "us-gov-west-1",
            "eu-central-1",
            "il-central-1",
        ] {
            assert_eq!(check_region(ok), Ok(()), "{ok}");
        }
        for bad in [
            "us-east",
            "useast1",
            "US-EAST-1",
            "u-east-1",
            "us--1",
            "us-east-1a",
            "-us-east-1",
        ] {
            assert_eq!(check_region(bad), Err(FieldError::Region), "{bad}");
        }
    }

    #[test]
    fn journey_pages_are_named_after_the_order() {
        let mut d = complete_draft();
        let plain = d.validate(AppKind::Order).unwrap();
        assert_eq!(plain.journey_url("o1"), None, "W has no journey service");
        d.set(
            Field::JourneyServiceUrl,
            "https://d111.cloudfront.net/journey",
        );
        let with = d.validate(AppKind::Order).unwrap();
        assert_eq!(
            with.journey_url("V1StGXR8_Z5jdHi6B-myT").as_deref(),
            Some("https://d111.cloudfront.net/journey/V1StGXR8_Z5jdHi6B-myT.html")
        );
    }

    #[test]
    fn emulator_overrides_replace_service_urls() {
        let mut d = complete_draft();
        d.set(Field::CognitoEndpoint, "http://127.0.0.1:8080/cognito/");
        d.set(Field::IotEndpoint, "ws://127.0.0.1:8080/mqtt");
        d.set(Field::IotHost, "127.0.0.1:8080");
        let s = d.validate(AppKind::Order).unwrap();
        assert_eq!(s.cognito_idp_url(), "http://127.0.0.1:8080/cognito/");
        assert_eq!(s.cognito_identity_url(), "http://127.0.0.1:8080/cognito/");
        assert_eq!(s.iot_url(), "ws://127.0.0.1:8080/mqtt");

        d.set(Field::IotEndpoint, "http://127.0.0.1:8080/mqtt");
        assert!(matches!(
            d.validate(AppKind::Order)
                .unwrap_err()
                .get(Field::IotEndpoint),
            Some(FieldError::Url(UrlError::WrongScheme { .. }))
        ));
    }

    #[test]
    fn storage_round_trip_drops_unknown_keys() {
        let d = complete_draft();
        assert_eq!(SettingsDraft::from_json(&d.to_json()).unwrap(), d);
        let old = r#"{"region":" us-east-1 ","APIurl":"https://old/","host":""}"#;
        let read = SettingsDraft::from_json(old).unwrap();
        assert_eq!(read.get(Field::Region), "us-east-1");
        assert_eq!(read.fields().count(), 1);
        assert!(SettingsDraft::from_json("[1,2]").is_err());
        assert!(SettingsDraft::from_json("{\"region\":1}").is_err());
    }

    #[test]
    fn hand_off_url_carries_only_the_target_apps_fields_encoded() {
        let mut d = complete_draft();
        d.set(Field::BaristaAppUrl, "http://127.0.0.1:8080/barista/");
        let s = d.validate(AppKind::Display).unwrap();
        let url = s.hand_off_url(AppKind::Barista).unwrap();
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "http://127.0.0.1:8080/barista/");
        assert!(query.contains("&poolId=us-east-1:11111111-2222-3333-4444-555555555555&"));
        assert!(query.contains(
            "&orderManagerEndpoint=https://om1.execute-api.us-east-1.amazonaws.com/Prod/&"
        ));
        assert!(
            !query.contains("APIGWEndpointValidatorService"),
            "barista has no validator"
        );
        assert!(!query.contains("orderAppUrl"));
        // What the display hands off, the barista reads back unchanged.
        let received = SettingsDraft::from_query(query);
        assert_eq!(received, d.for_app(AppKind::Barista));
        assert!(received.validate(AppKind::Barista).is_ok());

        // Customers' phones take no settings from links.
        assert_eq!(s.hand_off_url(AppKind::Order), None);
        assert_eq!(s.hand_off_url(AppKind::Display), None);
    }

    #[test]
    fn the_order_link_carries_only_the_token_encoded() {
        let s = complete_draft().validate(AppKind::Display).unwrap();
        assert_eq!(
            s.order_link("V1StGXR8_Z").as_deref(),
            Some("https://order.example.com/?token=V1StGXR8_Z")
        );
        // A code that would smuggle in settings stays one value.
        let link = s
            .order_link("x&orderManagerEndpoint=https://evil.example/#")
            .unwrap();
        assert_eq!(
            link,
            "https://order.example.com/?token=x%26orderManagerEndpoint%3Dhttps://evil.example/%23"
        );
        let query = link.split_once('?').unwrap().1;
        assert!(SettingsDraft::from_query(query).is_empty());
        assert_eq!(
            form_urlencoded::parse(query.as_bytes()).collect::<Vec<_>>(),
            [(
                "token".into(),
                "x&orderManagerEndpoint=https://evil.example/#".into()
            )]
        );
    }

    #[test]
    fn query_values_are_encoded_only_where_needed() {
        let mut d = SettingsDraft::default();
        d.set(Field::Region, "a b&c=d+e%f#g\u{e9}");
        d.set(Field::OrderManagerEndpoint, "http://h:1/Prod/");
        let query = d.to_query(AppKind::Barista);
        assert_eq!(
            query,
            "region=a%20b%26c%3Dd%2Be%25f%23g%C3%A9&orderManagerEndpoint=http://h:1/Prod/"
        );
        assert_eq!(SettingsDraft::from_query(&query), d);
    }

    #[test]
    fn query_overlays_stored_values() {
        let stored = complete_draft();
        let query = SettingsDraft::from_query("host=new-ats.iot.us-east-1.amazonaws.com");
        let merged = stored.clone().overlaid_with(&query);
        assert_eq!(
            merged.get(Field::IotHost),
            "new-ats.iot.us-east-1.amazonaws.com"
        );
        assert_eq!(merged.get(Field::Region), stored.get(Field::Region));
    }

    #[test]
    fn every_key_is_distinct_and_round_trips() {
        for f in Field::ALL {
            assert_eq!(Field::from_key(f.key()), Some(f));
            assert!(!f.label().is_empty() && !f.example().is_empty() && !f.help().is_empty());
        }
        for app in AppKind::ALL {
            // An example value of each field of each app passes its own check.
            for &f in app.fields() {
                if f != Field::Flavour {
                    assert_eq!(f.check(f.example()), Ok(()), "{f:?} example");
                }
            }
        }
    }
}
