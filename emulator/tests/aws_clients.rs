//! The emulator answering AWS's own JavaScript clients, replayed from the requests they
//! were recorded sending (`fixtures/aws-clients/`, see its README): the same headers and
//! the same raw bodies, byte for byte, over plain HTTP and WebSocket, never through
//! `emulator::client` or `shared::cognito`'s request builders. A value is substituted
//! only where the emulator must choose it (the emailed code, the refresh token, the
//! identity id, the SRP numbers of a live sign-in).

mod common;

use common::*;
use emulator::clock::{Clock, ManualClock};
use emulator::cognito::IssuedCredentials;
use emulator::iot::{self, PresignError};
use emulator::{local, Running};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use shared::srp::{PasswordClaim, PasswordVerifier, SrpClient, SrpServer, Verifier};
use shared::windows::Windows;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const COGNITO_IDP: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/aws-clients/cognito-idp.json"
));
const COGNITO_IDENTITY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/aws-clients/cognito-identity.json"
));
const IOT_PRESIGNED_URL: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/aws-clients/iot-presigned-url.json"
));
const MQTT_PACKETS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/aws-clients/mqtt-packets.json"
));

/// When every fixture was recorded: 2023-03-07T09:05:01Z.
const RECORDED_AT_MS: i64 = 1_678_179_901_000;

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("the fixture is JSON")
}

fn request<'a>(fixture: &'a Value, name: &str) -> &'a Value {
    fixture["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no fixture request {name:?}"))
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value}"))
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// An emulator whose clock shows the moment the fixtures were recorded.
async fn emulator_at_recording() -> (Running, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(RECORDED_AT_MS));
    let emu = start_on(clock.clone(), Windows::AWS, None).await;
    (emu, clock)
}

/// What came back for a replayed request.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    body: Value,
}

/// Sends `raw_body` to the emulator's Cognito endpoint with the recorded request's
/// headers, as they arrived (less the connection's own: host, connection, and a
/// content length the HTTP client sets from the body).
async fn replay(emu: &Running, recorded: &Value, raw_body: &str) -> Answer {
    let mut post =
        reqwest::Client::new().post(format!("{}{}", emu.base_url(), local::COGNITO_PATH));
    for (name, value) in recorded["headers"].as_object().unwrap() {
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "host" | "connection" | "content-length") {
            continue;
        }
        post = post.header(name.as_str(), value.as_str().unwrap());
    }
    if raw_body == text(recorded, "/rawBody") {
        assert_eq!(
            recorded["headers"]["content-length"].as_str(),
            Some(raw_body.len().to_string().as_str()),
            "the recorded body is the whole body"
        );
    }
    let response = post.body(raw_body.to_string()).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.json().await.expect("a JSON answer");
    Answer {
        status,
        content_type,
        body,
    }
}

/// Replays `recorded` with its body changed by `substitutions` (each must occur).
async fn replay_with(emu: &Running, recorded: &Value, substitutions: &[(&str, &str)]) -> Answer {
    let mut body = text(recorded, "/rawBody").to_string();
    for (from, to) in substitutions {
        assert!(body.contains(from), "{from:?} is not in {body}");
        body = body.replace(from, to);
    }
    replay(emu, recorded, &body).await
}

/// The JSON type of a value, telling integers from other numbers.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The same keys, recursively, with values of the same JSON types.
fn assert_same_shape(ours: &Value, theirs: &Value, at: &str) {
    assert_eq!(
        kind(ours),
        kind(theirs),
        "{at}: {ours} vs the recorded {theirs}"
    );
    if let (Value::Object(o), Value::Object(t)) = (ours, theirs) {
        let mut our_keys: Vec<&String> = o.keys().collect();
        let mut their_keys: Vec<&String> = t.keys().collect();
        our_keys.sort();
        their_keys.sort();
        assert_eq!(our_keys, their_keys, "{at}: keys");
        for (key, value) in o {
            assert_same_shape(value, &t[key], &format!("{at}.{key}"));
        }
    }
}

/// The answer the recorded response had: status, content type and shape.
fn assert_answers_like(answer: &Answer, recorded: &Value) {
    let response = &recorded["response"];
    let name = recorded["name"].as_str().unwrap();
    assert_eq!(
        answer.status,
        response["status"].as_u64().unwrap() as u16,
        "{name}: {}",
        answer.body
    );
    assert_eq!(
        answer.content_type,
        text(response, "/headers/Content-Type"),
        "{name}"
    );
    assert_same_shape(&answer.body, &response["body"], name);
}

/// A JWT's payload, as the library decodes it.
fn jwt_payload(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("a JSON payload")
}

/// Every claim of the recorded token is in ours, with the same type.
fn assert_has_claims_of(ours: &Value, recorded: &Value, what: &str) {
    for (claim, value) in recorded.as_object().unwrap() {
        let mine = ours
            .get(claim)
            .unwrap_or_else(|| panic!("{what}: no {claim} claim in {ours}"));
        assert_eq!(kind(mine), kind(value), "{what}: {claim}");
    }
}

/// The library's error: what follows `#` in `__type`, and the message.
fn library_error(body: &Value) -> (String, String) {
    let kind = text(body, "/__type");
    let kind = kind.rsplit_once('#').map_or(kind, |(_, k)| k);
    (kind.to_string(), text(body, "/message").to_string())
}

fn sent_code(emu: &Running, username: &str) -> String {
    emu.cognito
        .sent_codes
        .lock()
        .unwrap()
        .get(username)
        .cloned()
        .expect("a code was sent")
}

/// `amazon-cognito-identity-js` 6.3.21: sign-up, the two errors, resend, confirm, SRP
/// sign-in and refresh, in the library's own requests.
#[tokio::test]
async fn amazon_cognito_identity_js_signs_up_signs_in_and_refreshes() {
    let idp = fixture(COGNITO_IDP);
    let inputs = &idp["inputs"];
    let username = text(inputs, "/username");
    let password = text(inputs, "/password");
    let pool = text(inputs, "/userPoolId");
    assert_eq!(
        (pool, text(inputs, "/clientId")),
        (local::USER_POOL_ID, local::CLIENT_ID),
        "the library was pointed at the emulator's pool and client"
    );
    let (emu, clock) = emulator_at_recording().await;

    // SignUp, with `"ValidationData":null`.
    let sign_up = request(&idp, "SignUp");
    assert!(text(sign_up, "/rawBody").contains(r#""ValidationData":null"#));
    let answer = replay(&emu, sign_up, text(sign_up, "/rawBody")).await;
    assert_answers_like(&answer, sign_up);
    assert_eq!(answer.body["UserConfirmed"], false);
    assert_eq!(
        answer.body["CodeDeliveryDetails"], sign_up["response"]["body"]["CodeDeliveryDetails"],
        "the code goes by email to a***@e***"
    );

    // The same SignUp again.
    let again = request(&idp, "SignUp (error: UsernameExistsException)");
    let answer = replay(&emu, again, text(again, "/rawBody")).await;
    assert_answers_like(&answer, again);
    let expected = &idp["libraryOutcomes"]["errors"][0];
    assert_eq!(
        library_error(&answer.body),
        (
            text(expected, "/code").to_string(),
            text(expected, "/message").to_string()
        )
    );

    // A wrong code (the recorded `000000`, unless that is by chance the code sent).
    if sent_code(&emu, username) == "000000" {
        let resend = request(&idp, "ResendConfirmationCode");
        replay(&emu, resend, text(resend, "/rawBody")).await;
    }
    let wrong = request(&idp, "ConfirmSignUp (error: namespaced __type)");
    let answer = replay(&emu, wrong, text(wrong, "/rawBody")).await;
    assert_answers_like(&answer, wrong);
    let expected = &idp["libraryOutcomes"]["errors"][1];
    assert_eq!(
        library_error(&answer.body),
        (
            text(expected, "/code").to_string(),
            text(expected, "/message").to_string()
        )
    );

    // ResendConfirmationCode, while the user is unconfirmed.
    let resend = request(&idp, "ResendConfirmationCode");
    let answer = replay(&emu, resend, text(resend, "/rawBody")).await;
    assert_answers_like(&answer, resend);
    assert_eq!(answer.body, resend["response"]["body"]);

    // ConfirmSignUp with the code the emulator emailed, `ForceAliasCreation` and all.
    let confirm = request(&idp, "ConfirmSignUp");
    let code = sent_code(&emu, username);
    let recorded_code = text(inputs, "/confirmationCode");
    let answer = replay_with(
        &emu,
        confirm,
        &[(
            &format!("\"ConfirmationCode\":\"{recorded_code}\""),
            &format!("\"ConfirmationCode\":\"{code}\""),
        )],
    )
    .await;
    assert_answers_like(&answer, confirm);
    assert_eq!(answer.body, json!({}));

    // InitiateAuth USER_SRP_AUTH with the library's SRP_A and `"ClientMetadata":{}`.
    let initiate = request(&idp, "InitiateAuth USER_SRP_AUTH");
    assert!(text(initiate, "/rawBody").ends_with(r#","ClientMetadata":{}}"#));
    let srp = SrpClient::new(&hex(text(inputs, "/a")).try_into().unwrap());
    assert_eq!(
        srp.srp_a(),
        text(initiate, "/body/AuthParameters/SRP_A"),
        "the fixture's a gives its A"
    );
    let answer = replay(&emu, initiate, text(initiate, "/rawBody")).await;
    assert_answers_like(&answer, initiate);
    let challenge = &answer.body["ChallengeParameters"];
    assert_eq!(answer.body["ChallengeName"], "PASSWORD_VERIFIER");
    // W's pool has no username attributes: the id for SRP is the username.
    assert_eq!(text(challenge, "/USER_ID_FOR_SRP"), username);
    assert_eq!(text(challenge, "/USERNAME"), username);

    // RespondToAuthChallenge in the library's body, with the claim the library would
    // make for this challenge (its TIMESTAMP is the recorded one: the clock says so).
    let respond = request(&idp, "RespondToAuthChallenge PASSWORD_VERIFIER");
    let claim = srp
        .claim(
            pool,
            password,
            &PasswordVerifier {
                salt_hex: text(challenge, "/SALT").into(),
                srp_b_hex: text(challenge, "/SRP_B").into(),
                secret_block: text(challenge, "/SECRET_BLOCK").into(),
                user_id_for_srp: text(challenge, "/USER_ID_FOR_SRP").into(),
            },
            clock.now_ms(),
        )
        .unwrap();
    let recorded = &respond["body"]["ChallengeResponses"];
    assert_eq!(claim.timestamp, text(recorded, "/TIMESTAMP"));
    let answer = replay_with(
        &emu,
        respond,
        &[
            (
                &format!("\"USERNAME\":\"{}\"", text(recorded, "/USERNAME")),
                &format!("\"USERNAME\":\"{}\"", claim.user_id_for_srp),
            ),
            (
                text(recorded, "/PASSWORD_CLAIM_SECRET_BLOCK"),
                &claim.secret_block,
            ),
            (
                text(recorded, "/PASSWORD_CLAIM_SIGNATURE"),
                &claim.signature,
            ),
        ],
    )
    .await;
    assert_answers_like(&answer, respond);
    let result = &answer.body["AuthenticationResult"];
    assert_eq!(
        (result["ExpiresIn"].as_i64(), text(result, "/TokenType")),
        (Some(3600), "Bearer")
    );
    let outcome = &idp["libraryOutcomes"]["signIn"]["idTokenPayload"];
    let id = jwt_payload(text(result, "/IdToken"));
    assert_has_claims_of(&id, outcome, "ID token");
    for claim in ["iat", "auth_time", "exp"] {
        assert_eq!(
            id[claim], outcome[claim],
            "{claim}: the clock shows the recording"
        );
    }
    assert_eq!(id["email"], username);

    // REFRESH_TOKEN_AUTH with `"DEVICE_KEY":null` and no USERNAME.
    let refresh = request(&idp, "InitiateAuth REFRESH_TOKEN_AUTH");
    assert!(text(refresh, "/rawBody").contains(r#""DEVICE_KEY":null"#));
    clock.advance(Duration::from_secs(60));
    let answer = replay_with(
        &emu,
        refresh,
        &[(
            text(refresh, "/body/AuthParameters/REFRESH_TOKEN"),
            text(result, "/RefreshToken"),
        )],
    )
    .await;
    assert_answers_like(&answer, refresh);
    let access = jwt_payload(text(&answer.body, "/AuthenticationResult/AccessToken"));
    let outcome = &idp["libraryOutcomes"]["refresh"]["accessTokenPayload"];
    assert_has_claims_of(&access, outcome, "access token");
    assert_eq!(access["iat"].as_i64(), Some(RECORDED_AT_MS / 1000 + 60));
    assert!(emu
        .cognito
        .verify_access_token(
            text(&answer.body, "/AuthenticationResult/AccessToken"),
            clock.now_ms()
        )
        .is_some());
}

/// The library's `PASSWORD_CLAIM_SIGNATURE` passes the server-side check the emulator
/// makes, for the recorded salt, password verifier, server secret `b`, `SRP_A`, secret
/// block, user id and timestamp.
#[test]
fn the_emulators_srp_check_accepts_the_librarys_password_claim() {
    let idp = fixture(COGNITO_IDP);
    let inputs = &idp["inputs"];
    let srp = &idp["srp"];
    let pool = text(inputs, "/userPoolId");
    let user_id = text(inputs, "/userIdForSrp");
    let salt: [u8; 16] = hex(text(inputs, "/salt")).try_into().unwrap();
    let verifier = Verifier::new(pool, user_id, text(inputs, "/password"), &salt).unwrap();
    assert_eq!(verifier.salt_hex, text(inputs, "/salt"));
    assert_eq!(verifier.verifier_hex, text(srp, "/v"), "the same v = g^x");

    let mut b = [0u8; 128];
    let recorded_b = hex(text(inputs, "/b"));
    b[128 - recorded_b.len()..].copy_from_slice(&recorded_b);
    let server = SrpServer::new(&verifier, &b).unwrap();
    assert_eq!(server.srp_b(), text(srp, "/B"), "the same B = kv + g^b");

    let respond = request(&idp, "RespondToAuthChallenge PASSWORD_VERIFIER");
    let sent = &respond["body"]["ChallengeResponses"];
    let claim = PasswordClaim {
        user_id_for_srp: text(sent, "/USERNAME").into(),
        timestamp: text(sent, "/TIMESTAMP").into(),
        secret_block: text(sent, "/PASSWORD_CLAIM_SECRET_BLOCK").into(),
        signature: text(sent, "/PASSWORD_CLAIM_SIGNATURE").into(),
    };
    assert_eq!(claim.user_id_for_srp, user_id);
    assert_eq!(claim.timestamp, text(srp, "/timestamp"));
    assert_eq!(claim.secret_block, text(inputs, "/secretBlock"));
    assert_eq!(claim.signature, text(srp, "/passwordClaimSignature"));
    let srp_a = text(srp, "/A");
    assert_eq!(server.verify(pool, srp_a, &claim), Ok(true));

    // And it is a check: another second, block or password fails it.
    let later = PasswordClaim {
        timestamp: "Tue Mar 7 09:05:02 UTC 2023".into(),
        ..claim.clone()
    };
    assert_eq!(server.verify(pool, srp_a, &later), Ok(false));
    let other_block = PasswordClaim {
        secret_block: "b3RoZXI=".into(),
        ..claim.clone()
    };
    assert_eq!(server.verify(pool, srp_a, &other_block), Ok(false));
    let other_password = Verifier::new(pool, user_id, "password2", &salt).unwrap();
    let server = SrpServer::new(&other_password, &b).unwrap();
    assert_eq!(server.verify(pool, srp_a, &claim), Ok(false));
}

/// The recorded sign-in replayed whole: with the user's salt and the server's `b` and
/// secret block pinned, the emulator's challenge is the recorded one, number for number,
/// and the library's recorded `RespondToAuthChallenge` body, unchanged, signs in.
#[tokio::test]
async fn the_recorded_srp_sign_in_replayed_byte_for_byte() {
    let idp = fixture(COGNITO_IDP);
    let inputs = &idp["inputs"];
    let user_id = text(inputs, "/userIdForSrp");
    let salt: [u8; 16] = hex(text(inputs, "/salt")).try_into().unwrap();
    let (emu, clock) = emulator_at_recording().await;
    // In W the username is the id for SRP, so the recorded user is called by it.
    emu.cognito
        .create_user_with_salt(
            &emu.backend.store,
            user_id,
            text(inputs, "/password"),
            &[],
            &salt,
        )
        .unwrap();
    let pin = || {
        emu.cognito
            .pin_next_srp_challenge(&hex(text(inputs, "/b")), text(inputs, "/secretBlock"))
    };
    let initiate = request(&idp, "InitiateAuth USER_SRP_AUTH");
    let as_user_id = [(
        "\"USERNAME\":\"ada@example.com\"",
        &*format!("\"USERNAME\":\"{user_id}\""),
    )];

    pin();
    let answer = replay_with(&emu, initiate, &as_user_id).await;
    assert_answers_like(&answer, initiate);
    assert_eq!(
        answer.body, initiate["response"]["body"],
        "the recorded challenge: SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME"
    );

    let respond = request(&idp, "RespondToAuthChallenge PASSWORD_VERIFIER");
    let answer = replay(&emu, respond, text(respond, "/rawBody")).await;
    assert_answers_like(&answer, respond);
    let access = text(&answer.body, "/AuthenticationResult/AccessToken");
    let claims = emu
        .cognito
        .verify_access_token(access, clock.now_ms())
        .expect("a valid access token");
    assert_eq!(claims.username, user_id);

    // The challenge is used up: the same answer again is refused.
    let again = replay(&emu, respond, text(respond, "/rawBody")).await;
    assert_eq!(
        (again.status, library_error(&again.body).0.as_str()),
        (400, "NotAuthorizedException")
    );

    // A claim dated six minutes from the server's now is refused.
    clock.set(RECORDED_AT_MS - 6 * 60 * 1000);
    pin();
    assert_eq!(replay_with(&emu, initiate, &as_user_id).await.status, 200);
    let early = replay(&emu, respond, text(respond, "/rawBody")).await;
    assert_eq!(
        (early.status, library_error(&early.body)),
        (
            400,
            (
                "NotAuthorizedException".to_string(),
                "Incorrect username or password.".to_string()
            )
        )
    );
}

/// `@aws-sdk/client-cognito-identity` 3.1164.0: `GetId`, then
/// `GetCredentialsForIdentity`, unsigned, with the SDK's lower-case headers.
#[tokio::test]
async fn aws_sdk_v3_gets_an_identity_and_its_credentials() {
    let identity = fixture(COGNITO_IDENTITY);
    let recorded_id = text(&identity, "/inputs/identityId");
    let (emu, _clock) = emulator_at_recording().await;
    for requests in ["requests", "requestsWithCredentialsConfigured"] {
        let get_id = &identity[requests][0];
        assert_eq!(get_id["name"], "GetId");
        let answer = replay(&emu, get_id, text(get_id, "/rawBody")).await;
        assert_answers_like(&answer, get_id);
        let id = text(&answer.body, "/IdentityId").to_string();
        assert!(
            id.starts_with("us-east-1:") && id.len() == recorded_id.len(),
            "{id}"
        );

        let get_credentials = &identity[requests][1];
        assert_eq!(get_credentials["name"], "GetCredentialsForIdentity");
        let answer = replay_with(&emu, get_credentials, &[(recorded_id, &id)]).await;
        assert_answers_like(&answer, get_credentials);
        assert_eq!(answer.body["IdentityId"], id.as_str());
        // Epoch seconds as a JSON number, which the SDK turns into a Date: an hour on.
        assert_eq!(
            answer.body["Credentials"]["Expiration"],
            get_credentials["response"]["body"]["Credentials"]["Expiration"]
        );
        assert_eq!(
            identity["parsedOutput"]["GetCredentialsForIdentity"]["Credentials"]["Expiration"],
            "2023-03-07T10:05:01.000Z"
        );
    }
}

/// The credentials of the IoT fixture, as if the identity pool had issued them.
fn record_iot_credentials(emu: &Running, inputs: &Value, session_token: &str) {
    emulator::cognito::record_credentials(
        &emu.backend.store,
        &IssuedCredentials {
            access_key_id: text(inputs, "/accessKeyId").into(),
            secret_key: text(inputs, "/secretKey").into(),
            session_token: session_token.into(),
            identity_id: "us-east-1:11111111-2222-4333-8444-555555555555".into(),
            expiration_s: RECORDED_AT_MS / 1000 + 3600,
            principal: emulator::cognito::Principal::Unauthenticated,
        },
        RECORDED_AT_MS,
    )
    .unwrap();
}

/// `wss://host[:port]/mqtt?query` into its authority, path and query.
fn split_url(url: &str) -> (&str, &str, &str) {
    let rest = url.strip_prefix("wss://").unwrap();
    let (authority, path_query) = rest.split_at(rest.find('/').unwrap());
    let (path, query) = path_query.split_once('?').unwrap();
    (authority, path, query)
}

/// The SDK's `query` (signed for `127.0.0.1:8787`) with only its signature made again,
/// as the SDK makes it, for `host`: the emulator answers only requests addressed to the
/// port it listens on (against DNS rebinding, `emulator::access`), and a test's
/// emulator listens on a free port. Everything else stays byte for byte.
fn signed_for(query: &str, inputs: &Value, path: &str, host: &str) -> String {
    // The SDK signs its own concatenation, up to the signature; the token comes after.
    let (signed, after) = query.split_once("&X-Amz-Signature=").unwrap();
    let (_, token) = after.split_once('&').unwrap();
    let date = signed
        .split('&')
        .find_map(|pair| pair.strip_prefix("X-Amz-Date="))
        .unwrap();
    let at = shared::time::UtcDateTime::parse_amz_date(date).unwrap();
    let canonical = shared::sigv4::canonical_request("GET", path, signed, host);
    let signature = shared::sigv4::sign(
        text(inputs, "/secretKey"),
        &at,
        local::REGION,
        shared::sigv4::IOT_SERVICE,
        &canonical,
    );
    format!("{signed}&X-Amz-Signature={signature}&{token}")
}

/// `aws-iot-device-sdk` 2.2.16's presigned URLs: the session token appended after the
/// signature, a hand-built canonical query, `host:port` signed for a local port.
#[tokio::test]
async fn aws_iot_device_sdk_presigned_urls_are_accepted() {
    let presigned = fixture(IOT_PRESIGNED_URL);
    let inputs = &presigned["inputs"];
    let (emu, clock) = emulator_at_recording().await;
    let cases = presigned["cases"].as_array().unwrap();
    record_iot_credentials(&emu, inputs, text(&cases[0], "/sessionToken"));
    let store = &emu.backend.store;
    for case in &cases[..2] {
        let (host, path, query) = split_url(text(case, "/url"));
        assert_eq!(
            iot::verify_presigned(store, host, path, query, clock.now_ms()).map(drop),
            Ok(()),
            "{}",
            case["name"]
        );
        assert_eq!(
            iot::verify_presigned(store, "elsewhere.example", path, query, clock.now_ms()),
            Err(PresignError::Signature),
            "the host is signed"
        );
    }
    // The identity pool only issues temporary credentials, which need their token.
    assert_eq!(cases[2]["sessionToken"], Value::Null);
    let (host, path, query) = split_url(text(&cases[2], "/url"));
    assert_eq!(
        iot::verify_presigned(store, host, path, query, clock.now_ms()),
        Err(PresignError::SecurityToken)
    );
    // Without X-Amz-Expires a URL is good for the 15 minutes of allowed skew.
    let (host, path, query) = split_url(text(&cases[0], "/url"));
    clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(
        iot::verify_presigned(store, host, path, query, clock.now_ms()).map(drop),
        Ok(())
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        iot::verify_presigned(store, host, path, query, clock.now_ms()),
        Err(PresignError::Expired)
    );
}

/// An MQTT connection over WebSocket, in raw packets.
struct Mqtt {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    received: Vec<u8>,
}

impl Mqtt {
    async fn send(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::Binary(bytes.into())).await.unwrap();
    }

    /// The next whole packet from the broker.
    async fn next_packet(&mut self) -> Vec<u8> {
        loop {
            if let Some(len) = shared::mqtt::next_packet_len(&self.received).unwrap() {
                return self.received.drain(..len).collect();
            }
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the broker answers")
                .expect("the connection is open")
                .unwrap();
            if let Message::Binary(bytes) = message {
                self.received.extend_from_slice(&bytes);
            }
        }
    }
}

/// The SDK's URL for `127.0.0.1:8787` opened as the SDK opens it (subprotocol
/// `mqttv3.1`), then `mqtt-packet`'s CONNECT, SUBSCRIBE, PINGREQ and DISCONNECT bytes:
/// the broker's answers are the recorded CONNACK, SUBACK and PINGRESP bytes, and events
/// arrive as PUBLISH packets at QoS 0.
#[tokio::test]
async fn aws_iot_device_sdk_connects_and_speaks_mqtt_3_1_1() {
    let presigned = fixture(IOT_PRESIGNED_URL);
    let packets = fixture(MQTT_PACKETS);
    let packet = |name: &str| {
        hex(text(
            packets["packets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("no packet {name}")),
            "/hex",
        ))
    };
    let case = &presigned["cases"][1];
    let (emu, clock) = emulator_at_recording().await;
    record_iot_credentials(&emu, &presigned["inputs"], text(case, "/sessionToken"));
    let (host, path, query) = split_url(text(case, "/url"));
    assert_eq!(host, "127.0.0.1:8787", "signed for the default port");
    // As the SDK would sign it for wherever this emulator listens.
    let here = emu.addr.to_string();
    let query = signed_for(query, &presigned["inputs"], path, &here);
    assert_eq!(
        signed_for(
            text(case, "/url").split_once('?').unwrap().1,
            &presigned["inputs"],
            path,
            host
        ),
        text(case, "/url").split_once('?').unwrap().1,
        "made again for the recorded host, the signature is the SDK's"
    );

    let mut request = format!("ws://{here}{path}?{query}")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "mqttv3.1".parse().unwrap());
    let (ws, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the presigned URL opens");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "mqttv3.1",
        "the SDK's subprotocol is agreed"
    );
    let mut mqtt = Mqtt {
        ws,
        received: Vec::new(),
    };
    mqtt.send(packet("CONNECT")).await;
    assert_eq!(mqtt.next_packet().await, packet("CONNACK accepted"));
    mqtt.send(packet("SUBSCRIBE")).await;
    assert_eq!(mqtt.next_packet().await, packet("SUBACK granted"));
    mqtt.send(packet("PINGREQ")).await;
    assert_eq!(mqtt.next_packet().await, packet("PINGRESP"));

    // W's store is open: closing it is a change, which the stream announces.
    emu.backend.set_store_open(false, clock.now_ms()).unwrap();
    let publish = mqtt.next_packet().await;
    let recorded = packet("PUBLISH QoS 0");
    assert_eq!(publish[0], recorded[0], "PUBLISH, QoS 0, no dup, no retain");
    match shared::mqtt::decode_slice(&publish).unwrap() {
        Some(shared::mqtt::Packet::Publish(p)) => {
            assert!(
                ["serverlesspresso-admin", "serverlesspresso-config"].contains(&p.topic_name),
                "{}",
                p.topic_name
            );
            let event: Value = serde_json::from_slice(p.payload).unwrap();
            assert_eq!(event["type"], "ConfigService.ConfigChanged");
        }
        other => panic!("expected PUBLISH, got {other:?}"),
    }
    mqtt.send(packet("DISCONNECT")).await;
}
