//! Sign-in, tokens, credentials, and what the real services answer to bad input.

mod common;

use common::*;
use emulator::client::{Client, Subscriber};
use reqwest::Method;
use serde_json::{json, Value};
use shared::sigv4::AwsCredentials;
use shared::windows::Windows;
use std::time::Duration;

#[tokio::test]
async fn sign_up_confirm_sign_in_and_refresh() {
    let emu = start(Windows::AWS, None).await;
    let base = emu.base_url();
    let mut c = Client::new(&base)
        .unwrap()
        .with_local_token(emu.local_token());
    let signed_up = c
        .sign_up("ana@example.com", "password1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signed_up["UserConfirmed"], false);
    assert_eq!(signed_up["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    assert_eq!(
        c.sign_up("ana@example.com", "password1")
            .await
            .unwrap()
            .unwrap_err()
            .kind,
        "UsernameExistsException"
    );
    assert_eq!(
        c.sign_up("bob@example.com", "short")
            .await
            .unwrap()
            .unwrap_err()
            .kind,
        "InvalidPasswordException"
    );
    assert_eq!(
        c.sign_in("ana@example.com", "password1")
            .await
            .unwrap()
            .unwrap_err()
            .kind,
        "UserNotConfirmedException"
    );
    assert_eq!(
        c.confirm("ana@example.com", "000000x")
            .await
            .unwrap()
            .unwrap_err()
            .kind,
        "CodeMismatchException"
    );
    let code = c.sent_code(&base, "ana@example.com").await.unwrap();
    c.confirm("ana@example.com", &code).await.unwrap().unwrap();

    let wrong = c
        .sign_in("ana@example.com", "password2")
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (wrong.kind.as_str(), wrong.message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    assert_eq!(
        c.sign_in("nobody@example.com", "password1")
            .await
            .unwrap()
            .unwrap_err()
            .kind,
        "UserNotFoundException"
    );
    c.sign_in("ana@example.com", "password1")
        .await
        .unwrap()
        .unwrap();
    let first = c.tokens.clone().unwrap();
    c.refresh().await.unwrap().unwrap();
    let refreshed = c.tokens.clone().unwrap();
    assert_ne!(first.access_token, refreshed.access_token);
    assert_eq!(first.refresh_token, refreshed.refresh_token);
    let mine = c.rest(Method::GET, &c.om("myOrders"), None).await.unwrap();
    assert_eq!((mine.status, mine.body.as_str()), (200, "[]"));

    // The ID token is refused where an access token is required.
    let mut with_id = c.clone();
    with_id.tokens.as_mut().unwrap().access_token = first.id_token.clone();
    assert_eq!(
        with_id
            .rest(Method::GET, &c.om("myOrders"), None)
            .await
            .unwrap()
            .status,
        401
    );
}

#[tokio::test]
async fn access_tokens_last_an_hour_and_refresh_tokens_thirty_days() {
    let clock = manual_clock();
    let emu = start_on(clock.clone(), Windows::AWS, None).await;
    let mut ana = customer(&emu, "ana").await;
    assert_eq!(my_orders_status(&ana).await, 200);
    clock.advance(Duration::from_secs(3600));
    assert_eq!(my_orders_status(&ana).await, 200, "good to its last second");
    clock.advance(Duration::from_secs(1));
    assert_eq!(my_orders_status(&ana).await, 401, "expired after an hour");
    ana.refresh().await.unwrap().unwrap();
    assert_eq!(my_orders_status(&ana).await, 200, "refreshed");
    clock.advance(Duration::from_secs(30 * 24 * 3600));
    let refused = ana.refresh().await.unwrap().unwrap_err();
    assert_eq!(
        (refused.kind.as_str(), refused.message.as_str()),
        ("NotAuthorizedException", "Invalid Refresh Token")
    );
}

#[tokio::test]
async fn gateway_errors_look_like_api_gateway() {
    let emu = start(Windows::AWS, None).await;
    let anonymous = Client::new(&emu.base_url()).unwrap();
    let denied = anonymous
        .rest(Method::GET, &anonymous.om("orders?state=CREATED"), None)
        .await
        .unwrap();
    assert_eq!(
        (denied.status, denied.json().unwrap()),
        (401, json!({"message": "Unauthorized"}))
    );
    assert!(!denied.cors, "gateway errors carry no CORS headers");

    let mut forged = customer(&emu, "ana").await;
    let token = &mut forged.tokens.as_mut().unwrap().access_token;
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[2] = parts[2].chars().rev().collect();
    *token = parts.join(".");
    assert_eq!(
        forged
            .rest(Method::GET, &forged.om("myOrders"), None)
            .await
            .unwrap()
            .status,
        401
    );

    let unknown = anonymous
        .rest(Method::GET, &anonymous.om("nothing-here"), None)
        .await
        .unwrap();
    assert_eq!(
        (unknown.status, unknown.json().unwrap()),
        (403, json!({"message": "Missing Authentication Token"}))
    );
    let wrong_method = anonymous
        .rest(Method::DELETE, &anonymous.om("orders"), None)
        .await
        .unwrap();
    assert_eq!(wrong_method.status, 403);

    let preflight = reqwest::Client::new()
        .request(Method::OPTIONS, anonymous.om("orders/abc"))
        .header("Origin", "http://localhost:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert_eq!(
        preflight.headers()["access-control-allow-methods"],
        "GET,OPTIONS,PUT"
    );
    // API Gateway answers `*`; the emulator echoes only its own origin and loopback dev
    // servers' (`access.rs`), so that no other site's page can use it.
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );
}

#[tokio::test]
async fn validator_refuses_non_admins_and_bad_requests() {
    let emu = start(Windows::AWS, None).await;
    let ana = customer(&emu, "ana").await;
    let refused = ana
        .rest(Method::GET, &ana.validator("qr-code"), None)
        .await
        .unwrap();
    assert_eq!(
        (refused.status, refused.body.as_str(), refused.cors),
        (403, "", false)
    );
    let missing = ana
        .rest(Method::POST, &ana.validator("qr-code"), None)
        .await
        .unwrap();
    assert_eq!(
        (missing.status, missing.json().unwrap()),
        (422, json!({"error": "Missing parameter"}))
    );
    let invalid = scan(&ana, "NOPE").await;
    assert_eq!(
        (invalid.status, invalid.json().unwrap()),
        (400, json!({"error": "Invalid code"}))
    );
}

#[tokio::test]
async fn order_manager_bad_input_fails_quietly_like_w() {
    let emu = start(Windows::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let bob = customer(&emu, "bob").await;
    let mut board = admin_events(&barista).await;
    let order = scan_ok(&ana, qr_code(&barista).await["last_code"].as_str().unwrap()).await;
    board
        .expect("OrderProcessor.WorkflowStarted", Some(&order), WAIT)
        .await
        .unwrap();

    // Not JSON: 200, and the execution never starts.
    let raw = reqwest::Client::new()
        .put(ana.om(&format!("orders/{order}")))
        .header(
            "Authorization",
            format!("Bearer {}", ana.tokens.as_ref().unwrap().access_token),
        )
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    // Someone else's order, a drink not on the menu, a missing modifiers array, an
    // unknown action, an order that does not exist: all 200, none moves anything.
    assert_eq!(
        put_order(&bob, &order, None, drink(&bob, "Latte"))
            .await
            .status,
        200
    );
    put_order(
        &ana,
        &order,
        None,
        json!({"userId": ana.sub().unwrap(), "drink": "Mocha", "modifiers": []}),
    )
    .await;
    put_order(
        &ana,
        &order,
        None,
        json!({"userId": ana.sub().unwrap(), "drink": "Latte"}),
    )
    .await;
    put_order(&barista, &order, Some("dance"), json!({})).await;
    put_order(&barista, "no-such-order", Some("make"), json!({})).await;
    let quiet = board.next_message(Duration::from_millis(700)).await;
    assert!(quiet.is_err(), "no event for bad input, got {quiet:?}");

    // The owner's valid order still goes through afterwards.
    put_order(&ana, &order, None, drink(&ana, "Latte")).await;
    board
        .expect("OrderManager.WaitingCompletion", Some(&order), WAIT)
        .await
        .unwrap();
    // W lets any signed-in user complete (only GET /qr-code is admin-only).
    put_order(&ana, &order, Some("complete"), json!({})).await;
    board
        .expect("OrderManager.OrderCompleted", Some(&order), WAIT)
        .await
        .unwrap();

    let missing = ana
        .rest(Method::GET, &ana.om("orders/no-such-order"), None)
        .await
        .unwrap();
    assert_eq!(
        missing.body,
        r#"{"orderId":"","drinkOrder":,"orderState":"","TS":"",}"#
    );
    let no_state = ana
        .rest(Method::GET, &ana.om("orders"), None)
        .await
        .unwrap();
    assert_eq!(no_state.status, 200);
    assert!(no_state.json().unwrap()["__type"]
        .as_str()
        .unwrap()
        .ends_with("ValidationException"));
}

#[tokio::test]
async fn cognito_errors_have_the_services_shape() {
    let emu = start(Windows::AWS, None).await;
    let c = Client::new(&emu.base_url()).unwrap();
    let response = reqwest::Client::new()
        .post(c.settings.cognito_idp_url())
        .header("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "SerializationException");
    let wrong_client = c
        .cognito(
            "AWSCognitoIdentityProviderService.InitiateAuth",
            json!({"ClientId": "nope", "AuthFlow": "USER_SRP_AUTH"}),
        )
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(wrong_client.kind, "ResourceNotFoundException");
    let password_flow = c
        .cognito(
            "AWSCognitoIdentityProviderService.InitiateAuth",
            json!({"ClientId": c.settings.client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"}}),
        )
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        password_flow.kind, "InvalidParameterException",
        "W's client allows SRP only"
    );
    let pool = c
        .cognito(
            "AWSCognitoIdentityService.GetId",
            json!({"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000"}),
        )
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(pool.kind, "ResourceNotFoundException");
}

#[tokio::test]
async fn phone_users_sign_in_with_a_one_time_code() {
    let emu = start(Windows::AWS, None).await;
    let c = Client::new(&emu.base_url())
        .unwrap()
        .with_local_token(emu.local_token());
    let phone = "+15551234567";
    let idp = |action: &str, mut body: Value| {
        body["ClientId"] = json!(c.settings.client_id);
        let c = c.clone();
        let target = format!("AWSCognitoIdentityProviderService.{action}");
        async move { c.cognito(&target, body).await.unwrap() }
    };
    let up = idp("SignUp", json!({"Username": phone, "Password": "r4nd0m-30-characters-password!", "UserAttributes": [{"Name": "name", "Value": phone}]})).await.unwrap();
    assert_eq!(
        up["UserConfirmed"], true,
        "PreSignUp auto-confirms phone users"
    );
    let challenge = idp(
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "AuthParameters": {"USERNAME": phone}}),
    )
    .await
    .unwrap();
    assert_eq!(challenge["ChallengeName"], "CUSTOM_CHALLENGE");
    let code = c.sent_code(&emu.base_url(), phone).await.unwrap();
    let mut session = challenge["Session"].as_str().unwrap().to_string();
    let username = challenge["ChallengeParameters"]["USERNAME"].clone();
    for _ in 0..3 {
        let again = idp("RespondToAuthChallenge", json!({"ChallengeName": "CUSTOM_CHALLENGE", "Session": session, "ChallengeResponses": {"USERNAME": username, "ANSWER": "000000"}})).await.unwrap();
        assert_eq!(
            again["ChallengeName"], "CUSTOM_CHALLENGE",
            "a wrong answer gets another try"
        );
        session = again["Session"].as_str().unwrap().to_string();
    }
    let tokens = idp("RespondToAuthChallenge", json!({"ChallengeName": "CUSTOM_CHALLENGE", "Session": session, "ChallengeResponses": {"USERNAME": username, "ANSWER": code}})).await.unwrap();
    assert!(tokens["AuthenticationResult"]["AccessToken"].is_string());
}

async fn presigned(c: &Client, credentials: &AwsCredentials) -> String {
    c.presigned(credentials).unwrap()
}

#[tokio::test]
async fn iot_refuses_forged_signatures_and_enforces_the_policy() {
    let emu = start(Windows::AWS, None).await;
    let c = Client::new(&emu.base_url()).unwrap();
    let good = c.credentials().await.unwrap();

    let mut wrong_secret = good.clone();
    wrong_secret.secret_access_key = "not-the-secret-the-identity-pool-issued00".into();
    let forged = Subscriber::connect(
        &presigned(&c, &wrong_secret).await,
        "serverlesspresso-forged",
        &["#"],
    )
    .await;
    assert!(
        forged.is_err(),
        "a URL signed with the wrong secret is refused"
    );
    let mut unknown_key = good.clone();
    unknown_key.access_key_id = "ASIAUNKNOWNKEY000000".into();
    assert!(Subscriber::connect(
        &presigned(&c, &unknown_key).await,
        "serverlesspresso-x",
        &["#"]
    )
    .await
    .is_err());
    let url = presigned(&c, &good).await;
    let without_token = url
        .split("&X-Amz-Security-Token")
        .next()
        .unwrap()
        .to_string();
    assert!(
        Subscriber::connect(&without_token, "serverlesspresso-x", &["#"])
            .await
            .is_err()
    );
    let tampered = url.replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host%3Bx");
    assert!(Subscriber::connect(&tampered, "serverlesspresso-x", &["#"])
        .await
        .is_err());

    // A good URL but a client id without the prefix: IoT closes the connection.
    assert!(
        Subscriber::connect(&presigned(&c, &good).await, "someone-else", &["#"])
            .await
            .is_err()
    );

    // Subscribing works; publishing gets the client disconnected.
    let mut ok = Subscriber::connect(&presigned(&c, &good).await, "serverlesspresso-ok", &["#"])
        .await
        .unwrap();
    ok.send(&mqttrs::Packet::Publish(mqttrs::Publish {
        dup: false,
        qospid: mqttrs::QosPid::AtMostOnce,
        retain: false,
        topic_name: "serverlesspresso-admin",
        payload: b"{}",
    }))
    .await
    .unwrap();
    assert!(ok.closed_within(WAIT).await, "publishing is not allowed");

    // Bytes that are not MQTT close the connection too.
    let mut garbage =
        Subscriber::connect(&presigned(&c, &good).await, "serverlesspresso-g", &["#"])
            .await
            .unwrap();
    garbage
        .send_raw(vec![0x00, 0x02, 0xde, 0xad])
        .await
        .unwrap();
    assert!(garbage.closed_within(WAIT).await);

    // And the emulator still serves everyone else.
    let mut still = Subscriber::connect(
        &presigned(&c, &good).await,
        "serverlesspresso-still",
        &["serverlesspresso-config"],
    )
    .await
    .unwrap();
    let barista = admin(&emu).await;
    // W's store is open: closing it is a change, which the config topic hears.
    barista
        .rest(Method::PUT, &barista.config("store?state=closed"), None)
        .await
        .unwrap();
    still
        .expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();
}
