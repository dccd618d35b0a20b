//! The browser client against a running emulator, in headless Chromium
//! (`cargo xtask test` starts the emulator and passes its URL and local token at build
//! time).
#![cfg(target_arch = "wasm32")]

use serde_json::json;
use shared::api::{Api, ApiError};
use shared::cognito::CognitoErrorKind;
use shared::realtime::{user_topic, RealtimeEvent, CONFIG_TOPIC};
use shared::web::auth::{AuthClient, AuthError, PhoneAnswer};
use shared::web::realtime::{ConnectionStatus, Realtime, RealtimeListener};
use shared::web::{http, now_ms};
use shared::wire::Redeemed;
use shared::{AppKind, Settings, SettingsDraft};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn emulator() -> &'static str {
    env!(
        "SERVERLESSPRESSO_EMULATOR",
        "run with `cargo xtask test`, which starts the emulator"
    )
}

/// The emulator's local token, which its local-only routes (`/_local/*`) ask for.
fn local_token() -> &'static str {
    option_env!("SERVERLESSPRESSO_LOCAL_TOKEN").expect(
        "SERVERLESSPRESSO_LOCAL_TOKEN is not set: run with `cargo xtask test`, which starts the emulator with a local token",
    )
}

/// `GET` of a local-only route (`path`, from `/_local/`), with the token in the header.
async fn get_local(path: &str) -> String {
    gloo_net::http::Request::get(&format!("{}{path}", emulator()))
        .header("X-Local-Token", local_token())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn settings() -> Settings {
    let query = get_local("/_local/settings").await;
    SettingsDraft::from_query(&query)
        .validate(AppKind::Display)
        .unwrap()
}

/// Waits (polling every 20 ms, at most 10 s) until `check` holds.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..500 {
        if check() {
            return;
        }
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 20)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(tick).await.unwrap();
    }
    panic!("timed out waiting until {what}");
}

#[derive(Default)]
struct Recorder {
    statuses: RefCell<Vec<ConnectionStatus>>,
    events: RefCell<Vec<RealtimeEvent>>,
    resyncs: RefCell<u32>,
}

impl RealtimeListener for Recorder {
    fn status(&self, status: ConnectionStatus) {
        self.statuses.borrow_mut().push(status);
    }
    fn event(&self, event: RealtimeEvent) {
        self.events.borrow_mut().push(event);
    }
    fn resync(&self) {
        *self.resyncs.borrow_mut() += 1;
    }
    fn unreadable(&self, reason: String) {
        panic!("the emulator sent an unreadable message: {reason}");
    }
}

#[wasm_bindgen_test]
async fn sign_up_confirm_sign_in_refresh_and_receive_live_events() {
    let settings = settings().await;
    let api = Api::new(&settings);
    let customer = AuthClient::new(settings.clone(), AppKind::Order);
    customer.sign_out();
    let email = format!("web-{}@example.com", now_ms());

    customer.sign_up(&email, "password1").await.unwrap();
    let unconfirmed = customer.sign_in(&email, "password1").await.unwrap_err();
    assert!(
        matches!(&unconfirmed, AuthError::Cognito(e) if e.kind == CognitoErrorKind::UserNotConfirmed),
        "{unconfirmed:?}"
    );
    let code: serde_json::Value =
        serde_json::from_str(&get_local(&format!("/_local/codes/{email}")).await).unwrap();
    let wrong = customer.confirm(&email, "000000x").await.unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "That code is not right. Check the email and try again."
    );
    customer
        .confirm(&email, code["code"].as_str().unwrap())
        .await
        .unwrap();
    assert!(customer.sign_in(&email, "wrong-password").await.is_err());
    let signed_in = customer.sign_in(&email, "password1").await.unwrap();
    assert_eq!(signed_in.display_name(), email);
    assert!(!signed_in.is_admin());
    assert_eq!(
        customer.stored().unwrap(),
        signed_in,
        "the session is kept in localStorage"
    );

    // A session about to expire is refreshed.
    let mut expiring = signed_in.session.clone();
    expiring.expires_at_ms = now_ms();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage
        .set_item(
            // Kept per backend: the settings' fingerprint names the key.
            &format!("serverlesspresso.order.session.{}", settings.fingerprint()),
            &serde_json::to_string(&expiring).unwrap(),
        )
        .unwrap();
    let refreshed = customer.fresh(false).await.unwrap().unwrap();
    assert_ne!(
        refreshed.session.access_token,
        signed_in.session.access_token
    );
    assert_eq!(
        refreshed.session.refresh_token,
        signed_in.session.refresh_token
    );
    assert!(refreshed.session.expires_at_ms > now_ms() + 50 * 60 * 1000);

    let (credentials, expires) = customer.credentials().await.unwrap();
    assert!(credentials.access_key_id.starts_with("ASIA"));
    assert!(expires > now_ms());

    let recorder = Rc::new(Recorder::default());
    let topics = vec![user_topic(&refreshed.access.sub), CONFIG_TOPIC.to_string()];
    let realtime = Realtime::start(customer.clone(), topics, recorder.clone());
    eventually("the connection is live", || {
        recorder.statuses.borrow().last() == Some(&ConnectionStatus::Live)
    })
    .await;
    assert_eq!(
        *recorder.resyncs.borrow(),
        1,
        "a resync follows every connect"
    );

    // A barista's QR code, scanned by this customer through the API.
    let admin_email = format!("admin-{}@example.com", now_ms());
    let created = gloo_net::http::Request::post(&format!("{}/_local/users", emulator()))
        .header("X-Local-Token", local_token())
        .header("Content-Type", "application/json")
        .body(
            json!({"username": admin_email, "password": "password1", "groups": ["admin"]})
                .to_string(),
        )
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let admin = AuthClient::new(settings.clone(), AppKind::Display)
        .sign_in(&admin_email, "password1")
        .await
        .unwrap();
    assert!(admin.is_admin());
    let qr_code = api.qr_code();
    let (status, body) = http::send(&qr_code.request, Some(&admin.session.access_token))
        .await
        .unwrap();
    let bucket = qr_code.read(status, &body).unwrap();
    let token = Some(refreshed.session.access_token.as_str());
    let redeem = api.redeem(&bucket.code);
    let (status, body) = http::send(&redeem.request, token).await.unwrap();
    let Redeemed::Started { order_id } = redeem.read(status, &body).unwrap() else {
        panic!("no order")
    };
    eventually("WorkflowStarted arrives", || {
        recorder.events.borrow().iter().any(
            |e| matches!(e, RealtimeEvent::WorkflowStarted { order_id: id, .. } if *id == order_id),
        )
    })
    .await;

    // The validator's 400 carries no CORS headers: the browser sees a network error.
    assert_eq!(
        http::send(&api.redeem("not-the-code").request, token).await,
        Err(ApiError::Network)
    );

    realtime.stop();
    assert_eq!(
        recorder.statuses.borrow().last(),
        Some(&ConnectionStatus::Stopped)
    );
}

#[wasm_bindgen_test]
async fn phone_sign_in_with_a_texted_code() {
    let settings = settings().await;
    let customer = AuthClient::new(settings, AppKind::Order);
    customer.sign_out();
    let phone = format!("+1555{}", now_ms() % 10_000_000);
    let challenge = customer.start_phone_sign_in(&phone).await.unwrap();
    let PhoneAnswer::WrongCode(challenge) = customer
        .answer_phone_code(&challenge, "000000")
        .await
        .unwrap()
    else {
        panic!("a wrong code must not sign in")
    };
    let sent: serde_json::Value = serde_json::from_str(
        &get_local(&format!("/_local/codes/{}", phone.replace('+', "%2B"))).await,
    )
    .unwrap();
    let PhoneAnswer::SignedIn(user) = customer
        .answer_phone_code(&challenge, sent["code"].as_str().unwrap())
        .await
        .unwrap()
    else {
        panic!("the texted code signs in")
    };
    assert!(!user.access.sub.is_empty());
    // A returning customer starts the same way.
    customer.start_phone_sign_in(&phone).await.unwrap();
}
