//! The fixed identities of the local deployment: what the apps' settings must say to
//! reach this emulator.

use crate::variant::Variant;
use shared::{Field, Flavour, SettingsDraft};

pub const DEFAULT_PORT: u16 = 8787;
pub const REGION: &str = "us-east-1";
pub const USER_POOL_ID: &str = "us-east-1_Serverlesspresso";
pub const CLIENT_ID: &str = "serverlesspresso0localapp1";
pub const IDENTITY_POOL_ID: &str = "us-east-1:00000000-0000-4000-8000-00000000c0ff";

/// Path prefixes of the three REST APIs, each with its `/Prod` stage as in AWS.
pub const ORDER_MANAGER_PREFIX: &str = "/order-manager/Prod";
pub const VALIDATOR_PREFIX: &str = "/validator/Prod";
pub const CONFIG_PREFIX: &str = "/config-service/Prod";
pub const COGNITO_PATH: &str = "/cognito/";
pub const MQTT_PATH: &str = "/mqtt";
/// The order-journey pages (E and V1): `{JOURNEY_PATH}<orderId>.html`.
pub const JOURNEY_PATH: &str = "/journey/";

/// Every setting the apps need to use the W emulator at `base`, for an emulator whose
/// timers run `windows`: with `--time-scale N` the apps learn N and scale their windows.
pub fn settings_for(base: &str, windows: &shared::windows::Windows) -> SettingsDraft {
    let mut draft = settings(base);
    if let Some(scale) = windows.scale() {
        draft.set(Field::TimeScale, &scale.to_string());
    }
    draft
}

/// The kind of identity the apps ask the identity pool for: under `--least-privilege`
/// authenticated (its pool gives no other, and a role per group), otherwise left out:
/// unauthenticated, as the workshop's pool needs (and as its `DisplayAppURI` says nothing).
pub fn with_identities(mut draft: SettingsDraft, least_privilege: bool) -> SettingsDraft {
    if least_privilege {
        draft.set(Field::Identities, "authenticated");
    }
    draft
}

/// The settings the emulator's `settings.json` files hand the apps: W's, or E's for its
/// first event.
pub fn settings_for_variant(
    base: &str,
    windows: &shared::windows::Windows,
    variant: &Variant,
) -> SettingsDraft {
    match variant.first_event() {
        None => settings_for(base, windows),
        Some(event) => settings_for_event(base, windows, event),
    }
}

/// The settings for event `event_id` of an E emulator at `base`: W's plus `flavour=E`,
/// the `eventId` and the emulator's order-journey pages as `journeyServiceURL`.
pub fn settings_for_event(
    base: &str,
    windows: &shared::windows::Windows,
    event_id: &str,
) -> SettingsDraft {
    let mut draft = settings_for(base, windows);
    with_event(&mut draft, base, event_id);
    draft
}

/// [`settings`] for `variant` (no time scale): the start page's and `/_local/settings`'
/// hand-off links.
pub fn settings_of(base: &str, variant: &Variant, event_id: Option<&str>) -> SettingsDraft {
    let mut draft = settings(base);
    if let Some(event) = event_id
        .or(variant.first_event())
        .filter(|_| variant.is_e())
    {
        with_event(&mut draft, base, event);
    }
    draft
}

fn with_event(draft: &mut SettingsDraft, base: &str, event_id: &str) {
    let base = base.trim_end_matches('/');
    draft.set(Field::Flavour, Flavour::E.key());
    draft.set(Field::EventId, event_id);
    draft.set(Field::JourneyServiceUrl, &format!("{base}{JOURNEY_PATH}"));
}

/// Every setting the apps need to use the emulator at `base` (`http://host:port`),
/// as the real stack's `DisplayAppURI` plus the identity pool, IoT host and overrides.
pub fn settings(base: &str) -> SettingsDraft {
    let base = base.trim_end_matches('/');
    let authority = base.split_once("://").map_or(base, |(_, rest)| rest);
    let mut draft = SettingsDraft::default();
    let values = [
        (Field::Region, REGION.to_string()),
        (Field::UserPoolId, USER_POOL_ID.to_string()),
        (Field::UserPoolWebClientId, CLIENT_ID.to_string()),
        (
            Field::OrderManagerEndpoint,
            format!("{base}{ORDER_MANAGER_PREFIX}/"),
        ),
        (
            Field::ValidatorEndpoint,
            format!("{base}{VALIDATOR_PREFIX}/"),
        ),
        (Field::ConfigEndpoint, format!("{base}{CONFIG_PREFIX}/")),
        (Field::IdentityPoolId, IDENTITY_POOL_ID.to_string()),
        (Field::IotHost, authority.to_string()),
        (Field::OrderAppUrl, format!("{base}/order/")),
        (Field::BaristaAppUrl, format!("{base}/barista/")),
        (Field::CognitoEndpoint, format!("{base}{COGNITO_PATH}")),
        (Field::IotEndpoint, format!("ws://{authority}{MQTT_PATH}")),
    ];
    for (field, value) in values {
        draft.set(field, &value);
    }
    draft
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::AppKind;

    #[test]
    fn local_settings_are_valid_for_every_app() {
        let draft = settings("http://127.0.0.1:8787");
        for app in AppKind::ALL {
            let s = draft
                .validate(app)
                .unwrap_or_else(|e| panic!("{app:?}: {e}"));
            assert_eq!(s.iot_url(), "ws://127.0.0.1:8787/mqtt");
            assert_eq!(s.cognito_idp_url(), "http://127.0.0.1:8787/cognito/");
        }
        assert_eq!(
            CLIENT_ID.len(),
            26,
            "Cognito app client ids have 26 characters"
        );
    }

    #[test]
    fn e_settings_name_the_event_and_the_journey_pages() {
        let windows = shared::windows::Windows::scaled(10);
        let e = Variant::e(["ABC", "XYZ"]).unwrap();
        let base = "http://127.0.0.1:8787";
        let w = settings_for_variant(base, &windows, &Variant::W);
        assert_eq!(w, settings_for(base, &windows), "W's exactly as before");
        assert_eq!(w.get(Field::Flavour), "");
        let abc = settings_for_variant(base, &windows, &e);
        assert_eq!(abc, settings_for_event(base, &windows, "ABC"));
        for app in AppKind::ALL {
            let s = abc.validate(app).unwrap_or_else(|e| panic!("{app:?}: {e}"));
            assert_eq!(s.flavour, Flavour::E);
            assert_eq!(s.event_id.as_deref(), Some("ABC"));
            assert_eq!(s.time_scale, 10);
        }
        let order = abc.validate(AppKind::Order).unwrap();
        assert_eq!(
            order.journey_url("o1").as_deref(),
            Some("http://127.0.0.1:8787/journey/o1.html")
        );
        let xyz = settings_for_event(base, &windows, "XYZ");
        assert_eq!(xyz.get(Field::EventId), "XYZ");
        assert_eq!(settings_of(base, &e, None).get(Field::EventId), "ABC");
        assert_eq!(
            settings_of(base, &e, Some("XYZ")).get(Field::EventId),
            "XYZ"
        );
        assert_eq!(settings_of(base, &Variant::W, Some("XYZ")), settings(base));
    }
}
