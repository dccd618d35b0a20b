//! Fault injection through `/_local/faults` (issue #12): each fault as a client meets it
//! on the wire, and its end. Timed faults end by the emulator's clock, so most tests run
//! on a manual clock and move it past them.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use emulator::client::Subscriber;
use emulator::clock::{Clock, ManualClock};
use emulator::iot::{self, PresignError};
use emulator::{local, Running};
use reqwest::Method;
use serde_json::{json, Value};
use shared::sigv4::AwsCredentials;
use shared::windows::Windows;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite;

/// `POST /_local/faults`: (status, body).
async fn post_faults(emu: &Running, body: &str) -> (u16, Value) {
    let reply = reqwest::Client::new()
        .post(format!("{}/_local/faults", emu.base_url()))
        .header("Content-Type", "application/json")
        .header(emulator::access::LOCAL_TOKEN_HEADER, emu.local_token())
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = reply.status().as_u16();
    (status, reply.json().await.unwrap())
}

/// `POST /_local/faults` that must be accepted; the state it answers.
async fn faults(emu: &Running, body: Value) -> Value {
    let (status, state) = post_faults(emu, &body.to_string()).await;
    assert_eq!(status, 200, "{body} refused: {state}");
    state
}

async fn get_faults(emu: &Running) -> Value {
    local_get(emu, "/_local/faults").await.json().await.unwrap()
}

async fn on_manual_clock() -> (Arc<ManualClock>, Running) {
    let clock = manual_clock();
    let emu = start_on(clock.clone(), Windows::AWS, None).await;
    (clock, emu)
}

/// A JWT's claims, unverified.
fn claims(jwt: &str) -> Value {
    let payload = URL_SAFE_NO_PAD
        .decode(jwt.split('.').nth(1).unwrap())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}

fn lifetime(jwt: &str) -> i64 {
    let c = claims(jwt);
    c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap()
}

/// A raw Cognito call from a page on `trunk serve`'s origin: (status, content type, CORS
/// origin, body).
async fn cognito_raw(emu: &Running, target: &str, body: Value) -> (u16, String, String, Value) {
    let reply = reqwest::Client::new()
        .post(format!("{}{}", emu.base_url(), local::COGNITO_PATH))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", target)
        .header("Origin", "http://127.0.0.1:8080")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        reply
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (content_type, origin) = (
        header("content-type"),
        header("access-control-allow-origin"),
    );
    (
        reply.status().as_u16(),
        content_type,
        origin,
        reply.json().await.unwrap(),
    )
}

async fn get_id(emu: &Running) -> (u16, String, String, Value) {
    cognito_raw(
        emu,
        "AWSCognitoIdentityService.GetId",
        json!({"IdentityPoolId": local::IDENTITY_POOL_ID}),
    )
    .await
}

/// `GetCredentialsForIdentity` for a new identity: the credentials and `Expiration`.
async fn new_credentials(emu: &Running) -> (AwsCredentials, i64) {
    let (status, _, _, id) = get_id(emu).await;
    assert_eq!(status, 200, "{id}");
    let (status, _, _, answer) = cognito_raw(
        emu,
        "AWSCognitoIdentityService.GetCredentialsForIdentity",
        json!({"IdentityId": id["IdentityId"]}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (credentials, _) = shared::cognito::parse_credentials(&answer.to_string()).unwrap();
    (
        credentials,
        answer["Credentials"]["Expiration"].as_i64().unwrap(),
    )
}

/// The HTTP status a WebSocket upgrade was refused with, if it was.
fn refused_with(connected: anyhow::Result<Subscriber>) -> Option<u16> {
    match connected {
        Ok(_) => None,
        Err(e) => match e.downcast_ref::<tungstenite::Error>() {
            Some(tungstenite::Error::Http(response)) => Some(response.status().as_u16()),
            _ => panic!("refused otherwise than by HTTP status: {e:#}"),
        },
    }
}

#[tokio::test]
async fn token_lifetime_applies_to_tokens_issued_from_then_on() {
    let (clock, emu) = on_manual_clock().await;
    let before = customer(&emu, "ana").await;
    let access = &before.tokens.as_ref().unwrap().access_token;
    assert_eq!(lifetime(access), 3600, "AWS's hour by default");

    let state = faults(&emu, json!({"tokenLifetimeSeconds": 302})).await;
    assert_eq!(state["tokenLifetimeSeconds"], 302);
    let mut ana = customer(&emu, "bob").await;
    let session = ana.tokens.clone().unwrap();
    assert_eq!(lifetime(&session.access_token), 302);
    assert_eq!(lifetime(&session.id_token), 302);
    assert_eq!(
        session.expires_at_ms - clock.now_ms(),
        302_000,
        "ExpiresIn at sign-in"
    );
    assert_eq!(my_orders_status(&ana).await, 200);
    clock.advance(Duration::from_secs(303));
    assert_eq!(my_orders_status(&ana).await, 401, "expired after 302 s");
    assert_eq!(
        my_orders_status(&before).await,
        200,
        "issued before: still an hour"
    );

    // A refresh issues tokens of the new lifetime too; the refresh token is unchanged.
    let (status, _, _, refreshed) = cognito_raw(
        &emu,
        "AWSCognitoIdentityProviderService.InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": local::CLIENT_ID,
               "AuthParameters": {"REFRESH_TOKEN": session.refresh_token}}),
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    let result = &refreshed["AuthenticationResult"];
    assert_eq!(result["ExpiresIn"], 302);
    assert_eq!(lifetime(result["AccessToken"].as_str().unwrap()), 302);
    assert_eq!(lifetime(result["IdToken"].as_str().unwrap()), 302);
    ana.refresh().await.unwrap().unwrap();
    assert_eq!(my_orders_status(&ana).await, 200);

    // Back to an hour for what is issued next.
    faults(&emu, json!({"tokenLifetimeSeconds": 3600})).await;
    ana.refresh().await.unwrap().unwrap();
    assert_eq!(lifetime(&ana.tokens.as_ref().unwrap().access_token), 3600);
    // Refresh tokens still last 30 days.
    clock.advance(Duration::from_secs(29 * 24 * 3600));
    ana.refresh().await.unwrap().unwrap();
}

#[tokio::test]
async fn credentials_lifetime_and_the_front_door_refusing_expired_credentials() {
    let (clock, emu) = on_manual_clock().await;
    let state = faults(&emu, json!({"credentialsLifetimeSeconds": 2})).await;
    assert_eq!(state["credentialsLifetimeSeconds"], 2);
    let (old, expiration) = new_credentials(&emu).await;
    assert_eq!(expiration, clock.now_ms() / 1000 + 2);
    let mut live = Subscriber::connect(
        &presigned(&emu, &old),
        "serverlesspresso-early",
        &["serverlesspresso-config"],
    )
    .await
    .expect("fresh credentials are accepted");

    clock.advance(Duration::from_secs(3));
    // A URL signed just now, but with credentials that expired a second ago: refused
    // with 403 when the WebSocket is opened, as IoT does.
    let url = presigned(&emu, &old);
    let (_, query) = url.split_once('?').unwrap();
    assert_eq!(
        iot::verify_presigned(
            &emu.backend.store,
            &emu.addr.to_string(),
            local::MQTT_PATH,
            query,
            clock.now_ms()
        ),
        Err(PresignError::CredentialsExpired)
    );
    assert_eq!(
        refused_with(Subscriber::connect(&url, "serverlesspresso-late", &["#"]).await),
        Some(403)
    );
    // New credentials, issued now, are accepted.
    let (fresh, expiration) = new_credentials(&emu).await;
    assert_eq!(expiration, clock.now_ms() / 1000 + 2);
    assert_eq!(
        refused_with(
            Subscriber::connect(
                &presigned(&emu, &fresh),
                "serverlesspresso-fresh",
                &["serverlesspresso-config"],
            )
            .await
        ),
        None
    );
    // A connection made in time stays open (IoT checks credentials at the upgrade).
    // (W's store is open: closing it is a change, which the config topic hears.)
    let barista = admin(&emu).await;
    barista
        .rest(Method::PUT, &barista.config("store?state=closed"), None)
        .await
        .unwrap();
    live.expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();

    // The lifetime set back: an hour again.
    faults(&emu, json!({"credentialsLifetimeSeconds": 3600})).await;
    let (_, expiration) = new_credentials(&emu).await;
    assert_eq!(expiration, clock.now_ms() / 1000 + 3600);
}

#[tokio::test]
async fn a_throttled_then_failing_cognito_answers_as_the_service_does_until_it_ends() {
    let (clock, emu) = on_manual_clock().await;
    let state = faults(
        &emu,
        json!({"cognito": {"answer": "throttle", "forSeconds": 5}}),
    )
    .await;
    assert_eq!(
        state["cognito"],
        json!({"answer": "throttle", "forSeconds": 5.0})
    );
    // Cognito answers `*`; the emulator echoes the loopback dev server's origin.
    let throttled = (
        400,
        "application/x-amz-json-1.1".to_string(),
        "http://127.0.0.1:8080".to_string(),
        json!({"__type": "TooManyRequestsException", "message": "Rate exceeded"}),
    );
    // The identity pool and the user pool alike.
    assert_eq!(get_id(&emu).await, throttled);
    let sign_in = || {
        cognito_raw(
            &emu,
            "AWSCognitoIdentityProviderService.InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": local::CLIENT_ID,
                   "AuthParameters": {"USERNAME": ADMIN.0, "SRP_A": "abc"}}),
        )
    };
    assert_eq!(sign_in().await, throttled);
    let mut c = client(&emu);
    let refused = c.sign_in(ADMIN.0, ADMIN.1).await.unwrap().unwrap_err();
    assert_eq!(refused.kind, "TooManyRequestsException");

    clock.advance_ms(4_900);
    assert_eq!(get_faults(&emu).await["cognito"]["forSeconds"], 0.1);
    assert_eq!(get_id(&emu).await.0, 400, "still throttled");
    clock.advance_ms(100);
    assert_eq!(get_faults(&emu).await["cognito"], Value::Null);
    assert_eq!(get_id(&emu).await.0, 200, "the throttling has ended");
    c.sign_in(ADMIN.0, ADMIN.1).await.unwrap().unwrap();

    // Failing outright, ended early by `null`.
    faults(
        &emu,
        json!({"cognito": {"answer": "error", "forSeconds": 60}}),
    )
    .await;
    let (status, content_type, origin, body) = get_id(&emu).await;
    assert_eq!(
        (status, content_type.as_str(), origin.as_str()),
        (500, "application/x-amz-json-1.1", "http://127.0.0.1:8080")
    );
    assert_eq!(body["__type"], "InternalErrorException");
    assert!(body["message"].is_string());
    assert_eq!(sign_in().await.0, 500);
    let state = faults(&emu, json!({"cognito": null})).await;
    assert_eq!(state["cognito"], Value::Null);
    assert_eq!(get_id(&emu).await.0, 200);
}

#[tokio::test]
async fn dropping_websockets_closes_every_open_subscriber_once() {
    let emu = start(Windows::AWS, None).await;
    let barista = admin(&emu).await;
    let mut board = admin_events(&barista).await;
    let mut tv = admin_events(&barista).await;
    let state = faults(&emu, json!({"dropWebSockets": true})).await;
    assert!(
        state.get("dropWebSockets").is_none(),
        "one-shot, not kept: {state}"
    );
    assert!(
        board.closed_within(WAIT).await,
        "the console's socket closed"
    );
    assert!(tv.closed_within(WAIT).await, "the TV's socket closed");

    // Reconnecting works, and stays connected.
    let mut again = Subscriber::connect(
        &presigned(&emu, &barista.credentials().await.unwrap()),
        "serverlesspresso-again",
        &["serverlesspresso-config"],
    )
    .await
    .unwrap();
    assert!(!again.closed_within(Duration::from_millis(300)).await);
    barista
        .rest(Method::PUT, &barista.config("store?state=closed"), None)
        .await
        .unwrap();
    again
        .expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();
}

#[tokio::test]
async fn refused_subscriptions_get_a_failed_suback_until_the_fault_ends() {
    use mqttrs::SubscribeReturnCodes::{Failure, Success};
    let (clock, emu) = on_manual_clock().await;
    let barista = admin(&emu).await;
    let (credentials, _) = new_credentials(&emu).await;
    let mut tv = RawMqtt::connect(&presigned(&emu, &credentials), "serverlesspresso-tv").await;
    let state = faults(&emu, json!({"refuseSubscriptions": {"forSeconds": 3}})).await;
    assert_eq!(state["refuseSubscriptions"], json!({"forSeconds": 3.0}));

    let topics = ["serverlesspresso-config", "serverlesspresso-admin"];
    assert_eq!(tv.subscribe(7, &topics).await, vec![Failure, Failure]);
    // Nothing was subscribed at the broker: the config change does not arrive. (W's
    // store is open: it is closed, then opened, so that each call is a change.)
    let set_store = |state: &'static str| {
        let barista = &barista;
        async move {
            let reply = barista
                .rest(
                    Method::PUT,
                    &barista.config(&format!("store?state={state}")),
                    None,
                )
                .await
                .unwrap();
            assert_eq!(reply.status, 200);
        }
    };
    set_store("closed").await;
    assert_eq!(tv.next_publish(Duration::from_millis(500)).await, None);

    clock.advance_ms(3_000);
    assert_eq!(get_faults(&emu).await["refuseSubscriptions"], Value::Null);
    let qos0 = Success(mqttrs::QoS::AtMostOnce);
    assert_eq!(tv.subscribe(8, &topics).await, vec![qos0, qos0]);
    set_store("open").await;
    let topic = tv.next_publish(WAIT).await.expect("the change arrives");
    assert!(topics.contains(&topic.as_str()), "{topic}");
}

#[tokio::test]
async fn a_failing_rest_api_answers_without_cors_until_the_fault_ends() {
    let (clock, emu) = on_manual_clock().await;
    let barista = admin(&emu).await;
    let state = faults(&emu, json!({"rest": {"status": 503, "forSeconds": 10}})).await;
    assert_eq!(state["rest"], json!({"status": 503, "forSeconds": 10.0}));

    for (method, url) in [
        (Method::GET, barista.config("config")),
        (Method::GET, barista.om("orders?state=CREATED")),
        (Method::PUT, barista.config("store?state=open")),
        (Method::GET, barista.validator("qr-code")),
    ] {
        let reply = barista.rest(method.clone(), &url, None).await.unwrap();
        assert_eq!(reply.status, 503, "{method} {url}");
        assert!(
            !reply.cors,
            "no CORS headers: the browser sees a network error"
        );
        assert_eq!(
            reply.json().unwrap(),
            json!({"message": "Service Unavailable"})
        );
    }
    // Preflights still answer normally (API Gateway with `*`; the emulator echoes an
    // origin it serves CORS to, see `access.rs`).
    let preflight = reqwest::Client::new()
        .request(Method::OPTIONS, barista.om("orders/abc"))
        .header("Origin", "http://127.0.0.1:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8080"
    );
    // Cognito, the local routes and the IoT endpoint are not the REST APIs.
    assert_eq!(get_id(&emu).await.0, 200);
    let settings = local_get(&emu, "/_local/settings").await;
    assert_eq!(settings.status(), 200);
    admin_events(&barista).await;

    clock.advance(Duration::from_secs(10));
    let reply = barista
        .rest(Method::GET, &barista.config("config"), None)
        .await
        .unwrap();
    assert_eq!(
        (reply.status, reply.cors),
        (200, true),
        "the fault has ended"
    );

    // Another status, until ended by `null`.
    faults(&emu, json!({"rest": {"status": 500}})).await;
    let reply = barista
        .rest(Method::GET, &barista.config("config"), None)
        .await
        .unwrap();
    assert_eq!(
        (reply.status, reply.cors, reply.json().unwrap()),
        (500, false, json!({"message": "Internal server error"}))
    );
    faults(&emu, json!({"rest": null})).await;
    let reply = barista
        .rest(Method::GET, &barista.config("config"), None)
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn a_slow_rest_api_waits_before_answering_until_the_fault_ends() {
    let (clock, emu) = on_manual_clock().await;
    let barista = admin(&emu).await;
    let latency = Duration::from_millis(1_000);
    let state = faults(&emu, json!({"restLatency": {"ms": 1000, "forSeconds": 30}})).await;
    assert_eq!(
        state["restLatency"],
        json!({"ms": 1000, "forSeconds": 30.0})
    );
    let timed = |method: Method, url: String| {
        let barista = barista.clone();
        async move {
            let started = Instant::now();
            let reply = barista.rest(method, &url, None).await.unwrap();
            assert_eq!(reply.status, 200, "slow, not failing");
            started.elapsed()
        }
    };
    assert!(timed(Method::GET, barista.config("config")).await >= latency);
    assert!(timed(Method::GET, barista.om("orders?state=CREATED")).await >= latency);
    assert!(
        timed(Method::OPTIONS, barista.config("config")).await < latency,
        "preflights answer at once"
    );

    clock.advance(Duration::from_secs(30));
    assert_eq!(get_faults(&emu).await["restLatency"], Value::Null);
    assert!(timed(Method::GET, barista.config("config")).await < latency);
}

#[tokio::test]
async fn clear_ends_every_timed_fault_and_an_empty_change_changes_nothing() {
    let (clock, emu) = on_manual_clock().await;
    let all = faults(
        &emu,
        json!({
            "tokenLifetimeSeconds": 400, "credentialsLifetimeSeconds": 60,
            "cognito": {"answer": "throttle", "forSeconds": 30},
            "refuseSubscriptions": {},
            "silenceWebSockets": {"forSeconds": 30},
            "rest": {"status": 502, "forSeconds": 30.5},
            "restLatency": {"ms": 5, "forSeconds": 30},
            "printer": {"state": "coverOpen", "forSeconds": 30},
        }),
    )
    .await;
    assert_eq!(
        all,
        json!({
            "tokenLifetimeSeconds": 400, "credentialsLifetimeSeconds": 60,
            "cognito": {"answer": "throttle", "forSeconds": 30.0},
            "refuseSubscriptions": {"forSeconds": null},
            "silenceWebSockets": {"forSeconds": 30.0},
            "rest": {"status": 502, "forSeconds": 30.5},
            "restLatency": {"ms": 5, "forSeconds": 30.0},
            "printer": {"state": "coverOpen", "forSeconds": 30.0},
        })
    );
    assert_eq!(faults(&emu, json!({})).await, all, "{{}} changes nothing");
    assert_eq!(get_faults(&emu).await, all, "GET answers the same state");
    clock.advance_ms(500);
    assert_eq!(get_faults(&emu).await["rest"]["forSeconds"], 30.0);

    let cleared = faults(&emu, json!({"clear": true})).await;
    assert_eq!(
        cleared,
        json!({
            "tokenLifetimeSeconds": 400, "credentialsLifetimeSeconds": 60,
            "cognito": null, "refuseSubscriptions": null, "silenceWebSockets": null,
            "rest": null, "restLatency": null, "printer": null,
        }),
        "the lifetimes are not timed faults"
    );
    assert_eq!(get_id(&emu).await.0, 200);

    // `clear` comes first: what the same change sets stays.
    let state = faults(
        &emu,
        json!({"rest": {"status": 503}, "cognito": {"answer": "error"}}),
    )
    .await;
    assert!(!state["rest"].is_null() && !state["cognito"].is_null());
    let state = faults(
        &emu,
        json!({"clear": true, "rest": {"status": 504, "forSeconds": 1}}),
    )
    .await;
    assert_eq!(state["cognito"], Value::Null);
    assert_eq!(state["rest"], json!({"status": 504, "forSeconds": 1.0}));
}

#[tokio::test]
async fn what_the_route_does_not_understand_is_refused_and_changes_nothing() {
    let (_clock, emu) = on_manual_clock().await;
    let before = faults(
        &emu,
        json!({"cognito": {"answer": "throttle", "forSeconds": 9}}),
    )
    .await;
    for (body, mentions) in [
        (
            r#"{"cognito": null, "dropWebSocket": true}"#,
            "dropWebSocket",
        ),
        (r#"{"rest": {"status": 200, "forSeconds": 1}}"#, "status"),
        (
            r#"{"rest": {"status": 503, "forSeconds": -1}}"#,
            "forSeconds",
        ),
        (r#"{"cognito": {"answer": "sometimes"}}"#, "throttle"),
        (
            r#"{"cognito": {"answer": "error", "seconds": 3}}"#,
            "seconds",
        ),
        (r#"{"restLatency": {"forSeconds": 3}}"#, "ms"),
        (
            r#"{"tokenLifetimeSeconds": "long"}"#,
            "tokenLifetimeSeconds",
        ),
        (r#"{"clear": 1}"#, "clear"),
        (r#"[]"#, "object"),
        (r#"not json"#, "JSON"),
    ] {
        let (status, answer) = post_faults(&emu, body).await;
        assert_eq!(status, 400, "{body}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(mentions), "{body}: {message}");
    }
    assert_eq!(get_faults(&emu).await, before, "nothing changed");

    // Browser tests may call it from a page on loopback: CORS like the other local
    // routes, the token's header included.
    let preflight = reqwest::Client::new()
        .request(Method::OPTIONS, format!("{}/_local/faults", emu.base_url()))
        .header("Origin", "http://127.0.0.1:9999")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type,x-local-token",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://127.0.0.1:9999"
    );
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("x-local-token"), "{allowed}");
}
