//! Whom a device may trust with its credentials.
//!
//! Settings name the hosts that receive a person's password (Cognito), their tokens (the
//! REST APIs) and AWS credentials (the IoT endpoint's presigned URL). A link or a QR code
//! can carry settings (the staff hand-off, contract §1.2), and at a public event anyone
//! can print one. So settings from a link, from the keyboard or from this browser's
//! storage are trusted only under three rules:
//!
//! 1. **A deployment's `settings.json` is authoritative** ([`Deployment`]). With one, a
//!    device may differ from it in where credentials go (hosts, region, pool and client
//!    ids: [`Field::decides_where_credentials_go`]) only where the file allows: it names
//!    the hosts staff may point a device at (`allowedHosts`); by default none, so none of
//!    those can change. The event, the backend flavour and the time scale may.
//! 2. **Without one, hosts are AWS's own** for the service and the region
//!    (`<id>.execute-api.<region>.amazonaws.com`, `<id>-ats.iot.<region>.amazonaws.com`;
//!    Cognito's hosts follow from the region and are not settings), or loopback (the
//!    emulator, `trunk serve`). Plain `http://` and `ws://` only on loopback.
//! 3. **A change of host is shown**, old → new ([`host_changes`]), and the settings page
//!    asks for an explicit confirmation before saving it.
//!
//! The customer's order app takes no settings from links at all (see
//! [`takes_hand_offs`]): a customer cannot be expected to check hosts.

use crate::settings::{AppKind, Field, FieldError, FieldErrors, Settings, SettingsDraft};
use crate::url::{check_host_port, Endpoint, SchemeKind};
use std::collections::BTreeMap;

/// What a setting's host receives, which decides the hosts it may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// One of the three REST APIs: access tokens.
    RestApi,
    /// The IoT data endpoint: presigned URLs carrying AWS credentials.
    IotData,
    /// An override that only a local emulator needs (Cognito, the IoT WebSocket).
    Emulator,
    /// A page people are sent to (the order app the TV's QR code opens, the barista
    /// console, the journey pages).
    Page,
}

impl Field {
    /// What this setting's host receives; `None` for settings that name no host.
    pub fn destination(self) -> Option<Destination> {
        match self {
            Self::OrderManagerEndpoint | Self::ValidatorEndpoint | Self::ConfigEndpoint => {
                Some(Destination::RestApi)
            }
            Self::IotHost => Some(Destination::IotData),
            Self::CognitoEndpoint | Self::IotEndpoint => Some(Destination::Emulator),
            Self::OrderAppUrl | Self::BaristaAppUrl | Self::JourneyServiceUrl => {
                Some(Destination::Page)
            }
            Self::Region
            | Self::UserPoolId
            | Self::UserPoolWebClientId
            | Self::IdentityPoolId
            | Self::Identities
            | Self::EventId
            | Self::Flavour
            | Self::TimeScale => None,
        }
    }
}

impl Field {
    /// Whether this setting decides where a password, a token or AWS credentials go: a
    /// host, or the region and ids that name Cognito's pools (an ID token goes to the
    /// identity pool the settings name), or whether an ID token goes there at all
    /// (`identities`: the wrong kind leaves a device without its live updates).
    pub fn decides_where_credentials_go(self) -> bool {
        self.destination().is_some()
            || matches!(
                self,
                Self::Region
                    | Self::UserPoolId
                    | Self::UserPoolWebClientId
                    | Self::IdentityPoolId
                    | Self::Identities
            )
    }
}

/// Whether `app` opens its settings page from settings in its address (a staff
/// hand-off link). The order app never does: customers scan codes strangers can print.
pub fn takes_hand_offs(app: AppKind) -> bool {
    app != AppKind::Order
}

/// The host a setting names (lower case, with its port if any), and whether it is
/// reached over plain `http://`/`ws://`. `None` when the value names no host or is not
/// well-formed (the format checks say why).
pub fn host_of(field: Field, value: &str) -> Option<(String, bool)> {
    let kind = match field.destination()? {
        Destination::IotData => {
            return check_host_port(value)
                .ok()
                .map(|()| (value.to_ascii_lowercase(), false));
        }
        _ if field == Field::IotEndpoint => SchemeKind::WebSocket,
        _ => SchemeKind::Web,
    };
    let endpoint = Endpoint::parse(value, kind).ok()?;
    let plain = matches!(
        endpoint.scheme(),
        crate::url::Scheme::Http | crate::url::Scheme::Ws
    );
    Some((endpoint.authority().to_ascii_lowercase(), plain))
}

/// The host without its port (and without the brackets of an IPv6 address).
fn name_of(host: &str) -> &str {
    if let Some(v6) = host.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// `localhost`, `127.0.0.0/8` or `::1`: this machine, whatever port.
pub fn is_loopback(host: &str) -> bool {
    let name = name_of(host);
    name == "localhost" || name == "::1" || is_ipv4_loopback(name)
}

/// `127.a.b.c` written as a dotted quad of decimal numbers up to 255 (what
/// `Ipv4Addr::from_str` accepts, without pulling its parser into the first screen).
fn is_ipv4_loopback(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// Whether `host` is AWS's own host for `destination` in `region`: one DNS label of
/// letters and digits, then the service's domain; no port.
fn is_aws_host(destination: Destination, host: &str, region: &str) -> bool {
    let suffix = match destination {
        Destination::RestApi => format!(".execute-api.{region}.amazonaws.com"),
        Destination::IotData => format!("-ats.iot.{region}.amazonaws.com"),
        Destination::Emulator | Destination::Page => return false,
    };
    host.strip_suffix(&suffix).is_some_and(|id| {
        !id.is_empty()
            && id.len() <= 63
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The settings deployed beside an app (`settings.json`): authoritative for every device
/// that loads the app from there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployment {
    pub draft: SettingsDraft,
    /// Hosts (`host` or `host:port`, lower case) beyond the file's own that staff may
    /// point a device at: the `allowedHosts` array. Empty by default: nothing changes.
    pub allowed_hosts: Vec<String>,
}

/// Why a `settings.json` could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeploymentError {
    #[error("it is not a JSON object of settings: {0}")]
    NotJson(String),
    #[error("“{0}” must be a string")]
    NotText(String),
    #[error("allowedHosts must be a list of host names (such as api.example.com), not {0}")]
    AllowedHosts(String),
}

/// The key of the allowed hosts in `settings.json`.
pub const ALLOWED_HOSTS_KEY: &str = "allowedHosts";

impl Deployment {
    /// Reads `settings.json`: settings keyed by [`Field::key`] as strings, and optionally
    /// `allowedHosts`, an array of host names. Unknown keys are ignored (a newer or older
    /// version's settings).
    pub fn from_json(json: &str) -> Result<Self, DeploymentError> {
        use serde_json::Value;
        let map: BTreeMap<String, Value> =
            serde_json::from_str(json).map_err(|e| DeploymentError::NotJson(e.to_string()))?;
        let mut deployment = Self::default();
        for (key, value) in map {
            if key == ALLOWED_HOSTS_KEY {
                let hosts = value
                    .as_array()
                    .ok_or_else(|| DeploymentError::AllowedHosts(value.to_string()))?;
                for host in hosts {
                    let host = host
                        .as_str()
                        .map(str::trim)
                        .filter(|h| check_host_port(h).is_ok())
                        .ok_or_else(|| DeploymentError::AllowedHosts(host.to_string()))?;
                    deployment.allowed_hosts.push(host.to_ascii_lowercase());
                }
            } else if let Some(field) = Field::from_key(&key) {
                let text = value.as_str().ok_or(DeploymentError::NotText(key))?;
                deployment.draft.set(field, text);
            }
        }
        Ok(deployment)
    }

    /// The file's form (what [`Deployment::from_json`] reads).
    pub fn to_json(&self) -> String {
        let mut map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&self.draft.to_json()).unwrap_or_default();
        if !self.allowed_hosts.is_empty() {
            map.insert(ALLOWED_HOSTS_KEY.into(), self.allowed_hosts.clone().into());
        }
        serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap_or_default()
    }

    /// Whether the file names `host` for `app`, or allows it.
    pub fn names_host(&self, app: AppKind, host: &str) -> bool {
        self.allowed_hosts.iter().any(|h| h == host)
            || app.fields().iter().any(|&field| {
                host_of(field, self.draft.get(field)).is_some_and(|(named, _)| named == host)
            })
    }
}

/// The rules one app's settings are held to on this device: the deployment's, or AWS's.
#[derive(Clone, Copy, Debug)]
pub struct Trust<'a> {
    app: AppKind,
    deployment: Option<&'a Deployment>,
}

impl<'a> Trust<'a> {
    pub fn new(app: AppKind, deployment: Option<&'a Deployment>) -> Self {
        Self { app, deployment }
    }

    /// What one host-naming setting may hold under these rules.
    fn check_host(&self, field: Field, value: &str, region: &str) -> Result<(), FieldError> {
        let (Some(destination), Some((host, plain))) = (field.destination(), host_of(field, value))
        else {
            return Ok(());
        };
        let loopback = is_loopback(&host);
        if plain && !loopback {
            return Err(FieldError::PlainHttp);
        }
        if let Some(deployment) = self.deployment {
            return match deployment.names_host(self.app, &host) {
                true => Ok(()),
                false => Err(FieldError::HostNotAllowed { host }),
            };
        }
        match destination {
            _ if loopback => Ok(()),
            Destination::Page => Ok(()),
            Destination::Emulator => Err(FieldError::LoopbackOnly),
            Destination::RestApi | Destination::IotData => {
                match is_aws_host(destination, &host, region) {
                    true => Ok(()),
                    false => Err(FieldError::NotAws {
                        example: match destination {
                            Destination::RestApi => {
                                format!("https://abc123.execute-api.{region}.amazonaws.com/Prod/")
                            }
                            _ => format!("a1b2c3d4e5f6g7-ats.iot.{region}.amazonaws.com"),
                        },
                    }),
                }
            }
        }
    }

    /// Checks `draft` as [`SettingsDraft::validate`] does, then holds every host it names
    /// to these rules. With a deployment that allows no hosts, nothing that decides where
    /// credentials go may differ from it.
    pub fn validate(&self, draft: &SettingsDraft) -> Result<Settings, FieldErrors> {
        let format = draft.validate(self.app);
        let format_errors = format.as_ref().err().map_or(&[][..], |e| &e.0[..]);
        // In the order of the app's fields, as the page lists them.
        let mut errors = Vec::new();
        let region = draft.get(Field::Region);
        for &field in self.app.fields() {
            let before = errors.len();
            errors.extend(format_errors.iter().filter(|(f, _)| *f == field).cloned());
            if errors.len() > before {
                continue;
            }
            let value = draft.get(field);
            let result = match self.deployment {
                Some(d)
                    if d.allowed_hosts.is_empty()
                        && field.decides_where_credentials_go()
                        && value != d.draft.get(field) =>
                {
                    Err(FieldError::FixedByDeployment)
                }
                _ => self.check_host(field, value, region),
            };
            if let Err(e) = result {
                errors.push((field, e));
            }
        }
        if errors.is_empty() {
            return format;
        }
        Err(FieldErrors(errors))
    }
}

/// `link` split in two for a deployment that allows no other hosts: what it may change
/// (the event, the flavour, the time scale, and values equal to the deployment's), and
/// what it tries to change about where credentials go, which is ignored.
pub fn split_fixed(
    link: &SettingsDraft,
    deployment: &Deployment,
) -> (SettingsDraft, Vec<(Field, String)>) {
    let mut kept = SettingsDraft::default();
    let mut ignored = Vec::new();
    for field in link.fields() {
        let value = link.get(field);
        if field.decides_where_credentials_go() && value != deployment.draft.get(field) {
            ignored.push((field, value.to_string()));
        } else {
            kept.set(field, value);
        }
    }
    (kept, ignored)
}

/// A host a setting would change: `from` is `None` when the setting named no host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostChange {
    pub field: Field,
    pub from: Option<String>,
    pub to: String,
}

/// The hosts `app` would start sending things to if `current` became `candidate`, in
/// the order of the app's fields.
pub fn host_changes(
    app: AppKind,
    current: &SettingsDraft,
    candidate: &SettingsDraft,
) -> Vec<HostChange> {
    app.fields()
        .iter()
        .filter_map(|&field| {
            let from = host_of(field, current.get(field)).map(|(h, _)| h);
            let (to, _) = host_of(field, candidate.get(field))?;
            (from.as_ref() != Some(&to)).then_some(HostChange { field, from, to })
        })
        .collect()
}

/// What an app runs with, decided from this browser's saved settings and the
/// deployment's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Ready {
        settings: Box<Settings>,
        /// Whether settings saved in this browser are part of them.
        from_browser: bool,
        /// Settings saved in this browser that these rules refuse, and why: they are
        /// not used (staff see why on the settings page).
        set_aside: Option<FieldErrors>,
    },
    /// No usable settings; the reason is for staff.
    NotSetUp {
        reason: String,
        set_aside: Option<FieldErrors>,
    },
}

/// The settings `app` runs with: the deployment's file with what this browser saved on
/// top where the file allows it, else what this browser saved if AWS's rules allow it.
pub fn resolve(app: AppKind, saved: &SettingsDraft, deployment: Option<&Deployment>) -> Resolution {
    let trust = Trust::new(app, deployment);
    let deployed = deployment.map(|d| d.draft.for_app(app));
    let base = deployed.clone().unwrap_or_default();
    let mut set_aside = None;
    if !saved.is_empty() {
        match trust.validate(&base.clone().overlaid_with(saved).for_app(app)) {
            Ok(settings) => {
                return Resolution::Ready {
                    settings: Box::new(settings),
                    from_browser: true,
                    set_aside: None,
                }
            }
            Err(errors) => set_aside = Some(errors),
        }
    }
    match (deployed, deployment) {
        (Some(draft), Some(_)) => match draft.validate(app) {
            Ok(settings) => Resolution::Ready {
                settings: Box::new(settings),
                from_browser: false,
                set_aside,
            },
            Err(errors) => Resolution::NotSetUp {
                reason: format!("the deployed settings.json is incomplete: {errors}"),
                set_aside,
            },
        },
        _ => Resolution::NotSetUp {
            reason: match set_aside {
                Some(_) => "the settings saved in this browser cannot be used".into(),
                None => "no settings.json is deployed with this app".into(),
            },
            set_aside,
        },
    }
}

/// What to save in this browser for `settings`: with a deployment, only what differs
/// from its file, so that a new deployment's values still arrive on this device.
pub fn to_save(
    app: AppKind,
    settings: &SettingsDraft,
    deployment: Option<&Deployment>,
) -> SettingsDraft {
    let settings = settings.for_app(app);
    let Some(deployment) = deployment else {
        return settings;
    };
    let mut out = SettingsDraft::default();
    for field in settings.fields() {
        if settings.get(field) != deployment.draft.get(field) {
            out.set(field, settings.get(field));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OM: &str = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/Prod/";

    fn aws() -> SettingsDraft {
        let mut d = SettingsDraft::default();
        for (f, v) in [
            (Field::Region, "us-east-1"),
            (Field::UserPoolId, "us-east-1_AbCdEf123"),
            (Field::UserPoolWebClientId, "1a2b3c4d5e6f7g8h9i0j1k2l3m"),
            (
                Field::IdentityPoolId,
                "us-east-1:11111111-2222-3333-4444-555555555555",
            ),
            (
                Field::IotHost,
                "a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com",
            ),
            (Field::OrderManagerEndpoint, OM),
            (
                Field::ValidatorEndpoint,
                "https://v1b2c3d4e5.execute-api.us-east-1.amazonaws.com/Prod/",
            ),
            (
                Field::ConfigEndpoint,
                "https://c1b2c3d4e5.execute-api.us-east-1.amazonaws.com/Prod/",
            ),
            (Field::OrderAppUrl, "https://coffee.example.com/order/"),
            (Field::BaristaAppUrl, "https://coffee.example.com/barista/"),
        ] {
            d.set(f, v);
        }
        d
    }

    fn local() -> SettingsDraft {
        let mut d = aws();
        for (f, v) in [
            (Field::IotHost, "127.0.0.1:8787"),
            (
                Field::OrderManagerEndpoint,
                "http://127.0.0.1:8787/order-manager/Prod/",
            ),
            (
                Field::ValidatorEndpoint,
                "http://127.0.0.1:8787/validator/Prod/",
            ),
            (
                Field::ConfigEndpoint,
                "http://localhost:8787/config-service/Prod/",
            ),
            (Field::CognitoEndpoint, "http://127.0.0.1:8787/cognito/"),
            (Field::IotEndpoint, "ws://[::1]:8787/mqtt"),
            (Field::OrderAppUrl, "http://127.0.0.1:8787/order/"),
        ] {
            d.set(f, v);
        }
        d
    }

    fn errors(app: AppKind, d: &SettingsDraft, deployment: Option<&Deployment>) -> FieldErrors {
        Trust::new(app, deployment).validate(d).unwrap_err()
    }

    #[test]
    fn without_a_deployment_aws_hosts_of_the_region_and_loopback_pass() {
        for app in AppKind::ALL {
            assert!(Trust::new(app, None).validate(&aws()).is_ok(), "{app:?}");
            assert!(Trust::new(app, None).validate(&local()).is_ok(), "{app:?}");
        }
    }

    #[test]
    fn a_forged_link_cannot_name_another_host() {
        // The attack: a hand-off that sends the barista's token to the attacker.
        let mut d = aws();
        d.set(Field::OrderManagerEndpoint, "https://evil.example/Prod/");
        assert_eq!(
            errors(AppKind::Barista, &d, None).0,
            [(
                Field::OrderManagerEndpoint,
                FieldError::NotAws {
                    example: "https://abc123.execute-api.us-east-1.amazonaws.com/Prod/".into()
                }
            )]
        );
        // Nor an API of another region, nor AWS's domain with more labels in front.
        for bad in [
            "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/Prod/",
            "https://x.evil.execute-api.us-east-1.amazonaws.com/Prod/",
            "https://execute-api.us-east-1.amazonaws.com.evil.example/Prod/",
        ] {
            d.set(Field::OrderManagerEndpoint, bad);
            assert!(
                errors(AppKind::Barista, &d, None)
                    .get(Field::OrderManagerEndpoint)
                    .is_some(),
                "{bad}"
            );
        }
        // The IoT endpoint (AWS credentials) likewise.
        let mut d = aws();
        d.set(Field::IotHost, "iot.evil.example");
        assert!(matches!(
            errors(AppKind::Display, &d, None).get(Field::IotHost),
            Some(FieldError::NotAws { .. })
        ));
    }

    #[test]
    fn plain_http_only_on_loopback_and_overrides_only_for_an_emulator() {
        let mut d = aws();
        d.set(
            Field::OrderManagerEndpoint,
            "http://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/Prod/",
        );
        d.set(Field::CognitoEndpoint, "https://cognito.evil.example/");
        d.set(Field::IotEndpoint, "ws://192.168.1.5:8787/mqtt");
        d.set(Field::OrderAppUrl, "http://coffee.example.com/order/");
        let e = errors(AppKind::Display, &d, None);
        assert_eq!(
            e.get(Field::OrderManagerEndpoint),
            Some(&FieldError::PlainHttp)
        );
        assert_eq!(
            e.get(Field::CognitoEndpoint),
            Some(&FieldError::LoopbackOnly)
        );
        assert_eq!(e.get(Field::IotEndpoint), Some(&FieldError::PlainHttp));
        assert_eq!(e.get(Field::OrderAppUrl), Some(&FieldError::PlainHttp));
        assert_eq!(e.len(), 4);
    }

    #[test]
    fn loopback_is_this_machine_only() {
        for host in [
            "127.0.0.1",
            "127.0.0.1:8787",
            "127.3.4.5:1",
            "localhost:8080",
            "[::1]:8787",
            "localhost",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "128.0.0.1",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "[::2]:1",
            "10.0.0.1:8787",
            "0.0.0.0",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn ipv4_loopback_agrees_with_the_standard_library() {
        for name in [
            "127.0.0.1",
            "127.255.255.255",
            "127.256.0.1",
            "127.01.0.1",
            "127.0.0",
            "127.0.0.1.",
            "127..0.1",
            "127.0.0.+1",
            "127.0.0.1000",
            "0127.0.0.1",
            "126.0.0.1",
            "1.2.3.4",
            "",
        ] {
            let std = name
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback());
            assert_eq!(is_ipv4_loopback(name), std, "{name:?}");
        }
    }

    fn deployment(allowed: &[&str]) -> Deployment {
        Deployment {
            draft: aws(),
            allowed_hosts: allowed.iter().map(|h| h.to_string()).collect(),
        }
    }

    #[test]
    fn a_deployment_that_allows_nothing_fixes_where_credentials_go() {
        let d = deployment(&[]);
        assert!(Trust::new(AppKind::Barista, Some(&d))
            .validate(&aws())
            .is_ok());
        // Even another API of the same region: the deployment names its own.
        let mut link = aws();
        link.set(
            Field::OrderManagerEndpoint,
            "https://zzzzzzzzzz.execute-api.us-east-1.amazonaws.com/Prod/",
        );
        // An identity pool of the attacker's would receive the ID token.
        link.set(
            Field::IdentityPoolId,
            "us-east-1:99999999-2222-3333-4444-555555555555",
        );
        let e = errors(AppKind::Barista, &link, Some(&d));
        assert_eq!(
            e.get(Field::OrderManagerEndpoint),
            Some(&FieldError::FixedByDeployment)
        );
        assert_eq!(
            e.get(Field::IdentityPoolId),
            Some(&FieldError::FixedByDeployment)
        );
        assert_eq!(e.len(), 2);
        // Another event of the same backend sends nothing anywhere else.
        let mut other_event = aws();
        other_event.set(Field::Flavour, "E");
        other_event.set(Field::EventId, "XYZ");
        assert!(Trust::new(AppKind::Barista, Some(&d))
            .validate(&other_event)
            .is_ok());
        let fixed: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| !f.decides_where_credentials_go())
            .collect();
        assert_eq!(fixed, [Field::EventId, Field::Flavour, Field::TimeScale]);
    }

    #[test]
    fn a_link_to_a_locked_deployment_keeps_only_what_it_may_change() {
        let d = deployment(&[]);
        let mut link = aws();
        link.set(Field::OrderManagerEndpoint, "https://evil.example/Prod/");
        link.set(Field::EventId, "XYZ");
        let (kept, ignored) = split_fixed(&link, &d);
        assert_eq!(
            ignored,
            [(
                Field::OrderManagerEndpoint,
                "https://evil.example/Prod/".to_string()
            )]
        );
        assert_eq!(kept.get(Field::EventId), "XYZ");
        assert_eq!(kept.get(Field::OrderManagerEndpoint), "");
        assert_eq!(
            kept.get(Field::ConfigEndpoint),
            aws().get(Field::ConfigEndpoint)
        );
    }

    #[test]
    fn a_deployment_allows_its_own_hosts_and_the_ones_it_lists() {
        let d = deployment(&["api.coffee.example.com"]);
        let mut link = aws();
        link.set(
            Field::OrderManagerEndpoint,
            "https://api.coffee.example.com/Prod/",
        );
        link.set(Field::ConfigEndpoint, OM); // another of the file's own hosts
        link.set(Field::EventId, "XYZ");
        assert!(Trust::new(AppKind::Barista, Some(&d))
            .validate(&link)
            .is_ok());
        // An AWS host the file does not name is refused: the file is authoritative.
        link.set(
            Field::OrderManagerEndpoint,
            "https://zzzzzzzzzz.execute-api.us-east-1.amazonaws.com/Prod/",
        );
        assert_eq!(
            errors(AppKind::Barista, &link, Some(&d)).0,
            [(
                Field::OrderManagerEndpoint,
                FieldError::HostNotAllowed {
                    host: "zzzzzzzzzz.execute-api.us-east-1.amazonaws.com".into()
                }
            )]
        );
    }

    #[test]
    fn host_changes_list_old_and_new() {
        let mut link = aws();
        link.set(
            Field::OrderManagerEndpoint,
            "https://zzzzzzzzzz.execute-api.us-east-1.amazonaws.com/Other/",
        );
        link.set(
            Field::ConfigEndpoint,
            "https://c1b2c3d4e5.execute-api.us-east-1.amazonaws.com/Other/",
        );
        assert_eq!(
            host_changes(AppKind::Barista, &aws(), &link),
            [HostChange {
                field: Field::OrderManagerEndpoint,
                from: Some("a1b2c3d4e5.execute-api.us-east-1.amazonaws.com".into()),
                to: "zzzzzzzzzz.execute-api.us-east-1.amazonaws.com".into(),
            }],
            "a new path on the same host is no new host"
        );
        let fresh = host_changes(AppKind::Barista, &SettingsDraft::default(), &aws());
        assert_eq!(fresh.len(), 3, "IoT, order manager, config: {fresh:?}");
        assert!(fresh.iter().all(|c| c.from.is_none()));
    }

    #[test]
    fn resolution_prefers_the_deployment_and_sets_refused_saves_aside() {
        let app = AppKind::Barista;
        let d = deployment(&[]);
        // Saved before this rule existed: a host the deployment does not name.
        let mut saved = SettingsDraft::default();
        saved.set(Field::OrderManagerEndpoint, "https://evil.example/Prod/");
        let Resolution::Ready {
            settings,
            from_browser,
            set_aside,
        } = resolve(app, &saved, Some(&d))
        else {
            panic!("the deployment's settings");
        };
        assert!(!from_browser);
        assert_eq!(settings.order_manager.as_str(), OM);
        assert!(set_aside
            .unwrap()
            .get(Field::OrderManagerEndpoint)
            .is_some());

        // Without a deployment the same save is refused too, and nothing is set up.
        let mut saved_all = aws();
        saved_all.set(Field::OrderManagerEndpoint, "https://evil.example/Prod/");
        assert!(matches!(
            resolve(app, &saved_all, None),
            Resolution::NotSetUp {
                set_aside: Some(_),
                ..
            }
        ));
        assert!(matches!(
            resolve(app, &aws(), None),
            Resolution::Ready {
                from_browser: true,
                ..
            }
        ));

        // A save the deployment allows is used on top of it.
        let d = deployment(&["api.coffee.example.com"]);
        let mut saved = SettingsDraft::default();
        saved.set(
            Field::OrderManagerEndpoint,
            "https://api.coffee.example.com/Prod/",
        );
        let Resolution::Ready {
            settings,
            from_browser: true,
            ..
        } = resolve(app, &saved, Some(&d))
        else {
            panic!("saved on top of the deployment");
        };
        assert_eq!(
            settings.order_manager.as_str(),
            "https://api.coffee.example.com/Prod/"
        );
        assert_eq!(settings.config.as_str(), aws().get(Field::ConfigEndpoint));
    }

    #[test]
    fn only_what_differs_from_the_deployment_is_saved() {
        let d = deployment(&["api.coffee.example.com"]);
        let mut settings = aws();
        settings.set(
            Field::OrderManagerEndpoint,
            "https://api.coffee.example.com/Prod/",
        );
        let saved = to_save(AppKind::Barista, &settings, Some(&d));
        assert_eq!(
            saved.fields().collect::<Vec<_>>(),
            [Field::OrderManagerEndpoint]
        );
        assert_eq!(
            to_save(AppKind::Barista, &settings, None),
            settings.for_app(AppKind::Barista)
        );
    }

    #[test]
    fn settings_json_round_trips_with_its_allowed_hosts() {
        let d = deployment(&["api.coffee.example.com", "localhost:8080"]);
        assert_eq!(Deployment::from_json(&d.to_json()).unwrap(), d);
        let plain = Deployment::from_json(r#"{"region":"us-east-1","somethingNew":1}"#).unwrap();
        assert_eq!(plain.draft.get(Field::Region), "us-east-1");
        assert!(plain.allowed_hosts.is_empty());
        for bad in [
            r#"{"allowedHosts":"api.example.com"}"#,
            r#"{"allowedHosts":["https://api.example.com/"]}"#,
            r#"{"region":1}"#,
            "[]",
        ] {
            assert!(Deployment::from_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_staff_apps_take_hand_offs() {
        assert!(!takes_hand_offs(AppKind::Order));
        assert!(takes_hand_offs(AppKind::Barista) && takes_hand_offs(AppKind::Display));
    }
}
