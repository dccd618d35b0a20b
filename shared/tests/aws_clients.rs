//! The client halves of `shared` against what AWS's own JavaScript libraries send,
//! recorded in `fixtures/aws-clients/` (see its README): the same Cognito targets, fields
//! and values, the same SRP numbers and signature for the same secret, the same presigned
//! IoT URL, the same MQTT bytes. If a field were misunderstood here, the apps and the
//! emulator would agree with each other and these tests would still fail.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use shared::cognito::{self, CognitoCall};
use shared::mqtt::{MqttOutput, MqttSession};
use shared::sigv4::{self, AwsCredentials};
use shared::srp::{PasswordVerifier, SrpClient};
use shared::url::{Endpoint, SchemeKind};
use shared::{AppKind, Field, Settings, SettingsDraft};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../fixtures/aws-clients/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn request<'a>(fixture: &'a Value, name: &str) -> &'a Value {
    fixture["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no fixture request {name:?}"))
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn fixture_ms(date: &str) -> i64 {
    // Every fixture was recorded at 2023-03-07T09:05:01Z.
    assert_eq!(date, "2023-03-07T09:05:01.000Z");
    1_678_179_901_000
}

/// Settings naming the fixtures' pool, client and identity pool.
fn settings() -> Settings {
    let mut d = SettingsDraft::default();
    for (f, v) in [
        (Field::Region, "us-east-1"),
        (Field::UserPoolId, "us-east-1_Serverlesspresso"),
        (Field::UserPoolWebClientId, "serverlesspresso0localapp1"),
        (
            Field::IdentityPoolId,
            "us-east-1:00000000-0000-4000-8000-00000000c0ff",
        ),
        (
            Field::IotHost,
            "abcdefgh123456-ats.iot.us-east-1.amazonaws.com",
        ),
        (Field::OrderManagerEndpoint, "https://om.example/Prod/"),
        (Field::ValidatorEndpoint, "https://val.example/Prod/"),
        (Field::ConfigEndpoint, "https://cfg.example/Prod/"),
    ] {
        d.set(f, v);
    }
    d.validate(AppKind::Order).unwrap()
}

/// Our call has the library's target and content type, and every field we send is one
/// the library sends, with the same value. The library's extra fields are the optional
/// ones listed, which Cognito does not need.
fn same_call(ours: &CognitoCall, theirs: &Value, optional: &[&str]) {
    let headers = &theirs["headers"];
    let target = headers["X-Amz-Target"]
        .as_str()
        .or(headers["x-amz-target"].as_str())
        .unwrap();
    assert_eq!(ours.target, target, "{}", theirs["name"]);
    let content_type = headers["Content-Type"]
        .as_str()
        .or(headers["content-type"].as_str())
        .unwrap();
    assert_eq!(cognito::CONTENT_TYPE, content_type);
    same_fields(&ours.body, &theirs["body"], optional, &theirs["name"]);
}

fn same_fields(ours: &Value, theirs: &Value, optional: &[&str], what: &Value) {
    let (Value::Object(ours), Value::Object(theirs)) = (ours, theirs) else {
        assert_eq!(ours, theirs, "{what}");
        return;
    };
    for (key, value) in ours {
        let Some(their_value) = theirs.get(key) else {
            panic!("{what}: we send {key}, the library does not");
        };
        same_fields(value, their_value, optional, what);
    }
    for key in theirs.keys() {
        assert!(
            ours.contains_key(key) || optional.contains(&key.as_str()),
            "{what}: the library sends {key}, we do not"
        );
    }
}

#[test]
fn sign_up_confirm_resend_and_refresh_are_the_librarys_requests() {
    let idp = fixture("cognito-idp.json");
    let settings = settings();
    let inputs = &idp["inputs"];
    let (user, password) = (
        inputs["username"].as_str().unwrap(),
        inputs["password"].as_str().unwrap(),
    );
    same_call(
        &cognito::sign_up(&settings, user, password),
        request(&idp, "SignUp"),
        &["ValidationData"],
    );
    same_call(
        &cognito::confirm_sign_up(&settings, user, "123456"),
        request(&idp, "ConfirmSignUp"),
        &["ForceAliasCreation"],
    );
    same_call(
        &cognito::resend_code(&settings, user),
        request(&idp, "ResendConfirmationCode"),
        &[],
    );
    let refresh = request(&idp, "InitiateAuth REFRESH_TOKEN_AUTH");
    let token = refresh["body"]["AuthParameters"]["REFRESH_TOKEN"]
        .as_str()
        .unwrap();
    same_call(
        &cognito::refresh(&settings, token),
        refresh,
        &["DEVICE_KEY"],
    );
}

/// With the library's secret `a`, our SRP client sends the library's `SRP_A` and, for
/// the server's challenge, the library's timestamp and signature, byte for byte.
#[test]
fn srp_sign_in_matches_the_library_number_for_number() {
    let idp = fixture("cognito-idp.json");
    let settings = settings();
    let inputs = &idp["inputs"];
    let a: [u8; 128] = hex(inputs["a"].as_str().unwrap()).try_into().unwrap();
    let client = SrpClient::new(&a);

    let initiate = request(&idp, "InitiateAuth USER_SRP_AUTH");
    let user = inputs["username"].as_str().unwrap();
    same_call(
        &cognito::initiate_srp(&settings, user, &client.srp_a()),
        initiate,
        &["ClientMetadata"],
    );

    let challenge = &initiate["response"]["body"]["ChallengeParameters"];
    let step = cognito::parse_auth(&initiate["response"]["body"].to_string(), 0, None).unwrap();
    let cognito::AuthStep::PasswordVerifier(parsed) = step else {
        panic!("the library's challenge reads as a password verifier")
    };
    assert_eq!(
        parsed,
        PasswordVerifier {
            salt_hex: challenge["SALT"].as_str().unwrap().into(),
            srp_b_hex: challenge["SRP_B"].as_str().unwrap().into(),
            secret_block: challenge["SECRET_BLOCK"].as_str().unwrap().into(),
            user_id_for_srp: challenge["USER_ID_FOR_SRP"].as_str().unwrap().into(),
        }
    );
    let claim = client
        .claim(
            inputs["userPoolId"].as_str().unwrap(),
            inputs["password"].as_str().unwrap(),
            &parsed,
            fixture_ms(inputs["date"].as_str().unwrap()),
        )
        .unwrap();
    let respond = request(&idp, "RespondToAuthChallenge PASSWORD_VERIFIER");
    let sent = &respond["body"]["ChallengeResponses"];
    assert_eq!(claim.timestamp, sent["TIMESTAMP"].as_str().unwrap());
    assert_eq!(
        claim.signature,
        sent["PASSWORD_CLAIM_SIGNATURE"].as_str().unwrap()
    );
    same_call(
        &cognito::respond_password_verifier(&settings, &claim),
        respond,
        &["ClientMetadata"],
    );

    // And the library's tokens read as a session.
    let done = cognito::parse_auth(&respond["response"]["body"].to_string(), 0, None).unwrap();
    assert!(matches!(done, cognito::AuthStep::Done(_)));
}

#[test]
fn cognito_errors_read_as_the_library_reads_them() {
    let idp = fixture("cognito-idp.json");
    for (name, kind) in [
        (
            "SignUp (error: UsernameExistsException)",
            cognito::CognitoErrorKind::UsernameExists,
        ),
        (
            "ConfirmSignUp (error: namespaced __type)",
            cognito::CognitoErrorKind::CodeMismatch,
        ),
    ] {
        let body = request(&idp, name)["response"]["body"].to_string();
        assert_eq!(cognito::CognitoError::parse(&body).kind, kind, "{name}");
    }
}

#[test]
fn identity_pool_calls_are_the_sdks_and_its_answers_read() {
    let identity = fixture("cognito-identity.json");
    let settings = settings();
    let get_id = request(&identity, "GetId");
    same_call(&cognito::get_id(&settings, None), get_id, &[]);
    let id = cognito::parse_identity_id(&get_id["response"]["body"].to_string()).unwrap();
    let get_credentials = request(&identity, "GetCredentialsForIdentity");
    same_call(
        &cognito::get_credentials(&settings, &id, None),
        get_credentials,
        &[],
    );
    let (credentials, expires_ms) =
        cognito::parse_credentials(&get_credentials["response"]["body"].to_string()).unwrap();
    let sdk = &identity["parsedOutput"]["GetCredentialsForIdentity"]["Credentials"];
    assert_eq!(
        credentials.access_key_id,
        sdk["AccessKeyId"].as_str().unwrap()
    );
    assert_eq!(
        credentials.session_token.as_deref(),
        sdk["SessionToken"].as_str()
    );
    // The SDK reads `Expiration` (epoch seconds) into a date: the same instant.
    assert_eq!(
        expires_ms,
        get_credentials["response"]["body"]["Credentials"]["Expiration"]
            .as_i64()
            .unwrap()
            * 1000
    );
}

/// The body exactly as the library put it on the wire (our client sends
/// `body.to_string()`).
fn same_bytes(ours: &CognitoCall, theirs: &Value) {
    assert_eq!(
        ours.body.to_string(),
        theirs["rawBody"].as_str().unwrap(),
        "{}",
        theirs["name"]
    );
}

/// For a signed-in person whose settings ask for authenticated identities both
/// identity-pool calls carry `Logins`: the user pool's
/// provider name and the ID token, byte for byte what the SDK sends.
#[test]
fn authenticated_identity_pool_calls_are_the_sdks_byte_for_byte() {
    let identity = fixture("cognito-identity-authenticated.json");
    let mut draft = settings().draft().clone();
    draft.set(Field::Identities, "authenticated");
    let settings = draft.validate(AppKind::Order).unwrap();
    let inputs = &identity["inputs"];
    assert_eq!(
        cognito::login_provider(&settings),
        inputs["loginProvider"].as_str().unwrap()
    );
    // The ID token is the one the user-pool fixture's sign-in was answered with.
    let id_token = inputs["idToken"].as_str().unwrap();
    let idp = fixture("cognito-idp.json");
    assert_eq!(
        request(&idp, "RespondToAuthChallenge PASSWORD_VERIFIER")["response"]["body"]
            ["AuthenticationResult"]["IdToken"],
        id_token
    );

    let get_id = request(&identity, "GetId");
    let ours = cognito::get_id(&settings, Some(id_token));
    same_call(&ours, get_id, &[]);
    same_bytes(&ours, get_id);

    let id = cognito::parse_identity_id(&get_id["response"]["body"].to_string()).unwrap();
    let get_credentials = request(&identity, "GetCredentialsForIdentity");
    let ours = cognito::get_credentials(&settings, &id, Some(id_token));
    same_call(&ours, get_credentials, &[]);
    same_bytes(&ours, get_credentials);

    let (credentials, _) =
        cognito::parse_credentials(&get_credentials["response"]["body"].to_string()).unwrap();
    let sdk = &identity["parsedOutput"]["GetCredentialsForIdentity"]["Credentials"];
    assert_eq!(
        credentials.access_key_id,
        sdk["AccessKeyId"].as_str().unwrap()
    );
}

/// Signing out revokes the refresh token the sign-in gave, with the request
/// `amazon-cognito-identity-js` sends from `signOut(callback)`. (The library sends it
/// only when the access token has an `origin_jti` claim, as tokens of an app client with
/// token revocation have; the fixture's `libraryOutcomes` show no request without one.
/// `revoke` has no such condition: the apps always send it.)
#[test]
fn sign_out_revokes_the_refresh_token_as_the_library_does() {
    let sign_out = fixture("cognito-idp-sign-out.json");
    let settings = settings();
    let signed_in = &request(&sign_out, "RespondToAuthChallenge PASSWORD_VERIFIER")["response"]
        ["body"]["AuthenticationResult"];
    let revoke = request(&sign_out, "RevokeToken");
    let ours = cognito::revoke(&settings, signed_in["RefreshToken"].as_str().unwrap());
    same_call(&ours, revoke, &[]);
    assert_eq!(ours.body, revoke["body"], "the same JSON object");
    // Not byte for byte: the library writes `{"Token":…,"ClientId":…}` (its object's
    // order), serde_json writes keys sorted, `{"ClientId":…,"Token":…}`. JSON objects
    // are unordered and Cognito reads either, so only the order may differ: the
    // library's bytes with their keys sorted are ours.
    let theirs: Value = serde_json::from_str(revoke["rawBody"].as_str().unwrap()).unwrap();
    assert_eq!(ours.body.to_string(), theirs.to_string());
}

#[test]
fn presigned_iot_urls_are_the_device_sdks() {
    let iot = fixture("iot-presigned-url.json");
    let inputs = &iot["inputs"];
    let now = fixture_ms(inputs["date"].as_str().unwrap());
    for case in iot["cases"].as_array().unwrap() {
        let options = &case["options"];
        let host = match options["port"].as_u64() {
            Some(port) => format!("{}:{port}", options["host"].as_str().unwrap()),
            None => options["host"].as_str().unwrap().to_string(),
        };
        let endpoint =
            Endpoint::parse(&format!("wss://{host}/mqtt"), SchemeKind::WebSocket).unwrap();
        let credentials = AwsCredentials {
            access_key_id: inputs["accessKeyId"].as_str().unwrap().into(),
            secret_access_key: inputs["secretKey"].as_str().unwrap().into(),
            session_token: case["sessionToken"].as_str().map(str::to_string),
        };
        let ours = sigv4::presign(
            &endpoint,
            options["region"].as_str().unwrap(),
            sigv4::IOT_SERVICE,
            &credentials,
            now,
            None,
        );
        assert_eq!(ours, case["url"].as_str().unwrap(), "{}", case["name"]);
    }
}

fn packet(mqtt: &Value, name: &str) -> Vec<u8> {
    let found = mqtt["packets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no packet {name:?}"));
    hex(found["hex"].as_str().unwrap())
}

/// Our session writes the bytes mqtt.js writes, and reads what a broker sends.
#[test]
fn mqtt_packets_are_mqtt_js_bytes() {
    let mqtt = fixture("mqtt-packets.json");
    let mut session = MqttSession::new(
        "serverlesspresso-abc123".into(),
        vec![
            "serverlesspresso-admin".into(),
            "serverlesspresso-config".into(),
        ],
        30,
    );
    assert_eq!(session.start(0), MqttOutput::Send(packet(&mqtt, "CONNECT")));
    assert_eq!(
        session.receive(&packet(&mqtt, "CONNACK accepted"), 10),
        vec![MqttOutput::Send(packet(&mqtt, "SUBSCRIBE"))]
    );
    assert_eq!(
        session.receive(&packet(&mqtt, "SUBACK granted"), 20),
        vec![MqttOutput::Ready]
    );
    assert_eq!(
        session.tick(15_020),
        vec![MqttOutput::Send(packet(&mqtt, "PINGREQ"))]
    );
    let payload = br#"{"type":"OrderManager.MakeOrder","detail":{"orderId":"o1","userId":"u1","baristaUserId":"b1","Message":"m"}}"#;
    assert_eq!(
        session.receive(&packet(&mqtt, "PUBLISH QoS 0"), 30),
        vec![MqttOutput::Message {
            topic: "serverlesspresso-admin".into(),
            payload: payload.to_vec()
        }]
    );
    // A QoS 1 message is delivered and acknowledged.
    let outputs = session.receive(&packet(&mqtt, "PUBLISH QoS 1"), 40);
    assert_eq!(
        outputs[0],
        MqttOutput::Message {
            topic: "serverlesspresso-admin".into(),
            payload: payload.to_vec()
        }
    );
    assert_eq!(outputs[1], MqttOutput::Send(vec![0x40, 0x02, 0x00, 0x07]));
    assert!(session.receive(&packet(&mqtt, "PINGRESP"), 50).is_empty());

    // A refused connection, and a refused subscription, are failures to report.
    let mut refused = MqttSession::new("serverlesspresso-x".into(), vec!["t".into()], 30);
    refused.start(0);
    assert!(matches!(
        refused.receive(&packet(&mqtt, "CONNACK not authorized"), 1)[..],
        [MqttOutput::Failed(_)]
    ));
    let mut partly = MqttSession::new(
        "serverlesspresso-y".into(),
        vec!["a".into(), "b".into()],
        30,
    );
    partly.start(0);
    partly.receive(&packet(&mqtt, "CONNACK accepted"), 1);
    assert!(matches!(
        partly.receive(&packet(&mqtt, "SUBACK one refused"), 2)[..],
        [MqttOutput::Refused(ref topics)] if topics == &["b".to_string()]
    ));
    assert!(!partly.is_ready());
}
