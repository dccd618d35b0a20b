//! The fixed identities of the local deployment: what the apps' settings must say to
//! reach this emulator.

use shared::{Field, SettingsDraft};

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

/// Every setting the apps need to use the emulator at `base`, for an emulator whose
/// timers run `timings`: with `--time-scale N` the apps learn N and scale their windows.
pub fn settings_for(base: &str, timings: &crate::clock::Timings) -> SettingsDraft {
    let mut draft = settings(base);
    if let Some(scale) = timings.scale() {
        draft.set(Field::TimeScale, &scale.to_string());
    }
    draft
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
}
